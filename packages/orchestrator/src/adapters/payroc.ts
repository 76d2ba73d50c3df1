/**
 * Payroc Cloud: a payment or refund *instruction* is sent to a device with an Idempotency-Key, read
 * back by long-poll (the gateway holds each read until the status changes), cancelled by `DELETE`
 * while in progress, and once `completed` followed to the payment or refund it produced, which
 * holds the acquirer's answer. A referenced refund (`POST /payments/{id}/refunds`) answers at once.
 *
 * The key is made by `prepare`, so it is journaled with the intent. A submit whose answer was lost,
 * or one a restarted process finds unfinished, is replayed with that key and the same body: the
 * gateway answers with the instruction it already has, or creates it if the first never arrived.
 * Either way one instruction, one charge.
 */
import {
  assertObject,
  assertKnownFields,
  assertBoolean,
  assertOneOf,
  assertString,
  TillkitHttpError,
  TillkitProtocolError,
  TillkitValidationError,
  uuid,
} from '@tillkit/core'
import {
  approvalOf,
  createPayrocClient,
  findPayments,
  listDevices,
  PayrocTokenError,
  resultIdOf,
  submitInstruction,
  type Approval,
  type Device,
  type PayrocClient,
  type PayrocClientOptions,
  type PayrocComponents,
} from '@tillkit/payroc'
import type {
  AdapterEnvironment,
  AdapterTerminal,
  Observation,
  PaymentContext,
  ProviderAdapter,
  ProviderNotification,
  ProviderOutcome,
  StartResult,
  UnknownSituation,
} from '../adapter.js'
import type { PaymentRequest } from '../types.js'
import { moneyOf, pacingOf, saidIn, table, unattached } from './shared.js'

type Schemas = PayrocComponents['schemas']
type InstructionStatus = Schemas['InstructionStatus']
type RetrievedResult = Schemas['RetrievedPayment'] | Schemas['RetrievedRefund']
/** What this adapter reads of a payment or refund instruction. */
type InstructionView = Pick<Schemas['PaymentInstruction'], 'status' | 'errorMessage' | 'link'>
/** An openapi-fetch result, seen through the fields both kinds share. */
type Read<T> = { data?: T; error?: unknown; response: Response }

export interface PayrocDevice {
  /** The device's serial number: the `terminal` of a payment. */
  serialNumber: string
  /** The Payroc terminal its instructions go under; default `options.processingTerminalId`. */
  processingTerminalId?: string
  /** Currencies it takes (ISO 4217); default `options.currencies`. */
  currencies?: readonly string[]
}

export interface PayrocAdapterOptions extends Omit<
  PayrocClientOptions,
  'retry' | 'clock' | 'logger'
> {
  /**
   * The Payroc terminal (`processingTerminalId`) instructions are processed under, unless the
   * device names its own. Required unless every configured device has one.
   */
  processingTerminalId?: string
  /** The account's devices, when known in advance: other serial numbers fail before any request. */
  devices?: readonly PayrocDevice[]
  /** Currencies the merchant account takes; default: any ISO 4217 code (the gateway decides). */
  currencies?: readonly string[]
  /**
   * Least time between two reads of one instruction. The gateway holds a read until something
   * changes, so this only matters when it answers at once. Default 1 000 (0 to 10 000).
   */
  cadenceMs?: number
  /** Gap between any two requests of the account. Payroc documents no rate limit. Default 0. */
  spacingMs?: number
  /**
   * How long Payroc keeps instructions and payments readable (not published). A read answered 404
   * after this settles the payment `unknown`; so does a payment still unreadable by then. Default 24 h.
   */
  retentionMs?: number
}

/**
 * Every name of {@link PayrocAdapterOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const OPTION_NAMES = {
  apiKey: 1,
  environment: 1,
  baseUrl: 1,
  identityUrl: 1,
  fetch: 1,
  timeoutMs: 1,
  pollTimeoutMs: 1,
  processingTerminalId: 1,
  devices: 1,
  currencies: 1,
  cadenceMs: 1,
  spacingMs: 1,
  retentionMs: 1,
} satisfies Record<keyof PayrocAdapterOptions, 1>

/** Every name of a {@link PayrocDevice} (the `satisfies` keeps the list complete). */
const DEVICE_NAMES = { serialNumber: 1, processingTerminalId: 1, currencies: 1 } satisfies Record<
  keyof PayrocDevice,
  1
>

/** The kinds an instruction can carry: preAuth is a payment instruction with `autoCapture: false`. */
const KINDS = ['sale', 'refund', 'preAuth'] as const
/** A read is held until something changes, so the cadence is only a floor. */
const CADENCE_RANGE_MS = [0, 10_000] as const
/** Options of `request.extra`, and the kinds each applies to. */
const EXTRAS = table<readonly string[]>({
  acceptPartialAmount: ['sale', 'preAuth'],
  processAsSale: ['sale'],
  entryMethod: ['sale', 'refund', 'preAuth'],
  operator: ['sale', 'refund', 'preAuth'],
  description: ['sale', 'refund', 'preAuth'],
})
const ENTRY_METHODS = ['deviceRead', 'manualEntry', 'deviceReadOrManualEntry'] as const
const CURRENCY = /^[A-Z]{3}$/
const STATUSES: readonly InstructionStatus[] = ['inProgress', 'completed', 'failure', 'canceled']
/**
 * A read answered 404 is asked again after this pause, not at the cadence: Payroc gave us the id,
 * so "not found" is rare and slow to change, and retention may be a day.
 */
const MISSING_PAUSE_MS = 5_000
/** A payment search looks this far back: an orderId naming another payment then is not decided on. */
const SEARCH_BACK_MS = 24 * 3_600_000
/** How long a payment found by neither replay nor search may still be on the device. */
const SEARCH_PATIENCE_MS = 5 * 60_000
const SEARCH_PAUSE_MS = 5_000

/** Acquirer response codes that refuse the money, with the label an outcome carries. */
const DECLINES = table<string>({ D: 'declined', R: 'referral', C: 'pick-up-card' })

const ENTRY = table<string>({
  icc: 'chip',
  keyed: 'keyed',
  swiped: 'swiped',
  swipedFallback: 'swiped',
  contactlessIcc: 'contactless',
  contactlessMsr: 'contactless',
})

/**
 * An adapter for one Payroc API key. Its client is made with `retry: false`: the orchestrator's core
 * decides every retry and replay, and spaces every request of the account.
 */
export function payrocAdapter(options: PayrocAdapterOptions): ProviderAdapter {
  assertObject('options', options)
  assertKnownFields(options, OPTION_NAMES, 'options.')
  const { cadenceMs, spacingMs, retentionMs } = pacingOf(
    options,
    { cadenceMs: 1_000, spacingMs: 0, retentionMs: 24 * 3_600_000 },
    CADENCE_RANGE_MS,
  )
  const fallbackTerminal = options.processingTerminalId
  if (fallbackTerminal !== undefined)
    assertString('options.processingTerminalId', fallbackTerminal, { minLength: 1 })
  const accountCurrencies =
    options.currencies && checkCurrencies('options.currencies', options.currencies)
  const devices = new Map<
    string,
    { processingTerminalId: string; currencies?: readonly string[] }
  >()
  for (const [i, d] of (options.devices ?? []).entries()) {
    const field = `options.devices[${i}]`
    assertString(`${field}.serialNumber`, d?.serialNumber, { minLength: 1 })
    // A misspelt processingTerminalId would send the device's payments under the account's.
    assertKnownFields(d, DEVICE_NAMES, `${field}.`)
    const ptid = d.processingTerminalId ?? fallbackTerminal
    if (ptid === undefined)
      throw new TillkitValidationError(
        `${field}.processingTerminalId`,
        'required when options.processingTerminalId is not given',
      )
    assertString(`${field}.processingTerminalId`, ptid, { minLength: 1 })
    const currencies = d.currencies
      ? checkCurrencies(`${field}.currencies`, d.currencies)
      : accountCurrencies
    devices.set(d.serialNumber, { processingTerminalId: ptid, ...(currencies && { currencies }) })
  }
  if (fallbackTerminal === undefined && !devices.size)
    throw new TillkitValidationError(
      'options.processingTerminalId',
      'required unless options.devices names each device with its own',
    )
  const terminals: AdapterTerminal[] = [...devices].map(([terminal, d]) => ({
    terminal,
    status: 'unknown',
    ...(d.currencies && { currencies: d.currencies }),
  }))

  let env = unattached()
  const {
    processingTerminalId: _p,
    devices: _d,
    currencies: _c,
    cadenceMs: _cm,
    spacingMs: _s,
    retentionMs: _r,
    ...clientOptions
  } = options
  const makeClient = () =>
    createPayrocClient({
      ...clientOptions,
      retry: false,
      clock: env.clock,
      logger: env.logger,
    })
  // Made now so bad credentials or hosts fail at construction, and again on attach for the clock.
  let made: PayrocClient = makeClient()
  const client = () => made

  const processingTerminal = (serialNumber: string): string | undefined =>
    devices.get(serialNumber)?.processingTerminalId ?? fallbackTerminal

  /**
   * The orders this adapter sent in the search window, by payment: a search by orderId cannot tell
   * two of them with one reference on one terminal apart (see {@link searchAfter}).
   */
  const orders = new Map<string, { reference: string; terminal: string; at: number }>()
  const remember = ({ paymentId, request, startedAt }: PaymentContext) => {
    for (const [id, order] of orders) {
      if (order.at >= startedAt - SEARCH_BACK_MS) break
      orders.delete(id)
    }
    orders.set(paymentId, {
      reference: request.reference,
      terminal: request.terminal,
      at: startedAt,
    })
  }
  const hasTwin = ({ paymentId, request }: PaymentContext) =>
    [...orders].some(
      ([id, order]) =>
        id !== paymentId &&
        order.reference === request.reference &&
        order.terminal === request.terminal,
    )

  /**
   * Sends the instruction that starts the payment, or with `replay` sends it again (same key, same
   * body) after the first answer was lost. A refusal of the first send is the outcome: nothing was
   * made. A refusal of a replay says nothing of the first send, which may have made the instruction
   * (a device busy with it answers 409): it is thrown, so the core asks again and, refused each
   * time, settles `unknown`, never `failed`.
   */
  async function submit(ctx: PaymentContext, replay = false): Promise<StartResult> {
    const { request } = ctx
    remember(ctx)
    const send = { idempotencyKey: keyOf(ctx), signal: ctx.signal }
    const ptid = processingTerminal(request.terminal)!
    try {
      const { instruction, id } =
        request.kind === 'refund'
          ? await submitInstruction(
              client(),
              'refund',
              request.terminal,
              refundBody(request, ptid),
              send,
            )
          : await submitInstruction(
              client(),
              'payment',
              request.terminal,
              paymentBody(request, ptid),
              send,
            )
      const seen = instructionObservation(request, instruction, client())
      return { ...seen, ids: { ...seen.ids, instructionId: id } }
    } catch (error) {
      const outcome = replay ? undefined : refusalOf(error)
      if (outcome) return { ids: {}, outcome }
      throw error
    }
  }

  /**
   * A replayed submit refused (4xx) says nothing of the first send. Before that counts as a refused
   * look, the payments are searched by this payment's orderId (Payroc's recipe when a key cannot be
   * replayed). It decides only when the orderId names a single payment of this terminal in the
   * last day, made after this one started, for this amount, and no other payment of this process
   * has that reference on that terminal: a POS that reuses its references (a split bill, a retry
   * after a decline) must not have another payment taken for this one. None
   * found proves nothing (it may still be on the device, which then refuses the replay as busy):
   * the search is made again every {@link SEARCH_PAUSE_MS} for as long as a payment can take on a
   * device, and after that the refusal stands.
   */
  async function searchAfter(ctx: PaymentContext, refused: unknown): Promise<StartResult> {
    const { request } = ctx
    const definite =
      refused instanceof TillkitHttpError && refused.status < 500 && refused.status !== 429
    if (!definite || request.kind === 'refund') throw refused
    // Another payment of this process with this reference on this terminal (a split bill): whichever
    // payment the search finds could be that one's.
    if (hasTwin(ctx)) throw refused
    const found: Schemas['RetrievedPayment'][] = []
    const filters = {
      orderId: request.reference,
      processingTerminalId: processingTerminal(request.terminal)!,
      dateFrom: new Date(ctx.startedAt - SEARCH_BACK_MS).toISOString(),
    }
    for await (const payment of findPayments(client(), filters, { signal: ctx.signal }))
      if (found.push(payment) > 1) break
    const [only] = found
    const ours =
      found.length === 1 &&
      only!.order.amount === request.amount &&
      Date.parse(only!.order.dateTime ?? '') >= ctx.startedAt
    if (ours) return { ids: { paymentId: only!.paymentId }, outcome: resultOutcome(only!) }
    if (found.length || env.clock.now() - ctx.startedAt >= SEARCH_PATIENCE_MS) throw refused
    return { ids: {}, retryAfterMs: SEARCH_PAUSE_MS }
  }

  /**
   * A referenced refund: no device, answered at once. A `replay` sends the same key and body, and
   * its refusal is thrown as {@link submit}'s is (a first refund that went through leaves nothing
   * to refund: 409).
   */
  async function referencedRefund(ctx: PaymentContext, replay = false): Promise<StartResult> {
    const { request } = ctx
    const result = await client().api.POST('/payments/{paymentId}/refunds', {
      params: {
        path: { paymentId: request.original!.paymentId! },
        header: { 'Idempotency-Key': keyOf(ctx) },
      },
      body: {
        amount: request.amount!,
        description: descriptionOf(request),
        ...(typeof request.extra?.operator === 'string' && { operator: request.extra.operator }),
      },
      signal: ctx.signal,
    })
    const refused = result.response.ok ? undefined : httpError(result)
    if (refused && replay) throw refused
    const outcome = refusalOf(refused, REFUND_REFUSALS)
    if (outcome) return { ids: {}, outcome }
    const summary = client().transport.ok(result)
    return { ids: { refundId: summary.refundId }, outcome: summaryOutcome(summary) }
  }

  async function readInstruction(
    ctx: PaymentContext,
    id: string,
    /** False for a read that must outlive the payment's signal. */
    tied = true,
  ): Promise<Observation> {
    const api = client().api
    const params = tied ? { signal: ctx.signal } : {}
    const result: Read<InstructionView> =
      ctx.request.kind === 'refund'
        ? await api.GET('/refund-instructions/{refundInstructionId}', {
            params: { path: { refundInstructionId: id } },
            ...params,
          })
        : await api.GET('/payment-instructions/{paymentInstructionId}', {
            params: { path: { paymentInstructionId: id } },
            ...params,
          })
    if (result.response.status === 404) return { missing: true, retryAfterMs: MISSING_PAUSE_MS }
    return instructionObservation(ctx.request, client().transport.ok(result), client())
  }

  async function readResult(ctx: PaymentContext, id: string): Promise<Observation> {
    const api = client().api
    const result: Read<RetrievedResult> =
      ctx.request.kind === 'refund'
        ? await api.GET('/refunds/{refundId}', {
            params: { path: { refundId: id } },
            signal: ctx.signal,
          })
        : await api.GET('/payments/{paymentId}', {
            params: { path: { paymentId: id } },
            signal: ctx.signal,
          })
    if (result.response.status === 404) return { missing: true, retryAfterMs: MISSING_PAUSE_MS }
    // A result is read only once the instruction completed: that event comes along, so a process
    // that died after recording the result's id but before the POS took `finished` hands it over
    // again (the de-duplication drops it when it was taken).
    return {
      notifications: [COMPLETED],
      outcome: resultOutcome(client().transport.ok(result)),
    }
  }

  /**
   * Reads an instruction that ended, to tell a cancel that came too late from one that worked. Not
   * tied to the payment's signal: the payment may settle (from our own cancel) while this is out.
   */
  async function endedStatus(ctx: PaymentContext, id: string): Promise<unknown> {
    const seen = await readInstruction(ctx, id, false)
    return seen.notifications?.[0]?.raw
  }

  return {
    provider: 'payroc',
    capabilities: {
      kinds: KINDS,
      cancel: true,
      // The device asks for and keeps the signature itself: the POS has nothing to judge.
      signature: 'terminal',
      findsLostStarts: true,
    },
    pacing: {
      mode: 'back-to-back',
      cadenceMs,
      cadenceRangeMs: CADENCE_RANGE_MS,
      spacingMs,
      retentionMs,
    },
    ...(terminals.length && { terminals }),

    attach(environment: AdapterEnvironment) {
      env = environment
      env.secret(options.apiKey)
      made = makeClient()
    },

    validate(request, terminal) {
      checkRequest(request)
      if (processingTerminal(request.terminal) === undefined)
        throw new TillkitValidationError(
          'terminal',
          'is a device with no processingTerminalId configured',
          request.terminal,
        )
      const currencies = terminal?.currencies ?? accountCurrencies
      if (currencies) assertOneOf('currency', request.currency, currencies)
    },

    prepare() {
      return { idempotencyKey: uuid() }
    },

    start(ctx) {
      return ctx.request.original ? referencedRefund(ctx) : submit(ctx)
    },

    poll(ctx) {
      const { request, ids } = ctx
      if (request.original) return referencedRefund(ctx, true)
      const resultId = ids[resultKey(request)]
      if (resultId) return readResult(ctx, resultId)
      if (ids.instructionId) return readInstruction(ctx, ids.instructionId)
      // The start's answer was lost (or a previous process died waiting for it): replay it.
      return submit(ctx, true).catch((refused: unknown) => searchAfter(ctx, refused))
    },

    async cancel(ctx) {
      // A referenced refund has no device step to stop: it was decided when it answered.
      if (ctx.request.original) return 'too-late'
      let id = ctx.ids.instructionId
      if (!id) {
        // Only the key is known: the replay names the instruction (or shows none was made).
        const replay = await submit(ctx, true)
        if (replay.outcome || !replay.ids.instructionId) return 'too-late'
        ctx.push(replay)
        id = replay.ids.instructionId
      }
      const api = client().api
      const result =
        ctx.request.kind === 'refund'
          ? await api.DELETE('/refund-instructions/{refundInstructionId}', {
              params: { path: { refundInstructionId: id } },
            })
          : await api.DELETE('/payment-instructions/{paymentInstructionId}', {
              params: { path: { paymentInstructionId: id } },
            })
      if (result.response.ok) return 'requested'
      // 409: it had already ended. Canceled means an earlier cancel of ours (whose answer was lost) worked.
      if (result.response.status === 409)
        return (await endedStatus(ctx, id)) === 'canceled' ? 'requested' : 'too-late'
      throw httpError(result)
    },

    async listTerminals() {
      const all: AdapterTerminal[] = []
      for await (const device of listDevices(client())) all.push(terminalOf(device))
      return all
    },

    async terminalStatus(serialNumber) {
      for await (const device of listDevices(client(), { serialNumber, limit: 1 }))
        if (device.serialNumber === serialNumber) return terminalOf(device)
      return { terminal: serialNumber, status: 'offline' }
    },

    reconcile(ctx, situation) {
      return advice(ctx, situation, processingTerminal(ctx.request.terminal))
    },
  }

  function terminalOf(device: Device): AdapterTerminal {
    const currencies = devices.get(device.serialNumber)?.currencies ?? accountCurrencies
    return {
      terminal: device.serialNumber,
      // Payroc lists devices, not whether one is free: an active device is `unknown`.
      status: device.deactivatedDate ? 'offline' : 'unknown',
      ...(currencies && { currencies }),
      raw: device,
    }
  }

  /** The client's error for a non-2xx openapi-fetch result. */
  function httpError(result: { error?: unknown; response: Response }): TillkitHttpError {
    return client().transport.httpError(result.response, result.error)
  }
}

function checkCurrencies(field: string, value: readonly string[]): readonly string[] {
  if (!Array.isArray(value) || !value.length)
    throw new TillkitValidationError(field, 'must be a non-empty list of ISO 4217 codes')
  for (const [i, c] of value.entries()) assertString(`${field}[${i}]`, c, { pattern: CURRENCY })
  return [...value]
}

/** The ids a Payroc payment's outcome carries besides `paymentId` (see `providerIds`). */
const PAYROC_IDS = ['idempotencyKey', 'instructionId']

/** Payroc's rules for what this adapter sends, checked before the intent is journaled. */
function checkRequest(request: PaymentRequest): void {
  const { kind } = request
  for (const field of ['cashback', 'authCode', 'preAuthAmount'] as const)
    if (request[field] !== undefined)
      throw new TillkitValidationError(field, 'not offered by the payroc adapter')
  if (request.original !== undefined) {
    if (kind !== 'refund')
      throw new TillkitValidationError('original', 'only allowed for refund with payroc')
    // `{ paymentId }`, or the earlier payment's `outcome.providerIds` as they are.
    const { paymentId, ...rest } = request.original
    const stray = Object.keys(rest).find((key) => !PAYROC_IDS.includes(key))
    const rule = "must be { paymentId } of the payment to refund (its outcome's providerIds)"
    if (paymentId === undefined) throw new TillkitValidationError('original', rule)
    if (stray !== undefined)
      throw new TillkitValidationError(`original.${stray}`, 'not a Payroc id')
  }
  for (const [key, value] of Object.entries(request.extra ?? {})) {
    const field = `extra.${key}`
    const kinds = EXTRAS[key]
    if (!kinds) throw new TillkitValidationError(field, 'not an option of payroc')
    if (!kinds.includes(kind))
      throw new TillkitValidationError(field, `only allowed for ${kinds.join(', ')} with payroc`)
    if (key === 'entryMethod') {
      assertOneOf(field, value, ENTRY_METHODS)
      if (request.original)
        throw new TillkitValidationError(field, 'not used by a referenced refund (no device)')
    } else if (key === 'operator' || key === 'description')
      assertString(field, value, { minLength: 1, maxLength: 255 })
    else assertBoolean(field, value)
  }
}

/** A refund's description is required by Payroc; the POS's reference stands in when none is given. */
function descriptionOf(request: Readonly<PaymentRequest>): string {
  const given = request.extra?.description
  return typeof given === 'string' ? given : request.reference
}

function keyOf(ctx: PaymentContext): string {
  const key = ctx.ids.idempotencyKey
  // Never a fresh one here: a new key would let the gateway start a second instruction.
  if (!key) throw new TillkitValidationError('ids.idempotencyKey', 'is not known for this payment')
  return key
}

function extraOf(request: Readonly<PaymentRequest>) {
  const extra = request.extra ?? {}
  return {
    operator: typeof extra.operator === 'string' ? extra.operator : undefined,
    entryMethod: extra.entryMethod as (typeof ENTRY_METHODS)[number] | undefined,
    description: typeof extra.description === 'string' ? extra.description : undefined,
  }
}

/** Built only from the request and configuration, so a replay sends the same bytes. */
function paymentBody(
  request: Readonly<PaymentRequest>,
  processingTerminalId: string,
): Schemas['PaymentInstructionRequest'] {
  const { operator, entryMethod, description } = extraOf(request)
  const extra = request.extra ?? {}
  return {
    processingTerminalId,
    order: {
      orderId: request.reference,
      amount: request.amount!,
      currency: request.currency,
      ...(description !== undefined && { description }),
      ...(typeof extra.acceptPartialAmount === 'boolean' && {
        acceptPartialAmount: extra.acceptPartialAmount,
      }),
    },
    ...(operator !== undefined && { operator }),
    ...(request.kind === 'preAuth' && { autoCapture: false }),
    ...(typeof extra.processAsSale === 'boolean' && { processAsSale: extra.processAsSale }),
    ...(entryMethod !== undefined && { customizationOptions: { entryMethod } }),
  } as Schemas['PaymentInstructionRequest']
}

function refundBody(
  request: Readonly<PaymentRequest>,
  processingTerminalId: string,
): Schemas['RefundInstructionRequest'] {
  const { operator, entryMethod } = extraOf(request)
  return {
    processingTerminalId,
    order: {
      orderId: request.reference,
      description: descriptionOf(request),
      amount: request.amount!,
      currency: request.currency,
    },
    ...(operator !== undefined && { operator }),
    ...(entryMethod !== undefined && { customizationOptions: { entryMethod } }),
  } as Schemas['RefundInstructionRequest']
}

/** Where a payment's result id is kept: a refund instruction leads to a refund, others to a payment. */
function resultKey(request: Readonly<PaymentRequest>): 'paymentId' | 'refundId' {
  return request.kind === 'refund' ? 'refundId' : 'paymentId'
}

/**
 * One read of an instruction. Its status is the only notification Payroc gives: `inProgress` is the
 * device at work (`started`), the three others end it (`finished`). Each status happens once per
 * instruction, so it is its own de-duplication key.
 */
/** The event of an instruction that completed (the acquirer's answer is on its result). */
const COMPLETED: ProviderNotification = { type: 'finished', raw: 'completed', key: 'completed' }

function instructionObservation(
  request: Readonly<PaymentRequest>,
  instruction: InstructionView,
  client: PayrocClient,
): Observation {
  const { status } = instruction
  if (!STATUSES.includes(status))
    throw new TillkitProtocolError(
      'invalid',
      'Payroc answered an instruction with an unknown status',
      {
        details: { status },
      },
    )
  const notifications = [
    status === 'completed'
      ? COMPLETED
      : {
          type: status === 'inProgress' ? ('started' as const) : ('finished' as const),
          raw: status,
          key: status,
        },
  ]
  switch (status) {
    case 'inProgress':
      return { notifications }
    case 'completed':
      // The acquirer's answer is on the result; the next poll reads it.
      return {
        notifications,
        ids: {
          [resultKey(request)]: resultIdOf(
            client,
            request.kind === 'refund' ? 'refund' : 'payment',
            instruction,
          ),
        },
      }
    case 'failure':
      return {
        notifications,
        outcome: {
          status: 'failed',
          reasonCode: 'failure',
          reason: instruction.errorMessage ?? 'the device reported a failure',
          raw: instruction,
        },
      }
    case 'canceled':
      return {
        notifications,
        outcome: {
          status: 'cancelled',
          reasonCode: 'cancelled',
          reason: 'the instruction was canceled (by the POS or on the device)',
          raw: instruction,
        },
      }
  }
}

/** Labels of a submit's definite refusals; others are `refused`. */
const DEVICE_REFUSALS: Readonly<Record<number, string>> = {
  401: 'unauthorised',
  403: 'forbidden',
  404: 'terminal-unavailable',
  409: 'terminal-busy',
}
/** Labels of a referenced refund's: the original payment is missing or cannot be refunded (more). */
const REFUND_REFUSALS: Readonly<Record<number, string>> = {
  401: 'unauthorised',
  403: 'forbidden',
  404: 'original-not-found',
  409: 'not-refundable',
}

/** A definite refusal of a start (nothing was made): the outcome, in Payroc's words. */
function refusalOf(
  error: unknown,
  codes: Readonly<Record<number, string>> = DEVICE_REFUSALS,
): ProviderOutcome | undefined {
  if (error instanceof PayrocTokenError) {
    if (error.status !== 401 && error.status !== 403) return undefined
    return {
      status: 'failed',
      reasonCode: 'unauthorised',
      reason: 'Payroc identity refused the API key; nothing was sent',
    }
  }
  // Open (5xx, 408...): it may have been made (replayed by key); 429: not processed (the core resends).
  if (!(error instanceof TillkitHttpError) || error.outcomeUnknown || error.status === 429)
    return undefined
  const reason =
    saidIn(error.body, 'detail', 'title') ?? `Payroc refused the request (HTTP ${error.status})`
  return { status: 'failed', reasonCode: codes[error.status] ?? 'refused', reason, raw: error.body }
}

/** The acquirer's answer on a payment or refund, in the shared vocabulary. */
function resultOutcome(body: RetrievedResult): ProviderOutcome {
  const result = body.transactionResult
  const approval = approvalOf(body)
  const entry = ENTRY[body.card?.entryMethod ?? '']
  const common = {
    currency: result.currency ?? body.order.currency,
    ...(result.approvalCode && { authCode: result.approvalCode }),
    ...(body.card?.cardNumber && { maskedPan: body.card.cardNumber }),
    ...(body.card?.type && { cardScheme: body.card.type }),
    ...(entry && { entryMethod: entry }),
    ...(result.responseMessage && { reason: result.responseMessage }),
    raw: body,
  }
  if (approval.approved)
    return {
      status: 'approved',
      ...(approval.partial && { reasonCode: 'partial' }),
      amounts: approvedAmounts(approval),
      ...common,
    }
  const declined = DECLINES[result.responseCode]
  if (declined)
    return {
      status: 'declined',
      reasonCode: declined,
      amounts: { approved: 0, total: 0 },
      ...common,
    }
  return {
    ...common,
    status: 'unknown',
    reasonCode: 'unreadable',
    reason: `Payroc's result is neither an approval nor a decline (response code ${result.responseCode}, status ${result.status})`,
  }
}

/** What an approval took: nothing is claimed when a partial approval does not say how much. */
function approvedAmounts({ authorizedAmount }: Approval): ProviderOutcome['amounts'] {
  return authorizedAmount === undefined
    ? {}
    : { approved: authorizedAmount, total: authorizedAmount }
}

/** A referenced refund's summary: the same approval rule as a full result. */
function summaryOutcome(summary: Schemas['RefundSummary']): ProviderOutcome {
  const approval = approvalOf({
    order: { amount: summary.amount },
    transactionResult: {
      status: summary.status,
      responseCode: summary.responseCode,
      authorizedAmount: summary.amount,
    },
  } as Parameters<typeof approvalOf>[0])
  const common = {
    currency: summary.currency,
    ...(summary.responseMessage && { reason: summary.responseMessage }),
    raw: summary,
  }
  if (approval.approved)
    return {
      status: 'approved',
      amounts: approvedAmounts(approval),
      ...common,
    }
  const declined = DECLINES[summary.responseCode]
  if (declined)
    return { status: 'declined', reasonCode: declined, amounts: { approved: 0 }, ...common }
  return {
    ...common,
    status: 'unknown',
    reasonCode: 'unreadable',
    reason: `Payroc's refund is neither approved nor declined (response code ${summary.responseCode}, status ${summary.status})`,
  }
}

function advice(
  ctx: PaymentContext,
  situation: UnknownSituation,
  processingTerminalId: string | undefined,
): string[] {
  const { request, ids } = ctx
  const money = moneyOf(request)
  const since = new Date(ctx.startedAt).toISOString()
  const result = ids.paymentId ?? ids.refundId
  const first: Record<UnknownSituation, string> = {
    'lost-start': `The ${request.kind} may have reached Payroc with Idempotency-Key ${ids.idempotencyKey ?? '(none)'}, but no answer came back.`,
    expired: `Payroc no longer shows this ${request.kind}, or could not be read before its retention window ended.`,
    unreadable: `Payroc would not show this ${request.kind}: check the API key (and its scope) and that device ${request.terminal} belongs to it.`,
  }
  const look = result
    ? `Read ${ids.paymentId ? `GET /payments/${ids.paymentId}` : `GET /refunds/${ids.refundId}`}: its transactionResult (response code A or P with status ready, pending, complete or accepted) says whether money moved.`
    : ids.instructionId
      ? `Read the instruction ${ids.instructionId} (GET /${request.kind === 'refund' ? 'refund' : 'payment'}-instructions/${ids.instructionId}); once completed, follow its link to the ${request.kind === 'refund' ? 'refund' : 'payment'}.`
      : `Search GET /payments?orderId=${encodeURIComponent(request.reference)}${processingTerminalId ? `&processingTerminalId=${processingTerminalId}` : ''} from ${since} for ${money}.`
  return [
    first[situation],
    look,
    `Record what you find against reference ${request.reference}. Start a new payment only once you know this one did not take money.`,
  ]
}

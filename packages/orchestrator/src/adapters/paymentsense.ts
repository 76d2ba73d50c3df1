/**
 * Paymentsense (Dojo) Connect over REST, pay at counter: `POST …/transactions` starts, `GET` polls the
 * cumulative notification list, `DELETE` cancels, `PUT …/signature` answers a signature check.
 * Connect has no idempotency key, so a start whose answer is lost is never sent again.
 */
import {
  assertObject,
  assertBoolean,
  assertKnownFields,
  assertInteger,
  assertOneOf,
  TillkitValidationError,
} from '@tillkit/core'
import {
  createPaymentsenseClient,
  type PacComponents,
  CURRENCIES,
  MAX_AMOUNT,
  MAX_CASHBACK,
  type PaymentsenseClient,
  type PaymentsenseClientOptions,
} from '@tillkit/paymentsense'
import type {
  AdapterEnvironment,
  AdapterTerminal,
  Capabilities,
  Observation,
  PaymentContext,
  ProviderAdapter,
  ProviderNotification,
  ProviderOutcome,
  StartResult,
  UnknownSituation,
} from '../adapter.js'
import type { PaymentEventType, PaymentRequest, Receipt } from '../types.js'
import { paymentsenseTables, TABLE_CADENCE_MS } from './paymentsense-tables.js'
import { moneyOf, pacingOf, saidIn, table, unattached } from './shared.js'

type Schemas = PacComponents['schemas']
type Transaction = Schemas['Transaction']

export interface PaymentsenseAdapterOptions extends Omit<
  PaymentsenseClientOptions,
  'retry' | 'minIntervalMs' | 'clock' | 'logger'
> {
  /** Time between polls of a payment: Connect suggests 1 s at the counter (0.5 to 2 s). Default 1 000. */
  cadenceMs?: number
  /** Gap between any two requests of the account: Connect may enforce 0.1 s. Default 100. */
  spacingMs?: number
  /**
   * How long Connect keeps a transaction ("a number of hours": the real figure is not published).
   * A poll answered 404 after this settles the payment `unknown`. Default 24 h.
   */
  retentionMs?: number
  /** The account's terminals, when known in advance: other TIDs and currencies fail before any request. */
  terminals?: ReadonlyArray<{ tid: string; currency: 'GBP' | 'EUR' }>
  /** Pay at table: time between reads of an open table; Connect suggests 5 s (1 to 30 s). Default 5 000. */
  tableCadenceMs?: number
}

/**
 * Every name of {@link PaymentsenseAdapterOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const OPTION_NAMES = {
  account: 1,
  environment: 1,
  apiKey: 1,
  softwareHouseId: 1,
  installerId: 1,
  username: 1,
  baseUrl: 1,
  fetch: 1,
  timeoutMs: 1,
  cadenceMs: 1,
  spacingMs: 1,
  retentionMs: 1,
  terminals: 1,
  tableCadenceMs: 1,
} satisfies Record<keyof PaymentsenseAdapterOptions, 1>

/** Connect's advised poll interval at the counter: 0.5 to 2 s. */
const CADENCE_RANGE_MS = [500, 2_000] as const

/** How long the terminal waits for the EPoS's signature decision over REST. */
const SIGNATURE_WINDOW_MS = 80_000

/**
 * Connect's notification values in the shared vocabulary; anything else is `other`. Shared with the
 * WebSocket adapter, whose `terminalNotification`s carry the same values.
 */
export const EVENT_TYPES = table<PaymentEventType>({
  TRANSACTION_STARTED: 'started',
  INSERT_CARD: 'presentCard',
  PRESENT_CARD: 'presentCard',
  PIN_ENTRY: 'pinEntry',
  PLEASE_WAIT: 'processing',
  CONNECTING: 'processing',
  CONNECTION_MADE: 'processing',
  REQUEST_SENT: 'processing',
  SIGNATURE_VERIFICATION_IN_PROGRESS: 'processing',
  APPROVED: 'authorised',
  DECLINED: 'declined',
  DECLINED_BY_CARD: 'declined',
  SIGNATURE_VERIFICATION: 'signatureRequired',
  SIGNATURE_VERIFICATION_PROCESS_COMPLETED: 'signatureDone',
  SIGNATURE_VERIFICATION_PROCESS_COULD_NOT_BE_COMPLETED: 'signatureDone',
  SIGNATURE_VERIFICATION_TIMEOUT: 'signatureDone',
  REMOVE_CARD: 'removeCard',
  BAD_SWIPE: 'cardProblem',
  CARD_ERROR: 'cardProblem',
  CARD_EXPIRED: 'cardProblem',
  CARD_NOT_SUPPORTED: 'cardProblem',
  PRESENT_ONLY_ONE_CARD: 'cardProblem',
  RE_PRESENT_CARD: 'cardProblem',
  RETRYING: 'retrying',
  ATTEMPTING_CANCEL: 'cancelling',
  CANCELLING: 'cancelling',
  UNABLE_TO_CANCEL: 'cancelRefused',
  TRANSACTION_FINISHED: 'finished',
})

/** `transactionResult` in the shared outcome vocabulary. */
const RESULTS = table<Pick<ProviderOutcome, 'status' | 'reasonCode'>>({
  SUCCESSFUL: { status: 'approved' },
  DECLINED: { status: 'declined', reasonCode: 'declined' },
  // Approved, then reversed: the signature was declined or never judged.
  VOID: { status: 'declined', reasonCode: 'voided' },
  CANCELLED: { status: 'cancelled', reasonCode: 'cancelled' },
  // Nobody presented a card in time.
  TIMED_OUT: { status: 'cancelled', reasonCode: 'timed-out' },
  UNSUCCESSFUL: { status: 'failed', reasonCode: 'unsuccessful' },
})

const ENTRY = table<string>({
  ICC_CHIP: 'chip',
  CONTACTLESS: 'contactless',
  SWIPED: 'swiped',
  KEYED: 'keyed',
})
const VERIFICATION = table<string>({
  PIN: 'pin',
  SIGNATURE: 'signature',
  DEVICE: 'device',
  NONE: 'none',
})

/**
 * What Connect does, over REST and WebSocket alike: every payment kind, a cancel from the POS, the
 * POS's signature decision, and no way to find a start whose answer was lost (no idempotency key).
 */
export const CAPABILITIES: Capabilities = {
  kinds: ['sale', 'refund', 'preAuth', 'completion', 'accountVerification'],
  cancel: true,
  signature: 'pos',
  findsLostStarts: false,
}

/**
 * An adapter for one Connect account. Its client is made with `retry: false` and no spacing of its
 * own: the orchestrator's core decides every retry and spaces every request of the account.
 */
export function paymentsenseAdapter(options: PaymentsenseAdapterOptions): ProviderAdapter {
  assertObject('options', options)
  assertKnownFields(options, OPTION_NAMES, 'options.')
  const { cadenceMs, spacingMs, retentionMs } = pacingOf(
    options,
    { cadenceMs: 1_000, spacingMs: 100, retentionMs: 24 * 3_600_000 },
    CADENCE_RANGE_MS,
  )
  const terminals = configuredTerminals(options.terminals)

  let env = unattached()
  let made: PaymentsenseClient | undefined
  const {
    cadenceMs: _c,
    spacingMs: _s,
    retentionMs: _r,
    terminals: _t,
    tableCadenceMs,
    ...clientOptions
  } = options
  const makeClient = () =>
    createPaymentsenseClient({
      ...clientOptions,
      retry: false,
      minIntervalMs: 0,
      clock: env.clock,
      logger: env.logger,
    })
  // Made now so bad credentials or hosts fail at construction, and again on attach for the clock.
  made = makeClient()
  const client = () => (made ??= makeClient())
  const tables = paymentsenseTables(client, tableCadenceMs ?? TABLE_CADENCE_MS)

  const requestId = (ctx: PaymentContext): string => {
    const id = ctx.ids.requestId
    if (!id) throw new TillkitValidationError('ids.requestId', 'is not known for this payment')
    return id
  }

  return {
    provider: 'paymentsense',
    capabilities: CAPABILITIES,
    pacing: {
      mode: 'interval',
      cadenceMs,
      cadenceRangeMs: CADENCE_RANGE_MS,
      spacingMs,
      retentionMs,
      signatureWindowMs: SIGNATURE_WINDOW_MS,
    },
    ...(terminals && { terminals }),
    tables,

    attach(environment: AdapterEnvironment) {
      env = environment
      env.secret(options.apiKey)
      made = makeClient()
    },

    validate(request) {
      checkRequest(request)
    },

    async start(ctx): Promise<StartResult> {
      const { request } = ctx
      const result = await client().pac.POST('/pac/terminals/{tid}/transactions', {
        params: { path: { tid: request.terminal } },
        body: bodyOf(request),
        signal: ctx.signal,
      })
      const { status } = result.response
      // A definite refusal (4xx but 429 and 408) started nothing: say why, in Connect's words (the
      // body as the client's error holds it, cleared of the API key should Connect echo it). A 408
      // is no refusal: a gateway may have passed the start on before giving up, so it is thrown
      // (outcome unknown) like a 5xx, and the core settles `unknown`, never sending it again.
      if (status >= 400 && status < 500 && status !== 429 && status !== 408)
        return {
          ids: {},
          outcome: refusal(
            status,
            client().transport.httpError(result.response, result.error).body,
          ),
        }
      const created = client().transport.ok(result)
      return { ids: { requestId: created.requestId } }
    },

    async poll(ctx): Promise<Observation> {
      const result = await client().pac.GET('/pac/terminals/{tid}/transactions/{requestId}', {
        params: { path: { tid: ctx.request.terminal, requestId: requestId(ctx) } },
        signal: ctx.signal,
      })
      // Not found: the terminal is off the network for now, or retention has passed (the core tells).
      if (result.response.status === 404) return { missing: true }
      const body = client().transport.ok(result)
      const values = body.notifications ?? []
      const notifications: ProviderNotification[] = values.map((value, order) => ({
        type: EVENT_TYPES[value] ?? 'other',
        raw: value,
        order,
      }))
      if (!values.includes('TRANSACTION_FINISHED')) return { notifications }
      return { notifications, outcome: outcomeOf(body) }
    },

    async cancel(ctx) {
      const result = await client().pac.DELETE('/pac/terminals/{tid}/transactions/{requestId}', {
        params: { path: { tid: ctx.request.terminal, requestId: requestId(ctx) } },
      })
      // 422: already finished, or past the point of cancelling.
      if (result.response.status === 422) return 'too-late'
      client().transport.ok(result)
      return 'requested'
    },

    async answerSignature(ctx, accepted) {
      const result = await client().pac.PUT(
        '/pac/terminals/{tid}/transactions/{requestId}/signature',
        {
          params: { path: { tid: ctx.request.terminal, requestId: requestId(ctx) } },
          body: { accepted },
        },
      )
      client().transport.ok(result)
    },

    async listTerminals() {
      const result = await client().pac.GET('/pac/terminals', {})
      return client().transport.ok(result).terminals.map(terminalOf)
    },

    async terminalStatus(tid) {
      const result = await client().pac.GET('/pac/terminals/{tid}', {
        params: { path: { tid } },
      })
      if (result.response.status === 404) return { terminal: tid, status: 'offline' }
      return terminalOf(client().transport.ok(result))
    },

    reconcile(ctx, situation) {
      return advice(ctx, situation)
    },
  }
}

/** Every name of a terminal of {@link PaymentsenseAdapterOptions.terminals}. */
const TERMINAL_NAMES = { tid: 1, currency: 1 } satisfies Record<
  keyof NonNullable<PaymentsenseAdapterOptions['terminals']>[number],
  1
>

/** The `terminals` option (TIDs and their currency), checked, as the adapter lists them. */
export function configuredTerminals(
  terminals: ReadonlyArray<{ tid: string; currency: 'GBP' | 'EUR' }> | undefined,
): AdapterTerminal[] | undefined {
  return terminals?.map((t, i) => {
    if (typeof t?.tid !== 'string' || !t.tid)
      throw new TillkitValidationError(`options.terminals[${i}].tid`, 'must be a non-empty string')
    assertKnownFields(t, TERMINAL_NAMES, `options.terminals[${i}].`)
    assertOneOf(`options.terminals[${i}].currency`, t.currency, CURRENCIES)
    return { terminal: t.tid, status: 'unknown', currencies: [t.currency] } as AdapterTerminal
  })
}

/**
 * Connect's own rules for what this adapter sends, checked before the intent is journaled. The
 * WebSocket adapter applies them too (the same transactions, the same limits).
 */
export function checkRequest(request: PaymentRequest): void {
  assertOneOf('currency', request.currency, CURRENCIES)
  if (request.amount !== undefined) assertInteger('amount', request.amount, 1, MAX_AMOUNT)
  if (request.cashback !== undefined) {
    if (request.kind !== 'sale')
      throw new TillkitValidationError('cashback', 'only allowed for sale with paymentsense')
    assertInteger('cashback', request.cashback, 0, MAX_CASHBACK)
  }
  if (request.kind === 'completion') {
    if (request.authCode === undefined)
      throw new TillkitValidationError('authCode', 'required for completion (the pre-auth code)')
    if (request.preAuthAmount === undefined)
      throw new TillkitValidationError('preAuthAmount', 'required for completion')
    assertInteger('preAuthAmount', request.preAuthAmount, 1, MAX_AMOUNT)
  } else {
    for (const field of ['authCode', 'preAuthAmount'] as const)
      if (request[field] !== undefined)
        throw new TillkitValidationError(field, 'only allowed for completion')
  }
  if (request.original !== undefined)
    throw new TillkitValidationError(
      'original',
      'not used with paymentsense: refunds are not referenced',
    )
  for (const [key, value] of Object.entries(request.extra ?? {})) {
    if (key !== 'cardholderNotPresent')
      throw new TillkitValidationError(`extra.${key}`, 'not an option of paymentsense')
    assertBoolean(`extra.${key}`, value)
  }
}

/**
 * Connect's body for a request that passed {@link checkRequest} (the core validates every request
 * before it starts, and checks that every kind but accountVerification has an amount): one shape
 * per transaction type, so the compiler holds each kind to the fields its type takes.
 */
function bodyOf(request: PaymentRequest): Schemas['TransactionRequest'] {
  const currency = request.currency as Schemas['Currency']
  const amount = request.amount as number
  const notPresent = request.extra?.cardholderNotPresent
  const options = typeof notPresent === 'boolean' ? { cardholderNotPresent: notPresent } : {}
  switch (request.kind) {
    case 'sale':
      return {
        transactionType: 'SALE',
        currency,
        amount,
        ...(request.cashback !== undefined && { amountCashback: request.cashback }),
        ...options,
      }
    case 'refund':
      return { transactionType: 'REFUND', currency, amount, ...options }
    case 'preAuth':
      return { transactionType: 'PRE_AUTH', currency, amount, ...options }
    case 'completion':
      return {
        transactionType: 'COMPLETION',
        currency,
        amount,
        authCode: request.authCode as string,
        amountPreAuthorisedTotal: request.preAuthAmount as number,
        ...options,
      }
    case 'accountVerification':
      return {
        transactionType: 'ACCOUNT_VERIFICATION',
        currency,
        ...(request.amount !== undefined && { amount: request.amount }),
        ...options,
      }
  }
}

function refusal(status: number, body: unknown): ProviderOutcome {
  const reason = saidIn(body, 'userMessage') ?? `Connect refused the request (HTTP ${status})`
  const reasonCode =
    status === 401
      ? 'unauthorised'
      : status === 404
        ? 'terminal-unavailable'
        : /busy/i.test(reason)
          ? 'terminal-busy'
          : 'refused'
  return { status: 'failed', reasonCode, reason, raw: body }
}

/**
 * A finished transaction's result fields in the shared outcome vocabulary. The WebSocket adapter's
 * `Payment` carries the same fields (its verification method spelled `cardholder…`, renamed first).
 */
export function outcomeOf(
  body: Omit<Transaction, 'location' | 'notifications' | 'receiptLines'> & {
    receiptLines?: ReceiptLines
  },
): ProviderOutcome {
  const mapped = RESULTS[body.transactionResult ?? '']
  if (!mapped)
    return {
      status: 'unknown',
      reasonCode: 'unreadable',
      reason: `the transaction finished with no known result (${String(body.transactionResult)})`,
      raw: body,
    }
  // Connect reports the amounts of every finished transaction; only SUCCESSFUL took them.
  const took = mapped.status === 'approved'
  const amounts = took && {
    ...(body.amountBase !== undefined && { approved: body.amountBase }),
    ...(body.amountCashback !== undefined && { cashback: body.amountCashback }),
    ...(body.amountGratuity !== undefined && { gratuity: body.amountGratuity }),
    ...(body.amountTotal !== undefined && { total: body.amountTotal }),
  }
  const entry = ENTRY[body.paymentMethod ?? '']
  const verification = VERIFICATION[body.cardHolderVerificationMethod ?? '']
  const receipt = receiptOf(body.receiptLines)
  return {
    ...mapped,
    ...(body.userMessage && { reason: body.userMessage }),
    ...(body.currency && { currency: body.currency }),
    amounts: amounts || {},
    ...(body.authCode && { authCode: body.authCode }),
    ...(body.primaryAccountNumber && { maskedPan: body.primaryAccountNumber }),
    ...(body.cardSchemeName && { cardScheme: body.cardSchemeName }),
    ...(entry && { entryMethod: entry }),
    ...(verification && { verification }),
    ...(receipt && { receipt }),
    raw: body,
  }
}

/** Receipt copies as both APIs send them; only each line's text is kept. */
type ReceiptLines = {
  [copy in 'MERCHANT' | 'CUSTOMER']?: ReadonlyArray<{ value: string }>
}

export function receiptOf(copies: ReceiptLines | undefined): Receipt | undefined {
  if (!copies) return undefined
  const lines = (copy: ReadonlyArray<{ value: string }> | undefined) =>
    copy?.map((line) => line.value)
  const merchant = lines(copies.MERCHANT)
  const customer = lines(copies.CUSTOMER)
  if (!merchant && !customer) return undefined
  return { ...(merchant && { merchant }), ...(customer && { customer }) }
}

export function terminalOf(
  t: Pick<Schemas['Terminal'], 'tid' | 'status' | 'currency'>,
): AdapterTerminal {
  return {
    terminal: t.tid,
    status: t.status === 'AVAILABLE' ? 'available' : t.status === 'BUSY' ? 'busy' : 'unknown',
    currencies: [t.currency],
    raw: t,
  }
}

function advice(ctx: PaymentContext, situation: UnknownSituation): string[] {
  const { terminal, reference } = ctx.request
  const money = moneyOf(ctx.request)
  const since = new Date(ctx.startedAt).toISOString()
  const lastTransaction = [
    `Wait until terminal ${terminal} is AVAILABLE (GET /pac/terminals/${terminal}); BUSY means something, most likely this payment, is still running on it.`,
    `Then find its last transaction: on Ingenico terminals run a DUPLICATE transaction and compare the amount (${money}) and time (after ${since}); otherwise read the terminal's last receipt.`,
    `Record what you find against reference ${reference}. Start a new payment only once you know this one did not take money.`,
  ]
  switch (situation) {
    case 'lost-start':
      return lastTransaction
    case 'expired':
      return [
        `Connect no longer keeps request ${ctx.ids.requestId ?? '(unknown)'}: its retention window has passed.`,
        `Look for ${money} on terminal ${terminal} after ${since} in the terminal's receipts or an END_OF_DAY / X_BALANCE report, or in the acquirer's statement.`,
        `Record what you find against reference ${reference}.`,
      ]
    case 'unreadable':
      return [
        `Connect would not show request ${ctx.ids.requestId ?? '(unknown)'}: check the account's API key and that terminal ${terminal} belongs to it.`,
        ...lastTransaction,
      ]
  }
}

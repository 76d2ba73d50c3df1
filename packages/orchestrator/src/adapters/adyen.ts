/**
 * Adyen's cloud Terminal API. A payment is one nexo request sent to `/sync`, which Adyen holds open
 * until the terminal has finished; the terminal's progress arrives as display notifications
 * (webhooks, handed to `receive`); Abort stops a payment; and TransactionStatus, asked by SaleID
 * and ServiceID, finds a payment whose answer was lost or that an earlier process started. The
 * SaleID and ServiceID are chosen before anything is sent, so every payment can be looked up and
 * none is ever sent twice (the Terminal API has no idempotency key).
 */
import {
  assertObject,
  assertKnownFields,
  assertInteger,
  assertString,
  steady,
  TillkitError,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitProtocolError,
  TillkitValidationError,
} from '@tillkit/core'
import {
  createAdyenClient,
  createNexo,
  currencyExponent,
  maxMinorAmount,
  parseFormEncoded,
  parseNotification,
  toMinorUnits,
  type AdyenClient,
  type AdyenClientCommonOptions,
  type AdyenClientOptions,
  type AdyenTransport,
  type MerchantAccountFor,
  type AdyenNotification,
  type DisplayEvent,
  type Nexo,
  type NexoBuilder,
  type PaymentOutcome,
  type ReversalOutcome,
} from '@tillkit/adyen'
import type {
  AdapterEnvironment,
  AdapterTerminal,
  Observation,
  PaymentContext,
  ProviderAdapter,
  ProviderNotification,
  ProviderOutcome,
  UnknownSituation,
} from '../adapter.js'
import type { PaymentEventType, PaymentRequest, ProviderIds, Receipt } from '../types.js'
import { moneyOf, pacingOf, saidIn, table, unattached } from './shared.js'

/**
 * Options of {@link adyenAdapter}: the client's (less `retry`, `clock` and `logger`, which the
 * orchestrator owns) and the adapter's own. `merchantAccount` is required with `device-api`.
 */
export type AdyenAdapterOptions<T extends AdyenTransport = AdyenTransport> =
  T extends AdyenTransport ? AdyenAdapterOwnOptions<T> & MerchantAccountFor<T> : never

/** What {@link AdyenAdapterOptions} holds besides `merchantAccount`. */
export interface AdyenAdapterOwnOptions<T extends AdyenTransport = AdyenTransport> extends Omit<
  AdyenClientCommonOptions<T>,
  'retry' | 'clock' | 'logger'
> {
  /**
   * This POS's SaleID, sent on every message. Payments are found again by SaleID and ServiceID, so
   * keep it stable across restarts (the journal keeps the one each payment used).
   */
  saleId: string
  /**
   * Time between TransactionStatus requests while a payment whose answer was lost (or one resumed
   * by `recover()`) is still running. Adyen reads frequent status requests as a connectivity
   * problem. Default 10 000, from 5 000 to 60 000.
   */
  cadenceMs?: number
  /** Gap between any two requests of the account. Adyen publishes no rate limit. Default 0. */
  spacingMs?: number
  /**
   * How long TransactionStatus can still see a payment. Not published; Adyen refuses a SaleID and
   * ServiceID pair for 48 hours, so that is the default. A `NotFound` after it settles `unknown`.
   */
  retentionMs?: number
  /** The account's terminals (POIIDs), when known: others fail before any request. */
  terminals?: ReadonlyArray<{ poiId: string; currencies?: readonly string[] }>
  /** Lists only the terminals of this store (`connectedDevices?store=`). */
  store?: string
}

/** An Adyen account's adapter: a ProviderAdapter that also takes Adyen's webhooks. */
export interface AdyenAdapter extends ProviderAdapter {
  /**
   * Hand over each body Adyen POSTs to your display or event notification URL (parsed JSON or its
   * text). Returns true when it concerned a payment running here (its events are then delivered),
   * false for anything else: a malformed body, another POS's payment, a finished one. Answer the
   * webhook either way.
   */
  receive(body: unknown): boolean
}

/**
 * Every name of {@link AdyenAdapterOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const OPTION_NAMES = {
  apiKey: 1,
  environment: 1,
  transport: 1,
  merchantAccount: 1,
  region: 1,
  baseUrl: 1,
  fetch: 1,
  timeoutMs: 1,
  paymentTimeoutMs: 1,
  saleId: 1,
  cadenceMs: 1,
  spacingMs: 1,
  retentionMs: 1,
  terminals: 1,
  store: 1,
} satisfies Record<keyof AdyenAdapterOwnOptions | 'merchantAccount', 1>

/** Every name of a terminal of {@link AdyenAdapterOwnOptions.terminals}. */
const TERMINAL_NAMES = { poiId: 1, currencies: 1 } satisfies Record<
  keyof NonNullable<AdyenAdapterOwnOptions['terminals']>[number],
  1
>

const DEFAULT_CADENCE_MS = 10_000
const CADENCE_RANGE_MS = [5_000, 60_000] as const
const DEFAULT_RETENTION_MS = 48 * 3_600_000
/**
 * How long after it was sent a payment may still reach the terminal: a TransactionStatus NotFound
 * sooner than this is asked again rather than read as "never sent".
 */
export const ARRIVAL_WINDOW_MS = 30_000

/** Display notification events in the shared vocabulary; anything else is `other`. */
const DISPLAY_EVENTS = table<PaymentEventType>({
  TENDER_CREATED: 'started',
  CARD_INSERTED: 'processing',
  CARD_PRESENTED: 'processing',
  CARD_SWIPED: 'processing',
  APPLICATION_SELECTED: 'processing',
  WAIT_FOR_PIN: 'pinEntry',
  PIN_ENTERED: 'processing',
  ASK_SIGNATURE: 'signatureOnTerminal',
  CHECK_SIGNATURE: 'signatureOnTerminal',
  SIGNATURE_CHECKED: 'signatureDone',
  PRINT_RECEIPT: 'processing',
})

/** Event notifications (`EventToNotify`) that say something about a running payment. */
const EVENT_NOTIFICATIONS = table<PaymentEventType>({
  CardInserted: 'processing',
})

/** nexo `EntryMode` values in the shared words. */
const ENTRY = table<string>({
  ICC: 'chip',
  SynchronousICC: 'chip',
  Contactless: 'contactless',
  Tapped: 'contactless',
  RFID: 'contactless',
  MagStripe: 'swiped',
  Keyed: 'keyed',
  Manual: 'keyed',
})

type StartMessage = Nexo.PaymentRequest | Nexo.ReversalRequest

/** What a synchronous answer means: an observation to act on, or undefined when it is unknown. */
type Reading = Observation | undefined

/**
 * A payment Adyen provably did not process (429, or the request never left): the one case it may
 * be sent again, with the same ServiceID. `failed` is the outcome should it never get through.
 */
interface Unsent {
  unsent: true
  failed: ProviderOutcome
  retryAfterMs?: number
}

/** The `/sync` answer of a payment this process sent, until a poll has taken it. */
interface OpenAnswer {
  reading: Promise<Reading | Unsent>
  /** Set once the answer is in, with its steady time (`at`). */
  value?: Reading | Unsent
  at?: number
  done: boolean
  /** How many times this process has sent the payment. */
  sends: number
}

/** Sends of a payment refused unprocessed, and for how long after the intent they may go. */
const MAX_SENDS = 5
const RESEND_WINDOW_MS = 60_000

const isUnsent = (reading: Reading | Unsent): reading is Unsent =>
  reading !== undefined && 'unsent' in reading

/**
 * An adapter for one Adyen account (API key and merchant account). Its client is made with
 * `retry: false`: the orchestrator's core decides every retry and spaces every request.
 *
 * Why `start` resolves as soon as the payment is sent: Adyen answers `/sync` only when the payment
 * is over, and the core holds a `cancel()` until the start has answered, which would make Abort
 * useless. So `start` hands the open answer over: it is pushed (`ctx.push`) the moment it comes,
 * and the core's first poll waits on it instead of asking TransactionStatus. Only when that answer
 * is lost, or after a restart, do polls ask TransactionStatus. A payment refused outright (401,
 * 403) is pushed as `failed`; one Adyen provably did not process (429, or it never left) is sent
 * again by the next polls, same ServiceID, for up to a minute, as the core would resend a start.
 */
export function adyenAdapter<T extends AdyenTransport>(
  options: AdyenAdapterOptions<T>,
): AdyenAdapter {
  assertObject('options', options)
  assertKnownFields(options, OPTION_NAMES, 'options.')
  assertString('options.saleId', options.saleId, { minLength: 1, maxLength: 64 })
  const { cadenceMs, spacingMs, retentionMs } = pacingOf(
    options,
    { cadenceMs: DEFAULT_CADENCE_MS, spacingMs: 0, retentionMs: DEFAULT_RETENTION_MS },
    CADENCE_RANGE_MS,
  )
  if (options.store !== undefined) assertString('options.store', options.store, { minLength: 1 })
  const terminals = options.terminals?.map((t, i): AdapterTerminal => {
    const field = `options.terminals[${i}]`
    assertString(`${field}.poiId`, t?.poiId, { minLength: 1, maxLength: 64 })
    assertKnownFields(t, TERMINAL_NAMES, `${field}.`)
    const currencies = t.currencies?.map((c, j) => {
      currencyExponent(c, `${field}.currencies[${j}]`)
      return c
    })
    return { terminal: t.poiId, status: 'unknown', ...(currencies && { currencies }) }
  })

  let env = unattached()
  const {
    saleId: ownSaleId,
    cadenceMs: _c,
    spacingMs: _s,
    retentionMs: _r,
    terminals: _t,
    store,
    ...clientOptions
  } = options
  // The client checks merchantAccount against the transport again, at run time.
  const makeClient = () =>
    createAdyenClient({
      ...clientOptions,
      retry: false,
      clock: env.clock,
      logger: env.logger,
    } as AdyenClientOptions)
  // Made now so bad options fail at construction, and again on attach for the clock and logger.
  let made: AdyenClient = makeClient()
  const client = () => made

  /** Builders for TransactionStatus and Abort messages (fresh ServiceIDs), one per SaleID. */
  const builders = new Map<string, NexoBuilder>()
  const builder = (saleId: string): NexoBuilder => {
    let found = builders.get(saleId)
    if (!found) builders.set(saleId, (found = createNexo({ saleId, clock: env.clock })))
    return found
  }

  /** Payments running here, by terminal, SaleID and ServiceID, for routing webhooks. */
  const routes = new Map<string, PaymentContext>()
  const open = new Map<string, OpenAnswer>()
  /** Payments cancelled while waiting to be sent again: they never will be. */
  const withdrawn = new Set<string>()
  /** When this process last sent each running payment (clock time). */
  const lastSent = new Map<string, number>()

  /** Routes the payment's webhooks to it until it settles (or the orchestrator closes). */
  const follow = (ctx: PaymentContext) => {
    const key = routeKey(ctx.request.terminal, ctx.ids.saleId, ctx.ids.serviceId)
    if (routes.get(key) === ctx || ctx.signal.aborted) return
    routes.set(key, ctx)
    ctx.signal.addEventListener(
      'abort',
      () => {
        if (routes.get(key) === ctx) routes.delete(key)
        open.delete(ctx.paymentId)
        withdrawn.delete(ctx.paymentId)
        lastSent.delete(ctx.paymentId)
      },
      { once: true },
    )
  }

  const askStatus = async (ctx: PaymentContext): Promise<Observation> => {
    const { request } = ctx
    const { saleId, serviceId } = refOf(ctx)
    const reversal = isReversal(request)
    const message = builder(saleId).transactionStatus({
      poiId: request.terminal,
      statusOf: serviceId,
      saleIdOf: saleId,
      category: reversal ? 'Reversal' : 'Payment',
    })
    const result = await client().transactionStatus(message, {
      signal: ctx.signal,
      currency: request.currency,
    })
    switch (result.status) {
      case 'processed': {
        const reading = reversal
          ? result.reversal && readReversal(result.reversal, request)
          : result.payment && readPayment(result.payment, request)
        if (reading) return reading
        throw new TillkitProtocolError(
          'unexpected',
          `TransactionStatus repeated no ${reversal ? 'reversal' : 'payment'} response`,
        )
      }
      case 'in-progress':
        return {}
      case 'not-found':
        // Past the retention Adyen may simply have forgotten it: the core settles that `unknown`.
        if (env.clock.now() - ctx.startedAt >= retentionMs) return { missing: true }
        // So soon after its last send, the payment may still be on its way (sent just before a
        // crash, held up in the network): asked again until it cannot be. A process that did not
        // send it (after recover()) cannot know when that was: a payment refused unprocessed may
        // have been sent again up to RESEND_WINDOW_MS after the intent.
        const lastSend = lastSent.get(ctx.paymentId) ?? ctx.startedAt + RESEND_WINDOW_MS
        if (env.clock.now() - lastSend < ARRIVAL_WINDOW_MS) return {}
        return {
          outcome: {
            status: 'failed',
            reasonCode: 'not-found',
            reason: `terminal ${request.terminal} never received the payment (TransactionStatus: NotFound): nothing was charged`,
            raw: result.response,
          },
        }
      case 'unreachable':
        // The terminal is off the cloud: it may still hold the answer. Asked again, with back-off.
        throw new TillkitNetworkError(
          `terminal ${request.terminal} could not be reached to ask TransactionStatus`,
          true,
        )
      case 'failed':
        throw new TillkitProtocolError(
          'refused',
          `TransactionStatus was refused (${result.errorCondition ?? 'no ErrorCondition'}${result.message ? `: ${result.message}` : ''})`,
        )
    }
  }

  /**
   * Sends the payment (or reversal) through `/sync` and keeps its open answer for the next poll.
   * Whatever settles the payment is pushed the moment it comes.
   */
  const send = (ctx: PaymentContext, message: StartMessage, sends: number): OpenAnswer => {
    const { request } = ctx
    const sent: Promise<PaymentOutcome | ReversalOutcome> =
      'ReversalRequest' in message.SaleToPOIRequest
        ? client().reversal(message as Nexo.ReversalRequest, {
            signal: ctx.signal,
            currency: request.currency,
          })
        : client().payment(message as Nexo.PaymentRequest, { signal: ctx.signal })
    const answer: OpenAnswer = { done: false, sends, reading: Promise.resolve(undefined) }
    lastSent.set(ctx.paymentId, env.clock.now())
    answer.reading = sent
      .then(
        (outcome): Reading =>
          'body' in outcome ? readReversal(outcome, request) : readPayment(outcome, request),
        (error: unknown) => readFailure(error),
      )
      .then((reading) => {
        answer.done = true
        answer.value = reading
        answer.at = steady(env.clock)()
        const about = { paymentId: ctx.paymentId, terminal: request.terminal }
        if (!reading)
          env.logger.warn(about, 'adyen: the payment answer was lost; asking TransactionStatus')
        else if (isUnsent(reading))
          env.logger.warn(
            { ...about, reason: reading.failed.reason },
            'adyen: payment not taken; sending it again',
          )
        else ctx.push(reading)
        return reading
      })
    open.set(ctx.paymentId, answer)
    return answer
  }

  return {
    provider: 'adyen',
    capabilities: {
      kinds: ['sale', 'refund'],
      cancel: true,
      // The terminal captures and checks signatures itself; the POS is only told.
      signature: 'terminal',
      findsLostStarts: true,
    },
    pacing: {
      mode: 'none',
      cadenceMs,
      cadenceRangeMs: CADENCE_RANGE_MS,
      spacingMs,
      retentionMs,
    },
    ...(terminals && { terminals }),

    attach(environment: AdapterEnvironment) {
      env = environment
      env.secret(options.apiKey)
      builders.clear()
      made = makeClient()
    },

    validate(request) {
      checkRequest(request)
      // Built once without sending, so whatever nexo's schema refuses fails here, before the journal.
      startMessage(
        request,
        { saleId: ownSaleId },
        createNexo({ saleId: ownSaleId, clock: env.clock }),
      )
    },

    prepare() {
      return { saleId: ownSaleId, serviceId: builder(ownSaleId).serviceId() }
    },

    async start(ctx) {
      const { saleId } = refOf(ctx)
      // A builder of its own: the shared one has already handed this ServiceID out (in prepare).
      const message = startMessage(
        ctx.request,
        ctx.ids,
        createNexo({ saleId, clock: env.clock }),
        ctx.startedAt,
      )
      follow(ctx)
      send(ctx, message, 1)
      return { ids: {} }
    },

    async poll(ctx) {
      follow(ctx)
      const id = ctx.paymentId
      const answer = open.get(id)
      if (!answer) return askStatus(ctx)
      const held = !answer.done
      const reading = await answer.reading
      if (!isUnsent(reading)) {
        open.delete(id)
        if (reading) return reading
        // Waited on a lost answer: the next turn asks, spaced like any request of the account.
        return held ? {} : askStatus(ctx)
      }
      const { saleId } = refOf(ctx)
      const again =
        !withdrawn.has(id) &&
        answer.sends < MAX_SENDS &&
        env.clock.now() - ctx.startedAt < RESEND_WINDOW_MS
      if (!again) {
        open.delete(id)
        if (!withdrawn.has(id)) return { outcome: reading.failed }
        return {
          outcome: {
            status: 'cancelled',
            reasonCode: 'cancelled-before-start',
            reason: 'cancelled before Adyen took the payment',
          },
        }
      }
      // Adyen's Retry-After, counted from its answer: until then, nothing new.
      const wait = (answer.at ?? 0) + (reading.retryAfterMs ?? 0) - steady(env.clock)()
      if (wait > 0) return { retryAfterMs: wait }
      // Same message, same ServiceID: Adyen refused the last one unprocessed.
      const message = startMessage(
        ctx.request,
        ctx.ids,
        createNexo({ saleId, clock: env.clock }),
        ctx.startedAt,
      )
      const next = await send(ctx, message, answer.sends + 1).reading
      if (next === undefined || isUnsent(next)) return {}
      open.delete(id)
      return next
    },

    async cancel(ctx) {
      const answer = open.get(ctx.paymentId)
      if (answer?.done && answer.value !== undefined && isUnsent(answer.value)) {
        // Nothing reached the terminal and nothing will: there is nothing to abort.
        withdrawn.add(ctx.paymentId)
        return 'requested'
      }
      // Should the payment's answer, still out, show it was refused unprocessed, it is not sent again.
      if (answer && !answer.done) withdrawn.add(ctx.paymentId)
      const { saleId, serviceId } = refOf(ctx)
      const message = builder(saleId).abort({
        poiId: ctx.request.terminal,
        abortServiceId: serviceId,
        category: isReversal(ctx.request) ? 'Reversal' : 'Payment',
      })
      const result = await client().abort(message, { signal: ctx.signal })
      // Adyen does not answer an Abort: whether it worked shows in the payment's own answer.
      if (result.delivered) return 'requested'
      throw new TillkitNetworkError(
        `the abort could not reach terminal ${ctx.request.terminal}${result.message ? ` (${result.message})` : ''}`,
        true,
      )
    },

    async listTerminals() {
      const connected = await client().connectedDevices(store === undefined ? {} : { store })
      const known = new Map(terminals?.map((t) => [t.terminal, t]))
      const listed: AdapterTerminal[] = connected.map((id) => ({
        ...known.get(id),
        terminal: id,
        status: 'available',
        raw: { connected: true },
      }))
      for (const t of terminals ?? [])
        if (!connected.includes(t.terminal))
          listed.push({ ...t, status: 'offline', raw: { connected: false } })
      return listed
    },

    async terminalStatus(poiId) {
      const known = terminals?.find((t) => t.terminal === poiId)
      if (client().transport === 'device-api') {
        const status = await client().deviceStatus(poiId)
        return {
          ...known,
          terminal: poiId,
          status: status === 'ONLINE' ? 'available' : 'offline',
          raw: { status },
        }
      }
      const connected = await client().connectedDevices({ uniqueTerminalId: poiId })
      const online = connected.includes(poiId)
      return {
        ...known,
        terminal: poiId,
        status: online ? 'available' : 'offline',
        raw: { connected: online },
      }
    },

    reconcile(ctx, situation) {
      return advice(ctx, situation)
    },

    receive(body) {
      let note: AdyenNotification
      try {
        note = parseNotification(body)
      } catch {
        return false
      }
      const { header } = note
      const ctx = routes.get(routeKey(header.POIID, header.SaleID, header.ServiceID))
      if (!ctx) return false
      if (note.type === 'display') {
        ctx.push({ notifications: note.events.map((e) => displayNotification(e, header)) })
        return true
      }
      if (note.type === 'event') {
        const { TimeStamp } = note.message.SaleToPOIRequest.EventNotification
        ctx.push({
          notifications: [
            {
              type: EVENT_NOTIFICATIONS[note.event] ?? 'other',
              raw: note.event,
              key: `event:${note.event}:${TimeStamp}`,
            },
          ],
        })
        return true
      }
      // Answers to `/async` requests: this adapter sends none.
      return false
    },

    async close() {
      routes.clear()
      open.clear()
    },
  }
}

const routeKey = (poiId: string, saleId: string | undefined, serviceId: string | undefined) =>
  `${poiId}\u0000${saleId ?? ''}\u0000${serviceId ?? ''}`

/** A refund that names the payment it gives money back from: an Adyen reversal. */
const isReversal = (request: Readonly<PaymentRequest>) =>
  request.kind === 'refund' && request.original !== undefined

function refOf(ctx: PaymentContext): { saleId: string; serviceId: string } {
  const { saleId, serviceId } = ctx.ids
  if (!saleId || !serviceId)
    throw new TillkitValidationError('ids.serviceId', 'is not known for this payment')
  return { saleId, serviceId }
}

/** Adyen's rules for what this adapter sends, checked before the intent is journaled. */
function checkRequest(request: PaymentRequest): void {
  const { currency, kind } = request
  currencyExponent(currency, 'currency')
  const max = maxMinorAmount(currency)
  if (request.amount !== undefined) assertInteger('amount', request.amount, 1, max)
  if (request.cashback !== undefined) {
    if (kind !== 'sale') throw new TillkitValidationError('cashback', 'only allowed for sale')
    assertInteger('cashback', request.cashback, 0, max)
  }
  for (const field of ['authCode', 'preAuthAmount'] as const)
    if (request[field] !== undefined)
      throw new TillkitValidationError(field, 'not used with adyen (no completions)')
  if (request.original !== undefined) {
    if (kind !== 'refund')
      throw new TillkitValidationError('original', 'only allowed for refund (a reversal)')
    for (const key of ['poiTransactionId', 'poiTimeStamp'] as const)
      if (typeof request.original[key] !== 'string' || !request.original[key])
        throw new TillkitValidationError(
          `original.${key}`,
          "required for a referenced refund: pass the sale's outcome.providerIds",
        )
  }
  for (const key of Object.keys(request.extra ?? {}))
    throw new TillkitValidationError(`extra.${key}`, 'not an option of adyen')
}

/**
 * The payment-starting message, built only from the request and its prepared ids (and, when sent,
 * the intent's time), so that it says the same whichever process builds it.
 */
function startMessage(
  request: Readonly<PaymentRequest>,
  ids: ProviderIds,
  nexo: NexoBuilder,
  at?: number,
): StartMessage {
  const common = {
    poiId: request.terminal,
    ...(ids.serviceId !== undefined && { serviceId: ids.serviceId }),
  }
  const original = request.original
  if (request.kind === 'refund' && original)
    return nexo.reversal({
      ...common,
      original: { TransactionID: original.poiTransactionId!, TimeStamp: original.poiTimeStamp! },
      ...(request.amount !== undefined && { amount: request.amount }),
      currency: request.currency,
      transactionId: request.reference,
    })
  return nexo.payment({
    ...common,
    amount: request.amount!,
    currency: request.currency,
    transactionId: request.reference,
    ...(at !== undefined && { timeStamp: new Date(at) }),
    type: request.kind === 'refund' ? 'refund' : 'sale',
    ...(request.cashback !== undefined && { cashBackAmount: request.cashback }),
  })
}

/** A payment's answer (from `/sync` or repeated by TransactionStatus) as an observation. */
function readPayment(outcome: PaymentOutcome, request: Readonly<PaymentRequest>): Reading {
  const response = outcome.response
  // A Reject event from the cloud: the terminal may have the payment. TransactionStatus will tell.
  if (outcome.status === 'no-answer') return undefined
  if (!response) return undefined
  const body = response.SaleToPOIResponse.PaymentResponse
  const result = body.PaymentResult
  const card = result?.PaymentInstrumentData?.CardData
  const entry = card?.EntryMode?.[0]
  const verification = verificationOf(result?.AuthenticationMethod, body.PaymentReceipt)
  const receipt = receiptOf(body.PaymentReceipt)
  const details: Partial<ProviderOutcome> = {
    ...(card?.MaskedPan && { maskedPan: card.MaskedPan }),
    ...(card?.PaymentBrand && { cardScheme: card.PaymentBrand }),
    // Only entry modes the shared vocabulary has words for; others (File, Mobile, Scanned) are left out.
    ...(entry && ENTRY[entry] && { entryMethod: ENTRY[entry] }),
    ...(verification && { verification }),
    ...(receipt && { receipt }),
    raw: response,
  }
  let outcomeOf: ProviderOutcome
  switch (outcome.status) {
    case 'approved': {
      const paid = outcome.currency ?? request.currency
      const resp = result?.AmountsResp
      const cashback = minor(resp?.CashBackAmount, paid)
      const gratuity = minor(resp?.TipAmount, paid)
      const authCode = result?.PaymentAcquirerData?.ApprovalCode ?? outcome.additional.authCode
      outcomeOf = {
        status: 'approved',
        ...(outcome.partial && {
          reasonCode: 'partial',
          reason: 'approved for less than the amount asked',
        }),
        currency: paid,
        amounts: {
          ...(outcome.amount !== undefined && { approved: outcome.amount }),
          ...(cashback !== undefined && { cashback }),
          ...(gratuity !== undefined && { gratuity }),
          // Whether AuthorizedAmount already holds cashback and tip is not documented: no total then.
          ...(outcome.amount !== undefined &&
            cashback === undefined &&
            gratuity === undefined && { total: outcome.amount }),
        },
        ...(authCode && { authCode }),
        ...details,
      }
      break
    }
    case 'declined':
      outcomeOf = {
        status: 'declined',
        reasonCode: outcome.reason,
        reason: outcome.refusalReason ?? outcome.message ?? 'declined',
        ...details,
      }
      break
    case 'cancelled':
      outcomeOf = {
        status: 'cancelled',
        reasonCode: outcome.cause,
        reason: outcome.message ?? outcome.additional.refusalReason ?? 'cancelled',
        ...details,
      }
      break
    default:
      outcomeOf = {
        ...failure(outcome.status, outcome.errorCondition, outcome.message),
        ...details,
      }
  }
  return {
    ids: idsOf(body.POIData, outcome.additional),
    notifications: [finished(body.Response)],
    outcome: outcomeOf,
  }
}

/** A reversal's answer as an observation: a referenced refund. */
function readReversal(outcome: ReversalOutcome, request: Readonly<PaymentRequest>): Reading {
  const body = outcome.body
  if (outcome.status === 'no-answer') return undefined
  if (!body) return undefined
  const receipt = receiptOf(body.PaymentReceipt)
  const condition = outcome.errorCondition
  const stopped = condition === 'Aborted' || condition === 'Cancel'
  const outcomeOf: ProviderOutcome =
    outcome.status === 'reversed'
      ? {
          status: 'approved',
          currency: request.currency,
          amounts: outcome.amount === undefined ? {} : { approved: outcome.amount },
        }
      : stopped
        ? {
            status: 'cancelled',
            reasonCode: /time\s*-?\s*out/i.test(outcome.message ?? '')
              ? 'timed-out'
              : condition === 'Aborted'
                ? 'aborted'
                : 'cancelled',
            reason: outcome.message ?? 'cancelled',
          }
        : failure(outcome.status, condition, outcome.message)
  return {
    ids: idsOf(body.POIData, outcome.additional),
    notifications: [finished(body.Response)],
    outcome: { ...outcomeOf, ...(receipt && { receipt }), raw: body },
  }
}

/** Answers that took nothing and are not declines. */
function failure(
  status: 'busy' | 'unreachable' | 'failed' | 'refused',
  condition: string | undefined,
  message: string | undefined,
): ProviderOutcome {
  const reasonCode =
    status === 'busy'
      ? 'terminal-busy'
      : status === 'unreachable'
        ? 'terminal-unreachable'
        : condition
          ? kebab(condition)
          : 'refused'
  const reason =
    message ??
    (status === 'busy'
      ? 'the terminal is busy with another request'
      : `Adyen refused the request${condition ? ` (${condition})` : ''}`)
  return { status: 'failed', reasonCode, reason }
}

/** Why a `/sync` call failed: a definite refusal settles the payment; anything else is unknown. */
function readFailure(error: unknown): Reading | Unsent {
  if (error instanceof TillkitHttpError && !error.outcomeUnknown) {
    const failed: ProviderOutcome = {
      status: 'failed',
      reasonCode:
        error.status === 429
          ? 'rate-limited'
          : error.status === 401
            ? 'unauthorised'
            : error.status === 403
              ? 'forbidden'
              : 'refused',
      reason: saidIn(error.body, 'detail') ?? error.message,
      raw: error.body,
    }
    if (error.status !== 429) return { outcome: failed }
    return {
      unsent: true,
      failed,
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
    }
  }
  if (error instanceof TillkitError && !error.mayHaveReachedProvider)
    return {
      unsent: true,
      failed: {
        status: 'failed',
        reasonCode: 'not-sent',
        reason: `Adyen could not be reached to start the payment: ${error.message}`,
      },
    }
  // Timeouts, resets, 5xx, unreadable answers, anything unexpected: it may have reached the terminal.
  return undefined
}

function idsOf(poi: Nexo.POIData | undefined, additional: Record<string, string>): ProviderIds {
  const id = poi?.POITransactionID
  return {
    ...(id && { poiTransactionId: id.TransactionID, poiTimeStamp: id.TimeStamp }),
    ...(additional.pspReference && { pspReference: additional.pspReference }),
  }
}

/** The terminal's answer as the last event: the payment is over, its outcome follows. */
function finished(response: Nexo.Response): ProviderNotification {
  return {
    type: 'finished',
    raw: {
      Result: response.Result,
      ...(response.ErrorCondition !== undefined && { ErrorCondition: response.ErrorCondition }),
    },
    key: 'response',
  }
}

function displayNotification(
  event: DisplayEvent,
  header: AdyenNotification['header'],
): ProviderNotification {
  // Adyen gives every display request its own DeviceID: with the event, it tells a copy from a new one.
  return {
    type: DISPLAY_EVENTS[event.event] ?? 'other',
    raw: event.event,
    key: `display:${header.DeviceID ?? ''}:${event.event}:${event.timeStamp ?? ''}`,
  }
}

function minor(major: number | undefined, currency: string): number | undefined {
  if (major === undefined) return undefined
  try {
    return toMinorUnits(major, currency)
  } catch {
    return undefined
  }
}

function verificationOf(
  methods: readonly string[] | undefined,
  receipts: readonly Nexo.PaymentReceipt[] | undefined,
): string | undefined {
  const method = methods?.[0]
  if (method) {
    if (/pin/i.test(method)) return 'pin'
    if (/signature/i.test(method)) return 'signature'
    // No verification at all; the other methods have no word in the shared vocabulary.
    return method === 'Bypass' ? 'none' : undefined
  }
  if (receipts?.some((r) => r.RequiredSignatureFlag)) return 'signature'
  return undefined
}

function receiptOf(receipts: readonly Nexo.PaymentReceipt[] | undefined): Receipt | undefined {
  if (!receipts?.length) return undefined
  const copy = (qualifier: string) => {
    const found = receipts.find((r) => r.DocumentQualifier === qualifier)
    return found?.OutputContent.OutputText?.map(({ Text }) => receiptLine(Text))
  }
  const merchant = copy('CashierReceipt')
  const customer = copy('CustomerReceipt')
  if (!merchant && !customer) return undefined
  return { ...(merchant && { merchant }), ...(customer && { customer }) }
}

/** Adyen's receipt lines are form-encoded (`key`, `name`, `value`); plain text stays as it is. */
function receiptLine(text: string): string {
  const { name, value } = parseFormEncoded(text)
  if (name && value) return `${name}: ${value}`
  return name || value || text
}

const kebab = (condition: string) =>
  condition
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase()

function advice(ctx: PaymentContext, situation: UnknownSituation): string[] {
  const { terminal, reference } = ctx.request
  const { saleId = '(unknown)', serviceId = '(unknown)', pspReference } = ctx.ids
  const money = moneyOf(ctx.request)
  const since = new Date(ctx.startedAt).toISOString()
  const ask = `Ask TransactionStatus on terminal ${terminal} for SaleID ${saleId}, ServiceID ${serviceId} (recover() does this): a repeated response is the answer, NotFound means it never reached the terminal.`
  const search = `In the Customer Area, find the payments of terminal ${terminal} after ${since} with merchant reference ${reference}${pspReference ? ` or PSP reference ${pspReference}` : ''}, for ${money}.`
  const record = `Record what you find against reference ${reference}. Start a new payment only once you know this one did not take money.`
  switch (situation) {
    case 'lost-start':
      return [ask, search, record]
    case 'expired':
      return [
        `TransactionStatus no longer knows SaleID ${saleId}, ServiceID ${serviceId}: too much time has passed.`,
        search,
        record,
      ]
    case 'unreadable':
      return [
        'Adyen would not answer TransactionStatus: check that the API key has the Cloud Device API role and that the terminal belongs to the merchant account.',
        ask,
        search,
        record,
      ]
  }
}

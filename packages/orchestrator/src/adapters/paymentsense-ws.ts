/**
 * Paymentsense (Dojo) Connect over its WebSocket API (JSON-RPC 2.0), pay at counter. One connection
 * per account; a payment is one `sale` (`refund`, `preAuth`...) request whose answer is the result;
 * the terminal's progress is pushed as `terminalNotification`s; Connect asks the POS to judge
 * signatures (`signatureVerificationRequest`); `cancelTransaction` stops the terminal.
 *
 * Nothing names a WebSocket payment but its terminal and its open request: no request id, nothing to
 * look up later. So an answer that never comes (a dropped connection, a timeout, a restart) cannot
 * be read again: the payment ends `unknown` with what to check, and is never sent again.
 */
import {
  assertObject,
  assertInteger,
  assertKnownFields,
  createRedactor,
  TillkitError,
  TillkitNetworkError,
  TillkitProtocolError,
  TillkitRpcError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  type Redactor,
} from '@tillkit/core'
import {
  checkConnectOptions,
  connectPaymentsense,
  type ConnectOptions,
  type LateResponse,
  type PacHandlers,
  type PacNotifications,
  type PacRequests,
  type PaymentsenseConnection,
  type RequestKnown,
} from '@tillkit/paymentsense/ws'
import type {
  AdapterEnvironment,
  Observation,
  PaymentContext,
  ProviderAdapter,
  ProviderOutcome,
  UnknownSituation,
} from '../adapter.js'
import { message } from '../calls.js'
import type { PaymentRequest } from '../types.js'
import {
  CAPABILITIES,
  checkRequest,
  configuredTerminals,
  EVENT_TYPES,
  outcomeOf,
  receiptOf,
  terminalOf,
} from './paymentsense.js'
import { moneyOf, unattached } from './shared.js'

type Connection = PaymentsenseConnection<'pac'>
type WsPayment = PacRequests['sale']['result']
type SignatureParams = PacHandlers['signatureVerificationRequest']['params']
type Verdict = 'requested' | 'too-late'

export interface PaymentsenseWebSocketAdapterOptions extends Omit<
  ConnectOptions<'pac'>,
  'integration' | 'finalPosReceiptRequest' | 'clock' | 'logger'
> {
  /**
   * How often a payment whose answer will not come (a dropped connection, a restart) asks its
   * terminal's status (`terminalDetails`) until the terminal is free again. Default 1 000, 500 to
   * 10 000.
   */
  cadenceMs?: number
  /** Gap between any two requests of the account (Connect's REST API may enforce 0.1 s). Default 100. */
  spacingMs?: number
  /** The account's terminals, when known in advance: other TIDs and currencies fail before any request. */
  terminals?: ReadonlyArray<{ tid: string; currency: 'GBP' | 'EUR' }>
}

/**
 * Every name of {@link PaymentsenseWebSocketAdapterOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const OPTION_NAMES = {
  account: 1,
  environment: 1,
  apiKey: 1,
  softwareHouseId: 1,
  installerId: 1,
  WebSocket: 1,
  baseUrl: 1,
  random: 1,
  requestTimeoutMs: 1,
  paymentTimeoutMs: 1,
  connectTimeoutMs: 1,
  maxMessageBytes: 1,
  reconnect: 1,
  liveness: 1,
  cadenceMs: 1,
  spacingMs: 1,
  terminals: 1,
} satisfies Record<keyof PaymentsenseWebSocketAdapterOptions, 1>

/**
 * How long one payment may keep its terminal busy, at most (Connect's own answer timeout of payments
 * is the client's default, 5 min). A terminal still busy after this is busy with something else.
 */
const LONGEST_PAYMENT_MS = 300_000
/** A signature window to assume should Connect's request not say (REST's is 80 s). */
const SIGNATURE_WINDOW_MS = 80_000
/** Placeholder JSON-RPC codes of Connect's own refusals (the real ones are not published). */
const TERMINAL_BUSY = -32001
const TERMINAL_UNAVAILABLE = -32002
const UNKNOWN_TERMINAL = -32003

/**
 * One payment this process sent, while it runs: how its terminal's pushes reach it, and the state
 * of its open request.
 */
interface Route {
  readonly ctx: PaymentContext
  readonly tid: string
  /** The params object as sent: the client hands the same object back with a late answer. */
  readonly params: object
  /** The request's answer may still come on this connection: the terminal's pushes are this payment's. */
  awaiting: boolean
  /**
   * The terminal is known to run this payment: it told of it while the request was open (see
   * `runningOn`).
   */
  started: boolean
  /** Why the answer will not come, for the unknown outcome. */
  lost?: string
  /** The last notification value that arrived, and how many runs of each value: see `keyOf`. */
  last?: string
  readonly runs: Map<string, number>
  /** The key of the terminal's TRANSACTION_FINISHED, held for the answer (see onNotification). */
  finished?: string
  /** Signature questions asked so far, and the open one's answer. */
  questions: number
  answer?: (result: { accepted: boolean }) => void
  /** Cancels waiting for the terminal's verdict. */
  verdicts: Array<(verdict: Verdict) => void>
  /**
   * Settles once the terminal is known to run this payment (its first notification) or the
   * request's answer came: a cancel waits for it (see cancel).
   */
  running: Promise<void>
  ran: () => void
}

/** What became of a payment's request: an observation that ends it, or undefined when its answer was lost. */
interface OpenAnswer {
  reading: Promise<Observation | undefined>
  done: boolean
}

/**
 * An adapter for one Connect account over the WebSocket API. The connection is opened at the first
 * request and kept (the client reconnects after drops); `close()` ends it.
 *
 * Why `start` resolves as soon as the request is on the socket: Connect answers a payment only when
 * it is over, and the core holds `cancel()` until the start has answered. So the answer is kept
 * open, pushed (`ctx.push`) the moment it comes, and the core's first poll waits on it. Should it
 * never come, later polls ask the terminal's status until the terminal is free, then settle
 * `unknown`: the result cannot be asked for again, and the payment is never sent again.
 */
export function paymentsenseWebSocketAdapter(
  options: PaymentsenseWebSocketAdapterOptions,
): ProviderAdapter {
  assertObject('options', options)
  assertKnownFields(options, OPTION_NAMES, 'options.')
  const cadenceMs = options.cadenceMs ?? 1_000
  const spacingMs = options.spacingMs ?? 100
  assertInteger('options.cadenceMs', cadenceMs, 500, 10_000)
  assertInteger('options.spacingMs', spacingMs, 0, 60_000)
  const terminals = configuredTerminals(options.terminals)
  const { cadenceMs: _c, spacingMs: _s, terminals: _t, ...connectOptions } = options
  const connectWith = { ...connectOptions, integration: 'pac' as const }
  // Bad credentials, hosts or WebSocket class fail here, not at the first payment.
  checkConnectOptions(connectWith)
  // A shorter answer timeout gives up on the answer sooner, not on the terminal: a late answer still counts.
  const watchMs = Math.max(options.paymentTimeoutMs ?? 0, LONGEST_PAYMENT_MS)
  const redact: Redactor = createRedactor([options.apiKey])

  let env = unattached()
  let connection: Connection | undefined
  let opening: Promise<Connection> | undefined
  let closed = false

  const byPayment = new Map<string, Route>()
  const byTerminal = new Map<string, Route[]>()
  const open = new Map<string, OpenAnswer>()

  /** The connection, opened on first use. A failure to open sent nothing: the core may try again. */
  const connect = (): Promise<Connection> => {
    if (closed) return Promise.reject(new TillkitNetworkError('the adapter is closed', false))
    if (connection && connection.state !== 'closed') return Promise.resolve(connection)
    opening ??= connectPaymentsense({
      ...connectWith,
      clock: env.clock,
      logger: env.logger,
    }).then(
      (made) => {
        opening = undefined
        if (closed) {
          void made.close()
          throw new TillkitNetworkError('the adapter was closed while connecting', false)
        }
        connection = made
        listen(made)
        return made
      },
      (error: unknown) => {
        opening = undefined
        throw new TillkitNetworkError(
          `could not connect to Connect's WebSocket API: ${redact(message(error))}`,
          false,
          { cause: error, redact },
        )
      },
    )
    return opening
  }

  const listen = (made: Connection) => {
    made.on('terminalNotification', onNotification)
    made.on('lateResponse', onLateResponse)
    made.on('state', (state) => {
      // A question asked on a socket that is gone cannot be answered any more.
      if (state !== 'open') for (const route of byPayment.values()) delete route.answer
    })
    made.handle('signatureVerificationRequest', onSignature)
  }

  /**
   * The payment whose request the terminal is working on: the oldest still awaiting its answer. But
   * while an older request's answer was lost, the terminal may still run that transaction (and
   * refuse this one busy): then only a TRANSACTION_STARTED says the terminal runs this one.
   */
  const runningOn = (tid: string): Route | undefined => {
    const list = byTerminal.get(tid) ?? []
    return list.find((route, i) => route.awaiting && (route.started || !shadowed(list, i)))
  }

  /** Whether a request older than the i-th on the terminal lost its answer while its transaction may still run. */
  const shadowed = (list: readonly Route[], i: number) =>
    list.slice(0, i).some((older) => older.lost !== undefined)

  const follow = (ctx: PaymentContext, params: object): Route => {
    unfollow(ctx.paymentId)
    let ran!: () => void
    const route: Route = {
      ctx,
      tid: ctx.request.terminal,
      params,
      awaiting: true,
      started: false,
      runs: new Map(),
      questions: 0,
      verdicts: [],
      running: new Promise<void>((resolve) => (ran = resolve)),
      ran,
    }
    byPayment.set(ctx.paymentId, route)
    const list = byTerminal.get(route.tid) ?? []
    list.push(route)
    byTerminal.set(route.tid, list)
    ctx.signal.addEventListener('abort', () => unfollow(ctx.paymentId), { once: true })
    return route
  }

  const unfollow = (paymentId: string) => {
    open.delete(paymentId)
    const route = byPayment.get(paymentId)
    if (!route) return
    byPayment.delete(paymentId)
    decide(route, 'requested')
    // A cancel still waiting to know the terminal runs it goes no further (see cancel).
    route.awaiting = false
    route.ran()
    const list = byTerminal.get(route.tid)?.filter((r) => r !== route) ?? []
    if (list.length) byTerminal.set(route.tid, list)
    else byTerminal.delete(route.tid)
  }

  /** Tells every cancel waiting on this payment how it went. */
  const decide = (route: Route, verdict: Verdict) => {
    const waiting = route.verdicts
    route.verdicts = []
    for (const resolve of waiting) resolve(verdict)
  }

  const onNotification = ({
    tid,
    notificationValue: value,
  }: PacNotifications['terminalNotification']) => {
    const list = byTerminal.get(tid) ?? []
    // A transaction starting is the oldest open request's that the terminal has not told of yet.
    if (value === 'TRANSACTION_STARTED') {
      const next = list.find((r) => r.awaiting && !r.started)
      if (next) next.started = true
    }
    const route = runningOn(tid)
    if (!route) return
    route.started = true
    route.ran()
    const key = keyOf(route, value)
    if (value === 'CANCELLING') decide(route, 'requested')
    if (value === 'UNABLE_TO_CANCEL') decide(route, 'too-late')
    // Connect's signature request itself is the event (it carries the receipt and the window).
    if (value === 'SIGNATURE_VERIFICATION') return
    // While the answer may still come on this connection, it brings the `finished` event (same
    // key), after whatever the wire delivered out of order; if it never comes, this one is told then.
    if (value === 'TRANSACTION_FINISHED' && route.awaiting) return void (route.finished = key)
    route.ctx.push({ notifications: [{ type: EVENT_TYPES[value] ?? 'other', raw: value, key }] })
  }

  const onSignature = (params: SignatureParams): Promise<{ accepted: boolean }> => {
    const route = runningOn(params.tid)
    if (!route) {
      // Not a payment of this process: leave it to its owner, or to Connect's rule (it accepts).
      env.logger.warn(
        { tid: params.tid },
        'paymentsense ws: a signature question for no payment here',
      )
      return new Promise(() => {})
    }
    route.questions++
    const receipt = receiptOf(params.receiptLines)
    const answered = new Promise<{ accepted: boolean }>((resolve) => (route.answer = resolve))
    route.ctx.push({
      notifications: [
        {
          type: 'signatureRequired',
          raw: 'SIGNATURE_VERIFICATION',
          key: `signatureVerificationRequest#${route.questions}`,
          // `timeout` is taken to be in seconds (the schema does not say).
          signature: { ...(receipt && { receipt }), windowMs: params.timeout * 1_000 },
        },
      ],
    })
    return answered
  }

  /**
   * The answer to a payment whose request had timed out, on the same connection: the result after
   * all. (A late error answer changes nothing: the terminal is watched as before.)
   */
  const onLateResponse = (late: LateResponse) => {
    const route = [...byPayment.values()].find((r) => r.params === late.params)
    if (!route || late.result === undefined) return
    env.logger.info({ paymentId: route.ctx.paymentId }, 'paymentsense ws: a late answer settles it')
    route.ctx.push(readPayment(route, late.result as WsPayment))
  }

  /** The answer to the payment's request, pushed the moment it comes. */
  const awaitAnswer = (route: Route, reply: Promise<WsPayment>): OpenAnswer => {
    const answer: OpenAnswer = { done: false, reading: Promise.resolve(undefined) }
    const read = (error: unknown): Observation | undefined => {
      const refused = readRefusal(error)
      if (refused) return refused
      route.lost = lostBecause(error)
      env.logger.warn(
        { paymentId: route.ctx.paymentId, tid: route.tid, reason: route.lost },
        'paymentsense ws: the payment answer will not come; watching the terminal',
      )
      return undefined
    }
    answer.reading = reply
      .then((payment) => readPayment(route, payment), read)
      .then((observation) => {
        answer.done = true
        route.awaiting = false
        route.ran()
        const cancelled = observation?.outcome?.status === 'cancelled'
        // A cancel in flight learns here how it went, should the terminal not have said.
        decide(route, !observation || cancelled ? 'requested' : 'too-late')
        if (observation) route.ctx.push(observation)
        else if (route.finished)
          route.ctx.push({
            notifications: [{ type: 'finished', raw: 'TRANSACTION_FINISHED', key: route.finished }],
          })
        return observation
      })
    return answer
  }

  /** A finished payment as an observation: its closing event, its ids and its outcome. */
  const readPayment = (route: Route, payment: WsPayment): Observation => {
    const { cardholderVerificationMethod, ...rest } = payment
    const outcome: ProviderOutcome = {
      ...outcomeOf({ ...rest, cardHolderVerificationMethod: cardholderVerificationMethod }),
      raw: payment,
    }
    const finished = 'TRANSACTION_FINISHED'
    // Same key as the terminal's own TRANSACTION_FINISHED, should it have come (or come later).
    const key = `${finished}#${Math.max(1, route.runs.get(finished) ?? 0)}`
    return {
      ids: {
        ...(payment.transactionId && { transactionId: payment.transactionId }),
        ...(payment.transactionNumber && { transactionNumber: payment.transactionNumber }),
      },
      notifications: [{ type: 'finished', raw: finished, key }],
      outcome,
    }
  }

  /** Looks at the terminal of a payment whose answer will not come; `unknown` once it is free. */
  const watchTerminal = async (ctx: PaymentContext): Promise<Observation> => {
    const { terminal: tid, kind } = ctx.request
    const why = ctx.recovered
      ? 'the process that sent it stopped before its answer came'
      : (byPayment.get(ctx.paymentId)?.lost ?? 'its answer never came')
    let status: string
    try {
      const { terminals } = await (await connect()).request('terminalDetails', { tids: [tid] })
      status = terminals[0]?.status ?? 'unlisted'
    } catch (error) {
      if (error instanceof TillkitRpcError && !error.outcomeUnknown && isUnavailable(error))
        status = 'unavailable'
      // A read is safe to repeat: the core retries what it sees as transient, with back-off.
      else if (error instanceof TillkitNetworkError)
        throw new TillkitNetworkError(error.message, true, { cause: error, redact })
      else throw error
    }
    const waited = env.clock.now() - ctx.startedAt
    if (status !== 'AVAILABLE' && waited < watchMs) return {}
    const state =
      status === 'AVAILABLE'
        ? `terminal ${tid} is AVAILABLE again, so the ${kind} has ended there`
        : `terminal ${tid} is still ${status} ${Math.round(waited / 1_000)} s after the start`
    return {
      outcome: {
        status: 'unknown',
        reasonCode: 'lost-start',
        reason: redact(
          `the ${kind} was sent but ${why}; ${state}, with a result the WebSocket API cannot give again. It was not sent again`,
        ),
      },
    }
  }

  return {
    provider: 'paymentsense',
    capabilities: CAPABILITIES,
    pacing: {
      mode: 'none',
      cadenceMs,
      cadenceRangeMs: [500, 10_000],
      spacingMs,
      // Past this the payment is over, whatever the terminal shows.
      retentionMs: watchMs,
      signatureWindowMs: SIGNATURE_WINDOW_MS,
    },
    ...(terminals && { terminals }),

    attach(environment: AdapterEnvironment) {
      env = environment
      env.secret(options.apiKey)
    },

    validate(request) {
      checkRequest(request)
      const notPresent = request.extra?.cardholderNotPresent
      if (notPresent !== undefined && request.kind !== 'sale' && request.kind !== 'refund')
        throw new TillkitValidationError(
          'extra.cardholderNotPresent',
          'only for sale and refund over the WebSocket API',
        )
    },

    async start(ctx) {
      const made = await connect()
      // Sent only on an open socket: anything else is refused unsent, and the core may try again.
      if (made.state !== 'open')
        throw new TillkitNetworkError(`not sent: the connection is ${made.state}`, false)
      const params = paramsOf(ctx.request)
      const route = follow(ctx, params)
      // The kinds are the WebSocket API's method names.
      const reply = made.request(ctx.request.kind, params as never) as Promise<WsPayment>
      open.set(ctx.paymentId, awaitAnswer(route, reply))
      return { ids: {} }
    },

    async poll(ctx) {
      const answer = open.get(ctx.paymentId)
      if (answer) {
        const held = !answer.done
        const reading = await answer.reading
        if (reading) return reading
        open.delete(ctx.paymentId)
        // Waited on an answer that was lost: the next turn looks at the terminal, spaced.
        if (held) return {}
      }
      return watchTerminal(ctx)
    },

    async cancel(ctx) {
      const route = byPayment.get(ctx.paymentId)
      // Connect cancels whatever the terminal runs: only while this payment's request is open, and
      // once the terminal has told of it, is that this payment. Before (a busy refusal still on its
      // way) or after a lost answer, a cancel could stop another till's payment.
      if (!route?.awaiting) return 'too-late'
      await route.running
      if (!route.awaiting) return 'too-late'
      const made = await connect()
      const verdict = new Promise<Verdict>((resolve) => route.verdicts.push(resolve))
      try {
        await made.request('cancelTransaction', { tid: route.tid })
      } catch (error) {
        // Refused: no transaction runs on the terminal any more, or it cannot stop.
        if (error instanceof TillkitRpcError && !error.outcomeUnknown) return 'too-late'
        throw error
      }
      // Connect took it; the terminal says CANCELLING or UNABLE_TO_CANCEL (or the answer comes).
      return verdict
    },

    async answerSignature(ctx, accepted) {
      const route = byPayment.get(ctx.paymentId)
      const answer = route?.answer
      if (!route || !answer)
        throw new TillkitProtocolError(
          'unexpected',
          'no signature question of this payment is open: Connect stopped waiting, or its connection was lost',
        )
      delete route.answer
      answer({ accepted })
    },

    async listTerminals() {
      const { terminals } = await (await connect()).request('connectedTerminals')
      return terminals.map(terminalOf)
    },

    async terminalStatus(tid) {
      try {
        const { terminals } = await (await connect()).request('terminalDetails', { tids: [tid] })
        const found = terminals[0]
        return found ? terminalOf(found) : { terminal: tid, status: 'offline' }
      } catch (error) {
        if (error instanceof TillkitRpcError && isUnavailable(error))
          return { terminal: tid, status: 'offline', raw: { rpcCode: error.rpcCode } }
        throw error
      }
    },

    reconcile(ctx, situation) {
      return advice(ctx, situation)
    },

    async close() {
      closed = true
      const made = connection
      connection = undefined
      byPayment.clear()
      byTerminal.clear()
      open.clear()
      await made?.close()
    },
  }
}

/** The request's params as the WebSocket method takes them. */
function paramsOf(request: Readonly<PaymentRequest>): Record<string, unknown> {
  const notPresent = request.extra?.cardholderNotPresent
  return {
    tid: request.terminal,
    currency: request.currency,
    // An account verification moves no money; the method still requires an amount.
    amount: request.amount ?? 0,
    ...(request.cashback !== undefined && { amountCashback: request.cashback }),
    ...(request.authCode !== undefined && { authCode: request.authCode }),
    ...(request.preAuthAmount !== undefined && {
      amountPreAuthorisedTotal: request.preAuthAmount,
    }),
    ...(typeof notPresent === 'boolean' && { cardholderNotPresent: notPresent }),
  }
}

/**
 * The de-duplication key of a pushed notification. Nothing in it tells a copy from a repeat, so:
 * a value equal to the one just before it is a copy (same key); a value coming back after another
 * (PRESENT_CARD after BAD_SWIPE) starts a new run and is delivered again.
 */
function keyOf(route: Route, value: string): string {
  if (value !== route.last) route.runs.set(value, (route.runs.get(value) ?? 0) + 1)
  route.last = value
  return `${value}#${route.runs.get(value)}`
}

/** A definite refusal of the payment request: nothing started. Undefined for anything else. */
function readRefusal(error: unknown): Observation | undefined {
  // Refused before it left (the socket would not take it): nothing reached Connect.
  if (error instanceof TillkitError && !error.mayHaveReachedProvider)
    return {
      outcome: {
        status: 'failed',
        reasonCode: 'not-sent',
        reason: `the payment request was not sent: ${error.message}`,
      },
    }
  if (!(error instanceof TillkitRpcError) || error.outcomeUnknown) return undefined
  const busy = error.rpcCode === TERMINAL_BUSY || /busy/i.test(error.rpcMessage)
  return {
    outcome: {
      status: 'failed',
      reasonCode: busy
        ? 'terminal-busy'
        : isUnavailable(error)
          ? 'terminal-unavailable'
          : 'refused',
      reason: error.rpcMessage,
      raw: { code: error.rpcCode, message: error.rpcMessage },
    },
  }
}

function isUnavailable(error: TillkitRpcError): boolean {
  return error.rpcCode === TERMINAL_UNAVAILABLE || error.rpcCode === UNKNOWN_TERMINAL
}

/** Why an answer will not come, in words, with the last progress seen. */
function lostBecause(error: unknown): string {
  if (error instanceof TillkitUnknownOutcomeError) {
    const last = (error.known as RequestKnown).lastNotification
    return `its answer never came (${error.reason}${last ? `, last seen ${last}` : ''})`
  }
  return `its answer could not be read (${message(error)})`
}

function advice(ctx: PaymentContext, situation: UnknownSituation): string[] {
  const { terminal, reference } = ctx.request
  const money = moneyOf(ctx.request)
  const since = new Date(ctx.startedAt).toISOString()
  const check = [
    `Wait until terminal ${terminal} is AVAILABLE (terminalDetails); BUSY means something, most likely this payment, is still running on it.`,
    `Then find its last transaction: on Ingenico terminals send a duplicate request and compare the amount (${money}) and time (after ${since}); otherwise read the terminal's last receipt.`,
    `Record what you find against reference ${reference}. Start a new payment only once you know this one did not take money.`,
  ]
  if (situation !== 'expired') return check
  return [
    `Terminal ${terminal} could not be read before Connect's payment timeout passed.`,
    ...check,
  ]
}

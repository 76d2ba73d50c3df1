/**
 * The contract between the orchestrator's core and one provider. An adapter is a thin translator:
 * it turns a PaymentRequest into the provider's request, and the provider's answers into
 * Observations in the shared vocabulary. It never sleeps, retries, spaces requests, de-duplicates,
 * journals or decides when to give up: the core does all of that, the same way for every provider.
 *
 * Who calls what, and when (one payment):
 *
 * 1. `validate(request, terminal)`: synchronously, before anything is written or sent. Throw a
 *    TillkitValidationError (field + rule) for anything the provider would refuse that can be
 *    known here: currencies, amount limits, kinds, fields this provider does not take. The core
 *    has already checked what is common (kind, positive integer amount, currency shape, reference,
 *    known account, known terminal and its currencies when the directory knows the terminal).
 * 2. `prepare(request)`: synchronously, the ids that exist before sending (a Payroc idempotency
 *    key, an Adyen SaleID/ServiceID). The core journals them with the intent, before step 3.
 * 3. `start(ctx)`: the payment-starting request, sent once, when the account's spacing allows. It
 *    must build the provider request only from `ctx.request` and `ctx.ids` (the prepared ids), so
 *    that a replay after a restart (where the provider supports replays) sends the same bytes.
 * 4. `poll(ctx)`: one look at the payment, at the adapter's declared pacing, until an Observation
 *    carries an outcome. `ctx.ids` holds every id known so far.
 * 5. `cancel(ctx)`, `answerSignature(ctx, accepted)`: urgent requests, sent ahead of any queued
 *    poll of the same account. Their effect shows in later observations.
 *
 * Recovery (`orchestrator.recover()` after a restart) goes through the same calls: a journaled
 * payment whose start answered is polled again from its journaled ids; one whose start never
 * answered is polled from its prepared ids when `capabilities.findsLostStarts` is true (the
 * adapter's poll then replays or looks the start up), and otherwise ends `unknown` with the facts
 * from `reconcile` without anything being sent. The adapter keeps no state of its own between
 * calls that recovery would need: everything is in `ctx`.
 */
import type { Clock, Logger } from '@tillkit/core'
import type {
  OutcomeAmounts,
  OutcomeStatus,
  PaymentEventType,
  PaymentKind,
  PaymentRequest,
  ProviderIds,
  Receipt,
  TableRequest,
  TableState,
  TerminalInfo,
} from './types.js'

/** What the provider can do; the core refuses the rest before sending anything. */
export interface Capabilities {
  kinds: readonly PaymentKind[]
  /**
   * Whether the POS can cancel a running payment. When false, `payment.cancel()` rejects with a
   * CancelOnTerminalError ("cancel on the terminal") without a request.
   */
  cancel: boolean
  /**
   * `pos`: the POS judges signatures (the core raises `signatureRequired` with accept/decline and
   * calls `answerSignature`); `terminal`: the terminal or provider decides, the event only informs.
   */
  signature: 'pos' | 'terminal'
  /**
   * True when a start whose answer was lost can be found again from the prepared ids (Payroc:
   * replay the submit with the same idempotency key; Adyen: TransactionStatus by ServiceID). Then
   * the core polls instead of settling `unknown`, and `poll` must cope with `ctx.ids` holding only
   * the prepared ids. False (Paymentsense, SmartConnect): a lost start is `unknown`, never re-sent.
   */
  findsLostStarts: boolean
}

/**
 * How often and how closely the core may call this provider. All waiting happens in the core's one
 * scheduler, on its clock; the adapter only declares.
 */
export interface Pacing {
  /**
   * `interval`: poll every `cadenceMs`, measured from the previous poll's send (fixed rate), so a
   * slow answer does not stretch the cadence (Paymentsense).
   * `after-answer`: every `cadenceMs` measured from the previous answer, for a provider whose
   * minimum gap is counted where polls arrive (SmartConnect's 2 s): a slow poll must not bring the
   * next one closer.
   * `back-to-back`: the next poll goes as soon as the previous answered, at least `cadenceMs`
   * after the previous send (Payroc's long-poll, which the provider holds open).
   * `none`: no polling while the start is out: `start` resolves with the outcome and events
   * come through `ctx.push` (Adyen's synchronous payment, the Paymentsense WebSocket). Should the
   * start resolve without an outcome, and after a restart, the core polls every `cadenceMs`.
   */
  mode: 'interval' | 'after-answer' | 'back-to-back' | 'none'
  /** The default cadence. */
  cadenceMs: number
  /** The documented range a caller may set the cadence within (inclusive): the core enforces it. */
  cadenceRangeMs: readonly [min: number, max: number]
  /**
   * Minimum gap between the starts of any two requests of this account (every kind of request:
   * starts, polls, cancels, signature answers, terminal listings). 0 for none.
   */
  spacingMs: number
  /**
   * How long after the start the provider still knows the payment. A poll answered `missing`
   * before this is taken as "not reachable now" and polled again; after it, the payment ends
   * `unknown` (reason `expired`).
   */
  retentionMs: number
  /** How long the provider waits for the POS's signature decision, when `signature` is `pos`. */
  signatureWindowMs?: number
}

/**
 * One notification from the provider, in the shared vocabulary, and how to recognise it again.
 *
 * De-duplication (done by the core, per payment):
 * - `order`, when the provider's history is a list that only grows (Paymentsense's cumulative
 *   `notifications`): the position in that list, from 0. The core delivers each position once, in
 *   ascending order, and ignores any position at or below the highest delivered (duplicates,
 *   replays after recovery, lists re-read by a later poll).
 * - otherwise `key`: something equal for copies of the same notification and different for
 *   different ones (a provider event id, or tid + value + provider timestamp). The core remembers
 *   the last few hundred keys of each running payment and drops repeats; notifications without
 *   either are delivered as they come.
 */
export interface ProviderNotification {
  type: PaymentEventType
  /** The provider's own value, attached to the event as `raw`. */
  raw: unknown
  order?: number
  key?: string
  /** For `signatureRequired`: what the operator compares, and the provider's window if it says. */
  signature?: { receipt?: Receipt; windowMs?: number }
}

/**
 * A final result in the shared vocabulary, without what the core fills in (payment id, account,
 * terminal, kind, reference, ids, time).
 */
export interface ProviderOutcome {
  status: OutcomeStatus
  reasonCode?: string
  reason?: string
  currency?: string
  amounts?: OutcomeAmounts
  authCode?: string
  maskedPan?: string
  cardScheme?: string
  entryMethod?: string
  verification?: string
  receipt?: Receipt
  /** The provider's final body as received; the core redacts it. */
  raw?: unknown
}

/** What one look at the provider showed. Every field is optional; an empty object means "nothing new". */
export interface Observation {
  /** In the provider's order. Replays and repeats are fine: the core de-duplicates. */
  notifications?: readonly ProviderNotification[]
  /** Ids learned now (merged into `ctx.ids` and journaled before anything else happens). */
  ids?: ProviderIds
  /** The payment is over. Events in the same observation are delivered first. */
  outcome?: ProviderOutcome
  /**
   * The provider says it does not know this payment (Paymentsense 404, an expired SmartConnect
   * polling URL). The core keeps polling until `pacing.retentionMs` has passed since the start,
   * then settles `unknown`.
   */
  missing?: boolean
  /** The provider asked for a pause before the next request of this payment. */
  retryAfterMs?: number
}

/** What `start` learned: the provider's ids, and possibly the whole result (synchronous providers). */
export interface StartResult extends Observation {
  ids: ProviderIds
}

/** Everything an adapter call may need about one payment. Read-only: change things by returning them. */
export interface PaymentContext {
  /** The orchestrator's id for the payment (a UUID). */
  readonly paymentId: string
  readonly request: Readonly<PaymentRequest>
  /** Prepared ids, then every id learned, merged. */
  readonly ids: ProviderIds
  /** Clock time the start request was about to be sent (from the journal after a restart). */
  readonly startedAt: number
  /** True when this call is made by `recover()` for a payment begun by an earlier process. */
  readonly recovered: boolean
  /** Aborted when the payment settles or the orchestrator closes: pass it to long requests. */
  readonly signal: AbortSignal
  /**
   * For push sources (WebSocket notifications, webhooks): hand over what arrived, whenever it
   * arrives, between or during calls. Same de-duplication as returned observations; ignored once
   * the payment has settled.
   */
  push(observation: Observation): void
}

/** Why an outcome is unknown; `reconcile` words its advice for each. */
export type UnknownSituation =
  /** The start request may have reached the provider but no id came back (or the process died). */
  | 'lost-start'
  /** The provider no longer knows the payment (past `pacing.retentionMs`). */
  | 'expired'
  /** Polling was refused for good (e.g. 401/403), so the result cannot be read. */
  | 'unreadable'

/** A terminal as the adapter lists it; the core adds account and provider. */
export type AdapterTerminal = Omit<TerminalInfo, 'account' | 'provider'>

/** Given to `createOrchestrator` per account: the core attaches its clock and logger at start-up. */
export interface AdapterEnvironment {
  clock: Clock
  logger: Logger
  /**
   * Registers a credential (an API key) with the orchestrator's redactor: it is then removed from
   * every log line, event, outcome and journal record, whatever a provider echoes back.
   */
  secret(value: string | undefined): void
}

/**
 * One provider account (one set of credentials): its requests share one spacing lane.
 *
 * What to throw:
 * - `start`: a TillkitError. `outcomeUnknown === false` (not sent, or a definite 4xx refusal such
 *   as a busy terminal) settles the payment `failed` with the error's message as the reason.
 *   `outcomeUnknown === true` (timeout, reset after sending, 5xx) is a lost start: see
 *   `capabilities.findsLostStarts`. Anything else thrown is treated as a lost start too, because
 *   the core cannot prove nothing was sent.
 * - `poll`: throw a TillkitError when the provider could not be read. A 429 (TillkitHttpError with
 *   its `retryAfterMs`) pauses the whole account; timeouts, network errors and 5xx are retried with
 *   backoff; a definite refusal (another 4xx) three times in a row settles `unknown`
 *   (`unreadable`). "Not found" is not an error: return `{ missing: true }`.
 * - `cancel`: resolve `'requested'` when the provider took the cancel, `'too-late'` when it says
 *   the payment already ended or is past cancelling; throw for transport trouble (the core
 *   retries while the payment runs).
 * - `answerSignature`: resolve when the provider took the decision; throw a TillkitError otherwise
 *   (retried while the window lasts if transient).
 */
export interface ProviderAdapter {
  /** `paymentsense`, `adyen`, `payroc`, `smartconnect`... */
  readonly provider: string
  readonly capabilities: Capabilities
  readonly pacing: Pacing
  /**
   * Id keys that are secrets (a SmartConnect polling URL carries a token): journaled, never put in
   * events, outcomes, reconciliation facts or logs.
   */
  readonly secretIds?: readonly string[]
  /** Terminals known from configuration, so unknown terminals and currencies fail before any request. */
  readonly terminals?: readonly AdapterTerminal[]

  /** Called once by `createOrchestrator`, before any other call. */
  attach?(environment: AdapterEnvironment): void
  validate(request: PaymentRequest, terminal: AdapterTerminal | undefined): void
  prepare?(request: PaymentRequest): ProviderIds
  start(ctx: PaymentContext): Promise<StartResult>
  poll(ctx: PaymentContext): Promise<Observation>
  cancel?(ctx: PaymentContext): Promise<'requested' | 'too-late'>
  answerSignature?(ctx: PaymentContext, accepted: boolean): Promise<void>
  listTerminals(): Promise<AdapterTerminal[]>
  terminalStatus(terminal: string): Promise<AdapterTerminal>
  /** What an operator should check for an unknown outcome, in order, in words. */
  reconcile(ctx: PaymentContext, situation: UnknownSituation): string[]
  /** Releases connections (WebSocket, agents) when the orchestrator closes. */
  close?(): Promise<void>
  /** Pay at table, where the provider has it; `openTable` refuses accounts without it. */
  readonly tables?: TableCapability
}

/** One open table, as the core hands it to the adapter's table calls. */
export interface TableContext {
  /** The orchestrator's id for the table (a UUID). */
  readonly tableId: string
  readonly request: Readonly<TableRequest>
  /** Aborted when the table ends or the orchestrator closes. */
  readonly signal: AbortSignal
}

/** The amounts a table write is guarded by: the write applies only if the provider still holds them. */
export interface TableGuard {
  amount: number
  amountPaid: number
}

/**
 * How a guarded write went: `done`; `conflict`, the provider's table no longer matches the guard
 * (a payment or another change came first: the core re-reads and tries again); `locked`, someone
 * holds the table (a terminal taking a payment); `missing`, the provider has no such table.
 */
export type TableWrite = 'done' | 'conflict' | 'locked' | 'missing'

/**
 * Pay at table: the POS opens a bill in the provider's cloud, terminals take payments against it,
 * the core reads it at `pacing.cadenceMs` through the account's lane and tells the POS about each
 * payment once. Same rules as payments: the adapter translates, the core waits, spaces, retries,
 * de-duplicates and journals. Throw TillkitErrors for transport trouble (a 429 pauses the account).
 */
export interface TableCapability {
  readonly pacing: {
    /** Time between two reads of one table. */
    cadenceMs: number
    /** The documented range (inclusive); the core enforces it. */
    cadenceRangeMs: readonly [min: number, max: number]
  }
  /** The provider's own rules (currencies, amount limits, name), before anything is written or sent. */
  validate(request: TableRequest): void
  /** Creates the table; `exists` when the provider already has one of that name. */
  open(ctx: TableContext): Promise<'created' | 'exists'>
  /** The table now, or undefined when the provider has none of that name. */
  read(ctx: TableContext): Promise<Omit<TableState, 'at'> | undefined>
  setAmount(ctx: TableContext, guard: TableGuard, amount: number): Promise<TableWrite>
  /** Removes the table. */
  close(ctx: TableContext, guard: TableGuard): Promise<TableWrite>
}

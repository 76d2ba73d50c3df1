/**
 * The orchestrator's public vocabulary: what a POS asks for (PaymentRequest), what it hears while the
 * terminal works (PaymentEvent) and how a payment ends (Outcome). None of it names a provider; adapters
 * translate each provider's words into these.
 */

/** What a payment does. Not every provider has every kind: see `capabilities.kinds` of its adapter. */
export type PaymentKind = 'sale' | 'refund' | 'preAuth' | 'completion' | 'accountVerification'

export const PAYMENT_KINDS: readonly PaymentKind[] = [
  'sale',
  'refund',
  'preAuth',
  'completion',
  'accountVerification',
]

/**
 * Ids a provider uses for one payment, as text: Paymentsense `requestId`; Adyen `saleId` and
 * `serviceId`; Payroc `idempotencyKey` and `instructionId`; SmartConnect `transactionId` and
 * `pollingUrl`. Kept in the journal so a restarted process can find the payment again. Which keys
 * exist is the adapter's business; the core only stores, merges and (unless secret) shows them.
 */
export type ProviderIds = Readonly<Record<string, string>>

export interface PaymentRequest {
  kind: PaymentKind
  /** The name the account was given in the orchestrator's `accounts` option. */
  account: string
  /** The terminal's id at its provider (Paymentsense TID, Adyen POIID, Payroc serial number...). */
  terminal: string
  /**
   * Minor units (pence, cents), a positive integer. Optional for `accountVerification` only, where
   * it may also be left out.
   */
  amount?: number
  /** ISO 4217, upper case (`GBP`). The adapter refuses currencies its provider or terminal does not take. */
  currency: string
  /** The POS's own reference for this payment (order number, ticket): 1 to 64 printable characters. */
  reference: string
  /** `sale` only, where the provider offers it: cash back in minor units. */
  cashback?: number
  /** `completion`: the authorisation code of the pre-auth being completed. */
  authCode?: string
  /** `completion`: the amount that was pre-authorised, in minor units. */
  preAuthAmount?: number
  /**
   * A referenced refund or a completion: the provider ids of the original payment (as in its
   * `Outcome.providerIds`). Only for providers that reference the original.
   */
  original?: ProviderIds
  /** Provider-specific options the adapter documents and checks (e.g. `cardholderNotPresent`). */
  extra?: Readonly<Record<string, unknown>>
}

/**
 * The shared event vocabulary. Each provider notification maps to one of these; the provider's own
 * value is always attached as `raw`, so nothing is lost when a mapping is coarse.
 */
export type PaymentEventType =
  /** The terminal took the request and is starting. */
  | 'started'
  /** Waiting for the card: insert, tap, swipe or present it. */
  | 'presentCard'
  /** The cardholder is entering the PIN. */
  | 'pinEntry'
  /** Talking to the acquirer, or otherwise busy: connecting, request sent, please wait. */
  | 'processing'
  /** The acquirer (or card) approved; the payment may still change (signature, cancel). */
  | 'authorised'
  /** The acquirer or card declined. */
  | 'declined'
  /** The operator must compare the signature; see {@link SignatureRequiredEvent}. */
  | 'signatureRequired'
  /**
   * The terminal takes or checks the signature itself (Adyen): for the operator's information;
   * there is nothing for the POS to answer.
   */
  | 'signatureOnTerminal'
  /** The signature check is over (accepted, declined or timed out: see `raw`). */
  | 'signatureDone'
  /** Take the card out. */
  | 'removeCard'
  /** The card could not be used this time (bad swipe, expired, not supported, present one card). */
  | 'cardProblem'
  /** The terminal is retrying something on its own. */
  | 'retrying'
  /** A cancel is being attempted. */
  | 'cancelling'
  /** Too late to cancel: the payment carries on. */
  | 'cancelRefused'
  /** The provider says the payment is over; the outcome follows. */
  | 'finished'
  /** A value with no mapping (a new provider value, say): look at `raw`. */
  | 'other'

interface PaymentEventBase {
  /** 1 for a payment's first event, then 2, 3...; continues across recovery, so it never repeats. */
  seq: number
  paymentId: string
  /** Clock time (epoch ms) at which the orchestrator first saw it. */
  at: number
  /** The provider's own value, e.g. `'PIN_ENTRY'`. */
  raw: unknown
}

/** Receipt text, one string per line, per copy. */
export interface Receipt {
  merchant?: readonly string[]
  customer?: readonly string[]
}

/**
 * The terminal waits for the POS to judge a signature. Call `accept()` or `decline()` once, within
 * the provider's window (`deadline`); when nobody does, the orchestrator's signature policy answers
 * for you (see `OrchestratorOptions.signature`). Calling after an answer was sent resolves `false`.
 */
export interface SignatureRequiredEvent extends PaymentEventBase {
  type: 'signatureRequired'
  /** Clock time by which the orchestrator answers with its policy if you have not. */
  deadline: number
  /** What the provider showed for the operator to compare, when it sends one. */
  receipt?: Receipt
  /** Resolves true once the decision reached the provider (false when already answered). */
  accept(): Promise<boolean>
  decline(): Promise<boolean>
}

/** Every event but `signatureRequired`: it only informs, there is nothing to answer. */
export interface NoticeEvent extends PaymentEventBase {
  type: Exclude<PaymentEventType, 'signatureRequired'>
}

/**
 * What the POS hears while the terminal works. Narrow on `type`: a `signatureRequired` event always
 * carries `accept()` and `decline()`.
 */
export type PaymentEvent = NoticeEvent | SignatureRequiredEvent

/**
 * How a payment ended, as far as money goes:
 * - `approved`: taken (or, for an account verification, verified);
 * - `declined`: the card, bank or acquirer refused, or an approval was reversed (declined signature);
 * - `cancelled`: stopped before it could take money (by the POS, on the terminal, or no card came);
 * - `failed`: could not run (refused request, terminal offline or busy, processing error); not taken;
 * - `unknown`: the orchestrator cannot tell whether money moved. Never retried blindly: reconcile
 *   from `reconcile`.
 */
export type OutcomeStatus = 'approved' | 'declined' | 'cancelled' | 'failed' | 'unknown'

export const OUTCOME_STATUSES: readonly OutcomeStatus[] = [
  'approved',
  'declined',
  'cancelled',
  'failed',
  'unknown',
]

/** Amounts in minor units, as the provider reports them. */
export interface OutcomeAmounts {
  /** What the POS asked for. */
  requested?: number
  /** The base amount actually approved (may be less than requested on a partial approval). */
  approved?: number
  cashback?: number
  gratuity?: number
  /** Everything taken: approved + cashback + gratuity. */
  total?: number
}

/**
 * Everything an operator needs to settle an `unknown` payment by hand: where and what it was, when
 * it started, which ids are known, what was last seen, and what to check (in words).
 */
export interface ReconciliationFacts {
  provider: string
  account: string
  terminal: string
  kind: PaymentKind
  amount?: number
  /** Cash back asked for besides `amount`: the terminal's receipt shows their sum. */
  cashback?: number
  currency: string
  reference: string
  /** Clock time (epoch ms) at which the payment-starting request was about to be sent. */
  startedAt: number
  /** The ids known (secret ones left out). */
  providerIds: ProviderIds
  /** The provider's value of the last event seen, if any. */
  lastEvent?: unknown
  /** Why the outcome is unknown, in words. */
  why: string
  /** What to check, in order, in words. */
  check: readonly string[]
}

interface OutcomeBase {
  /** A short fixed label for the reason (e.g. `voided`, `terminal-busy`, `lost-start`). */
  reasonCode?: string
  /** The reason in words, safe to show an operator. */
  reason?: string
  paymentId: string
  provider: string
  account: string
  terminal: string
  kind: PaymentKind
  reference: string
  currency: string
  amounts: OutcomeAmounts
  authCode?: string
  /** Masked card number as the provider gives it (usually the last four digits). */
  maskedPan?: string
  cardScheme?: string
  /** How the card was read: `chip`, `contactless`, `swiped`, `keyed`... (provider's words, lower case). */
  entryMethod?: string
  /** How the cardholder was verified: `pin`, `signature`, `device`, `none`... */
  verification?: string
  receipt?: Receipt
  /** The provider's ids (secret ones left out), e.g. to refund this payment later. */
  providerIds: ProviderIds
  /** The provider's final result as received (redacted). */
  raw?: unknown
  /** Clock time (epoch ms) the outcome was settled. */
  at: number
}

/** The orchestrator knows how the payment ended: approved, declined, cancelled or failed. */
export interface SettledOutcome extends OutcomeBase {
  status: Exclude<OutcomeStatus, 'unknown'>
  reconcile?: never
}

/** Nobody can tell whether money moved: settle it by hand from `reconcile`, never by retrying. */
export interface UnknownOutcome extends OutcomeBase {
  status: 'unknown'
  reconcile: ReconciliationFacts
}

/** How a payment ended. Narrow on `status`: an `unknown` one always carries `reconcile`. */
export type Outcome = SettledOutcome | UnknownOutcome

/** A terminal as listed by {@link Orchestrator.terminals}. */
export interface TerminalInfo {
  account: string
  provider: string
  terminal: string
  /** `offline`: known but unreachable; `unknown`: the provider does not say. */
  status: 'available' | 'busy' | 'offline' | 'unknown'
  /** Currencies it takes, when the provider says. */
  currencies?: readonly string[]
  raw?: unknown
}

/**
 * Pay at table: a bill the POS keeps open in the provider's cloud while waiters take card payments
 * for it at the table (Paymentsense Connect `/pat`). Amounts in minor units.
 */
export interface TableRequest {
  /** An account whose adapter has `tables`. */
  account: string
  /** The table's name at the provider: 1 to 64 printable characters, unique among open tables. */
  table: string
  /** What is owed, in minor units (0 allowed: a bill still being filled). */
  amount: number
  currency: string
  /** The POS's own reference for the bill: 1 to 64 printable characters. Kept in the journal. */
  reference: string
  /** The itemised bill, one line per string, shown on the terminal when the provider does. */
  receipt?: readonly string[]
  /** Waiters allowed to take payment for this table (provider's ids). */
  waiterIds?: readonly string[]
}

/** One card payment taken at the table, as the provider reports it. */
export interface TablePayment {
  /** The provider's id for the payment: the key it is delivered once by. */
  paymentId: string
  /** Toward the bill, in minor units. */
  amount: number
  gratuity: number
  cashback: number
  currency: string
  authCode?: string
  cardScheme?: string
  entryMethod?: string
  /** When the provider says it was taken (its own text). */
  time?: string
  /** The provider's own record of it. */
  raw: unknown
}

/** A table as last read from the provider. */
export interface TableState {
  amount: number
  amountPaid: number
  amountGratuity: number
  amountCashback: number
  /** A terminal (or someone) holds the table: writes are refused until it is released. */
  locked: boolean
  lockedBy?: string
  payments: readonly TablePayment[]
  /** Clock time of the read. */
  at: number
}

interface TableEventBase {
  /** 1 for a table's first event, then 2, 3...; continues across recovery. */
  seq: number
  /** The orchestrator's id for the table (a UUID, its journal key). */
  tableId: string
  /** The table's name at the provider. */
  table: string
  /** Clock time at which the orchestrator saw it. */
  at: number
}

/**
 * What happens at a table: each payment once (by `paymentId`, in the provider's order), the lock
 * taken and released (a terminal is paying), the bill fully paid, and the end (`closed`: by the
 * POS; `gone`: the provider no longer has the table, someone else closed it).
 */
export type TableEvent =
  | (TableEventBase & { type: 'tablePayment'; payment: TablePayment })
  | (TableEventBase & { type: 'locked'; lockedBy?: string })
  | (TableEventBase & { type: 'unlocked' })
  | (TableEventBase & { type: 'paid'; amount: number; amountPaid: number })
  | (TableEventBase & { type: 'closed'; reason: 'closed' | 'gone' })

export type TableEventType = TableEvent['type']

export type {
  PaymentKind,
  ProviderIds,
  PaymentRequest,
  PaymentEventType,
  PaymentEvent,
  SignatureRequiredEvent,
  Receipt,
  OutcomeStatus,
  OutcomeAmounts,
  ReconciliationFacts,
  Outcome,
  TerminalInfo,
} from './types.js'
export { PAYMENT_KINDS, OUTCOME_STATUSES } from './types.js'
export type {
  Capabilities,
  Pacing,
  ProviderNotification,
  ProviderOutcome,
  Observation,
  StartResult,
  PaymentContext,
  UnknownSituation,
  AdapterTerminal,
  AdapterEnvironment,
  ProviderAdapter,
} from './adapter.js'
export { foldRecord, EMPTY_CURSOR } from './journal.js'
export type { DeliveryCursor, JournalRecord, JournalEntry, JournalStore } from './journal.js'

export type {
  PaymentKind,
  ProviderIds,
  PaymentRequest,
  PaymentEventType,
  PaymentEvent,
  SignatureRequiredEvent,
  NoticeEvent,
  Receipt,
  OutcomeStatus,
  OutcomeAmounts,
  ReconciliationFacts,
  Outcome,
  SettledOutcome,
  UnknownOutcome,
  TerminalInfo,
  TableRequest,
  TablePayment,
  TableState,
  TableEvent,
  TableEventType,
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
  TableCapability,
  TableContext,
  TableGuard,
  TableWrite,
} from './adapter.js'
export { foldRecord, EMPTY_CURSOR } from './journal.js'
export type { DeliveryCursor, JournalRecord, JournalEntry, JournalStore } from './journal.js'
export { foldTableRecord, isTableRecord, tableDone, EMPTY_TABLE_CURSOR } from './journal.js'
export type { TableCursor, TableJournalRecord, TableJournalEntry } from './journal.js'
export type { IssuedSeqs } from './seqs.js'
export { TableError, type Table, type TableErrorReason } from './tables.js'
export { createOrchestrator } from './orchestrator.js'
export type {
  Orchestrator,
  OrchestratorOptions,
  PaymentInput,
  AmountInput,
} from './orchestrator.js'
export type { Payment, SignaturePolicy, DispatchInfo } from './payment.js'
export { CancelOnTerminalError, JournalWriteError } from './errors.js'
export { createMemoryJournal, type MemoryJournalOptions } from './journals/memory.js'
export {
  TillkitError,
  TillkitValidationError,
  TillkitHttpError,
  TillkitAbortedError,
} from '@tillkit/core'

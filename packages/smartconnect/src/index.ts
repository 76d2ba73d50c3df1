export {
  createSmartConnectClient,
  BASE_URLS,
  type SmartConnectClient,
  type SmartConnectClientOptions,
  type RegisterOptions,
  type StoreDetails,
  type PendingTransaction,
  type StartKnown,
  type CallOptions,
  type TransactOptions,
} from './client.js'
export {
  MIN_POLL_INTERVAL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  MAX_BACKOFF_MS,
  DEFAULT_DEADLINE_MS,
  POLLING_TOKEN_LIFETIME_MS,
  type PollResult,
  type RetryReason,
  type WaitEvent,
  type WaitOptions,
} from './poll.js'
export {
  readPollBody,
  parseAmount,
  type OutcomeStatus,
  type UnknownReason,
  type TransactionOutcome,
  type PollReading,
} from './outcome.js'
export { checkTransaction, TRANSACTION_FIELDS, TRANSACTION_RULES } from './rules.js'
export {
  TRANSACTION_TYPES,
  FINANCIAL_TYPES,
  MAX_AMOUNT,
  isTransactionType,
  type TransactionType,
  type TransactionFields,
  type TransactionRequestOf,
  type Amount,
} from './types.js'
export type { components, paths } from './generated/smartconnect.js'
export type { TransactionResult, ResultData } from './generated/transaction-result.js'
export {
  TillkitError,
  TillkitHttpError,
  TillkitValidationError,
  TillkitTimeoutError,
  TillkitNetworkError,
  TillkitAbortedError,
  TillkitUnknownOutcomeError,
  isTillkitError,
} from '@tillkit/core'

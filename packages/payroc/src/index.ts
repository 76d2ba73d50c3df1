export {
  createPayrocClient,
  type PayrocClient,
  type PayrocClientOptions,
  type PayrocApi,
} from './client.js'
export { PayrocTokenError } from './auth.js'
export {
  submitInstruction,
  waitForInstruction,
  cancelInstruction,
  retrieveResult,
  resultIdOf,
  type InstructionKind,
  type InstructionKinds,
  type InstructionStatus,
  type Instruction,
  type InstructionRequest,
  type InstructionResult,
  type SubmitArgs,
  type SubmitOptions,
  type Submitted,
  type SubmitKnown,
  type WaitOptions,
  type CancelResult,
} from './instructions.js'
export { approvalOf, type Approval } from './approval.js'
export { listDevices, type Device, type DeviceQuery } from './devices.js'
export { findPayments, type Payment, type PaymentFilters } from './payments.js'
export {
  INSTRUCTION_STATUSES,
  LONG_POLL_HOLD_MS,
  POLL_TIMEOUT_MS,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from './limits.js'
export type {
  components as PayrocComponents,
  paths as PayrocPaths,
  operations as PayrocOperations,
} from './generated/cloud-v1.js'
export {
  TillkitError,
  TillkitHttpError,
  TillkitValidationError,
  TillkitTimeoutError,
  TillkitNetworkError,
  TillkitAbortedError,
  TillkitUnknownOutcomeError,
  TillkitProtocolError,
} from '@tillkit/core'

export { systemClock, createManualClock, steady } from './clock.js'
export type { Clock, ManualClock, ManualClockOptions } from './clock.js'
export {
  TillkitError,
  TillkitValidationError,
  TillkitHttpError,
  TillkitTimeoutError,
  TillkitNetworkError,
  TillkitAbortedError,
  TillkitUnknownOutcomeError,
  TillkitProtocolError,
  TillkitRpcError,
  isTillkitError,
} from './errors.js'
export type {
  AnyTillkitError,
  TillkitErrorCode,
  TillkitErrorOptions,
  HttpErrorInit,
  UnknownOutcomeInit,
  ProtocolErrorOptions,
  RpcErrorInit,
} from './errors.js'
export { createRedactor, REDACTED, base64 } from './redact.js'
export type { Redactor } from './redact.js'
export { safeLogger } from './logger.js'
export type { Logger, LoggerLike } from './logger.js'
export {
  assertInteger,
  assertOneOf,
  assertString,
  assertBoolean,
  assertObject,
  assertAbsent,
  int,
  oneOf,
  string,
  text,
  bool,
  absent,
  optional,
  checkFields,
  fields,
  list,
  number,
  allOf,
  distinct,
  assertKnownFields,
  exactFields,
  checkOptions,
  checkClientOptions,
  checkCallOptions,
  dateTime,
  fn,
  header,
  urlText,
  segment,
  clockLike,
  retryPolicy,
  TRANSPORT_RULES,
} from './validate.js'
export type { StringRules, Check, Rules } from './validate.js'
export {
  describeSchemaErrors,
  schemaValidationError,
  type SchemaErrorLike,
} from './schema-errors.js'
export { uuid } from './ids.js'
export { guardClient, type CallInit, type BeforeCall } from './guard.js'
export {
  createTransport,
  createDraftTransport,
  parseRetryAfter,
  backoffDelay,
  RequestDraft,
} from './transport.js'
export type {
  RetryPolicy,
  TransportOptions,
  Transport,
  TransportBase,
  DraftTransport,
  Outgoing,
} from './transport.js'

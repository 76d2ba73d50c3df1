export {
  createAdyenClient,
  adyenBaseUrl,
  CLOUD_PROCESSING_LIMIT_MS,
  type AdyenClient,
  type AdyenClientOptions,
  type AdyenClientCommonOptions,
  type MerchantAccountFor,
  type AdyenRegion,
  type AdyenTransport,
  type AbortResult,
  type AsyncResult,
  type CallOptions,
  type DeviceApiHttpClient,
  type LegacyHttpClient,
  type PendingRequest,
  type StatusTarget,
  type WaitForStatusOptions,
} from './client.js'
export {
  createNexo,
  referenceOf,
  PROTOCOL_VERSION,
  type NexoBuilder,
  type NexoOptions,
  type MessageReference,
  type PaymentInput,
  type ReversalInput,
  type AbortInput,
  type TransactionStatusInput,
} from './nexo.js'
export {
  CURRENCY_EXPONENTS,
  currencyExponent,
  maxMinorAmount,
  toDecimalText,
  toMajorUnits,
  toMinorUnits,
} from './currency.js'
export { parseAdditionalResponse, parseFormEncoded } from './additional.js'
export {
  paymentOutcome,
  reversalOutcome,
  transactionStatusResult,
  type DeclineReason,
  type PaymentOutcome,
  type PoiTransaction,
  type ResultDetails,
  type ReversalOutcome,
  type TransactionStatusResult,
} from './results.js'
export { parseNotification, type AdyenNotification, type DisplayEvent } from './webhook.js'
export type * as Nexo from './nexo-types.js'
export type {
  components as DeviceApiComponents,
  paths as DeviceApiPaths,
} from './generated/device-api.js'
export type { components as LegacyComponents, paths as LegacyPaths } from './generated/legacy.js'
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

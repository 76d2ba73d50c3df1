export {
  createPaymentsenseClient,
  type PaymentsenseClient,
  type PaymentsenseClientOptions,
  type PacClient,
  type PatClient,
} from './client.js'
export { MAX_AMOUNT, MAX_CASHBACK, CURRENCIES } from './limits.js'
export type { components as PacComponents, paths as PacPaths } from './generated/pac-v2.js'
export type { components as PatComponents, paths as PatPaths } from './generated/pat-v1.js'
export {
  TillkitError,
  TillkitHttpError,
  TillkitValidationError,
  TillkitTimeoutError,
  TillkitNetworkError,
  TillkitAbortedError,
  TillkitProtocolError,
} from '@tillkit/core'

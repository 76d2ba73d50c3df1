/**
 * `@tillkit/paymentsense/ws`: the Connect WebSocket API (JSON-RPC 2.0), pay at counter and pay at table. Kept out of
 * the main entry, whose size is budgeted for REST-only users.
 */
export {
  connectPaymentsense,
  MAX_PENDING,
  MAX_RETIRED,
  type ConnectionEvents,
  type ConnectionState,
  type Handler,
  type LateResponse,
  type PaymentsenseConnection,
  type RequestKnown,
} from './connection.js'
/** Checks connection options as `connectPaymentsense` does, without opening anything (adapters fail early). */
export { settle as checkConnectOptions } from './options.js'
export type {
  ConnectOptions,
  LivenessPolicy,
  ReconnectPolicy,
  WebSocketConstructor,
  WebSocketLike,
} from './options.js'
export type {
  Call,
  Integration,
  IntegrationTypes,
  PacHandlers,
  PacNotifications,
  PacRequests,
  PatHandlers,
  PatNotifications,
} from './methods.js'
export {
  TillkitError,
  TillkitValidationError,
  TillkitTimeoutError,
  TillkitNetworkError,
  TillkitAbortedError,
  TillkitUnknownOutcomeError,
  TillkitProtocolError,
  TillkitRpcError,
} from '@tillkit/core'

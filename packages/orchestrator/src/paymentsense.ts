/**
 * `@tillkit/orchestrator/paymentsense`: the Paymentsense (Dojo) Connect adapters, REST and
 * WebSocket. Needs `@tillkit/paymentsense` installed beside the orchestrator.
 */
export { paymentsenseAdapter, type PaymentsenseAdapterOptions } from './adapters/paymentsense.js'
export {
  paymentsenseWebSocketAdapter,
  type PaymentsenseWebSocketAdapterOptions,
} from './adapters/paymentsense-ws.js'

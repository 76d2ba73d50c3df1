/** `@tillkit/orchestrator/adyen`: the Adyen cloud Terminal API adapter. Needs `@tillkit/adyen` installed. */
export {
  adyenAdapter,
  ARRIVAL_WINDOW_MS,
  type AdyenAdapter,
  type AdyenAdapterOptions,
  type AdyenAdapterOwnOptions,
} from './adapters/adyen.js'

/** `@tillkit/orchestrator/adyen`: the Adyen cloud Terminal API adapter. Needs `@tillkit/adyen` installed. */
export { adyenAdapter, type AdyenAdapter, type AdyenAdapterOptions } from './adapters/adyen.js'

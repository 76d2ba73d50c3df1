/** `@tillkit/orchestrator/payroc`: the Payroc Cloud adapter. Needs `@tillkit/payroc` installed. */
export { payrocAdapter, type PayrocAdapterOptions, type PayrocDevice } from './adapters/payroc.js'

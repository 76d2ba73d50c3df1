/** `@tillkit/orchestrator/smartconnect`: the SmartConnect adapter. Needs `@tillkit/smartconnect` installed. */
export { smartconnectAdapter, type SmartConnectAdapterOptions } from './adapters/smartconnect.js'

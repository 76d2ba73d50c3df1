/**
 * `@tillkit/core/fake`: what every provider's fake cloud shares (HTTP faults, MSW wiring). For
 * fake-cloud authors; clients never import it.
 */
export {
  FaultList,
  withFaults,
  jsonErrors,
  connectionReset,
  isConnectionReset,
  invalid as invalidFault,
  matches as faultMatches,
  type Counted,
  type ExtraFault,
  type FaultMatch,
  type HttpFault,
  type LatencyFault,
  type LostResponseFault,
  type StatusFault,
  type WithFaultsOptions,
} from './faults.js'
export { fakeFetch, type FakeFetch } from './fetch.js'
export { DAY_MS, durationMs, retentionHours } from './options.js'
export { httpHandler, requireMsw } from './msw.js'
export { baseOf, basePath, pathOf, stripBasePath, underBase, unprefixed } from './base.js'
export { route, type RouteMatch, type RouteSpec } from './router.js'
export { FakeLedger } from './ledger.js'
export { faultControl, type FakeFaults } from './control.js'
export { Refusal } from './refusal.js'
export { BufferedResponse, jsonResponse } from '../buffered-response.js'
export type { SocketAcceptance, SocketAcceptor, SocketLink, SocketPeer } from './socket.js'

import type { Clock } from '@tillkit/core'
import { FaultList, jsonErrors, withFaults, type HttpFault } from '@tillkit/core/fake'

export type {
  FaultMatch,
  HttpFault,
  LatencyFault,
  LostResponseFault,
  StatusFault,
} from '@tillkit/core/fake'

/** The fake's faults: core's HTTP kinds (latency, a status instead of processing, a lost response). */
export type Fault = HttpFault

export const smartConnectFaults = (): FaultList => new FaultList()

/** Status faults without a body answer in SmartConnect's `{ error }` shape. */
const ERROR_SHAPE = jsonErrors((status) => ({ error: `Injected fault: status ${status}` }))

export const withSmartConnectFaults = (
  handler: (request: Request) => Promise<Response>,
  faults: FaultList,
  clock: Clock,
) => withFaults(handler, faults, clock, ERROR_SHAPE)

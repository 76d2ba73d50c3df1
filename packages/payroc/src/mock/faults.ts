import { FaultList, jsonErrors, withFaults, type HttpFault } from '@tillkit/core/fake'
import type { Clock } from '@tillkit/core'
import { problemBody } from './http/problem.js'

export type {
  FaultMatch,
  HttpFault,
  LatencyFault,
  LostResponseFault,
  StatusFault,
} from '@tillkit/core/fake'

/** Payroc's fake has only the HTTP kinds: latency, a status instead of processing, a lost response. */
export type Fault = HttpFault

/** Status faults without a body of their own answer with a problem document. */
const PROBLEMS = jsonErrors((status) => problemBody(status, `Injected fault: HTTP ${status}.`))

export const payrocFaults = (): FaultList => new FaultList()

export const withPayrocFaults = (
  handler: (request: Request) => Promise<Response>,
  faults: FaultList,
  clock: Clock,
) => withFaults(handler, faults, clock, PROBLEMS)

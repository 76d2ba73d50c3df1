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

/**
 * A 500 is the gateway's own failure, answered with its problem document (type, title, status, detail) as every
 * other error; core leaves 5xx faults bodiless, which stays right for 502 to 504 (a proxy in front of it). A fault
 * with a `body` of its own keeps it.
 */
const withServerProblem = (faults: FaultList): Pick<FaultList, 'take'> => ({
  take(request) {
    const taken = faults.take(request)
    const { outcome } = taken
    if (outcome?.kind !== 'status' || outcome.status !== 500 || outcome.body !== undefined)
      return taken
    return {
      ...taken,
      outcome: { ...outcome, body: problemBody(500, 'Injected fault: HTTP 500.') },
    }
  },
})

export const withPayrocFaults = (
  handler: (request: Request) => Promise<Response>,
  faults: FaultList,
  clock: Clock,
) => withFaults(handler, withServerProblem(faults), clock, PROBLEMS)

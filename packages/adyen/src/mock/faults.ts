import type { Clock } from '@tillkit/core'
import {
  connectionReset,
  FaultList,
  faultMatches,
  invalidFault,
  jsonErrors,
  withFaults,
  type Counted,
  type FaultMatch,
  type HttpFault,
} from '@tillkit/core/fake'
import { problemBody } from './http.js'

export type {
  FaultMatch,
  HttpFault,
  LatencyFault,
  LostResponseFault,
  StatusFault,
} from '@tillkit/core/fake'

/**
 * The connection breaks `afterMs` (cloud time) after the request reached the cloud, while the answer is still
 * being waited for (a `/sync` held open by a running payment): the caller sees a reset, the terminal carries on.
 * Unlike `lostResponse`, which drops a finished answer, this cuts a request whose outcome is not decided yet.
 */
export interface DropConnectionFault extends Counted {
  kind: 'dropConnection'
  afterMs: number
  match?: FaultMatch
}

export type Fault = HttpFault | DropConnectionFault

export type AdyenFaults = FaultList<DropConnectionFault>

export function adyenFaults(): AdyenFaults {
  return new FaultList<DropConnectionFault>((fault) => {
    if (fault.kind !== 'dropConnection')
      invalidFault(`unknown kind ${(fault as { kind: unknown }).kind}`)
    if (!(fault.afterMs >= 0)) invalidFault('afterMs must be zero or more')
  })
}

/** Wraps the front-end: core's HTTP faults (answering in Adyen's error shape), then dropped connections. */
export function withAdyenFaults(
  handler: (request: Request) => Promise<Response>,
  faults: AdyenFaults,
  clock: Clock,
): (request: Request) => Promise<Response> {
  const faulty = withFaults(
    handler,
    faults,
    clock,
    jsonErrors((status) => problemBody(status, `Injected fault: status ${status}.`)),
  )
  return async (request) => {
    const path = new URL(request.url).pathname
    const drop = faults.takeKind('dropConnection', (f) =>
      faultMatches(f.match, request.method, path),
    )
    if (!drop) return faulty(request)
    const answer = faulty(request)
    let disarm = () => {}
    const cut = new Promise<'cut'>((resolve) => {
      disarm = clock.schedule(drop.afterMs, () => resolve('cut'))
    })
    const first = await Promise.race([answer, cut]).finally(disarm)
    if (first !== 'cut') return first
    // The caller is gone; whatever the cloud answers later goes nowhere.
    answer.catch(() => {})
    throw connectionReset()
  }
}

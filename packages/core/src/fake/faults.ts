import { BufferedResponse } from '../buffered-response.js'
import type { Clock } from '../clock.js'

/**
 * Faults a fake cloud can inject into its HTTP surface, shared by every provider's fake: latency,
 * a status instead of processing, and the lost response (processed, answer dropped). A provider
 * adds its own kinds (e.g. WebSocket faults) through the `Extra` parameter of {@link FaultList}.
 */

/** Which requests a fault applies to (all when omitted). */
export interface FaultMatch {
  method?: string
  /** Exact path (e.g. `/v1/payments`) or a pattern tested against the path. */
  path?: string | RegExp
}

export interface Counted {
  /** Apply this many times, then disappear. Default: until removed. */
  times?: number
}

interface HttpBase extends Counted {
  match?: FaultMatch
}

/** Delays the request (on the cloud's clock) before the cloud sees it. */
export interface LatencyFault extends HttpBase {
  kind: 'latency'
  ms: number
}

/** Answers with this status instead of processing the request. */
export interface StatusFault extends HttpBase {
  kind: 'status'
  status: number
  /**
   * JSON body (a string is sent as is). Default: the fake's own error body below 500, none from 500
   * and none for the statuses that cannot have one (204, 205, 304).
   */
  body?: unknown
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number
  /**
   * `Location` of a redirect (301, 302, 303, 307, 308). Default `https://redirect.invalid/`: a host
   * that never resolves, so a client that follows redirects (the tillkit clients do not) fails.
   */
  location?: string
}

/** Statuses whose responses have no body (Fetch's null body statuses, 101 and 103 aside). */
const NO_BODY: ReadonlySet<number> = new Set([204, 205, 304])
const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304

/**
 * The cloud processes the request (a payment really starts, the ledger may move), then the response
 * is lost: `reset` rejects like a dropped connection, `hang` never answers until the request's
 * signal aborts.
 */
export interface LostResponseFault extends HttpBase {
  kind: 'lostResponse'
  mode?: 'reset' | 'hang'
}

export type HttpFault = LatencyFault | StatusFault | LostResponseFault

/** A provider's own fault kinds: a `kind` tag and an optional use count. */
export type ExtraFault = Counted & { kind: string }

const HTTP_KINDS: ReadonlySet<string> = new Set(['latency', 'status', 'lostResponse'])

interface Armed<F> {
  fault: F
  remaining: number
}

/**
 * Injected faults, consulted in the order they were added. `checkExtra` validates the provider's
 * own kinds when armed (throw a TypeError to refuse one).
 */
export class FaultList<Extra extends ExtraFault = never> {
  private armed: Armed<HttpFault | Extra>[] = []

  constructor(private readonly checkExtra?: (fault: Extra) => void) {}

  add(fault: HttpFault | Extra): () => void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
      invalid('times must be a positive integer')
    }
    if (HTTP_KINDS.has(fault.kind)) checkHttp(fault as HttpFault)
    else if (this.checkExtra) this.checkExtra(fault as Extra)
    else invalid(`unknown kind ${fault.kind}`)
    const entry: Armed<HttpFault | Extra> = {
      fault,
      remaining: fault.times ?? Number.POSITIVE_INFINITY,
    }
    this.armed.push(entry)
    return () => {
      this.armed = this.armed.filter((e) => e !== entry)
    }
  }

  clear(): void {
    this.armed = []
  }

  get active(): readonly (HttpFault | Extra)[] {
    return this.armed.map((e) => e.fault)
  }

  /**
   * The HTTP faults that hit this request, each use counted: every matching latency (added up) and
   * the first matching status or lost-response fault.
   */
  take(request: Request): { delayMs: number; outcome?: StatusFault | LostResponseFault } {
    const path = new URL(request.url).pathname
    let delayMs = 0
    let outcome: StatusFault | LostResponseFault | undefined
    for (const entry of [...this.armed]) {
      if (!HTTP_KINDS.has(entry.fault.kind)) continue
      const fault = entry.fault as HttpFault
      if (!matches(fault.match, request.method, path)) continue
      if (fault.kind !== 'latency' && outcome) continue
      if (fault.kind === 'latency') delayMs += fault.ms
      else outcome = fault
      this.use(entry)
    }
    return { delayMs, ...(outcome && { outcome }) }
  }

  /** The first armed fault of one of the provider's own kinds that `applies` accepts, its use counted. */
  takeKind<K extends Extra['kind']>(
    kind: K,
    applies: (fault: Extract<Extra, { kind: K }>) => boolean = () => true,
  ): Extract<Extra, { kind: K }> | undefined {
    for (const entry of this.armed) {
      const fault = entry.fault as Extract<Extra, { kind: K }>
      if (fault.kind !== kind || !applies(fault)) continue
      this.use(entry)
      return fault
    }
    return undefined
  }

  private use(entry: Armed<HttpFault | Extra>): void {
    if (--entry.remaining <= 0) this.armed = this.armed.filter((e) => e !== entry)
  }
}

/** Whether a fault's `match` covers a request (a fault without one covers all). */
export function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false
  if (match.path === undefined) return true
  return typeof match.path === 'string' ? match.path === path : match.path.test(path)
}

/** Refuses a fault being armed. */
export function invalid(why: string): never {
  throw new TypeError(`Invalid fault: ${why}`)
}

function checkHttp(fault: HttpFault): void {
  switch (fault.kind) {
    case 'latency':
      if (!(fault.ms >= 0)) invalid('ms must be zero or more')
      return
    case 'status':
      if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
        invalid('status must be an HTTP status from 200 to 599')
      }
      if (NO_BODY.has(fault.status) && fault.body !== undefined)
        invalid(`a ${fault.status} has no body`)
      if (fault.location !== undefined && !isRedirect(fault.status))
        invalid('location is for a redirect status (3xx but 304)')
      return
    case 'lostResponse':
      if (fault.mode !== undefined && fault.mode !== 'reset' && fault.mode !== 'hang') {
        invalid('mode must be reset or hang')
      }
  }
}

/** The error undici's fetch rejects with when the server resets the connection. */
export function connectionReset(): TypeError {
  const cause = Object.assign(new Error('read ECONNRESET'), {
    code: 'ECONNRESET',
    syscall: 'read',
  })
  return new TypeError('fetch failed', { cause })
}

export function isConnectionReset(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    (error.cause as { code?: unknown } | undefined)?.code === 'ECONNRESET'
  )
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(abortReason(signal))
    signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true })
  })
}

export interface WithFaultsOptions {
  /**
   * The body of a status fault without its own `body`, below 500: the provider's error shape,
   * e.g. `{ userMessage }`. Returns the JSON value and its media type.
   */
  errorBody(status: number, request: Request): { body: unknown; contentType: string }
  /** The media type of a status fault's own `body`. Default `application/json`. */
  contentType?(request: Request): string
}

/** Options for a fake whose error bodies are plain JSON: `shape` is the provider's body for a status. */
export function jsonErrors(shape: (status: number) => unknown): WithFaultsOptions {
  return { errorBody: (status) => ({ body: shape(status), contentType: 'application/json' }) }
}

function statusResponse(fault: StatusFault, request: Request, options: WithFaultsOptions) {
  const headers: Record<string, string> = {}
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
  // A redirect names where to (MSW, unlike Node's fetch, follows one without a Location to /null).
  if (isRedirect(fault.status)) headers['location'] = fault.location ?? 'https://redirect.invalid/'
  let body: string | null = null
  if (NO_BODY.has(fault.status)) {
    // Nothing: a Response with a body for these throws, which MSW would leave unanswered.
  } else if (fault.body !== undefined) {
    body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body)
    headers['content-type'] = options.contentType?.(request) ?? 'application/json'
  } else if (fault.status < 500) {
    const error = options.errorBody(fault.status, request)
    body = JSON.stringify(error.body)
    headers['content-type'] = error.contentType
  }
  return new BufferedResponse(body, { status: fault.status, headers })
}

/** Wraps a fake cloud's handler so that the injected HTTP faults apply to it. */
export function withFaults(
  handler: (request: Request) => Promise<Response>,
  faults: Pick<FaultList, 'take'>,
  clock: Clock,
  options: WithFaultsOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const { delayMs, outcome } = faults.take(request)
    if (delayMs > 0) await clock.sleep(delayMs, request.signal)
    if (request.signal.aborted) throw abortReason(request.signal)
    if (outcome?.kind === 'status') return statusResponse(outcome, request, options)
    const response = await handler(request)
    if (outcome?.kind !== 'lostResponse') return response
    await response.body?.cancel()
    if (outcome.mode === 'hang') return untilAborted(request.signal)
    throw connectionReset()
  }
}

import type { Clock } from '@tillkit/core'
import { mediaFor } from './http/respond.js'

/** Which requests a fault applies to (all when omitted). */
export interface FaultMatch {
  method?: string
  /** Exact path (e.g. `/pac/terminals/X/transactions`) or a pattern tested against the path. */
  path?: string | RegExp
}

interface Counted {
  /** Apply this many times, then disappear. Default: until removed. */
  times?: number
}

interface FaultBase extends Counted {
  match?: FaultMatch
}

/** Delays the request (on the cloud's clock) before the cloud sees it. */
export interface LatencyFault extends FaultBase {
  kind: 'latency'
  ms: number
}

/** Answers with this status instead of processing the request. */
export interface StatusFault extends FaultBase {
  kind: 'status'
  status: number
  /** JSON body (a string is sent as is). Default: `{ userMessage }` below 500, nothing from 500. */
  body?: unknown
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number
}

/**
 * The cloud processes the request (a transaction really starts, the ledger may move), then the
 * response is lost: `reset` rejects like a dropped connection, `hang` never answers until the
 * request's signal aborts.
 */
export interface LostResponseFault extends FaultBase {
  kind: 'lostResponse'
  mode?: 'reset' | 'hang'
}

/**
 * WebSocket: ends connections abruptly (no close frame, code 1006 at the EPoS) at the moment the
 * fake is about to send a message, so the message is lost with the connection. With
 * `notification`, only when that terminal notification is next; otherwise on the next message.
 * `cloud.sockets.drop()` drops at once instead.
 */
export interface DropConnectionFault extends Counted {
  kind: 'dropConnection'
  notification?: string
}

/** WebSocket: every terminal notification is sent twice in a row. */
export interface DuplicateNotificationsFault extends Counted {
  kind: 'duplicateNotifications'
}

/**
 * WebSocket: a notification is held back and sent right after the next message (or after
 * `holdMs` of the cloud's clock if nothing follows), so the EPoS sees the two swapped.
 */
export interface ReorderNotificationsFault extends Counted {
  kind: 'reorderNotifications'
  /** Default 1 000. */
  holdMs?: number
}

/** WebSocket: protocol pings are skipped (each skipped ping uses one of `times`). */
export interface MissingPingsFault extends Counted {
  kind: 'missingPings'
}

/** WebSocket: each ping comes `delayMs` late (each late ping uses one of `times`). */
export interface SlowPingsFault extends Counted {
  kind: 'slowPings'
  delayMs: number
}

export type HttpFault = LatencyFault | StatusFault | LostResponseFault
export type SocketFault =
  | DropConnectionFault
  | DuplicateNotificationsFault
  | ReorderNotificationsFault
  | MissingPingsFault
  | SlowPingsFault
export type Fault = HttpFault | SocketFault

const SOCKET_KINDS: ReadonlySet<Fault['kind']> = new Set([
  'dropConnection',
  'duplicateNotifications',
  'reorderNotifications',
  'missingPings',
  'slowPings',
])

interface Armed {
  fault: Fault
  remaining: number
}

/** Injected faults, consulted in the order they were added. */
export class FaultList {
  private armed: Armed[] = []

  add(fault: Fault): () => void {
    check(fault)
    const entry: Armed = { fault, remaining: fault.times ?? Number.POSITIVE_INFINITY }
    this.armed.push(entry)
    return () => {
      this.armed = this.armed.filter((e) => e !== entry)
    }
  }

  clear(): void {
    this.armed = []
  }

  get active(): readonly Fault[] {
    return this.armed.map((e) => e.fault)
  }

  /**
   * The faults that hit this request, each use counted: every matching latency (added up) and the
   * first matching status or lost-response fault.
   */
  take(request: Request): { delayMs: number; outcome?: StatusFault | LostResponseFault } {
    const path = new URL(request.url).pathname
    let delayMs = 0
    let outcome: StatusFault | LostResponseFault | undefined
    for (const entry of [...this.armed]) {
      const fault = entry.fault as HttpFault
      if (SOCKET_KINDS.has(fault.kind)) continue
      if (!matches(fault.match, request.method, path)) continue
      if (fault.kind !== 'latency' && outcome) continue
      if (fault.kind === 'latency') delayMs += fault.ms
      else outcome = fault
      this.use(entry)
    }
    return { delayMs, ...(outcome && { outcome }) }
  }

  /**
   * The first armed socket fault of this kind that `applies` accepts, its use counted; the
   * WebSocket gateway asks at each outbound message or ping.
   */
  takeSocket<K extends SocketFault['kind']>(
    kind: K,
    applies: (fault: Extract<SocketFault, { kind: K }>) => boolean = () => true,
  ): Extract<SocketFault, { kind: K }> | undefined {
    for (const entry of this.armed) {
      const fault = entry.fault as Extract<SocketFault, { kind: K }>
      if (fault.kind !== kind || !applies(fault)) continue
      this.use(entry)
      return fault
    }
    return undefined
  }

  private use(entry: Armed): void {
    if (--entry.remaining <= 0) this.armed = this.armed.filter((e) => e !== entry)
  }
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false
  if (match.path === undefined) return true
  return typeof match.path === 'string' ? match.path === path : match.path.test(path)
}

function check(fault: Fault): void {
  const bad = (why: string) => {
    throw new TypeError(`Invalid fault: ${why}`)
  }
  if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
    bad('times must be a positive integer')
  }
  switch (fault.kind) {
    case 'latency':
      if (!(fault.ms >= 0)) bad('ms must be zero or more')
      return
    case 'status':
      if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
        bad('status must be an HTTP status from 200 to 599')
      }
      return
    case 'lostResponse':
      if (fault.mode !== undefined && fault.mode !== 'reset' && fault.mode !== 'hang') {
        bad('mode must be reset or hang')
      }
      return
    case 'reorderNotifications':
      if (fault.holdMs !== undefined && !(fault.holdMs > 0)) bad('holdMs must be above 0')
      return
    case 'slowPings':
      if (!(fault.delayMs > 0)) bad('delayMs must be above 0')
      return
    case 'dropConnection':
    case 'duplicateNotifications':
    case 'missingPings':
      return
    default:
      bad(`unknown kind ${(fault as { kind: unknown }).kind}`)
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

function statusResponse(fault: StatusFault, path: string): Response {
  const headers: Record<string, string> = {}
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
  let body: string | null = null
  if (fault.body !== undefined) {
    body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body)
  } else if (fault.status < 500) {
    body = JSON.stringify({ userMessage: `Injected fault: status ${fault.status}.` })
  }
  if (body !== null) headers['content-type'] = mediaFor(path)
  return new Response(body, { status: fault.status, headers })
}

/** Wraps a handler so that the injected faults apply to it. */
export function withFaults(
  handler: (request: Request) => Promise<Response>,
  faults: FaultList,
  clock: Clock,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const { delayMs, outcome } = faults.take(request)
    if (delayMs > 0) await clock.sleep(delayMs, request.signal)
    if (request.signal.aborted) throw abortReason(request.signal)
    if (outcome?.kind === 'status') return statusResponse(outcome, new URL(request.url).pathname)
    const response = await handler(request)
    if (outcome?.kind !== 'lostResponse') return response
    await response.body?.cancel()
    if (outcome.mode === 'hang') return untilAborted(request.signal)
    throw connectionReset()
  }
}

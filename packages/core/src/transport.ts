import { systemClock, type Clock } from './clock.js'
import {
  TillkitAbortedError,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitTimeoutError,
  type TillkitError,
} from './errors.js'
import { safeLogger, type Logger, type LoggerLike } from './logger.js'
import { createRedactor, type Redactor } from './redact.js'

export interface RetryPolicy {
  /** Total attempts, the first included. Default 3. */
  maxAttempts: number
  /** Default 250. */
  baseDelayMs: number
  /** Cap of one backoff delay. Default 8 000. */
  maxDelayMs: number
  /** No retry starts later than this many ms after the call began. Default 60 000. */
  maxElapsedMs: number
  /** Default [408, 425, 429, 500, 502, 503, 504]. */
  retryOnStatus: readonly number[]
}

export interface TransportOptions {
  /** Default `globalThis.fetch` (looked up per call). */
  fetch?: (input: Request) => Promise<Response>
  /** Per attempt, default 30 000: a hung attempt becomes a TillkitTimeoutError. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy> | false
  /** Consecutive attempts through this transport start at least this far apart. Default 0. */
  minIntervalMs?: number
  clock?: Clock
  /** Jitter source, default Math.random. */
  random?: () => number
  logger?: LoggerLike
  /** Registered in the redactor: removed from every log line and error. */
  secrets?: Array<string | undefined>
  /** Default: GET, HEAD, OPTIONS, or any request carrying an Idempotency-Key header. */
  isIdempotent?: (request: Request) => boolean
}

export interface Transport {
  /**
   * Fetch-compatible: give it to openapi-fetch as `fetch`. Resolves with the final Response for any
   * status; rejects only with TillkitTimeoutError, TillkitNetworkError or TillkitAbortedError.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  readonly redact: Redactor
  readonly logger: Logger
  readonly clock: Clock
  /** For openapi-fetch results: returns `data`, or throws a TillkitHttpError. */
  ok<T>(result: { data?: T; error?: unknown; response: Response }): T
  /** A TillkitHttpError from a response whose body was already read (or not). */
  httpError(response: Response, body: unknown, method?: string): TillkitHttpError
}

const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxElapsedMs: 60_000,
  retryOnStatus: [408, 425, 429, 500, 502, 503, 504],
}

/**
 * Error codes (as undici reports them in `error.cause.code`) that prove the request never left:
 * name resolution, connection setup and TLS certificate checks all fail before the first byte.
 */
const NOT_SENT =
  /^(ECONNREFUSED|ENOTFOUND|EAI_|E(NET|HOST)(UNREACH|DOWN)|EADDRNOTAVAIL|UND_ERR_CONNECT|ERR_TLS_CERT|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY)/

/** The first `code` along an error's cause chain. */
function errorCode(e: unknown): string | undefined {
  for (let x = e, i = 0; typeof x === 'object' && x !== null && i < 5; i++) {
    const { code, cause } = x as { code?: unknown; cause?: unknown }
    if (typeof code === 'string') return code
    x = cause
  }
  return undefined
}

/** `Retry-After` as ms from `now`: delay-seconds or an HTTP-date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = /[a-z]/i.test(v) ? Date.parse(v) : NaN
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * Full-jitter exponential backoff: a random delay in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))),
 * where `attempt` is the number of the attempt that just failed (1 for the first).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.floor(random() * cap)
}

const noop = () => {}

/** The request a response answers, for `httpError` (a property: cheaper for the GC than a WeakMap). */
const ORIGIN = Symbol('tillkit.request')
type Answered = Response & { [ORIGIN]?: Request }

/**
 * The init for one attempt. Requests are rebuilt from the URL, never from `request`: a Request made
 * from another Request follows its signal as well as the new one, which costs undici ~30 µs each.
 */
const init = (request: Request, body: ArrayBuffer | null, signal: AbortSignal): RequestInit => ({
  method: request.method,
  headers: request.headers,
  body,
  signal,
  redirect: request.redirect,
  credentials: request.credentials,
  cache: request.cache,
  integrity: request.integrity,
  keepalive: request.keepalive,
  referrer: request.referrer,
  referrerPolicy: request.referrerPolicy,
})

const safeMethod = (request: Request) =>
  /^(GET|HEAD|OPTIONS)$/.test(request.method) || request.headers.has('idempotency-key')

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body
  if (!body.trim()) return undefined
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

export function createTransport(options: TransportOptions = {}): Transport {
  const clock = options.clock ?? systemClock
  const redact = createRedactor(options.secrets)
  const logger = safeLogger(options.logger, redact)
  const timeoutMs = options.timeoutMs ?? 30_000
  const isIdempotent = options.isIdempotent ?? safeMethod
  // Explicit `undefined`s (options forwarded from a caller) keep the defaults.
  const given = Object.entries(options.retry || {}).filter(([, v]) => v !== undefined)
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...Object.fromEntries(given) }
  if (options.retry === false) policy.maxAttempts = 1
  /** The request each returned response answers, for `httpError`. */
  const logs = options.logger !== undefined
  let nextSlot = 0
  const spacing = options.minIntervalMs ?? 0
  // A custom fetch gets a Request, as openapi-fetch would give it; the platform fetch takes the URL
  // and init directly, which spares building a Request (and its AbortSignal) twice per attempt.
  const custom = options.fetch
  const send = custom
    ? (url: string, init: RequestInit) => custom(new Request(url, init))
    : (url: string, init: RequestInit) => fetch(url, init)

  /**
   * One attempt, after waiting `delay` (the retry backoff) and the spacing slot. Never rejects: it
   * resolves with the response or with the TillkitError the attempt became. `body` is the request
   * body read once up front, so every attempt sends the same bytes.
   */
  async function attempt(
    request: Request,
    body: ArrayBuffer | null,
    n: number,
    delay: number,
    maybeActed: boolean,
  ): Promise<Response | TillkitError> {
    const { method, signal } = request
    const control = new AbortController()
    const onAbort = () => control.abort()
    signal.addEventListener('abort', onAbort)
    let start = clock.now()
    let sent = false
    let timedOut = false
    let disarm = noop
    let result: Response | TillkitError
    try {
      if (delay > 0) await clock.sleep(delay, signal)
      // Spacing: the start slot is reserved synchronously, so concurrent calls queue in call order.
      start = clock.now()
      const slot = Math.max(start, nextSlot)
      nextSlot = slot + spacing
      if (slot > start) await clock.sleep(slot - start, signal)
      signal.throwIfAborted()
      start = clock.now()
      // Raced against our own signal, so a fetch that ignores aborts cannot hang the caller.
      result = await new Promise<Response>((resolve, reject) => {
        control.signal.addEventListener('abort', reject)
        // A fresh timeout per attempt, on the injected clock, disarmed when the attempt settles.
        disarm = clock.schedule(timeoutMs, () => {
          timedOut = true
          control.abort()
        })
        sent = true
        send(request.url, init(request, body, control.signal)).then(resolve, reject)
      })
    } catch (e) {
      const label = `${method} ${redact(request.url)}`
      const code = errorCode(e)
      result = signal.aborted
        ? new TillkitAbortedError(`${label} aborted by the caller`, maybeActed || sent, {
            cause: signal.reason,
            redact,
          })
        : timedOut
          ? new TillkitTimeoutError(`${label} timed out after ${timeoutMs} ms`, timeoutMs, {
              redact,
            })
          : new TillkitNetworkError(
              `${label} failed${code ? ` (${code})` : ''}`,
              sent && !NOT_SENT.test(code ?? ''),
              { cause: e, redact },
            )
    } finally {
      disarm()
      signal.removeEventListener('abort', onAbort)
    }
    if (logs) {
      const outcome =
        result instanceof Response ? { status: result.status } : { error: result.code }
      const elapsedMs = clock.now() - start
      logger.debug(
        { method, url: request.url, attempt: n, ...outcome, elapsedMs },
        'tillkit attempt',
      )
    }
    return result
  }

  function httpError(response: Response, body: unknown, method?: string): TillkitHttpError {
    const origin = (response as Answered)[ORIGIN]
    return new TillkitHttpError({
      status: response.status,
      body: parseBody(body),
      method: method ?? origin?.method ?? 'UNKNOWN',
      url: origin?.url ?? response.url,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), clock.now()),
      redact,
    })
  }

  /** Read once, so every attempt sends the same bytes; an unreadable body means nothing is sent. */
  async function readBody(request: Request): Promise<ArrayBuffer> {
    try {
      return await request.arrayBuffer()
    } catch (e) {
      const label = `${request.method} ${redact(request.url)}`
      throw new TillkitNetworkError(`${label}: the request body cannot be read`, false, {
        cause: e,
        redact,
      })
    }
  }

  return {
    redact,
    logger,
    clock,

    async fetch(input, init) {
      const request = input instanceof Request && !init ? input : new Request(input, init)
      const idempotent = isIdempotent(request)
      const body = request.body ? await readBody(request) : null
      const started = clock.now()
      // Whether an earlier attempt may have been acted on: an abort then leaves the outcome open.
      let maybeActed = false
      let delay = 0
      for (let n = 1; ; n++) {
        const result = await attempt(request, body, n, delay, maybeActed)
        let retry: boolean
        delay = backoffDelay(n, policy, options.random ?? Math.random)
        if (result instanceof Response) {
          const { status } = result
          maybeActed ||= status >= 500
          // 429: the provider refused the request unprocessed, so any method may repeat it.
          retry = policy.retryOnStatus.includes(status) && (idempotent || status === 429)
          delay = parseRetryAfter(result.headers.get('retry-after'), clock.now()) ?? delay
        } else {
          if (result.code === 'ABORTED') throw result
          maybeActed ||= result.mayHaveReachedProvider
          retry = idempotent || !result.mayHaveReachedProvider
        }
        const inBudget = clock.now() - started + delay <= policy.maxElapsedMs
        if (!retry || n >= policy.maxAttempts || !inBudget) {
          if (!(result instanceof Response)) throw result
          ;(result as Answered)[ORIGIN] = request
          return result
        }
        const reason = result instanceof Response ? result.status : result.code
        logger.warn(
          { method: request.method, url: request.url, attempt: n, reason, delayMs: delay },
          'tillkit retry',
        )
        // Free the connection; not awaited, as a tee'd body only settles when both branches end.
        if (result instanceof Response) result.body?.cancel().catch(noop)
      }
    },

    httpError,

    ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
      if (result.response.ok && result.error === undefined) return result.data as T
      throw httpError(result.response, result.error)
    },
  }
}

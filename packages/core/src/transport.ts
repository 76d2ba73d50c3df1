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
  isIdempotent?: (request: Outgoing) => boolean
}

/** What the transport reads of a request, whether a real Request or a {@link RequestDraft}. */
export interface Outgoing {
  readonly method: string
  readonly url: string
  readonly headers: Headers
}

/**
 * A stand-in for `Request` that only records the URL and init: give it to openapi-fetch as its
 * `Request` option. The transport then sends that init as it is, so the body is never streamed back
 * and undici builds one Request per attempt instead of two.
 */
export class RequestDraft implements Outgoing {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  readonly init: RequestInit
  constructor(input: string | URL, init: RequestInit = {}) {
    this.url = String(input)
    this.init = init
    this.method = (init.method ?? 'GET').toUpperCase()
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers)
  }
}

export interface Transport {
  /**
   * Fetch-compatible: give it to openapi-fetch as `fetch`. Resolves with the final Response for any
   * status; rejects only with TillkitTimeoutError, TillkitNetworkError or TillkitAbortedError.
   */
  fetch(input: Request | RequestDraft | string | URL, init?: RequestInit): Promise<Response>
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
 * name resolution, connection setup and TLS certificate checks all fail before the first byte. Every
 * certificate failure has CERT (e.g. `ERR_TLS_CERT_ALTNAME_INVALID`, `SELF_SIGNED_CERT_IN_CHAIN`) or
 * UNABLE_TO (e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`) in its code.
 */
const NOT_SENT =
  /^(ECONNREFUSED|ENOTFOUND|EAI_|E(NET|HOST)(UNREACH|DOWN)|EADDRNOTAVAIL|UND_ERR_CONNECT)|CERT|UNABLE_TO/

/** The first `code` along an error's cause chain (at most 5 deep, so a cyclic chain ends). */
function errorCode(e: unknown, depth = 5): string | undefined {
  if (typeof e !== 'object' || e === null || !depth) return undefined
  const { code, cause } = e as { code?: unknown; cause?: unknown }
  return typeof code === 'string' ? code : errorCode(cause, depth - 1)
}

/** `Retry-After` as ms from `now`: delay-seconds or an HTTP-date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  const v = value?.trim() ?? ''
  if (/^\d+$/.test(v)) return Number(v) * 1000
  // Only a date names a day or month: Date.parse alone would also read '1.5' or '-1' as dates.
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
type Answered = Response & { [ORIGIN]?: Outgoing }

/** The signal of a draft made without one. */
const NEVER = new AbortController().signal

/**
 * The init for one attempt. Requests are rebuilt from the URL, never from `request`: a Request made
 * from another Request follows its signal as well as the new one, which costs undici ~30 µs each.
 */
const attemptInit = (
  request: Request | RequestDraft,
  body: BodyInit | null,
  signal: AbortSignal,
): RequestInit =>
  request instanceof RequestDraft
    ? { ...request.init, body, signal }
    : {
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
      }

const safeMethod = (request: Outgoing) =>
  /^(GET|HEAD|OPTIONS)$/.test(request.method) || request.headers.has('idempotency-key')

/** An error body as openapi-fetch hands it over: text that holds JSON is parsed, blank text is none. */
function parseBody(body: unknown): unknown {
  try {
    return typeof body === 'string' ? (body.trim() ? JSON.parse(body) : undefined) : body
  } catch {
    return body
  }
}

export function createTransport(options: TransportOptions = {}): Transport {
  const {
    clock = systemClock,
    timeoutMs = 30_000,
    isIdempotent = safeMethod,
    minIntervalMs = 0,
    random = Math.random,
    fetch: custom,
  } = options
  const redact = createRedactor(options.secrets)
  const logger = safeLogger(options.logger, redact)
  // Explicit `undefined`s (options forwarded from a caller) keep the defaults.
  const policy: RetryPolicy = { ...DEFAULT_RETRY }
  for (const [key, value] of Object.entries(options.retry || {}))
    if (value !== undefined) (policy as unknown as Record<string, unknown>)[key] = value
  if (options.retry === false) policy.maxAttempts = 1
  const logs = options.logger !== undefined
  let nextSlot = 0
  // A custom fetch gets a Request, as openapi-fetch would give it; the platform fetch takes the URL
  // and init directly, which spares building a Request (and its AbortSignal) twice per attempt.
  const send = custom
    ? (url: string, init: RequestInit) => custom(new Request(url, init))
    : (url: string, init: RequestInit) => fetch(url, init)

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

  return {
    redact,
    logger,
    clock,

    async fetch(input, init) {
      const request =
        input instanceof RequestDraft || (input instanceof Request && !init)
          ? input
          : new Request(input, init)
      const { method, url } = request
      const draft = request instanceof RequestDraft
      const signal = (draft ? request.init.signal : request.signal) ?? NEVER
      // Error messages are redacted by the error constructors.
      const label = `${method} ${url}`
      const idempotent = isIdempotent(request)
      // Every attempt sends the same bytes: text as it is; anything else (a stream) is read once,
      // and an unreadable body means nothing is sent.
      const raw = draft ? (request.init.body ?? null) : request.body
      const body =
        raw === null || typeof raw === 'string'
          ? raw
          : // A used stream throws in the Response constructor: inside then() it becomes a rejection.
            await Promise.resolve(raw)
              .then((stream) => new Response(stream).arrayBuffer())
              .catch((cause: unknown) => {
                throw new TillkitNetworkError(`${label}: body unreadable`, false, {
                  cause,
                  redact,
                })
              })
      const started = clock.now()
      // Whether an earlier attempt may have been acted on: an abort then leaves the outcome open.
      let maybeActed = false
      let delay = 0
      for (let n = 1; ; n++) {
        // One attempt: wait `delay` (the retry backoff) and the spacing slot, then send. It ends
        // with the response or the TillkitError it became.
        const control = new AbortController()
        const abort = () => control.abort()
        signal.addEventListener('abort', abort)
        let start = clock.now()
        let sent = false
        let disarm = noop
        let result: Response | TillkitError
        try {
          if (delay > 0) await clock.sleep(delay, signal)
          // Spacing: the start slot is reserved synchronously, so concurrent calls queue in call order.
          start = clock.now()
          const slot = Math.max(start, nextSlot)
          nextSlot = slot + minIntervalMs
          if (slot > start) await clock.sleep(slot - start, signal)
          signal.throwIfAborted()
          start = clock.now()
          // Raced against our own signal, so a fetch that ignores aborts cannot hang the caller.
          result = await new Promise<Response>((resolve, reject) => {
            control.signal.addEventListener('abort', reject)
            // A fresh timeout per attempt, on the injected clock, disarmed when the attempt settles.
            disarm = clock.schedule(timeoutMs, abort)
            sent = true
            send(url, attemptInit(request, body, control.signal)).then(resolve, reject)
          })
        } catch (e) {
          const code = errorCode(e)
          // Our signal fires on the caller's abort or on the timeout: if not the caller's, the timeout's.
          result = signal.aborted
            ? new TillkitAbortedError(`${label} aborted`, maybeActed || sent, {
                cause: signal.reason,
                redact,
              })
            : control.signal.aborted
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
          signal.removeEventListener('abort', abort)
        }
        if (logs)
          logger.debug(
            {
              method,
              url,
              attempt: n,
              ...(result instanceof Response ? { status: result.status } : { error: result.code }),
              elapsedMs: clock.now() - start,
            },
            'tillkit attempt',
          )
        let retry: boolean
        let reason: number | string
        let retryAfter: number | undefined
        if (result instanceof Response) {
          const status: number = result.status
          reason = status
          maybeActed ||= status >= 500
          // 429: the provider refused the request unprocessed, so any method may repeat it.
          retry = policy.retryOnStatus.includes(status) && (idempotent || status === 429)
          retryAfter = parseRetryAfter(result.headers.get('retry-after'), clock.now())
        } else {
          if (result.code === 'ABORTED') throw result
          reason = result.code
          maybeActed ||= result.mayHaveReachedProvider
          retry = idempotent || !result.mayHaveReachedProvider
        }
        delay = retryAfter ?? backoffDelay(n, policy, random)
        if (
          !retry ||
          n >= policy.maxAttempts ||
          clock.now() - started + delay > policy.maxElapsedMs
        ) {
          if (!(result instanceof Response)) throw result
          ;(result as Answered)[ORIGIN] = request
          return result
        }
        logger.warn({ method, url, attempt: n, reason, delayMs: delay }, 'tillkit retry')
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

import { steady, systemClock, type Clock } from './clock.js'
import {
  TillkitAbortedError,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitTimeoutError,
  type TillkitError,
} from './errors.js'
import { safeLogger, SILENT, type Logger, type LoggerLike } from './logger.js'
import { ANSWERED, IN_MEMORY, located, TAKES_INIT, type InitFetch } from './markers.js'
import { defaultFetch, inMemory, isPlatformFetch } from '#platform'
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
  /**
   * Default: on Node, core's `node:http` fetch, unless `globalThis.fetch` is not Node's own (a stub,
   * an interceptor) or undici's global dispatcher is a proxy; elsewhere `globalThis.fetch` (looked
   * up per call).
   */
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

/** What both transports share: the redactor, logger and clock they use, and result helpers. */
export interface TransportBase {
  readonly redact: Redactor
  readonly logger: Logger
  readonly clock: Clock
  /** For openapi-fetch results: returns `data`, or throws a TillkitHttpError. */
  ok<T>(result: { data?: T; error?: unknown; response: Response }): T
  /** A TillkitHttpError from a response whose body was already read (or not). */
  httpError(response: Response, body: unknown, method?: string): TillkitHttpError
}

export interface Transport extends TransportBase {
  /**
   * Fetch-compatible: give it to openapi-fetch as `fetch`. Resolves with the final Response for any
   * status; rejects only with TillkitTimeoutError, TillkitNetworkError or TillkitAbortedError.
   */
  fetch(input: Request | RequestDraft | string | URL, init?: RequestInit): Promise<Response>
}

/**
 * A transport that takes drafts only: what a client gets when openapi-fetch builds its requests as
 * drafts (`Request: RequestDraft`). The body is sent as the draft holds it on every attempt, so it
 * must be one that can be sent again (text, FormData, URLSearchParams, Blob; not a stream).
 */
export interface DraftTransport extends TransportBase {
  /** As {@link Transport.fetch}, for a draft. */
  fetch(draft: RequestDraft): Promise<Response>
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
 * name resolution (ENOTFOUND, EAI_*), connection setup (ECONNREFUSED, E*UNREACH, ENETDOWN,
 * EHOSTDOWN, EADDRNOTAVAIL, UND_ERR_CONNECT*) and TLS certificate checks all fail before the first
 * byte. Every certificate failure has CERT (e.g. `ERR_TLS_CERT_ALTNAME_INVALID`) or UNABLE_TO (e.g.
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`) in its code.
 */
const NOT_SENT =
  /REFUSED|NOTFOUND|^EAI_|UNREACH|^E(NET|HOST)DOWN|ADDRNOTAVAIL|^UND_ERR_CONNECT|CERT|UNABLE_TO/

/** The first `code` along an error's cause chain (at most 5 deep, so a cyclic chain ends). */
function errorCode(e: unknown, depth = 5): string | undefined {
  const { code, cause } = (e ?? {}) as { code?: unknown; cause?: unknown }
  return typeof code == 'string' ? code : depth ? errorCode(cause, depth - 1) : undefined
}

/** `Retry-After` as ms from `now`: delay-seconds or an HTTP-date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  const v = value?.trim() ?? ''
  // Only a date names a day or month: Date.parse alone would also read '1.5' or '-1' as dates.
  const at = /^\d+$/.test(v) ? now + +v * 1000 : /[a-z]/i.test(v) ? Date.parse(v) : NaN
  return at >= 0 ? Math.max(0, at - now) : undefined
}

/**
 * Full-jitter exponential backoff: a random delay in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))),
 * where `attempt` is the number of the attempt that just failed (1 for the first).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)))
}

const noop = () => {}

/**
 * Reads the body inside the attempt, so its timeout (and the caller's abort) covers the body as well
 * as the headers, and a body that breaks off is a TillkitError like any lost answer. Payment answers
 * are small; a response already in memory (a fake's, `createNodeFetch`'s) is passed on as it is.
 */
async function readBody(response: Response): Promise<Response> {
  if ((response as { [IN_MEMORY]?: true })[IN_MEMORY] || response.body === null) return response
  const copy = inMemory(new Uint8Array(await response.arrayBuffer()), response)
  return located(copy, response.url, response.redirected)
}

/** The request a response answers, for `httpError` (a property: cheaper for the GC than a WeakMap). */
const ORIGIN = Symbol()
/** Set on the final answer of a request an earlier attempt of which may have been acted on. */
const ACTED = Symbol()
type Answered = Response & { [ORIGIN]?: Outgoing; [ACTED]?: true }

/** Methods that change nothing: their answers never leave an outcome open. */
const SAFE = /^(GET|HEAD|OPTIONS)$/

const safeMethod = (request: Outgoing) =>
  SAFE.test(request.method) || request.headers.has('idempotency-key')

/**
 * The transport without {@link createTransport}'s Request handling, so a client whose requests are all
 * drafts does not ship it.
 */
export function createDraftTransport(options: TransportOptions = {}): DraftTransport {
  const {
    clock = systemClock,
    timeoutMs = 30_000,
    isIdempotent = safeMethod,
    minIntervalMs = 0,
    random = Math.random,
    fetch: custom,
    retry,
  } = options
  const redact = createRedactor(options.secrets)
  const logger = safeLogger(options.logger, redact)
  // Explicit `undefined`s (options forwarded from a caller) keep the defaults.
  const policy: RetryPolicy = Object.assign(
    { ...DEFAULT_RETRY },
    ...Object.entries(retry || {}).map(([k, v]) => v !== undefined && { [k]: v }),
    retry === false && { maxAttempts: 1 },
  )
  const logs = logger !== SILENT
  // Spacing, attempt times and the retry budget on steady time: a step of the wall clock neither
  // stalls the next request nor lets one go early.
  const elapsed = steady(clock)
  let nextSlot = -Infinity

  const httpError = (response: Response, body: unknown, method?: string) => {
    const origin = (response as Answered)[ORIGIN]
    // An error body as openapi-fetch hands it over: text that holds JSON is parsed, blank text is none.
    if (typeof body == 'string')
      try {
        body = body.trim() ? JSON.parse(body) : undefined
      } catch {}
    return new TillkitHttpError({
      status: response.status,
      body,
      method: method ?? origin?.method ?? 'UNKNOWN',
      url: origin?.url ?? response.url,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), clock.now()),
      redact,
      earlierMayHaveActed: (response as Answered)[ACTED],
    })
  }

  return {
    redact,
    logger,
    clock,
    httpError,
    ok(result) {
      if (result.response.ok && result.error === undefined) return result.data!
      throw httpError(result.response, result.error)
    },

    async fetch(request) {
      const { method, url } = request
      const { signal, body = null } = request.init
      // Error messages are redacted by the error constructors.
      const label = `${method} ${url}`
      const idempotent = isIdempotent(request)
      const started = elapsed()
      // Whether an earlier attempt may have been acted on: an abort then leaves the outcome open.
      let maybeActed = false
      let delay = 0
      for (let attempt = 1; ; attempt++) {
        // One attempt: wait `delay` (the retry backoff) and the spacing slot, then send. It ends
        // with the response or the TillkitError it became.
        const control = new AbortController()
        let race: (reason: unknown) => void = noop
        // The caller's abort or the timeout: stop the fetch, and end the race at once even if the
        // fetch ignores its signal (no listener on the attempt's signal, which the platform fetch
        // keeps until a finalizer runs, so it holds nothing of ours).
        const abort = () => {
          control.abort()
          race(control.signal.reason)
        }
        signal?.addEventListener('abort', abort)
        let start = elapsed()
        let sent = false
        let disarm = noop
        let result: Response | TillkitError
        try {
          if (delay) await clock.sleep(delay, signal ?? undefined)
          // Spacing: the start slot is reserved synchronously, so concurrent calls queue in call order.
          start = elapsed()
          const slot = Math.max(start, nextSlot)
          nextSlot = slot + minIntervalMs
          if (slot > start) await clock.sleep(slot - start, signal ?? undefined)
          signal?.throwIfAborted()
          start = elapsed()
          result = await new Promise<Response>((resolve, reject) => {
            race = reject
            // A fresh timeout per attempt, on the injected clock, disarmed when the attempt settles.
            disarm = clock.schedule(timeoutMs, abort)
            const next = { ...request.init, body, signal: control.signal }
            // A custom fetch gets a Request, as openapi-fetch would give it; the default, the
            // platform fetch and a fetch marked TAKES_INIT take the URL and init, which spares
            // building a Request (and its AbortSignal) twice per attempt. A Request that cannot
            // be built (a method the platform refuses) throws before anything is sent.
            const built =
              custom && !(custom as Partial<InitFetch>)[TAKES_INIT] && !isPlatformFetch(custom)
                ? new Request(url, next)
                : undefined
            sent = true
            const answer = built
              ? custom!(built)
              : ((custom as InitFetch | undefined) ?? defaultFetch())(url, next)
            answer.then(readBody).then(resolve, reject)
          })
        } catch (e) {
          const code = errorCode(e)
          // The caller's abort, else our timeout, else the network.
          result = signal?.aborted
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
                  // An earlier attempt may have been acted on, whatever this one proves.
                  maybeActed || (sent && !NOT_SENT.test(code ?? '')),
                  { cause: e, redact },
                )
        } finally {
          disarm()
          signal?.removeEventListener('abort', abort)
        }
        const outcome: Response | TillkitError = result
        const answered = outcome instanceof Response
        if (logs)
          logger.debug(
            {
              method,
              url,
              attempt,
              ...(answered ? { status: outcome.status } : { error: outcome.code }),
              elapsedMs: elapsed() - start,
            },
            'tillkit attempt',
          )
        let again: boolean
        let reason: number | string
        delay = -1
        if (answered) {
          const status: number = (reason = outcome.status)
          // An earlier attempt may have been acted on: this answer cannot close the outcome.
          if (maybeActed && !SAFE.test(method)) (outcome as Answered)[ACTED] = true
          maybeActed ||= status >= 500 || status == 408
          // 429: the provider refused the request unprocessed, so any method may repeat it.
          again = policy.retryOnStatus.includes(status) && (idempotent || status == 429)
          delay = parseRetryAfter(outcome.headers.get('retry-after'), clock.now()) ?? -1
        } else {
          if (outcome.code == 'ABORTED') throw outcome
          reason = outcome.code
          maybeActed ||= outcome.mayHaveReachedProvider
          again = idempotent || !outcome.mayHaveReachedProvider
        }
        if (delay < 0) delay = backoffDelay(attempt, policy, random)
        if (
          !again ||
          attempt >= policy.maxAttempts ||
          elapsed() - started + delay > policy.maxElapsedMs
        ) {
          if (!answered) throw outcome
          ;(outcome as Answered)[ORIGIN] = request
          ;(request.init as { [ANSWERED]?: () => void })[ANSWERED]?.()
          return outcome
        }
        logger.warn({ method, url, attempt, reason, delayMs: delay }, 'tillkit retry')
        // Free the connection; not awaited, as a tee'd body only settles when both branches end.
        if (answered) outcome.body?.cancel().catch(noop)
      }
    },
  }
}

/** What fetch reads of a Request as its init. */
const FIELDS = [
  'method',
  'headers',
  'body',
  'signal',
  'redirect',
  'credentials',
  'cache',
  'integrity',
  'keepalive',
  'referrer',
  'referrerPolicy',
] as const

/**
 * A Request travels as a draft of its fields, never as a copy: a Request made from another Request
 * follows its signal as well as the new one, which costs undici ~30 µs each.
 */
const draftOf = (request: Request) =>
  new RequestDraft(request.url, Object.fromEntries(FIELDS.map((k) => [k, request[k]])))

/** A draft transport that also takes a Request, a URL and init, or a draft with a stream body. */
export function createTransport(options: TransportOptions = {}): Transport {
  const transport = createDraftTransport(options)
  return {
    ...transport,
    async fetch(input, init) {
      const request =
        input instanceof RequestDraft
          ? input
          : draftOf(input instanceof Request && !init ? input : new Request(input, init))
      const raw = request.init.body
      if (raw == null || typeof raw == 'string') return transport.fetch(request)
      // Every attempt sends the same bytes: anything but text (a stream) is read once, and an
      // unreadable body (a used stream throws in the Response constructor) means nothing is sent.
      // The platform tells the content type of a form or search-params body: it goes with the bytes.
      let type: string | null = null
      const body = await Promise.resolve(raw)
        .then((stream) => {
          const typed = new Response(stream)
          type = typed.headers.get('content-type')
          return typed.arrayBuffer()
        })
        .catch((cause: unknown) => {
          throw new TillkitNetworkError(
            `${request.method} ${request.url}: body unreadable`,
            false,
            {
              cause,
              redact: transport.redact,
            },
          )
        })
      const headers = new Headers(request.init.headers)
      if (type && !headers.has('content-type')) headers.set('content-type', type)
      return transport.fetch(new RequestDraft(request.url, { ...request.init, headers, body }))
    },
  }
}

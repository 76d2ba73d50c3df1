import { steady, systemClock, type Clock } from './clock.js'
import {
  TillkitAbortedError,
  TillkitError,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitTimeoutError,
  TillkitValidationError,
} from './errors.js'
import { safeLogger, SILENT, type Logger, type LoggerLike } from './logger.js'
import { ANSWERED, IN_MEMORY, located, REDIRECTED, TAKES_INIT, type InitFetch } from './markers.js'
import { defaultFetch, inMemory, isPlatformFetch } from '#platform'
import { createRedactor, type Redactor } from './redact.js'
import { checkOptions, optional, parseDateTime, retryPolicy } from './validate.js'

export interface RetryPolicy {
  /** Total attempts, the first included. Default 3. */
  maxAttempts: number
  /** Default 250. */
  baseDelayMs: number
  /** Cap of one backoff delay. Default 8 000. */
  maxDelayMs: number
  /** No retry starts later than this many ms after the call began (spacing included). Default 60 000. */
  maxElapsedMs: number
  /** Default [408, 425, 429, 500, 502, 503, 504]. */
  retryOnStatus: readonly number[]
}

export interface TransportOptions {
  /**
   * Default: on Node, core's `node:http` fetch, unless `globalThis.fetch` is not Node's own (a stub,
   * an interceptor) or undici's global dispatcher is a proxy; elsewhere `globalThis.fetch` (looked
   * up per call). Only core's fetch says which hop of a redirect failed: with any other, while the
   * request follows redirects (`redirect: 'follow'`, the default), no error proves it unsent (a
   * refused connection may be a later hop's), so a non-idempotent request is not retried on one.
   * `redirect: 'manual'` or `'error'` keeps the proof.
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
   * status; rejects only with TillkitTimeoutError, TillkitNetworkError or TillkitAbortedError, or
   * a TillkitValidationError, before sending, for a request that cannot go (a URL that is not http(s)).
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
 * Error codes (as undici reports them in `error.cause.code`) that prove the request never left, on
 * a first hop (a fetch that may have followed a redirect proves nothing, see `TransportOptions.fetch`):
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

/**
 * The three forms of an HTTP-date (RFC 9110, 5.6.7), all GMT: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
 * GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
 */
const HTTP_DATES = [
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?<d>\d\d) (?<m>\w{3}) (?<y>\d{4}) (?<t>\d\d:\d\d:\d\d) GMT$/,
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<d>\d\d)-(?<m>\w{3})-(?<y>\d\d) (?<t>\d\d:\d\d:\d\d) GMT$/,
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?<m>\w{3}) (?<d> \d|\d\d) (?<t>\d\d:\d\d:\d\d) (?<y>\d{4})$/,
]
/** A month's number is its index here / 3 + 1 (a fraction for anything else). */
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec'

/** `Retry-After` as ms from `now`: delay-seconds or an HTTP-date; undefined when absent or anything else. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  const v = value?.trim() ?? ''
  const at = /^\d+$/.test(v) ? now + +v * 1000 : httpDate(v, now)
  return at >= 0 ? Math.max(0, at - now) : undefined
}

/**
 * An HTTP-date as epoch ms; NaN for anything else, which Date.parse would often read as some date
 * (`wait 3` as March 2001) or in local time (asctime). `now` places RFC 850's two-digit year.
 */
function httpDate(value: string, now: number): number {
  const date = HTTP_DATES.map((form) => form.exec(value)?.groups).find(Boolean)
  if (!date) return NaN
  const { d, m, y, t } = date as Record<'d' | 'm' | 'y' | 't', string>
  // A two-digit year is the latest one with those digits at most 50 years ahead.
  const top = new Date(now).getUTCFullYear() + 50
  const year = y.length > 2 ? y : top - ((top - +y) % 100)
  const month = String(MONTHS.indexOf(m) / 3 + 1).padStart(2, '0')
  // Read as an RFC 3339 date-time, which also refuses a day or time that does not exist.
  return parseDateTime(`${year}-${month}-${d.replace(' ', '0')}T${t}Z`)
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
 * Any Fetch implementation's response will do (the `undici` package's fails `instanceof Response`):
 * what has a numeric status and headers is one.
 */
async function readBody(response: Response): Promise<Response> {
  if (typeof response?.status != 'number' || typeof response.headers?.get != 'function')
    throw new TypeError('fetch resolved with no response')
  if ((response as { [IN_MEMORY]?: true })[IN_MEMORY] || response.body === null) return response
  const bytes = new Uint8Array(await response.arrayBuffer())
  // A 204, 205 or 304 has no body, though another implementation may give it an empty stream.
  const copy = inMemory(/^(?:204|205|304)$/.test(`${response.status}`) ? null : bytes, response)
  return located(copy, response.url, response.redirected)
}

/** Refuses a URL no request can go to (one that does not parse, a scheme but http and https). */
function assertHttpUrl(url: string): void {
  let scheme: string | undefined
  try {
    scheme = new URL(url).protocol
  } catch {}
  if (scheme != 'http:' && scheme != 'https:')
    throw new TillkitValidationError('url', 'must be an http or https URL')
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
 * drafts does not ship it. Its options are taken as given (a client hands on its own, checked).
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
      assertHttpUrl(url)
      // Error messages are redacted by the error constructors.
      const label = `${method} ${url}`
      const idempotent = isIdempotent(request)
      const started = elapsed()
      /** Whether a retry starting at `at` (steady time) would start past the budget. */
      const late = (at: number) => at - started > policy.maxElapsedMs
      // Whether an earlier attempt may have been acted on: an abort then leaves the outcome open.
      let maybeActed = false
      const aborted = (sent: boolean) =>
        new TillkitAbortedError(`${label} aborted`, maybeActed || sent, {
          cause: signal!.reason,
          redact,
        })
      /** The call's end: the answer, given its request, or the error thrown. */
      const end = (outcome: Response | TillkitError) => {
        if (outcome instanceof TillkitError) throw outcome
        ;(outcome as Answered)[ORIGIN] = request
        ;(request.init as { [ANSWERED]?: () => void })[ANSWERED]?.()
        return outcome
      }
      // The backoff before the next attempt, and the last attempt's status or error code: what the
      // retry's log line says once it goes.
      let delay = 0
      let reason: number | string = 0
      let last: Response | TillkitError | undefined
      for (let attempt = 1; ; attempt++) {
        // One attempt: wait `delay` (the retry backoff) and the spacing slot, then send. It ends
        // with the response or the TillkitError it became.
        if (delay)
          await clock.sleep(delay, signal ?? undefined).catch(() => {
            throw aborted(false)
          })
        // Spacing: the start slot is reserved synchronously, so concurrent calls queue in call order.
        let start = elapsed()
        const slot = Math.max(start, nextSlot)
        // Calls made during the backoff may have taken the slots within the budget: no retry then.
        if (last && late(slot)) return end(last)
        nextSlot = slot + minIntervalMs
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
        let sent = false
        // Whether the fetch follows redirects without saying which hop failed (see below).
        let follows = false
        let disarm = noop
        let result: Response | TillkitError
        try {
          if (slot > start) await clock.sleep(slot - start, signal ?? undefined)
          signal?.throwIfAborted()
          // A retry is logged as it goes, not when it is planned: the budget (the slot moved past
          // it during the backoff) or the caller's abort may still have ended the call.
          if (logs && attempt > 1)
            logger.warn(
              { method, url, attempt: attempt - 1, reason, delayMs: delay },
              'tillkit retry',
            )
          start = elapsed()
          result = await new Promise<Response>((resolve, reject) => {
            race = reject
            // A fresh timeout per attempt, on the injected clock, disarmed when the attempt settles.
            disarm = clock.schedule(timeoutMs, abort)
            const next = { ...request.init, body, signal: control.signal }
            const send = (custom ?? defaultFetch()) as InitFetch
            const platform = !send[TAKES_INIT] && isPlatformFetch(send)
            // Only a fetch marked TAKES_INIT (core's own) marks a failure after a redirect
            // (REDIRECTED). Any other (the platform's, undici's, a wrapper, a stub) follows redirects
            // unless told not to, and a refused later hop would look like nothing was sent.
            follows = !send[TAKES_INIT] && (next.redirect ?? 'follow') == 'follow'
            // A custom fetch gets a Request, as openapi-fetch would give it; the default, the
            // platform fetch and a fetch marked TAKES_INIT take the URL and init, which spares
            // building a Request (and its AbortSignal) twice per attempt. A Request that cannot
            // be built (a method the platform refuses) throws before anything is sent.
            const built =
              custom && !send[TAKES_INIT] && !platform ? new Request(url, next) : undefined
            sent = true
            const answer = built ? custom!(built) : send(url, next)
            answer.then(readBody).then(resolve, reject)
          })
        } catch (e) {
          const code = errorCode(e)
          // A connection that never opened proves nothing was sent, but only on the first hop:
          // after a redirect a server has answered. Core's fetch marks that; any other fetch cannot
          // tell, so while it follows redirects no failure of it proves anything.
          const unsent =
            NOT_SENT.test(code ?? '') && !follows && !(e as { [REDIRECTED]?: true })?.[REDIRECTED]
          // The caller's abort, else our timeout, else the network.
          result = signal?.aborted
            ? aborted(sent)
            : control.signal.aborted
              ? new TillkitTimeoutError(`${label} timed out after ${timeoutMs} ms`, timeoutMs, {
                  redact,
                })
              : new TillkitNetworkError(
                  `${label} failed${code ? ` (${code})` : ''}`,
                  // An earlier attempt may have been acted on, whatever this one proves.
                  maybeActed || (sent && !unsent),
                  { cause: e, redact },
                )
        } finally {
          disarm()
          signal?.removeEventListener('abort', abort)
        }
        const outcome: Response | TillkitError = (last = result)
        const answered = !(outcome instanceof TillkitError)
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
        // The retry would start after the backoff and at its spacing slot at the earliest.
        if (!again || attempt >= policy.maxAttempts || late(Math.max(elapsed() + delay, nextSlot)))
          return end(outcome)
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

/** Every name of {@link TransportOptions} (the `satisfies` keeps the list complete). */
const OPTION_NAMES = {
  fetch: 1,
  timeoutMs: 1,
  retry: 1,
  minIntervalMs: 1,
  clock: 1,
  random: 1,
  logger: 1,
  secrets: 1,
  isIdempotent: 1,
} satisfies Record<keyof TransportOptions, 1>

/**
 * A draft transport that also takes a Request, a URL and init, or a draft with a stream body. An
 * option name it does not know is refused, and `retry` must pass `retryPolicy` (known names, bounds
 * in range), before anything is sent.
 */
export function createTransport(options: TransportOptions = {}): Transport {
  checkOptions(options, { retry: optional(retryPolicy) }, 'options', OPTION_NAMES)
  const transport = createDraftTransport(options)
  return {
    ...transport,
    async fetch(input, init) {
      let request: RequestDraft
      try {
        request =
          input instanceof RequestDraft
            ? input
            : draftOf(input instanceof Request && !init ? input : new Request(input, init))
      } catch {
        // Bad input, which fetch would refuse too. Its message may quote the URL or a header
        // value, so it is not kept.
        assertHttpUrl(input instanceof Request ? input.url : String(input))
        throw new TillkitValidationError(
          'request',
          'must have a method, headers and body fetch accepts',
        )
      }
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

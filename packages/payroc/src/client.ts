import createClient, { type Client } from 'openapi-fetch'
import {
  assertKnownFields,
  assertObject,
  assertString,
  checkClientOptions,
  checkFields,
  createTransport,
  guardClient,
  header,
  int,
  oneOf,
  optional,
  RequestDraft,
  segment,
  string,
  TillkitAbortedError,
  TillkitError,
  TillkitProtocolError,
  uuid,
  TRANSPORT_RULES,
  type BeforeCall,
  type Clock,
  type LoggerLike,
  type Outgoing,
  type RetryPolicy,
  type Rules,
  type Transport,
} from '@tillkit/core'
import { PayrocTokenError, TokenSource, type IssuedToken } from './auth.js'
import type { paths as CloudPaths } from './generated/cloud-v1.js'
import type { paths as IdentityPaths } from './generated/identity.js'
import type { WithOptionalIdempotencyKey } from './headers.js'
import { POLL_TIMEOUT_MS, LONG_POLL_HOLD_MS, TOKEN_REFRESH_MARGIN_MS, UUID_V4 } from './limits.js'
import { BODY_RULES, IDEMPOTENT_POSTS, QUERY_RULES } from './rules.js'

export interface PayrocClientOptions {
  /** The API key Payroc issued; exchanged for bearer tokens, never logged. */
  apiKey: string
  environment: 'test' | 'live'
  /** Replaces the API base (with its `/v1`): a proxy, or a fake cloud on loopback. */
  baseUrl?: string
  /** Replaces the identity service's base (the host that answers `POST /authorize`). */
  identityUrl?: string
  fetch?: (request: Request) => Promise<Response>
  logger?: LoggerLike
  /** Per attempt, every request but instruction reads. Default 30 000. */
  timeoutMs?: number
  /** Per attempt, instruction reads (long-poll). Must exceed the gateway's 60 s hold. Default 90 000. */
  pollTimeoutMs?: number
  retry?: Partial<RetryPolicy> | false
  clock?: Clock
}

/**
 * openapi-fetch over our Payroc schema, without `use`/`eject`: auth, retries, timeouts and logging live below it,
 * and `Idempotency-Key` is optional because the client fills it in.
 */
export type PayrocApi = Omit<
  Client<WithOptionalIdempotencyKey<CloudPaths>, `${string}/${string}`>,
  'use' | 'eject'
>

export interface PayrocClient {
  /** The Payroc Cloud API, typed from the schema. */
  readonly api: PayrocApi
  /** `ok(result)` unwraps an openapi-fetch result or throws a TillkitHttpError; also the clock and redactor. */
  readonly transport: Transport
  /** The API base in use, e.g. `https://api.uat.payroc.com/v1`. */
  readonly baseUrl: string
}

const HOSTS = {
  test: { api: 'https://api.uat.payroc.com/v1', identity: 'https://identity.uat.payroc.com' },
  live: { api: 'https://api.payroc.com/v1', identity: 'https://identity.payroc.com' },
} as const

/** An instruction read: the one request the gateway holds open (long-poll). */
const INSTRUCTION_READ = /\/(payment|refund|signature)-instructions\/[^/?#]+$/

export function createPayrocClient(options: PayrocClientOptions): PayrocClient {
  const { baseUrl, identityUrl } = checkOptions(options)
  const { fetch, retry, clock, logger } = options
  const authorizeUrl = `${identityUrl}/authorize`
  // GETs, requests with an Idempotency-Key, and token requests (they change nothing) may be repeated.
  const isIdempotent = (request: Outgoing) =>
    /^(GET|HEAD|OPTIONS)$/.test(request.method) ||
    request.headers.has('idempotency-key') ||
    request.url === authorizeUrl
  const common = { fetch, clock, logger, isIdempotent, secrets: [options.apiKey] }
  const transport = createTransport({ ...common, retry, timeoutMs: options.timeoutMs })
  const pollTimeoutMs = options.pollTimeoutMs ?? POLL_TIMEOUT_MS
  // A read may be held for a minute before it answers, so its retries get a longer overall budget.
  const pollRetry = retry === false ? false : { maxElapsedMs: 3 * pollTimeoutMs, ...(retry ?? {}) }
  const polls = createTransport({ ...common, retry: pollRetry, timeoutMs: pollTimeoutMs })

  const identity = createClient<IdentityPaths>({
    baseUrl: identityUrl,
    fetch: transport.fetch as (input: Request) => Promise<Response>,
    Request: RequestDraft as unknown as typeof Request,
    // A redirect is answered as it is: following it would send the request (and the key) again.
    redirect: 'manual',
    headers: { 'x-api-key': options.apiKey, Accept: 'application/json' },
  })
  /** The tokens still redacted: the latest two issued. */
  const redacted: string[] = []
  const issue = async (): Promise<IssuedToken> => {
    try {
      const body: unknown = transport.ok(await identity.POST('/authorize'))
      const { access_token: value, expires_in: seconds } = (body ?? {}) as Record<string, unknown>
      if (typeof value !== 'string' || !value || !(typeof seconds === 'number' && seconds > 0))
        throw new TillkitProtocolError(
          'invalid',
          'Payroc identity answered 2xx without a usable access_token and expires_in',
          { redact: transport.redact },
        )
      // The token is a secret from now on, in every log line and error of both transports; the one
      // before it too (a request sent with it may still be answering), but no older one: a till
      // that runs for months would otherwise scan every token it was ever given on each redaction.
      if (redacted.at(-1) !== value) {
        redacted.push(value)
        const old = redacted.length > 2 ? redacted.shift() : undefined
        for (const redactor of [transport.redact, polls.redact]) {
          redactor.add(value)
          if (old !== undefined && !redacted.includes(old)) redactor.remove(old)
        }
      }
      return { value, lifetimeMs: seconds * 1000 }
    } catch (error) {
      // A body that is not JSON: not kept as the cause, whose message would quote the body (and the token in it).
      const failure =
        error instanceof SyntaxError
          ? new TillkitProtocolError(
              'malformed',
              'Payroc identity answered 2xx with a body that is not JSON',
            )
          : error
      throw failure instanceof TillkitError
        ? new PayrocTokenError(failure, transport.redact)
        : failure
    }
  }
  const tokens = new TokenSource(issue, transport.clock, TOKEN_REFRESH_MARGIN_MS)

  /** Sends one API request with the current token; a 401 renews the token and sends it once more. */
  const send = async (draft: RequestDraft): Promise<Response> => {
    const held = draft.method === 'GET' && INSTRUCTION_READ.test(new URL(draft.url).pathname)
    const attempt = (token: string) => {
      const headers = new Headers(draft.headers)
      headers.set('Authorization', `Bearer ${token}`)
      return (held ? polls : transport).fetch(
        new RequestDraft(draft.url, { ...draft.init, headers }),
      )
    }
    const signal = draft.init.signal ?? undefined
    const token = await unlessAborted(tokens.get(), signal)
    const response = await attempt(token)
    if (response.status !== 401) return response
    transport.logger.info(
      { method: draft.method, url: draft.url },
      'payroc token refused: renewing',
    )
    let renewed: string
    try {
      renewed = await unlessAborted(tokens.renew(token), signal)
    } catch (error) {
      // An earlier attempt of this request may have acted (its answer was lost): the 401 stands
      // as its answer, an open outcome, rather than the token's failure, which says "not sent".
      if (transport.httpError(response, undefined).outcomeUnknown) return response
      throw error
    }
    // Refused before any work was done, so sending it again (same key, same body) is safe.
    await response.body?.cancel()
    return attempt(renewed)
  }

  const api = createClient<CloudPaths>({
    baseUrl,
    fetch: send as unknown as (input: Request) => Promise<Response>,
    Request: RequestDraft as unknown as typeof Request,
    // A redirect is answered as it is: following it would send the request (and the key) again.
    redirect: 'manual',
    headers: { Accept: 'application/json' },
  })
  return {
    api: guardClient(api, beforeCall, transport.redact) as unknown as PayrocApi,
    transport,
    baseUrl,
  }
}

/**
 * Checks path parameters, queries and bodies against the rules before openapi-fetch builds the request, so bad
 * input fails before any network call; gives every money-moving POST its `Idempotency-Key` (the caller's, checked,
 * or a fresh UUID v4), which the transport then resends unchanged on every retry.
 */
const beforeCall: BeforeCall = (method, path, init) => {
  const operation = `${method} ${path}`
  // Every parameter the path names, present or not: a missing one would be sent as `{name}`.
  for (const [, name] of path.matchAll(/\{(\w+)\}/g))
    segment(name!, init?.params?.path?.[name!], {})
  const query = QUERY_RULES[operation]
  if (query) checkFields(init?.params?.query ?? {}, query)
  const rules = BODY_RULES[operation]
  const body = init?.body
  if (rules) {
    assertObject('body', body)
    // Its rules name every field the operation's body has: any other is refused.
    assertKnownFields(body, rules)
    checkFields(body as Record<string, unknown>, rules)
  }
  if (!IDEMPOTENT_POSTS.has(operation)) return init
  const given = keyGiven(init)
  if (given !== undefined) assertString('Idempotency-Key', given, { pattern: UUID_V4 })
  const header = { ...init?.params?.header, 'Idempotency-Key': given ?? uuid() }
  return { ...init, params: { ...init?.params, header } }
}

/** A key the caller gave, in `params.header` or in `headers`, in any case (a replay reuses it). */
function keyGiven(init: Parameters<BeforeCall>[2]): string | undefined {
  for (const [name, value] of Object.entries(init?.params?.header ?? {}))
    if (name.toLowerCase() === 'idempotency-key') return value as string
  const headers = (init as { headers?: HeadersInit } | undefined)?.headers
  return headers ? (new Headers(headers).get('idempotency-key') ?? undefined) : undefined
}

/** `promise`, unless `signal` fires first: then an abort (nothing of the request was sent). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(aborted(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

const aborted = (signal: AbortSignal) =>
  new TillkitAbortedError('aborted while waiting for a bearer token', false, {
    cause: signal.reason,
  })

const URL_RULE = optional(string({ pattern: /^https?:\/\/[^\s/]+/ }))

/** Every option, in the order they are checked; any other name is refused. */
const OPTION_RULES: Rules = {
  apiKey: header(true),
  environment: oneOf(['test', 'live']),
  baseUrl: URL_RULE,
  identityUrl: URL_RULE,
  ...TRANSPORT_RULES,
  // Shorter than the hold, a read would time out on every quiet minute.
  pollTimeoutMs: optional(int(LONG_POLL_HOLD_MS + 1_000, 600_000)),
}

function checkOptions(options: PayrocClientOptions): { baseUrl: string; identityUrl: string } {
  checkClientOptions(options, OPTION_RULES)
  const hosts = HOSTS[options.environment]
  const trim = (url: string) => url.replace(/\/+$/, '')
  return {
    baseUrl: trim(options.baseUrl ?? hosts.api),
    identityUrl: trim(options.identityUrl ?? hosts.identity),
  }
}

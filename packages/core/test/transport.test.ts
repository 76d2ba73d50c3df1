import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock, systemClock } from '../src/clock.js'
import {
  TillkitAbortedError,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitTimeoutError,
} from '../src/errors.js'
import { REDACTED } from '../src/redact.js'
import {
  backoffDelay,
  createDraftTransport,
  createTransport,
  parseRetryAfter,
  RequestDraft,
  type RetryPolicy,
} from '../src/transport.js'
import {
  captureLogger,
  fakeFetch,
  json,
  scriptedTransport,
  status,
  T0,
  undiciError,
  until,
  type Step,
} from './helpers.js'

const URL_ = 'https://pos.test/pac/terminals'
const setup = scriptedTransport

const post = (init: RequestInit = {}) =>
  new Request(URL_, { method: 'POST', body: '{"amount":100}', ...init })
const withKey = (key = 'idem-1') => post({ headers: { 'Idempotency-Key': key } })
/**
 * A POST that follows no redirect, as the tillkit clients send theirs: only then is a custom fetch's
 * refused connection proof that nothing was sent (while it follows, the refusal may be a later hop's).
 */
const unfollowed = () => post({ redirect: 'manual' })

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('5', 0)).toBe(5_000)
    expect(parseRetryAfter(' 0 ', 0)).toBe(0)
  })

  it('reads an HTTP-date relative to now, never negative', () => {
    const now = Date.UTC(2015, 9, 21, 7, 28, 0)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:03 GMT', now)).toBe(3_000)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0)
  })

  it('ignores absent and malformed values', () => {
    for (const v of [null, '', 'soon', '1.5', '-1', '2 s'])
      expect(parseRetryAfter(v, 0)).toBeUndefined()
  })
})

describe('backoffDelay', () => {
  const policy: RetryPolicy = {
    maxAttempts: 10,
    baseDelayMs: 250,
    maxDelayMs: 8_000,
    maxElapsedMs: 60_000,
    retryOnStatus: [],
  }

  it('is full jitter under an exponential cap', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0)
    expect(backoffDelay(1, policy, () => 0.5)).toBe(125)
    expect(backoffDelay(2, policy, () => 0.5)).toBe(250)
    expect(backoffDelay(3, policy, () => 0.999)).toBe(999)
  })

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelay(6, policy, () => 0.5)).toBe(4_000)
    expect(backoffDelay(60, policy, () => 0.999999)).toBeLessThan(8_000)
  })
})

describe('createTransport: answers', () => {
  it('resolves with the response for any status and sends the request unchanged', async () => {
    const { transport, calls } = setup([status(404)])
    const request = new Request(URL_, { headers: { Accept: 'application/connect.v2+json' } })
    const response = await transport.fetch(request)
    expect(response.status).toBe(404)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.request.url).toBe(URL_)
    expect(calls[0]!.request.headers.get('accept')).toBe('application/connect.v2+json')
  })

  it('accepts fetch-style (url, init) arguments', async () => {
    const { transport, calls } = setup([json({ ok: 1 }, 201)])
    const response = await transport.fetch(URL_, { method: 'POST', body: 'x' })
    expect(response.status).toBe(201)
    expect(calls[0]!.request.method).toBe('POST')
    expect(await calls[0]!.request.text()).toBe('x')
  })

  it('uses globalThis.fetch by default', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(status(204))
    const transport = createTransport({ clock: createManualClock({ autoAdvance: true }) })
    expect((await transport.fetch(new Request(URL_))).status).toBe(204)
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('hands a Request to a custom fetch even when it is also installed as the global fetch', async () => {
    const seen: unknown[] = []
    // A process routed wholly to a fake: `globalThis.fetch = cloud.fetch`, and `fetch: cloud.fetch`.
    const handler = async (request: Request) => {
      seen.push(request)
      return new Response(`${request.method} ${new URL(request.url).pathname}`)
    }
    vi.stubGlobal('fetch', handler)
    try {
      const clock = createManualClock({ autoAdvance: true })
      const transport = createTransport({ fetch: handler, retry: false, clock })
      const response = await transport.fetch(URL_, { method: 'POST', body: '{}' })
      expect(seen[0]).toBeInstanceOf(Request)
      expect(await response.text()).toBe(`POST ${new URL(URL_).pathname}`)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it("hands the platform fetch a Request's own init: method, headers, redirect, body bytes", async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(status(201))
    const transport = createTransport({ clock: createManualClock({ autoAdvance: true }) })
    const request = new Request(URL_, {
      method: 'PUT',
      headers: { 'X-Trace': 't-1' },
      body: '{"a":1}',
      redirect: 'manual',
      credentials: 'omit',
    })
    expect((await transport.fetch(request)).status).toBe(201)
    const [url, init] = spy.mock.calls[0]! as [string, RequestInit]
    expect(url).toBe(URL_)
    expect(init).toMatchObject({ method: 'PUT', redirect: 'manual', credentials: 'omit' })
    expect(new Headers(init.headers).get('x-trace')).toBe('t-1')
    expect(new TextDecoder().decode(init.body as ArrayBuffer)).toBe('{"a":1}')
    expect(init.signal).not.toBe(request.signal)
  })

  it('ok() returns data on success and throws a redacted TillkitHttpError otherwise', async () => {
    const { transport } = setup([json({ message: 'busy' }, 422)], { secrets: ['key-123456'] })
    expect(transport.ok({ data: { a: 1 }, response: status(200) })).toEqual({ a: 1 })
    expect(transport.ok({ data: undefined, response: status(204) })).toBeUndefined()

    const response = await transport.fetch(
      new Request(`${URL_}?token=key-123456`, { method: 'DELETE' }),
    )
    const error = (() => {
      try {
        transport.ok({ error: { message: 'busy' }, response })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error).toMatchObject({
      status: 422,
      body: { message: 'busy' },
      method: 'DELETE',
      url: `${URL_}?token=${REDACTED}`,
      outcomeUnknown: false,
      mayHaveReachedProvider: true,
    })
    expect(() => transport.ok({ error: undefined, response: status(500) })).toThrow(
      TillkitHttpError,
    )
  })

  it('httpError parses text bodies as JSON when it can, and reads Retry-After', async () => {
    const { transport, clock } = setup([status(503)])
    const response = new Response('', { status: 503, headers: { 'Retry-After': '7' } })
    expect(transport.httpError(response, '{"a":1}').body).toEqual({ a: 1 })
    expect(transport.httpError(response, 'plain text').body).toBe('plain text')
    expect(transport.httpError(response, '  ').body).toBeUndefined()
    expect(transport.httpError(response, undefined).body).toBeUndefined()
    const e = transport.httpError(response, { b: 2 }, 'PUT')
    expect(e).toMatchObject({ body: { b: 2 }, method: 'PUT', retryAfterMs: 7_000 })
    expect(transport.httpError(response, null).method).toBe('UNKNOWN')
    const date = new Date(clock.now() + 4_000).toUTCString()
    const dated = new Response(null, { status: 429, headers: { 'Retry-After': date } })
    expect(transport.httpError(dated, undefined).retryAfterMs).toBe(4_000)
  })
})

describe('createTransport: request drafts (openapi-fetch `Request` option)', () => {
  const draft = (init: RequestInit = {}) =>
    new RequestDraft(new URL(URL_), {
      method: 'post',
      headers: new Headers({ 'Idempotency-Key': 'k-7', Accept: 'application/json' }),
      body: '{"amount":100}',
      redirect: 'follow',
      ...init,
    })

  it('records the URL, upper-cased method and headers, keeping a Headers object as it is', () => {
    const headers = new Headers({ a: '1' })
    const made = new RequestDraft(URL_, { method: 'delete', headers })
    expect([made.url, made.method, made.headers]).toEqual([URL_, 'DELETE', headers])
    expect(made.headers).toBe(headers)
    const plain = new RequestDraft(URL_, { headers: { b: '2' } })
    expect([plain.method, plain.headers.get('b')]).toEqual(['GET', '2'])
    expect(new RequestDraft(URL_).headers).toBeInstanceOf(Headers)
  })

  it('hands the platform fetch the draft init itself: same headers, body text, our signal', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(status(201))
    const transport = createTransport({ clock: createManualClock({ autoAdvance: true }) })
    const request = draft()
    expect((await transport.fetch(request)).status).toBe(201)
    const [url, init] = spy.mock.calls[0]! as [string, RequestInit]
    expect(url).toBe(URL_)
    expect(init).toMatchObject({ method: 'post', redirect: 'follow', body: '{"amount":100}' })
    expect(init.headers).toBe(request.headers)
    expect(init.signal).toBeInstanceOf(AbortSignal)
  })

  it('retries a draft with an idempotency key with the same body and key', async () => {
    const { transport, calls } = setup([status(503), json({ requestId: 'r1' }, 201)])
    expect((await transport.fetch(draft())).status).toBe(201)
    expect(calls).toHaveLength(2)
    for (const call of calls) {
      expect(call.request.method).toBe('POST')
      expect(call.request.headers.get('idempotency-key')).toBe('k-7')
      expect(await call.request.text()).toBe('{"amount":100}')
    }
  })

  it('reads a non-text draft body once, so every attempt sends the same bytes', async () => {
    const { transport, calls } = setup([status(503), json({})])
    const stream = new Blob(['{"amount":5}']).stream()
    await transport.fetch(draft({ body: stream, duplex: 'half' } as RequestInit))
    expect(await Promise.all(calls.map((c) => c.request.text()))).toEqual([
      '{"amount":5}',
      '{"amount":5}',
    ])
  })

  it("follows the draft's own signal, and runs without one", async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, 'hang', json({}))
    const transport = createTransport({ clock, fetch: fake.fetch })
    const ac = new AbortController()
    const pending = transport.fetch(draft({ signal: ac.signal })).catch((e: unknown) => e)
    await until(() => fake.calls.length === 1)
    ac.abort()
    expect(await pending).toBeInstanceOf(TillkitAbortedError)
    expect((await transport.fetch(draft({ method: 'GET', body: null }))).status).toBe(200)
  })

  it('names the draft in errors, redacted', async () => {
    const { transport } = setup([status(500)], { retry: false, secrets: ['s3cr3t'] })
    const response = await transport.fetch(
      new RequestDraft(`${URL_}?token=s3cr3t`, { method: 'POST', body: 'x' }),
    )
    const error = transport.httpError(response, undefined)
    expect(error.message).toContain('POST https://pos.test/pac/terminals')
    expect(error.message).not.toContain('s3cr3t')
  })
})

describe('createDraftTransport', () => {
  it('sends the draft body as it is on every attempt, a FormData included', async () => {
    const clock = createManualClock({ start: T0, autoAdvance: true })
    // A 429 is repeated for any method.
    const fake = fakeFetch(clock, status(429), json({}, 201))
    const transport = createDraftTransport({ clock, random: () => 0, fetch: fake.fetch })
    const form = new FormData()
    form.set('amount', '100')
    const draft = new RequestDraft(URL_, { method: 'PUT', body: form })
    expect((await transport.fetch(draft)).status).toBe(201)
    expect(fake.calls).toHaveLength(2)
    for (const call of fake.calls) expect((await call.request.formData()).get('amount')).toBe('100')
  })

  it('has the same errors and helpers as the full transport', async () => {
    const clock = createManualClock({ start: T0, autoAdvance: true })
    const fake = fakeFetch(clock, 'hang')
    const transport = createDraftTransport({ clock, fetch: fake.fetch, timeoutMs: 500 })
    const error = await transport
      .fetch(new RequestDraft(URL_, { method: 'POST', body: '{}' }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitTimeoutError)
    expect(fake.calls).toHaveLength(1)
    expect(() => transport.ok({ error: 'x', response: status(422) })).toThrow(TillkitHttpError)
  })
})

describe('createTransport: retry rules', () => {
  it('(a) retries an idempotency-key POST on 503 with the same body and key', async () => {
    const { transport, calls } = setup([status(503), status(503), json({ requestId: 'r1' }, 201)])
    const response = await transport.fetch(withKey('k-42'))
    expect(response.status).toBe(201)
    expect(calls).toHaveLength(3)
    for (const call of calls) {
      expect(call.request.method).toBe('POST')
      expect(call.request.headers.get('idempotency-key')).toBe('k-42')
      expect(await call.request.text()).toBe('{"amount":100}')
    }
  })

  it('(a) retries a GET on every retryable status, a timeout and a maybe-sent network error', async () => {
    for (const code of [408, 425, 429, 500, 502, 503, 504]) {
      const { transport, calls } = setup([status(code), json({})])
      expect((await transport.fetch(new Request(URL_))).status).toBe(200)
      expect(calls).toHaveLength(2)
    }
    const timedOut = setup(['hang', json({})], { timeoutMs: 1_000 })
    expect((await timedOut.transport.fetch(new Request(URL_))).status).toBe(200)
    expect(timedOut.calls).toHaveLength(2)

    const reset = setup([undiciError('ECONNRESET'), json({})])
    expect((await reset.transport.fetch(new Request(URL_))).status).toBe(200)
    expect(reset.calls).toHaveLength(2)
  })

  it('does not retry statuses outside retryOnStatus', async () => {
    for (const code of [400, 401, 404, 409, 422, 501]) {
      const { transport, calls } = setup([status(code), json({})])
      expect((await transport.fetch(new Request(URL_))).status).toBe(code)
      expect(calls).toHaveLength(1)
    }
    const custom = setup([status(503), json({})], { retry: { retryOnStatus: [502] } })
    expect((await custom.transport.fetch(new Request(URL_))).status).toBe(503)
    expect(custom.calls).toHaveLength(1)
  })

  it('never retries a POST without idempotency key after a 5xx: the caller gets the response', async () => {
    for (const code of [500, 502, 503, 504]) {
      const { transport, calls } = setup([json({ message: 'oops' }, code), json({})])
      const response = await transport.fetch(post())
      expect(response.status).toBe(code)
      expect(calls).toHaveLength(1)
      const error = transport.httpError(response, await response.json())
      expect(error.outcomeUnknown).toBe(true)
      expect(error.method).toBe('POST')
    }
  })

  it('a refusal after an attempt that may have been acted on leaves the outcome open', async () => {
    // The first answer was lost, a 5xx or a 408: whatever the retry is told, the first may have worked.
    for (const first of ['hang', undiciError('ECONNRESET'), status(503), status(408)] as Step[]) {
      const { transport, calls } = setup([first, json({ title: 'busy' }, 409)], {
        timeoutMs: 1_000,
      })
      const response = await transport.fetch(withKey())
      expect(calls).toHaveLength(2)
      expect(response.status).toBe(409)
      const error = transport.httpError(response, await response.json())
      expect(error).toMatchObject({ outcomeUnknown: true, earlierMayHaveActed: true })
    }
    // Refused unprocessed first (429), or a read: the final answer stands.
    const limited = setup([status(429), json({}, 409)])
    const refused = await limited.transport.fetch(withKey())
    expect(limited.transport.httpError(refused, undefined).outcomeUnknown).toBe(false)
    const read = setup([status(503), json({}, 404)])
    const missing = await read.transport.fetch(new Request(URL_))
    expect(read.transport.httpError(missing, undefined).outcomeUnknown).toBe(false)
  })

  it('a final "never sent" network error after an attempt that may have been acted on leaves the outcome open', async () => {
    for (const first of ['hang', undiciError('ECONNRESET'), status(503)] as Step[]) {
      const { transport, calls } = setup([first, undiciError('ECONNREFUSED')], { timeoutMs: 1_000 })
      const error = await transport.fetch(withKey()).catch((e: unknown) => e)
      expect(calls).toHaveLength(3)
      expect(error).toBeInstanceOf(TillkitNetworkError)
      expect(error).toMatchObject({ mayHaveReachedProvider: true, outcomeUnknown: true })
    }
  })

  it('never retries a POST without idempotency key after a timeout: outcome unknown', async () => {
    const { transport, calls } = setup(['hang', json({})], { timeoutMs: 5_000 })
    const error = await transport.fetch(post()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitTimeoutError)
    expect(error).toMatchObject({
      timeoutMs: 5_000,
      mayHaveReachedProvider: true,
      outcomeUnknown: true,
    })
    expect(calls).toHaveLength(1)
  })

  it('never retries a POST after a network error that may have been sent', async () => {
    const { transport, calls } = setup([undiciError('ECONNRESET', 'socket hang up'), json({})])
    const error = await transport.fetch(post()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error).toMatchObject({ mayHaveReachedProvider: true, outcomeUnknown: true })
    expect((error as Error).message).toBe(`POST ${URL_} failed (ECONNRESET)`)
    expect(((error as Error).cause as Error).message).toBe('fetch failed')
    expect(calls).toHaveLength(1)
  })

  it('(b) retries any method when the network error proves the request was never sent', async () => {
    const codes = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']
    const unreachable = ['ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL']
    for (const code of [...codes, ...unreachable]) {
      const { transport, calls } = setup([undiciError(code), json({ ok: true }, 201)])
      const response = await transport.fetch(unfollowed())
      expect(response.status).toBe(201)
      expect(calls).toHaveLength(2)
      expect(await calls[1]!.request.text()).toBe('{"amount":100}')
    }
  })

  it('treats every TLS certificate failure as never sent, and a reset as maybe sent', async () => {
    const tls = [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_HAS_EXPIRED',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ]
    for (const code of tls) {
      const { transport } = setup([undiciError(code)], { retry: false })
      const error = await transport.fetch(unfollowed()).catch((e: unknown) => e)
      expect(error, code).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: false })
    }
    // Failures after the connection was made, including an `E…DOWN` that is not the network's.
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ESHUTDOWN', 'ECONNABORTED']) {
      const { transport } = setup([undiciError(code)], { retry: false })
      const error = await transport.fetch(unfollowed()).catch((e: unknown) => e)
      expect(error, code).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: true })
    }
  })

  it('a never-sent error that outlives the attempts says the provider was not reached', async () => {
    const { transport, calls } = setup([undiciError('ECONNREFUSED')], { retry: { maxAttempts: 2 } })
    const error = await transport.fetch(unfollowed()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error).toMatchObject({ mayHaveReachedProvider: false, outcomeUnknown: false })
    expect(calls).toHaveLength(2)
  })

  it('(c) retries any method on 429, honouring Retry-After in seconds', async () => {
    const { transport, at } = setup([status(429, { 'Retry-After': '2' }), json({}, 201)])
    expect((await transport.fetch(post())).status).toBe(201)
    expect(at()).toEqual([0, 2_000])
  })

  it('(c) honours Retry-After as an HTTP-date', async () => {
    const date = new Date(T0 + 3_000).toUTCString()
    const { transport, at } = setup([status(429, { 'Retry-After': date }), json({}, 201)])
    expect((await transport.fetch(post())).status).toBe(201)
    expect(at()).toEqual([0, 3_000])
  })

  it('honours Retry-After on a retryable 503 for idempotent requests too', async () => {
    const { transport, at } = setup([status(503, { 'Retry-After': '1' }), json({})])
    await transport.fetch(new Request(URL_))
    expect(at()).toEqual([0, 1_000])
  })

  it('waits full-jitter exponential backoff without Retry-After', async () => {
    const { transport, at } = setup([status(503), status(503), status(503), json({})], {
      retry: { maxAttempts: 4, baseDelayMs: 1_000 },
    })
    await transport.fetch(new Request(URL_))
    // random 0.5: 500, then 1000, then 2000
    expect(at()).toEqual([0, 500, 1_500, 3_500])
  })

  it('custom isIdempotent decides which requests may repeat', async () => {
    const { transport, calls } = setup([status(503), json({})], {
      isIdempotent: (r) => r.method === 'PUT',
    })
    expect((await transport.fetch(new Request(URL_, { method: 'PUT', body: 'x' }))).status).toBe(
      200,
    )
    expect(calls).toHaveLength(2)
    const get = setup([status(503), json({})], { isIdempotent: () => false })
    expect((await get.transport.fetch(new Request(URL_))).status).toBe(503)
  })
})

describe('createTransport: limits', () => {
  it('stops after maxAttempts and returns the last response', async () => {
    const { transport, calls } = setup([status(503)], { retry: { maxAttempts: 4 } })
    expect((await transport.fetch(new Request(URL_))).status).toBe(503)
    expect(calls).toHaveLength(4)
  })

  it('defaults to 3 attempts, and retry: false means one', async () => {
    const defaults = setup([status(503)])
    await defaults.transport.fetch(new Request(URL_))
    expect(defaults.calls).toHaveLength(3)
    const off = setup([status(503)], { retry: false })
    await off.transport.fetch(new Request(URL_))
    expect(off.calls).toHaveLength(1)
    const forwarded = setup([status(503)], { retry: { maxAttempts: undefined, baseDelayMs: 10 } })
    await forwarded.transport.fetch(new Request(URL_))
    expect(forwarded.calls).toHaveLength(3)
    expect(forwarded.at()).toEqual([0, 5, 15])
  })

  it('stops when Retry-After exceeds the remaining budget, returning the response', async () => {
    const { transport, calls } = setup([status(429, { 'Retry-After': '61' }), json({})])
    const response = await transport.fetch(post())
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('61')
    expect(calls).toHaveLength(1)
  })

  it('starts no retry that would begin after maxElapsedMs', async () => {
    // Attempts time out after 400 ms; random 0.5 gives delays 50, 100, 200.
    const { transport, at } = setup(['hang'], {
      timeoutMs: 400,
      retry: { maxAttempts: 10, baseDelayMs: 100, maxElapsedMs: 1_000 },
    })
    await expect(transport.fetch(new Request(URL_))).rejects.toBeInstanceOf(TillkitTimeoutError)
    // 0-400, wait 50, 450-850, wait 100 (ends at 950 <= 1000), 950-1350, wait 200 would end at 1550.
    expect(at()).toEqual([0, 450, 950])
  })

  it('stops on a backoff delay that does not fit the budget', async () => {
    const { transport, calls } = setup([status(503), json({})], {
      random: () => 0.99,
      retry: { baseDelayMs: 5_000, maxElapsedMs: 1_000 },
    })
    expect((await transport.fetch(new Request(URL_))).status).toBe(503)
    expect(calls).toHaveLength(1)
  })
})

describe('createTransport: timeouts', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('turns a hung attempt into TillkitTimeoutError at timeoutMs, on the clock', async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, 'hang')
    const transport = createTransport({ clock, fetch: fake.fetch, timeoutMs: 2_000, retry: false })
    const pending = transport.fetch(new Request(URL_)).catch((e: unknown) => e)
    await until(() => fake.calls.length === 1)
    await clock.advance(1_999)
    expect(clock.pending).toBe(1)
    await clock.advance(1)
    const error = await pending
    expect(error).toBeInstanceOf(TillkitTimeoutError)
    expect((error as Error).message).toBe(`GET ${URL_} timed out after 2000 ms`)
    expect(fake.calls[0]!.request.signal.aborted).toBe(true)
    expect(clock.pending).toBe(0)
  })

  it('times out even a fetch that ignores its abort signal', async () => {
    const { transport } = setup(['ignore'], { timeoutMs: 1_000, retry: false })
    await expect(transport.fetch(new Request(URL_))).rejects.toBeInstanceOf(TillkitTimeoutError)
  })

  it('uses a fresh timer per attempt and clears it when the attempt settles', async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, status(503), json({}))
    const transport = createTransport({ clock, fetch: fake.fetch, random: () => 0 })
    const response = await transport.fetch(new Request(URL_))
    expect(response.status).toBe(200)
    expect(fake.calls).toHaveLength(2)
    expect(clock.pending).toBe(0)
  })

  it('leaves no real timer behind on the system clock', async () => {
    vi.useFakeTimers()
    const transport = createTransport({ clock: systemClock, fetch: async () => json({}) })
    await transport.fetch(new Request(URL_))
    await transport.fetch(new Request(URL_))
    expect(vi.getTimerCount()).toBe(0)
  })

  it('times out each attempt separately, not the transport', async () => {
    // The second attempt starts after the first timed out; it must get its own full 1000 ms.
    const { transport, at, clock } = setup(
      ['hang', (r: Request) => clock.sleep(900, r.signal).then(() => json({}))],
      { timeoutMs: 1_000, random: () => 0 },
    )
    expect((await transport.fetch(new Request(URL_))).status).toBe(200)
    expect(at()).toEqual([0, 1_000])
    expect(clock.now() - T0).toBe(1_900)
  })
})

describe('createTransport: caller abort', () => {
  it('aborts an in-flight attempt with TillkitAbortedError (may have reached)', async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, 'hang')
    const transport = createTransport({ clock, fetch: fake.fetch })
    const ac = new AbortController()
    const pending = transport
      .fetch(new Request(URL_, { signal: ac.signal }))
      .catch((e: unknown) => e)
    await until(() => fake.calls.length === 1)
    ac.abort(new Error('user cancelled'))
    const error = await pending
    expect(error).toBeInstanceOf(TillkitAbortedError)
    expect(error).toMatchObject({ code: 'ABORTED', mayHaveReachedProvider: true })
    expect(((error as Error).cause as Error).message).toBe('user cancelled')
    expect(fake.calls[0]!.request.signal.aborted).toBe(true)
    expect(fake.calls).toHaveLength(1)
    expect(clock.pending).toBe(0)
  })

  it('aborts the wait between attempts and starts no further attempt', async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, status(503), json({}))
    const transport = createTransport({ clock, fetch: fake.fetch, random: () => 0.5 })
    const ac = new AbortController()
    const pending = transport
      .fetch(new Request(withKey(), { signal: ac.signal }))
      .catch((e: unknown) => e)
    await until(() => fake.calls.length === 1 && clock.pending === 1)
    ac.abort()
    const error = await pending
    expect(error).toBeInstanceOf(TillkitAbortedError)
    // The 503 may have been acted on, so the outcome stays open.
    expect(error).toMatchObject({ mayHaveReachedProvider: true, outcomeUnknown: true })
    await clock.advance(60_000)
    expect(fake.calls).toHaveLength(1)
  })

  it('an abort after a 429 (nothing processed) leaves nothing unknown', async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, status(429, { 'Retry-After': '5' }), json({}))
    const transport = createTransport({ clock, fetch: fake.fetch })
    const ac = new AbortController()
    const pending = transport.fetch(post({ signal: ac.signal })).catch((e: unknown) => e)
    await until(() => fake.calls.length === 1 && clock.pending === 1)
    ac.abort()
    expect(await pending).toMatchObject({ code: 'ABORTED', mayHaveReachedProvider: false })
  })

  it('an already aborted signal never calls fetch', async () => {
    const { transport, calls } = setup([json({})])
    const error = await transport
      .fetch(new Request(URL_, { signal: AbortSignal.abort() }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitAbortedError)
    expect(error).toMatchObject({ mayHaveReachedProvider: false, outcomeUnknown: false })
    expect(calls).toHaveLength(0)
  })
})

describe('createTransport: spacing', () => {
  it('starts back-to-back requests at least minIntervalMs apart', async () => {
    const { transport, at } = setup([json({})], { minIntervalMs: 100 })
    await transport.fetch(new Request(URL_))
    await transport.fetch(new Request(URL_))
    expect(at()).toEqual([0, 100])
  })

  it('queues concurrent requests in call order, one slot each', async () => {
    const { transport, at } = setup([json({})], { minIntervalMs: 250 })
    await Promise.all([1, 2, 3].map(() => transport.fetch(new Request(URL_))))
    expect(at()).toEqual([0, 250, 500])
  })

  it('spaces retries too, and does not delay a request that is already late enough', async () => {
    const { transport, at, clock } = setup([status(503), json({})], {
      minIntervalMs: 1_000,
      random: () => 0,
    })
    await transport.fetch(new Request(URL_))
    expect(at()).toEqual([0, 1_000])
    await clock.advance(5_000)
    await transport.fetch(new Request(URL_))
    expect(at()).toEqual([0, 1_000, 6_000])
  })

  it('a wall clock stepped back holds no request back, and one stepped forward lets none go early', async () => {
    const clock = createManualClock({ start: T0, autoAdvance: true })
    const sent: number[] = []
    const transport = createTransport({
      clock,
      minIntervalMs: 100,
      fetch: async () => {
        sent.push(clock.monotonic() - T0)
        return json({})
      },
    })
    await transport.fetch(new Request(URL_))
    clock.step(-3_600_000)
    await transport.fetch(new Request(URL_))
    clock.step(7_200_000)
    await transport.fetch(new Request(URL_))
    expect(sent).toEqual([0, 100, 200])
  })

  it('an abort while waiting for a slot never sends', async () => {
    const clock = createManualClock({ start: T0 })
    const fake = fakeFetch(clock, json({}))
    const transport = createTransport({ clock, fetch: fake.fetch, minIntervalMs: 1_000 })
    await transport.fetch(new Request(URL_))
    const ac = new AbortController()
    const pending = transport
      .fetch(new Request(URL_, { signal: ac.signal }))
      .catch((e: unknown) => e)
    await until(() => clock.pending === 1)
    ac.abort()
    expect(await pending).toMatchObject({ code: 'ABORTED', mayHaveReachedProvider: false })
    expect(fake.calls).toHaveLength(1)
  })
})

describe('createTransport: logging', () => {
  it('logs one redacted debug line per attempt and a warning per retry', async () => {
    const { lines, logger } = captureLogger()
    const url = `${URL_}?token=tok-secret-1&x=1`
    const { transport } = setup([status(503), json({})], { logger, random: () => 0 })
    await transport.fetch(new Request(url, { headers: { Authorization: 'Basic dXNlcjprZXk=' } }))
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['debug', 'tillkit attempt'],
      ['warn', 'tillkit retry'],
      ['debug', 'tillkit attempt'],
    ])
    const redactedUrl = `${URL_}?token=${REDACTED}&x=1`
    expect(lines[0]!.obj).toEqual({
      method: 'GET',
      url: redactedUrl,
      attempt: 1,
      status: 503,
      elapsedMs: 0,
    })
    expect(lines[1]!.obj).toEqual({
      method: 'GET',
      url: redactedUrl,
      attempt: 1,
      reason: 503,
      delayMs: 0,
    })
    expect(lines[2]!.obj).toMatchObject({ attempt: 2, status: 200 })
    expect(JSON.stringify(lines)).not.toContain('tok-secret-1')
  })

  it('logs the error code and elapsed time of a failed attempt', async () => {
    const { lines, logger } = captureLogger()
    const { transport } = setup(['hang'], { logger, timeoutMs: 750, retry: false })
    await transport.fetch(post()).catch(() => {})
    expect(lines).toEqual([
      {
        level: 'debug',
        obj: { method: 'POST', url: URL_, attempt: 1, error: 'TIMEOUT', elapsedMs: 750 },
        msg: 'tillkit attempt',
      },
    ])
  })

  it('a throwing logger never breaks a request', async () => {
    const boom = () => {
      throw new Error('logger down')
    }
    const { transport, calls } = setup([status(503), json({ ok: 1 })], {
      logger: { debug: boom, info: boom, warn: boom, error: boom },
    })
    const response = await transport.fetch(new Request(URL_))
    expect(await response.json()).toEqual({ ok: 1 })
    expect(calls).toHaveLength(2)
  })

  it('exposes its redactor, logger and clock', async () => {
    const { lines, logger } = captureLogger()
    const clock = createManualClock()
    const transport = createTransport({ clock, logger, secrets: ['exposed-secret'] })
    expect(transport.clock).toBe(clock)
    expect(transport.redact('x exposed-secret')).toBe(`x ${REDACTED}`)
    transport.logger.info({ s: 'exposed-secret' }, 'hi')
    expect(lines).toEqual([{ level: 'info', obj: { s: REDACTED }, msg: 'hi' }])
  })
})

describe('createTransport: network errors', () => {
  it('treats a fetch that throws synchronously as a maybe-sent network error', async () => {
    const transport = createTransport({
      clock: createManualClock({ autoAdvance: true }),
      fetch: () => {
        throw new Error('boom')
      },
    })
    const error = await transport.fetch(post()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error).toMatchObject({ mayHaveReachedProvider: true })
    expect((error as Error).message).toBe(`POST ${URL_} failed`)
  })

  it('a request whose body cannot be re-read is never sent, and says so', async () => {
    const { transport, calls } = setup([json({})], { retry: false })
    const used = post()
    await used.text()
    const error = await transport.fetch(used).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: false })
    expect(calls).toHaveLength(0)
  })

  it('finds the error code deeper in the cause chain', async () => {
    const deep = new TypeError('fetch failed', {
      cause: new Error('wrapper', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }),
    })
    const { transport, calls } = setup([deep, json({})])
    expect((await transport.fetch(unfollowed())).status).toBe(200)
    expect(calls).toHaveLength(2)
  })
})

describe('createTransport: the body is read inside the attempt', () => {
  /** Headers at once, then one chunk of body, then `end`: a stall (until aborted) or a reset. */
  function partialBody(end: 'stall' | 'reset') {
    const fetch = async (request: Request): Promise<Response> => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"requestId":'))
          if (end === 'reset') controller.error(undiciError('ECONNRESET'))
          else
            request.signal.addEventListener('abort', () => controller.error(request.signal.reason))
        },
      })
      return new Response(body, { status: 201, headers: { 'content-type': 'application/json' } })
    }
    const clock = createManualClock({ start: T0, autoAdvance: true })
    return { clock, transport: createTransport({ clock, timeoutMs: 1_000, fetch }) }
  }

  it('a body that stalls after the headers is a timeout (outcome unknown)', async () => {
    const { clock, transport } = partialBody('stall')
    const answer = await transport.fetch(post()).catch((e: unknown) => e)
    expect(answer).toMatchObject({ name: 'TillkitTimeoutError', outcomeUnknown: true })
    expect(clock.now() - T0).toBe(1_000)
  })

  it('a body that breaks off is a network error that may have reached the provider', async () => {
    const { transport } = partialBody('reset')
    expect(await transport.fetch(post()).catch((e: unknown) => e)).toMatchObject({
      name: 'TillkitNetworkError',
      outcomeUnknown: true,
    })
  })

  it('a whole body is handed over in memory, read as the platform reads it', async () => {
    const { transport } = setup([json({ requestId: 'r1' }, 201)])
    const response = await transport.fetch(post())
    expect(response).toBeInstanceOf(Response)
    expect(response.headers.get('content-type')).toMatch(/json/)
    expect(await response.json()).toEqual({ requestId: 'r1' })
  })

  it('a form or search-params draft body keeps its content type', async () => {
    const bodies: Array<[() => BodyInit, RegExp]> = [
      [() => new URLSearchParams({ amount: '100' }), /^application\/x-www-form-urlencoded/],
      [
        () => {
          const form = new FormData()
          form.set('amount', '100')
          return form
        },
        /^multipart\/form-data; boundary=/,
      ],
    ]
    for (const [body, type] of bodies) {
      const { transport, calls } = setup([json({})])
      await transport.fetch(new RequestDraft(URL_, { method: 'POST', body: body() }))
      expect(calls[0]!.request.headers.get('content-type')).toMatch(type)
    }
  })
})

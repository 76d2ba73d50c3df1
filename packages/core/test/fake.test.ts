import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../src/clock.js'
import {
  baseOf,
  basePath,
  connectionReset,
  fakeFetch,
  FaultList,
  httpHandler,
  invalidFault,
  isConnectionReset,
  jsonErrors,
  pathOf,
  Refusal,
  FakeLedger,
  faultControl,
  route,
  underBase,
  withFaults,
  type WithFaultsOptions,
} from '../src/fake/index.js'

const URL_ = 'https://cloud.test/v1/payments'
const ok = async () => new Response('{"done":true}', { status: 201 })
const SHAPE: WithFaultsOptions = {
  errorBody: (status) => ({
    body: { detail: `fault ${status}` },
    contentType: 'application/problem+json',
  }),
}

type Ping = { kind: 'ping'; times?: number; loud?: boolean }

describe('FaultList', () => {
  it('checks HTTP faults and counts, and refuses kinds it does not know', () => {
    const faults = new FaultList()
    expect(() => faults.add({ kind: 'latency', ms: -1 })).toThrow(
      'Invalid fault: ms must be zero or more',
    )
    expect(() => faults.add({ kind: 'status', status: 99 })).toThrow(/HTTP status from 200 to 599/)
    expect(() => faults.add({ kind: 'lostResponse', mode: 'later' as 'hang' })).toThrow(
      /reset or hang/,
    )
    expect(() => faults.add({ kind: 'latency', ms: 1, times: 0 })).toThrow(/positive integer/)
    expect(() => faults.add({ kind: 'ping' } as never)).toThrow('Invalid fault: unknown kind ping')
    expect(() => faults.add({ kind: 'status', status: 204, body: 'x' })).toThrow(
      'Invalid fault: a 204 has no body',
    )
    expect(() => faults.add({ kind: 'status', status: 400, location: 'https://x.test/' })).toThrow(
      /location is for a redirect status/,
    )
    expect(faults.active).toEqual([])
  })

  it('adds up matching latencies, lets the first status or lost response win, and uses each up', () => {
    const faults = new FaultList()
    faults.add({ kind: 'latency', ms: 10 })
    faults.add({ kind: 'latency', ms: 5, match: { method: 'post' } })
    faults.add({ kind: 'status', status: 503, times: 1, match: { path: /payments$/ } })
    faults.add({ kind: 'lostResponse', match: { path: '/v1/payments' } })
    const post = new Request(URL_, { method: 'POST' })
    expect(faults.take(post)).toMatchObject({ delayMs: 15, outcome: { kind: 'status' } })
    expect(faults.take(post)).toMatchObject({ delayMs: 15, outcome: { kind: 'lostResponse' } })
    expect(faults.take(new Request('https://cloud.test/other'))).toEqual({ delayMs: 10 })
  })

  it("keeps a provider's own kinds apart: checked by its callback, taken by kind, never by take()", () => {
    const faults = new FaultList<Ping>((fault) => {
      if (fault.kind !== 'ping') invalidFault('not a ping')
    })
    const remove = faults.add({ kind: 'ping', loud: true, times: 2 })
    faults.add({ kind: 'ping' })
    expect(faults.take(new Request(URL_))).toEqual({ delayMs: 0 })
    expect(faults.takeKind('ping', (f) => !f.loud)).toEqual({ kind: 'ping' })
    expect(faults.takeKind('ping')).toMatchObject({ loud: true })
    expect(faults.takeKind('ping')).toMatchObject({ loud: true })
    expect(faults.active).toEqual([{ kind: 'ping' }])
    remove()
    faults.clear()
    expect(faults.takeKind('ping')).toBeUndefined()
  })
})

describe('withFaults', () => {
  const setup = () => {
    const clock = createManualClock()
    const faults = new FaultList()
    return { clock, faults, serve: withFaults(ok, faults, clock, SHAPE) }
  }

  it("answers a status fault in the provider's error shape, or with its own body", async () => {
    const { faults, serve } = setup()
    faults.add({ kind: 'status', status: 429, retryAfter: 3, times: 1 })
    const refused = await serve(new Request(URL_))
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '3'])
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(await refused.json()).toEqual({ detail: 'fault 429' })
    faults.add({ kind: 'status', status: 400, body: { mine: 1 }, times: 1 })
    const own = await serve(new Request(URL_))
    expect([own.headers.get('content-type'), await own.json()]).toEqual([
      'application/json',
      { mine: 1 },
    ])
    faults.add({ kind: 'status', status: 502, times: 1 })
    expect(await (await serve(new Request(URL_))).text()).toBe('')
    expect((await serve(new Request(URL_))).status).toBe(201)
  })

  it('answers 204, 205 and 304 without a body, and a redirect with its Location', async () => {
    const { faults, serve } = setup()
    for (const status of [204, 205, 304]) {
      faults.add({ kind: 'status', status, times: 1 })
      const answer = await serve(new Request(URL_))
      expect([answer.status, answer.body, answer.headers.get('content-type')]).toEqual([
        status,
        null,
        null,
      ])
    }
    faults.add({ kind: 'status', status: 307, times: 1 })
    faults.add({ kind: 'status', status: 301, location: 'https://moved.test/', times: 1 })
    faults.add({ kind: 'status', status: 304, times: 1 })
    const answers = [await serve(new Request(URL_)), await serve(new Request(URL_))]
    expect(answers.map((a) => [a.status, a.headers.get('location')])).toEqual([
      [307, 'https://redirect.invalid/'],
      [301, 'https://moved.test/'],
    ])
    // 304 is not a redirect: no Location.
    expect((await serve(new Request(URL_))).headers.get('location')).toBeNull()
  })

  it('jsonErrors answers a status fault with the JSON body shaped for its status', async () => {
    const faults = new FaultList()
    const serve = withFaults(
      ok,
      faults,
      createManualClock(),
      jsonErrors((s) => ({ oops: s })),
    )
    faults.add({ kind: 'status', status: 404, times: 1 })
    const refused = await serve(new Request(URL_))
    expect(refused.headers.get('content-type')).toBe('application/json')
    expect(await refused.json()).toEqual({ oops: 404 })
  })

  it('delays on the clock, and a request aborted meanwhile is never processed', async () => {
    const { clock, faults, serve } = setup()
    faults.add({ kind: 'latency', ms: 1_000 })
    const slow = serve(new Request(URL_))
    await clock.advance(1_000)
    expect((await slow).status).toBe(201)
    const abort = new AbortController()
    const gone = serve(new Request(URL_, { signal: abort.signal })).catch((e: unknown) => e)
    abort.abort()
    expect(await gone).toBeInstanceOf(DOMException)
  })

  it('processes, then loses the response: reset rejects like undici, hang waits for the abort', async () => {
    const { faults } = setup()
    let processed = 0
    const clock = createManualClock()
    const serve = withFaults(async () => (processed++, ok()), faults, clock, SHAPE)
    faults.add({ kind: 'lostResponse', times: 1 })
    const reset = await serve(new Request(URL_)).catch((e: unknown) => e)
    expect(isConnectionReset(reset)).toBe(true)
    faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    const abort = new AbortController()
    const hung = serve(new Request(URL_, { signal: abort.signal })).catch((e: unknown) => e)
    await new Promise((resolve) => setImmediate(resolve))
    abort.abort(new Error('client gave up'))
    expect(((await hung) as Error).message).toBe('client gave up')
    expect(processed).toBe(2)
    expect(isConnectionReset(new TypeError('fetch failed'))).toBe(false)
    expect(connectionReset().cause).toMatchObject({ code: 'ECONNRESET' })
  })
})

describe('fakeFetch', () => {
  const echo = fakeFetch(async (request) =>
    Response.json(
      { method: request.method, url: request.url },
      { status: 405, headers: { allow: 'GET' } },
    ),
  )

  it('takes a Request, or a URL and init as fetch does', async () => {
    expect(await (await echo(new Request(URL_))).json()).toEqual({ method: 'GET', url: URL_ })
    expect(await (await echo(new URL(URL_), { method: 'POST', body: '{}' })).json()).toEqual({
      method: 'POST',
      url: URL_,
    })
  })

  // A server sends no body with a HEAD answer: cloud.fetch and MSW then answer as a served port.
  it('answers a HEAD without its body, keeping status and headers', async () => {
    const response = await echo(URL_, { method: 'HEAD' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET')
    expect(response.body).toBeNull()
    expect(await response.text()).toBe('')
  })
})

describe('httpHandler under MSW', () => {
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('serves the fake under a wildcard base and turns a lost response into a network error', async () => {
    const faults = new FaultList()
    const clock = createManualClock()
    server.use(httpHandler(withFaults(ok, faults, clock, SHAPE), 'https://*.cloud.test/'))
    expect((await fetch('https://eu.cloud.test/v1/payments')).status).toBe(201)
    faults.add({ kind: 'lostResponse', times: 1 })
    await expect(fetch('https://eu.cloud.test/v1/payments')).rejects.toThrow('Failed to fetch')
  })

  it('takes no request to another host, even one whose path names the base', async () => {
    server.use(httpHandler(ok, 'https://*.cloud.test/'))
    expect((await fetch('https://eu.cloud.test/')).status).toBe(201)
    expect((await fetch('https://a.b.cloud.test/v1/x?q=1')).status).toBe(201)
    await expect(fetch('https://proxy.test/to/eu.cloud.test/v1/x')).rejects.toThrow()
    await expect(fetch('https://eu.cloud.test.evil.test/v1/x')).rejects.toThrow()
    const under = underBase('https://device-api-*.example.com/v1/')
    expect(under.test('https://device-api-test.example.com/v1/merchants/x')).toBe(true)
    expect(under.test('https://device-api-test.example.com/v2/merchants/x')).toBe(false)
    expect(under.test('https://proxy.test/device-api-test.example.com/v1/x')).toBe(false)
  })

  it('takes a base path off before the fake routes: method, headers, body, query and signal kept', async () => {
    let seen: unknown
    let signal: AbortSignal | undefined
    server.use(
      httpHandler(async (request) => {
        signal = request.signal
        seen = {
          url: request.url,
          base: baseOf(request),
          path: pathOf(request),
          method: request.method,
          probe: request.headers.get('x-probe'),
          body: await request.text(),
        }
        return new Response(null, { status: 204 })
      }, 'http://proxy.test/*/connect/'),
    )
    const abort = new AbortController()
    const init = {
      method: 'PUT',
      headers: { 'x-probe': 'p' },
      body: '{"a":1}',
      signal: abort.signal,
    }
    expect((await fetch('http://proxy.test/eu/connect/pac/terminals?x=1', init)).status).toBe(204)
    expect(seen).toEqual({
      url: 'http://proxy.test/pac/terminals?x=1',
      base: 'http://proxy.test/eu/connect',
      path: '/eu/connect/pac/terminals',
      method: 'PUT',
      probe: 'p',
      body: '{"a":1}',
    })
    expect(signal!.aborted).toBe(false)
    abort.abort()
    expect(signal!.aborted).toBe(true)
    // The base itself is the fake's root; a path that only starts like the base is not under it.
    expect((await fetch('http://proxy.test/eu/connect')).status).toBe(204)
    expect(seen).toMatchObject({
      url: 'http://proxy.test/',
      path: '/eu/connect',
      method: 'GET',
      body: '',
    })
    await expect(fetch('http://proxy.test/eu/connected/pac')).rejects.toThrow()
    await expect(fetch('http://proxy.test/pac/terminals')).rejects.toThrow()
  })

  it("ends a base's prefix at the fake's own first segments (roots): a client's /v1 base has none", () => {
    const prefix = (base: string, roots?: string[]) => basePath(base, roots)?.source
    expect(prefix('https://cloud.test')).toBeUndefined()
    expect(prefix('https://cloud.test///')).toBeUndefined()
    expect(prefix('http://proxy.test/connect/')).toBe('^\\/connect(?=\\/|$)')
    expect(prefix('http://localhost:4010/v1', ['v1'])).toBeUndefined()
    expect(prefix('http://proxy.test/payroc/v1/', ['v1'])).toBe(prefix('http://proxy.test/payroc'))
    expect(prefix('http://proxy.test/*/x/pac', ['pac'])).toBe('^\\/[^/]*\\/x(?=\\/|$)')
    // A root deeper in the base (its own path under the API) still ends the prefix at the first.
    expect(prefix('https://cloud.test/v1/merchants/sync', ['v1', 'sync'])).toBeUndefined()
    // No scheme: nothing to tell a path from a host by.
    expect(prefix('cloud.test/api')).toBeUndefined()
  })

  it('a base without a path hands the request on as it is, with its origin as base', async () => {
    let same = false
    let base = ''
    let path = ''
    const sent = new Request('https://cloud.test/v1/x%2Fy?q=1')
    server.use(
      httpHandler(async (request) => {
        same = request.url === sent.url
        base = baseOf(request)
        path = pathOf(request)
        return new Response(null, { status: 204 })
      }, 'https://cloud.test'),
    )
    expect((await fetch(sent)).status).toBe(204)
    expect([same, base, path]).toEqual([true, 'https://cloud.test', '/v1/x%2Fy'])
  })

  it('lets any other failure of the fake surface as MSW reports it (500), not as a network error', async () => {
    server.use(
      httpHandler(async () => {
        throw new Error('bug in the fake')
      }, 'https://broken.test'),
    )
    expect((await fetch('https://broken.test/v1/x')).status).toBe(500)
  })
})

describe('route', () => {
  const routes = [
    { method: 'GET', pattern: '/tables/:name', id: 'get' },
    { method: 'PUT', pattern: '/tables/:name', id: 'put' },
    { method: 'POST', pattern: '/tables', id: 'create' },
  ]

  it('finds the route by method and pattern, with decoded parameters', () => {
    expect(route(routes, 'get', '/tables/T%2012/')).toEqual({
      route: routes[0],
      params: { name: 'T 12' },
    })
    expect(route(routes, 'POST', '/tables')).toMatchObject({ route: { id: 'create' } })
  })

  it('lists the methods a known path takes, and knows no other path', () => {
    expect(route(routes, 'DELETE', '/tables/7')).toEqual({ allowed: ['GET', 'PUT'] })
    expect(route(routes, 'GET', '/tables/7/bill')).toBeUndefined()
    expect(route(routes, 'GET', '/chairs/7')).toBeUndefined()
    // An empty or undecodable parameter matches nothing.
    expect(route([{ method: 'GET', pattern: '/a/:x/b' }], 'GET', '/a//b')).toBeUndefined()
    expect(route(routes, 'GET', '/tables/%E0%A4%A')).toBeUndefined()
  })
})

describe('FakeLedger and faultControl', () => {
  it('numbers entries from 1, freezes them and reports the newest', () => {
    const ledger = new FakeLedger<{ seq: number; amount: number }>()
    expect(ledger.lastSeq).toBe(0)
    const first = ledger.record({ amount: 100 })
    ledger.record({ amount: 250 })
    expect(ledger.entries).toEqual([
      { seq: 1, amount: 100 },
      { seq: 2, amount: 250 },
    ])
    expect(Object.isFrozen(first)).toBe(true)
    expect(ledger.lastSeq).toBe(2)
  })

  it('arms, lists and clears through the list, and nothing else', () => {
    const list = new FaultList()
    const control = faultControl(list)
    const remove = control.add({ kind: 'latency', ms: 5 })
    control.add({ kind: 'status', status: 503 })
    expect(control.active.map((f) => f.kind)).toEqual(['latency', 'status'])
    remove()
    expect(list.active.map((f) => f.kind)).toEqual(['status'])
    control.clear()
    expect(control.active).toEqual([])
    expect(Object.keys(control).sort()).toEqual(['active', 'add', 'clear'])
  })
})

describe('Refusal', () => {
  it('carries the kind, the sentence and the details (none by default)', () => {
    const plain = new Refusal('busy', 'The terminal is busy.')
    expect(plain).toBeInstanceOf(Error)
    expect([plain.name, plain.kind, plain.message, plain.details]).toEqual([
      'Refusal',
      'busy',
      'The terminal is busy.',
      {},
    ])
    expect(new Refusal('conflict', 'Ended.', { resource: 'instruction' }).details).toEqual({
      resource: 'instruction',
    })
  })
})

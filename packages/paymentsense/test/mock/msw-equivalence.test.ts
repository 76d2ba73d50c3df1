/**
 * The fake behind MSW (`cloud.handlers()` + the global fetch) must be the same fake as
 * `cloud.fetch`: same answers, errors, state changes and ledger, whichever way a request arrives.
 */
import { createManualClock } from '@tillkit/core'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { createPaymentsenseClient, type PaymentsenseClient } from '../../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'
import { waitForTransaction } from '../../src/watch.js'
import { pac, sale } from './helpers.js'
import {
  basePathTests,
  listeningServer,
  observe as observed,
  redirectFaultTests,
  ROUTES,
  sameOnBothRoutes,
  type Route,
} from '../../../core/test/msw-equivalence.js'

const observe = (run: () => Promise<unknown>) => observed(run, mask)
const server = listeningServer()

const TID = '22160001'

interface Rig {
  cloud: FakeCloud
  client: PaymentsenseClient
}

/** A client on an auto-advancing clock, wired to the fake by `cloud.fetch` or through MSW (no fetch option). */
function rig(
  route: Route,
  cloudOptions: FakeCloudOptions = {},
  account = 'acme',
  environment: 'test' | 'live' = 'test',
): Rig {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, ...cloudOptions })
  if (route === 'msw') server.use(...cloud.handlers())
  const client = createPaymentsenseClient({
    account,
    environment,
    apiKey: 'test-api-key',
    softwareHouseId: 'SWH',
    installerId: 'INST',
    clock,
    retry: false,
    ...(route === 'cloud.fetch' && { fetch: cloud.fetch }),
  } as Parameters<typeof createPaymentsenseClient>[0])
  return { cloud, client }
}

/** What a caller can observe of an openapi-fetch result or a thrown error (random ids masked). */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const mask = (v: unknown) =>
  v === undefined ? v : JSON.parse(JSON.stringify(v).replace(UUID, '<id>'))

const start = (client: PaymentsenseClient, amount = 1000, tid = TID) =>
  client.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    body: { transactionType: 'SALE', amount, currency: 'GBP' },
  })

/** Scenarios through the package's own client; each returns what the caller saw. */
const SCENARIOS: Array<[string, FakeCloudOptions, (r: Rig) => Promise<unknown>]> = [
  ['list terminals', {}, ({ client }) => observe(() => client.pac.GET('/pac/terminals'))],
  [
    'one terminal, unknown tid (404)',
    {},
    ({ client }) =>
      observe(() =>
        client.pac.GET('/pac/terminals/{tid}', { params: { path: { tid: '99999999' } } }),
      ),
  ],
  [
    'auth failure (401): a key the cloud does not know',
    { apiKeys: ['another-key'] },
    ({ client }) => observe(() => client.pac.GET('/pac/terminals')),
  ],
  [
    'busy terminal (422) on a second sale',
    { stepMs: 60_000 },
    async ({ client }) => [await observe(() => start(client)), await observe(() => start(client))],
  ],
  [
    'unknown request id (404)',
    {},
    ({ client }) =>
      observe(() =>
        client.pac.GET('/pac/terminals/{tid}/transactions/{requestId}', {
          params: { path: { tid: TID, requestId: 'nope' } },
        }),
      ),
  ],
  [
    'a whole sale, polled to the end (ledger moves)',
    {},
    async ({ client, cloud }) => {
      const started = await start(client, 1250)
      const done = await waitForTransaction(client, TID, started.data!.requestId, {
        intervalMs: 500,
      })
      return mask({
        result: done.transactionResult,
        ledger: cloud.ledger.map((e) => [e.kind, e.amount, e.result]),
      })
    },
  ],
  [
    'cancel an unknown transaction',
    {},
    ({ client }) =>
      observe(() =>
        client.pac.DELETE('/pac/terminals/{tid}/transactions/{requestId}', {
          params: { path: { tid: TID, requestId: 'nope' } },
        }),
      ),
  ],
  [
    'pay at table: list and unknown table',
    {},
    async ({ client }) => [
      await observe(() => client.pat.GET('/pat/tables')),
      await observe(() =>
        client.pat.GET('/pat/tables/{tableName}', { params: { path: { tableName: 'T404' } } }),
      ),
    ],
  ],
]

describe('the same answers through the client, by cloud.fetch and by MSW', () => {
  it.each(SCENARIOS)('%s', async (_name, options, scenario) => {
    await sameOnBothRoutes(server, (route) => scenario(rig(route, options)))
  })
})

/** Faults armed on the cloud, seen through the client (retries off). */
const FAULTS: Array<[string, Parameters<FakeCloud['faults']['add']>[0], boolean]> = [
  ['status 503', { kind: 'status', status: 503, times: 1 }, false],
  ['status 429 with Retry-After', { kind: 'status', status: 429, retryAfter: 3, times: 1 }, false],
  [
    'lost response (reset): processed, answer gone',
    { kind: 'lostResponse', mode: 'reset', times: 1 },
    true,
  ],
  [
    'lost response (hang) until the client times out',
    { kind: 'lostResponse', mode: 'hang', times: 1 },
    true,
  ],
  ['latency beyond the client timeout', { kind: 'latency', ms: 600_000, times: 1 }, false],
  ['latency within the timeout', { kind: 'latency', ms: 2_000, times: 1 }, true],
  [
    'a redirect status (307), answered as is to the client',
    { kind: 'status', status: 307, times: 1 },
    false,
  ],
]

describe('faults through the client, by cloud.fetch and by MSW', () => {
  it.each(FAULTS)('%s', async (_name, fault, startsSale) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const { cloud, client } = rig(route)
      cloud.faults.add(fault)
      const answer = await observe(() => start(client))
      const terminal = cloud.terminals.get(TID).status
      seen.push({ answer, terminal, started: terminal === 'BUSY' || cloud.ledger.length > 0 })
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
    expect((seen[0] as { started: boolean }).started).toBe(startsSale)
  })
})

describe('request spacing (429) is the same through MSW', () => {
  it('a second request within the spacing window is refused on both routes', async () => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const { cloud, client } = rig(route, { requestSpacingMs: 100 })
      // The client spaces its own requests; two clients of one account do not know of each other.
      const other = createPaymentsenseClient({
        account: 'acme',
        environment: 'test',
        apiKey: 'test-api-key',
        softwareHouseId: 'SWH',
        installerId: 'INST',
        retry: false,
        ...(route === 'cloud.fetch' && { fetch: cloud.fetch }),
      } as Parameters<typeof createPaymentsenseClient>[0])
      const [a, b] = await Promise.all([
        observe(() => client.pac.GET('/pac/terminals')),
        observe(() => other.pac.GET('/pac/terminals')),
      ])
      seen.push([(a as any).status ?? (a as any).thrown, (b as any).status])
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
  })
})

describe('hosts the handlers match', () => {
  it.each([
    ['acme', 'test'],
    ['acme', 'live'],
    ['bistro-2', 'test'],
    ['x', 'live'],
  ] as const)(
    'the client at account %s, %s, is served by the default handlers',
    async (account, environment) => {
      const { client } = rig('msw', {}, account, environment)
      const { response, data } = await client.pac.GET('/pac/terminals', {})
      expect(response.status).toBe(200)
      const host = `${account}${environment === 'test' ? '.test' : ''}.connect.paymentsense.cloud`
      expect(data!.terminals[0]!.location).toBe(`https://${host}/pac/terminals/${TID}`)
    },
  )

  it.each([
    ['a query string', '/pac/terminals?x=1&y=2', 200],
    ['a trailing slash', '/pac/terminals/', 200],
    ['the bare host', '', 404],
  ])('raw fetch with %s: same status on both routes', async (_n, path, status) => {
    const cloud = createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 })
    server.use(...cloud.handlers())
    const direct = await cloud.fetch(pac('GET', path))
    const viaMsw = await fetch(pac('GET', path))
    expect([direct.status, viaMsw.status]).toEqual([status, status])
  })

  it('a custom base URL with a trailing slash and a port: that origin only', async () => {
    const cloud = createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers('http://127.0.0.1:4010/'))
    const local = await fetch(pac('GET', '/pac/terminals?x=1', { origin: 'http://127.0.0.1:4010' }))
    expect(local.status).toBe(200)
    const port = await fetch(pac('GET', '/pac/terminals', { origin: 'http://127.0.0.1:40100' }))
    expect(port.status).toBe(299)
  })

  it('the WebSocket link is in handlers() and matches both environments, as the README says', () => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    const sockets = cloud.handlers().filter((h) => (h as { kind?: string }).kind === 'websocket')
    expect(sockets).toHaveLength(1)
    const link = sockets[0] as unknown as { test(url: URL): boolean }
    for (const url of [
      'wss://acme.connect.paymentsense.cloud/pac?token=k&api-version=v1',
      'wss://acme.test.connect.paymentsense.cloud/pat?token=k',
    ])
      expect(link.test(new URL(url))).toBe(true)
  })

  it('the WebSocket link does not take a socket to another host whose path names the cloud host', () => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    const [link] = cloud
      .handlers()
      .filter((h) => (h as { kind?: string }).kind === 'websocket') as unknown as Array<{
      test(url: URL): boolean
    }>
    expect(
      link!.test(new URL('wss://proxy.example/forward/acme.connect.paymentsense.cloud/pac')),
    ).toBe(false)
  })

  it.each([
    [
      'a proxy path naming the cloud host',
      'https://proxy.example/forward/acme.connect.paymentsense.cloud/pac/terminals',
    ],
    ['a look-alike host', 'https://acme.connect.paymentsense.cloud.example/pac/terminals'],
    ['plain http', 'http://acme.connect.paymentsense.cloud/pac/terminals'],
    ['another port', 'https://acme.connect.paymentsense.cloud:8443/pac/terminals'],
  ])('does not swallow a request to another host: %s', async (_n, url) => {
    const cloud = createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 })
    // Handlers added later take precedence: the fake's are asked first, the catch-all only if they pass.
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers())
    const response = await fetch(pac('GET', new URL(url).pathname, { origin: new URL(url).origin }))
    expect(await response.text()).toBe('not the fake')
  })
})

describe('a redirect status fault', () =>
  redirectFaultTests(
    server,
    () => createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 }),
    {
      'GET list': () => pac('GET', '/pac/terminals'),
      'POST sale': () => pac('POST', `/pac/terminals/${TID}/transactions`, { body: sale(1000) }),
    },
  ))

describe('status faults with a null-body status (204, 205, 304), through the client', () => {
  // cloud.fetch answers e.g. a 204 carrying the default JSON error body; behind MSW the interceptor
  // cannot build a Response with a body for that status: the request never settles (an unhandled
  // rejection inside MSW), and the client only sees its own timeout.
  it.each([204, 205, 304])('status %i: the same answer on both routes', async (status) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const { cloud, client } = rig(route)
      cloud.faults.add({ kind: 'status', status, times: 1 })
      seen.push(await observe(() => client.pac.GET('/pac/terminals')))
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
  })
})

describe('bad requests sent raw (what the client would refuse to build)', () => {
  const START = `/pac/terminals/${TID}/transactions`
  const CASES: Array<[string, () => Request]> = [
    ['a body that is not JSON (422)', () => pac('POST', START, { body: '{x' })],
    [
      'a body of another media type (422)',
      () =>
        pac('POST', START, { body: sale(1000), headers: { 'content-type': 'application/json' } }),
    ],
    [
      'a sale the model refuses (422)',
      () => pac('POST', START, { body: { transactionType: 'SALE', amount: -1, currency: 'GBP' } }),
    ],
    [
      'no EPoS headers (422)',
      () =>
        pac('GET', '/pac/terminals', {
          headers: { 'software-house-id': undefined, 'installer-id': undefined },
        }),
    ],
    [
      'no Accept version (406)',
      () => pac('GET', '/pac/terminals', { headers: { accept: 'application/json' } }),
    ],
    [
      'a wrong key (401)',
      () =>
        pac('GET', '/pac/terminals', { headers: { authorization: `Basic ${btoa('u:wrong')}` } }),
    ],
    ['a method not allowed (405, Allow)', () => pac('PATCH', `/pac/terminals/${TID}`)],
    ['an unknown path with a query (404)', () => pac('GET', '/pac/nothing?x=1')],
    ['a HEAD request (405)', () => pac('HEAD', '/pac/terminals')],
  ]
  it.each(CASES)('%s: the same status, headers and body on both routes', async (_n, make) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const cloud = createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 })
      if (route === 'msw') server.use(...cloud.handlers())
      const response = await (route === 'msw' ? fetch : cloud.fetch)(make())
      seen.push({
        status: response.status,
        headers: [...response.headers],
        body: await response.text(),
      })
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
    expect((seen[0] as { status: number }).status).toBeGreaterThanOrEqual(400)
  })
})

describe('a base with a path prefix (a POS behind its own proxy)', () => {
  const headers = (body: boolean) =>
    Object.fromEntries([...pac(body ? 'POST' : 'GET', '/', body ? { body: {} } : {}).headers])
  basePathTests(
    server,
    () => createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 }),
    async (send) => {
      const list = await send('/pac/terminals', { headers: headers(false) })
      const started = await send(`/pac/terminals/${TID}/transactions`, {
        method: 'POST',
        headers: headers(true),
        body: JSON.stringify(sale(1000)),
      })
      const { location } = (await started.json()) as { location: string }
      // The transaction's own link, followed as a POS would, leads back to the fake.
      const polled = await send(location, { headers: headers(false) })
      expect([list.status, started.status, polled.status]).toEqual([200, 201, 200])
      return mask({
        list: [list.status, (await list.json()).terminals[0].location],
        started: [started.status, location],
        polled: [polled.status, (await polled.json()).notifications],
      })
    },
    '/pac/terminals',
  )
})

/**
 * The Payroc fake behind MSW (`cloud.handlers()` + the global fetch) must be the same fake as
 * `cloud.fetch`: same answers, errors, state changes, request log and ledger, whichever way a request arrives.
 */
import { createManualClock } from '@tillkit/core'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  cancelInstruction,
  createPayrocClient,
  retrieveResult,
  submitInstruction,
  waitForInstruction,
  type PayrocClient,
} from '../../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'
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

const SERIAL = 'PAXA920-0001'
const sale = (amount: number, orderId = 'r-1') => ({
  processingTerminalId: '1234001',
  order: { orderId, amount, currency: 'USD' },
})

interface Rig {
  cloud: FakeCloud
  client: PayrocClient
  route: Route
}

function rig(
  route: Route,
  cloudOptions: FakeCloudOptions = {},
  where: { environment?: 'test' | 'live'; apiKey?: string } = {},
): Rig {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, ...cloudOptions })
  if (route === 'msw') server.use(...cloud.handlers())
  const client = createPayrocClient({
    apiKey: where.apiKey ?? 'test-api-key',
    environment: where.environment ?? 'test',
    clock,
    retry: false,
    ...(route === 'cloud.fetch' && { fetch: cloud.fetch }),
  })
  return { cloud, client, route }
}

/** Ids the fake makes at random, and fields that cannot match between two clouds. */
const ID =
  /\b[0-9a-f]{32}\b|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=\/(payments|refunds|signatures)\/)[A-Z0-9]{10}\b/g
const VOLATILE = new Set([
  'cause',
  'stack',
  'paymentId',
  'refundId',
  'signatureId',
  'idempotencyKey',
  'approvalCode',
])
function mask(v: unknown): unknown {
  const text = JSON.stringify(v, (k, x) => (VOLATILE.has(k) ? '<x>' : x))
  return text === undefined ? undefined : JSON.parse(text.replace(ID, '<id>'))
}

const view = (cloud: FakeCloud) =>
  mask({
    ledger: cloud.ledger.map((e) => [e.kind, e.amount, e.result]),
    log: cloud.requests.map((r) => `${r.method} ${r.path} ${r.status ?? '-'}`),
  }) as object

const SCENARIOS: Array<[string, FakeCloudOptions, (r: Rig) => Promise<unknown>]> = [
  [
    'a sale end to end (submit, long-poll, result)',
    {},
    async ({ client, cloud }) => {
      const submitted = await submitInstruction(client, 'payment', SERIAL, sale(2500))
      const done = await waitForInstruction(client, 'payment', submitted.id)
      const payment = await observe(() => retrieveResult(client, 'payment', done))
      return [mask(done), payment, view(cloud)]
    },
  ],
  [
    'declined and partial endings',
    {},
    async ({ client, cloud }) => {
      const out = []
      for (const amount of [1005, 3002]) {
        const s = await submitInstruction(client, 'payment', SERIAL, sale(amount, `o-${amount}`))
        out.push(await observe(() => waitForInstruction(client, 'payment', s.id)))
      }
      return [out, view(cloud)]
    },
  ],
  [
    'an unknown API key (401 at identity)',
    { apiKeys: ['another-key'] },
    ({ client }) =>
      observe(() => client.api.GET('/devices', { params: { query: { limit: 3 } as never } })),
  ],
  [
    'a read-only key submitting (403)',
    { readOnlyApiKeys: ['read-key'] },
    async (r) => {
      const client = createPayrocClient({
        apiKey: 'read-key',
        environment: 'test',
        clock: r.client.transport.clock,
        retry: false,
        ...(r.route === 'cloud.fetch' && { fetch: r.cloud.fetch }),
      })
      return observe(() => submitInstruction(client, 'payment', SERIAL, sale(1000)))
    },
  ],
  [
    'an unknown device (404)',
    {},
    ({ client }) => observe(() => submitInstruction(client, 'payment', 'NOPE-0001', sale(1000))),
  ],
  [
    'a busy device (a second instruction while one runs)',
    {},
    async ({ client, cloud }) => {
      await submitInstruction(client, 'payment', SERIAL, sale(1000, 'a'))
      return [
        await observe(() => submitInstruction(client, 'payment', SERIAL, sale(2000, 'b'))),
        view(cloud),
      ]
    },
  ],
  [
    'an unknown instruction id (404)',
    {},
    ({ client }) =>
      observe(() => waitForInstruction(client, 'payment', 'ffffffffffffffffffffffffffffffff')),
  ],
  [
    'cancel a running instruction',
    {},
    async ({ client, cloud }) => {
      const s = await submitInstruction(client, 'payment', SERIAL, sale(1000))
      return [await observe(() => cancelInstruction(client, 'payment', s.id)), view(cloud)]
    },
  ],
  [
    'the same idempotency key twice: one instruction, replayed',
    {},
    async ({ client, cloud }) => {
      const key = '3f0c6f5e-6a3f-4b8e-9a51-2f7d0a1b2c3d'
      const a = await submitInstruction(client, 'payment', SERIAL, sale(1000), {
        idempotencyKey: key,
      })
      const b = await submitInstruction(client, 'payment', SERIAL, sale(1000), {
        idempotencyKey: key,
      })
      return [a.id === b.id, cloud.requests.map((r) => [r.path, r.status, r.replayed])]
    },
  ],
  [
    'devices and payments with query strings',
    {},
    async ({ client }) => {
      const s = await submitInstruction(client, 'payment', SERIAL, sale(1250))
      await waitForInstruction(client, 'payment', s.id)
      return [
        await observe(() =>
          client.api.GET('/devices', { params: { query: { limit: 3 } as never } }),
        ),
        await observe(() =>
          client.api.GET('/payments', { params: { query: { limit: 2 } as never } }),
        ),
      ]
    },
  ],
  [
    'a held instruction read, abandoned by the caller after 10 s (slow customer, 06)',
    {},
    async ({ client, cloud }) => {
      const s = await submitInstruction(client, 'payment', SERIAL, sale(2006))
      const controller = new AbortController()
      client.transport.clock.schedule(10_000, () => controller.abort(new Error('caller left')))
      const answer = await observe(() =>
        waitForInstruction(client, 'payment', s.id, { signal: controller.signal }),
      )
      return [
        answer,
        cloud.requests.map((r) => [
          r.method,
          r.path.replace(ID, '<id>'),
          r.status ?? '-',
          r.endedAt - r.at,
        ]),
      ]
    },
  ],
]

describe('the same answers through the client, by cloud.fetch and by MSW', () => {
  it.each(SCENARIOS)('%s', async (_name, options, scenario) => {
    await sameOnBothRoutes(server, (route) => scenario(rig(route, options)))
  })
})

type AnyFault = Parameters<FakeCloud['faults']['add']>[0]
const SUBMIT = /-instructions$/
const FAULTS: Array<[string, AnyFault]> = [
  ['status 503 on submit', { kind: 'status', status: 503, match: { path: SUBMIT }, times: 1 }],
  [
    'status 429 with Retry-After on submit',
    { kind: 'status', status: 429, retryAfter: 1, match: { path: SUBMIT }, times: 1 },
  ],
  [
    'lost response (reset) on submit',
    { kind: 'lostResponse', mode: 'reset', match: { path: SUBMIT }, times: 1 },
  ],
  [
    'lost response (hang) on submit',
    { kind: 'lostResponse', mode: 'hang', match: { path: SUBMIT }, times: 1 },
  ],
  ['latency 5 s on submit', { kind: 'latency', ms: 5_000, match: { path: SUBMIT }, times: 1 }],
  [
    'latency beyond the timeout on submit',
    { kind: 'latency', ms: 600_000, match: { path: SUBMIT }, times: 1 },
  ],
  [
    'a redirect status (307) on submit, answered as is',
    { kind: 'status', status: 307, match: { path: SUBMIT }, times: 1 },
  ],
  [
    'status 503 at identity',
    { kind: 'status', status: 503, match: { path: '/authorize' }, times: 1 },
  ],
  [
    'a null-body status (204) on submit',
    { kind: 'status', status: 204, match: { path: SUBMIT }, times: 1 },
  ],
]

describe('faults through the client, by cloud.fetch and by MSW', () => {
  it.each(FAULTS)('%s', async (_name, fault) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const r = rig(route)
      r.cloud.faults.add(fault)
      const answer = await observe(() => submitInstruction(r.client, 'payment', SERIAL, sale(1000)))
      seen.push({ answer, instructions: r.cloud.instructions.list().length, ...view(r.cloud) })
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
  })
})

describe('hosts the default handlers match', () => {
  it.each([
    [
      'a proxy whose path names the API host',
      'https://proxy.example/forward/api.payroc.com/v1/devices',
    ],
    [
      'a proxy whose path names the identity host',
      'https://proxy.example/forward/identity.payroc.com/authorize',
    ],
    ['a look-alike host', 'https://api.payroc.com.example/v1/devices'],
    ['the apex domain', 'https://payroc.com/v1/devices'],
    ['plain http', 'http://api.payroc.com/v1/devices'],
  ])('does not swallow a request to another host: %s', async (_n, url) => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers())
    const response = await fetch(url, {
      method: url.endsWith('/authorize') ? 'POST' : 'GET',
      headers: { 'x-api-key': 'test-api-key' },
    })
    expect(await response.text()).toBe('not the fake')
    expect(cloud.requests).toEqual([])
  })

  it('chosen bases with trailing slashes (API with /v1, identity apart): those origins only', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers('http://api.local:4010/v1/', 'http://identity.local:4011/'))
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      baseUrl: 'http://api.local:4010/v1/',
      identityUrl: 'http://identity.local:4011/',
      clock,
    })
    const { data } = await client.api.GET('/devices', { params: { query: { limit: 3 } as never } })
    expect(data?.data?.length).toBe(3)
    const other = await fetch('http://api.local:4012/v1/devices')
    expect(other.status).toBe(299)
  })
})

describe('a redirect status fault', () =>
  redirectFaultTests(server, () => createFakeCloud({ clock: createManualClock() }), {
    'POST /authorize': () =>
      new Request('https://identity.uat.payroc.com/authorize', {
        method: 'POST',
        headers: { 'x-api-key': 'test-api-key' },
      }),
    'GET /authorize': () =>
      new Request('https://identity.uat.payroc.com/authorize', {
        headers: { 'x-api-key': 'test-api-key' },
      }),
  }))

describe('bad requests sent raw (a body the client would refuse to build)', () => {
  const API = 'https://api.uat.payroc.com/v1'
  const SUBMIT_URL = `${API}/devices/${SERIAL}/payment-instructions`
  const CASES: Array<[string, (token: string) => Request]> = [
    [
      'a body that is not JSON (400)',
      (t) =>
        new Request(SUBMIT_URL, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${t}`,
            'content-type': 'application/json',
            'idempotency-key': '3f0c6f5e-6a3f-4b8e-9a51-2f7d0a1b2c3d',
          },
          body: '{x',
        }),
    ],
    [
      'a body of another media type (415)',
      (t) =>
        new Request(SUBMIT_URL, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'text/plain' },
          body: '{}',
        }),
    ],
    [
      'no Idempotency-Key (400)',
      (t) =>
        new Request(SUBMIT_URL, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: JSON.stringify(sale(1000)),
        }),
    ],
    [
      'a bad bearer token (401)',
      () => new Request(`${API}/devices`, { headers: { authorization: 'Bearer nope' } }),
    ],
    [
      'Accept the API does not answer (406)',
      (t) =>
        new Request(`${API}/devices`, {
          headers: { authorization: `Bearer ${t}`, accept: 'text/html' },
        }),
    ],
    [
      'a method not allowed (405)',
      (t) =>
        new Request(`${API}/devices`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${t}` },
        }),
    ],
    [
      'an unknown path (404)',
      (t) => new Request(`${API}/nothing?x=1`, { headers: { authorization: `Bearer ${t}` } }),
    ],
  ]
  it.each(CASES)('%s: the same status, headers and body on both routes', async (_n, make) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const cloud = createFakeCloud({ clock: createManualClock() })
      if (route === 'msw') server.use(...cloud.handlers())
      const send = route === 'msw' ? fetch : cloud.fetch
      const auth = await send(
        new Request('https://identity.uat.payroc.com/authorize', {
          method: 'POST',
          headers: { 'x-api-key': 'test-api-key' },
        }),
      )
      const { access_token } = (await auth.json()) as { access_token: string }
      const response = await send(make(access_token))
      seen.push({
        status: response.status,
        headers: [...response.headers],
        body: await response.text(),
      })
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
  })
})

describe('a base with a path prefix (a POS behind its own proxy)', () =>
  basePathTests(
    server,
    // Instruction reads not held: the manual clock never moves here.
    () => createFakeCloud({ clock: createManualClock(), holdMs: 0 }),
    async (send) => {
      const token = await send('/authorize', {
        method: 'POST',
        headers: { 'x-api-key': 'test-api-key' },
      })
      const auth = { authorization: `Bearer ${(await token.json()).access_token}` }
      const page = await send('/v1/devices?limit=2', { headers: auth })
      const next = (await page.json()).links[0].href as string
      const more = await send(next, { headers: auth })
      const submitted = await send(`/v1/devices/${SERIAL}/payment-instructions`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/json',
          'idempotency-key': crypto.randomUUID(),
        },
        body: JSON.stringify(sale(1000)),
      })
      const self = (await submitted.json()).link.href as string
      const read = await send(self, { headers: auth })
      const statuses = [token, page, more, submitted, read].map((r) => r.status)
      expect(statuses).toEqual([200, 200, 200, 202, 200])
      return {
        statuses,
        next,
        devices: (await more.json()).data.map((d: { serialNumber: string }) => d.serialNumber),
        self: self.replace(/[0-9a-f]{32}$/, '<id>'),
        status: (await read.json()).status,
      }
    },
    '/v1/devices',
  ))

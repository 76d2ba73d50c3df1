/**
 * The SmartConnect fake behind MSW (`cloud.handlers()` + the global fetch) must be the same fake as
 * `cloud.fetch`: same answers, errors, state changes and ledger, whichever way a request arrives.
 */
import { createManualClock } from '@tillkit/core'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { createSmartConnectClient, type SmartConnectClient } from '../../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'
import { REGISTER } from '../helpers.js'
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

interface Rig {
  cloud: FakeCloud
  client: SmartConnectClient
  /** Pairs REGISTER with VT000001 through the client. */
  pair(): Promise<void>
}

function rig(
  route: Route,
  cloudOptions: FakeCloudOptions = {},
  environment: 'dev' | 'production' = 'dev',
): Rig {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, ...cloudOptions })
  if (route === 'msw') server.use(...cloud.handlers())
  const client = createSmartConnectClient({
    environment,
    register: REGISTER,
    clock,
    ...(route === 'cloud.fetch' && { fetch: cloud.fetch }),
  })
  return { cloud, client, pair: () => client.pair(cloud.terminals.get('VT000001').pairingCode) }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const VOLATILE = new Set(['cause', 'stack', 'pollingUrl', 'PollingUrl', 'merchantAccessToken'])
function mask(v: unknown): unknown {
  const text = JSON.stringify(v, (k, x) => (VOLATILE.has(k) ? '<x>' : x))
  return text === undefined
    ? undefined
    : JSON.parse(
        text
          .replace(UUID, '<id>')
          .replace(/merchantAccessToken=[^"&]+/g, 'merchantAccessToken=<t>'),
      )
}

const ledger = (cloud: FakeCloud) => cloud.ledger.map((e) => [e.amount, e.result])

const SCENARIOS: Array<[string, FakeCloudOptions, (r: Rig) => Promise<unknown>]> = [
  ['pairing with a wrong code (400)', {}, ({ client }) => observe(() => client.pair('ZZZZZZ'))],
  [
    'purchases: accept, decline, cancel on terminal, offline, delayed',
    {},
    async (r) => {
      await r.pair()
      const out = []
      for (const cents of [1000, 305, 407, 508, 609])
        out.push(await observe(() => r.client.transact('Card.Purchase', { AmountTotal: cents })))
      return [out, ledger(r.cloud)]
    },
  ],
  [
    'a start before pairing',
    {},
    ({ client }) => observe(() => client.startTransaction('Card.Purchase', { AmountTotal: 1000 })),
  ],
  [
    'busy terminal: a second start while one runs',
    {},
    async (r) => {
      await r.pair()
      await r.client.startTransaction('Card.Purchase', { AmountTotal: 1000 })
      return observe(() => r.client.startTransaction('Card.Purchase', { AmountTotal: 2000 }))
    },
  ],
  [
    'polling: twice at once (429), a wrong token (401), an unknown id (404)',
    {},
    async (r) => {
      await r.pair()
      const pending = await r.client.startTransaction('Card.Purchase', { AmountTotal: 1000 })
      const first = await observe(() => r.client.poll(pending))
      const second = await observe(() => r.client.poll(pending))
      const url = new URL(pending.pollingUrl)
      url.searchParams.set('merchantAccessToken', 'wrong')
      const wrong = await observe(() => r.client.poll({ ...pending, pollingUrl: url.href }))
      const unknown = await observe(() =>
        r.client.poll({
          ...pending,
          pollingUrl: pending.pollingUrl.replace(pending.transactionId, 'nope'),
        }),
      )
      return [first, second, wrong, unknown]
    },
  ],
  [
    'a transaction followed past its token lifetime',
    { tokenLifetimeMs: 30_000 } as FakeCloudOptions,
    async (r) => {
      await r.pair()
      const pending = await r.client.startTransaction('Card.Purchase', { AmountTotal: 1011 })
      return observe(() => r.client.waitForOutcome(pending))
    },
  ],
]

describe('the same answers through the client, by cloud.fetch and by MSW', () => {
  it.each(SCENARIOS)('%s', async (_name, options, scenario) => {
    await sameOnBothRoutes(server, (route) => scenario(rig(route, options)))
  })
})

type AnyFault = Parameters<FakeCloud['faults']['add']>[0]
const START = { method: 'POST' }
const FAULTS: Array<[string, AnyFault]> = [
  ['status 503 on start', { kind: 'status', status: 503, match: START, times: 1 }],
  [
    'status 429 with Retry-After on start',
    { kind: 'status', status: 429, retryAfter: 1, match: START, times: 1 },
  ],
  [
    'lost response (reset) on start',
    { kind: 'lostResponse', mode: 'reset', match: START, times: 1 },
  ],
  ['lost response (hang) on start', { kind: 'lostResponse', mode: 'hang', match: START, times: 1 }],
  ['latency 3 s on start', { kind: 'latency', ms: 3_000, match: START, times: 1 }],
  ['latency beyond the timeout on start', { kind: 'latency', ms: 600_000, match: START, times: 1 }],
  [
    'a redirect status (302) on start, never followed',
    { kind: 'status', status: 302, match: START, times: 1 },
  ],
  [
    'a broken poll body (200, not JSON)',
    { kind: 'status', status: 200, body: 'not json', match: { method: 'GET' }, times: 1 },
  ],
  ['a null-body status (204) on start', { kind: 'status', status: 204, match: START, times: 1 }],
]

describe('faults through the client, by cloud.fetch and by MSW', () => {
  it.each(FAULTS)('%s', async (_name, fault) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const r = rig(route)
      await r.pair()
      r.cloud.faults.add(fault)
      const answer = await observe(() => r.client.transact('Card.Purchase', { AmountTotal: 1000 }))
      seen.push({
        answer,
        ledger: ledger(r.cloud),
        transactions: r.cloud.transactions.list().length,
      })
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
  })
})

describe('hosts the default handlers match', () => {
  it.each([
    [
      'a proxy whose path names the cloud host',
      'https://proxy.example/forward/api.smart-connect.cloud/POS/Transaction',
    ],
    ['a look-alike host', 'https://api.smart-connect.cloud.example/POS/Transaction'],
    ['plain http', 'http://api.smart-connect.cloud/POS/Transaction'],
  ])('does not swallow a request to another host: %s', async (_n, url) => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers())
    const response = await fetch(url, { method: 'POST' })
    expect(await response.text()).toBe('not the fake')
  })

  it('a chosen base URL with a trailing slash: that origin only; polling URLs stay on it', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers('http://127.0.0.1:4010/'))
    const client = createSmartConnectClient({
      environment: 'dev',
      baseUrl: 'http://127.0.0.1:4010/POS/',
      register: REGISTER,
      clock,
    } as Parameters<typeof createSmartConnectClient>[0])
    await client.pair(cloud.terminals.get('VT000001').pairingCode)
    const outcome = await client.transact('Card.Purchase', { AmountTotal: 1000 })
    expect(outcome.status).toBe('approved')
    expect((await fetch('http://127.0.0.1:4011/POS/Transaction')).status).toBe(299)
  })
})

describe('a redirect status fault', () =>
  redirectFaultTests(server, () => createFakeCloud({ clock: createManualClock() }), {
    GET: () =>
      new Request('https://api-dev.smart-connect.cloud/POS/Transaction/x?merchantAccessToken=t'),
    POST: () =>
      new Request('https://api-dev.smart-connect.cloud/POS/Transaction/x?merchantAccessToken=t', {
        method: 'POST',
        body: new URLSearchParams({ TransactionMode: 'ASYNC' }),
      }),
  }))

describe('bad requests sent raw (what the client would refuse to build)', () => {
  const BASE = 'https://api-dev.smart-connect.cloud/POS'
  const form = (fields: Record<string, string>) => new URLSearchParams(fields)
  const CASES: Array<[string, () => Request]> = [
    [
      'a JSON body instead of a form (400)',
      () =>
        new Request(`${BASE}/Transaction`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
    ],
    [
      'pairing without the register names (400)',
      () =>
        new Request(`${BASE}/Pairing/ABCDEF`, {
          method: 'PUT',
          body: form({ POSRegisterID: REGISTER.id }),
        }),
    ],
    [
      'a start from an unknown register (400)',
      () =>
        new Request(`${BASE}/Transaction`, {
          method: 'POST',
          body: form({
            POSRegisterID: REGISTER.id,
            POSBusinessName: 'x',
            POSVendorName: 'y',
            TransactionMode: 'ASYNC',
            TransactionType: 'Card.Purchase',
            AmountTotal: '100',
          }),
        }),
    ],
    [
      'a poll of an unknown id (404)',
      () => new Request(`${BASE.toLowerCase()}/transaction/nope?merchantAccessToken=t`),
    ],
    [
      'a method not allowed (405, Allow)',
      () => new Request(`${BASE}/Transaction`, { method: 'DELETE' }),
    ],
    ['an unknown path with a query (404)', () => new Request(`${BASE}/Nothing?x=1`)],
  ]
  it.each(CASES)('%s: the same status, headers and body on both routes', async (_n, make) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const cloud = createFakeCloud({ clock: createManualClock() })
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
  const IDENTITY = {
    POSRegisterID: REGISTER.id,
    POSBusinessName: REGISTER.businessName,
    POSVendorName: REGISTER.vendorName,
  }
  const form = (method: string, fields: Record<string, string>) => ({
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  basePathTests(
    server,
    () => createFakeCloud({ clock: createManualClock() }),
    async (send, cloud) => {
      const code = cloud.terminals.get('VT000001').pairingCode
      const paired = await send(
        `/POS/Pairing/${code}`,
        form('PUT', { ...IDENTITY, POSRegisterName: REGISTER.name }),
      )
      const started = await send(
        '/POS/Transaction',
        form('POST', {
          ...IDENTITY,
          TransactionMode: 'ASYNC',
          TransactionType: 'Card.Purchase',
          AmountTotal: '1250',
        }),
      )
      // The polling URL, followed as a POS would, leads back to the fake through the base.
      const url = (await started.json()).data.PollingUrl as string
      const polled = await send(url)
      const statuses = [paired, started, polled].map((r) => r.status)
      expect(statuses).toEqual([200, 200, 200])
      return {
        statuses,
        url: url.replace(/transaction\/[^?]+\?merchantAccessToken=.*$/, 'transaction/<id>'),
        status: (await polled.json()).transactionStatus,
      }
    },
    '/POS/Transaction',
  )
})

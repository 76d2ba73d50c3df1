/**
 * The Adyen fake behind MSW (`cloud.handlers()` + the global fetch) must be the same fake as
 * `cloud.fetch`: same answers, errors, state changes and ledger, whichever way a request arrives.
 */
import { createManualClock } from '@tillkit/core'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  createAdyenClient,
  type AdyenClient,
  type AdyenRegion,
  type AdyenTransport,
  type NexoBuilder,
} from '../../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'
import { KEY, MERCHANT, OTHER_POI, POI } from '../helpers.js'
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
  adyen: AdyenClient
  nexo: NexoBuilder
}

function rig(
  route: Route,
  transport: AdyenTransport = 'device-api',
  cloudOptions: FakeCloudOptions = {},
  where: { environment?: 'test' | 'live'; region?: AdyenRegion; apiKey?: string } = {},
): Rig {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, ...cloudOptions })
  if (route === 'msw') server.use(...cloud.handlers())
  const adyen = createAdyenClient({
    apiKey: where.apiKey ?? KEY,
    environment: where.environment ?? 'test',
    ...(where.region && { region: where.region }),
    transport,
    merchantAccount: MERCHANT,
    clock,
    ...(route === 'cloud.fetch' && { fetch: cloud.fetch }),
  }) as AdyenClient
  return { cloud, adyen, nexo: adyen.nexo({ saleId: 'review' }) }
}

/** Values that differ between two clouds by design (counters shared by the module, random references). */
const VOLATILE = new Set([
  'ServiceID',
  'serviceId',
  'requestId',
  'pspReference',
  'PSPReference',
  'cause',
  'stack',
])
function mask(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (k, x) => (VOLATILE.has(k) ? '<x>' : x)) ?? 'null')
}

const pay = ({ adyen, nexo }: Rig, amount: number, poiId = POI, transactionId = 'tx-1') =>
  adyen.payment(nexo.payment({ poiId, amount, currency: 'EUR', transactionId }))

const ledger = (cloud: FakeCloud) =>
  cloud.ledger.map((e) => [e.kind, e.amount, (e as { result?: string }).result])

const SCENARIOS: Array<[string, AdyenTransport, FakeCloudOptions, (r: Rig) => Promise<unknown>]> =
  []
for (const transport of ['device-api', 'legacy'] as const) {
  SCENARIOS.push(
    [
      `${transport}: approved sale`,
      transport,
      {},
      async (r) => [await observe(() => pay(r, 1000)), ledger(r.cloud)],
    ],
    [
      `${transport}: refused (05)`,
      transport,
      {},
      async (r) => [await observe(() => pay(r, 1005)), ledger(r.cloud)],
    ],
    [`${transport}: cancelled on terminal (10)`, transport, {}, (r) => observe(() => pay(r, 1010))],
    [`${transport}: processing timeout (12)`, transport, {}, (r) => observe(() => pay(r, 1012))],
    [
      `${transport}: sale then partial reversal`,
      transport,
      {},
      async (r) => {
        const sale = (await pay(r, 1000)) as { poiTransaction: any }
        const refund = await observe(() =>
          r.adyen.reversal(
            r.nexo.reversal({
              poiId: POI,
              original: sale.poiTransaction,
              amount: 250,
              currency: 'EUR',
            }),
          ),
        )
        return [refund, ledger(r.cloud)]
      },
    ],
    [
      `${transport}: reversal of an unknown original`,
      transport,
      {},
      (r) =>
        observe(() =>
          r.adyen.reversal(
            r.nexo.reversal({
              poiId: POI,
              original: { TransactionID: 'nope', TimeStamp: '2026-01-01T00:00:00.000Z' } as any,
            }),
          ),
        ),
    ],
    [
      `${transport}: unknown API key (401)`,
      transport,
      { apiKeys: ['other'] },
      (r) => observe(() => pay(r, 1000)),
    ],
    [
      `${transport}: credential without the Cloud Device API role (403)`,
      transport,
      { apiKeys: [{ key: KEY, cloudDeviceApiRole: false }] },
      (r) => observe(() => pay(r, 1000)),
    ],
    [
      `${transport}: a device of another merchant account (403)`,
      transport,
      {},
      (r) => observe(() => pay(r, 1000, OTHER_POI)),
    ],
    [
      `${transport}: busy terminal (a second payment while one runs)`,
      transport,
      {},
      async (r) => {
        const [a, b] = await Promise.all([
          observe(() => pay(r, 1000, POI, 'a')),
          observe(() => pay(r, 2000, POI, 'b')),
        ])
        return [a, b, ledger(r.cloud)]
      },
    ],
    [
      `${transport}: transaction status of an unknown payment`,
      transport,
      {},
      (r) =>
        observe(() =>
          r.adyen.transactionStatus(
            r.nexo.transactionStatus({
              poiId: POI,
              target: { saleId: 'review', serviceId: 'zzz' },
            } as any),
          ),
        ),
    ],
    [
      `${transport}: connected devices`,
      transport,
      {},
      (r) => observe(() => r.adyen.connectedDevices()),
    ],
    [
      `${transport}: async payment accepted`,
      transport,
      {},
      (r) =>
        observe(() =>
          r.adyen.sendAsync(
            r.nexo.payment({ poiId: POI, amount: 1000, currency: 'EUR', transactionId: 'as' }),
          ),
        ),
    ],
  )
}
SCENARIOS.push(
  ['device-api: device status', 'device-api', {}, (r) => observe(() => r.adyen.deviceStatus(POI))],
  [
    'device-api: status of an unknown device (403)',
    'device-api',
    {},
    (r) => observe(() => r.adyen.deviceStatus('nope')),
  ],
)

describe('the same answers through the client, by cloud.fetch and by MSW', () => {
  it.each(SCENARIOS)('%s', async (_name, transport, options, scenario) => {
    await sameOnBothRoutes(server, (route) => scenario(rig(route, transport, options)))
  })
})

type AnyFault = Parameters<FakeCloud['faults']['add']>[0]
const FAULTS: Array<[string, AnyFault]> = [
  ['status 503', { kind: 'status', status: 503, times: 1 }],
  ['status 429 with Retry-After', { kind: 'status', status: 429, retryAfter: 2, times: 1 }],
  ['lost response (reset)', { kind: 'lostResponse', mode: 'reset', times: 1 }],
  [
    'lost response (hang) until the client gives up',
    { kind: 'lostResponse', mode: 'hang', times: 1 },
  ],
  ['latency 1 s', { kind: 'latency', ms: 1_000, times: 1 }],
  ['latency beyond the client timeout', { kind: 'latency', ms: 3_600_000, times: 1 }],
  ['connection dropped after 1 s', { kind: 'dropConnection', afterMs: 1_000, times: 1 }],
  [
    'a redirect status (307), answered as is to the client',
    { kind: 'status', status: 307, times: 1 },
  ],
  ['a null-body status (204)', { kind: 'status', status: 204, times: 1 }],
]

describe('faults through the client, by cloud.fetch and by MSW', () => {
  it.each(FAULTS)('%s', async (_name, fault) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const r = rig(route)
      r.cloud.faults.add(fault)
      const answer = await observe(() => pay(r, 1000))
      seen.push({ answer, ledger: ledger(r.cloud) })
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
  })
})

describe('hosts the default handlers match', () => {
  const cases: Array<[AdyenTransport, 'test' | 'live', AdyenRegion]> = []
  for (const transport of ['device-api', 'legacy'] as const)
    for (const region of ['EU', 'AU', 'US', 'APSE'] as const)
      cases.push([transport, 'live', region])
  cases.push(['device-api', 'test', 'EU'], ['legacy', 'test', 'EU'])

  it.each(cases)(
    '%s, %s, region %s: the client is served by the default handlers',
    async (transport, environment, region) => {
      const r = rig('msw', transport, {}, { environment, region })
      expect(await r.adyen.connectedDevices()).toContain(POI)
    },
  )

  it.each([
    [
      'a look-alike host',
      'https://device-api-test.adyen.com.example/v1/merchants/M/connectedDevices',
    ],
    ['plain http', 'http://device-api-test.adyen.com/v1/merchants/M/connectedDevices'],
    [
      'a proxy whose path names the cloud host',
      'https://device-api-proxy.example/fwd/device-api-test.adyen.com/v1/merchants/M/connectedDevices',
    ],
    [
      'a proxy whose path names the legacy host',
      'https://terminal-api-mirror.example/terminal-api-test.adyen.com/sync',
    ],
  ])('does not swallow a request to another host: %s', async (_n, url) => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers())
    const response = await fetch(url, { headers: { 'x-api-key': KEY } })
    expect(await response.text()).toBe('not the fake')
  })

  it('a chosen base URL with a trailing slash: that origin only, query strings kept', async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock })
    server.use(http.all('*', () => HttpResponse.text('not the fake', { status: 299 })))
    server.use(...cloud.handlers('http://127.0.0.1:4010/'))
    const ok = await fetch(
      `http://127.0.0.1:4010/v1/merchants/${MERCHANT}/connectedDevices?store=PARIS-1`,
      {
        headers: { 'x-api-key': KEY },
      },
    )
    expect(await ok.json()).toEqual({ uniqueDeviceIds: ['S1F2-100000003'] })
    const other = await fetch(`http://127.0.0.1:4011/v1/merchants/${MERCHANT}/connectedDevices`)
    expect(other.status).toBe(299)
  })
})

describe('a redirect status fault', () =>
  redirectFaultTests(server, () => createFakeCloud({ clock: createManualClock() }), {
    GET: () =>
      new Request(`https://device-api-test.adyen.com/v1/merchants/${MERCHANT}/connectedDevices`, {
        headers: { 'x-api-key': KEY },
      }),
    POST: () =>
      new Request('https://terminal-api-test.adyen.com/connectedTerminals', {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ merchantAccount: MERCHANT }),
      }),
  }))

describe('bad requests sent raw (what the client would refuse to build)', () => {
  const DEVICE = `https://device-api-test.adyen.com/v1/merchants/${MERCHANT}/devices/${POI}`
  const h = { 'x-api-key': KEY, 'content-type': 'application/json' }
  const CASES: Array<[string, () => Request]> = [
    [
      'a body that is not JSON (400)',
      () => new Request(`${DEVICE}/sync`, { method: 'POST', headers: h, body: '{x' }),
    ],
    [
      'no MessageHeader (400)',
      () =>
        new Request(`${DEVICE}/sync`, {
          method: 'POST',
          headers: h,
          body: '{"SaleToPOIRequest":{}}',
        }),
    ],
    [
      'a POIID other than the path device (400)',
      () =>
        new Request(`${DEVICE}/sync`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({
            SaleToPOIRequest: { MessageHeader: { POIID: 'V400m-100000002' } },
          }),
        }),
    ],
    [
      'legacy: connectedTerminals without merchantAccount (400)',
      () =>
        new Request('https://terminal-api-test.adyen.com/connectedTerminals', {
          method: 'POST',
          headers: h,
          body: '{}',
        }),
    ],
    [
      'a wrong key (401)',
      () => new Request(`${DEVICE}/status`, { headers: { 'x-api-key': 'nope' } }),
    ],
    [
      'a method not allowed (405, Allow)',
      () => new Request(`${DEVICE}/sync`, { method: 'GET', headers: h }),
    ],
    [
      'an unknown path with a query (404)',
      () => new Request('https://device-api-test.adyen.com/v1/nothing?x=1', { headers: h }),
    ],
  ]
  it.each(CASES)('%s: the same status, headers and body on both routes', async (_n, make) => {
    const seen: unknown[] = []
    for (const route of ROUTES) {
      const cloud = createFakeCloud({ clock: createManualClock() })
      if (route === 'msw') server.use(...cloud.handlers())
      const response = await (route === 'msw' ? fetch : cloud.fetch)(make())
      seen.push(
        mask({
          status: response.status,
          headers: [...response.headers],
          body: JSON.parse(await response.text()),
        }),
      )
      server.resetHandlers()
    }
    expect(seen[1]).toEqual(seen[0])
    expect((seen[0] as { status: number }).status).toBeGreaterThanOrEqual(400)
  })
})

describe('a base with a path prefix (a POS behind its own proxy)', () => {
  it("a base ending in the API's own /v1 (as a client's baseUrl does) is no prefix", async () => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(
      ...cloud.handlers('http://api.local:4010/v1'),
      ...cloud.handlers('http://proxy.test/adyen/v1'),
    )
    for (const base of ['http://api.local:4010', 'http://proxy.test/adyen']) {
      const response = await fetch(`${base}/v1/merchants/${MERCHANT}/connectedDevices`, {
        headers: { 'x-api-key': KEY },
      })
      expect(response.status).toBe(200)
    }
  })

  basePathTests(
    server,
    () => createFakeCloud({ clock: createManualClock() }),
    async (send) => {
      const devices = await send(`/v1/merchants/${MERCHANT}/connectedDevices`, {
        headers: { 'x-api-key': KEY },
      })
      const terminals = await send('/connectedTerminals', {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ merchantAccount: MERCHANT }),
      })
      expect([devices.status, terminals.status]).toEqual([200, 200])
      return [await devices.json(), await terminals.json()]
    },
    `/v1/merchants/${MERCHANT}/connectedDevices`,
  )
})

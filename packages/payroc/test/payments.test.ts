import { describe, expect, it } from 'vitest'
import { createManualClock } from '@tillkit/core'
import {
  createPayrocClient,
  findPayments,
  PayrocTokenError,
  retrieveResult,
  submitInstruction,
  TillkitHttpError,
  TillkitProtocolError,
  TillkitValidationError,
  waitForInstruction,
  type Payment,
  type PaymentFilters,
  type PayrocClient,
} from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { SERIAL, TERMINAL } from './helpers.js'

/** A device on a second processing terminal. */
const OTHER_SERIAL = 'PAXA920-0100'
const OTHER_TERMINAL = '1234002'

async function all(iterable: AsyncIterable<Payment>) {
  const out: Payment[] = []
  for await (const payment of iterable) out.push(payment)
  return out
}

const orders = (payments: Payment[]) => payments.map((p) => p.order.orderId)

/**
 * A fake cloud (with a device on a second terminal) and a client on one auto-advancing clock; `urls` holds every
 * URL the client sent, so the queries can be read.
 */
function world(apiKey = 'test-api-key') {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, readOnlyApiKeys: ['read-only-key'] })
  cloud.devices.add({ serialNumber: OTHER_SERIAL, processingTerminalId: OTHER_TERMINAL })
  const urls: string[] = []
  const client = createPayrocClient({
    apiKey,
    environment: 'test',
    clock,
    fetch: (request) => (urls.push(request.url), cloud.fetch(request)),
  })
  const searches = () =>
    urls.filter((u) => new URL(u).pathname === '/v1/payments').map((u) => new URL(u).search)
  return { cloud, client, clock, urls, searches }
}

/** Takes a payment through a device and returns it as the gateway keeps it. */
async function pay(
  client: PayrocClient,
  orderId: string,
  amount: number,
  extra: { serial?: string; terminal?: string; operator?: string; autoCapture?: boolean } = {},
): Promise<Payment> {
  const { serial = SERIAL, terminal = TERMINAL, ...rest } = extra
  const { id } = await submitInstruction(client, 'payment', serial, {
    processingTerminalId: terminal,
    order: { orderId, amount, currency: 'USD' },
    ...rest,
  })
  return retrieveResult(client, 'payment', await waitForInstruction(client, 'payment', id))
}

/** Five payments: A-1 on both terminals, a decline, a pre-authorisation, one by operator Sam. */
async function shop() {
  const w = world()
  const made = [
    await pay(w.client, 'A-1', 1000, { operator: 'Sam' }),
    await pay(w.client, 'A-2', 2501),
    await pay(w.client, 'A-3', 3000, { autoCapture: false }),
    await pay(w.client, 'A-1', 1500, { serial: OTHER_SERIAL, terminal: OTHER_TERMINAL }),
    await pay(w.client, 'A-4', 4000),
  ]
  w.urls.length = 0
  return { ...w, made }
}

describe('findPayments: filters', () => {
  it('by order id and processing terminal: the one payment that order took on that terminal', async () => {
    const { client, made, searches } = await shop()
    const found = await all(
      findPayments(client, { orderId: 'A-1', processingTerminalId: TERMINAL }),
    )
    expect(found).toEqual([made[0]])
    expect(found[0]).toMatchObject({ processingTerminalId: TERMINAL, order: { amount: 1000 } })
    expect(searches()).toEqual(['?orderId=A-1&processingTerminalId=1234001'])
    const both = await all(findPayments(client, { orderId: 'A-1' }))
    expect(both.map((p) => p.processingTerminalId)).toEqual([TERMINAL, OTHER_TERMINAL])
  })

  it('by status, type and operator', async () => {
    const { client } = await shop()
    expect(orders(await all(findPayments(client, { status: 'declined' })))).toEqual(['A-2'])
    expect(orders(await all(findPayments(client, { status: 'pending' })))).toEqual(['A-3'])
    expect(orders(await all(findPayments(client, { status: 'ready' })))).toEqual([
      'A-1',
      'A-1',
      'A-4',
    ])
    expect(orders(await all(findPayments(client, { type: 'preAuthorization' })))).toEqual(['A-3'])
    expect(orders(await all(findPayments(client, { type: 'sale', status: 'ready' })))).toHaveLength(
      3,
    )
    expect(orders(await all(findPayments(client, { operator: 'Sam' })))).toEqual(['A-1'])
  })

  it('by card: first six, last four and the cardholder name (whole, any case)', async () => {
    const { client, made } = await shop()
    const card = made[0]!.card
    const first6 = card.cardNumber.slice(0, 6)
    const last4 = card.cardNumber.slice(-4)
    expect(await all(findPayments(client, { first6, last4 }))).toHaveLength(5)
    expect(await all(findPayments(client, { last4: '0000' }))).toEqual([])
    const name = card.cardholderName!.toLowerCase()
    expect(await all(findPayments(client, { cardholderName: name }))).toHaveLength(5)
    expect(await all(findPayments(client, { cardholderName: name.slice(0, 3) }))).toEqual([])
  })

  it('by dates: inclusive bounds on the order time, compared as instants whatever the offset', async () => {
    const { client, made } = await shop()
    const at = (i: number) => made[i]!.order.dateTime!
    const window = await all(findPayments(client, { dateFrom: at(1), dateTo: at(3) }))
    expect(window.map((p) => p.paymentId)).toEqual(made.slice(1, 4).map((p) => p.paymentId))
    const one = await all(findPayments(client, { dateFrom: at(2), dateTo: at(2) }))
    expect(one).toEqual([made[2]])
    // The same instant two hours ahead of UTC.
    const shifted = new Date(Date.parse(at(4)) + 2 * 3_600_000).toISOString().replace('Z', '+02:00')
    expect(await all(findPayments(client, { dateFrom: shifted }))).toEqual([made[4]])
    expect(await all(findPayments(client, { dateTo: '2025-12-31T23:59:59Z' }))).toEqual([])
  })

  it('nothing matching: an empty walk after one request', async () => {
    const { client, searches } = await shop()
    expect(await all(findPayments(client, { orderId: 'Z-9' }))).toEqual([])
    expect(searches()).toHaveLength(1)
  })
})

describe('findPayments: pages', () => {
  async function twelve() {
    const w = world()
    const made: Payment[] = []
    for (let i = 0; i < 12; i++) made.push(await pay(w.client, `P-${i}`, 1000 + 10 * i))
    await pay(w.client, 'elsewhere', 1000, { serial: OTHER_SERIAL, terminal: OTHER_TERMINAL })
    w.urls.length = 0
    return { ...w, made }
  }

  it('walks every page by the next link, keeping the filters and page size on each', async () => {
    const { client, made, searches } = await twelve()
    const found = await all(findPayments(client, { processingTerminalId: TERMINAL, limit: 5 }))
    expect(found.map((p) => p.paymentId)).toEqual(made.map((p) => p.paymentId))
    const queries = searches()
    expect(queries).toHaveLength(3)
    expect(queries[0]).toBe('?processingTerminalId=1234001&limit=5')
    for (const [i, query] of queries.slice(1).entries())
      expect(query).toBe(
        `?processingTerminalId=1234001&limit=5&after=${made[5 * (i + 1) - 1]!.paymentId}`,
      )
  })

  it('default pages of 10: two requests for 13 payments', async () => {
    const { client, searches } = await twelve()
    expect(await all(findPayments(client, {}))).toHaveLength(13)
    expect(searches()).toHaveLength(2)
  })

  it('can start past a cursor and stop early (a for-await break sends nothing more)', async () => {
    const { client, made, searches } = await twelve()
    const rest = await all(
      findPayments(client, { processingTerminalId: TERMINAL, after: made[9]!.paymentId }),
    )
    expect(orders(rest)).toEqual(['P-10', 'P-11'])
    const before = searches().length
    for await (const p of findPayments(client, { limit: 2 })) if (p.order.orderId === 'P-0') break
    expect(searches().length - before).toBe(1)
  })

  it('an unknown cursor is the gateway’s 400, naming after', async () => {
    const { client } = await twelve()
    const error = await all(findPayments(client, { after: 'NOPE' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ parameter: 'after' })] },
    })
  })
})

describe('findPayments: bad filters are refused at the call, before anything is sent', () => {
  it.each<[string, unknown, string]>([
    ['limit 0', { limit: 0 }, 'limit'],
    ['limit 101', { limit: 101 }, 'limit'],
    ['a fractional limit', { limit: 2.5 }, 'limit'],
    ['an empty order id', { orderId: '' }, 'orderId'],
    ['an empty terminal', { processingTerminalId: '' }, 'processingTerminalId'],
    ['a number as order id', { orderId: 42 }, 'orderId'],
    ['five digits as first6', { first6: '45398' }, 'first6'],
    ['letters as last4', { last4: 'abcd' }, 'last4'],
    ['a date without a time', { dateFrom: '2026-01-01' }, 'dateFrom'],
    ['a date-time without an offset', { dateFrom: '2026-01-01T10:00:00' }, 'dateFrom'],
    ['a day that does not exist', { dateTo: '2026-02-30T00:00:00Z' }, 'dateTo'],
    ['a Date object', { dateFrom: new Date() }, 'dateFrom'],
    [
      'dateTo before dateFrom',
      { dateFrom: '2026-01-02T00:00:00Z', dateTo: '2026-01-02T00:59:59+01:00' },
      'dateTo',
    ],
    ['an unknown status', { status: 'approved' }, 'status'],
    ['an unknown type', { type: 'purchase' }, 'type'],
    ['an empty cursor', { after: '' }, 'after'],
    ['a misspelt filter', { orderID: 'A-1' }, 'orderID'],
    ['before (the walk goes forwards)', { before: 'X' }, 'before'],
    ['no object', null, 'filters'],
  ])('%s', (_, filters, field) => {
    const { client, urls } = world()
    let thrown: unknown
    try {
      findPayments(client, filters as PaymentFilters)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TillkitValidationError)
    expect(thrown).toMatchObject({ field })
    expect(urls).toEqual([])
  })

  it('the same rules guard the typed client: api.GET refuses before sending', async () => {
    const { client, urls } = world()
    await expect(
      client.api.GET('/payments', { params: { query: { status: 'nope' as 'ready' } } }),
    ).rejects.toMatchObject({ name: 'TillkitValidationError', field: 'status' })
    expect(urls).toEqual([])
  })

  it('good filters of every kind pass', async () => {
    const { client } = world()
    const filters: Required<PaymentFilters> = {
      processingTerminalId: TERMINAL,
      orderId: 'A-1',
      operator: 'Sam',
      cardholderName: 'A N CUSTOMER',
      first6: '453985',
      last4: '7062',
      dateFrom: '2026-01-01T00:00:00Z',
      dateTo: '2026-01-01T01:00:00.250+01:00',
      status: 'ready',
      type: 'sale',
      limit: 100,
      after: 'X',
    }
    expect(() => findPayments(client, filters)).not.toThrow()
  })
})

describe('findPayments: auth', () => {
  it('a refused API key: PayrocTokenError on the first step, the search never sent', async () => {
    const { client, urls } = world('not-a-key')
    const error = await all(findPayments(client, { orderId: 'A-1' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PayrocTokenError)
    expect(error).toMatchObject({ status: 401, mayHaveReachedProvider: false })
    expect(urls.map((u) => new URL(u).pathname)).toEqual(['/authorize'])
  })

  it('a token revoked between pages: 401, one renewal, the walk carries on, each payment once', async () => {
    const w = world()
    const made: Payment[] = []
    for (let i = 0; i < 3; i++) made.push(await pay(w.client, `R-${i}`, 1000 + 10 * i))
    const seen: string[] = []
    for await (const p of findPayments(w.client, { limit: 2 })) {
      seen.push(p.paymentId)
      if (seen.length === 2) w.cloud.identity.revokeAll()
    }
    expect(seen).toEqual(made.map((p) => p.paymentId))
    const searches = w.cloud.requests.filter((r) => r.path === '/v1/payments')
    expect(searches.map((r) => r.status)).toEqual([200, 401, 200])
    expect(w.cloud.identity.issued).toBe(2)
  })

  it('a 401 that persists after the renewal: TillkitHttpError 401', async () => {
    const w = world()
    w.cloud.faults.add({ kind: 'status', status: 401, match: { path: '/v1/payments' } })
    const error = await all(findPayments(w.client, {})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error).toMatchObject({ status: 401 })
    expect(w.cloud.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /authorize 200',
      'GET /v1/payments 401',
      'POST /authorize 200',
      'GET /v1/payments 401',
    ])
  })

  it('a read-only key may search', async () => {
    const w = world()
    await pay(w.client, 'A-1', 1000)
    const reader = createPayrocClient({
      apiKey: 'read-only-key',
      environment: 'test',
      clock: w.clock,
      fetch: w.cloud.fetch,
    })
    expect(orders(await all(findPayments(reader, { orderId: 'A-1' })))).toEqual(['A-1'])
  })
})

describe('findPayments: broken pages', () => {
  /** A client over a scripted /payments: each call answers the next page. */
  function scripted(pages: object[]) {
    return createPayrocClient({
      apiKey: 'k-123456',
      environment: 'test',
      clock: createManualClock({ autoAdvance: true }),
      fetch: async (request) =>
        request.url.endsWith('/authorize')
          ? Response.json({ access_token: 't', expires_in: 60 })
          : Response.json(pages.shift()),
    })
  }

  it('hasMore without a next link is a protocol error naming the operation', async () => {
    const client = scripted([{ hasMore: true, data: [] }])
    const error = await all(findPayments(client, {})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitProtocolError)
    expect((error as Error).message).toMatch(/^GET \/payments said hasMore/)
  })

  it('a page without a data list is a protocol error', async () => {
    const client = scripted([{ hasMore: false }])
    await expect(all(findPayments(client, {}))).rejects.toThrow(/without a data list/)
  })
})

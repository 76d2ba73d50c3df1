import { describe, expect, it } from 'vitest'
import { API, harness, submit, TERMINAL, type Harness } from './helpers.js'

/** Takes a payment (the device finishes in 6 s) and returns its id. */
async function paid(h: Harness, amount: number, serial = 'PAXA920-0001', extra = {}) {
  const id = await submit(h, amount, serial, extra)
  await h.clock.advance(6_000)
  return h.cloud.instructions.get(id).resultId!
}

const ids = (body: any) => body.data.map((p: { paymentId: string }) => p.paymentId)

describe('GET /payments', () => {
  it('no payments yet: an empty page', async () => {
    const h = harness()
    const answer = await h.call('GET', '/payments')
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ limit: 10, count: 0, hasMore: false, links: [], data: [] })
  })

  it('answers the payments as GET /payments/{id} does, including what settled since', async () => {
    const h = harness()
    const first = await paid(h, 1000)
    // In progress when the search arrives, ended by then on the clock: settled first, then listed.
    await submit(h, 2000)
    await h.clock.advance(6_000)
    const page = (await h.call('GET', '/payments')).body
    expect(page.count).toBe(2)
    expect(page.data[0]).toEqual((await h.call('GET', `/payments/${first}`)).body)
    expect(page.data[1].order.amount).toBe(2000)
  })

  it('filters by order id, terminal, status, type, operator, card and dates', async () => {
    const h = harness()
    h.cloud.devices.add({ serialNumber: 'PAXA920-0100', processingTerminalId: '1234002' })
    const sale = await paid(h, 1000, 'PAXA920-0001', { operator: 'Sam' })
    const declined = await paid(h, 2001)
    const preAuth = await paid(h, 3000, 'PAXA920-0001', { autoCapture: false })
    const other = await paid(h, 4000, 'PAXA920-0100', { processingTerminalId: '1234002' })
    const search = async (query: string) => ids((await h.call('GET', `/payments?${query}`)).body)
    expect(await search('orderId=order-1000')).toEqual([sale])
    expect(await search(`processingTerminalId=${TERMINAL}`)).toEqual([sale, declined, preAuth])
    expect(await search('processingTerminalId=1234002&orderId=order-4000')).toEqual([other])
    expect(await search('processingTerminalId=1234002&orderId=order-1000')).toEqual([])
    expect(await search('status=declined')).toEqual([declined])
    expect(await search('type=preAuthorization')).toEqual([preAuth])
    expect(await search('type=sale&status=ready')).toEqual([sale, other])
    expect(await search('operator=Sam')).toEqual([sale])
    expect(await search('first6=453985&last4=7062')).toHaveLength(4)
    expect(await search('last4=1111')).toEqual([])
    expect(await search('cardholderName=a%20n%20customer')).toHaveLength(4)
    // Order times: 0, 6, 12 and 18 s past midnight; bounds are inclusive.
    expect(await search('dateFrom=2026-01-01T00:00:06Z&dateTo=2026-01-01T00:00:12Z')).toEqual([
      declined,
      preAuth,
    ])
    expect(await search('dateFrom=2026-01-01T01:00:18%2B01:00')).toEqual([other])
  })

  it('a reversed payment is found by its new status', async () => {
    const h = harness()
    const id = await paid(h, 1000)
    await h.call('POST', `/payments/${id}/reverse`, { body: {} })
    expect(ids((await h.call('GET', '/payments?status=reversal')).body)).toEqual([id])
    expect(ids((await h.call('GET', '/payments?status=ready')).body)).toEqual([])
  })

  it('pages by payment id cursors, links keeping the filters, both ways', async () => {
    const h = harness()
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push(await paid(h, 1000 + 10 * i))
    const first = (await h.call('GET', `/payments?processingTerminalId=${TERMINAL}&limit=2`)).body
    expect(first).toMatchObject({ limit: 2, count: 2, hasMore: true })
    expect(ids(first)).toEqual(made.slice(0, 2))
    expect(first.links).toEqual([
      {
        rel: 'next',
        method: 'GET',
        href: `${API}/payments?processingTerminalId=${TERMINAL}&limit=2&after=${made[1]}`,
      },
    ])
    const next = (await h.call('GET', first.links[0].href.slice(API.length))).body
    expect(ids(next)).toEqual(made.slice(2, 4))
    expect(next.links.map((l: { rel: string }) => l.rel)).toEqual(['previous', 'next'])
    const back = (await h.call('GET', `/payments?limit=3&before=${made[4]}`)).body
    expect(ids(back)).toEqual(made.slice(1, 4))
    expect(back.hasMore).toBe(true)
    const last = (await h.call('GET', `/payments?after=${made[3]}`)).body
    expect(last).toMatchObject({ count: 1, hasMore: false })
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['orderId=', 'orderId'],
    ['first6=4539', 'first6'],
    ['last4=70620', 'last4'],
    ['dateFrom=2026-01-01', 'dateFrom'],
    ['dateTo=yesterday', 'dateTo'],
    ['dateFrom=2026-01-02T00:00:00Z&dateTo=2026-01-01T00:00:00Z', 'dateTo'],
    ['status=approved', 'status'],
    ['type=purchase', 'type'],
    ['after=A&before=B', 'before'],
    ['after=NOPE', 'after'],
    ['before=NOPE', 'before'],
  ])('400 for %s, naming the parameter', async (query, parameter) => {
    const h = harness()
    await paid(h, 1000)
    const answer = await h.call('GET', `/payments?${query}`)
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ type: expect.any(String), title: 'Bad request' })
    expect(answer.body.errors).toEqual([expect.objectContaining({ parameter })])
  })

  it('parameters it does not take are ignored', async () => {
    const h = harness()
    await paid(h, 1000)
    expect((await h.call('GET', '/payments?colour=blue')).body.count).toBe(1)
  })

  it('the gateway rules as on every route: 401 without or with a dead token, 406, 405, read-only keys read', async () => {
    const h = harness({ readOnlyApiKeys: ['reader'] })
    await paid(h, 1000)
    const none = await h.call('GET', '/payments', { headers: { authorization: undefined } })
    expect(none.status).toBe(401)
    expect(none.body).toMatchObject({ status: 401, title: 'Unauthorized' })
    h.cloud.identity.revokeAll()
    expect((await h.call('GET', '/payments')).status).toBe(401)
    await h.token()
    // A bad filter with a dead token is still a 401: the token is checked first.
    const stale = await h.token('reader')
    h.cloud.identity.revokeAll()
    expect((await h.call('GET', '/payments?limit=0', { token: stale })).status).toBe(401)
    await h.token()
    expect(
      (await h.call('GET', '/payments', { headers: { accept: 'application/xml' } })).status,
    ).toBe(406)
    const post = await h.call('POST', '/payments', { body: {} })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET')
    const reader = await h.token('reader')
    const read = await h.call('GET', '/payments', { token: reader })
    expect(read.status).toBe(200)
    expect(read.body.count).toBe(1)
  })

  it('faults apply as on every route', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'status', status: 503, match: { path: '/v1/payments' }, times: 1 })
    expect((await h.call('GET', '/payments')).status).toBe(503)
    expect((await h.call('GET', '/payments')).status).toBe(200)
  })
})

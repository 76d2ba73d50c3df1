import { describe, expect, it } from 'vitest'
import { PAT_REPORT_WINDOW_MS, Refusal, type TableCreation } from '../../src/mock/index.js'
import { harness, ORIGIN, pat, type Harness } from './helpers.js'

const receipt = [{ type: 'TEXT', format: ['BOLD'], value: 'Table 7' }, { value: '2 x Soup 9.00' }]

function withTable(options: Parameters<typeof harness>[0] = {}): Harness {
  return harness({
    tables: [
      {
        tableName: 'T7',
        amount: 4200,
        currency: 'GBP',
        waiterIds: ['W1'],
        receipt: receipt as TableCreation['receipt'],
      },
    ],
    ...options,
  })
}

const get = (h: Harness, name = 'T7', query = '') =>
  h.call(pat('GET', `/pat/tables/${name}${query}`))
const guard = (lastKnownAmount: number, lastKnownPaidAmount: number) => ({
  lastKnownAmount,
  lastKnownPaidAmount,
})

describe('pay-at-table tables', () => {
  it('creates a table (201 with location) and reads it back', async () => {
    const h = harness()
    const created = await h.call(
      pat('PUT', '/pat/tables', {
        body: {
          tableName: 'Terrace 1',
          amount: 1500,
          currency: 'EUR',
          waiterIds: ['W9'],
          receipt: [
            { type: 'IMAGE_LOGO', value: 'logo.png' },
            { type: 'BARCODE_CODE128', value: '42' },
          ],
        },
      }),
    )
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      tableName: 'Terrace 1',
      location: `${ORIGIN}/pat/tables/Terrace%201`,
    })
    const { status, body } = await get(h, 'Terrace%201')
    expect(status).toBe(200)
    expect(h.cloud.tables.get('Terrace 1').receipt).toHaveLength(2)
    expect(body).toEqual({
      tableName: 'Terrace 1',
      amount: 1500,
      amountCashback: 0,
      amountGratuity: 0,
      amountPaid: 0,
      payments: [],
      locked: false,
      lockedBy: '',
      waiterIds: ['W9'],
    })
  })

  it('answers 409 for an existing table and 422 for invalid ones', async () => {
    const h = withTable()
    const again = await h.call(
      pat('PUT', '/pat/tables', { body: { tableName: 'T7', amount: 1, currency: 'GBP' } }),
    )
    expect(again.status).toBe(409)
    expect(again.body.userMessage).toMatch(/already exists/)
    for (const body of [
      { amount: 1, currency: 'GBP' },
      { tableName: '', amount: 1, currency: 'GBP' },
      { tableName: 'X', amount: -1, currency: 'GBP' },
      { tableName: 'X', amount: 1, currency: 'USD' },
      { tableName: 'X', amount: 1, currency: 'GBP', waiterIds: [1] },
      { tableName: 'X', amount: 1, currency: 'GBP', receipt: [{ type: 'IMAGE', value: '' }] },
      { tableName: 'X', amount: 1, currency: 'GBP', receipt: [{ text: 'no value' }] },
      { tableName: 'X', amount: 1, currency: 'GBP', seats: 4 },
    ]) {
      expect((await h.call(pat('PUT', '/pat/tables', { body }))).status).toBe(422)
    }
  })

  it('shows the receipt only when asked', async () => {
    const h = withTable()
    expect((await get(h)).body.receipt).toBeUndefined()
    expect((await get(h, 'T7', '?receipt=true')).body.receipt).toEqual(receipt)
    expect((await get(h, 'T7', '?receipt=maybe')).status).toBe(422)
  })

  it('lists tables, filtered by lock and currency', async () => {
    const h = withTable()
    await h.call(
      pat('PUT', '/pat/tables', { body: { tableName: 'E1', amount: 1, currency: 'EUR' } }),
    )
    h.cloud.tables.lock('T7', '22160001')
    const names = async (query: string) =>
      (await h.call(pat('GET', `/pat/tables${query}`))).body.tables.map((t: any) => t.tableName)
    expect(await names('')).toEqual(['T7', 'E1'])
    expect(await names('?locked=true')).toEqual(['T7'])
    expect(await names('?locked=false')).toEqual(['E1'])
    expect(await names('?currency=EUR')).toEqual(['E1'])
    expect((await h.call(pat('GET', '/pat/tables?currency=JPY'))).status).toBe(422)
  })

  it('answers 404 for unknown tables on every operation', async () => {
    const h = withTable()
    expect((await get(h, 'nope')).status).toBe(404)
    const body = { ...guard(0, 0), newAmount: 1 }
    for (const request of [
      pat('DELETE', '/pat/tables/nope', { body: guard(0, 0) }),
      pat('PUT', '/pat/tables/nope/amount', { body }),
      pat('PUT', '/pat/tables/nope/lock', { body: { ...guard(0, 0), locked: true } }),
      pat('PUT', '/pat/tables/nope/receipt', { body: { ...guard(0, 0), newReceipt: [] } }),
      pat('PUT', '/pat/tables/nope/waiterids', { body: { ...guard(0, 0), newWaiterIds: [] } }),
    ]) {
      expect((await h.call(request)).status).toBe(404)
    }
  })

  it('updates amount, receipt and waiter ids when the guard matches', async () => {
    const h = withTable()
    const amount = pat('PUT', '/pat/tables/T7/amount', {
      body: { ...guard(4200, 0), newAmount: 5000 },
    })
    expect((await h.call(amount)).status).toBe(204)
    const newReceipt = [{ value: 'Soup' }]
    const r = pat('PUT', '/pat/tables/T7/receipt', { body: { ...guard(5000, 0), newReceipt } })
    expect((await h.call(r)).status).toBe(204)
    const w = pat('PUT', '/pat/tables/T7/waiterids', {
      body: { ...guard(5000, 0), newWaiterIds: ['W2', 'W3'] },
    })
    expect((await h.call(w)).status).toBe(204)
    expect(h.cloud.tables.get('T7')).toMatchObject({
      amount: 5000,
      receipt: newReceipt,
      waiterIds: ['W2', 'W3'],
    })
  })

  it.each([
    ['amount', { newAmount: 5000 }],
    ['receipt', { newReceipt: [] }],
    ['waiterids', { newWaiterIds: [] }],
    ['lock', { locked: true }],
  ])('guards PUT %s with lastKnownAmount and lastKnownPaidAmount', async (path, change) => {
    const h = withTable()
    const put = (body: unknown) => h.call(pat('PUT', `/pat/tables/T7/${path}`, { body }))
    const stale = await put({ ...guard(4000, 0), ...change })
    expect(stale.status).toBe(422)
    expect(stale.body.userMessage).toMatch(/lastKnownAmount/)
    h.cloud.tables.pay('T7', { amount: 1000 })
    const unseen = await put({ ...guard(4200, 0), ...change })
    expect(unseen.status).toBe(422)
    expect(unseen.body.userMessage).toMatch(/lastKnownPaidAmount/)
    expect((await put({ lastKnownAmount: 4200, ...change })).status).toBe(422)
    expect((await put(change)).status).toBe(422)
    expect((await put({ ...guard(4200, 1000), ...change })).status).toBe(204)
  })

  it('refuses a new amount below what was paid', async () => {
    const h = withTable()
    h.cloud.tables.pay('T7', { amount: 3000 })
    const body = { ...guard(4200, 3000), newAmount: 2999 }
    const answer = await h.call(pat('PUT', '/pat/tables/T7/amount', { body }))
    expect(answer.status).toBe(422)
    expect(answer.body.userMessage).toMatch(/already paid/)
  })

  it('deletes with a matching guard (204), refuses a stale one (422)', async () => {
    const h = withTable()
    expect((await h.call(pat('DELETE', '/pat/tables/T7', { body: guard(1, 0) }))).status).toBe(422)
    expect((await h.call(pat('DELETE', '/pat/tables/T7', { body: guard(4200, 0) }))).status).toBe(
      204,
    )
    expect((await get(h)).status).toBe(404)
  })

  it('EPoS locks and unlocks; its own lock does not block its writes', async () => {
    const h = withTable()
    const lock = (body: unknown) => h.call(pat('PUT', '/pat/tables/T7/lock', { body }))
    expect((await lock({ ...guard(4200, 0), locked: true, lockedBy: 'Till 2' })).status).toBe(204)
    expect((await get(h)).body).toMatchObject({ locked: true, lockedBy: 'Till 2' })
    const amount = pat('PUT', '/pat/tables/T7/amount', {
      body: { ...guard(4200, 0), newAmount: 4300 },
    })
    expect((await h.call(amount)).status).toBe(204)
    expect((await lock({ ...guard(4300, 0), locked: true })).status).toBe(204)
    expect((await get(h)).body.lockedBy).toBe('EPoS')
    expect((await lock({ ...guard(4300, 0), locked: false })).status).toBe(204)
    expect((await get(h)).body).toMatchObject({ locked: false, lockedBy: '' })
  })

  it('answers 423 to every EPoS write while a terminal holds the lock (422 to a delete, which has no 423); override breaks it', async () => {
    const h = withTable()
    h.cloud.tables.lock('T7', '22160001')
    expect((await get(h)).body).toMatchObject({ locked: true, lockedBy: '22160001' })
    const remove = await h.call(pat('DELETE', '/pat/tables/T7', { body: guard(4200, 0) }))
    expect(remove).toMatchObject({
      status: 422,
      body: { userMessage: expect.stringMatching(/locked by terminal/) },
    })
    for (const request of [
      pat('PUT', '/pat/tables/T7/amount', { body: { ...guard(4200, 0), newAmount: 1 } }),
      pat('PUT', '/pat/tables/T7/receipt', { body: { ...guard(4200, 0), newReceipt: [] } }),
      pat('PUT', '/pat/tables/T7/waiterids', { body: { ...guard(4200, 0), newWaiterIds: [] } }),
      pat('PUT', '/pat/tables/T7/lock', { body: { ...guard(4200, 0), locked: false } }),
    ]) {
      const answer = await h.call(request)
      expect(answer.status).toBe(423)
      expect(answer.body.userMessage).toMatch(/locked by terminal/)
    }
    const override = { ...guard(4200, 0), locked: false, override: true }
    expect((await h.call(pat('PUT', '/pat/tables/T7/lock', { body: override }))).status).toBe(204)
    expect((await get(h)).body.locked).toBe(false)
  })

  it('terminal unlock releases the table', async () => {
    const h = withTable()
    h.cloud.tables.lock('T7', '22160001')
    h.cloud.tables.unlock('T7')
    const amount = pat('PUT', '/pat/tables/T7/amount', {
      body: { ...guard(4200, 0), newAmount: 1 },
    })
    expect((await h.call(amount)).status).toBe(204)
  })
})

describe('payments at the table (terminal side)', () => {
  it('adds a payment, raises amountPaid and records it in the ledger', async () => {
    const h = withTable()
    h.cloud.tables.lock('T7', '22160002')
    const paid = h.cloud.tables.pay('T7', {
      tid: '22160002',
      amount: 2000,
      amountGratuity: 300,
      amountCashback: 0,
    })
    expect(paid.result).toBe('SUCCESSFUL')
    const { body } = await get(h)
    expect(body).toMatchObject({ amount: 4200, amountPaid: 2000, amountGratuity: 300 })
    expect(body.payments).toEqual([
      {
        paymentId: paid.payment!.paymentId,
        amountPaid: 2000,
        amountCashback: 0,
        amountGratuity: 300,
        authCode: expect.any(String),
        currency: 'GBP',
        cardSchemeName: 'VISA',
        paymentMethod: 'CONTACTLESS',
        time: '2026-01-01T00:00:00.000Z',
      },
    ])
    expect(h.cloud.ledger).toEqual([
      expect.objectContaining({
        kind: 'table-payment',
        tid: '22160002',
        requestId: paid.payment!.paymentId,
        amount: 2000,
        amountGratuity: 300,
        waiterId: 'W1',
        result: 'SUCCESSFUL',
      }),
    ])
  })

  it('records a declined payment without changing the table', async () => {
    const h = withTable()
    const declined = h.cloud.tables.pay('T7', { amount: 1000, outcome: 'decline' })
    expect(declined.result).toBe('DECLINED')
    expect(declined.payment).toBeUndefined()
    expect(h.cloud.tables.get('T7').amountPaid).toBe(0)
    expect(h.cloud.ledger.map((e) => [e.kind, e.result, e.tid])).toEqual([
      ['table-payment', 'DECLINED', '22160001'],
    ])
  })

  it('refuses payments the table cannot take', () => {
    const h = withTable()
    expect(() => h.cloud.tables.pay('T7', { amount: 4201 })).toThrow(/left to pay|from 1 to 4200/)
    expect(() => h.cloud.tables.pay('T7', { amount: 0 })).toThrow(Refusal)
    expect(() => h.cloud.tables.pay('T7', { amount: 100, tid: '22160003' })).toThrow(
      /does not take GBP/,
    )
    expect(() => h.cloud.tables.pay('nope', { amount: 100 })).toThrow(/No table/)
    h.cloud.tables.lock('T7', '22160001')
    expect(() => h.cloud.tables.pay('T7', { amount: 100, tid: '22160002' })).toThrow(/locked/)
    expect(() => h.cloud.tables.lock('T7', '22160002')).toThrow(/locked/)
    expect(h.cloud.ledger).toEqual([])
  })

  it('refuses terminal payments while the EPoS holds the lock', async () => {
    const h = withTable()
    await h.call(pat('PUT', '/pat/tables/T7/lock', { body: { ...guard(4200, 0), locked: true } }))
    let refusal: unknown
    try {
      h.cloud.tables.pay('T7', { amount: 100 })
    } catch (error) {
      refusal = error
    }
    expect(refusal).toBeInstanceOf(Refusal)
    expect((refusal as Refusal).kind).toBe('locked')
  })
})

describe('pay-at-table reports', () => {
  it('lists reports of the last three days and reads one by id', async () => {
    const h = withTable()
    h.cloud.tables.pay('T7', { amount: 4200, amountGratuity: 500 })
    const old = h.cloud.tables.runReport('22160001', 'X_BALANCE')
    await h.clock.advance(PAT_REPORT_WINDOW_MS - 1000)
    const recent = h.cloud.tables.runReport('22160001', 'END_OF_DAY')
    expect(recent.balances?.waiterTotals.W1).toMatchObject({
      totalSalesAmount: 4700,
      totalSalesCount: 1,
    })
    expect(recent.balances?.totalGratuityAmount).toBe(500)

    const listed = await h.call(pat('GET', '/pat/reports'))
    expect(listed.body.reports.map((r: any) => r.reportId)).toEqual([old.reportId, recent.reportId])
    await h.clock.advance(1000)
    const later = await h.call(pat('GET', '/pat/reports'))
    expect(later.body.reports.map((r: any) => r.reportId)).toEqual([recent.reportId])

    const one = await h.call(pat('GET', `/pat/reports/${recent.reportId}`))
    expect(one.body).toMatchObject({
      reportId: recent.reportId,
      tpi: '22160001',
      location: `${ORIGIN}/pat/reports/${recent.reportId}`,
      reportType: 'END_OF_DAY',
      reportResult: 'COMPLETE',
      balances: { totalSalesAmount: 4700 },
      banking: { 'TILLKIT FAKE ACQUIRER': { currency: 'GBP' } },
    })
    expect(one.body.reportLines.length).toBeGreaterThan(0)
    expect((await h.call(pat('GET', `/pat/reports/${old.reportId}`))).status).toBe(404)
    expect((await h.call(pat('GET', '/pat/reports/nope'))).status).toBe(404)
  })

  it('an X balance report on a table terminal still carries banking totals', () => {
    const h = withTable()
    const x = h.cloud.tables.runReport('22160001', 'X_BALANCE')
    expect(x.banking).toBeDefined()
    expect(x.balances).toBeDefined()
  })
})

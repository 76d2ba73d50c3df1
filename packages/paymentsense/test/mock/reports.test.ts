import { describe, expect, it } from 'vitest'
import { REPORT_TIMEOUT_MS } from '../../src/mock/index.js'
import { harness, ORIGIN, pac, runToEnd, sale, start, type Harness } from './helpers.js'

const TID = '22160001'
const ACQUIRER = 'TILLKIT FAKE ACQUIRER'

async function report(h: Harness, reportType: string, tid = TID) {
  const started = await h.call(
    pac('POST', `/pac/terminals/${tid}/reports`, { body: { reportType } }),
  )
  expect(started.status).toBe(201)
  const { requestId, location } = started.body
  expect(location).toBe(`${ORIGIN}/pac/terminals/${tid}/reports/${requestId}`)
  const first = await h.call(pac('GET', `/pac/terminals/${tid}/reports/${requestId}`))
  expect(first.body).toEqual({ requestId, location, notifications: ['REPORT_STARTED'] })
  await h.clock.advance(1200)
  const done = await h.call(pac('GET', `/pac/terminals/${tid}/reports/${requestId}`))
  expect(done.body.notifications).toEqual(['REPORT_STARTED', 'REPORT_FINISHED'])
  return done.body
}

/** Sale 10.00 + 5.00 cashback (chip), contactless 12.01, declined 9.04, refund 2.50, voided signature 25.03. */
async function trade(h: Harness) {
  await runToEnd(h, TID, await start(h, TID, sale(1000, { amountCashback: 500 })))
  await runToEnd(h, TID, await start(h, TID, sale(1201)))
  await runToEnd(h, TID, await start(h, TID, sale(904)))
  await runToEnd(
    h,
    TID,
    await start(h, TID, { transactionType: 'REFUND', amount: 250, currency: 'GBP' }),
  )
  await runToEnd(h, TID, await start(h, TID, sale(2503)), 2000) // signature unanswered: voided
}

describe('reports', () => {
  it('X balance: totals of the session from the ledger, without closing it', async () => {
    const h = harness()
    await trade(h)
    const x = await report(h, 'X_BALANCE')
    expect(x).toMatchObject({ tid: TID, reportType: 'X_BALANCE', reportResult: 'COMPLETE' })
    expect(x.reportTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
    expect(x.banking).toBeUndefined()
    expect(x.balances).toEqual({
      currency: 'GBP',
      totalAmount: 1500 + 1201 - 250,
      totalSalesAmount: 1500 + 1201,
      totalSalesCount: 2,
      totalRefundsAmount: 250,
      totalRefundsCount: 1,
      totalCashbackAmount: 500,
      totalCashbackCount: 1,
      totalGratuityAmount: 0,
      totalGratuityCount: 0,
      totalsSince: 'INSTALLATION',
      issuerTotals: {
        VISA: expect.objectContaining({ totalSalesAmount: 1500, totalRefundsAmount: 250 }),
        MASTERCARD: expect.objectContaining({ totalSalesAmount: 1201, totalSalesCount: 1 }),
      },
      waiterTotals: {},
    })
    expect(x.reportLines.map((l: any) => l.value)).toContain('NET GBP 24.51')
    const again = await report(h, 'X_BALANCE')
    expect(again.balances.totalSalesCount).toBe(2)
  })

  it.each(['Z_BALANCE', 'END_OF_DAY'])('%s closes the session', async (type) => {
    const h = harness()
    await trade(h)
    const closing = await report(h, type)
    expect(closing.balances.totalSalesCount).toBe(2)
    expect(closing.banking !== undefined).toBe(type === 'END_OF_DAY')
    await runToEnd(h, TID, await start(h, TID, sale(300)))
    const next = await report(h, 'X_BALANCE')
    expect(next.balances).toMatchObject({ totalSalesAmount: 300, totalSalesCount: 1 })
    expect(next.balances.totalsSince).toBe(closing.reportTime)
  })

  it('banking: current and previous session totals and transaction number ranges', async () => {
    const h = harness()
    await trade(h)
    const before = await report(h, 'BANKING')
    expect(before.balances).toBeUndefined()
    expect(before.banking[ACQUIRER]).toMatchObject({
      currency: 'GBP',
      currentSessionTotals: { totalSalesCount: 2, totalAmount: 2451 },
      previousSessionTotals: { totalSalesCount: 0, totalAmount: 0 },
      currentSessionTransactionNumbers: ['0001', '0005'],
      previousSessionTransactionNumbers: [],
    })
    expect(before.banking[ACQUIRER].currentSessionIssuerTotals.VISA.totalSalesAmount).toBe(1500)
    await report(h, 'Z_BALANCE')
    await runToEnd(h, TID, await start(h, TID, sale(300)))
    const after = await report(h, 'BANKING')
    expect(after.banking[ACQUIRER]).toMatchObject({
      currentSessionTotals: { totalSalesCount: 1, totalAmount: 300 },
      previousSessionTotals: { totalSalesCount: 2, totalAmount: 2451 },
      currentSessionTransactionNumbers: ['0006', '0006'],
      previousSessionTransactionNumbers: ['0001', '0005'],
    })
  })

  it('keeps each terminal to its own ledger entries', async () => {
    const h = harness()
    await runToEnd(h, '22160002', await start(h, '22160002', sale(800)))
    expect((await report(h, 'X_BALANCE')).balances.totalSalesCount).toBe(0)
    expect((await report(h, 'X_BALANCE', '22160002')).balances.totalSalesAmount).toBe(800)
  })

  it('makes the terminal busy while printing', async () => {
    const h = harness()
    await h.call(pac('POST', `/pac/terminals/${TID}/reports`, { body: { reportType: 'BANKING' } }))
    const busy = await h.call(
      pac('POST', `/pac/terminals/${TID}/transactions`, { body: sale(100) }),
    )
    expect(busy.status).toBe(422)
    expect(busy.body.userMessage).toMatch(/busy/)
    await h.clock.advance(1200)
    expect((await h.call(pac('GET', `/pac/terminals/${TID}`))).body.status).toBe('AVAILABLE')
  })

  it('refuses bad report requests and unknown or expired reports', async () => {
    const h = harness({ retentionHours: 1 })
    for (const body of [{}, { reportType: 'Y_BALANCE' }, { reportType: 'BANKING', extra: true }]) {
      expect((await h.call(pac('POST', `/pac/terminals/${TID}/reports`, { body }))).status).toBe(
        422,
      )
    }
    // No 404 is documented for starting a report: an unknown terminal is a 422, with its reason.
    const unknown = await h.call(
      pac('POST', '/pac/terminals/NOPE/reports', { body: { reportType: 'BANKING' } }),
    )
    expect(unknown).toMatchObject({
      status: 422,
      body: { userMessage: expect.stringMatching(/NOPE/) },
    })
    expect((await h.call(pac('GET', `/pac/terminals/${TID}/reports/nope`))).status).toBe(404)
    const { requestId } = await report(h, 'BANKING')
    expect(h.cloud.terminals.report(TID, requestId).reportType).toBe('BANKING')
    await h.clock.advance(3_600_000)
    expect((await h.call(pac('GET', `/pac/terminals/${TID}/reports/${requestId}`))).status).toBe(
      404,
    )
  })

  it('a terminal pinned to timeout never produces its report: TIMED_OUT after 60 s, no totals, session open', async () => {
    const h = harness()
    await trade(h)
    h.cloud.terminals.setScenario(TID, 'timeout')
    const started = await h.call(
      pac('POST', `/pac/terminals/${TID}/reports`, { body: { reportType: 'END_OF_DAY' } }),
    )
    const path = `/pac/terminals/${TID}/reports/${started.body.requestId}`
    await h.clock.advance(REPORT_TIMEOUT_MS - 1)
    expect((await h.call(pac('GET', path))).body.notifications).toEqual(['REPORT_STARTED'])
    await h.clock.advance(1)
    const done = (await h.call(pac('GET', path))).body
    expect(done).toMatchObject({
      notifications: ['REPORT_STARTED', 'REPORT_FINISHED'],
      reportType: 'END_OF_DAY',
      reportResult: 'TIMED_OUT',
      reportLines: [],
    })
    expect(done.balances).toBeUndefined()
    expect(done.banking).toBeUndefined()
    // The end of day did not happen: the session's sales are still in the next report.
    h.cloud.terminals.setScenario(TID, undefined)
    expect((await report(h, 'X_BALANCE')).balances.totalSalesCount).toBe(2)
  })
})

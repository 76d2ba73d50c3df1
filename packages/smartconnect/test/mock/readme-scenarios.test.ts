import { describe, expect, it } from 'vitest'
import { direct, errorOf } from './helpers.js'

const purchase = (cents: number) => ({
  TransactionType: 'Card.Purchase',
  AmountTotal: String(cents),
})

/** smartconnect/README.md:289-298: the "ends" column includes the transaction status. */
describe('README scenario table: status, receipt, ledger per row', () => {
  it.each([
    [1200, 'COMPLETED', 'OK-ACCEPTED', 'OK', true, 'ACCEPTED'],
    [1205, 'COMPLETED', 'OK-DECLINED', 'OK', true, 'DECLINED'],
    [1207, 'COMPLETED', 'CANCELLED', 'OK', undefined, undefined],
    [1208, 'COMPLETED', 'CANCELLED', 'FAILED-INTERFACE', false, undefined],
    [1209, 'COMPLETED', 'OK-ACCEPTED', 'OK', true, 'ACCEPTED'],
    [1210, 'COMPLETED', 'OK-UNAVAILABLE', 'OK', undefined, undefined],
    [1212, 'COMPLETED', 'OK-ACCEPTED', 'FAILED', true, 'ACCEPTED'],
  ] as const)('%i cents: %s %s / %s', async (cents, status, verdict, result, receipt, ledger) => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(cents))
    const done = await f.finish(pollingUrl)
    expect(done.transactionStatus).toBe(status)
    expect(done.data).toMatchObject({ TransactionResult: verdict, Result: result })
    if (receipt === true) expect(done.data.Receipt).toBeTruthy()
    if (receipt === false) expect(done.data.Receipt).toBeUndefined()
    expect(f.cloud.ledger.map((e) => e.result)).toEqual(ledger ? [ledger] : [])
    if (ledger === 'ACCEPTED') expect(done.data.AuthId).toBe(f.cloud.ledger[0]!.authId)
  })

  it('11 no-answer: PENDING until the token lapses (15 min), nothing charged', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(1211))
    await f.clock.advance(900_000 - 1)
    const body = (await (await f.poll(pollingUrl)).json()) as { transactionStatus: string }
    expect(body.transactionStatus).toBe('PENDING')
    await f.clock.advance(1)
    const late = await f.poll(pollingUrl)
    expect(late.status).toBe(401)
    expect(await errorOf(late)).toBe('Token expired')
    expect(f.cloud.ledger).toEqual([])
  })

  it('cents choose for refunds too: a refund ending 05 is declined', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started({ TransactionType: 'Card.Refund', AmountTotal: '305' })
    const done = await f.finish(pollingUrl)
    expect(done.data.TransactionResult).toBe('OK-DECLINED')
    expect(f.cloud.ledger.map((e) => [e.kind, e.result])).toEqual([['refund', 'DECLINED']])
  })
})

describe('README options', () => {
  it('merchant: reported as merchantId / Merchant and Company, printed on receipts', async () => {
    const f = direct({ merchant: { id: '77777777', name: 'ACME CORNER SHOP' } })
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(1000))
    const done = (await f.finish(pollingUrl)) as any
    expect(done.merchantId).toBe('77777777')
    expect(done.data.Merchant).toBe('77777777')
    expect(done.data.Company).toBe('ACME CORNER SHOP')
    expect(done.data.Receipt).toContain('ACME CORNER SHOP')
  })

  it('tokenLifetimeMs: 401 Token expired at the given life', async () => {
    const f = direct({ tokenLifetimeMs: 60_000 })
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(1211))
    await f.clock.advance(59_999)
    expect((await f.poll(pollingUrl)).status).toBe(200)
    await f.clock.advance(1)
    const late = await f.poll(pollingUrl)
    expect(late.status).toBe(401)
    expect(await errorOf(late)).toBe('Token expired')
  })

  it('minPollIntervalMs: another value is honoured', async () => {
    const f = direct({ minPollIntervalMs: 5_000 })
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(1000))
    expect((await f.poll(pollingUrl)).status).toBe(200)
    await f.clock.advance(4_999)
    expect((await f.poll(pollingUrl)).status).toBe(429)
    await f.clock.advance(1)
    expect((await f.poll(pollingUrl)).status).toBe(200)
  })

  it('stepMs: an approved payment takes four steps', async () => {
    const f = direct({ stepMs: 250 })
    await f.pairWith()
    const { transactionId } = await f.started(purchase(1000))
    await f.clock.advance(999)
    expect(f.cloud.transactions.get(transactionId).status).toBe('PENDING')
    await f.clock.advance(1)
    expect(f.cloud.transactions.get(transactionId).status).toBe('COMPLETED')
  })
})

describe('README faults', () => {
  it('a status fault below 500 without a body answers { error: "Injected fault: status N" }', async () => {
    const f = direct()
    f.cloud.faults.add({ kind: 'status', status: 418, times: 1 })
    const r = await f.cloud.fetch(
      'https://api-dev.smart-connect.cloud/POS/Transaction/x?merchantAccessToken=y',
    )
    expect(r.status).toBe(418)
    expect(await r.json()).toEqual({ error: 'Injected fault: status 418' })
  })

  it('a status fault with a string body sends it as is', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(1000))
    f.cloud.faults.add({ kind: 'status', status: 200, body: 'not json', match: { method: 'GET' } })
    const r = await f.cloud.fetch(pollingUrl)
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('not json')
  })
})

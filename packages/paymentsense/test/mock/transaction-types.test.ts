import { describe, expect, it } from 'vitest'
import { harness, pac, poll, runToEnd, sale, start, type Harness } from './helpers.js'

const TID = '22160001'

const run = async (h: Harness, body: unknown, tid = TID) =>
  runToEnd(h, tid, await start(h, tid, body))

const preAuth = (amount: number) => ({ transactionType: 'PRE_AUTH', amount, currency: 'GBP' })
const completion = (amount: number, authCode: string, amountPreAuthorisedTotal: number) => ({
  transactionType: 'COMPLETION',
  amount,
  currency: 'GBP',
  authCode,
  amountPreAuthorisedTotal,
})

describe('transaction types', () => {
  it('pre-authorises, then completes against the pre-auth code', async () => {
    const h = harness()
    const auth = await run(h, preAuth(5000))
    expect(auth).toMatchObject({ transactionType: 'PRE_AUTH', transactionResult: 'SUCCESSFUL' })
    expect(auth.authCode).toMatch(/^\w{6}$/)

    const done = await run(h, completion(4200, auth.authCode, 5000))
    expect(done).toMatchObject({
      transactionType: 'COMPLETION',
      transactionResult: 'SUCCESSFUL',
      amountBase: 4200,
      authCode: auth.authCode,
    })
    expect(h.cloud.ledger.map((e) => [e.kind, e.amount, e.result])).toEqual([
      ['pre-auth', 5000, 'SUCCESSFUL'],
      ['completion', 4200, 'SUCCESSFUL'],
    ])
  })

  it.each([
    ['an unknown auth code', (code: string) => completion(1000, `${code}X`, 5000)],
    ['a wrong pre-authorised total', (code: string) => completion(1000, code, 4000)],
    ['an amount above the pre-auth', (code: string) => completion(6000, code, 5000)],
  ])('declines a completion with %s', async (_, body) => {
    const h = harness()
    const auth = await run(h, preAuth(5000))
    const done = await run(h, body(auth.authCode))
    expect(done.transactionResult).toBe('DECLINED')
    expect(h.cloud.ledger.at(-1)).toMatchObject({ kind: 'completion', result: 'DECLINED' })
  })

  it('declines a second completion of the same pre-auth and one from another terminal', async () => {
    const h = harness()
    const auth = await run(h, preAuth(5000))
    expect((await run(h, completion(5000, auth.authCode, 5000))).transactionResult).toBe(
      'SUCCESSFUL',
    )
    expect((await run(h, completion(5000, auth.authCode, 5000))).transactionResult).toBe('DECLINED')
    const other = await run(h, completion(5000, auth.authCode, 5000), '22160002')
    expect(other.transactionResult).toBe('DECLINED')
  })

  it('completes the sum of the pre-auths on the card under the first one’s code', async () => {
    const h = harness()
    const first = await run(h, preAuth(1000))
    const more = await run(h, preAuth(500))
    // 1401 ends in 01: a contactless Mastercard, another card, so not part of this reservation.
    await run(h, preAuth(1401))
    expect(more.primaryAccountNumber).toBe(first.primaryAccountNumber)
    for (const [amount, total] of [
      [1200, 1000],
      [1600, 1500],
    ] as const)
      expect((await run(h, completion(amount, first.authCode, total))).transactionResult).toBe(
        'DECLINED',
      )
    const done = await run(h, completion(1500, first.authCode, 1500))
    expect(done).toMatchObject({ transactionResult: 'SUCCESSFUL', authCode: first.authCode })
    // Settled with the first: the second pre-auth cannot be completed on its own.
    expect((await run(h, completion(500, more.authCode, 500))).transactionResult).toBe('DECLINED')
  })

  it('leaves a reversed pre-auth out of what the card has reserved', async () => {
    const h = harness()
    // Amounts ending in 03 take a signature, on the same Amex card each time.
    const signed = async (amount: number, accepted: boolean) => {
      const id = await start(h, TID, preAuth(amount))
      await h.clock.advance(2400)
      const { body } = await poll(h, TID, id)
      expect(body.notifications.at(-1)).toBe('SIGNATURE_VERIFICATION')
      const put = pac('PUT', `/pac/terminals/${TID}/transactions/${id}/signature`, {
        body: { accepted },
      })
      expect((await h.call(put)).status).toBe(202)
      return runToEnd(h, TID, id)
    }
    const first = await signed(503, true)
    const declined = await signed(1003, false)
    expect(declined.primaryAccountNumber).toBe(first.primaryAccountNumber)
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['pre-auth', 'pre-auth', 'reversal'])
    expect((await run(h, completion(500, first.authCode, 1506))).transactionResult).toBe('DECLINED')
    const done = await run(h, completion(500, first.authCode, 503))
    expect(done.transactionResult).toBe('SUCCESSFUL')
  })

  it('verifies an account without an amount and without charging', async () => {
    const h = harness()
    const body = await run(h, { transactionType: 'ACCOUNT_VERIFICATION' })
    expect(body).toMatchObject({
      transactionType: 'ACCOUNT_VERIFICATION',
      transactionResult: 'SUCCESSFUL',
      amountBase: 0,
      amountTotal: 0,
      currency: 'GBP',
    })
    expect(body.notifications).toContain('REQUEST_SENT')
    expect(h.cloud.ledger).toEqual([])
  })

  it('refunds, recording a refund in the ledger', async () => {
    const h = harness()
    const body = await run(h, { transactionType: 'REFUND', amount: 750, currency: 'GBP' })
    expect(body).toMatchObject({ transactionType: 'REFUND', transactionResult: 'SUCCESSFUL' })
    expect(h.cloud.ledger).toEqual([
      expect.objectContaining({ kind: 'refund', amount: 750, result: 'SUCCESSFUL' }),
    ])
  })

  it('duplicates the previous transaction without charging again', async () => {
    const h = harness()
    const original = await run(h, sale(1234))
    await run(h, { transactionType: 'ACCOUNT_VERIFICATION' })
    const last = await run(h, sale(999))
    const dup = await run(h, { transactionType: 'DUPLICATE' })
    expect(dup.notifications).toEqual([
      'TRANSACTION_STARTED',
      'PLEASE_WAIT',
      'TRANSACTION_FINISHED',
    ])
    expect(dup).toMatchObject({
      transactionType: 'SALE',
      transactionResult: 'SUCCESSFUL',
      amountBase: 999,
      authCode: last.authCode,
      transactionId: last.transactionId,
    })
    expect(dup.requestId).not.toBe(last.requestId)
    expect(Object.keys(dup.receiptLines)).toEqual(['CUSTOMER'])
    expect(original.transactionId).not.toBe(last.transactionId)
    expect(h.cloud.ledger.map((e) => e.amount)).toEqual([1234, 999])
    // A duplicate of a duplicate still shows the last real transaction.
    expect((await run(h, { transactionType: 'DUPLICATE' })).transactionId).toBe(last.transactionId)
  })

  it('cannot duplicate when the terminal has no previous transaction', async () => {
    const h = harness()
    const dup = await run(h, { transactionType: 'DUPLICATE' })
    expect(dup.transactionResult).toBe('UNSUCCESSFUL')
    expect(dup.userMessage).toMatch(/no previous transaction/)
  })

  it('numbers transactions per terminal', async () => {
    const h = harness()
    expect((await run(h, sale(100))).transactionNumber).toBe('0001')
    expect((await run(h, sale(100))).transactionNumber).toBe('0002')
    expect((await run(h, sale(100), '22160002')).transactionNumber).toBe('0001')
  })
})

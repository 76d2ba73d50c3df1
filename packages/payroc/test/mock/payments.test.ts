import { describe, expect, it } from 'vitest'
import { API, harness, submit, type Harness } from './helpers.js'

async function paid(h: Harness, amount: number, extra = {}) {
  const id = await submit(h, amount, 'PAXA920-0001', extra)
  await h.clock.advance(6_000)
  return h.cloud.instructions.get(id).resultId!
}

describe('referenced refunds', () => {
  it('201 with the refund; listed on the payment; readable at /refunds; in the ledger against the payment', async () => {
    const h = harness()
    const paymentId = await paid(h, 5000)
    const answer = await h.call('POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 1200, description: 'one item back', operator: 'Sam' },
    })
    expect(answer.status).toBe(201)
    expect(answer.body).toEqual({
      refundId: expect.any(String),
      dateTime: expect.any(String),
      currency: 'USD',
      amount: 1200,
      status: 'ready',
      responseCode: 'A',
      responseMessage: 'APPROVED',
    })
    const payment = (await h.call('GET', `/payments/${paymentId}`)).body
    expect(payment.refunds).toEqual([answer.body])
    const refund = (await h.call('GET', `/refunds/${answer.body.refundId}`)).body
    expect(refund).toMatchObject({
      operator: 'Sam',
      order: { amount: 1200, description: 'one item back' },
      transactionResult: { type: 'refund', authorizedAmount: -1200 },
    })
    expect(h.cloud.ledger.map((e) => [e.kind, e.amount, e.paymentId])).toEqual([
      ['sale', 5000, paymentId],
      ['refund', 1200, paymentId],
    ])
  })

  it('no more than what is left (400 naming amount); once all is back, no more operations', async () => {
    const h = harness()
    const paymentId = await paid(h, 5000)
    await h.call('POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 3000, description: 'a' },
    })
    const over = await h.call('POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 2001, description: 'b' },
    })
    expect(over.status).toBe(400)
    expect(over.body.errors).toEqual([expect.objectContaining({ parameter: 'amount' })])
    const rest = await h.call('POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 2000, description: 'c' },
    })
    expect(rest.status).toBe(201)
    expect((await h.call('GET', `/payments/${paymentId}`)).body.supportedOperations).toEqual([])
  })

  it('409 (linking to the payment) on a declined payment; 404 on an unknown one; 400 on a bad body', async () => {
    const h = harness()
    const declined = await paid(h, 5001)
    const refused = await h.call('POST', `/payments/${declined}/refunds`, {
      body: { amount: 100, description: 'x' },
    })
    expect(refused.status).toBe(409)
    expect(refused.body.link).toEqual({
      rel: 'payment',
      method: 'GET',
      href: `${API}/payments/${declined}`,
    })
    expect(
      (await h.call('POST', '/payments/NOPE/refunds', { body: { amount: 1, description: 'x' } }))
        .status,
    ).toBe(404)
    const bad = await h.call('POST', `/payments/${declined}/refunds`, { body: { amount: 100 } })
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual([expect.objectContaining({ parameter: 'description' })])
  })
})

describe('reversals', () => {
  it('a partial reversal lowers the authorisation; the rest reversed makes the payment a reversal', async () => {
    const h = harness()
    const paymentId = await paid(h, 5000)
    const partial = await h.call('POST', `/payments/${paymentId}/reverse`, {
      body: { amount: 1500 },
    })
    expect(partial.status).toBe(200)
    expect(partial.body.transactionResult).toMatchObject({
      status: 'ready',
      authorizedAmount: 3500,
    })
    const full = await h.call('POST', `/payments/${paymentId}/reverse`, { body: {} })
    expect(full.body.transactionResult).toMatchObject({ status: 'reversal', authorizedAmount: 0 })
    expect(full.body.supportedOperations).toEqual([])
    expect(h.cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([
      ['sale', 5000],
      ['reversal', 1500],
      ['reversal', 3500],
    ])
    const again = await h.call('POST', `/payments/${paymentId}/reverse`, { body: {} })
    expect(again.status).toBe(409)
  })

  it('a replayed reversal answers as the first time, though the payment changed since', async () => {
    const h = harness()
    const paymentId = await paid(h, 5000)
    const key = crypto.randomUUID()
    const first = await h.call('POST', `/payments/${paymentId}/reverse`, {
      body: { amount: 1000 },
      key,
    })
    await h.call('POST', `/payments/${paymentId}/reverse`, { body: {} })
    const replay = await h.call('POST', `/payments/${paymentId}/reverse`, {
      body: { amount: 1000 },
      key,
    })
    expect(replay.body).toEqual(first.body)
    expect(replay.body.transactionResult.authorizedAmount).toBe(4000)
    expect(h.cloud.ledger).toHaveLength(3)
  })

  it('a pre-authorisation can only be reversed in full; more than is left is 400', async () => {
    const h = harness()
    const preAuth = await paid(h, 5000, { autoCapture: false })
    expect(
      (await h.call('POST', `/payments/${preAuth}/reverse`, { body: { amount: 100 } })).status,
    ).toBe(409)
    expect(
      (
        await h.call('POST', `/payments/${preAuth}/refunds`, {
          body: { amount: 100, description: 'x' },
        })
      ).status,
    ).toBe(409)
    expect(
      (await h.call('POST', `/payments/${preAuth}/reverse`, { body: {} })).body.transactionResult
        .status,
    ).toBe('reversal')
    const sale = await paid(h, 800)
    const over = await h.call('POST', `/payments/${sale}/reverse`, { body: { amount: 801 } })
    expect(over.status).toBe(400)
  })
})

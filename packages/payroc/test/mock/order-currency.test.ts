/**
 * An order's currency is one of ISO 4217's codes, not any three capitals: a POS that sends a made-up or mistyped
 * code must be refused by the fake as by the gateway.
 */
import { describe, expect, it } from 'vitest'
import { harness, sale, SERIAL, TERMINAL } from './helpers.js'

const order = (currency: string) => ({ orderId: 'o-1', amount: 1_000, currency })

describe('order currencies', () => {
  // FACTS §3: an order's currency is an ISO 4217 enum [V:sdk].
  it.each(['XYZ', 'ABC', 'USX'])(
    'refuses %s, no ISO 4217 code, naming order.currency',
    async (code) => {
      const h = harness()
      const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
        body: { processingTerminalId: TERMINAL, order: order(code) },
      })
      expect(answer.status).toBe(400)
      expect(answer.body.errors).toEqual([expect.objectContaining({ parameter: 'order.currency' })])
      expect(h.cloud.instructions.list()).toEqual([])
    },
  )

  // FACTS §3: the refund instruction's order has the same currency field [V:sdk].
  it('refuses one on a refund instruction too', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/refund-instructions`, {
      body: { processingTerminalId: TERMINAL, order: { ...order('QQQ'), description: 'back' } },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.errors[0].parameter).toBe('order.currency')
  })

  it.each(['USD', 'CAD', 'EUR', 'GBP', 'JPY', 'XOF'])('takes %s', async (code) => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: { ...sale(1_000), order: order(code) },
    })
    expect(answer.status).toBe(202)
  })
})

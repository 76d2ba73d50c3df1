import { describe, expect, it } from 'vitest'
import { drive, pass } from './harness.js'
import { payment, payrocSetup, SUBMIT } from './payroc-harness.js'

/**
 * A refused replay searches the payments by orderId. A POS reuses its order reference for each
 * payment of one order (split bill in equal parts, a retry after a decline): the search must not
 * take an earlier payment of the same order for this one.
 */
describe('payroc: the payment search after a refused replay', () => {
  it('does not settle a payment with an earlier payment of the same orderId and amount', async () => {
    const s = payrocSetup()
    // Guest 1 pays half the bill of order-4999.
    const first = await drive(s.clock, (await s.orchestrator.sale(payment(4999))).outcome)
    expect(first.status).toBe('approved')
    // Guest 2 pays the other half, same order reference: the submit's answer is lost...
    s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: SUBMIT }, times: 1 })
    const second = await s.orchestrator.sale(payment(4999))
    await pass(s.clock, 50)
    // ...and the replay is refused (the device is busy with that very instruction).
    s.route(async (request, next) => {
      if (request.method === 'POST' && SUBMIT.test(new URL(request.url).pathname))
        return Response.json(
          { type: 'about:blank', title: 'busy', status: 409, detail: 'device busy' },
          { status: 409, headers: { 'content-type': 'application/problem+json' } },
        )
      return next(request)
    })
    const outcome = await drive(s.clock, second.outcome)
    // Whatever the outcome, it must not be guest 1's payment.
    expect(outcome.providerIds.paymentId).not.toBe(first.providerIds.paymentId)
  })
})

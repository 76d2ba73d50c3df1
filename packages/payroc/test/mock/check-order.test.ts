/** The order in which the gateway's checks answer, as the package README lists it. */
import { describe, expect, it } from 'vitest'
import { harness, sale, SERIAL } from './helpers.js'

const bad = { ...sale(100), order: { orderId: 'o-1', amount: 0, currency: 'USD' } }

describe('which check answers first', () => {
  // README "The gateway's rules": the body rules come before the device (facts say nothing of the order).
  it('a bad body to an unknown device is a 400 naming the field', async () => {
    const h = harness()
    const answer = await h.call('POST', '/devices/NO-SUCH-DEVICE/payment-instructions', {
      body: bad,
    })
    expect(answer.status).toBe(400)
    expect(answer.body.errors[0].parameter).toBe('order.amount')
  })

  it('a bad body to a deactivated device is a 400 too', async () => {
    const h = harness()
    const answer = await h.call('POST', '/devices/PAXA920-0012/payment-instructions', { body: bad })
    expect(answer.status).toBe(400)
  })

  it('a good body to an unknown device is still a 404, to a busy one a 409', async () => {
    const h = harness()
    expect(
      (await h.call('POST', '/devices/NO-SUCH-DEVICE/payment-instructions', { body: sale(100) }))
        .status,
    ).toBe(404)
    const path = `/devices/${SERIAL}/payment-instructions`
    expect((await h.call('POST', path, { body: sale(100) })).status).toBe(202)
    expect((await h.call('POST', path, { body: bad })).status).toBe(400)
    expect((await h.call('POST', path, { body: sale(200) })).status).toBe(409)
  })
})

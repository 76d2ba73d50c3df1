import { describe, expect, it } from 'vitest'
import { harness, sale, SERIAL } from './helpers.js'

const path = `/devices/${SERIAL}/payment-instructions`

describe('idempotency keys', () => {
  it('the same key and body again: the original answer, nothing done twice, logged as a replay', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const first = await h.call('POST', path, { body: sale(4999), key })
    await h.clock.advance(1_000)
    const again = await h.call('POST', path, { body: sale(4999), key })
    expect(again.status).toBe(202)
    expect(again.body).toEqual(first.body)
    expect(h.cloud.instructions.list()).toHaveLength(1)
    await h.clock.advance(10_000)
    expect(h.cloud.ledger).toHaveLength(1)
    expect(
      h.cloud.requests
        .filter((r) => r.path.endsWith('/payment-instructions'))
        .map((r) => [r.idempotencyKey, r.replayed]),
    ).toEqual([
      [key, undefined],
      [key, true],
    ])
  })

  it('the original answer even after the instruction moved on (it is a replay, not a read)', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const first = await h.call('POST', path, { body: sale(4999), key })
    await h.clock.advance(10_000)
    const again = await h.call('POST', path, { body: sale(4999), key })
    expect(again.body.status).toBe('inProgress')
    expect(again.body.paymentInstructionId).toBe(first.body.paymentInstructionId)
  })

  it('the same key with a different body (even one byte) or another path: 409, nothing done', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    await h.call('POST', path, { body: sale(4999), key })
    const changed = await h.call('POST', path, { body: sale(5000), key })
    expect(changed.status).toBe(409)
    expect(changed.body.errors).toEqual([expect.objectContaining({ parameter: 'Idempotency-Key' })])
    const spaced = await h.call('POST', path, { body: JSON.stringify(sale(4999), null, 1), key })
    expect(spaced.status).toBe(409)
    const elsewhere = await h.call('POST', '/devices/PAXA920-0002/payment-instructions', {
      body: sale(4999),
      key,
    })
    expect(elsewhere.status).toBe(409)
    expect(h.cloud.instructions.list()).toHaveLength(1)
  })

  it('a refused request does not use up its key: fixed and sent again with it, it is accepted', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const refused = await h.call('POST', path, { body: sale(0), key })
    expect(refused.status).toBe(400)
    const accepted = await h.call('POST', path, { body: sale(100), key })
    expect(accepted.status).toBe(202)
  })

  it('two copies sent at the same moment: one instruction', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const [a, b] = await Promise.all([
      h.call('POST', path, { body: sale(4999), key }),
      h.call('POST', path, { body: sale(4999), key }),
    ])
    expect(a!.body).toEqual(b!.body)
    expect(h.cloud.instructions.list()).toHaveLength(1)
  })
})

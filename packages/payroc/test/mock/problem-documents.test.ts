/** Problem documents carry the fields Payroc's types require for each status, injected faults included. */
import { describe, expect, it } from 'vitest'
import { harness, sale, SERIAL } from './helpers.js'

describe('problem documents', () => {
  // FACTS §7: a 500 body is a problem document with type, title, status and detail [V:sdk types].
  it('an injected 500 answers a problem document (nothing is done)', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 500, match: { method: 'POST' }, times: 1 })
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(100),
    })
    expect(answer.status).toBe(500)
    expect(answer.headers.get('content-type')).toBe('application/json')
    expect(answer.body).toEqual({
      type: expect.any(String),
      title: expect.any(String),
      status: 500,
      detail: expect.any(String),
    })
    expect(h.cloud.instructions.list()).toEqual([])
  })

  it('a 500 fault with its own body keeps it', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 500, body: { oops: true }, times: 1 })
    expect((await h.call('GET', '/devices')).body).toEqual({ oops: true })
  })

  // FACTS §7: a 409's `errors` items have parameter, detail and message [V:sdk types].
  it('a 409 for a reused Idempotency-Key names the header with parameter, detail and message', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const path = `/devices/${SERIAL}/payment-instructions`
    expect((await h.call('POST', path, { body: sale(100), key })).status).toBe(202)
    const answer = await h.call('POST', path, { body: sale(200), key })
    expect(answer.status).toBe(409)
    expect(answer.body.errors).toEqual([
      { parameter: 'Idempotency-Key', detail: expect.any(String), message: expect.any(String) },
    ])
  })
})

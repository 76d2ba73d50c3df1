import { describe, expect, it } from 'vitest'
import { API, flush, harness, submit } from './helpers.js'

describe('instruction reads are held (long-poll)', () => {
  it('a read is held while nothing changes and answered the moment the device finishes', async () => {
    const h = harness()
    const id = await submit(h, 4999) // approve: ends 6 s after the submit
    let answered = false
    const pending = h
      .start('GET', `/payment-instructions/${id}`)
      .then((r) => ((answered = true), r))
    await h.clock.advance(5_999)
    await flush()
    expect(answered).toBe(false)
    await h.clock.advance(1)
    const answer = await pending
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      status: 'completed',
      paymentInstructionId: id,
      link: { rel: 'payment', method: 'GET', href: expect.stringMatching(`^${API}/payments/`) },
    })
    const [read] = h.cloud.requests.filter((r) => r.method === 'GET')
    expect(read).toMatchObject({ status: 200, heldMs: 6_000 })
    expect(read!.endedAt - read!.at).toBe(6_000)
  })

  it('after 60 s without a change the read answers inProgress, linking back to the instruction', async () => {
    const h = harness()
    const id = await submit(h, 4906) // slow card: ends after 92 s
    const pending = h.start('GET', `/payment-instructions/${id}`)
    await h.clock.advance(60_000)
    const answer = await pending
    expect(answer.body).toEqual({
      status: 'inProgress',
      paymentInstructionId: id,
      link: { rel: 'self', method: 'GET', href: `${API}/payment-instructions/${id}` },
    })
    const second = h.start('GET', `/payment-instructions/${id}`)
    await h.clock.advance(32_000)
    expect((await second).body.status).toBe('completed')
  })

  it('holdMs sets the hold; a read of a finished instruction is answered at once', async () => {
    const h = harness({ holdMs: 2_000 })
    const id = await submit(h, 4999)
    const pending = h.start('GET', `/payment-instructions/${id}`)
    await h.clock.advance(2_000)
    expect((await pending).body.status).toBe('inProgress')
    await h.clock.advance(4_000)
    expect((await h.call('GET', `/payment-instructions/${id}`)).body.status).toBe('completed')
    expect(h.clock.pending).toBe(0)
  })

  it('a cancel releases every held read of that instruction at once', async () => {
    const h = harness()
    const id = await submit(h, 4906)
    const readers = [
      h.start('GET', `/payment-instructions/${id}`),
      h.start('GET', `/payment-instructions/${id}`),
    ]
    await h.clock.advance(10_000)
    await flush()
    expect((await h.call('DELETE', `/payment-instructions/${id}`)).status).toBe(204)
    for (const answer of await Promise.all(readers)) expect(answer.body.status).toBe('canceled')
    const held = h.cloud.requests.filter((r) => r.method === 'GET').map((r) => r.heldMs)
    expect(held).toEqual([10_000, 10_000])
    expect(h.clock.pending).toBe(0)
  })

  it('a reader that goes away ends its hold (its fetch rejects) and leaves no timer behind', async () => {
    const h = harness()
    const id = await submit(h, 4906)
    const controller = new AbortController()
    const pending = h.start('GET', `/payment-instructions/${id}`, { signal: controller.signal })
    await h.clock.advance(1_000)
    await flush()
    controller.abort(new Error('client gave up'))
    await expect(pending).rejects.toThrow('client gave up')
    expect(h.clock.pending).toBe(0)
    const read = h.cloud.requests.at(-1)!
    expect(read.method).toBe('GET')
    expect(read.status).toBeUndefined()
    expect(read.endedAt - read.at).toBe(1_000)
  })

  it('refund and signature instructions are held the same way', async () => {
    const h = harness()
    const refund = await h.call('POST', '/devices/PAXA920-0001/refund-instructions', {
      body: {
        processingTerminalId: '1234001',
        order: { orderId: 'r1', amount: 500, currency: 'USD', description: 'returned' },
      },
    })
    const signature = await h.call('POST', '/devices/PAXA920-0002/signature-instructions', {
      body: { processingTerminalId: '1234001' },
    })
    expect(refund.status).toBe(202)
    expect(signature.status).toBe(202)
    const reads = [
      h.start('GET', `/refund-instructions/${refund.body.refundInstructionId}`),
      h.start('GET', `/signature-instructions/${signature.body.signatureInstructionId}`),
    ]
    await h.clock.advance(6_000)
    const [r, s] = await Promise.all(reads)
    expect(r!.body.link).toMatchObject({
      rel: 'refund',
      href: expect.stringMatching(`^${API}/refunds/`),
    })
    expect(s!.body.link).toMatchObject({
      rel: 'signature',
      href: expect.stringMatching(`^${API}/signatures/`),
    })
  })
})

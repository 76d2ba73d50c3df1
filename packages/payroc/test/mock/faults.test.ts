import { describe, expect, it } from 'vitest'
import { API, flush, harness, sale, SERIAL } from './helpers.js'

describe('injected faults', () => {
  it('latency delays the request on the cloud clock before it is handled', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'latency', ms: 2_500, match: { path: '/v1/devices' }, times: 1 })
    let done = false
    const pending = h.start('GET', '/devices').then((r) => ((done = true), r))
    await h.clock.advance(2_499)
    await flush()
    expect(done).toBe(false)
    await h.clock.advance(1)
    expect((await pending).status).toBe(200)
    expect(h.cloud.faults.active).toEqual([])
  })

  it('a 502 status fault has no body and nothing is done', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 502, match: { method: 'POST' }, times: 1 })
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(100),
    })
    expect(answer.status).toBe(502)
    expect(answer.body).toBeUndefined()
    expect(h.cloud.instructions.list()).toEqual([])
  })

  it('a 429 status fault carries Retry-After and a problem body', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 429, retryAfter: 3, times: 1 })
    const answer = await h.call('GET', '/devices')
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('3')
    expect(answer.body).toMatchObject({ status: 429, title: 'Too many requests' })
  })

  it('a lost response: the instruction is created (the device works on it), the caller gets a reset', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: /instructions$/ } })
    await expect(
      h.call('POST', `/devices/${SERIAL}/payment-instructions`, { body: sale(4999) }),
    ).rejects.toThrow('fetch failed')
    expect(h.cloud.instructions.list()).toHaveLength(1)
    await h.clock.advance(6_000)
    expect(h.cloud.ledger).toHaveLength(1)
    const logged = h.cloud.requests.at(-1)!
    expect(logged.path).toBe(`/v1/devices/${SERIAL}/payment-instructions`)
    expect(logged.status).toBeUndefined()
  })

  it('faults can be cleared', async () => {
    const h = harness()
    const remove = h.cloud.faults.add({ kind: 'status', status: 503 })
    h.cloud.faults.add({ kind: 'status', status: 502 })
    remove()
    expect(h.cloud.faults.active).toEqual([{ kind: 'status', status: 502 }])
    h.cloud.faults.clear()
    expect((await h.call('GET', '/devices')).status).toBe(200)
    expect(API).toMatch(/^https:/)
  })
})

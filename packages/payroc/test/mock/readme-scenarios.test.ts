import { describe, expect, it } from 'vitest'
import { SIGNATURE_PNG_BASE64 } from '../../src/mock/index.js'
import { harness, SERIAL, submit } from './helpers.js'

/** README "Scenarios" (README.md:372-393): every row through the public fetch + ledger. */
describe('README scenarios table: refund instructions follow the same table', () => {
  const refund = (amount: number) => ({
    processingTerminalId: '1234001',
    order: { orderId: `r-${amount}`, amount, currency: 'USD', description: 'back' },
  })
  it.each([
    // cents, instruction status, ms, responseCode, authorizedAmount, ledger
    [2500, 'completed', 6_000, 'A', -2500, [['refund', 'approved']]],
    [2503, 'completed', 6_000, 'R', 0, [['refund', 'referral']]],
    [2504, 'failure', 4_000, undefined, undefined, []],
    [2505, 'canceled', 4_000, undefined, undefined, []],
    [2506, 'completed', 92_000, 'A', -2506, [['refund', 'approved']]],
    [2507, 'failure', 120_000, undefined, undefined, []],
  ] as const)(
    'refund of %i: %s after %i ms, %s',
    async (amount, status, ms, code, authorized, ledger) => {
      const h = harness()
      const answer = await h.call('POST', `/devices/${SERIAL}/refund-instructions`, {
        body: refund(amount),
      })
      expect(answer.status).toBe(202)
      await h.clock.advance(200_000)
      const info = h.cloud.instructions.get(answer.body.refundInstructionId)
      expect(info.status).toBe(status)
      expect(info.endedAt! - info.createdAt).toBe(ms)
      if (code) {
        const result = (await h.call('GET', `/refunds/${info.resultId}`)).body
        expect(result.transactionResult).toMatchObject({
          type: 'refund',
          responseCode: code,
          authorizedAmount: authorized,
        })
      }
      expect(h.cloud.ledger.map((e) => [e.kind, e.result])).toEqual(ledger)
    },
  )
})

describe('README scenarios table: rows the existing tests leave open', () => {
  it('slow-card (…06) enters the ledger, approved, at its end (92 s)', async () => {
    const h = harness()
    const id = await submit(h, 1006)
    await h.clock.advance(200_000)
    const info = h.cloud.instructions.get(id)
    expect(h.cloud.ledger).toEqual([
      expect.objectContaining({ kind: 'sale', result: 'approved', amount: 1006, at: info.endedAt }),
    ])
  })

  it('decline (…01) is completed after 6 s', async () => {
    const h = harness()
    const id = await submit(h, 1001)
    await h.clock.advance(200_000)
    const info = h.cloud.instructions.get(id)
    expect(info.endedAt! - info.createdAt).toBe(6_000)
  })

  it('partial (…02) on a pre-auth keeps P with half', async () => {
    const h = harness()
    const id = await submit(h, 1002, SERIAL, {
      order: { orderId: 'p', amount: 1002, currency: 'USD', acceptPartialAmount: true },
    })
    await h.clock.advance(6_000)
    const info = h.cloud.instructions.get(id)
    expect(info.endedAt! - info.createdAt).toBe(6_000)
    expect(h.cloud.ledger.map((e) => [e.result, e.amount, e.authorizedAmount])).toEqual([
      ['partial', 1002, 501],
    ])
  })

  it('signature instructions complete after 6 s with SIGNATURE_PNG_BASE64, whatever the amount', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/signature-instructions`, {
      body: { processingTerminalId: '1234001' },
    })
    expect(answer.status).toBe(202)
    await h.clock.advance(200_000)
    const info = h.cloud.instructions.get(answer.body.signatureInstructionId)
    expect(info.status).toBe('completed')
    expect(info.endedAt! - info.createdAt).toBe(6_000)
    const signature = (await h.call('GET', `/signatures/${info.resultId}`)).body
    expect(signature).toMatchObject({ contentType: 'image/png', signature: SIGNATURE_PNG_BASE64 })
    expect(h.cloud.ledger).toEqual([])
  })

  it('a signature instruction on a device pinned to canceled-on-device is canceled', async () => {
    const h = harness({ devices: [{ serialNumber: 'S1', scenario: 'canceled-on-device' }] })
    const answer = await h.call('POST', '/devices/S1/signature-instructions', {
      body: { processingTerminalId: '1234001' },
    })
    await h.clock.advance(200_000)
    expect(h.cloud.instructions.get(answer.body.signatureInstructionId).status).toBe('canceled')
  })
})

describe('README options', () => {
  it('timings are partial: cardMs alone changes the approve time to cardMs + 2 s', async () => {
    const h = harness({ timings: { cardMs: 1_000 } })
    const id = await submit(h, 1000)
    await h.clock.advance(200_000)
    const info = h.cloud.instructions.get(id)
    expect(info.endedAt! - info.createdAt).toBe(3_000)
  })

  it('timings.slowCardMs and deviceTimeoutMs are honoured', async () => {
    const h = harness({ timings: { slowCardMs: 10_000, deviceTimeoutMs: 30_000 } })
    const slow = await submit(h, 1006)
    await h.clock.advance(200_000)
    const timeout = await submit(h, 1007)
    await h.clock.advance(200_000)
    const a = h.cloud.instructions.get(slow)
    const b = h.cloud.instructions.get(timeout)
    expect(a.endedAt! - a.createdAt).toBe(12_000)
    expect(b.endedAt! - b.createdAt).toBe(30_000)
  })

  it('holdMs: an instruction read is held that long while nothing changes', async () => {
    const h = harness({ holdMs: 5_000 })
    const id = await submit(h, 1006)
    const held = h.start('GET', `/payment-instructions/${id}`)
    let done = false
    void held.then(() => (done = true))
    await h.clock.advance(4_999)
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    expect(done).toBe(false)
    await h.clock.advance(1)
    const answer = await held
    expect(answer.status).toBe(200)
    expect(answer.body.status).toBe('inProgress')
  })

  it('tokenLifetimeSeconds is expires_in, and an expired token gets 401', async () => {
    const h = harness({ tokenLifetimeSeconds: 60 })
    const auth = await h.cloud.fetch('https://identity.uat.payroc.com/authorize', {
      method: 'POST',
      headers: { 'x-api-key': 'test-api-key' },
    })
    const body = await auth.json()
    expect(body.expires_in).toBe(60)
    const ok = await h.call('GET', '/devices', { token: body.access_token })
    expect(ok.status).toBe(200)
    await h.clock.advance(60_000)
    const late = await h.call('GET', '/devices', { token: body.access_token })
    expect(late.status).toBe(401)
  })

  it('readOnlyApiKeys: reads pass, every POST and DELETE is 403', async () => {
    const h = harness({ readOnlyApiKeys: ['ro-key'] })
    const token = await h.token('ro-key')
    expect((await h.call('GET', '/devices', { token })).status).toBe(200)
    const post = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      token,
      body: {
        processingTerminalId: '1234001',
        order: { orderId: 'x', amount: 1000, currency: 'USD' },
      },
    })
    expect(post.status).toBe(403)
    const id = await submit(h, 1000)
    const del = await h.call('DELETE', `/payment-instructions/${id}`, { token })
    expect(del.status).toBe(403)
  })

  it('default devices: twelve, PAXA920-0012 deactivated, all on 1234001', () => {
    const h = harness()
    const list = h.cloud.devices.list()
    expect(list.map((d: any) => d.serialNumber)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `PAXA920-${String(i + 1).padStart(4, '0')}`),
      'PAXA80-0011',
      'PAXA920-0012',
    ])
    expect(list.filter((d: any) => d.active === false).map((d: any) => d.serialNumber)).toEqual([
      'PAXA920-0012',
    ])
  })
})

describe('README faults', () => {
  it('status 503: no body, request not processed', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 503, times: 1 })
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: {
        processingTerminalId: '1234001',
        order: { orderId: 'x', amount: 1000, currency: 'USD' },
      },
    })
    expect(answer.status).toBe(503)
    expect(answer.body).toBeUndefined()
    expect(h.cloud.instructions.list()).toEqual([])
  })

  it('status 429 with retryAfter: Retry-After and a problem body', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 429, retryAfter: 2 })
    const answer = await h.call('GET', '/devices')
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('2')
    expect(answer.body).toMatchObject({
      status: 429,
      title: expect.any(String),
      type: expect.stringMatching(/^urn:tillkit:fake-payroc:/),
    })
  })

  it('lostResponse on POST: the instruction runs and is charged, the answer is lost', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' } })
    await expect(
      h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
        body: {
          processingTerminalId: '1234001',
          order: { orderId: 'x', amount: 1000, currency: 'USD' },
        },
      }),
    ).rejects.toThrow()
    await h.clock.advance(6_000)
    expect(h.cloud.ledger.map((e) => e.result)).toEqual(['approved'])
  })
})

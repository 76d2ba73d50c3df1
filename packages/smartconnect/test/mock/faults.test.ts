import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TillkitUnknownOutcomeError } from '@tillkit/core'
import { createSmartConnectClient } from '../../src/index.js'
import { createFakeCloud, DEFAULT_BASE_URL, type Fault } from '../../src/mock/index.js'
import { failure, harness, REGISTER } from '../helpers.js'
import { direct, errorOf } from './helpers.js'

describe('fake cloud: faults', () => {
  it('a status fault answers in the {error} shape, with Retry-After when asked, and is used up', async () => {
    const f = direct()
    f.cloud.faults.add({ kind: 'status', status: 429, retryAfter: 7, times: 1 })
    const refused = await f.pair('ABCDEF')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('7')
    expect(await errorOf(refused)).toBe('Injected fault: status 429')
    expect(f.cloud.faults.active).toEqual([])
    expect((await f.pair('ABCDEF')).status).toBe(400)
  })

  it('a 5xx status fault has no body unless given one', async () => {
    const f = direct()
    f.cloud.faults.add({ kind: 'status', status: 503, times: 1 })
    const response = await f.pair('ABCDEF')
    expect(response.status).toBe(503)
    expect(await response.text()).toBe('')
  })

  it('faults match by method and path; disarming removes them', async () => {
    const f = direct()
    await f.pairWith()
    const off = f.cloud.faults.add({
      kind: 'status',
      status: 500,
      match: { method: 'GET', path: /\/transaction\// },
    })
    const { pollingUrl } = await f.started({ TransactionType: 'Terminal.GetStatus' })
    expect((await f.poll(pollingUrl)).status).toBe(500)
    off()
    expect((await f.poll(pollingUrl)).status).toBe(200)
    f.cloud.faults.add({ kind: 'latency', ms: 10 })
    f.cloud.faults.clear()
    expect(f.cloud.faults.active).toEqual([])
  })

  it('latency delays the answer on the cloud’s clock', async () => {
    const f = direct()
    f.cloud.faults.add({ kind: 'latency', ms: 5_000 })
    let answered = false
    const pending = f.pair('ABCDEF').then(() => (answered = true))
    await f.clock.advance(4_999)
    expect(answered).toBe(false)
    await f.clock.advance(1)
    await pending
    expect(answered).toBe(true)
  })

  it('a lost response on a start: the payment runs and is charged; the client reports an unknown outcome', async () => {
    const h = harness()
    await h.pair()
    h.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, times: 1 })
    const error = await failure<TillkitUnknownOutcomeError>(
      h.client.startTransaction('Card.Purchase', { AmountTotal: 4200 }),
    )
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error.known).toMatchObject({ type: 'Card.Purchase', fields: { AmountTotal: '4200' } })
    await h.clock.advance(10_000)
    expect(h.cloud.ledger.map((e) => [e.amount, e.result])).toEqual([[4200, 'ACCEPTED']])
  })

  it('a 503 on a start is an unknown outcome, and nothing is sent twice', async () => {
    const h = harness()
    await h.pair()
    h.cloud.faults.add({ kind: 'status', status: 503, match: { method: 'POST' } })
    const error = await failure<TillkitUnknownOutcomeError>(
      h.client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
    )
    expect(error.reason).toBe('http-503')
    expect(h.cloud.transactions.list()).toEqual([])
  })

  it('malformed poll bodies are survived: polling goes on to the outcome', async () => {
    const h = harness()
    await h.pair()
    const pending = await h.client.startTransaction('Card.Purchase', { AmountTotal: 100 })
    const poll = { method: 'GET', path: /\/transaction\// }
    const bodies: Fault[] = [
      { kind: 'status', status: 200, body: 'not json', match: poll, times: 1 },
      {
        kind: 'status',
        status: 200,
        body: { transactionStatus: 'WORKING' },
        match: poll,
        times: 1,
      },
      {
        kind: 'status',
        status: 200,
        body: { transactionStatus: 'PENDING', data: 'x' },
        match: poll,
        times: 1,
      },
      { kind: 'status', status: 200, body: [], match: poll, times: 1 },
    ]
    for (const fault of bodies) h.cloud.faults.add(fault)
    const reasons: string[] = []
    const outcome = await h.client.waitForOutcome(pending, {
      onEvent: (e) => void (e.type === 'retry' && reasons.push(e.reason)),
    })
    expect(reasons).toEqual(['malformed', 'malformed', 'malformed', 'malformed'])
    expect(outcome.status).toBe('approved')
  })

  it('refuses faults it does not know', () => {
    const f = direct()
    expect(() => f.cloud.faults.add({ kind: 'dropConnection' } as unknown as Fault)).toThrow(
      'Invalid fault',
    )
  })
})

describe('fake cloud: MSW handlers', () => {
  // Real time here (MSW, global fetch): terminals are slow enough that nothing finishes during the test.
  const cloud = createFakeCloud({ stepMs: 60_000 })
  const server = setupServer(...cloud.handlers())
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  it('serve both environments’ hosts to a client using the global fetch', async () => {
    expect(DEFAULT_BASE_URL).toBe('https://*.smart-connect.cloud')
    for (const [environment, deviceId, id] of [
      ['dev', 'VT000001', '0d1e2f30-4a5b-4c6d-8e7f-101112131415'],
      ['production', 'VT000002', '1e2f3041-5b6c-4d7e-9f80-161718191a1b'],
    ] as const) {
      const client = createSmartConnectClient({
        environment,
        register: { ...REGISTER, id },
      })
      await client.pair(cloud.terminals.get(deviceId).pairingCode)
      const pending = await client.startTransaction('Terminal.GetStatus')
      expect(new URL(pending.pollingUrl).host).toBe(new URL(client.baseUrl).host)
      const result = await client.poll(pending)
      expect(result.state).toBe('pending')
    }
  })

  it('a lost response reaches the client as a network error', async () => {
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const client = createSmartConnectClient({ environment: 'dev', register: REGISTER })
    await expect(client.pair('ABCDEF')).rejects.toMatchObject({ code: 'NETWORK' })
  })
})

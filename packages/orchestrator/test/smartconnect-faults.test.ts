import { describe, expect, it } from 'vitest'
import { createMemoryJournal } from '../src/index.js'
import { collect, drive, pass } from './harness.js'
import { OTHER, sale, setup, TID } from './smartconnect-harness.js'

const lanes = Array.from({ length: 6 }, (_, i) => ({ deviceId: `LANE-${i + 1}` }))

describe('SmartConnect fault runs against the fake: nothing charged twice, nothing lost', () => {
  it('a lost start answer is unknown with reconciliation facts, journaled, and never sent again', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, orchestrator, seen } = await setup({ orchestrator: { journal } })
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(outcome.reconcile).toMatchObject({ terminal: TID, amount: 1250, providerIds: {} })
    expect(outcome.reconcile!.why).toMatch(/answer was lost/)
    expect(outcome.reconcile!.check[0]).toMatch(/no transaction id/)
    expect(await events.done).toEqual([])
    expect((await journal.get(payment.id))?.outcome?.status).toBe('unknown')
    await pass(clock, 10_000)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    // SmartConnect ran it: one charge, for the operator to find on the terminal.
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1250])
  })

  it.each([500, 502, 503, 408])(
    'a %i on the start is unknown too (an intermediary may answer after SmartConnect acted)',
    async (status) => {
      const { clock, cloud, orchestrator, seen } = await setup()
      cloud.faults.add({ kind: 'status', status, match: { method: 'POST' }, times: 1 })
      const payment = await orchestrator.sale(sale(1250))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
      expect(outcome.reconcile!.why).toContain(`http-${status}`)
      await pass(clock, 10_000)
      expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
      // The fake's status fault answers without processing: here nothing was charged.
      expect(cloud.ledger).toHaveLength(0)
    },
  )

  it('a start answered without a polling URL is unknown (it may be running), never re-sent', async () => {
    const { clock, cloud, orchestrator, seen } = await setup()
    cloud.faults.add({
      kind: 'status',
      status: 200,
      body: { transactionStatus: 'PENDING', data: {} },
      match: { method: 'POST' },
      times: 1,
    })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(outcome.reconcile!.why).toContain('malformed-response')
    await pass(clock, 10_000)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('a start refused with 429 is sent again after Retry-After (refused, so nothing started): one charge', async () => {
    const { clock, cloud, orchestrator, seen } = await setup()
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 3,
      match: { method: 'POST' },
      times: 2,
    })
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const posts = seen.filter((r) => r.method === 'POST')
    expect(posts.map((r) => [r.at, r.status])).toEqual([
      [0, 429],
      [3_000, 429],
      [6_000, 200],
    ])
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a start that never left (connection refused) is sent again; one charge', async () => {
    const { clock, cloud, orchestrator, seen } = await setup()
    let refuse = 2
    const original = cloud.fetch
    cloud.fetch = async (request) => {
      if ((request as Request).method === 'POST' && refuse-- > 0)
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
      return original(request)
    }
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([
      undefined,
      undefined,
      200,
    ])
    expect(cloud.ledger).toHaveLength(1)
  })

  it('lost, failed, hung and garbled polls are read again with back-off; events stay exactly-once', async () => {
    const { clock, cloud, orchestrator, seen } = await setup({ adapter: { timeoutMs: 5_000 } })
    const get = { method: 'GET' }
    cloud.faults.add({ kind: 'lostResponse', match: get, times: 1 })
    cloud.faults.add({ kind: 'status', status: 503, match: get, times: 2 })
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: get, times: 1 })
    cloud.faults.add({ kind: 'status', status: 200, body: 'not json', match: get, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect((await events.done).map((e) => [e.seq, e.type])).toEqual([
      [1, 'started'],
      [2, 'authorised'],
      [3, 'finished'],
    ])
    // Back-off from the cadence, doubling while the failures last (the hung poll gives up after
    // its 5 s timeout), then the garbled answer, then the result.
    expect(seen.filter((r) => r.method === 'GET').map((r) => [r.at, r.status])).toEqual([
      [3_000, undefined],
      [6_000, 503],
      [12_000, 503],
      [24_000, undefined],
      [29_000 + 24_000, 200],
      [53_000 + 30_000, 200],
    ])
    const gets = seen.filter((r) => r.method === 'GET')
    // SmartConnect's 2 s rule held throughout: no 429.
    expect(gets.some((r) => r.status === 429)).toBe(false)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a 429 storm on the polls: each payment waits as asked, every payment completes once', async () => {
    const { clock, cloud, orchestrator, seen, polls } = await setup({ cloud: { terminals: lanes } })
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 5,
      match: { method: 'GET' },
      times: 20,
    })
    const payments = await Promise.all(
      lanes.map((t, i) => orchestrator.sale(sale(1250 + i * 100, { terminal: t.deviceId }))),
    )
    const outcomes = await drive(clock, Promise.all(payments.map((p) => p.outcome)))
    expect(outcomes.map((o) => o.status)).toEqual(lanes.map(() => 'approved'))
    expect(seen.filter((r) => r.status === 429)).toHaveLength(20)
    // Retry-After: 5 s. After a 429, that payment's next poll waits at least 5 s.
    for (const outcome of outcomes) {
      const mine = polls(outcome.providerIds.transactionId!)
      for (const [i, r] of mine.entries()) {
        const next = mine[i + 1]
        if (r.status === 429 && next) expect(next.at - r.at).toBeGreaterThanOrEqual(5_000)
      }
    }
    expect(cloud.ledger.map((e) => e.amount).sort()).toEqual(lanes.map((_, i) => 1250 + i * 100))
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(lanes.length)
  })

  it('polls refused for good (400) three times in a row settle unknown (unreadable)', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const payment = await orchestrator.sale(sale(1309))
    await pass(clock, 4_000)
    cloud.faults.add({ kind: 'status', status: 400, match: { method: 'GET' } })
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.why).toMatch(/HTTP 400/)
    expect(outcome.reconcile!.check[0]).toMatch(/polling URL was refused/)
    expect(outcome.reconcile!.lastEvent).toBe('OK-DELAYED')
    cloud.faults.clear()
    await pass(clock, 30_000, 1_000)
    // It went through on the terminal: the operator finds one charge.
    expect(cloud.ledger).toHaveLength(1)
  })

  it('an invalid token (401) before the token could lapse is polled on until it has', async () => {
    const { clock, cloud, orchestrator, seen } = await setup({
      adapter: { tokenLifetimeMs: 120_000 },
    })
    cloud.faults.add({ kind: 'status', status: 401, match: { method: 'GET' } })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    const gets = seen.filter((r) => r.method === 'GET')
    expect(gets.at(-1)!.at).toBe(120_000)
    expect(gets).toHaveLength(40)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a busy terminal under load: the second start is refused, the first charged once', async () => {
    const { clock, cloud, orchestrator } = await setup()
    cloud.faults.add({ kind: 'latency', ms: 1_500, match: { method: 'POST' } })
    const first = await orchestrator.sale(sale(1250))
    const other = await orchestrator.sale(sale(1350, { terminal: OTHER }))
    await pass(clock, 2_000)
    const second = await orchestrator.sale(sale(1450))
    const [a, b, c] = await drive(
      clock,
      Promise.all([first.outcome, other.outcome, second.outcome]),
    )
    expect([a.status, b.status, c.status]).toEqual(['approved', 'approved', 'failed'])
    expect(c.reasonCode).toBe('terminal-busy')
    expect(cloud.ledger.map((e) => [e.deviceId, e.amount])).toEqual([
      [TID, 1250],
      [OTHER, 1350],
    ])
  })
})

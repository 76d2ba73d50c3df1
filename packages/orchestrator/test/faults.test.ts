import { describe, expect, it } from 'vitest'
import { createMemoryJournal } from '../src/index.js'
import { collect, drive, pass, sale, setup, TID } from './harness.js'

const terminals = Array.from({ length: 6 }, (_, i) => ({
  tid: `T${i + 1}`,
  currency: 'GBP' as const,
}))

describe('fault runs against the fake: nothing charged twice, nothing lost', () => {
  it('a lost start answer is unknown with reconciliation facts, journaled, and never sent again', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, orchestrator, seen } = setup({ orchestrator: { journal } })
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(outcome.reconcile).toMatchObject({ terminal: TID, amount: 1250, providerIds: {} })
    expect(outcome.reconcile!.why).toMatch(/ECONNRESET|failed/)
    expect((await journal.get(payment.id))?.outcome?.status).toBe('unknown')
    await pass(clock, 10_000)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1250])
  })

  it('a 5xx on the start is unknown too (Connect may have acted)', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    cloud.faults.add({ kind: 'status', status: 502, match: { method: 'POST' }, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('unknown')
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('lost, failed and hung polls are polled again with back-off; events stay exactly-once', async () => {
    const { clock, cloud, orchestrator, seen } = setup({ adapter: { timeoutMs: 5_000 } })
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'GET' }, times: 2 })
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET' }, times: 2 })
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'GET' }, times: 1 })
    const payment = await orchestrator.sale(sale(1209))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const raws = (await events.done).map((e) => e.raw)
    expect(raws).toEqual(
      cloud.terminals.transaction(TID, outcome.providerIds.requestId!).notifications,
    )
    expect(seen.filter((r) => r.method === 'GET' && r.status === 503)).toHaveLength(2)
    // Back-off: after the first failures the gap grows past the 1 s cadence.
    const gets = seen.filter((r) => r.method === 'GET').map((r) => r.at)
    const gaps = gets.slice(1).map((at, i) => at - gets[i]!)
    expect(Math.max(...gaps)).toBeGreaterThan(1_000)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a 429 storm: the account pauses as asked, every payment completes once', async () => {
    const { clock, cloud, orchestrator, seen } = setup({ cloud: { terminals } })
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 2, times: 25 })
    const payments = await Promise.all(
      terminals.map((t, i) => orchestrator.sale({ ...sale(1250 + i * 100), terminal: t.tid })),
    )
    const outcomes = await drive(clock, Promise.all(payments.map((p) => p.outcome)))
    expect(outcomes.map((o) => o.status)).toEqual(terminals.map(() => 'approved'))
    expect(seen.filter((r) => r.status === 429).length).toBe(25)
    // Retry-After: 2 s. After each 429 nothing of the account left for 2 s.
    for (const [i, r] of seen.entries()) {
      if (r.status !== 429) continue
      const next = seen[i + 1]
      if (next) expect(next.at - r.at).toBeGreaterThanOrEqual(2_000)
    }
    const amounts = cloud.ledger.map((e) => e.amount).sort()
    expect(amounts).toEqual(terminals.map((_, i) => 1250 + i * 100).sort())
    // Starts refused with 429 were sent again (unprocessed), no start twice processed.
    expect(seen.filter((r) => r.method === 'POST' && r.status === 201)).toHaveLength(6)
  })

  it('polls refused for good (401) three times settle unknown (unreadable)', async () => {
    const { clock, cloud, orchestrator } = setup()
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 500)
    cloud.faults.add({ kind: 'status', status: 401, match: { method: 'GET' } })
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.check[0]).toMatch(/API key/)
  })

  it('a start that never left (connection refused) is sent again; one charge', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    let refuse = 2
    const payment = await (async () => {
      // The adapter's fetch is the harness's; refusing here happens before the fake sees anything.
      const original = cloud.fetch
      cloud.fetch = async (request: Request) => {
        if (request.method === 'POST' && refuse-- > 0)
          throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
        return original(request)
      }
      return orchestrator.sale(sale(1250))
    })()
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([
      undefined,
      undefined,
      201,
    ])
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a start still refused with 429 a minute after the intent fails (rate-limited), never charged', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 5, match: { method: 'POST' } })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'rate-limited' })
    const posts = seen.filter((r) => r.method === 'POST')
    expect(posts.length).toBeGreaterThanOrEqual(12)
    expect(posts.at(-1)!.at - posts[0]!.at).toBeLessThanOrEqual(60_000)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a start refused with a Retry-After reaching past the minute fails (rate-limited) at once: not sent late', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 120, times: 1 })
    const t0 = clock.now()
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'rate-limited' })
    expect(outcome.at - t0).toBeLessThan(1_000)
    await pass(clock, 180_000)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a start that can never leave fails (not-sent) after five attempts', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    cloud.fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } })
    }
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-sent' })
    expect(seen).toHaveLength(5)
  })

  it('a poll refused with a bare 429 goes again after two spacing intervals, not a cadence later', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 1_500)
    cloud.faults.add({ kind: 'status', status: 429, match: { method: 'GET' }, times: 1 })
    await pass(clock, 1_000)
    const limited = seen.findIndex((r) => r.status === 429)
    expect(limited).toBeGreaterThan(0)
    expect(seen[limited + 1]!.at - seen[limited]!.at).toBe(200)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
  })
})

import { describe, expect, it } from 'vitest'
import { ACCOUNT, collect, drive, pass, sale, setup } from './harness.js'

const terminals = Array.from({ length: 10 }, (_, i) => ({
  tid: `T${String(i).padStart(2, '0')}`,
  currency: 'GBP' as const,
}))

describe('scheduling on one Paymentsense account', () => {
  it('ten concurrent payments: the fake never sees two requests closer than 0.1 s, nor a 429', async () => {
    const { clock, cloud, orchestrator, seen } = setup({ cloud: { terminals } })
    const payments = await Promise.all(
      terminals.map((t, i) => orchestrator.sale({ ...sale(1209 + i * 100), terminal: t.tid })),
    )
    const streams = payments.map((p) => collect(p))
    const outcomes = await drive(clock, Promise.all(payments.map((p) => p.outcome)))
    expect(outcomes.every((o) => o.status === 'approved')).toBe(true)
    const gaps = seen.slice(1).map((r, i) => r.at - seen[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100)
    expect(seen.some((r) => r.status === 429)).toBe(false)
    expect(cloud.ledger).toHaveLength(10)
    for (const [i, stream] of streams.entries()) {
      const raws = (await stream.done).map((e) => e.raw)
      expect(raws).toEqual(
        cloud.terminals.transaction(terminals[i]!.tid, outcomes[i]!.providerIds.requestId!)
          .notifications,
      )
    }
  })

  it('polls go at the cadence: 1 s apart by default, 0.5 s when configured', async () => {
    for (const cadenceMs of [1_000, 500]) {
      const { clock, orchestrator, dispatched } = setup({ adapter: { cadenceMs } })
      const payment = await orchestrator.sale(sale(1209))
      await drive(clock, payment.outcome)
      const polls = dispatched.filter((d) => d.request === 'poll')
      expect(polls.every((d) => d.sentAt === d.dueAt)).toBe(true)
      const gaps = new Set(polls.slice(1).map((d, i) => d.sentAt - polls[i]!.sentAt))
      expect([...gaps]).toEqual([cadenceMs])
      expect(polls[0]!.sentAt - dispatched[0]!.sentAt).toBe(cadenceMs)
    }
  })

  it('an over-subscribed account shares its requests fairly across payments', async () => {
    // 10 payments polled every second through a 250 ms spacing: only 4 requests a second fit.
    const { clock, orchestrator, dispatched } = setup({
      cloud: { terminals },
      adapter: { spacingMs: 250 },
    })
    const payments = await Promise.all(
      terminals.map((t) => orchestrator.sale({ ...sale(1206), terminal: t.tid })),
    )
    await pass(clock, 30_000)
    const polls = dispatched.filter(
      (d) => d.request === 'poll' && d.sentAt > dispatched[0]!.sentAt + 5_000,
    )
    const perPayment = payments.map((p) => polls.filter((d) => d.paymentId === p.id).length)
    expect(Math.max(...perPayment) - Math.min(...perPayment)).toBeLessThanOrEqual(1)
    const sends = dispatched.map((d) => d.sentAt)
    expect(Math.min(...sends.slice(1).map((at, i) => at - sends[i]!))).toBeGreaterThanOrEqual(250)
    await drive(clock, Promise.all(payments.map((p) => p.cancel())))
  })

  it('a spacing margin widens every gap', async () => {
    const { clock, orchestrator, seen } = setup({
      cloud: { terminals },
      orchestrator: { spacingMarginMs: 15 },
    })
    const payments = await Promise.all(
      terminals.slice(0, 4).map((t) => orchestrator.sale({ ...sale(1250), terminal: t.tid })),
    )
    await drive(clock, Promise.all(payments.map((p) => p.outcome)))
    const gaps = seen.slice(1).map((r, i) => r.at - seen[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(115)
  })

  it('a 429 to a terminal listing pauses the account like any other 429', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const payment = await orchestrator.sale(sale(2509)) // a slow card: polled every second
    await pass(clock, 2_000)
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 5,
      match: { method: 'GET', path: '/pac/terminals' },
      times: 1,
    })
    const listing = orchestrator.terminals(ACCOUNT).catch((e: unknown) => e)
    await pass(clock, 6_000)
    expect(await listing).toMatchObject({ name: 'TillkitHttpError', status: 429 })
    const refused = seen.find((r) => r.path === '/pac/terminals' && r.status === 429)!
    const during = seen.filter((r) => r.at > refused.at && r.at < refused.at + 5_000)
    expect(during).toEqual([])
    // Polling goes on once the pause ends.
    expect(seen.some((r) => r.at >= refused.at + 5_000 && r.method === 'GET')).toBe(true)
    await payment.cancel()
    await drive(clock, payment.outcome)
    await orchestrator.close()
  })
})

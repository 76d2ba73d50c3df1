import { describe, expect, it } from 'vitest'
import type { SignatureRequiredEvent } from '../src/index.js'
import { collect, drive, pass, sale, setup } from './harness.js'

const terminals = Array.from({ length: 4 }, (_, i) => ({ tid: `T${i}`, currency: 'GBP' as const }))

/**
 * The POS machine's wall clock is stepped (NTP catching up, an operator fixing the date) while
 * payments run. The provider's clock is not: the fake, and the times in `seen`, keep steady time.
 */
const steppedRig = () => setup({ cloud: { terminals }, steadyProvider: true })

const polls = (seen: { method: string; path: string; at: number }[], after: number) =>
  seen.filter((r) => r.method === 'GET' && r.path.includes('/transactions/') && r.at > after)

describe('a wall clock stepped while payments run', () => {
  it('stepped back an hour: polls still go every second, and the sale ends', async () => {
    const { clock, cloud, orchestrator, seen } = steppedRig()
    const payment = await orchestrator.sale({ ...sale(2509), terminal: 'T0' }) // slow card
    const events = collect(payment)
    await pass(clock, 2_500)
    const stepAt = clock.monotonic()
    clock.step(-3_600_000)
    await pass(clock, 3_000)
    // `seen` is stamped on the provider's (steady) clock: polls kept coming, one a second.
    expect(polls(seen, stepAt).length).toBeGreaterThanOrEqual(2)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect(cloud.ledger).toHaveLength(1)
    expect((await events.done).length).toBeGreaterThan(0)
  })

  it('stepped forward an hour: requests stay 0.1 s apart and the cadence holds', async () => {
    const { clock, cloud, orchestrator, seen } = steppedRig()
    const payments = await Promise.all(
      terminals.map((t) => orchestrator.sale({ ...sale(2509), terminal: t.tid })),
    )
    await pass(clock, 2_500)
    const stepAt = clock.monotonic()
    clock.step(3_600_000)
    await pass(clock, 3_000)
    const after = seen.filter((r) => r.at > stepAt - 1_000)
    const gaps = after.slice(1).map((r, i) => r.at - after[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100)
    expect(seen.some((r) => r.status === 429)).toBe(false)
    // Each payment polled a second after its last poll at the earliest, not at once because the
    // step made every wait look over.
    const byPath = new Map<string, { at: number }[]>()
    for (const r of polls(seen, 0)) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r])
    expect(byPath.size).toBe(terminals.length)
    for (const series of byPath.values()) {
      const pollGaps = series.slice(1).map((r, i) => r.at - series[i]!.at)
      expect(Math.min(...pollGaps)).toBeGreaterThanOrEqual(1_000)
    }
    const outcomes = await drive(clock, Promise.all(payments.map((p) => p.outcome)))
    expect(outcomes.map((o) => o.status)).toEqual(terminals.map(() => 'approved'))
    expect(cloud.ledger).toHaveLength(terminals.length)
  })

  it('stepped back an hour during a signature question: the policy still answers on time', async () => {
    const { clock, orchestrator, seen } = setup({
      steadyProvider: true,
      orchestrator: { signature: { answerWithinMs: 5_000, whenUnanswered: 'accept' } },
    })
    const payment = await orchestrator.sale(sale(1203)) // asks for a signature
    const events = collect(payment)
    let question: SignatureRequiredEvent | undefined
    while (!question) {
      await pass(clock, 50)
      question = events.list.find((e) => e.type === 'signatureRequired') as typeof question
    }
    clock.step(-3_600_000)
    await pass(clock, 5_200)
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(1)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
  })
})

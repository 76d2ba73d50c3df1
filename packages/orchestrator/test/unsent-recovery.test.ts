/**
 * A payment whose start never left (cancelled while queued) and whose outcome record the journal
 * refused for good: the journal shows it was never sent (no `sending` record), so a later recover()
 * settles it failed instead of replaying a submit the device would charge.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryJournal, type JournalStore } from '../src/index.js'
import { drive, flush, pass } from './harness.js'
import { payment, payrocSetup, requests, SUBMIT } from './payroc-harness.js'

describe('a payment never sent, whose outcome the journal refused', () => {
  it('is never sent by a later recover() (Payroc would replay the submit, and charge)', async () => {
    const memory = createMemoryJournal()
    let refuseOutcomeOf: string | undefined
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type === 'outcome' && record.paymentId === refuseOutcomeOf)
          throw new Error('ENOSPC: no space left on device')
        return memory.append(record)
      },
    }
    // Spacing keeps the second start queued behind the first.
    const s = payrocSetup({ orchestrator: { journal }, adapter: { spacingMs: 1_000 } })
    const first = await s.orchestrator.sale(payment(1200))
    const second = await s.orchestrator.sale(payment(1300))
    refuseOutcomeOf = second.id
    await flush()
    expect(second.state).toBe('queued')
    expect(await second.cancel()).toBe(true)
    const told = await second.outcome
    expect(told).toMatchObject({ status: 'cancelled', reasonCode: 'cancelled-before-start' })
    expect((await drive(s.clock, first.outcome)).status).toBe('approved')
    await s.orchestrator.close()
    expect(s.cloud.ledger).toHaveLength(1)

    // The till restarts (the disk is still full, or the process was simply restarted).
    const next = s.restart(journal)
    const resumed = await next.recover()
    await pass(s.clock, 120_000, 250)
    for (const p of resumed) await drive(s.clock, p.outcome).catch(() => {})
    // The POS was told this payment was cancelled before anything was sent: nothing may be sent now.
    expect(s.cloud.ledger.map((e) => e.amount)).toEqual([1200])
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
    await next.close()
  })
})

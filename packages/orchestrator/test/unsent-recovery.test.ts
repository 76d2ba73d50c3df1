/**
 * A payment cancelled while queued whose outcome record the journal refuses. Never sent (no
 * `sending` record): a later recover() settles it instead of replaying a submit the device would
 * charge. Sent once and refused with 429 (`sending` journaled): the POS is told `cancelled` only
 * once the journal has it, since recover() would replay the submit.
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

  /**
   * A sale whose submit is refused with 429 (so `sending` is journaled), cancelled while it waits,
   * on a journal that refuses outcome records while `full()` says so.
   */
  async function cancelledAfter429(full: () => boolean) {
    const memory = createMemoryJournal()
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (full() && record.type === 'outcome') throw new Error('ENOSPC: no space left on device')
        return memory.append(record)
      },
    }
    const s = payrocSetup({ orchestrator: { journal } })
    s.cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 5,
      match: { method: 'POST', path: SUBMIT },
      times: 1,
    })
    const sale = await s.orchestrator.sale(payment(4321))
    await pass(s.clock, 500)
    // Refused unprocessed, but `sending` is journaled: recover() would replay the submit.
    expect(requests(s.cloud, 'POST', SUBMIT).map((r) => r.status)).toEqual([429])
    expect(sale.state).toBe('queued')
    expect(await sale.cancel()).toBe(true)
    return { ...s, sale, journal, memory }
  }

  it('one whose start was refused with 429 and then cancelled is told cancelled only once journaled', async () => {
    let full = true
    const s = await cancelledAfter429(() => full)
    let told: string | undefined
    void s.sale.outcome.then((o) => (told = o.status))
    await pass(s.clock, 2_000)
    expect(told).toBeUndefined()
    // The disk has room again: the outcome lands, and only then is the POS told.
    full = false
    await pass(s.clock, 60_000, 1_000)
    expect(told).toBe('cancelled')
    await s.orchestrator.close()
    const next = s.restart(s.journal)
    expect(await next.recover()).toEqual([])
    await pass(s.clock, 10_000, 250)
    await next.close()
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
    expect(s.cloud.ledger).toEqual([])
  })

  it('...and, if the journal never takes it, is not told cancelled before recover() replays it', async () => {
    const s = await cancelledAfter429(() => true)
    const told = s.sale.outcome.then(
      (o) => o.status,
      (e: Error) => e.name,
    )
    await pass(s.clock, 2_000)
    await s.orchestrator.close()
    // The journal still says `sending`: the POS hears the payment was closed, not cancelled, since
    // recover() replays the submit (with the same key) to learn whether it was taken.
    expect(await told).toBe('TillkitAbortedError')
    const next = s.restart(s.memory)
    for (const p of await next.recover()) await drive(s.clock, p.outcome)
    await next.close()
    expect(s.cloud.ledger.map((e) => e.amount)).toEqual([4321])
  })
})

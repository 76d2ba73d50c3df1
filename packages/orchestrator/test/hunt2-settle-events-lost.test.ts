import { describe, expect, it } from 'vitest'
import { createMemoryJournal } from '../src/index.js'
import { collect, drive, pass, sale, setup } from './harness.js'

describe('hunt2: events handed but not taken when the payment settles, then the process dies', () => {
  it('come again after recover() (at least once across a crash)', async () => {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    const payment = await s.orchestrator.sale(sale(1250))
    // The POS takes the first event, then is busy (a UI update) while the rest arrives.
    const events = payment[Symbol.asyncIterator]()
    const first = events.next()
    await pass(s.clock, 50)
    const outcome = await drive(s.clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect((await first).value).toMatchObject({ seq: 1 })
    // The process dies now: the POS never took authorised, removeCard, finished...
    await s.orchestrator.close()
    const entry = await journal.get(payment.id)
    expect(entry?.cursor.delivered).toBe(1)
    const all = s.cloud.terminals.transaction('22160001', outcome.providerIds.requestId!).notifications
    expect(all.length).toBeGreaterThan(1)
    // After the restart nothing gives them back: recover() does not resume a settled payment.
    const resumed = await s.restart(journal).recover()
    const again = resumed.find((p) => p.id === payment.id)
    expect(again, 'the events not taken are never delivered again').toBeDefined()
    const rest = collect(again!)
    await pass(s.clock, 1_000)
    expect((await rest.done).map((e) => e.raw)).toEqual(all.slice(1))
  })
})

import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type JournalStore,
  type Orchestrator,
} from '../src/index.js'
import { flush, stubAdapter } from './harness.js'

/** A close() landing right after the intent write was acknowledged: no start is sent, as before the write. */
describe('close() right after the intent write was acknowledged', () => {
  it('no start is sent by a closed orchestrator', async () => {
    const clock = createManualClock()
    /** For each start sent: whether close() had been called by then. */
    const starts: boolean[] = []
    let closeCalled = false
    const adapter = stubAdapter({
      start: async (ctx) => {
        void ctx
        starts.push(closeCalled)
        return { ids: { ref: 'r1' } }
      },
      poll: async () => ({}),
    })
    const memory = createMemoryJournal()
    let orchestrator!: Orchestrator
    let closing: Promise<void> | undefined
    const journal: JournalStore = {
      ...memory,
      append(record) {
        const written = memory.append(record)
        // The POS shuts down as soon as the intent is on disk (e.g. reacting to the same event).
        if (record.type === 'intent')
          written.then(() =>
            Promise.resolve().then(() => ((closeCalled = true), (closing = orchestrator.close()))),
          )
        return written
      },
    }
    orchestrator = createOrchestrator({ accounts: { a: adapter }, clock, journal })
    const sale = orchestrator
      .sale({ account: 'a', terminal: 'T1', amount: 100, currency: 'GBP', reference: 'order-1' })
      .then(
        () => 'resolved',
        (e: unknown) => e,
      )
    await flush()
    await closing
    expect(closing).toBeDefined()
    // A start sent before close() is fine (close() then owns that payment); none may go after it.
    expect(starts.filter((afterClose) => afterClose)).toEqual([])
    // And a payment started after close() is one close() never saw: nobody closes it.
    if ((await sale) === 'resolved') expect(orchestrator.running).toBe(0)
  })
})

/**
 * The outcome while the journal refuses the payment's record just before it (queued in the same
 * turn): the outcome is tried at once, the POS gets it, and the event loop ends once it is in.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createOrchestrator } from '../src/index.js'
import {
  collect,
  drive,
  pass,
  refusingJournal,
  stubAdapter,
  stubSale as request,
} from './harness.js'

/** The terminal takes the signature: no question for the POS. */
const capabilities = {
  kinds: ['sale' as const],
  cancel: true,
  signature: 'terminal' as const,
  findsLostStarts: false,
}

describe('the outcome behind a record the journal refuses', () => {
  it('resolves the outcome while the disk is full when the start answer carries ids and the result', async () => {
    const clock = createManualClock()
    // The disk fills up right after the `sending` record.
    let full = false
    const { journal } = refusingJournal((record) => {
      if (full) return true
      full = record.type === 'ids' && record.sending === true
      return false
    })
    const orchestrator = createOrchestrator({
      clock,
      journal,
      accounts: {
        shop: stubAdapter({
          start: async () => ({ ids: { ref: 'r1' }, outcome: { status: 'approved' } }),
        }),
      },
    })
    const p = await orchestrator.sale(request)
    // Two minutes of clock time: the outcome record has long had its first try by then.
    const outcome = await drive(clock, p.outcome, 120_000)
    expect(outcome.status).toBe('approved')
    await orchestrator.close()
  })

  it('resolves the outcome while the disk is full when a poll brings events and the result', async () => {
    const clock = createManualClock()
    let full = false
    const { journal } = refusingJournal(() => full)
    let polls = 0
    const orchestrator = createOrchestrator({
      clock,
      journal,
      accounts: {
        shop: stubAdapter({
          capabilities,
          poll: async () => {
            full = true
            return ++polls === 1
              ? {
                  notifications: [{ type: 'processing', raw: 'a', key: 'a' }],
                  outcome: { status: 'approved' },
                }
              : {}
          },
        }),
      },
    })
    const p = await orchestrator.sale(request)
    const outcome = await drive(clock, p.outcome, 120_000)
    expect(outcome.status).toBe('approved')
    await orchestrator.close()
  })

  it('ends the event loop once the outcome is journaled, though an earlier cursor is still refused', async () => {
    const clock = createManualClock()
    // The store refuses cursor records (say, over its item size); everything else lands.
    const { memory, journal } = refusingJournal(
      (record) => record.type === 'cursor',
      'item size has exceeded the maximum allowed size',
    )
    let polls = 0
    const orchestrator = createOrchestrator({
      clock,
      journal,
      accounts: {
        shop: stubAdapter({
          capabilities,
          poll: async () =>
            ++polls === 1
              ? { notifications: [{ type: 'processing', raw: 'a', key: 'a' }] }
              : { outcome: { status: 'approved' } },
        }),
      },
    })
    const p = await orchestrator.sale(request)
    const events = collect(p)
    // The outcome goes at once (an earlier record was refused) and is journaled.
    expect((await drive(clock, p.outcome, 120_000)).status).toBe('approved')
    expect((await memory.get(p.id))?.outcome?.status).toBe('approved')
    // README: "the loop ends when the payment settles" (its example awaits the outcome after it).
    let ended = false
    void events.done.then(() => (ended = true))
    await pass(clock, 120_000, 1_000)
    expect(ended).toBe(true)
    await orchestrator.close()
  })
})

import { createManualClock, TillkitHttpError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createOrchestrator } from '../src/index.js'
import { flush, pass, stubAdapter } from './harness.js'

/** A 429 without Retry-After pauses the account by the lane's default before the start goes again. */
describe('a start refused with 429 and no Retry-After', () => {
  it('pauses the account before the start goes again', async () => {
    const clock = createManualClock()
    const starts: number[] = []
    const adapter = stubAdapter({
      start: async () => {
        starts.push(clock.now())
        // Refused unprocessed, no Retry-After; a safety valve so a hot loop cannot hang the test.
        if (starts.length < 20)
          throw new TillkitHttpError({
            status: 429,
            body: undefined,
            method: 'POST',
            url: 'https://p/x',
          })
        return { ids: { ref: 'r1' } }
      },
      poll: async () => ({ outcome: { status: 'approved' } }),
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    await orchestrator.sale({
      account: 'a',
      terminal: 'T1',
      amount: 100,
      currency: 'GBP',
      reference: 'o-1',
    })
    await flush()
    await pass(clock, 3_000)
    const t0 = starts[0]!
    // Without a Retry-After the lane pauses 1 s on an unspaced account (Lane.rateLimited): at most
    // one start in the first second, not a burst.
    expect(starts.filter((t) => t - t0 < 1_000)).toHaveLength(1)
    await orchestrator.close()
  })
})

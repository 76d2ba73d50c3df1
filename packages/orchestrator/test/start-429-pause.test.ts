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

describe('a start refused with 429 while the account stays paused', () => {
  it('is not sent once the pause, lengthened by another payment, runs past the minute', async () => {
    const clock = createManualClock()
    const t0 = clock.now()
    const sent: string[] = []
    const at = () => (clock.now() - t0) / 1_000
    const refuse = (seconds: number) =>
      new TillkitHttpError({
        status: 429,
        body: undefined,
        method: 'POST',
        url: 'https://p/x',
        retryAfterMs: seconds * 1_000,
      })
    let polls = 0
    const adapter = stubAdapter({
      // Spaced, so the account's requests go one at a time, each after the previous answer.
      pacing: {
        mode: 'interval',
        cadenceMs: 1_000,
        cadenceRangeMs: [500, 5_000],
        spacingMs: 100,
        retentionMs: 600_000,
      },
      start: async (ctx) => {
        const ref = ctx.request.reference
        sent.push(`start ${ref} ${at()}`)
        if (ref === 'A') return { ids: { ref } }
        // B's answer is slow, then a 429: wait 40 s (A's poll, due meanwhile, is queued first).
        await clock.sleep(2_500)
        throw refuse(40)
      },
      poll: async (ctx) => {
        sent.push(`poll ${ctx.request.reference} ${at()}`)
        // A's poll, due while B's start is out, and again after the pause: 429, 30 s more.
        if (++polls <= 2) throw refuse(30)
        return { outcome: { status: 'approved' } }
      },
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const sale = (reference: string) =>
      orchestrator.sale({ account: 'a', terminal: 'T1', amount: 100, currency: 'GBP', reference })
    await sale('A')
    await pass(clock, 500)
    const b = await sale('B')
    await pass(clock, 120_000, 500)
    // B, refused at 3 s, was due again at 43 s; A's poll went first and paused the account until
    // 73 s, past a minute from B's intent: B is not sent again.
    expect(await b.outcome).toMatchObject({ status: 'failed', reasonCode: 'rate-limited' })
    expect(sent.filter((s) => s.startsWith('start B'))).toHaveLength(1)
    await orchestrator.close()
  })
})

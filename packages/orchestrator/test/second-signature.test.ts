import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createOrchestrator, type Observation, type SignatureRequiredEvent } from '../src/index.js'
import { collect, pass, stubAdapter } from './harness.js'

/**
 * A payment that asks the POS two signature questions, a while apart (the Paymentsense WebSocket
 * adapter keys them `signatureVerificationRequest#1`, `#2`, ...). The second question's deadline
 * must run from when *it* was asked, not from the first one.
 */
describe('a second signature question in one payment', () => {
  it('gets its own window and deadline; the policy does not answer it at once', async () => {
    const clock = createManualClock()
    const answers: Array<{ at: number; accepted: boolean }> = []
    let polls = 0
    const script = (n: number): Observation => {
      if (n === 1)
        return { notifications: [{ type: 'signatureRequired', raw: 'SIG', key: 'sig#1' }] }
      if (n === 100)
        return { notifications: [{ type: 'signatureRequired', raw: 'SIG', key: 'sig#2' }] }
      return {}
    }
    const adapter = stubAdapter({
      capabilities: { kinds: ['sale'], cancel: false, signature: 'pos', findsLostStarts: false },
      pacing: {
        mode: 'interval',
        cadenceMs: 1000,
        cadenceRangeMs: [1000, 1000],
        spacingMs: 0,
        retentionMs: 600_000,
        signatureWindowMs: 60_000,
      },
      validate: () => {},
      start: async () => ({ ids: { ref: 'r1' } }),
      poll: async () => script(++polls),
      answerSignature: async (_ctx, accepted) => {
        answers.push({ at: clock.now(), accepted })
      },
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale({
      account: 'a',
      terminal: 'T1',
      amount: 100,
      currency: 'GBP',
      reference: 'order-1',
    })
    const events = collect(payment)
    await pass(clock, 2_000)
    const first = events.list.find((e) => e.type === 'signatureRequired') as SignatureRequiredEvent
    expect(first).toBeDefined()
    await pass(clock, 100)
    expect(await first.accept()).toBe(true)
    expect(answers).toHaveLength(1)

    // ~100 s later the terminal asks again.
    await pass(clock, 99_000)
    const questions = events.list.filter(
      (e) => e.type === 'signatureRequired',
    ) as SignatureRequiredEvent[]
    expect(questions).toHaveLength(2)
    const second = questions[1]!
    // Its deadline is in the future, and nobody (no policy) has answered it yet.
    expect(second.deadline).toBeGreaterThan(second.at)
    await pass(clock, 200)
    expect(answers).toHaveLength(1)
    expect(await second.accept()).toBe(true)
    await orchestrator.close()
  })
})

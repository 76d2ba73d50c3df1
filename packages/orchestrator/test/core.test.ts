import { createManualClock, TillkitHttpError, TillkitNetworkError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  TillkitAbortedError,
  TillkitValidationError,
  type JournalStore,
  type PaymentContext,
  type ProviderAdapter,
  type StartResult,
} from '../src/index.js'
import { collect, drive, flush, pass, stubAdapter } from './harness.js'

const request = { account: 'a', terminal: 't1', amount: 100, currency: 'GBP', reference: 'r' }

function make(adapter: ProviderAdapter, journal: JournalStore = createMemoryJournal()) {
  const clock = createManualClock()
  const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock, journal })
  return { clock, orchestrator, journal }
}

const approved = {
  outcome: { status: 'approved' as const, amounts: { approved: 100, total: 100 } },
}

describe('the core with a scripted provider', () => {
  it('a provider that finds lost starts: prepared ids journaled first, then polled from them', async () => {
    const seenIds: Array<Record<string, string>> = []
    const adapter = stubAdapter({
      capabilities: { kinds: ['sale'], cancel: true, signature: 'pos', findsLostStarts: true },
      prepare: () => ({ key: 'k-1' }),
      start: async () => {
        throw new TillkitNetworkError('reset after sending', true)
      },
      poll: async (ctx) => {
        seenIds.push({ ...ctx.ids })
        return ctx.ids.instruction ? approved : { ids: { instruction: 'i-9' } }
      },
    })
    const { clock, orchestrator, journal } = make(adapter)
    const payment = await orchestrator.sale(request)
    expect((await journal.get(payment.id))!.ids).toEqual({ key: 'k-1' })
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect(outcome.providerIds).toEqual({ key: 'k-1', instruction: 'i-9' })
    expect(seenIds[0]).toEqual({ key: 'k-1' })
    expect(seenIds[1]).toEqual({ key: 'k-1', instruction: 'i-9' })
  })

  it('a definite refusal thrown by start fails the payment; an unexpected throw is a lost start', async () => {
    const refused = stubAdapter({
      start: async () => {
        throw new TillkitHttpError({ status: 400, body: {}, method: 'POST', url: 'https://x/' })
      },
    })
    const one = make(refused)
    const first = await one.orchestrator.sale(request)
    expect(await drive(one.clock, first.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'refused',
    })
    const broken = stubAdapter({
      start: () => {
        throw new Error('bug in the adapter')
      },
    })
    const two = make(broken)
    const second = await two.orchestrator.sale(request)
    const outcome = await drive(two.clock, second.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(outcome.reconcile!.check).toEqual(['check the stub (lost-start)'])
    expect(broken.calls).toEqual(['start'])
  })

  it('interval mode keeps a fixed rate from each send, even when answers are slow', async () => {
    const clock = createManualClock()
    const sends: number[] = []
    let polls = 0
    const adapter = stubAdapter({
      poll: async () => {
        sends.push(clock.now())
        await clock.sleep(300)
        return ++polls === 4 ? approved : {}
      },
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale(request)
    await drive(clock, payment.outcome)
    expect(sends.slice(1).map((at, i) => at - sends[i]!)).toEqual([1_000, 1_000, 1_000])
  })

  it('back-to-back mode sends the next poll as the previous answers, no sooner than the cadence', async () => {
    const clock = createManualClock()
    const sends: number[] = []
    const holds = [5_000, 10, 2_000]
    const adapter = stubAdapter({
      pacing: {
        mode: 'back-to-back',
        cadenceMs: 1_000,
        cadenceRangeMs: [0, 5_000],
        spacingMs: 0,
        retentionMs: 600_000,
      },
      poll: async () => {
        sends.push(clock.now())
        const hold = holds.shift()
        if (hold === undefined) return approved
        await clock.sleep(hold)
        return {}
      },
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale(request)
    await drive(clock, payment.outcome)
    expect(sends.slice(1).map((at, i) => at - sends[i]!)).toEqual([5_000, 1_000, 2_000])
  })

  it('pushed notifications are de-duplicated by key, with a synchronous start giving the outcome', async () => {
    const clock = createManualClock()
    const adapter = stubAdapter({
      pacing: {
        mode: 'none',
        cadenceMs: 1_000,
        cadenceRangeMs: [1_000, 1_000],
        spacingMs: 0,
        retentionMs: 60_000,
      },
      start: async (ctx: PaymentContext): Promise<StartResult> => {
        const n = (raw: string, key: string) => ({ type: 'other' as const, raw, key })
        ctx.push({ notifications: [n('A', 'a'), n('A', 'a')] })
        await clock.sleep(1_000)
        ctx.push({ notifications: [n('C', 'c'), n('B', 'b'), n('A', 'a')] })
        await clock.sleep(1_000)
        ctx.push({ notifications: [n('B', 'b')] })
        return { ids: { ref: 'r' }, ...approved }
      },
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale(request)
    const events = collect(payment)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect((await events.done).map((e) => [e.raw, e.seq])).toEqual([
      ['A', 1],
      ['C', 2],
      ['B', 3],
    ])
    expect(adapter.calls).toEqual(['start'])
  })

  it("an observation's retryAfterMs holds the next poll back", async () => {
    const clock = createManualClock()
    const sends: number[] = []
    const adapter = stubAdapter({
      poll: async () => {
        sends.push(clock.now())
        return sends.length === 1 ? { retryAfterMs: 7_000 } : approved
      },
    })
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale(request)
    await drive(clock, payment.outcome)
    expect(sends[1]! - sends[0]!).toBe(7_000)
  })

  it('a provider unreadable until its retention ends settles unknown (expired)', async () => {
    const adapter = stubAdapter({
      poll: async () => {
        throw new TillkitNetworkError('down', true)
      },
    })
    const { clock, orchestrator } = make(adapter)
    const payment = await orchestrator.sale(request)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    expect(outcome.at - outcome.reconcile!.startedAt).toBeGreaterThanOrEqual(60_000)
    // Backed off: far fewer than one poll a second over the minute.
    expect(adapter.calls.filter((c) => c === 'poll').length).toBeLessThan(15)
  })

  it('secret ids stay in the journal only', async () => {
    const adapter = stubAdapter({
      secretIds: ['pollingUrl'],
      start: async () => ({ ids: { ref: 'r1', pollingUrl: 'https://x/?token=s3cret' } }),
      poll: async () => ({ outcome: { status: 'unknown', reason: 'no idea' } }),
    })
    const { clock, orchestrator, journal } = make(adapter)
    const payment = await orchestrator.sale(request)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.providerIds).toEqual({ ref: 'r1' })
    expect(payment.ids).toEqual({ ref: 'r1' })
    expect(JSON.stringify(outcome)).not.toContain('s3cret')
    expect(outcome.reconcile).toMatchObject({
      why: 'no idea',
      check: ['check the stub (unreadable)'],
    })
    expect((await journal.get(payment.id))!.ids.pollingUrl).toContain('s3cret')
  })

  it('events are iterated once; a caller who stops listening gets nothing more', async () => {
    let pushes: PaymentContext | undefined
    const adapter = stubAdapter({
      start: async (ctx) => {
        pushes = ctx
        return { ids: { ref: 'r' } }
      },
      poll: async () => ({}),
    })
    const { orchestrator } = make(adapter)
    const payment = await orchestrator.sale(request)
    await flush()
    const iterator = payment[Symbol.asyncIterator]()
    expect(() => payment[Symbol.asyncIterator]()).toThrow(TypeError)
    pushes!.push({ notifications: [{ type: 'started', raw: 'S', order: 0 }] })
    expect((await iterator.next()).value?.raw).toBe('S')
    await iterator.return!()
    pushes!.push({ notifications: [{ type: 'other', raw: 'X', order: 1 }] })
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
    await orchestrator.close()
  })

  it('close() stops everything: no timer left, outcome rejected, adapters closed, nothing journaled', async () => {
    let closed = 0
    const adapter = stubAdapter({ close: async () => void closed++ })
    const journal = createMemoryJournal()
    const { clock, orchestrator } = make(adapter, journal)
    const payment = await orchestrator.sale(request)
    await pass(clock, 2_500)
    await orchestrator.close()
    expect(await payment.outcome.catch((e: unknown) => e)).toBeInstanceOf(TillkitAbortedError)
    expect(clock.pending).toBe(0)
    expect(closed).toBe(1)
    const polls = adapter.calls.length
    await pass(clock, 5_000)
    expect(adapter.calls.length).toBe(polls)
    expect((await journal.unfinished()).map((e) => e.paymentId)).toEqual([payment.id])
    await expect(orchestrator.sale(request)).rejects.toThrow(TillkitValidationError)
  })

  it('a cancel met by 429 waits for the account pause, then goes again', async () => {
    let cancels = 0
    const adapter = stubAdapter({
      cancel: async () => {
        if (++cancels === 1)
          throw new TillkitHttpError({
            status: 429,
            body: {},
            method: 'DELETE',
            url: 'https://x/',
            retryAfterMs: 3_000,
          })
        return 'requested'
      },
    })
    const { clock, orchestrator } = make(adapter)
    const payment = await orchestrator.sale(request)
    await flush()
    const at = clock.now()
    expect(await drive(clock, payment.cancel())).toBe(true)
    expect(clock.now() - at).toBeGreaterThanOrEqual(3_000)
    expect(cancels).toBe(2)
  })

  it('rejects adapters with pacing outside their own ranges', () => {
    const adapter = stubAdapter({
      pacing: {
        mode: 'interval',
        cadenceMs: 100,
        cadenceRangeMs: [500, 2_000],
        spacingMs: 0,
        retentionMs: 1,
      },
    })
    expect(() => createOrchestrator({ accounts: { a: adapter } })).toThrow(
      /options\.accounts\.a\.pacing\.cadenceMs: must be an integer from 500 to 2000/,
    )
    expect(() => createOrchestrator({ accounts: {} })).toThrow(TillkitValidationError)
  })

  it('many payments on one account share one clock timer', async () => {
    const adapter = stubAdapter({ poll: async () => ({}) })
    const { clock, orchestrator } = make(adapter)
    for (let i = 0; i < 50; i++) await orchestrator.sale({ ...request, terminal: `t${i}` })
    await pass(clock, 3_300)
    expect(orchestrator.running).toBe(50)
    expect(clock.pending).toBe(1)
    await orchestrator.close()
  })
})

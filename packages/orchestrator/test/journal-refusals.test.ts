/**
 * A journal that refuses records for a while: the payment's records still land in order (a refused
 * one is written again before any later one), and events reach the POS only once a cursor naming
 * their seqs is in, so a seq is never given to two events across a crash.
 */
import { createManualClock, TillkitAbortedError, TillkitNetworkError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type JournalStore,
  type PaymentEvent,
  type ProviderNotification,
} from '../src/index.js'
import { never } from './crash-harness.js'
import {
  collect,
  drive,
  pass,
  refusingJournal,
  stubAdapter,
  stubSale as request,
} from './harness.js'

const note = (key: string): ProviderNotification => ({ type: 'processing', raw: key, key })
const pacing = {
  mode: 'interval' as const,
  cadenceMs: 500,
  cadenceRangeMs: [500, 5_000] as [number, number],
  spacingMs: 0,
  retentionMs: 600_000,
}
const capabilities = {
  kinds: ['sale' as const],
  cancel: true,
  signature: 'terminal' as const,
  findsLostStarts: false,
}

/** Process B: the provider shows `a` again and a new `c`; `b` was pushed once and is not shown again. */
async function recoverAndCollect(
  clock: ReturnType<typeof createManualClock>,
  memory: JournalStore,
): Promise<PaymentEvent[]> {
  let polls = 0
  const b = createOrchestrator({
    clock,
    journal: memory,
    accounts: {
      shop: stubAdapter({
        capabilities,
        pacing,
        poll: async () =>
          ++polls < 2
            ? { notifications: [note('a'), note('c')] }
            : { notifications: [note('a'), note('c')], outcome: { status: 'approved' } },
      }),
    },
  })
  const [resumed] = await b.recover()
  const events = collect(resumed!)
  await drive(clock, resumed!.outcome)
  const list = await events.done
  await b.close()
  return list
}

/** Process A: the provider pushes `a`, then `b` (never shown again); nothing once `dead()`. */
function processA(
  clock: ReturnType<typeof createManualClock>,
  journal: JournalStore,
  dead: () => boolean,
) {
  let polls = 0
  return createOrchestrator({
    clock,
    journal,
    accounts: {
      shop: stubAdapter({
        capabilities,
        pacing,
        poll: async () => {
          if (dead()) return never()
          return ++polls === 1
            ? { notifications: [note('a')] }
            : { notifications: [note('a'), note('b')] }
        },
      }),
    },
  })
}

/** A's first events, taken by the POS after the journal stopped answering (the crash). */
async function posTakesTwo(p: AsyncIterable<PaymentEvent>): Promise<PaymentEvent[]> {
  const it = p[Symbol.asyncIterator]()
  const taken: PaymentEvent[] = []
  for (let i = 0; i < 2; i++) taken.push((await it.next()).value as PaymentEvent)
  return taken
}

describe('a journal that refuses cursors: seqs are never given to two events', () => {
  it('a refused cursor is written again before the newer one, never after it', async () => {
    const clock = createManualClock()
    const memory = createMemoryJournal()
    let cursors = 0
    let dead = false
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (dead) return never()
        // One transient failure: the first cursor record.
        if (record.type === 'cursor' && ++cursors === 1) throw new Error('EIO: transient')
        return memory.append(record)
      },
    }
    const p = await processA(clock, journal, () => dead).sale(request)
    // a (seq 1): its cursor is refused, then written again by the back-off (1 s later); b's
    // (seq 2) waits behind it, so the journal never goes back from b's to a's.
    await pass(clock, 3_000)
    const [now] = await memory.unfinished()
    expect(now!.cursor).toMatchObject({ delivered: 0, issued: 2 })
    // The process dies: the journal answers nothing more. The POS takes what was in the stream.
    dead = true
    const seenByPos = await posTakesTwo(p)
    expect(seenByPos.map((e) => [e.seq, e.raw])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ])

    const after = await recoverAndCollect(clock, memory)
    // seq 2 was b; c must not get it.
    const c = after.find((e) => e.raw === 'c')!
    expect(c.seq).not.toBe(2)
  })

  it('events wait for the cursor naming their seqs while the journal refuses it', async () => {
    const clock = createManualClock()
    const memory = createMemoryJournal()
    let refusing = false
    let dead = false
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (dead) return never()
        if (refusing && record.type === 'cursor') throw new Error('ENOSPC: no space left on device')
        return memory.append(record)
      },
    }
    const p = await processA(clock, journal, () => dead).sale(request)
    // The disk fills up before the first event: every cursor record is refused (and retried).
    refusing = true
    const pos = collect(p)
    await pass(clock, 1_200)
    // Nothing reaches the POS while no cursor names the events' seqs.
    expect(pos.list).toEqual([])
    // The disk is freed: the cursor lands, then the events come.
    refusing = false
    await pass(clock, 3_000)
    expect(pos.list.map((e) => [e.seq, e.raw])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ])
    dead = true
    const after = await recoverAndCollect(clock, memory)
    const c = after.find((e) => e.raw === 'c')!
    expect(c.seq).toBeGreaterThan(2)
  })
})

describe('a record the journal refuses for good', () => {
  it('one record the store always refuses does not keep other payments’ records out for good', async () => {
    const clock = createManualClock()
    const memory = createMemoryJournal()
    const ids: { poison?: string; transient?: string } = {}
    let transientFailed = false
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type === 'outcome' && record.paymentId === ids.poison)
          throw new Error('item size has exceeded the maximum allowed size')
        if (record.type === 'outcome' && record.paymentId === ids.transient && !transientFailed) {
          transientFailed = true
          throw new Error('throttled: try again')
        }
        return memory.append(record)
      },
    }
    const orchestrator = createOrchestrator({
      clock,
      journal,
      accounts: {
        shop: stubAdapter({
          start: async (ctx) => ({
            ids: { ref: `r-${ctx.request.amount}` },
            outcome: { status: 'approved' },
          }),
        }),
      },
    })
    const request = (amount: number) => ({
      account: 'shop',
      terminal: 'T1',
      amount,
      currency: 'GBP',
      reference: `order-${amount}`,
    })
    const poison = await orchestrator.sale(request(2100))
    ids.poison = poison.id
    await drive(clock, poison.outcome)
    const other = await orchestrator.sale(request(2200))
    ids.transient = other.id
    await drive(clock, other.outcome)
    expect(transientFailed).toBe(true)
    // The store takes records again; the back-off has had ten minutes.
    await pass(clock, 600_000, 1_000)
    await orchestrator.close()
    // The transiently refused outcome is in the journal: recover() will not resume that payment.
    expect((await memory.get(other.id))?.outcome?.status).toBe('approved')
  })
})

/**
 * A till whose journal refuses outcomes while `refusing()`, over a provider whose recovery looks lost
 * starts up and whose start never leaves (the connection is refused).
 */
function neverLeaving(refusing: () => boolean) {
  const clock = createManualClock()
  const { memory, journal } = refusingJournal((record) => refusing() && record.type === 'outcome')
  const till = createOrchestrator({
    clock,
    journal,
    accounts: {
      shop: stubAdapter({
        capabilities: { ...capabilities, findsLostStarts: true },
        pacing,
        start: async () => {
          throw new TillkitNetworkError('connect ECONNREFUSED', false)
        },
      }),
    },
  })
  return { clock, memory, till }
}

describe('a start that never left, on a provider whose recovery looks lost starts up', () => {
  it('is told failed only once the journal has it (a crash before would have it replayed)', async () => {
    let refusing = true
    const { clock, memory, till } = neverLeaving(() => refusing)
    const p = await till.sale(request)
    let told = false
    void p.outcome.then(() => (told = true))
    await pass(clock, 120_000)
    // Failed (never sent), but the journal does not say so yet: the POS is not told.
    expect(told).toBe(false)
    refusing = false
    expect(await drive(clock, p.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-sent',
    })
    expect((await memory.get(p.id))?.outcome?.reasonCode).toBe('not-sent')
    await till.close()
  })

  it('closed before the journal has it: the outcome is left to recover(), as for a payment not settled', async () => {
    const { clock, memory, till } = neverLeaving(() => true)
    const p = await till.sale(request)
    await pass(clock, 120_000)
    await till.close()
    await expect(p.outcome).rejects.toBeInstanceOf(TillkitAbortedError)
    expect(await memory.unfinished()).toHaveLength(1)
  })
})

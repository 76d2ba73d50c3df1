/**
 * Days of operation in seconds: what grows with the number of payments, tables, events or time
 * stays bounded (journals, timers, lanes, de-duplication), and a journal that refuses records for a
 * while catches up. Everything runs on a manual clock; the file journal's fsyncs are the only real
 * waits.
 */
import { stat } from 'node:fs/promises'
import { createManualClock, type ManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type JournalStore,
  type Orchestrator,
  type Payment,
  type ProviderAdapter,
  type ProviderNotification,
} from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { collect, flush, recordingLogger, stubAdapter, tempJournals } from './harness.js'

const tempFile = tempJournals('tillkit-long-run-')

/**
 * Moves the clock on in 100 ms steps until `promise` settles, letting real I/O (file journal
 * fsyncs) complete between steps. No clock-time limit: a file write takes real time, not clock time.
 */
async function until<T>(clock: ManualClock, promise: Promise<T>, steps = 100_000): Promise<T> {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  for (let i = 0; !done && i < steps; i++) {
    await flush(2)
    if (!done) await clock.advance(100)
  }
  if (!done) throw new Error('still pending')
  return promise
}

/** Lets `ms` of clock time pass in 1 s steps. */
async function pass(clock: ManualClock, ms: number): Promise<void> {
  for (let spent = 0; spent < ms; spent += 1_000) {
    await clock.advance(1_000)
    await flush()
  }
}

const EVENTS: ProviderNotification[] = [
  { type: 'started', raw: 'STARTED', order: 0 },
  { type: 'presentCard', raw: 'PRESENT_CARD', order: 1 },
  { type: 'signatureRequired', raw: 'SIGNATURE', order: 2 },
  { type: 'finished', raw: 'FINISHED', order: 3 },
]

/** Payments that end at their first poll: a few events (a signature question among them), then approved. */
function shortPayments(): ProviderAdapter {
  return stubAdapter({
    start: async (ctx) => ({ ids: { ref: `r-${ctx.paymentId}` } }),
    poll: async () => ({
      notifications: EVENTS,
      outcome: { status: 'approved', amounts: { approved: 100 }, raw: { body: 'x'.repeat(200) } },
    }),
  })
}

/** Private state reached through a Payment (a `Run`), by cast: the timer heap, the lane, the de-dup. */
const internals = (payment: Payment) => {
  const run = payment as unknown as {
    host: { timers: { size: number } }
    account: { lane: { queued: number } }
    dedup: { keys: Set<string>; handed: Map<number, unknown> }
  }
  return {
    timers: run.host.timers,
    lane: run.account.lane,
    dedup: run.dedup,
  }
}

const saleOf = (n: number) => ({
  account: 'stub',
  terminal: 'T1',
  amount: 100,
  currency: 'GBP',
  reference: `order-${n}`,
})

/** Runs `count` short payments, `batch` at a time; every other one has its events read by the POS. */
async function runPayments(
  clock: ManualClock,
  till: Orchestrator,
  count: number,
  batch = 250,
): Promise<Payment[]> {
  const all: Payment[] = []
  for (let done = 0; done < count; done += batch) {
    const payments = await until(
      clock,
      Promise.all(
        Array.from({ length: Math.min(batch, count - done) }, (_, i) =>
          till.sale(saleOf(done + i)),
        ),
      ),
    )
    payments.forEach((p, i) => {
      if (i % 2) collect(p)
    })
    await until(clock, Promise.all(payments.map((p) => p.outcome)))
    all.push(...payments)
  }
  return all
}

/** Pay at table on a stub: each table is paid in full by one card payment, seen at the first read. */
function tableAdapter(): ProviderAdapter {
  return stubAdapter({
    tables: {
      pacing: { cadenceMs: 1_000, cadenceRangeMs: [1_000, 30_000] },
      validate: () => {},
      open: async () => 'created',
      read: async (ctx) => ({
        amount: ctx.request.amount,
        amountPaid: ctx.request.amount,
        amountGratuity: 0,
        amountCashback: 0,
        locked: false,
        payments: [
          {
            paymentId: `card-${ctx.tableId}`,
            amount: ctx.request.amount,
            gratuity: 0,
            cashback: 0,
            currency: 'GBP',
            raw: { receipt: 'y'.repeat(200) },
          },
        ],
      }),
      setAmount: async () => 'done',
      close: async () => 'done',
    },
  })
}

/**
 * `count` bills, one after another: opened, paid at the table (one read), closed by the POS. The POS
 * follows the table through `current` and `close()`, as a till that only needs the totals would, and
 * never iterates the table's events.
 */
async function serveTables(clock: ManualClock, till: Orchestrator, count: number, from = 0) {
  for (let i = from; i < from + count; i++) {
    const table = await until(
      clock,
      till.openTable({
        account: 'stub',
        table: `t${i}`,
        amount: 5_000,
        currency: 'GBP',
        reference: `bill-${i}`,
      }),
    )
    await clock.advance(1_000)
    await flush()
    expect(table.current?.amountPaid).toBe(5_000)
    await until(clock, table.close())
  }
}

/** A memory journal whose disk is full for a while: appends of `outcome` records fail meanwhile. */
function outageJournal(): { journal: JournalStore; full: { on: boolean }; refused: string[] } {
  const memory = createMemoryJournal()
  const full = { on: false }
  const refused: string[] = []
  return {
    full,
    refused,
    journal: {
      ...memory,
      append: (record) => {
        if (!full.on || record.type !== 'outcome') return memory.append(record)
        refused.push(record.paymentId)
        return Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
        )
      },
    },
  }
}

describe('pay at table: ended tables still owed events are kept, but not for ever', () => {
  it('the memory journal keeps the last keepEndedTables of them', async () => {
    const clock = createManualClock()
    const journal = createMemoryJournal({ keepEndedTables: 50 })
    const till = createOrchestrator({ accounts: { stub: tableAdapter() }, journal, clock })
    await serveTables(clock, till, 300)
    await flush(20)
    expect(till.tables()).toHaveLength(0)
    const kept = await journal.openTables!()
    await till.close()
    // Each kept one still carries what the POS never took (the payment, paid, closed)...
    expect(kept.every((t) => t.ended === 'closed' && t.undelivered?.length === 3)).toBe(true)
    // ...and they are the latest 50 of the 300 tables served.
    expect(kept.map((t) => t.request.table)).toEqual(
      Array.from({ length: 50 }, (_, i) => `t${250 + i}`),
    )
  })

  it('the memory journal keeps 100 by default', async () => {
    const clock = createManualClock()
    const journal = createMemoryJournal()
    const till = createOrchestrator({ accounts: { stub: tableAdapter() }, journal, clock })
    await serveTables(clock, till, 150)
    await flush(20)
    expect(await journal.openTables!()).toHaveLength(100)
    await till.close()
  })

  it('the file journal drops the oldest, so compaction keeps the file small', async () => {
    const clock = createManualClock()
    const path = await tempFile()
    const options = { compactAfter: 200, keepEndedTables: 50 }
    const journal = await createFileJournal(path, options)
    const till = createOrchestrator({ accounts: { stub: tableAdapter() }, journal, clock })
    const bytes: number[] = []
    for (let round = 0; round < 4; round++) {
      await serveTables(clock, till, 100, round * 100)
      bytes.push((await stat(path)).size)
    }
    await till.close()
    await journal.close?.()
    const reopened = await createFileJournal(path, options)
    const tables = await reopened.openTables!()
    await reopened.close?.()
    expect(tables).toHaveLength(50)
    expect(tables.at(-1)?.request.table).toBe('t399')
    // Before the bound, each round added ~114 kB (3 records of every table ever served).
    expect(Math.max(...bytes)).toBeLessThan(2 * bytes[0]!)
  })

  it('after a restart, the orchestrator holds at most that many ended tables for the POS', async () => {
    const clock = createManualClock()
    const journal = createMemoryJournal({ keepEndedTables: 20 })
    const first = createOrchestrator({ accounts: { stub: tableAdapter() }, journal, clock })
    await serveTables(clock, first, 200)
    await flush(20)
    await first.close()
    const second = createOrchestrator({ accounts: { stub: tableAdapter() }, journal, clock })
    await second.recover()
    await pass(clock, 5_000)
    expect(second.tables()).toHaveLength(20)
    expect(second.tables().every((t) => t.state === 'closed')).toBe(true)
    await second.close()
  })
})

describe('a journal that refuses records for a while', () => {
  it('catches up: outcomes refused during a disk-full spell are written again, and nothing is resumed later', async () => {
    const clock = createManualClock()
    const { journal, full } = outageJournal()
    const till = createOrchestrator({ accounts: { stub: shortPayments() }, journal, clock })
    full.on = true
    const during = await runPayments(clock, till, 100)
    // The POS is given every outcome all the same.
    for (const p of during) expect((await p.outcome).status).toBe('approved')
    expect(await journal.unfinished()).toHaveLength(100)
    full.on = false
    await runPayments(clock, till, 400)
    await pass(clock, 120_000)
    expect(till.running).toBe(0)
    expect(await journal.unfinished()).toHaveLength(0)
    await till.close()
    const restarted = createOrchestrator({ accounts: { stub: shortPayments() }, journal, clock })
    expect(await restarted.recover()).toHaveLength(0)
    await restarted.close()
  })

  it('tries again with back-off (1 s, 2 s, 4 s...), not at every turn', async () => {
    const clock = createManualClock()
    const { journal, full, refused } = outageJournal()
    const till = createOrchestrator({ accounts: { stub: shortPayments() }, journal, clock })
    full.on = true
    const [payment] = await runPayments(clock, till, 1)
    await until(clock, payment!.outcome)
    const first = refused.length
    await pass(clock, 32_000)
    // After 1, then 2, 4, 8 and 16 s more: five tries in 31 s.
    expect(refused.length - first).toBe(5)
    full.on = false
    await pass(clock, 40_000)
    expect(await journal.unfinished()).toHaveLength(0)
    await till.close()
  })

  it('close() tries once more; what is still refused stays for recover(), with an error logged', async () => {
    for (const healed of [true, false]) {
      const clock = createManualClock()
      const { journal, full } = outageJournal()
      const { logger, logs } = recordingLogger()
      const till = createOrchestrator({
        accounts: { stub: shortPayments() },
        journal,
        clock,
        logger,
      })
      full.on = true
      await runPayments(clock, till, 3)
      full.on = !healed
      await till.close()
      expect(await journal.unfinished()).toHaveLength(healed ? 0 : 3)
      expect(logs.some((l) => l.msg?.includes('could not be written'))).toBe(!healed)
    }
  })
})

describe('the abort reason every payment ends with', () => {
  it('is made as the module loads: its stack holds no payment (a stack made in one would keep it alive)', async () => {
    const clock = createManualClock()
    let seen: AbortSignal | undefined
    const adapter = shortPayments()
    const poll = adapter.poll
    adapter.poll = (ctx) => ((seen = ctx.signal), poll(ctx))
    const till = createOrchestrator({ accounts: { stub: adapter }, clock })
    await runPayments(clock, till, 1)
    await till.close()
    const reason = seen?.reason as DOMException
    expect(reason).toBeInstanceOf(DOMException)
    expect(reason.stack).not.toMatch(/settle|Run\.|close/)
  })
})

describe('bounded', () => {
  it('the core forgets settled payments: running, timer heap, lane queue, memory journal', async () => {
    const clock = createManualClock()
    const journal = createMemoryJournal({ keepFinished: 100 })
    const till = createOrchestrator({ accounts: { stub: shortPayments() }, journal, clock })
    const payments = await runPayments(clock, till, 2_000)
    const { timers, lane } = internals(payments[0]!)
    expect(till.running).toBe(0)
    expect(lane.queued).toBe(0)
    // Cancelled entries (signature deadlines, hold caps) stay until they surface: at most the last
    // batch's, and none once the longest deadline (the 20 s signature answer) has passed.
    expect(timers.size).toBeLessThanOrEqual(250)
    await pass(clock, 30_000)
    expect(timers.size).toBe(0)
    expect(await journal.unfinished()).toHaveLength(0)
    let kept = 0
    for (const p of payments) if (await till.outcomeOf(p.id)) kept++
    expect(kept).toBe(100)
    await till.close()
  })

  it('the file journal stays small over thousands of payments (compaction)', async () => {
    const clock = createManualClock()
    const path = await tempFile()
    const journal = await createFileJournal(path, { compactAfter: 1_000, keepFinished: 100 })
    const till = createOrchestrator({ accounts: { stub: shortPayments() }, journal, clock })
    const bytes: number[] = []
    const records: number[] = []
    for (let round = 0; round < 6; round++) {
      await runPayments(clock, till, 500)
      bytes.push((await stat(path)).size)
      records.push(journal.records)
    }
    await till.close()
    await journal.close?.()
    expect(Math.max(...records)).toBeLessThanOrEqual(2_000)
    expect(Math.max(...bytes)).toBeLessThan(1_000_000)
    const reopened = await createFileJournal(path)
    expect(await reopened.unfinished()).toHaveLength(0)
    await reopened.close?.()
  })

  it('de-duplication keys of one long payment are capped', async () => {
    const clock = createManualClock()
    let n = 0
    const adapter = stubAdapter({
      start: async () => ({ ids: { ref: 'r' } }),
      // A payment that runs for 20 minutes, each poll (every second) bringing a fresh keyed notification.
      poll: async () => ({
        notifications: [{ type: 'processing', raw: 'BUSY', key: `k${n++}` }],
        ...(n > 1_200 && { outcome: { status: 'approved' } }),
      }),
    })
    const till = createOrchestrator({ accounts: { stub: adapter }, clock })
    const payment = await until(clock, till.sale(saleOf(1)))
    collect(payment)
    await pass(clock, 600_000)
    expect(internals(payment).dedup.keys.size).toBeLessThanOrEqual(256)
    expect(internals(payment).dedup.handed.size).toBe(0)
    await until(clock, payment.outcome)
    await till.close()
  })
})

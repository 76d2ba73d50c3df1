/**
 * Table seqs across a crash. Table events, like payments', reach the POS only once a cursor naming their seqs is journaled: an
 * event the POS took just before a crash (its take not journaled yet) never lends its seq to
 * another event after recover().
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type JournalStore,
  type TableEvent,
} from '../src/index.js'
import type { TableCapability } from '../src/adapter.js'
import { drive, pass, stubAdapter } from './harness.js'

const never = <T>() => new Promise<T>(() => {})
const bill = { account: 'shop', table: '12', amount: 5_000, currency: 'GBP', reference: 'bill-12' }
const state = (locked: boolean, paid: boolean) => ({
  amount: 5_000,
  amountPaid: paid ? 2_000 : 0,
  amountGratuity: 0,
  amountCashback: 0,
  locked,
  payments: paid
    ? [{ paymentId: 'P1', amount: 2_000, gratuity: 0, cashback: 0, currency: 'GBP', raw: {} }]
    : [],
})
const tables = (read: TableCapability['read']): TableCapability => ({
  pacing: { cadenceMs: 1_000, cadenceRangeMs: [500, 5_000] },
  validate: () => {},
  open: async () => 'created',
  read,
  setAmount: async () => 'done',
  close: async () => 'done',
})

describe('table seqs across a crash', () => {
  it('a table event the POS took before the crash does not lend its seq to another event', async () => {
    const clock = createManualClock()
    const memory = createMemoryJournal()
    let dead = false
    const journal: JournalStore = {
      ...memory,
      // Once dead, the takes' cursors never land (the one naming the seq, written first, did).
      appendTable: async (record) =>
        dead && record.type === 'tableCursor' && record.cursor.delivered > 0
          ? never()
          : memory.appendTable!(record),
    }
    // Process A: the terminal locks the table.
    const a = createOrchestrator({
      clock,
      journal,
      accounts: {
        shop: stubAdapter({
          tables: tables(async () => state(true, false)),
        }),
      },
    })
    const table = await drive(clock, a.openTable(bill))
    // The process is about to die: the journal will not write the POS's next take.
    dead = true
    const it = table[Symbol.asyncIterator]()
    const first = it.next()
    await pass(clock, 1_500)
    // The POS has `locked` in hand; its tableCursor record was never written.
    const seen = (await first).value as TableEvent
    expect([seen.seq, seen.type]).toEqual([1, 'locked'])

    // Process B: meanwhile the terminal took a payment and released the table.
    const b = createOrchestrator({
      clock,
      journal: memory,
      accounts: { shop: stubAdapter({ tables: tables(async () => state(false, true)) }) },
    })
    await b.recover()
    const [recovered] = b.tables()
    const events: TableEvent[] = []
    void (async () => {
      for await (const event of recovered!) events.push(event)
    })()
    await pass(clock, 2_000)
    const reused = events.filter((e) => e.seq === seen.seq && e.type !== seen.type)
    expect(reused.map((e) => [e.seq, e.type])).toEqual([])
    await b.close()
  })
})

function journalDyingAfter(memory: JournalStore, upTo: number) {
  const flags = { dead: false }
  const journal: JournalStore = {
    ...memory,
    appendTable: async (record) =>
      flags.dead && record.type === 'tableCursor' && record.cursor.delivered > upTo
        ? never()
        : memory.appendTable!(record),
  }
  return { journal, flags }
}

describe('table events told again after a crash', () => {
  it('a payment the provider still shows comes again with its seq', async () => {
    const clock = createManualClock()
    const memory = createMemoryJournal()
    const { journal, flags } = journalDyingAfter(memory, 0)
    // Terminal 1's payment is seen (it locked and released between reads); terminal 2 then locks.
    const script = [state(false, true), state(true, true)]
    let reads = 0
    const a = createOrchestrator({
      clock,
      journal,
      accounts: {
        shop: stubAdapter({
          tables: tables(async () => script[Math.min(reads++, script.length - 1)]),
        }),
      },
    })
    const table = await drive(clock, a.openTable(bill))
    await pass(clock, 2_500)
    flags.dead = true
    const it = table[Symbol.asyncIterator]()
    const pos = [(await it.next()).value as TableEvent, (await it.next()).value as TableEvent]
    expect(pos.map((e) => [e.seq, e.type])).toEqual([
      [1, 'tablePayment'],
      [2, 'locked'],
    ])

    const b = createOrchestrator({
      clock,
      journal: memory,
      accounts: { shop: stubAdapter({ tables: tables(async () => state(true, true)) }) },
    })
    await b.recover()
    const [recovered] = b.tables()
    const after: TableEvent[] = []
    void (async () => {
      for await (const event of recovered!) after.push(event)
    })()
    await pass(clock, 2_000)
    // README: delivered again "with the same paymentId and seq when the provider still shows it".
    const again = after.filter((e) => e.type === 'tablePayment')
    expect(again.map((e) => e.seq)).toEqual([1])
    await b.close()
  })
})

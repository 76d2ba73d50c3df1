import { describe, expect, it } from 'vitest'
import {
  foldRecord,
  foldTableRecord,
  tableDone,
  type JournalEntry,
  type JournalRecord,
  type TableJournalEntry,
  type TableJournalRecord,
} from '../src/journal.js'
import type { Outcome, PaymentRequest, TableEvent, TableRequest } from '../src/types.js'

const request: PaymentRequest = {
  kind: 'sale',
  account: 'shop',
  terminal: 't1',
  amount: 1250,
  currency: 'GBP',
  reference: 'order-1',
}
const intent: JournalRecord = {
  type: 'intent',
  paymentId: 'p1',
  at: 1000,
  provider: 'paymentsense',
  request,
  ids: {},
}

const fold = (records: JournalRecord[]) => {
  const entries = new Map<string, JournalEntry>()
  for (const record of records) foldRecord(entries, record)
  return entries
}

describe('foldRecord', () => {
  it('merges ids, keeps the newest cursor and stops at the outcome', () => {
    const outcome = { status: 'approved', paymentId: 'p1' } as Outcome
    const entries = fold([
      intent,
      { type: 'ids', paymentId: 'p1', at: 1001, ids: { requestId: 'r1' }, started: true },
      { type: 'cursor', paymentId: 'p1', at: 1002, cursor: { delivered: 3, order: 2, keys: [] } },
      // Written late: must not move delivery backwards.
      { type: 'cursor', paymentId: 'p1', at: 1003, cursor: { delivered: 1, order: 0, keys: [] } },
      { type: 'outcome', paymentId: 'p1', at: 1004, outcome },
      { type: 'ids', paymentId: 'p1', at: 1005, ids: { requestId: 'other' }, started: true },
    ])
    const entry = entries.get('p1')!
    expect(entry.ids).toEqual({ requestId: 'r1' })
    expect(entry.started).toBe(true)
    expect(entry.cursor.delivered).toBe(3)
    expect(entry.outcome).toBe(outcome)
    expect(entry.startedAt).toBe(1000)
  })

  it('ignores records of payments it never saw an intent for, and repeated intents', () => {
    const entries = fold([
      { type: 'ids', paymentId: 'ghost', at: 1, ids: { a: 'b' }, started: true },
      intent,
      { type: 'ids', paymentId: 'p1', at: 2, ids: { requestId: 'r1' }, started: false },
      { ...intent, at: 5 },
    ])
    expect([...entries.keys()]).toEqual(['p1'])
    expect(entries.get('p1')!.ids).toEqual({ requestId: 'r1' })
    expect(entries.get('p1')!.started).toBe(false)
  })
})

describe('foldTableRecord and tableDone', () => {
  const tableRequest: TableRequest = {
    account: 'shop',
    table: '12',
    amount: 4200,
    currency: 'GBP',
    reference: 'bill-12',
  }
  const event = (seq: number, type: 'tablePayment' | 'closed') =>
    ({ type, seq, tableId: 'a', table: '12', at: seq }) as unknown as TableEvent
  const cursor = (delivered: number) => ({ delivered, paymentIds: [], locked: false })
  const foldTables = (records: TableJournalRecord[]) => {
    const entries = new Map<string, TableJournalEntry>()
    for (const record of records) foldTableRecord(entries, record)
    return entries.get('a')!
  }
  const opened: TableJournalRecord[] = [
    { type: 'tableOpen', tableId: 'a', at: 1, provider: 'p', request: tableRequest },
    { type: 'tableOpened', tableId: 'a', at: 2 },
  ]

  it('an end with nothing left to take is done; later records change nothing', () => {
    const entry = foldTables([
      ...opened,
      { type: 'tableEnd', tableId: 'a', at: 3, reason: 'closed' },
      { type: 'tableCursor', tableId: 'a', at: 4, cursor: cursor(5) },
    ])
    expect(tableDone(entry)).toBe(true)
    expect(entry.cursor.delivered).toBe(0)
  })

  it('an end with events not taken stays until cursors pass them, the closing event included', () => {
    const undelivered = [event(3, 'tablePayment'), event(4, 'tablePayment'), event(5, 'closed')]
    const ended: TableJournalRecord[] = [
      ...opened,
      { type: 'tableCursor', tableId: 'a', at: 3, cursor: cursor(2) },
      { type: 'tableEnd', tableId: 'a', at: 4, reason: 'closed', undelivered },
    ]
    expect(tableDone(foldTables(ended))).toBe(false)
    const partly = foldTables([
      ...ended,
      { type: 'tableOpened', tableId: 'a', at: 5 },
      { type: 'tableCursor', tableId: 'a', at: 6, cursor: cursor(3) },
    ])
    expect(partly).toMatchObject({ ended: 'closed', undelivered, cursor: cursor(3) })
    expect(tableDone(partly)).toBe(false)
    const payments = foldTables([
      ...ended,
      { type: 'tableCursor', tableId: 'a', at: 6, cursor: cursor(4) },
    ])
    // The POS has not taken `closed` yet: a crash now must still tell it the table ended.
    expect(tableDone(payments)).toBe(false)
    const taken = foldTables([
      ...ended,
      { type: 'tableCursor', tableId: 'a', at: 6, cursor: cursor(5) },
    ])
    expect(tableDone(taken)).toBe(true)
  })

  it('a table not ended is never done', () => {
    expect(tableDone(foldTables(opened))).toBe(false)
  })
})

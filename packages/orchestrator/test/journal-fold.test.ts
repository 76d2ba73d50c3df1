import { describe, expect, it } from 'vitest'
import { foldRecord, type JournalEntry, type JournalRecord } from '../src/journal.js'
import type { Outcome, PaymentRequest } from '../src/types.js'

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

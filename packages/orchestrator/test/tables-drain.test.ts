import { describe, expect, it } from 'vitest'
import { createMemoryJournal, type JournalStore } from '../src/index.js'
import { flush, setup } from './harness.js'
import { bill, drive, open, pass, TABLE } from './tables-harness.js'

/** A table that ended (closed) with a payment the POS had not taken, then a crash. */
async function crashWithEndedTable(journal: JournalStore, payments = 1) {
  const s = setup({ orchestrator: { journal } })
  const table = await open(s.clock, s.orchestrator)
  for (let i = 0; i < payments; i++) s.cloud.tables.pay(TABLE, { amount: 1_000 })
  await drive(s.clock, table.close())
  expect(table.state).toBe('closed')
  await flush(20)
  await s.orchestrator.close()
  return { ...s, table }
}

describe('a table recovered only to hand over what was left (drain)', () => {
  it('does not block opening a table of the same name when the POS does not iterate it', async () => {
    const journal = createMemoryJournal()
    const s = await crashWithEndedTable(journal)
    const second = s.restart(journal)
    await second.recover()
    // The table is closed at the provider; the POS seats new guests at table 12.
    expect(second.tables().map((t) => t.state)).toEqual(['closed'])
    const again = await drive(s.clock, second.openTable(bill())).catch((e: unknown) => e)
    expect(again).not.toBeInstanceOf(Error)
    await second.close()
  })

  it('is released when the POS stops listening (break) after taking part of it', async () => {
    const journal = createMemoryJournal()
    const s = await crashWithEndedTable(journal, 2)
    const second = s.restart(journal)
    await second.recover()
    const [drained] = second.tables()
    // The POS looks at the first event, then stops listening.
    for await (const event of drained!) {
      expect(event.type).toBe('tablePayment')
      break
    }
    await pass(s.clock, 1_000)
    // The reader stopped (the stream dropped the rest): yet the closed table stays "open here".
    expect(second.tables()).toEqual([])
    const again = await drive(s.clock, second.openTable(bill())).catch((e: unknown) => e)
    expect(again).not.toBeInstanceOf(Error)
    await second.close()
  })

  it('a live table whose reader stopped after the end is not kept in the journal forever', async () => {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    const table = await open(s.clock, s.orchestrator)
    s.cloud.tables.pay(TABLE, { amount: 1_000 })
    s.cloud.tables.pay(TABLE, { amount: 1_000 })
    await drive(s.clock, table.close())
    // The POS reads the first payment and stops listening (EventStream drops the rest).
    for await (const event of table) {
      expect(event.type).toBe('tablePayment')
      break
    }
    await flush(20)
    // Dropped by the reader, but the journal keeps the table: every restart hands them over again.
    expect(await journal.openTables!()).toEqual([])
    await s.orchestrator.close()
  })
})

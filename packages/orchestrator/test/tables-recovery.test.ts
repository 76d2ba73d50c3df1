import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  EMPTY_TABLE_CURSOR,
  type JournalStore,
  type TableEvent,
} from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { flush, sale, settles, setup, tempJournals } from './harness.js'
import { bill, drive, listen, open, pass, reads, TABLE, tableRequests } from './tables-harness.js'

const tempFile = tempJournals('tillkit-tables-')

/** Journal writes in flight, so a test can let them land before dropping the process. */
const writes: Promise<unknown>[] = []
async function settled(): Promise<void> {
  // Each landed write may let the next of the same table go: until none is left.
  while (writes.length) {
    await Promise.allSettled(writes.splice(0))
    await flush()
  }
}
function tracked(journal: JournalStore): JournalStore {
  const track = <T>(p: Promise<T>) => (writes.push(p), p)
  return {
    append: (record) => track(journal.append(record)),
    appendTable: (record) => track(journal.appendTable!(record)),
    unfinished: () => journal.unfinished(),
    get: (id) => journal.get(id),
    openTables: () => journal.openTables!(),
    close: () => journal.close!(),
  }
}

const paymentIds = (events: readonly TableEvent[]) =>
  events.flatMap((e) => (e.type === 'tablePayment' ? [e.payment.paymentId] : []))

describe('pay at table: recovery from the journal', () => {
  async function crashWithTable(journal: JournalStore) {
    const s = setup({ orchestrator: { journal } })
    const table = await open(s.clock, s.orchestrator)
    const events = listen(table)
    s.cloud.tables.pay(TABLE, { amount: 1_000 })
    await pass(s.clock, 5_100)
    // A file journal's sync (the cursor naming the event's seq) comes before the event, in real time.
    await settles(() => events.list.length > 0)
    expect(events.list.map((e) => e.type)).toEqual(['tablePayment'])
    // A second payment, taken at the table; the process dies before reading it.
    s.cloud.tables.pay(TABLE, { amount: 1_500 })
    return { ...s, table, events }
  }

  for (const kind of ['memory', 'file'] as const) {
    it(`a dropped instance's table is watched again: no payment twice, none lost (${kind} journal)`, async () => {
      const path = await tempFile()
      // The file journal is reopened from disk after the drop, as a new process would.
      const reopen = async (previous?: JournalStore) => {
        if (kind === 'memory') return previous ?? createMemoryJournal()
        // The writes the POS's taking started have landed (the crash window is another test).
        await settled()
        await previous?.close?.()
        return tracked(await createFileJournal(path))
      }
      const journal = await reopen()
      const { clock, cloud, orchestrator, table, events, restart, seen } =
        await crashWithTable(journal)
      await orchestrator.close()
      expect(await events.done).toHaveLength(1)
      // Payments taken while no process watches.
      cloud.tables.pay(TABLE, { amount: 500 })
      await pass(clock, 20_000)
      const readsBefore = reads(seen).length

      const journal2 = await reopen(journal)
      const second = restart(journal2)
      expect(await second.recover()).toEqual([])
      const [resumed, ...others] = second.tables()
      expect(others).toEqual([])
      expect(resumed!.id).toBe(table.id)
      expect(resumed!.recovered).toBe(true)
      expect(resumed!.state).toBe('open')
      expect(resumed!.request).toEqual(table.request)
      const after = listen(resumed!)
      await pass(clock, 1_000)
      await settles(() => after.list.length >= 2)
      // Read at once on recovery, then at the cadence.
      expect(reads(seen).length).toBe(readsBefore + 1)
      expect(after.list.map((e) => `${e.type} ${e.seq}`)).toEqual([
        'tablePayment 2',
        'tablePayment 3',
      ])
      const all = [...events.list, ...after.list]
      expect(paymentIds(all)).toEqual(cloud.tables.get(TABLE).payments.map((p) => p.paymentId))
      expect(new Set(paymentIds(all)).size).toBe(3)
      // No create was sent again.
      expect(tableRequests(seen).filter((r) => r.method === 'PUT')).toHaveLength(0)

      cloud.tables.pay(TABLE, { amount: 2_000 })
      await pass(clock, 5_000)
      await settles(() => after.list.length >= 4)
      expect(after.list.map((e) => e.type)).toEqual([
        'tablePayment',
        'tablePayment',
        'tablePayment',
        'paid',
      ])
      await drive(clock, resumed!.close())
      expect((await after.done).at(-1)).toMatchObject({ type: 'closed', reason: 'closed' })
      await second.close()
      const journal3 = await reopen(journal2)
      expect(await journal3.openTables!()).toEqual([])
      await journal3.close?.()
    })
  }

  for (const kind of ['memory', 'file'] as const) {
    it(`events not taken when the table ended come again after a crash, though the provider no longer has it (${kind} journal)`, async () => {
      const path = await tempFile()
      const first =
        kind === 'memory' ? createMemoryJournal() : tracked(await createFileJournal(path))
      const s = setup({ orchestrator: { journal: first } })
      const table = await open(s.clock, s.orchestrator)
      // A payment is taken at the table while the POS is busy closing the bill: the close's guard
      // mismatches, the table is read (the payment is handed to the stream) and the close goes again.
      s.cloud.tables.pay(TABLE, { amount: 1_000 })
      await drive(s.clock, table.close())
      expect(table.state).toBe('closed')
      // The process dies before the POS took the payment.
      await settled()
      await s.orchestrator.close()
      expect(() => s.cloud.tables.get(TABLE)).toThrow()
      if (kind === 'file') await first.close?.()
      const journal = kind === 'memory' ? first : tracked(await createFileJournal(path))

      const second = s.restart(journal)
      expect(await second.recover()).toEqual([])
      const [drained] = second.tables()
      expect(drained).toMatchObject({ id: table.id, state: 'closed', recovered: true })
      const readsBefore = reads(s.seen).length
      const after = listen(drained!)
      await pass(s.clock, 10_000)
      const payment = s.cloud.ledger.find((e) => e.kind === 'table-payment')!
      expect((await after.done).map((e) => e.type)).toEqual(['tablePayment', 'closed'])
      expect(after.list[0]).toMatchObject({ seq: 1, payment: { paymentId: payment.requestId } })
      // Nothing was asked of the provider, and once taken the table is done with.
      expect(reads(s.seen)).toHaveLength(readsBefore)
      expect(second.tables()).toEqual([])
      await settled()
      expect(await journal.openTables!()).toEqual([])
      await second.close()
      if (kind === 'file') {
        await journal.close?.()
        const third = await createFileJournal(path)
        expect(await third.openTables!()).toEqual([])
        await third.close?.()
      }
    })
  }

  it('a table that ended with nothing left to take is done at once', async () => {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    const table = await open(s.clock, s.orchestrator)
    const events = listen(table)
    s.cloud.tables.pay(TABLE, { amount: 1_000 })
    await pass(s.clock, 5_100)
    await drive(s.clock, table.close())
    expect((await events.done).map((e) => e.type)).toEqual(['tablePayment', 'closed'])
    await s.orchestrator.close()
    expect(await journal.openTables!()).toEqual([])
  })

  it('a second crash after the POS took the recovered events does not repeat them', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, orchestrator, restart } = await crashWithTable(journal)
    await orchestrator.close()
    const second = restart(journal)
    await second.recover()
    const taken = listen(second.tables()[0]!)
    await pass(clock, 1_000)
    expect(taken.list).toHaveLength(1)
    await second.close()
    const third = restart(journal)
    await third.recover()
    const again = listen(third.tables()[0]!)
    cloud.tables.pay(TABLE, { amount: 100 })
    await pass(clock, 1_000)
    expect(again.list.map((e) => e.seq)).toEqual([3])
    expect(paymentIds(again.list)).toEqual([cloud.tables.get(TABLE).payments[2]!.paymentId])
    await third.close()
  })

  it('at least once across a crash: a payment taken just before the drop, not yet journaled, comes again (same id, same seq)', async () => {
    const memory = createMemoryJournal()
    let lose = false
    // The cursor write of the POS's taking never lands: the process died first. (The one naming
    // the event's seq, written before the event reached the POS, did.)
    const journal: JournalStore = {
      ...memory,
      appendTable: (record) =>
        lose && record.type === 'tableCursor' && record.cursor.delivered > 0
          ? Promise.reject(new Error('process gone'))
          : memory.appendTable!(record),
      openTables: () => memory.openTables!(),
    }
    const s = setup({ orchestrator: { journal } })
    const table = await open(s.clock, s.orchestrator)
    const events = listen(table)
    lose = true
    s.cloud.tables.pay(TABLE, { amount: 1_000 })
    await pass(s.clock, 5_100)
    expect(events.list).toHaveLength(1)
    await s.orchestrator.close()
    lose = false
    const second = s.restart(journal)
    await second.recover()
    const again = listen(second.tables()[0]!)
    await pass(s.clock, 1_000)
    expect(again.list).toHaveLength(1)
    expect(again.list[0]).toMatchObject({ type: 'tablePayment', seq: events.list[0]!.seq })
    expect(paymentIds(again.list)).toEqual(paymentIds(events.list))
    await second.close()
  })

  it('the lock state and the paid state carry over: no repeated locked or paid events', async () => {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    const table = await open(s.clock, s.orchestrator, bill({ amount: 1_000 }))
    const events = listen(table)
    s.cloud.tables.pay(TABLE, { amount: 1_000 })
    s.cloud.tables.lock(TABLE, '22160001')
    await pass(s.clock, 5_100)
    expect(events.list.map((e) => e.type)).toEqual(['locked', 'tablePayment', 'paid'])
    await s.orchestrator.close()
    const second = s.restart(journal)
    await second.recover()
    const after = listen(second.tables()[0]!)
    await pass(s.clock, 6_000)
    expect(after.list).toEqual([])
    s.cloud.tables.unlock(TABLE)
    await pass(s.clock, 5_000)
    expect(after.list).toMatchObject([{ type: 'unlocked', seq: 4 }])
    await second.close()
  })

  it('a table whose create never answered is found by a read, or ended when the provider has none', async () => {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    // The previous process journaled two creates and died: one reached the cloud, one did not.
    s.cloud.tables.create({ tableName: TABLE, amount: 5_000, currency: 'GBP' })
    for (const [tableId, table] of [
      ['t-found', TABLE],
      ['t-never', '99'],
    ] as const)
      await journal.appendTable!({
        type: 'tableOpen',
        tableId,
        at: s.clock.now(),
        provider: 'paymentsense',
        request: bill({ table }),
      })
    await s.orchestrator.recover()
    expect(
      s.orchestrator
        .tables()
        .map((t) => t.state)
        .sort(),
    ).toEqual(['opening', 'opening'])
    await pass(s.clock, 1_000)
    expect(s.orchestrator.tables().map((t) => [t.id, t.state])).toEqual([['t-found', 'open']])
    const open = await journal.openTables!()
    expect(open.map((t) => [t.tableId, t.opened])).toEqual([['t-found', true]])
    expect(tableRequests(s.seen, '99').map((r) => `${r.method} ${r.status}`)).toEqual(['GET 404'])
    await s.orchestrator.close()
  })

  it('a lost create answer: a read finds the table the create made', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'PUT' }, times: 1 })
    const table = await open(clock, orchestrator)
    expect(table.state).toBe('open')
    expect(tableRequests(seen).map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200'])
    expect(cloud.tables.list()).toHaveLength(1)
    await orchestrator.close()
  })

  it('a lost create answer when nothing was made, or someone else owns the name: openTable rejects', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    // A 503: the create was not applied, and no one can say so for sure.
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'PUT' }, times: 1 })
    const lost = await drive(clock, orchestrator.openTable(bill())).catch((e: unknown) => e)
    expect(lost).toMatchObject({ outcomeUnknown: true })
    expect(orchestrator.tables()).toEqual([])

    cloud.tables.create({ tableName: '20', amount: 999, currency: 'GBP' })
    // The create reached the cloud (answered 409, lost): the table there is not this bill.
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'PUT' }, times: 1 })
    const taken = await drive(clock, orchestrator.openTable(bill({ table: '20' }))).catch(
      (e: unknown) => e,
    )
    expect(taken).toMatchObject({ name: 'TableError', reason: 'exists' })
    expect(tableRequests(seen, '20').map((r) => r.method)).toEqual(['GET'])
    await orchestrator.close()
  })

  it('file journal: table records survive compaction and a reopen; ended tables are dropped', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path, { compactAfter: 5 })
    const request = bill()
    await journal.appendTable!({ type: 'tableOpen', tableId: 'a', at: 1, provider: 'p', request })
    await journal.appendTable!({ type: 'tableOpened', tableId: 'a', at: 2 })
    const cursor = { delivered: 2, paymentIds: ['x', 'y'], locked: true }
    await journal.appendTable!({ type: 'tableCursor', tableId: 'a', at: 3, cursor })
    await journal.appendTable!({ type: 'tableOpen', tableId: 'b', at: 4, provider: 'p', request })
    await journal.appendTable!({ type: 'tableEnd', tableId: 'b', at: 5, reason: 'closed' })
    await journal.appendTable!({ type: 'tableOpen', tableId: 'c', at: 6, provider: 'p', request })
    expect(journal.records).toBeLessThan(6)
    await journal.close?.()
    const reopened = await createFileJournal(path)
    expect(await reopened.openTables!()).toEqual([
      { tableId: 'a', provider: 'p', request, openedAt: 1, opened: true, cursor },
      {
        tableId: 'c',
        provider: 'p',
        request,
        openedAt: 6,
        opened: false,
        cursor: EMPTY_TABLE_CURSOR,
      },
    ])
    expect(await reopened.unfinished()).toEqual([])
    await reopened.close?.()
  })

  it('a journal without table support refuses openTable before anything is sent', async () => {
    const memory = createMemoryJournal()
    const journal: JournalStore = {
      append: (r) => memory.append(r),
      unfinished: () => memory.unfinished(),
      get: (id) => memory.get(id),
    }
    const { clock, orchestrator, seen } = setup({ orchestrator: { journal } })
    await expect(orchestrator.openTable(bill())).rejects.toMatchObject({ field: 'journal' })
    expect(seen).toEqual([])
    // Payments still work on it, and recover() copes without tables.
    const payment = await orchestrator.sale(sale(1_250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(await orchestrator.recover()).toEqual([])
  })
})

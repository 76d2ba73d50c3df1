import { describe, expect, it } from 'vitest'
import { TableError, TillkitValidationError } from '../src/index.js'
import { sale, setup } from './harness.js'
import { bill, drive, listen, open, pass, reads, TABLE, tableRequests } from './tables-harness.js'

describe('pay at table: open, payments, close', () => {
  it('a split bill: each payment is delivered once, in order, then paid, then closed', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator, bill({ receipt: ['2 x soup', '1 x wine'] }))
    expect(table.state).toBe('open')
    expect(table.current).toMatchObject({ amount: 5_000, amountPaid: 0, locked: false })
    expect(cloud.tables.get(TABLE)).toMatchObject({ amount: 5_000, amountPaid: 0 })
    expect(cloud.tables.get(TABLE).receipt?.map((l) => l.value)).toEqual(['2 x soup', '1 x wine'])
    expect(orchestrator.tables()).toEqual([table])
    expect(orchestrator.table(table.id)).toBe(table)
    const events = listen(table)

    cloud.tables.pay(TABLE, { amount: 2_000 })
    await pass(clock, 12_000)
    cloud.tables.pay(TABLE, { amount: 1_500, amountGratuity: 200 })
    cloud.tables.pay(TABLE, { amount: 1_500 })
    await pass(clock, 12_000)

    const paid = cloud.tables.get(TABLE).payments
    expect(events.list.map((e) => e.type)).toEqual([
      'tablePayment',
      'tablePayment',
      'tablePayment',
      'paid',
    ])
    expect(events.list.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(
      events.list.flatMap((e) => (e.type === 'tablePayment' ? [e.payment.paymentId] : [])),
    ).toEqual(paid.map((p) => p.paymentId))
    const second = events.list[1]!
    expect(second.type === 'tablePayment' && second.payment).toMatchObject({
      amount: 1_500,
      gratuity: 200,
      currency: 'GBP',
      entryMethod: 'contactless',
      authCode: paid[1]!.authCode,
    })
    expect(events.list[3]).toMatchObject({ type: 'paid', amount: 5_000, amountPaid: 5_000 })
    expect(table.current).toMatchObject({ amountPaid: 5_000, amountGratuity: 200 })

    const closing = table.close()
    const final = await drive(clock, closing)
    expect(final.amountPaid).toBe(5_000)
    expect(await events.done).toHaveLength(5)
    expect(events.list.at(-1)).toMatchObject({ type: 'closed', reason: 'closed', seq: 5 })
    expect(table.state).toBe('closed')
    expect(cloud.tables.list()).toEqual([])
    expect(orchestrator.tables()).toEqual([])
    const deletes = tableRequests(seen).filter((s) => s.method === 'DELETE')
    expect(deletes.map((d) => d.status)).toEqual([204])
    // Three table payments reached the acquirer, each once.
    expect(cloud.ledger.filter((e) => e.kind === 'table-payment')).toHaveLength(3)
    await expect(table.setAmount(100)).rejects.toMatchObject({ reason: 'closed' })
    await expect(table.close()).rejects.toBeInstanceOf(TableError)
  })

  it('reads every 5 s by default, at the configured cadence otherwise, within 1 to 30 s', async () => {
    for (const tableCadenceMs of [undefined, 2_000, 30_000]) {
      const { clock, orchestrator, seen, dispatched } = setup({ adapter: { tableCadenceMs } })
      await open(clock, orchestrator)
      await pass(clock, 65_000, 100)
      const gaps = new Set(reads(seen).map((r, i, all) => (i ? r.at - all[i - 1]!.at : 0)))
      gaps.delete(0)
      expect([...gaps]).toEqual([tableCadenceMs ?? 5_000])
      const tableReads = dispatched.filter((d) => d.request === 'table')
      expect(tableReads.every((d) => d.sentAt === d.dueAt && d.tableId)).toBe(true)
      await orchestrator.close()
    }
    for (const tableCadenceMs of [999, 30_001, 2.5])
      expect(() => setup({ adapter: { tableCadenceMs } })).toThrow(TillkitValidationError)
  })

  it('table reads share the account lane with a counter payment: 0.1 s apart, no 429', async () => {
    const { clock, cloud, orchestrator, seen, dispatched } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    // A slow card keeps the counter payment polling every second next to the table reads.
    const payment = await orchestrator.sale(sale(2_509))
    cloud.tables.pay(TABLE, { amount: 1_000 })
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    await pass(clock, 5_000)
    const gaps = seen.slice(1).map((r, i) => r.at - seen[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100)
    expect(seen.some((r) => r.status === 429)).toBe(false)
    const polls = dispatched.filter((d) => d.request === 'poll')
    const tableReads = dispatched.filter((d) => d.request === 'table')
    expect(polls.length).toBeGreaterThan(5)
    expect(tableReads.length).toBeGreaterThan(2)
    // Both cadences hold, each delayed at most one spacing slot by the other.
    for (const d of [...polls, ...tableReads]) expect(d.sentAt - d.dueAt).toBeLessThanOrEqual(100)
    expect(events.list.map((e) => e.type)).toEqual(['tablePayment'])
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['table-payment', 'sale'])
    await orchestrator.close()
  })

  it('a write goes ahead of queued reads and polls (urgent)', async () => {
    const terminals = Array.from({ length: 6 }, (_, i) => ({
      tid: `T${i}`,
      currency: 'GBP' as const,
    }))
    const { clock, orchestrator, dispatched, seen } = setup({
      cloud: { terminals },
      adapter: { spacingMs: 500 },
    })
    const table = await open(clock, orchestrator)
    // Six payments polled every second through a 0.5 s spacing: the lane's queue keeps growing.
    await Promise.all(terminals.map((t) => orchestrator.sale({ ...sale(2_509), terminal: t.tid })))
    await pass(clock, 10_000, 100)
    const late = dispatched.filter((d) => d.request === 'poll' && d.sentAt - d.dueAt > 1_000)
    expect(late.length).toBeGreaterThan(0)
    const asked = clock.now()
    const changing = table.setAmount(6_000)
    await drive(clock, changing)
    const put = tableRequests(seen).find((s) => s.method === 'PUT')!
    expect(put.status).toBe(204)
    expect(put.at - asked).toBeLessThanOrEqual(500)
    await orchestrator.close()
  })
})

import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  JournalWriteError,
  TableError,
  TillkitValidationError,
  type JournalStore,
  type TableRequest,
} from '../src/index.js'
import { recordingLogger, sale, setup } from './harness.js'
import { ACCOUNT as SC_ACCOUNT, setup as smartconnect } from './smartconnect-harness.js'
import { bill, drive, listen, open, pass, reads, TABLE } from './tables-harness.js'

describe('pay at table: checked before anything is sent', () => {
  it('a failed journal write refuses the table before anything is sent', async () => {
    const memory = createMemoryJournal()
    const failing: JournalStore = {
      ...memory,
      appendTable: async () => {
        throw new Error('disk full')
      },
    }
    const { orchestrator, seen } = setup({ orchestrator: { journal: failing } })
    const error = await orchestrator.openTable(bill()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JournalWriteError)
    expect((error as JournalWriteError).message).toMatch(/opening of table .* nothing was sent/)
    expect((error as JournalWriteError).mayHaveReachedProvider).toBe(false)
    expect(((error as Error).cause as Error).message).toBe('disk full')
    expect(seen).toHaveLength(0)
    expect(orchestrator.tables()).toHaveLength(0)
  })

  it('bad input is a TillkitValidationError naming the field, with nothing journaled or sent', async () => {
    const journal = createMemoryJournal()
    const { orchestrator, seen } = setup({ orchestrator: { journal } })
    const bad: Array<[Partial<TableRequest> | Record<string, unknown>, string]> = [
      [{ account: 'nope' }, 'account'],
      [{ table: '' }, 'table'],
      [{ table: 'a\nb' }, 'table'],
      [{ table: 'x'.repeat(65) }, 'table'],
      [{ table: '1/2' }, 'table'],
      [{ amount: -1 }, 'amount'],
      [{ amount: 12.5 }, 'amount'],
      [{ amount: 100_000_000 }, 'amount'],
      [{ amount: '50' }, 'amount'],
      [{ currency: 'gbp' }, 'currency'],
      [{ currency: 'USD' }, 'currency'],
      [{ reference: '' }, 'reference'],
      [{ receipt: 'soup' }, 'receipt'],
      [{ receipt: ['ok', 3] }, 'receipt[1]'],
      [{ waiterIds: [''] }, 'waiterIds[0]'],
      [{ waiterIds: 'w1' }, 'waiterIds'],
    ]
    for (const [change, field] of bad) {
      const error = await orchestrator
        .openTable({ ...bill(), ...change } as TableRequest)
        .catch((e: unknown) => e)
      expect(error, JSON.stringify(change)).toBeInstanceOf(TillkitValidationError)
      expect(error).toMatchObject({ field })
    }
    await expect(orchestrator.openTable(null as unknown as TableRequest)).rejects.toMatchObject({
      field: 'request',
    })
    expect(seen).toEqual([])
    expect(await journal.openTables!()).toEqual([])
    await orchestrator.close()
    await expect(orchestrator.openTable(bill())).rejects.toBeInstanceOf(TillkitValidationError)
  })

  it('a name already open here is refused before sending; one open at the provider is a TableError', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    await open(clock, orchestrator)
    const before = seen.length
    await expect(orchestrator.openTable(bill())).rejects.toMatchObject({ field: 'table' })
    expect(seen.length).toBe(before)
    cloud.tables.create({ tableName: '30', amount: 100, currency: 'GBP' })
    const error = await drive(clock, orchestrator.openTable(bill({ table: '30' }))).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TableError)
    expect(error).toMatchObject({ reason: 'exists', table: '30', mayHaveReachedProvider: false })
    expect(orchestrator.tables()).toHaveLength(1)
    // Refused outright (422 from a fault): rejected with the HTTP error, nothing left open.
    cloud.faults.add({ kind: 'status', status: 422, match: { method: 'PUT' }, times: 1 })
    await expect(drive(clock, orchestrator.openTable(bill({ table: '31' })))).rejects.toMatchObject(
      { name: 'TillkitHttpError', status: 422 },
    )
    expect(orchestrator.tables()).toHaveLength(1)
    await orchestrator.close()
  })

  it('an account whose provider has no pay at table is refused before any request', async () => {
    const sc = await smartconnect()
    await expect(sc.orchestrator.openTable(bill({ account: SC_ACCOUNT }))).rejects.toMatchObject({
      name: 'TillkitValidationError',
      field: 'account',
    })
    expect(sc.seen).toEqual([])
    await sc.orchestrator.close()
  })
})

describe('pay at table: 429 and read failures', () => {
  it('a 429 on a table read pauses the whole account, counter polls included, then reads again', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    const payment = await orchestrator.sale(sale(2_509))
    await pass(clock, 4_000)
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 3,
      match: { method: 'GET', path: `/pat/tables/${TABLE}` },
      times: 1,
    })
    cloud.tables.pay(TABLE, { amount: 1_000 })
    await pass(clock, 5_000)
    const refused = seen.find((s) => s.status === 429)!
    expect(refused.path).toBe(`/pat/tables/${TABLE}`)
    const next = seen[seen.indexOf(refused) + 1]!
    // Nothing of the account went during the pause; the table read went first after it.
    expect(next.at - refused.at).toBe(3_000)
    expect(next.path).toBe(`/pat/tables/${TABLE}`)
    expect(events.list.map((e) => e.type)).toEqual(['tablePayment'])
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    await orchestrator.close()
  })

  it('a 429 on a write: the account pauses, the write goes again after Retry-After', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 2,
      match: { method: 'PUT' },
      times: 1,
    })
    const asked = clock.now()
    await drive(clock, table.setAmount(7_000))
    const puts = seen.filter((s) => s.method === 'PUT' && s.path.endsWith('/amount'))
    expect(puts.map((s) => s.status)).toEqual([429, 204])
    expect(puts[1]!.at - asked).toBeGreaterThanOrEqual(2_000)
    await orchestrator.close()
  })

  it('failing reads (5xx, 401) back off from the cadence and recover', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET' }, times: 2 })
    cloud.faults.add({ kind: 'status', status: 401, match: { method: 'GET' }, times: 1 })
    cloud.tables.pay(TABLE, { amount: 1_000 })
    await pass(clock, 60_000, 100)
    const times = reads(seen).map((r) => r.at)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    // 5 s, then 5, 10, 20 s of back-off after each failure, then the cadence again.
    expect(gaps.slice(0, 3)).toEqual([5_000, 10_000, 20_000])
    expect(gaps.slice(3).every((g) => g === 5_000)).toBe(true)
    expect(events.list.map((e) => e.type)).toEqual(['tablePayment'])
    await orchestrator.close()
  })
})

describe('pay at table: secrets', () => {
  it('the API key never shows in events, errors, logs, journal records or table state', async () => {
    const apiKey = 'tbl-secret-7f3a9c2e'
    const { logger, logs } = recordingLogger()
    const records: unknown[] = []
    const memory = createMemoryJournal()
    const journal = {
      ...memory,
      appendTable: (record: Parameters<NonNullable<typeof memory.appendTable>>[0]) => {
        records.push(record)
        return memory.appendTable!(record)
      },
      openTables: () => memory.openTables!(),
    }
    const { clock, cloud, orchestrator } = setup({
      cloud: { apiKeys: [apiKey] },
      adapter: { apiKey },
      orchestrator: { journal, logger },
    })
    const table = await open(clock, orchestrator)
    const events = listen(table)
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET' }, times: 1 })
    cloud.tables.pay(TABLE, { amount: 1_000 })
    await pass(clock, 20_000)
    cloud.faults.add({ kind: 'status', status: 401, match: { method: 'PUT' }, times: 1 })
    const error = await drive(clock, table.setAmount(9_000)).catch((e: unknown) => e)
    cloud.tables.lock(TABLE, '22160001')
    const locked = await drive(clock, table.setAmount(9_000)).catch((e: unknown) => e)
    expect(locked).toBeInstanceOf(TableError)
    cloud.tables.unlock(TABLE)
    await drive(clock, table.close())
    const basic = btoa(`tillkit:${apiKey}`)
    const everything = JSON.stringify([
      await events.done,
      String(error),
      (error as Error).stack,
      error,
      String(locked),
      locked,
      logs,
      records,
      table.current,
    ])
    expect(logs.length).toBeGreaterThan(0)
    expect(everything).not.toContain(apiKey)
    expect(everything).not.toContain(basic)
    await orchestrator.close()
  })
})

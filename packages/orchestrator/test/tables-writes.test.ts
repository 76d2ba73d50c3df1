import { describe, expect, it } from 'vitest'
import { TableError, TillkitValidationError } from '../src/index.js'
import { setup, TID } from './harness.js'
import { bill, drive, listen, open, pass, reads, TABLE, tableRequests } from './tables-harness.js'

const writes = (seen: Parameters<typeof tableRequests>[0]) =>
  tableRequests(seen).filter((s) => s.method !== 'GET')

describe('pay at table: guarded writes', () => {
  it('a payment taken while the POS changes the amount: 422, re-read, payment delivered, write again', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    // Paid at the table before the next read: the POS still thinks nothing is paid.
    cloud.tables.pay(TABLE, { amount: 2_000 })
    const state = await drive(clock, table.setAmount(6_000))
    expect(state).toMatchObject({ amount: 6_000, amountPaid: 2_000 })
    expect(cloud.tables.get(TABLE)).toMatchObject({ amount: 6_000, amountPaid: 2_000 })
    expect(tableRequests(seen).map((s) => `${s.method} ${s.status}`)).toEqual([
      'PUT 422',
      'GET 200',
      'PUT 204',
    ])
    expect(events.list.map((e) => e.type)).toEqual(['tablePayment'])
    // Later reads do not deliver it again.
    await pass(clock, 11_000)
    expect(events.list.map((e) => e.type)).toEqual(['tablePayment'])
    expect(reads(seen).length).toBeGreaterThanOrEqual(3)
    // Below what is paid: refused before any request.
    const before = seen.length
    await expect(table.setAmount(1_999)).rejects.toMatchObject({
      name: 'TillkitValidationError',
      field: 'amount',
    })
    await expect(table.setAmount(-1)).rejects.toBeInstanceOf(TillkitValidationError)
    await expect(table.setAmount(100_000_000)).rejects.toBeInstanceOf(TillkitValidationError)
    // Already that amount: nothing to send.
    await expect(table.setAmount(6_000)).resolves.toMatchObject({ amount: 6_000 })
    expect(seen.length).toBe(before)
    await orchestrator.close()
  })

  it('a close guarded the same way: a payment taken meanwhile is delivered before the table closes', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    cloud.tables.pay(TABLE, { amount: 5_000 })
    await drive(clock, table.close())
    expect(writes(seen).map((s) => `${s.method} ${s.status}`)).toEqual(['DELETE 422', 'DELETE 204'])
    expect((await events.done).map((e) => e.type)).toEqual(['tablePayment', 'paid', 'closed'])
  })

  it('a table that keeps changing: the write gives up with a TableError (conflict)', async () => {
    // Every read of the table is followed at once by another payment at the table.
    const statuses: string[] = []
    let paying = false
    const s: ReturnType<typeof setup> = setup({
      adapter: {
        fetch: async (request: Request) => {
          const response = await s.cloud.fetch(request)
          statuses.push(`${request.method} ${response.status}`)
          if (paying && request.method === 'GET') s.cloud.tables.pay(TABLE, { amount: 10 })
          return response
        },
      },
    })
    const table = await open(s.clock, s.orchestrator)
    paying = true
    s.cloud.tables.pay(TABLE, { amount: 10 })
    const error = await drive(s.clock, table.setAmount(9_000)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TableError)
    expect(error).toMatchObject({ reason: 'conflict', table: TABLE })
    expect(statuses.filter((x) => x === 'PUT 422')).toHaveLength(5)
    expect(s.cloud.tables.get(TABLE).amount).toBe(5_000)
    await s.orchestrator.close()
  })

  it('locked by a terminal (423): waits, then a TableError when the lock stays', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    cloud.tables.lock(TABLE, TID)
    const asked = clock.now()
    const error = await drive(clock, table.setAmount(7_000)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TableError)
    expect(error).toMatchObject({ reason: 'locked' })
    expect(clock.now() - asked).toBeGreaterThanOrEqual(30_000)
    expect(writes(seen).every((s) => s.status === 423)).toBe(true)
    expect(events.list).toMatchObject([{ type: 'locked', lockedBy: TID }])
    expect(cloud.tables.get(TABLE).amount).toBe(5_000)

    // The terminal pays and releases the table while the next write waits: it then goes through.
    const changing = table.setAmount(8_000)
    await pass(clock, 6_000)
    cloud.tables.pay(TABLE, { amount: 1_000, tid: TID })
    cloud.tables.unlock(TABLE)
    expect(await drive(clock, changing)).toMatchObject({ amount: 8_000, amountPaid: 1_000 })
    expect(events.list.map((e) => e.type)).toEqual(['locked', 'tablePayment', 'unlocked'])
    await orchestrator.close()
  })

  it('a write whose answer was lost is read back, not blindly repeated', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const table = await open(clock, orchestrator)
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'PUT' }, times: 1 })
    expect(await drive(clock, table.setAmount(6_500))).toMatchObject({ amount: 6_500 })
    // Applied once: the read showed it, so it was not sent again.
    expect(writes(seen)).toHaveLength(1)
    expect(cloud.tables.get(TABLE).amount).toBe(6_500)

    // A lost DELETE: the read finds no table, so the close is done.
    const events = listen(table)
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'DELETE' }, times: 1 })
    await drive(clock, table.close())
    expect(cloud.tables.list()).toEqual([])
    // The POS's own close went through: reason 'closed' (not 'gone', someone else's close).
    expect(await events.done).toMatchObject([{ type: 'closed', reason: 'closed' }])
    expect(writes(seen)).toHaveLength(2)
  })

  it('a write refused outright (401) rejects with the HTTP error, the table stays open', async () => {
    const { clock, cloud, orchestrator } = setup()
    const table = await open(clock, orchestrator)
    cloud.faults.add({ kind: 'status', status: 401, match: { method: 'PUT' }, times: 1 })
    await expect(drive(clock, table.setAmount(6_000))).rejects.toMatchObject({
      name: 'TillkitHttpError',
      status: 401,
    })
    expect(table.state).toBe('open')
    await expect(drive(clock, table.setAmount(6_000))).resolves.toMatchObject({ amount: 6_000 })
    await orchestrator.close()
  })

  it('a table closed by someone else: gone, and a write says so', async () => {
    const { clock, cloud, orchestrator } = setup()
    const table = await open(clock, orchestrator)
    const events = listen(table)
    await pass(clock, 200)
    await removeAtCloud(cloud, 5_000, 0)
    await pass(clock, 5_100)
    expect((await events.done).map((e) => e.type)).toEqual(['closed'])
    expect(events.list[0]).toMatchObject({ type: 'closed', reason: 'gone' })
    expect(table.state).toBe('closed')
    expect(orchestrator.tables()).toEqual([])
    await expect(table.setAmount(1)).rejects.toMatchObject({ reason: 'closed' })

    // Gone between two reads: the write finds out.
    const second = await open(clock, orchestrator, bill({ table: '14' }))
    await pass(clock, 200)
    await removeAtCloud(cloud, 5_000, 0, '14')
    await expect(drive(clock, second.setAmount(10))).rejects.toMatchObject({ reason: 'gone' })
    // And a close of a table someone else removed is simply done.
    const third = await open(clock, orchestrator, bill({ table: '15' }))
    await pass(clock, 200)
    await removeAtCloud(cloud, 5_000, 0, '15')
    await expect(drive(clock, third.close())).resolves.toMatchObject({ amount: 5_000 })
  })
})

/** Another EPoS deletes the table (straight at the fake, outside the orchestrator). */
async function removeAtCloud(
  cloud: { fetch(request: Request): Promise<Response> },
  amount: number,
  paid: number,
  name = TABLE,
): Promise<void> {
  const response = await cloud.fetch(
    new Request(`https://acme.test.connect.paymentsense.cloud/pat/tables/${name}`, {
      method: 'DELETE',
      headers: {
        Authorization: `Basic ${btoa('other:test-api-key')}`,
        Accept: 'application/connect.v1+json',
        'Content-Type': 'application/connect.v1+json',
      },
      body: JSON.stringify({ lastKnownAmount: amount, lastKnownPaidAmount: paid }),
    }),
  )
  expect(response.status).toBe(204)
}

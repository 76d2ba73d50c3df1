import type { ManualClock } from '@tillkit/core'
import type { Table, TableEvent, TableRequest } from '../src/index.js'
import { ACCOUNT, drive, flush, pass, type Seen } from './harness.js'

export const TABLE = '12'

export const bill = (more: Partial<TableRequest> = {}): TableRequest => ({
  account: ACCOUNT,
  table: TABLE,
  amount: 5_000,
  currency: 'GBP',
  reference: 'bill-12',
  ...more,
})

/** Opens a table, driving the clock until the provider has it. */
export async function open(
  clock: ManualClock,
  orchestrator: { openTable(request: TableRequest): Promise<Table> },
  request: TableRequest = bill(),
): Promise<Table> {
  return drive(clock, orchestrator.openTable(request))
}

/** Takes a table's events as the POS would, one at a time, as they come. */
export function listen(table: Table): { list: TableEvent[]; done: Promise<TableEvent[]> } {
  const list: TableEvent[] = []
  const done = (async () => {
    for await (const event of table) list.push(event)
    return list
  })()
  return { list, done }
}

/** Requests to one table's paths, as the fake saw them. */
export const tableRequests = (seen: Seen[], name = TABLE) =>
  seen.filter((s) => s.path === `/pat/tables/${name}` || s.path.startsWith(`/pat/tables/${name}/`))

/** Reads (GET) of one table. */
export const reads = (seen: Seen[], name = TABLE) =>
  tableRequests(seen, name).filter((s) => s.method === 'GET')

export { drive, flush, pass }

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Refusal } from '../../src/mock/index.js'
import { harness, pat, start, type Harness } from './helpers.js'

/**
 * Pay at table: what a terminal may do with a table (only a connected, idle terminal in the
 * table's currency pays or locks it; cashback within Connect's limit), and every status the fake
 * answers declared in the schema.
 */

const withTable = (): Harness =>
  harness({ tables: [{ tableName: 'T7', amount: 4200, currency: 'GBP', waiterIds: ['W1'] }] })

function refusalOf(run: () => unknown): Refusal | undefined {
  try {
    run()
  } catch (error) {
    if (error instanceof Refusal) return error
    throw error
  }
  return undefined
}

describe('table payments and the ledger', () => {
  it('a disconnected terminal cannot take a table payment: nothing reaches the acquirer', () => {
    const h = withTable()
    h.cloud.terminals.setOnline('22160001', false)
    expect(
      refusalOf(() => h.cloud.tables.pay('T7', { tid: '22160001', amount: 100 })),
    ).toBeInstanceOf(Refusal)
    expect(h.cloud.ledger).toEqual([])
    expect(h.cloud.tables.get('T7').amountPaid).toBe(0)
  })

  it('the default paying terminal is a connected one in the table currency', () => {
    const h = withTable()
    h.cloud.terminals.setOnline('22160001', false)
    const paid = h.cloud.tables.pay('T7', { amount: 100 })
    expect(paid.entry.tid).not.toBe('22160001')
  })

  it('...and a free one when the first is busy with a pay-at-counter sale', async () => {
    const h = withTable()
    await start(h, '22160001', { transactionType: 'SALE', amount: 1250, currency: 'GBP' })
    const paid = h.cloud.tables.pay('T7', { amount: 100 })
    expect(paid.entry.tid).not.toBe('22160001')
    expect(h.cloud.terminals.get(paid.entry.tid).currency).toBe('GBP')
  })

  it('a terminal busy with a pay-at-counter sale cannot take a table payment at the same time', async () => {
    const h = withTable()
    await start(h, '22160001', { transactionType: 'SALE', amount: 1250, currency: 'GBP' })
    expect(h.cloud.terminals.get('22160001').status).toBe('BUSY')
    const refusal = refusalOf(() => h.cloud.tables.pay('T7', { tid: '22160001', amount: 100 }))
    expect(refusal?.kind).toBe('busy')
    expect(h.cloud.ledger.filter((e) => e.kind === 'table-payment')).toEqual([])
  })

  it('table-payment cashback is held to the 10 000 pence cashback limit', () => {
    const h = withTable()
    const refusal = refusalOf(() =>
      h.cloud.tables.pay('T7', { amount: 100, amountCashback: 10_001 }),
    )
    expect(refusal?.kind).toBe('invalid')
    expect(h.cloud.tables.get('T7').amountCashback).toBe(0)
    expect(h.cloud.ledger).toEqual([])
  })

  it('a terminal cannot lock a table in a currency it does not take', () => {
    const h = withTable()
    // 22160003 takes EUR only; T7 is a GBP table.
    expect(refusalOf(() => h.cloud.tables.lock('T7', '22160003'))).toBeInstanceOf(Refusal)
    expect(h.cloud.tables.get('T7').locked).toBe(false)
  })
})

describe('the fake against the pat-v1 schema', () => {
  const schema = readFileSync(
    new URL('../../../../schemas/paymentsense/pat-v1.openapi.yaml', import.meta.url),
    'utf8',
  )
  /** The `responses` status codes of one operation, read from the YAML text. */
  const statuses = (operationId: string): string[] => {
    const start = schema.indexOf(`operationId: ${operationId}`)
    const rest = schema.slice(start + 1)
    const end = rest.search(/\n {4}(get|put|delete|post):|\n {2}\/pat|\ncomponents:/)
    return [...rest.slice(0, end).matchAll(/^ {8}'(\d{3})':/gm)].map((m) => m[1]!)
  }

  it.each([
    ['listTables', '/pat/tables?currency=JPY'],
    ['getTable', '/pat/tables/T7?receipt=maybe'],
  ])('%s: every status the fake answers is declared in the schema', async (operationId, path) => {
    const h = withTable()
    const answer = await h.call(pat('GET', path))
    expect(answer.status).toBe(422)
    expect(statuses(operationId)).toContain(String(answer.status))
  })
})

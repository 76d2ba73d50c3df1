import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { tableControl } from '../../src/mock/control.js'
import { Refusal } from '../../src/mock/domain/errors.js'
import { ConnectModel } from '../../src/mock/domain/model.js'
import { createConnectSession } from '../../src/mock/ws/index.js'
import {
  BILL,
  type EposTable,
  harnessPerTest,
  restaurant,
  SETTINGS,
  TERMINALS,
} from './ws-harness.js'

const harness = harnessPerTest({ integration: 'pat' })

const table12 = (): EposTable => ({
  tableName: '12',
  amount: 4500,
  currency: 'GBP',
  waiterIds: ['W1', 'W2'],
})

describe('WebSocket pay at table: a visit', () => {
  it('asks for the tables, the lock and the bill, charges the card, reports it and unlocks', async () => {
    const h = harness()
    const outcome = await h.visit('T1', {}, restaurant([table12()]))
    expect(h.sent.map((m) => m.method)).toEqual([
      'tableListRequest',
      'tableLockRequest',
      'posReceiptRequest',
      'transactionResponse',
      'tableUnlock',
    ])
    expect(h.sent.slice(0, 3)).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'tableListRequest', params: { tid: 'T1' } },
      { jsonrpc: '2.0', id: 2, method: 'tableLockRequest', params: { tid: 'T1', tableName: '12' } },
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'posReceiptRequest',
        params: { tid: 'T1', tableName: '12' },
      },
    ])
    const payment = h.sent[3]!.params
    expect(payment).toMatchObject({
      tid: 'T1',
      tableName: '12',
      transactionResult: 'SUCCESSFUL',
      transactionType: 'SALE',
      currency: 'GBP',
      amountBase: 4500,
      amountTotal: 4500,
      cardholderVerificationMethod: 'PIN',
    })
    expect(h.sent[4]).toEqual({
      jsonrpc: '2.0',
      method: 'tableUnlock',
      params: { tid: 'T1', tableName: '12' },
    })
    expect(outcome).toEqual({ tid: 'T1', status: 'paid', tableName: '12', bill: BILL, payment })
    // The card took the terminal's steps; nothing about them was pushed (no terminal notifications).
    const [, , billAsked, paid] = h.times
    expect(paid! - billAsked!).toBeGreaterThan(SETTINGS.stepMs)
    expect(h.sent.some((m) => m.method === 'terminalNotification')).toBe(false)
  })

  it('books the payment in the shared ledger as a table payment, credited to the first waiter', async () => {
    const h = harness()
    await h.visit('T1', { amount: 2000 }, restaurant([table12()]))
    expect(h.model.ledger.entries).toEqual([
      expect.objectContaining({
        tid: 'T1',
        kind: 'table-payment',
        amount: 2000,
        currency: 'GBP',
        result: 'SUCCESSFUL',
        waiterId: 'W1',
      }),
    ])
    expect(h.sentWith('transactionResponse')[0]!.params.amountBase).toBe(2000)
    expect(h.model.getTerminal('T1', h.clock.now()).status).toBe('AVAILABLE')
  })

  it('takes the first unlocked table in its currency with something left to pay', async () => {
    const h = harness()
    const tables: EposTable[] = [
      { tableName: 'terrace', amount: 900, currency: 'EUR' },
      { tableName: '3', amount: 900, currency: 'GBP', locked: true },
      { tableName: '4', amount: 900, amountPaid: 900, currency: 'GBP' },
      { tableName: '5', amount: 900, amountPaid: 400, currency: 'GBP' },
    ]
    const gbp = await h.visit('T1', {}, restaurant(tables))
    expect(gbp).toMatchObject({ status: 'paid', tableName: '5' })
    expect(gbp.status === 'paid' && gbp.payment.amountBase).toBe(500)
    const eur = await h.visit('T2', {}, restaurant(tables))
    expect(eur).toMatchObject({ status: 'paid', tableName: 'terrace' })
    expect(h.sentWith('tableUnlock').map((m) => m.params)).toEqual([
      { tid: 'T1', tableName: '5' },
      { tid: 'T2', tableName: 'terrace' },
    ])
  })

  it('runs visits on several terminals at once, each with its own questions', async () => {
    const h = harness()
    const tables: EposTable[] = [
      { tableName: 'A', amount: 1500, currency: 'GBP' },
      { tableName: 'B', amount: 2500, currency: 'EUR' },
    ]
    const epos = restaurant(tables)
    const first = h.tables.visit('T1', {})
    // The harness's EPoS answers T1's questions too, as they come, while it serves T2.
    expect(await h.visit('T2', {}, epos)).toMatchObject({ status: 'paid', tableName: 'B' })
    await h.settle()
    expect(await first).toMatchObject({ status: 'paid', tableName: 'A' })
    const ids = h.sent.filter((m) => 'id' in m).map((m) => [m.params.tid, m.id])
    expect(new Set(ids.map(([, id]) => id)).size).toBe(ids.length)
    expect(
      h.sentWith('transactionResponse').map((m) => [m.params.tid, m.params.amountBase]),
    ).toEqual(
      expect.arrayContaining([
        ['T1', 1500],
        ['T2', 2500],
      ]),
    )
  })
})

describe('WebSocket pay at table: control surface', () => {
  it('ends at once as no-connection when no pat connection is open', async () => {
    const clock = createManualClock()
    const model = new ConnectModel(SETTINGS, TERMINALS)
    const tables = tableControl(model, clock)
    expect(await tables.visit('T1')).toEqual({ tid: 'T1', status: 'no-connection' })
    // A pay-at-counter connection does not take visits.
    const pac = createConnectSession(model, { integration: 'pac', clock, send: () => {} })
    expect(await tables.visit('T1')).toEqual({ tid: 'T1', status: 'no-connection' })
    pac.close()
  })

  it('stops routing visits to a closed connection', async () => {
    const h = harness()
    h.session.close()
    expect(await h.tables.visit('T1')).toEqual({ tid: 'T1', status: 'no-connection' })
    expect(h.sent).toEqual([])
  })

  it('routes visits to the newest connection only', async () => {
    const h = harness()
    const newer: string[] = []
    const session = createConnectSession(h.model, {
      integration: 'pat',
      clock: h.clock,
      send: (text) => newer.push(text),
    })
    h.session.close() // closing the older one must not unplug the newer
    void h.tables.visit('T1')
    expect(newer.map((text) => JSON.parse(text).method)).toEqual(['tableListRequest'])
    expect(h.sent).toEqual([])
    session.close()
  })

  it('refuses bad options with a typed error before anything is sent', () => {
    const h = harness()
    const cases = [
      [{ amount: 0 }, 'amount', 'must be an integer from 1 to 99999999'],
      [{ amount: 12.5 }, 'amount', 'must be an integer from 1 to 99999999'],
      [{ tableName: '' }, 'tableName', 'must be at least 1 characters long'],
      [{ signature: 'maybe' }, 'signature', 'must be one of accept, decline'],
    ] as const
    for (const [request, field, rule] of cases) {
      let error: unknown
      try {
        void h.tables.visit('T1', request as never)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TillkitValidationError)
      expect(error).toMatchObject({ field, rule })
    }
    expect(h.sent).toEqual([])
  })

  it('refuses an unknown, offline or busy terminal, and a second visit on one terminal', async () => {
    const h = harness()
    const refusal = (action: () => unknown) => {
      try {
        action()
      } catch (error) {
        return error instanceof Refusal ? [error.kind, error.message] : error
      }
    }
    expect(refusal(() => h.tables.visit('T9'))).toEqual(['not-found', 'Terminal T9 not found.'])
    expect(refusal(() => h.tables.visit('T3'))).toEqual([
      'unavailable',
      'Terminal T3 is unavailable.',
    ])
    h.model.startTransaction(
      'T2',
      { transactionType: 'SALE', currency: 'EUR', amount: 100 },
      h.clock.now(),
    )
    expect(refusal(() => h.tables.visit('T2'))).toEqual([
      'busy',
      'Terminal T2 is busy processing another request.',
    ])
    const first = h.tables.visit('T1')
    expect(refusal(() => h.tables.visit('T1'))).toEqual([
      'busy',
      'Terminal T1 is already at a table.',
    ])
    h.send({ jsonrpc: '2.0', id: 1, result: { tables: [] } })
    expect(await first).toMatchObject({ status: 'no-table' })
    // The terminal is free again.
    expect(await h.visit('T1', {}, restaurant([table12()]))).toMatchObject({ status: 'paid' })
  })
})

describe('WebSocket pay at table: reports', () => {
  it('pushes a report a waiter prints as a reportResponse notification', async () => {
    const h = harness()
    await h.visit('T1', {}, restaurant([table12()]))
    const summary = h.tables.runReport('T1', 'X_BALANCE')
    const [notification] = h.sentWith('reportResponse')
    expect(notification).toEqual({
      jsonrpc: '2.0',
      method: 'reportResponse',
      params: {
        tid: 'T1',
        reportType: 'X_BALANCE',
        reportTime: new Date(h.clock.now()).toISOString().slice(0, 19),
        reportResult: 'COMPLETE',
        balances: summary.balances,
        banking: summary.banking,
        reportLines: summary.reportLines,
      },
    })
    expect(notification!.params.balances.waiterTotals.W1).toMatchObject({
      totalSalesAmount: 4500,
      totalSalesCount: 1,
    })
    // Still listed for the REST API as before.
    expect(h.model.tables.listReports(h.clock.now()).map((r) => r.reportId)).toEqual([
      summary.reportId,
    ])
  })

  it('pushes nothing when no pat connection is open', () => {
    const h = harness()
    h.session.close()
    h.tables.runReport('T1', 'BANKING')
    expect(h.sent).toEqual([])
  })
})

describe('WebSocket pay at table: JSON-RPC', () => {
  it('refuses pay-at-counter methods, and its own Connect-side methods, as not found', () => {
    const h = harness()
    const ids = [
      h.request('sale', { tid: 'T1', currency: 'GBP', amount: 100 }),
      h.request('connectedTerminals'),
      h.request('tableListRequest', { tid: 'T1' }),
    ]
    expect(ids.map((id) => h.answerTo(id)?.error)).toEqual([
      { code: -32601, message: 'Method not found: sale.' },
      { code: -32601, message: 'Method not found: connectedTerminals.' },
      { code: -32601, message: 'Method not found: tableListRequest.' },
    ])
    expect(h.model.getTerminal('T1', h.clock.now()).status).toBe('AVAILABLE')
  })

  it('is refused the pay-at-table methods on a pay-at-counter connection', () => {
    const h = harness({ integration: 'pac' })
    const ids = ['tableListRequest', 'tableLockRequest', 'posReceiptRequest'].map((method) =>
      h.request(method, { tid: 'T1', tableName: '12' }),
    )
    expect(ids.map((id) => h.answerTo(id)?.error.code)).toEqual([-32601, -32601, -32601])
  })

  it('refuses an answer nobody asked for and ignores an error reply nobody asked for', () => {
    const h = harness()
    h.send({ jsonrpc: '2.0', id: 41, result: { tables: [] } })
    h.send({ jsonrpc: '2.0', id: 42, error: { code: -32603, message: 'eh?' } })
    h.send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })
    expect(h.sent).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'No request with id 41 awaits an answer.' },
      },
    ])
  })

  it('checks its own options', () => {
    const model = new ConnectModel(SETTINGS, TERMINALS)
    const base = { integration: 'pat' as const, clock: createManualClock(), send: () => {} }
    expect(() => createConnectSession(model, { ...base, answerTimeoutMs: 0 })).toThrow(
      'answerTimeoutMs must be above 0.',
    )
    expect(() => createConnectSession(model, { ...base, signatureTimeoutMs: 10_000 })).toThrow(
      RangeError,
    )
  })
})

describe('WebSocket pay at table: close', () => {
  it('ends a visit waiting for an answer as disconnected, and sends nothing more', async () => {
    const h = harness()
    const visit = h.tables.visit('T1')
    h.send({ jsonrpc: '2.0', id: 1, result: { tables: [table12()] } })
    h.session.close()
    expect(await visit).toEqual({ tid: 'T1', status: 'disconnected', tableName: '12' })
    expect(h.sentWith('tableUnlock')).toEqual([])
    expect(h.clock.pending).toBe(0)
  })

  it('ends a visit whose card payment runs as disconnected; the terminal finishes on its own', async () => {
    const h = harness()
    const epos = restaurant([table12()])
    const visit = h.tables.visit('T1')
    for (const id of [1, 2, 3]) h.send(epos(h.sent.find((m) => m.id === id)!))
    const sentBefore = h.sent.length
    await h.clock.runNext()
    h.session.close()
    const outcome = await visit
    expect(outcome).toEqual({
      tid: 'T1',
      status: 'disconnected',
      tableName: '12',
      requestId: expect.any(String),
    })
    await h.clock.advance(60_000)
    expect(h.sent).toHaveLength(sentBefore)
    const requestId = outcome.status === 'disconnected' ? outcome.requestId! : ''
    const run = h.model.terminal('T1', h.clock.now()).transactions.get(requestId)
    expect(run?.outcome?.transactionResult).toBe('SUCCESSFUL')
    expect(h.model.ledger.entries.map((e) => e.kind)).toEqual(['table-payment'])
  })
})

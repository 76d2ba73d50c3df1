import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { ConnectModel } from '../../src/mock/domain/model.js'
import { createConnectSession } from '../../src/mock/ws/index.js'
import { harnessPerTest, SETTINGS, TERMINALS } from './ws-harness.js'

const harness = harnessPerTest()

describe('WebSocket pay at counter: JSON-RPC envelope', () => {
  it('answers text that is not JSON with a parse error and a null id', () => {
    const h = harness()
    h.send('{"jsonrpc": "2.0", "id": 1, "method":')
    expect(h.sent).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: not JSON.' } },
    ])
  })

  it.each([
    ['a batch', [{ jsonrpc: '2.0', id: 1, method: 'connectedTerminals' }], null, /batches/],
    ['a bare value', 42, null, /JSON object/],
    ['a wrong version', { jsonrpc: '1.0', id: 3, method: 'connectedTerminals' }, 3, /"2.0"/],
    ['a method that is not a string', { jsonrpc: '2.0', id: 4, method: 7 }, 4, /method/],
    ['a request without id', { jsonrpc: '2.0', method: 'connectedTerminals' }, null, /id must/],
    ['an id out of range', { jsonrpc: '2.0', id: 1_000_000, method: 'report' }, null, /id must/],
    ['a message with neither method nor result', { jsonrpc: '2.0', id: 5 }, 5, /needs a method/],
  ])('refuses %s as an invalid request', (_name, message, id, reason) => {
    const h = harness()
    h.send(message)
    expect(h.sent).toHaveLength(1)
    expect(h.sent[0]).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600 } })
    expect(h.sent[0]!.error.message).toMatch(reason)
  })

  it('refuses methods it does not know, pay-at-table ones included', () => {
    const h = harness()
    const ids = [h.request('launchRocket', {}), h.request('tableList', {})]
    expect(ids.map((id) => h.answerTo(id)?.error)).toEqual([
      { code: -32601, message: 'Method not found: launchRocket.' },
      { code: -32601, message: 'Method not found: tableList.' },
    ])
  })

  it('checks params with the generated validators and says what is wrong', () => {
    const h = harness()
    const zero = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 0 })
    const extra = h.request('refund', { tid: 'T1', currency: 'GBP', amount: 5, amountCashback: 1 })
    const missing = h.request('terminalDetails', {})
    const badType = h.request('report', { tid: 'T1', reportType: 'WEEKLY' })
    const messages = [zero, extra, missing, badType].map((id) => h.answerTo(id)?.error)
    expect(messages.every((e) => e.code === -32602)).toBe(true)
    expect(messages[0].message).toBe('Invalid params for sale: params.amount must be >= 1.')
    expect(messages[1].message).toMatch(
      /params \(amountCashback\) must NOT have additional properties/,
    )
    expect(messages[2].message).toMatch(/must have required property 'tids'/)
    expect(messages[3].message).toMatch(
      /params.reportType must be equal to one of the allowed values \["END_OF_DAY"/,
    )
    // Nothing was started.
    expect(h.model.getTerminal('T1', h.clock.now()).status).toBe('AVAILABLE')
  })
})

describe('WebSocket pay at counter: terminals', () => {
  it('lists the connected terminals', () => {
    const h = harness()
    const id = h.request('connectedTerminals')
    expect(h.answerTo(id)).toEqual({
      jsonrpc: '2.0',
      id,
      result: {
        terminals: [
          { tid: 'T1', status: 'AVAILABLE', currency: 'GBP' },
          { tid: 'T2', status: 'AVAILABLE', currency: 'EUR' },
        ],
      },
    })
  })

  it('describes the terminals asked for, one busy while it runs a transaction', () => {
    const h = harness()
    const idle = h.request('terminalDetails', { tids: ['T2'] })
    h.request('sale', { tid: 'T2', currency: 'EUR', amount: 500 })
    const busy = h.request('terminalDetails', { tids: ['T2', 'T1'] })
    expect(h.answerTo(idle)?.result).toEqual({
      terminals: [{ tid: 'T2', status: 'AVAILABLE', currency: 'EUR' }],
    })
    expect(h.answerTo(busy)?.result).toEqual({
      terminals: [
        { tid: 'T2', status: 'BUSY', currency: 'EUR' },
        { tid: 'T1', status: 'AVAILABLE', currency: 'GBP' },
      ],
    })
  })

  it('maps each model refusal to its error code', () => {
    const h = harness()
    h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    const cases = {
      busy: h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 }),
      unavailable: h.request('terminalDetails', { tids: ['T3'] }),
      unknown: h.request('report', { tid: 'T9', reportType: 'X_BALANCE' }),
      wrongCurrency: h.request('sale', { tid: 'T2', currency: 'GBP', amount: 1000 }),
      nothingToCancel: h.request('cancelTransaction', { tid: 'T2' }),
      cancelUnknown: h.request('cancelTransaction', { tid: 'T9' }),
      cancelOffline: h.request('cancelTransaction', { tid: 'T3' }),
    }
    const errors = Object.fromEntries(
      Object.entries(cases).map(([name, id]) => [name, h.answerTo(id)?.error]),
    )
    expect(errors).toEqual({
      busy: { code: -32001, message: 'Terminal T1 is busy processing another request.' },
      unavailable: { code: -32002, message: 'Terminal T3 is unavailable.' },
      unknown: { code: -32003, message: 'Terminal T9 not found.' },
      wrongCurrency: {
        code: -32602,
        message: "currency GBP does not match the terminal's currency EUR.",
      },
      nothingToCancel: { code: -32602, message: 'No transaction is running on terminal T2.' },
      cancelUnknown: { code: -32003, message: 'Terminal T9 not found.' },
      cancelOffline: { code: -32002, message: 'Terminal T3 is unavailable.' },
    })
  })

  it('answers a failure that is not a refusal with an internal error', () => {
    class BrokenModel extends ConnectModel {
      override listTerminals(): never {
        throw new Error('terminal registry unreachable')
      }
    }
    const h = harness({ model: new BrokenModel(SETTINGS, TERMINALS) })
    const id = h.request('connectedTerminals', {})
    expect(h.answerTo(id)?.error).toEqual({
      code: -32603,
      message: 'Internal error: terminal registry unreachable',
    })
  })
})

describe('WebSocket pay at counter: options', () => {
  it.each([0, 10_000, 20_000])('refuses a signature window of %i ms', (ms) => {
    const model = new ConnectModel(SETTINGS, TERMINALS)
    const options = { integration: 'pac' as const, clock: createManualClock(), send: () => {} }
    expect(() => createConnectSession(model, { ...options, signatureTimeoutMs: ms })).toThrow(
      /below the terminal's window \(10000 ms\)/,
    )
  })
})

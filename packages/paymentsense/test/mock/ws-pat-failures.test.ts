import { describe, expect, it } from 'vitest'
import { PAT_ANSWER_TIMEOUT_MS } from '../../src/mock/ws/pat.js'
import {
  type EposTable,
  FINAL_RECEIPT,
  harnessPerTest,
  type Message,
  restaurant,
  wsHarness,
} from './ws-harness.js'

const harness = harnessPerTest({ integration: 'pat' })

const table12 = (amount = 4500): EposTable => ({ tableName: '12', amount, currency: 'GBP' })

const silent = () => undefined
const errorReply = (request: Message) => ({
  jsonrpc: '2.0',
  id: request.id,
  error: { code: -32000, message: 'till offline' },
})
/** A well-formed envelope whose result breaks the method's schema. */
const malformed = (request: Message) => ({ jsonrpc: '2.0', id: request.id, result: { nope: 1 } })

/** Time at which Connect sent its last request with `method`. */
const askedAt = (h: ReturnType<typeof wsHarness>, method: string) =>
  h.times[h.sent.map((m) => m.method).lastIndexOf(method)]!

describe('WebSocket pay at table: the EPoS does not answer properly', () => {
  const questions = ['tableListRequest', 'tableLockRequest', 'posReceiptRequest'] as const

  it.each(questions)('gives the visit up when %s goes unanswered', async (question) => {
    const h = harness()
    const outcome = await h.visit('T1', {}, restaurant([table12()], { [question]: silent }))
    expect(outcome).toEqual({
      tid: 'T1',
      status: 'no-answer',
      question,
      ...(question !== 'tableListRequest' && { tableName: '12' }),
    })
    const unlock = h.sentWith('tableUnlock')
    // Unlocked unless the lock was never asked for: a lock answer that never came may still
    // have locked the table.
    expect(unlock).toHaveLength(question === 'tableListRequest' ? 0 : 1)
    if (unlock.length) {
      expect(h.times.at(-1)).toBe(askedAt(h, question) + PAT_ANSWER_TIMEOUT_MS)
    }
    expect(h.model.ledger.entries).toEqual([])
    expect(h.clock.pending).toBe(0)
  })

  it.each(questions)('gives the visit up when %s gets an error reply', async (question) => {
    const h = harness()
    const outcome = await h.visit('T1', {}, restaurant([table12()], { [question]: errorReply }))
    expect(outcome).toMatchObject({
      tid: 'T1',
      status: 'error-reply',
      question,
      error: { code: -32000, message: 'till offline' },
    })
    // An EPoS that refused the lock did not lock: only a refused bill leaves a table to release.
    expect(h.sentWith('tableUnlock')).toHaveLength(question === 'posReceiptRequest' ? 1 : 0)
    expect(h.model.ledger.entries).toEqual([])
    expect(h.clock.pending).toBe(0)
  })

  it.each(questions)(
    'gives the visit up, and says why, when %s gets an invalid answer',
    async (question) => {
      const h = harness()
      const outcome = await h.visit('T1', {}, restaurant([table12()], { [question]: malformed }))
      expect(outcome).toMatchObject({ tid: 'T1', status: 'invalid-answer', question })
      const [error] = h.sent.filter((m) => 'error' in m)
      expect(error).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32602 } })
      expect(error!.error.message).toMatch(new RegExp(`^Invalid answer to ${question}: `))
      expect(outcome.status === 'invalid-answer' && outcome.reason).toBe(
        error!.error.message.replace(`Invalid answer to ${question}: `, '').replace(/\.$/, ''),
      )
      expect(h.sentWith('tableUnlock')).toHaveLength(question === 'tableListRequest' ? 0 : 1)
      expect(h.model.ledger.entries).toEqual([])
    },
  )

  it('waits as long as the session was told to', async () => {
    const h = harness({ answerTimeoutMs: 5_000 })
    await h.visit('T1', {}, silent)
    expect(h.sent.map((m) => m.method)).toEqual(['tableListRequest'])
    expect(h.clock.now() - askedAt(h, 'tableListRequest')).toBe(5_000)
  })

  it('refuses a lock answer about another table, then releases what it may have locked', async () => {
    const h = harness()
    const wrongTable = (request: Message) => ({
      jsonrpc: '2.0',
      id: request.id,
      result: { locked: true, table: { tableName: '13', amount: 100, currency: 'GBP' } },
    })
    const outcome = await h.visit(
      'T1',
      {},
      restaurant([table12()], { tableLockRequest: wrongTable }),
    )
    const reason = 'the locked table is 13 in GBP, not 12 in GBP'
    expect(outcome).toEqual({
      tid: 'T1',
      status: 'invalid-answer',
      question: 'tableLockRequest',
      tableName: '12',
      reason,
    })
    expect(h.sent.slice(-2)).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32602, message: `Invalid answer to tableLockRequest: ${reason}.` },
      },
      { jsonrpc: '2.0', method: 'tableUnlock', params: { tid: 'T1', tableName: '12' } },
    ])
  })

  it('refuses a lock answer in another currency', async () => {
    const h = harness()
    const euros = (request: Message) => ({
      jsonrpc: '2.0',
      id: request.id,
      result: { locked: true, table: { ...table12(), currency: 'EUR' } },
    })
    const outcome = await h.visit('T1', {}, restaurant([table12()], { tableLockRequest: euros }))
    expect(outcome).toMatchObject({
      status: 'invalid-answer',
      reason: 'the locked table is 12 in EUR, not 12 in GBP',
    })
  })
})

describe('WebSocket pay at table: the visit stops short', () => {
  it('ends as lock-refused when the EPoS keeps the table, and unlocks nothing', async () => {
    const h = harness()
    const outcome = await h.visit(
      'T1',
      { tableName: '12' },
      restaurant([{ ...table12(), locked: true }]),
    )
    expect(outcome).toEqual({ tid: 'T1', status: 'lock-refused', tableName: '12' })
    expect(h.sent.map((m) => m.method)).toEqual(['tableListRequest', 'tableLockRequest'])
  })

  it.each([
    ['a table it does not list', { tableName: '99' }, 'Table 99 is not listed in GBP.'],
    ['a table in another currency', { tableName: 'T' }, 'Table T is not listed in GBP.'],
    [
      'nothing particular when every table is paid or locked',
      {},
      'No open table in GBP has anything left to pay.',
    ],
  ])('ends as no-table when the waiter looks for %s', async (_name, request, reason) => {
    const h = harness()
    const tables: EposTable[] = [
      { tableName: 'T', amount: 500, currency: 'EUR' },
      { tableName: '1', amount: 500, amountPaid: 500, currency: 'GBP' },
      { tableName: '2', amount: 500, currency: 'GBP', locked: true },
    ]
    const outcome = await h.visit('T1', request, restaurant(tables))
    expect(outcome).toEqual({ tid: 'T1', status: 'no-table', ...request, reason })
    expect(h.sent.map((m) => m.method)).toEqual(['tableListRequest'])
  })

  it.each([
    [
      'more than is left',
      { amount: 3000 },
      2000,
      'Table 12 has 2000 left to pay: 3000 cannot be taken.',
    ],
    ['a settled table', {}, 0, 'Table 12 has 0 left to pay: 0 cannot be taken.'],
  ])(
    'ends as amount-refused for %s, and unlocks the table',
    async (_name, request, left, reason) => {
      const h = harness()
      const table = { ...table12(), amountPaid: 4500 - left }
      const outcome = await h.visit('T1', { tableName: '12', ...request }, restaurant([table]))
      expect(outcome).toEqual({ tid: 'T1', status: 'amount-refused', tableName: '12', reason })
      expect(h.sent.map((m) => m.method)).toEqual([
        'tableListRequest',
        'tableLockRequest',
        'tableUnlock',
      ])
    },
  )

  it('ends as terminal-refused when the terminal cannot start the payment', async () => {
    const h = harness()
    const epos = restaurant([table12()])
    const outcome = await h.visit('T1', {}, (request) => {
      // The terminal drops off the network while the EPoS prepares the bill.
      if (request.method === 'posReceiptRequest')
        h.model.terminal('T1', h.clock.now()).connected = false
      return epos(request)
    })
    expect(outcome).toEqual({
      tid: 'T1',
      status: 'terminal-refused',
      tableName: '12',
      reason: 'Terminal T1 is unavailable.',
    })
    expect(h.sent.at(-1)?.method).toBe('tableUnlock')
    expect(h.model.ledger.entries).toEqual([])
  })
})

describe('WebSocket pay at table: the card payment', () => {
  it('reports a declined card as not-paid, in the ledger as a declined table payment', async () => {
    const h = harness({ finalPosReceiptRequest: true })
    const outcome = await h.visit('T1', {}, restaurant([table12(4504)])) // pence 04: declined
    expect(outcome).toMatchObject({ status: 'not-paid', tableName: '12' })
    expect(outcome.status === 'not-paid' && outcome.payment.transactionResult).toBe('DECLINED')
    // Nothing was taken: no final receipt, even on a connection that asked for them.
    expect(outcome).not.toHaveProperty('finalReceipt')
    expect(h.sent.map((m) => m.method).slice(-2)).toEqual(['transactionResponse', 'tableUnlock'])
    expect(h.model.ledger.entries.map((e) => [e.kind, e.result])).toEqual([
      ['table-payment', 'DECLINED'],
    ])
  })

  it.each([
    ['accepts', {}, 'SUCCESSFUL', ['table-payment']],
    ['declines', { signature: 'decline' as const }, 'VOID', ['table-payment', 'reversal']],
  ])(
    'lets the waiter decide a signature on the terminal (%s)',
    async (_name, request, result, kinds) => {
      const h = harness()
      const outcome = await h.visit('T1', request, restaurant([table12(4503)])) // pence 03: signature
      expect(outcome.status === 'paid' || outcome.status === 'not-paid').toBe(true)
      const payment = h.sentWith('transactionResponse')[0]!.params
      expect(payment).toMatchObject({
        transactionResult: result,
        cardholderVerificationMethod: 'SIGNATURE',
      })
      // No signature question goes to the EPoS on pay at table.
      expect(h.sent.some((m) => m.method === 'signatureVerificationRequest')).toBe(false)
      expect(h.model.ledger.entries.map((e) => e.kind)).toEqual(kinds)
      // Decided at once: well inside the terminal's 10 s window.
      expect(h.clock.now() - askedAt(h, 'posReceiptRequest')).toBeLessThan(5_000)
    },
  )
})

describe('WebSocket pay at table: final POS receipt', () => {
  it('asks for it between the payment and the unlock when the connection opted in', async () => {
    const h = harness({ finalPosReceiptRequest: true })
    const outcome = await h.visit('T1', {}, restaurant([table12()]))
    expect(h.sent.map((m) => m.method).slice(-3)).toEqual([
      'transactionResponse',
      'finalPosReceiptRequest',
      'tableUnlock',
    ])
    expect(h.sentWith('finalPosReceiptRequest')[0]).toEqual({
      jsonrpc: '2.0',
      id: 4,
      method: 'finalPosReceiptRequest',
      params: { tid: 'T1', tableName: '12' },
    })
    expect(outcome).toMatchObject({
      status: 'paid',
      finalReceipt: { status: 'printed', receiptLines: FINAL_RECEIPT },
    })
  })

  it('never asks for it otherwise', async () => {
    const h = harness({ finalPosReceiptRequest: false })
    const outcome = await h.visit('T1', {}, restaurant([table12()]))
    expect(h.sentWith('finalPosReceiptRequest')).toEqual([])
    expect(outcome).toMatchObject({ status: 'paid' })
    expect(outcome).not.toHaveProperty('finalReceipt')
  })

  it.each([
    ['silence', silent, { status: 'no-answer' }],
    ['an error reply', errorReply, { status: 'error-reply', error: { code: -32000 } }],
    ['an invalid answer', malformed, { status: 'invalid-answer' }],
  ])(
    'keeps the payment when the receipt meets %s, and still unlocks',
    async (_name, answer, receipt) => {
      const h = harness({ finalPosReceiptRequest: true })
      const outcome = await h.visit(
        'T1',
        {},
        restaurant([table12()], { finalPosReceiptRequest: answer }),
      )
      expect(outcome).toMatchObject({
        status: 'paid',
        finalReceipt: { ...receipt, question: 'finalPosReceiptRequest' },
      })
      expect(h.sent.at(-1)).toEqual({
        jsonrpc: '2.0',
        method: 'tableUnlock',
        params: { tid: 'T1', tableName: '12' },
      })
      expect(h.model.ledger.entries.map((e) => e.result)).toEqual(['SUCCESSFUL'])
    },
  )
})

import {
  MAX_PENDING,
  MAX_RETIRED,
  TillkitNetworkError,
  TillkitProtocolError,
  TillkitRpcError,
  TillkitTimeoutError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  type LateResponse,
} from '@tillkit/paymentsense/ws'
import { describe, expect, it } from 'vitest'
import { nextFreeId } from '../../src/ws/wire.js'
import {
  connected,
  connectedAs,
  flush,
  outcome,
  payment,
  terminalNotification,
} from './scripted-socket.js'

const SALE = { tid: 'T1', currency: 'GBP', amount: 1200 } as const

describe('request', () => {
  it('sends the JSON-RPC request and resolves with the validated result; notifications arrive typed', async () => {
    const { connection, socket } = await connected()
    const seen: string[] = []
    connection.on('terminalNotification', (params) =>
      seen.push(`${params.tid} ${params.notificationValue}`),
    )
    const sale = connection.request('sale', { ...SALE, amountCashback: 500 })
    expect(socket.messages).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'sale',
        params: { tid: 'T1', currency: 'GBP', amount: 1200, amountCashback: 500 },
      },
    ])
    socket.receive(terminalNotification('T1', 'PRESENT_CARD'))
    // Values outside the known set are passed on, not refused.
    socket.receive(terminalNotification('T1', 'SOMETHING_NEW'))
    socket.answer(1, payment({ amountCashback: 500, amountTotal: 1700 }))
    const result = await sale
    expect(result.transactionResult).toBe('SUCCESSFUL')
    expect(result.amountTotal).toBe(1700)
    expect(seen).toEqual(['T1 PRESENT_CARD', 'T1 SOMETHING_NEW'])
  })

  it('every method reaches the socket with its own name and params; connectedTerminals sends no params', async () => {
    const { connection, socket } = await connected()
    const terminals = { terminals: [{ tid: 'T1', status: 'AVAILABLE', currency: 'GBP' }] }
    const calls: Array<[string, unknown, unknown]> = [
      ['connectedTerminals', undefined, terminals],
      ['terminalDetails', { tids: ['T1'] }, terminals],
      ['cancelTransaction', { tid: 'T1' }, 'cancelling'],
      ['refund', { ...SALE, cardholderNotPresent: true }, payment({ transactionType: 'REFUND' })],
      ['preAuth', SALE, payment({ transactionType: 'PRE_AUTH' })],
      ['completion', { ...SALE, authCode: 'A1' }, payment({ transactionType: 'COMPLETION' })],
      [
        'accountVerification',
        { ...SALE, amount: 0 },
        payment({ transactionType: 'ACCOUNT_VERIFICATION' }),
      ],
      ['duplicate', { tid: 'T1' }, payment()],
      [
        'report',
        { tid: 'T1', reportType: 'X_BALANCE' },
        {
          tid: 'T1',
          reportType: 'X_BALANCE',
          reportTime: '2026-01-01T00:00:00',
          reportResult: 'COMPLETE',
          balances: {},
          banking: {},
          reportLines: [],
        },
      ],
    ]
    for (const [method, params, result] of calls) {
      const answer = (connection.request as (m: string, p?: unknown) => Promise<unknown>)(
        method,
        params,
      )
      const sent = socket.last!
      expect(sent.method).toBe(method)
      expect('params' in sent ? sent.params : undefined).toEqual(params)
      socket.answer(sent.id as number, result)
      expect(await answer).toEqual(result)
    }
    // Ids are unique and increase.
    expect(socket.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it.each([
    ['sale', { ...SALE, amount: 0 }, 'params.amount', 'must be an integer from 1 to 99999999'],
    ['sale', { ...SALE, currency: 'USD' }, 'params.currency', 'must be one of GBP, EUR'],
    [
      'sale',
      { ...SALE, amountCashback: 10_001 },
      'params.amountCashback',
      'must be an integer from 0 to 10000',
    ],
    ['refund', { ...SALE, amountCashback: 100 }, 'params.amountCashback', 'only allowed for SALE'],
    ['sale', { ...SALE, authCode: 'x' }, 'params.authCode', 'only allowed for COMPLETION'],
    ['sale', { ...SALE, tid: '' }, 'params.tid', 'must be at least 1 characters long'],
    ['completion', SALE, 'params.authCode', 'must be a string'],
    [
      'accountVerification',
      { ...SALE, amount: -1 },
      'params.amount',
      'must be an integer from 0 to 99999999',
    ],
    [
      'report',
      { tid: 'T1', reportType: 'DAILY' },
      'params.reportType',
      'must be one of END_OF_DAY, BANKING, X_BALANCE, Z_BALANCE',
    ],
    // What the rules leave to the generated validator: fields the method does not take.
    ['sale', { ...SALE, tip: 5 }, 'params.tip', 'is not allowed'],
    [
      'preAuth',
      { ...SALE, cardholderNotPresent: true },
      'params.cardholderNotPresent',
      'is not allowed',
    ],
    ['connectedTerminals', { all: true }, 'params.all', 'is not allowed'],
    ['terminalDetails', undefined, 'params', 'must be an object'],
    ['sale', [SALE], 'params', 'must be an object'],
    [
      'teleport',
      {},
      'method',
      'must be one of connectedTerminals, terminalDetails, cancelTransaction, sale, refund, preAuth, completion, accountVerification, duplicate, report',
    ],
  ])('%s %j is refused before sending: %s %s', async (method, params, field, rule) => {
    const { connection, socket } = await connected()
    const send = connection.request as (m: string, p?: unknown) => Promise<unknown>
    const error = (await send(method, params).catch((e: unknown) => e)) as TillkitValidationError
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect([error.field, error.rule]).toEqual([field, rule])
    expect(error.mayHaveReachedProvider).toBe(false)
    expect(socket.sent).toEqual([])
  })

  it('type errors the rules leave to the generated validator are named too', async () => {
    const { connection } = await connected()
    const error = await connection
      .request('sale', { ...SALE, cardholderNotPresent: 'yes' as never })
      .catch((e: any) => e)
    expect(error).toMatchObject({ field: 'params.cardholderNotPresent', rule: 'must be a boolean' })
    const enumError = await connection
      .request('sale', { ...SALE, tid: 5 as never })
      .catch((e: any) => e)
    expect(enumError).toMatchObject({ field: 'params.tid', rule: 'must be a string' })
  })

  it('pay at table has no EPoS requests', async () => {
    const { connection } = await connectedAs('pat')
    const error = await (connection.request as (m: string) => Promise<unknown>)('sale').catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ field: 'method', rule: 'pat has no requests from the EPoS' })
  })

  it('a message above maxMessageBytes is refused, not sent', async () => {
    const { connection, socket } = await connected({ maxMessageBytes: 1_024 })
    const error = await connection
      .request('sale', { ...SALE, tid: 'T'.repeat(1_000) })
      .catch((e: any) => e)
    expect(error).toMatchObject({ field: 'params', rule: 'the message must be at most 1024 bytes' })
    expect(socket.sent).toEqual([])
  })

  it('while not open nothing is sent: a network error that never reached Connect', async () => {
    const { connection, socket } = await connected()
    socket.drop()
    expect(connection.state).toBe('reconnecting')
    const error = await connection.request('sale', SALE).catch((e: any) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error.message).toBe('sale was not sent: the connection is reconnecting')
    expect(error.outcomeUnknown).toBe(false)
  })

  it('a socket that is no longer open (close not yet reported) is not written to', async () => {
    const { connection, socket } = await connected()
    socket.readyState = 2
    const error = await connection.request('sale', SALE).catch((e: any) => e)
    expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: false })
    expect(socket.sent).toEqual([])
  })

  it('a send that throws rejects as not sent, and its id is not held', async () => {
    const { connection, socket } = await connected()
    socket.sendThrows = new Error('socket gone')
    const error = await connection.request('sale', SALE).catch((e: any) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error.message).toBe('sale was not sent')
    expect(error.cause.message).toBe('socket gone')
    expect(error.mayHaveReachedProvider).toBe(false)
    socket.sendThrows = undefined
    void connection.request('connectedTerminals')
    expect(socket.last!.id).toBe(1)
  })

  it(`at most ${MAX_PENDING} requests await an answer at once`, async () => {
    const { connection, socket } = await connected()
    for (let i = 0; i < MAX_PENDING; i++)
      void connection.request('terminalDetails', { tids: ['T1'] }).catch(() => {})
    const error = await connection.request('connectedTerminals').catch((e: any) => e)
    expect(error).toMatchObject({
      field: 'request',
      rule: `at most ${MAX_PENDING} requests may await an answer on one connection`,
    })
    expect(socket.sent).toHaveLength(MAX_PENDING)
  })
})

describe('ids', () => {
  it('wrap from 999999 to 0 and skip ids in use', () => {
    expect(nextFreeId(0, () => false)).toBe(1)
    expect(nextFreeId(999_999, () => false)).toBe(0)
    const taken = new Set([999_999, 0, 1])
    expect(nextFreeId(999_998, (id) => taken.has(id))).toBe(2)
  })

  it('an id still awaiting an answer is not reused', async () => {
    const { connection, socket } = await connected()
    void connection.request('sale', SALE)
    void connection.request('connectedTerminals')
    socket.answer(2, { terminals: [] })
    await flush()
    void connection.request('connectedTerminals')
    expect(socket.messages.map((m) => m.id)).toEqual([1, 2, 3])
  })
})

describe('answers', () => {
  it('a JSON-RPC error answer rejects with a TillkitRpcError naming the method (a definite refusal)', async () => {
    const { connection, socket, errors } = await connected()
    const sale = connection.request('sale', SALE)
    socket.receive({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32001, message: 'Terminal busy', data: { tid: 'T1' } },
    })
    const error = await sale.catch((e: any) => e)
    expect(error).toBeInstanceOf(TillkitRpcError)
    expect(error).toMatchObject({
      rpcCode: -32001,
      rpcMessage: 'Terminal busy',
      method: 'sale',
      data: { tid: 'T1' },
    })
    expect(error.outcomeUnknown).toBe(false)
    expect(errors).toEqual([])
  })

  it('an internal error answering a payment leaves its outcome unknown; answering a read it is a plain RPC error', async () => {
    const { connection, socket } = await connected()
    const sale = connection.request('sale', SALE)
    const details = connection.request('terminalDetails', { tids: ['T1'] })
    socket.receive({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } })
    socket.receive({ jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'Internal error' } })
    const error = await sale.catch((e: any) => e)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error.reason).toBe('internal error')
    expect(error.cause).toMatchObject({ rpcCode: -32603 })
    expect(await details.catch((e: any) => e)).toBeInstanceOf(TillkitRpcError)
  })

  it('an invalid result rejects a read with a protocol error and is reported', async () => {
    const { connection, socket, errors } = await connected()
    const details = connection.request('terminalDetails', { tids: ['T1'] })
    socket.answer(1, { terminals: [{ tid: 'T1', status: 'ASLEEP', currency: 'GBP' }] })
    const error = await details.catch((e: any) => e)
    expect(error).toBeInstanceOf(TillkitProtocolError)
    expect(error.fault).toBe('invalid')
    expect(error.message).toMatch(
      /^The answer to terminalDetails \(id 1\) is invalid: result\.terminals\.0\.status must be equal to one of the allowed values/,
    )
    expect(errors).toEqual([error])
  })

  it('an invalid result to a payment is an unknown outcome: the terminal may have charged', async () => {
    const { connection, socket, errors } = await connected()
    const sale = connection.request('sale', SALE)
    socket.answer(1, payment({ transactionResult: undefined }))
    const error = await sale.catch((e: any) => e)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error).toMatchObject({
      operation: 'sale',
      reason: 'invalid answer',
      known: { tid: 'T1', amount: 1200 },
    })
    // Causes are redacted copies (core errors.ts): same name and fields, not the same object.
    expect(error.cause).toMatchObject({ name: 'TillkitProtocolError', fault: 'invalid' })
    expect(errors[0]).toMatchObject({ name: 'TillkitProtocolError', fault: 'invalid' })
  })

  it('an invalid error answer ends its request at once: a payment unknown, a read a protocol error', async () => {
    const { connection, socket, errors } = await connected()
    const sale = connection.request('sale', SALE).catch((e: any) => e)
    const details = connection.request('terminalDetails', { tids: ['T1'] }).catch((e: any) => e)
    // Refusals with one member more than JSON-RPC's error object has.
    for (const id of [1, 2])
      socket.receive({
        jsonrpc: '2.0',
        id,
        error: { code: -32001, message: 'Terminal busy', name: 'TerminalBusy' },
      })
    expect(await sale).toMatchObject({
      name: 'TillkitUnknownOutcomeError',
      reason: 'invalid answer',
      known: { tid: 'T1', amount: 1200 },
    })
    expect(await details).toMatchObject({ name: 'TillkitProtocolError', fault: 'invalid' })
    expect(errors.map((e: any) => e.fault)).toEqual(['invalid', 'invalid'])
  })
})

describe('timeouts', () => {
  it('a read times out after requestTimeoutMs (default 10 s) with a TillkitTimeoutError', async () => {
    const { connection, clock } = await connected({ liveness: false })
    const details = outcome(connection.request('terminalDetails', { tids: ['T1'] }))
    await clock.advance(9_999)
    await flush()
    await clock.advance(1)
    const result = await details
    expect(result.ok).toBe(false)
    expect(result.ok || result.error).toBeInstanceOf(TillkitTimeoutError)
    expect(result.ok || result.error.message).toBe('terminalDetails got no answer within 10000 ms')
  })

  it('a payment times out after paymentTimeoutMs (default 300 s) as an unknown outcome carrying what is known', async () => {
    const { connection, clock, socket } = await connected({ liveness: false })
    const sale = outcome(connection.request('sale', SALE))
    socket.receive(terminalNotification('T2', 'PRESENT_CARD'))
    socket.receive(terminalNotification('T1', 'PIN_ENTRY'))
    await clock.advance(299_999)
    expect(clock.pending).toBe(1)
    await clock.advance(1)
    const result = await sale
    const error = result.ok ? undefined : result.error
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error.outcomeUnknown).toBe(true)
    expect(error.reason).toBe('timeout')
    expect(error.known).toEqual({
      method: 'sale',
      params: SALE,
      tid: 'T1',
      amount: 1200,
      currency: 'GBP',
      lastNotification: 'PIN_ENTRY',
    })
    expect(error.cause).toMatchObject({ name: 'TillkitTimeoutError', timeoutMs: 300_000 })
    expect(error.message).toBe(
      'sale on terminal T1 may have been carried out, but its answer will never come (timeout): do not send it again before checking the terminal',
    )
  })

  it('the answer to a timed-out request comes out as lateResponse (result or error); its id was not reused meanwhile', async () => {
    const { connection, clock, socket, errors } = await connected({
      liveness: false,
      paymentTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
    })
    const late: LateResponse[] = []
    connection.on('lateResponse', (response) => void late.push(response))
    void connection.request('sale', SALE).catch(() => {})
    void connection.request('cancelTransaction', { tid: 'T1' }).catch(() => {})
    await clock.advance(1_000)
    void connection.request('connectedTerminals')
    expect(socket.last!.id).toBe(3)
    socket.answer(1, payment())
    socket.receive({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32002, message: 'Terminal unavailable' },
    })
    expect(late).toEqual([
      { id: 1, method: 'sale', params: SALE, result: payment() },
      {
        id: 2,
        method: 'cancelTransaction',
        params: { tid: 'T1' },
        error: expect.any(TillkitRpcError),
      },
    ])
    expect(late[1]!.error).toMatchObject({ rpcCode: -32002, method: 'cancelTransaction' })
    // Only once: a second answer for the same id is unexpected.
    socket.answer(1, payment())
    expect(errors.map((e) => e.message)).toEqual(['An answer with id 1, which no request awaits'])
  })

  it('an invalid late answer is reported, not passed on', async () => {
    const { connection, clock, socket, errors } = await connected({
      liveness: false,
      paymentTimeoutMs: 1_000,
    })
    const late: unknown[] = []
    connection.on('lateResponse', (response) => void late.push(response))
    void connection.request('sale', SALE).catch(() => {})
    await clock.advance(1_000)
    socket.answer(1, { nonsense: true })
    expect(late).toEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ fault: 'invalid', details: { method: 'sale', id: 1 } })
  })

  it(`at most ${MAX_RETIRED} timed-out ids are remembered, the oldest forgotten first`, async () => {
    const { connection, clock, socket, errors } = await connected({
      liveness: false,
      requestTimeoutMs: 1_000,
    })
    const late: LateResponse[] = []
    connection.on('lateResponse', (response) => void late.push(response))
    const many = (n: number) => {
      for (let i = 0; i < n; i++)
        void connection.request('terminalDetails', { tids: ['T1'] }).catch(() => {})
    }
    many(MAX_RETIRED)
    await clock.advance(1_000)
    many(1)
    await clock.advance(1_000)
    const terminals = { terminals: [] }
    socket.answer(1, terminals)
    socket.answer(2, terminals)
    socket.answer(MAX_RETIRED + 1, terminals)
    expect(errors.map((e) => e.message)).toEqual(['An answer with id 1, which no request awaits'])
    expect(late.map((l) => l.id)).toEqual([2, MAX_RETIRED + 1])
  })
})

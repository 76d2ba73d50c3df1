import { TillkitProtocolError, TillkitValidationError } from '@tillkit/paymentsense/ws'
import { describe, expect, it } from 'vitest'
import { MAX_ASKED } from '../../src/ws/connection.js'
import { connected, connectedAs, flush, signatureRequest } from './scripted-socket.js'

const refusal = (id: number, code: number, message: string) => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
})

describe('Connect-to-EPoS requests', () => {
  it('a signature handler gets the params and its answer goes back with the request id', async () => {
    const { connection, socket, errors } = await connected()
    const asked: unknown[] = []
    connection.handle('signatureVerificationRequest', async (params) => {
      asked.push([params.tid, params.receiptLines.MERCHANT?.[0]?.value])
      return { accepted: false }
    })
    socket.receive(signatureRequest(41))
    await flush()
    expect(asked).toEqual([['T1', 'PLEASE SIGN']])
    expect(socket.messages).toEqual([{ jsonrpc: '2.0', id: 41, result: { accepted: false } }])
    expect(errors).toEqual([])
  })

  it('a request repeated with its id (the same frame twice) goes to the handler once', async () => {
    const { connection, socket, errors, clock, net } = await connected()
    let asked = 0
    connection.handle('signatureVerificationRequest', async () => (asked++, { accepted: true }))
    socket.receive(signatureRequest(41))
    socket.receive(signatureRequest(41))
    await flush()
    expect(asked).toBe(1)
    expect(socket.messages).toEqual([{ jsonrpc: '2.0', id: 41, result: { accepted: true } }])
    expect(errors).toEqual([])
    // A new connection numbers its requests afresh: the same id there is a new question.
    socket.drop(1006, '')
    await clock.advance(1_000)
    net.socket.open()
    net.socket.receive(signatureRequest(41))
    await flush()
    expect(asked).toBe(2)
  })

  it('the ids remembered for repeats are the last MAX_ASKED: memory stays bounded on a socket that never drops', async () => {
    const { connection, socket } = await connected()
    let asked = 0
    connection.handle('signatureVerificationRequest', async () => (asked++, { accepted: true }))
    for (let id = 1; id <= MAX_ASKED + 1; id++) socket.receive(signatureRequest(id))
    await flush()
    expect(asked).toBe(MAX_ASKED + 1)
    // The latest are still known as repeats; the oldest (id 1) has been forgotten.
    socket.receive(signatureRequest(MAX_ASKED + 1))
    socket.receive(signatureRequest(2))
    await flush()
    expect(asked).toBe(MAX_ASKED + 1)
    socket.receive(signatureRequest(1))
    await flush()
    expect(asked).toBe(MAX_ASKED + 2)
  })

  it('a signature request with no handler is left unanswered: Connect accepts it on its timeout', async () => {
    const { socket, errors, logs } = await connected()
    socket.receive(signatureRequest(41))
    await flush()
    expect(socket.sent).toEqual([])
    expect(errors).toEqual([])
    expect(logs.some((l) => l.message === 'tillkit ws: no handler, left unanswered')).toBe(true)
  })

  it('any other request with no handler is refused with -32601', async () => {
    const { socket, errors } = await connectedAs('pat')
    socket.receive({ jsonrpc: '2.0', id: 5, method: 'tableListRequest', params: { tid: 'T1' } })
    expect(socket.messages).toEqual([refusal(5, -32601, 'No handler for tableListRequest')])
    expect(errors).toEqual([])
  })

  it('an unknown method is refused with -32601 and reported', async () => {
    const { socket, errors } = await connected()
    socket.receive({ jsonrpc: '2.0', id: 6, method: 'tableListRequest', params: { tid: 'T1' } })
    expect(socket.messages).toEqual([refusal(6, -32601, 'Method not found: tableListRequest')])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      fault: 'unknown-method',
      message: 'A request tableListRequest that pac does not have',
      details: { method: 'tableListRequest', id: 6 },
    })
  })

  it('invalid params are refused with -32602 and reported; the handler is not called', async () => {
    const { connection, socket, errors } = await connected()
    let called = false
    connection.handle('signatureVerificationRequest', () => ((called = true), { accepted: true }))
    const request = signatureRequest(7)
    socket.receive({ ...request, params: { ...request.params, timeout: 'soon' } })
    await flush()
    expect(called).toBe(false)
    expect(socket.messages).toEqual([
      refusal(7, -32602, 'Invalid params: params.timeout must be number'),
    ])
    expect(errors[0]).toMatchObject({ fault: 'invalid' })
  })

  it('a handler that throws or rejects: -32603 to Connect, a handler error event', async () => {
    const { connection, socket, errors } = await connected()
    let calls = 0
    connection.handle('signatureVerificationRequest', (() => {
      if (++calls === 1) throw new Error('till offline')
      return Promise.reject(new Error('printer jam'))
    }) as never)
    socket.receive(signatureRequest(8))
    socket.receive(signatureRequest(9))
    await flush()
    const internal = 'Internal error: the EPoS could not answer'
    expect(socket.messages).toEqual([refusal(8, -32603, internal), refusal(9, -32603, internal)])
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(TillkitProtocolError)
    expect(errors[0]).toMatchObject({
      fault: 'handler',
      message: 'The signatureVerificationRequest handler failed; Connect was told so',
      cause: { message: 'till offline' },
    })
    expect(errors[1]).toMatchObject({ cause: { message: 'printer jam' } })
  })

  it('an invalid answer is not sent: -32603 instead, and a validation error event naming the field', async () => {
    const { connection, socket, errors } = await connected()
    connection.handle('signatureVerificationRequest', () => ({ accepted: 'yes' }) as never)
    socket.receive(signatureRequest(10))
    await flush()
    expect(socket.messages).toEqual([
      refusal(10, -32603, 'Internal error: the EPoS could not answer'),
    ])
    expect(errors[0]).toBeInstanceOf(TillkitValidationError)
    expect(errors[0]).toMatchObject({
      field: 'signatureVerificationRequest.result.accepted',
      rule: 'must be boolean',
    })
  })

  it('an extra field in the answer is not allowed (Connect refuses anything extra)', async () => {
    const { connection, socket, errors } = await connected()
    connection.handle('signatureVerificationRequest', () => ({ accepted: true, by: 'me' }) as never)
    socket.receive(signatureRequest(11))
    await flush()
    expect(socket.last).toMatchObject({ id: 11, error: { code: -32603 } })
    expect(errors[0]).toMatchObject({
      field: 'signatureVerificationRequest.result.by',
      rule: 'is not allowed',
    })
  })

  it('an answer above maxMessageBytes is not sent: -32603 instead', async () => {
    const { connection, socket, errors } = await connectedAs('pat', { maxMessageBytes: 1_024 })
    connection.handle('posReceiptRequest', () => ({
      receiptLines: [{ value: 'x'.repeat(2_000) }],
    }))
    socket.receive({
      jsonrpc: '2.0',
      id: 12,
      method: 'posReceiptRequest',
      params: { tid: 'T1', tableName: '4' },
    })
    await flush()
    expect(socket.messages).toEqual([
      refusal(12, -32603, 'Internal error: the EPoS could not answer'),
    ])
    expect(errors[0]).toMatchObject({
      field: 'posReceiptRequest.result',
      rule: 'the answer must be at most 1024 bytes',
    })
  })

  it('pay-at-table handlers answer table list and lock requests', async () => {
    const { connection, socket, errors } = await connectedAs('pat')
    const table = { tableName: '4', amount: 2500, currency: 'GBP' as const }
    connection.handle('tableListRequest', () => ({ tables: [table] }))
    connection.handle('tableLockRequest', (params) =>
      params.tableName === '4' ? { locked: true as const, table } : { locked: false as const },
    )
    socket.receive({ jsonrpc: '2.0', id: 1, method: 'tableListRequest', params: { tid: 'T1' } })
    socket.receive({
      jsonrpc: '2.0',
      id: 2,
      method: 'tableLockRequest',
      params: { tid: 'T1', tableName: '4' },
    })
    await flush()
    expect(socket.messages).toEqual([
      { jsonrpc: '2.0', id: 1, result: { tables: [table] } },
      { jsonrpc: '2.0', id: 2, result: { locked: true, table } },
    ])
    expect(errors).toEqual([])
  })

  it('an answer whose connection has gone meanwhile is dropped, not sent on the new one', async () => {
    const { connection, socket, clock, net, logs } = await connected({ random: () => 0 })
    let answer!: (value: { accepted: boolean }) => void
    connection.handle('signatureVerificationRequest', () => new Promise((r) => (answer = r)))
    socket.receive(signatureRequest(13))
    socket.drop()
    await clock.advance(0)
    net.socket.open()
    answer({ accepted: true })
    await flush()
    expect(socket.sent).toEqual([])
    expect(net.socket.sent).toEqual([])
    expect(
      logs.some((l) => l.message === 'tillkit ws: answer dropped, its connection is gone'),
    ).toBe(true)
  })

  it('an answer the socket refuses to send is reported', async () => {
    const { connection, socket, errors } = await connected()
    connection.handle('signatureVerificationRequest', () => ({ accepted: true }))
    socket.sendThrows = new Error('buffer full')
    socket.receive(signatureRequest(14))
    await flush()
    expect(errors[0]).toMatchObject({
      code: 'NETWORK',
      message: 'An answer to Connect could not be sent',
      cause: { message: 'buffer full' },
    })
  })
})

describe('handle', () => {
  it('one handler per method; unregistering frees the place', async () => {
    const { connection, socket } = await connected()
    const off = connection.handle('signatureVerificationRequest', () => ({ accepted: true }))
    expect(() =>
      connection.handle('signatureVerificationRequest', () => ({ accepted: false })),
    ).toThrow('method: already has a handler: unregister it first')
    off()
    connection.handle('signatureVerificationRequest', () => ({ accepted: false }))
    // The old unregister function no longer removes anything.
    off()
    socket.receive(signatureRequest(1))
    await flush()
    expect(socket.last).toEqual({ jsonrpc: '2.0', id: 1, result: { accepted: false } })
  })

  it('refuses unknown methods and non-functions', async () => {
    const { connection } = await connected()
    expect(() => connection.handle('tableListRequest' as never, () => ({}) as never)).toThrow(
      new TillkitValidationError('method', 'must be one of signatureVerificationRequest'),
    )
    expect(() => connection.handle('signatureVerificationRequest', null as never)).toThrow(
      'handler: must be a function',
    )
  })
})

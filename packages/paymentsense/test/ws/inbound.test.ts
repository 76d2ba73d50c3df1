import {
  TillkitProtocolError,
  TillkitRpcError,
  TillkitValidationError,
} from '@tillkit/paymentsense/ws'
import { describe, expect, it } from 'vitest'
import { connected, connectedAs, flush, payment, terminalNotification } from './scripted-socket.js'

describe('inbound messages that break the protocol become error events, never throws', () => {
  it.each([
    ['not JSON', '{"jsonrpc":', 'malformed', 'A message that is not JSON'],
    ['an array (a batch)', '[]', 'envelope', 'A message that is not a JSON-RPC 2.0 object'],
    [
      'a wrong jsonrpc',
      { jsonrpc: '1.0', id: 1, result: {} },
      'envelope',
      'A message that is not a JSON-RPC 2.0 object',
    ],
    ['a number', '42', 'envelope', 'A message that is not a JSON-RPC 2.0 object'],
    [
      'a non-string method',
      { jsonrpc: '2.0', method: 7 },
      'envelope',
      'A message whose method is not a string',
    ],
    [
      'a request with a fractional id',
      { jsonrpc: '2.0', id: 1.5, method: 'x' },
      'envelope',
      'A message whose id 1.5 is not an integer from 0 to 999999',
    ],
    [
      'a result with an id out of range',
      { jsonrpc: '2.0', id: 1_000_000, result: {} },
      'envelope',
      'A message whose id 1000000 is not an integer from 0 to 999999',
    ],
    [
      'neither method, result nor error',
      { jsonrpc: '2.0', id: 1 },
      'envelope',
      'A message with neither method, result nor error',
    ],
    [
      'an answer to no request',
      { jsonrpc: '2.0', id: 77, result: {} },
      'unexpected',
      'An answer with id 77, which no request awaits',
    ],
    [
      'an error answer to no request',
      { jsonrpc: '2.0', id: 77, error: { code: -32600, message: 'x' } },
      'unexpected',
      'An answer with id 77, which no request awaits',
    ],
    [
      'an unknown notification',
      { jsonrpc: '2.0', method: 'tableUnlock', params: {} },
      'unknown-method',
      'A notification tableUnlock that pac does not have',
    ],
    [
      'an invalid notification',
      { jsonrpc: '2.0', method: 'terminalNotification', params: { tid: 'T1' } },
      'invalid',
      "An invalid terminalNotification: params must have required property 'notificationValue'",
    ],
    [
      'an invalid error message',
      { jsonrpc: '2.0', id: 1, error: { code: 'x' } },
      'invalid',
      "An invalid error message: error must have required property 'message'",
    ],
  ])('%s', async (_name, message, fault, text) => {
    const { socket, errors, connection } = await connected()
    socket.receive(message)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(TillkitProtocolError)
    expect(errors[0]).toMatchObject({ fault, message: text, mayHaveReachedProvider: false })
    expect(connection.state).toBe('open')
    expect(socket.sent).toEqual([])
  })

  it('a binary frame', async () => {
    const { socket, errors } = await connected()
    socket.receiveRaw(new Uint8Array([1, 2]))
    expect(errors[0]).toMatchObject({
      fault: 'malformed',
      message: 'A binary frame: Connect sends text',
    })
  })

  it('a message above maxMessageBytes is dropped unread, counted in UTF-8 bytes', async () => {
    const { socket, errors, connection } = await connected({ maxMessageBytes: 1_024 })
    const seen: string[] = []
    connection.on('terminalNotification', (p) => void seen.push(p.notificationValue))
    const note = (value: string) => JSON.stringify(terminalNotification('T1', value))
    socket.receive(note('x'.repeat(1_100))) // longer than the limit in characters
    socket.receive(note('€'.repeat(340))) // 340 characters, over 1 024 bytes
    socket.receive(note('€'.repeat(300))) // under both
    expect(errors.map((e) => [e.message, (e as TillkitProtocolError).fault])).toEqual([
      ['A message larger than 1024 bytes was dropped unread', 'oversized'],
      ['A message larger than 1024 bytes was dropped unread', 'oversized'],
    ])
    expect(seen).toEqual(['€'.repeat(300)])
  })

  it('an error message Connect cannot tie to a request is reported as a TillkitRpcError', async () => {
    const { socket, errors } = await connected()
    socket.receive({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid request' },
    })
    socket.receive({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } })
    expect(errors.map((e) => e.message)).toEqual([
      'JSON-RPC error -32600: Invalid request',
      'JSON-RPC error -32700: Parse error',
    ])
    expect(errors[0]).toBeInstanceOf(TillkitRpcError)
  })
})

describe('listeners', () => {
  it('one that throws or rejects is logged and does not stop the others', async () => {
    const { socket, connection, logs } = await connected()
    const seen: string[] = []
    connection.on('terminalNotification', () => {
      throw new Error('listener bug')
    })
    connection.on('terminalNotification', (async () => {
      throw new Error('async listener bug')
    }) as () => void)
    connection.on('terminalNotification', (p) => void seen.push(p.notificationValue))
    socket.receive(terminalNotification('T1', 'PIN_ENTRY'))
    await flush()
    expect(seen).toEqual(['PIN_ENTRY'])
    const failures = logs.filter((l) => l.level === 'error')
    expect(failures.map((l) => l.message)).toEqual([
      'tillkit ws: a listener threw; ignored',
      'tillkit ws: a listener threw; ignored',
    ])
    expect(failures[1]!.fields).toMatchObject({
      event: 'terminalNotification',
      error: { message: 'async listener bug' },
    })
  })

  it('unsubscribe stops one subscription; the same function subscribed twice is called twice', async () => {
    const { socket, connection } = await connected()
    const seen: string[] = []
    const listener = (p: { notificationValue: string }) => void seen.push(p.notificationValue)
    const off = connection.on('terminalNotification', listener)
    connection.on('terminalNotification', listener)
    socket.receive(terminalNotification('T1', 'A'))
    off()
    off()
    socket.receive(terminalNotification('T1', 'B'))
    expect(seen).toEqual(['A', 'A', 'B'])
  })

  it('unknown events and non-functions are refused', async () => {
    const { connection } = await connected()
    expect(() => connection.on('tableUnlock' as never, () => {})).toThrow(
      new TillkitValidationError(
        'event',
        'must be one of terminalNotification, error, state, lateResponse',
      ),
    )
    expect(() => connection.on('error', 'no' as never)).toThrow('listener: must be a function')
  })

  it('pay at table notifications arrive typed', async () => {
    const { socket, connection, errors } = await connectedAs('pat')
    const seen: unknown[] = []
    connection.on('tableUnlock', (p) => void seen.push(p.tableName))
    connection.on(
      'transactionResponse',
      (p) => void seen.push(`${p.tableName} ${p.transactionResult}`),
    )
    connection.on('reportResponse', (p) => void seen.push(p.reportType))
    socket.receive({
      jsonrpc: '2.0',
      method: 'tableUnlock',
      params: { tid: 'T1', tableName: '12' },
    })
    socket.receive({
      jsonrpc: '2.0',
      method: 'transactionResponse',
      params: { ...payment(), tableName: '12' },
    })
    socket.receive({
      jsonrpc: '2.0',
      method: 'reportResponse',
      params: {
        tid: 'T1',
        reportType: 'END_OF_DAY',
        reportTime: '2026-01-01T00:00:00',
        reportResult: 'COMPLETE',
        balances: {},
        banking: {},
        reportLines: [],
      },
    })
    socket.receive(terminalNotification('T1', 'PIN_ENTRY'))
    expect(seen).toEqual(['12', '12 SUCCESSFUL', 'END_OF_DAY'])
    expect(errors.map((e) => e.message)).toEqual([
      'A notification terminalNotification that pat does not have',
    ])
  })
})

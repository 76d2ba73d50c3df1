import { createManualClock } from '@tillkit/core'
import { connectPaymentsense } from '@tillkit/paymentsense/ws'
import { describe, expect, it } from 'vitest'
import {
  API_KEY,
  BASE,
  connected,
  flush,
  leaks,
  outcome,
  scriptedNetwork,
  signatureRequest,
} from './scripted-socket.js'

const SALE = { tid: 'T1', currency: 'GBP', amount: 1200 } as const
const URL_WITH_KEY = `wss://acme.test.connect.paymentsense.cloud/pac?token=${API_KEY}`

describe('the API key never leaves in a log line, error, event or the URL', () => {
  it('through a first open that fails', async () => {
    const net = scriptedNetwork()
    const logs: unknown[] = []
    const pending = connectPaymentsense({
      ...BASE,
      integration: 'pac',
      WebSocket: net.WebSocket,
      clock: createManualClock(),
      logger: { info: (...a: unknown[]) => logs.push(a), warn: (...a: unknown[]) => logs.push(a) },
    })
    expect(net.socket.url).toContain(API_KEY) // it must reach the socket, and only the socket
    net.socket.fail(
      new Error(`Unexpected server response: 401 for ${URL_WITH_KEY} (key ${API_KEY})`),
    )
    const error = await pending.catch((e: unknown) => e)
    expect(leaks(error, logs)).toEqual([])
  })

  it('through drops, unknown outcomes, protocol faults, refusals, handlers and liveness', async () => {
    const { connection, socket, net, clock, errors, states, logs } = await connected({
      random: () => 0,
      liveness: { idleMs: 20_000 },
    })
    const late: unknown[] = []
    connection.on('lateResponse', (l) => void late.push(l))
    connection.handle('signatureVerificationRequest', () => {
      throw new Error(`handler saw ${API_KEY}`)
    })
    const rejections: unknown[] = []
    const keep = (p: Promise<unknown>) => outcome(p).then((r) => rejections.push(r))

    // Connect echoing the key back in every place it could.
    const sale = keep(connection.request('sale', SALE))
    const refused = keep(connection.request('terminalDetails', { tids: ['T1'] }))
    socket.receive({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32602, message: `bad token ${API_KEY}`, data: { url: URL_WITH_KEY } },
    })
    socket.receive({ jsonrpc: '2.0', error: { code: -32600, message: `about ${URL_WITH_KEY}` } })
    socket.receive(`not json ${API_KEY}`)
    socket.receive({ jsonrpc: '2.0', method: API_KEY, params: {} })
    socket.receive({ jsonrpc: '2.0', id: 9, method: API_KEY })
    socket.receive({ jsonrpc: '2.0', method: 'terminalNotification', params: { tid: API_KEY } })
    socket.receive(signatureRequest(3))
    await flush()
    socket.drop(1011, `server error for ${URL_WITH_KEY}`)
    await sale
    await refused
    await clock.advance(0)
    net.socket.open()
    // Liveness gives up on the new socket.
    await clock.advance(20_000)
    await connection.close()

    expect(errors.length).toBeGreaterThan(6)
    expect(rejections).toHaveLength(2)
    expect(leaks(connection.url, errors, rejections, states, logs, late)).toEqual([])
    // Every error was really shown the key: the redaction, not luck, kept it out.
    expect(errors.some((e) => e.message.includes('[REDACTED]'))).toBe(true)
    // And the search does find the key where it is.
    expect(leaks(errors, { note: `x${API_KEY}x` })).toHaveLength(2)
  })
})

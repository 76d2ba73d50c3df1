import { createManualClock } from '@tillkit/core'
import { setupServer } from 'msw/node'
import { WebSocket as NodeWebSocket } from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'

// MSW intercepts the global WebSocket, which Node 20 lacks: give it one to wrap (never dialled).
const hadGlobal = 'WebSocket' in globalThis
if (!hadGlobal) Object.assign(globalThis, { WebSocket: NodeWebSocket })

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => {
  server.close()
  if (!hadGlobal) delete (globalThis as { WebSocket?: unknown }).WebSocket
})

const flush = () => new Promise<void>((resolve) => setImmediate(resolve))
const QUERY = 'api-version=v1&software-house-id=SWH&installer-id=INST'

function connect(address: string) {
  const socket = new globalThis.WebSocket(address)
  const seen = { events: [] as string[], messages: [] as any[], close: undefined as any }
  socket.addEventListener('open', () => seen.events.push('open'))
  socket.addEventListener('message', (event) => seen.messages.push(JSON.parse(event.data)))
  socket.addEventListener('close', (event) => {
    seen.events.push('close')
    seen.close = { code: event.code, reason: event.reason }
  })
  return { socket, seen }
}

describe('the WebSocket API under MSW', () => {
  it('serves the same session: a sale with live notifications and its response', async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, stepMs: 100 })
    server.use(...cloud.handlers())
    const { socket, seen } = connect(
      `wss://acme.test.connect.paymentsense.cloud/pac?token=test-api-key&${QUERY}`,
    )
    await new Promise((resolve) => socket.addEventListener('open', resolve))
    socket.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'sale',
        params: { tid: '22160001', currency: 'GBP', amount: 500 },
      }),
    )
    for (let i = 0; i < 40 && !seen.messages.some((m) => m.id === 7); i++) {
      await clock.advance(100)
      await flush()
    }
    const values = seen.messages.filter((m) => m.method).map((m) => m.params.notificationValue)
    expect(values[0]).toBe('TRANSACTION_STARTED')
    expect(values.at(-1)).toBe('TRANSACTION_FINISHED')
    expect(seen.messages.at(-1)).toMatchObject({ id: 7, result: { amountTotal: 500 } })
    expect(cloud.ledger).toHaveLength(1)

    socket.close()
    await flush()
    expect(cloud.sockets.open).toEqual([])
  })

  it('closes a refused handshake with 1008 and the reason, since MSW cannot answer 401', async () => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(...cloud.handlers('https://pos.example'))
    const { seen } = connect(`wss://pos.example/pac?token=nope&${QUERY}`)
    await flush()
    await flush()
    expect(seen.close).toEqual({ code: 1008, reason: 'Unauthorised: check the token.' })
    expect(cloud.sockets.open).toEqual([])
  })

  it('a base with a path prefix: the handshake is checked on the cloud path under it', async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, stepMs: 100 })
    server.use(...cloud.handlers('http://proxy.test/connect'))
    const { socket, seen } = connect(`ws://proxy.test/connect/pac?token=test-api-key&${QUERY}`)
    // Refused, it closes without opening.
    await new Promise((resolve) => {
      socket.addEventListener('open', resolve)
      socket.addEventListener('close', resolve)
    })
    expect(seen.events).toEqual(['open'])
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'connectedTerminals' }))
    for (let i = 0; i < 5 && !seen.messages.length; i++) await flush()
    expect(seen.messages[0]).toMatchObject({ id: 1, result: expect.anything() })
    expect(cloud.sockets.open).toEqual([{ integration: 'pac', since: clock.now() }])
    socket.close()
    await flush()
    // Not the cloud's path once the prefix is off: refused as a real Connect would (404, here 1008).
    const beside = connect(`ws://proxy.test/connect/connect/pac?token=test-api-key&${QUERY}`)
    for (let i = 0; i < 5 && !beside.seen.close; i++) await flush()
    expect(beside.seen.close).toEqual({
      code: 1008,
      reason: 'Not found: the path must be /pac or /pat.',
    })
  })

  it('drops with 1006 and forgets the connection', async () => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(...cloud.handlers())
    const { socket, seen } = connect(
      `wss://acme.connect.paymentsense.cloud/pac?token=test-api-key&${QUERY}`,
    )
    await new Promise((resolve) => socket.addEventListener('open', resolve))
    expect(cloud.sockets.drop()).toBe(1)
    await flush()
    expect(seen.close?.code).toBe(1006)
    expect(cloud.sockets.open).toEqual([])
  })
})

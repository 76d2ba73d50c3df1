import type { AddressInfo } from 'node:net'
import { createManualClock } from '@tillkit/core'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import {
  connectPaymentsense,
  TillkitUnknownOutcomeError,
  type PaymentsenseConnection,
} from '@tillkit/paymentsense/ws'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'

/**
 * The Node 20 path: the `ws` package's WebSocket class against a real `ws` server on loopback, bridged to the fake
 * cloud. The cloud runs on a manual clock moved by the test; the test only ever waits for sockets, never for time.
 */

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function loopback() {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, pingIntervalMs: 0 }) // the only ping is the test's
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  const peers: WebSocket[] = []
  server.on('connection', (socket, request) => {
    peers.push(socket)
    const acceptance = cloud.acceptSocket(`ws://127.0.0.1${request.url}`, {
      send: (text) => socket.send(text),
      close: (code, reason) => socket.close(code, reason),
      drop: () => socket.terminate(),
      ping: () => socket.ping(),
    })
    if (!acceptance.ok) return socket.close(1008, acceptance.reason)
    socket.on('message', (data) => acceptance.link.receive(String(data)))
    socket.on('close', () => acceptance.link.closed())
  })
  cleanup.push(() => new Promise((resolve) => server.close(resolve)))
  const { port } = server.address() as AddressInfo
  return { clock, cloud, peers, baseUrl: `ws://127.0.0.1:${port}` }
}

/** Lets socket I/O happen, moving the cloud's clock one step whenever nothing else is due. */
async function until(
  clock: ReturnType<typeof createManualClock>,
  done: () => boolean,
): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn > 100_000) throw new Error('condition never held')
    await new Promise((resolve) => setImmediate(resolve))
    if (turn % 50 === 49) await clock.runNext()
  }
}

describe('the ws package over loopback', () => {
  it('a sale with notifications; a drop mid-payment is an unknown outcome; reconnects; protocol pings count as life', async () => {
    const { clock, cloud, peers, baseUrl } = await loopback()
    // The client's own timers run on a clock of their own, moved only where the test says.
    const clientClock = createManualClock()
    const clientSockets: WebSocket[] = []
    class SpiedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url)
        clientSockets.push(this)
      }
    }
    const connection: PaymentsenseConnection<'pac'> = await connectPaymentsense({
      baseUrl,
      apiKey: 'test-api-key',
      softwareHouseId: 'SWH',
      installerId: 'INST',
      integration: 'pac',
      WebSocket: SpiedWebSocket,
      clock: clientClock,
      random: () => 0.5,
      liveness: { idleMs: 4_000, probe: false },
    })
    cleanup.push(() => connection.close())
    const seen: string[] = []
    connection.on('terminalNotification', (p) => void seen.push(p.notificationValue))

    let result: unknown
    void connection
      .request('sale', { tid: '22160001', currency: 'GBP', amount: 1250 })
      .then((r) => (result = r))
    await until(clock, () => result !== undefined)
    expect(result).toMatchObject({ transactionResult: 'SUCCESSFUL', amountTotal: 1250 })
    expect(seen.at(-1)).toBe('TRANSACTION_FINISHED')

    let error: unknown
    void connection
      .request('sale', { tid: '22160001', currency: 'GBP', amount: 2500 })
      .catch((e: unknown) => (error = e))
    await until(clock, () => seen.filter((v) => v === 'TRANSACTION_STARTED').length === 2)
    cloud.sockets.drop()
    await until(clock, () => error !== undefined)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error).toMatchObject({ reason: 'disconnected', known: { amount: 2500 } })
    expect(connection.state).toBe('reconnecting')

    await clientClock.advance(500) // the first backoff delay with this jitter
    await until(clock, () => connection.state === 'open')
    expect(clientSockets).toHaveLength(2)

    // A protocol ping from the server: the client's listener was registered first, so once ours runs, it has run.
    const start = clientClock.now()
    await clientClock.advance(3_000)
    let heard = false
    clientSockets[1]!.once('ping', () => (heard = true))
    peers.at(-1)!.ping()
    await until(clock, () => heard)
    await clientClock.advance(2_000) // 5 s since open, 2 s since the ping
    expect(connection.state).toBe('open')
    await clientClock.advance(2_000) // 4 s of silence since the ping
    expect(clientClock.now() - start).toBe(7_000)
    expect(connection.state).toBe('reconnecting')
  })
})

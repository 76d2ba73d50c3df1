import { createManualClock } from '@tillkit/core'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { WebSocket } from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { serve, type RunningServer, type SocketAcceptor } from '../src/index.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const QUERY = 'api-version=v1&software-house-id=SWH&installer-id=INST'

/** A `ws` client that records what it sees; `next(test)` waits for a message passing `test`. */
function dial(address: string) {
  const socket = new WebSocket(address)
  const messages: any[] = []
  const waiters: { test: (m: any) => boolean; resolve: (m: any) => void }[] = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data))
    messages.push(message)
    for (const waiter of waiters.splice(0)) {
      if (waiter.test(message)) waiter.resolve(message)
      else waiters.push(waiter)
    }
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  )
  return {
    socket,
    messages,
    closed,
    opened: new Promise<void>((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    }),
    next: (test: (m: any) => boolean) =>
      new Promise<any>((resolve) => {
        const found = messages.find(test)
        if (found) resolve(found)
        else waiters.push({ test, resolve })
      }),
  }
}

describe('serve: WebSocket upgrades', () => {
  it('hosts the fake Connect WebSocket API: a sale over a real loopback connection', async () => {
    const cloud = createFakeCloud({ stepMs: 0, pingIntervalMs: 0 })
    server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
    const client = dial(`${server.url.replace('http', 'ws')}/pac?token=test-api-key&${QUERY}`)
    await client.opened
    const params = { tid: '22160001', currency: 'GBP', amount: 700 }
    client.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sale', params }))
    const answer = await client.next((m) => m.id === 1)
    expect(answer.result).toMatchObject({ amountTotal: 700, transactionResult: 'SUCCESSFUL' })
    const values = client.messages.filter((m) => m.method).map((m) => m.params.notificationValue)
    expect(values[0]).toBe('TRANSACTION_STARTED')
    expect(values.at(-1)).toBe('TRANSACTION_FINISHED')
    expect(cloud.ledger).toHaveLength(1)
  })

  it('sends protocol pings on the cloud clock and drops without a close frame', async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, pingIntervalMs: 1_000 })
    server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
    const client = dial(`${server.url.replace('http', 'ws')}/pac?token=test-api-key&${QUERY}`)
    await client.opened
    const pinged = new Promise((resolve) => client.socket.once('ping', resolve))
    await clock.advance(1_000)
    await pinged
    expect(cloud.sockets.drop()).toBe(1)
    expect((await client.closed).code).toBe(1006)
  })

  it('refuses a bad handshake with the HTTP status and reason, before any upgrade', async () => {
    const cloud = createFakeCloud({ pingIntervalMs: 0 })
    server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
    const client = dial(`${server.url.replace('http', 'ws')}/pac?token=wrong&${QUERY}`)
    const status = new Promise<number>((resolve) =>
      client.socket.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0)
        res.destroy()
      }),
    )
    expect(await status).toBe(401)
    expect(cloud.sockets.open).toEqual([])
  })

  it('refuses upgrades with 404 when no acceptor is given', async () => {
    server = await serve(async () => new Response('ok'))
    const client = dial(`${server.url.replace('http', 'ws')}/pac`)
    await expect(client.opened).rejects.toThrow(/404/)
  })

  it('closes 1003 on a binary frame, and lets the fake know the connection ended', async () => {
    const cloud = createFakeCloud({ pingIntervalMs: 0 })
    server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
    const client = dial(`${server.url.replace('http', 'ws')}/pac?token=test-api-key&${QUERY}`)
    await client.opened
    client.socket.send(Buffer.from([1, 2, 3]))
    expect(await client.closed).toEqual({ code: 1003, reason: 'Binary frames are not supported.' })
    await expect.poll(() => cloud.sockets.open.length).toBe(0)
  })

  it('holds what the fake sends during the handshake until the connection is open', async () => {
    const received: string[] = []
    const acceptor: SocketAcceptor = (url, peer) => {
      peer.send(JSON.stringify({ hello: new URL(url).pathname }))
      return { ok: true, link: { receive: (text) => received.push(text), closed() {} } }
    }
    server = await serve(async () => new Response('ok'), { sockets: acceptor })
    const client = dial(`${server.url.replace('http', 'ws')}/greet`)
    expect(await client.next(() => true)).toEqual({ hello: '/greet' })
    client.socket.send('ping?')
    await expect.poll(() => received).toEqual(['ping?'])
  })

  it('ends open connections on close()', async () => {
    const cloud = createFakeCloud({ pingIntervalMs: 0 })
    server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
    const client = dial(`${server.url.replace('http', 'ws')}/pac?token=test-api-key&${QUERY}`)
    await client.opened
    await server.close()
    server = undefined
    expect((await client.closed).code).toBe(1006)
  })
})

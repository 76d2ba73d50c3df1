import { createFakeCloud, type SocketPeer } from '@tillkit/paymentsense/mock'
import { connectPaymentsense } from '@tillkit/paymentsense/ws'
import { serve, type RunningServer } from '@tillkit/simulator'
import { WebSocket } from 'ws'

const API_KEY = 'bench-api-key'
const QUERY = `token=${API_KEY}&api-version=v1&software-house-id=SWH&installer-id=INST`

/** Receives notification frames: our client, or the bare `ws` baseline. */
interface Receiver {
  /** Runs one sale on `tid` and resolves with its response. */
  sale(tid: string): Promise<unknown>
  close(): Promise<void>
}

/**
 * The fake cloud behind a real loopback `ws` server, with every notification frame time-stamped as
 * the fake hands it to the socket: the session sends in the same tick as the terminal's state
 * change, so the stamp is the state change.
 */
async function rig(stepMs: number, terminals: number) {
  const cloud = createFakeCloud({
    apiKeys: [API_KEY],
    stepMs,
    pingIntervalMs: 0,
    terminals: Array.from({ length: terminals }, (_, i) => ({ tid: `B${1000 + i}` })),
  })
  const sent: number[] = []
  const server: RunningServer = await serve(cloud.fetch, {
    sockets: (url, peer) =>
      cloud.acceptSocket(url, {
        ...peer,
        send(text) {
          if (text.includes('"terminalNotification"')) sent.push(performance.now())
          peer.send(text)
        },
      } satisfies SocketPeer),
  })
  const url = server.url.replace('http', 'ws')
  return { cloud, server, url, sent, tids: cloud.terminals.list().map((t) => t.tid) }
}

/** tillkit's client: every frame validated, typed handlers. */
async function tillkit(base: string, onNotification: () => void): Promise<Receiver> {
  const connection = await connectPaymentsense({
    integration: 'pac',
    baseUrl: base,
    apiKey: API_KEY,
    softwareHouseId: 'SWH',
    installerId: 'INST',
    WebSocket,
    liveness: false,
  })
  connection.on('terminalNotification', onNotification)
  return {
    sale: (tid) => connection.request('sale', { tid, currency: 'GBP', amount: 1234 }),
    close: () => connection.close(),
  }
}

/** The floor: a bare `ws` client that only parses JSON and matches ids. */
async function bare(base: string, onNotification: () => void): Promise<Receiver> {
  const socket = new WebSocket(`${base}/pac?${QUERY}`)
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const waiting = new Map<number, (result: unknown) => void>()
  let nextId = 0
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; method?: string; result?: unknown }
    if (message.method === 'terminalNotification') onNotification()
    else if (message.id !== undefined) waiting.get(message.id)?.(message.result)
  })
  return {
    sale: (tid) =>
      new Promise((resolve) => {
        const id = nextId++ % 1_000_000
        waiting.set(id, resolve)
        const params = { tid, currency: 'GBP', amount: 1234 }
        socket.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'sale', params }))
      }),
    close: async () => socket.close(),
  }
}

type Make = typeof tillkit

export interface LatencyResult {
  samples: number
  p50Ms: number
  p99Ms: number
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!

/**
 * Time from the fake's state change to the handler, one notification at a time: steps 2 ms apart so
 * each frame travels alone, sales one after the other on one terminal.
 */
async function latency(make: Make, sales: number, warmup: number): Promise<LatencyResult> {
  const { server, url, sent, tids } = await rig(2, 1)
  const delays: number[] = []
  const receiver = await make(url, () => delays.push(performance.now() - sent[delays.length]!))
  try {
    for (let i = 0; i < warmup + sales; i++) {
      if (i === warmup) {
        delays.length = 0
        sent.length = 0
      }
      await receiver.sale(tids[0]!)
    }
  } finally {
    await receiver.close()
    await server.close()
  }
  const sorted = [...delays].sort((a, b) => a - b)
  return { samples: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) }
}

/**
 * Notifications per second on one connection, with no pacing: every step is immediate, and each of
 * `terminals` terminals runs sales back to back for `durationMs`.
 */
async function throughput(make: Make, terminals: number, durationMs: number): Promise<number> {
  const { server, url, tids } = await rig(0, terminals)
  let count = 0
  const receiver = await make(url, () => count++)
  try {
    const loop = async (tid: string, until: number) => {
      while (performance.now() < until) await receiver.sale(tid)
    }
    await Promise.all(tids.map((tid) => loop(tid, performance.now() + durationMs / 4))) // warm-up
    count = 0
    const started = performance.now()
    await Promise.all(tids.map((tid) => loop(tid, started + durationMs)))
    return count / ((performance.now() - started) / 1000)
  } finally {
    await receiver.close()
    await server.close()
  }
}

export interface WebSocketResult {
  latency: LatencyResult
  bareLatency: LatencyResult
  perSecond: number
  barePerSecond: number
}

/** Both measurements for tillkit's client, each with the bare `ws` client as the same-run baseline. */
export async function websocketBench({
  sales = 150,
  warmup = 30,
  terminals = 16,
  durationMs = 2_000,
} = {}): Promise<WebSocketResult> {
  const bareLatency = await latency(bare, sales, warmup)
  const ours = await latency(tillkit, sales, warmup)
  const barePerSecond = await throughput(bare, terminals, durationMs)
  const perSecond = await throughput(tillkit, terminals, durationMs)
  return { latency: ours, bareLatency, perSecond, barePerSecond }
}

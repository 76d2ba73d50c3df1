import { createManualClock } from '@tillkit/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeCloud, DISCONTINUED, type FakeCloudOptions } from '../../src/mock/index.js'
import { restaurant } from './ws-harness.js'

/** Lets every queued microtask (socket events) run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

const QUERY = 'api-version=v1&software-house-id=SWH&installer-id=INST'
const url = (path = 'pac', token = 'test-api-key', query = QUERY) =>
  `wss://acme.test.connect.paymentsense.cloud/${path}?token=${token}&${query}`

type Message = Record<string, any>

/** An in-process socket with everything it saw recorded. */
function open(cloud: ReturnType<typeof createFakeCloud>, address = url()) {
  const socket = new cloud.WebSocket(address)
  const seen = {
    events: [] as string[],
    messages: [] as Message[],
    pings: 0,
    close: undefined as { code: number; reason: string; wasClean: boolean } | undefined,
  }
  socket.addEventListener('open', () => seen.events.push('open'))
  socket.addEventListener('error', () => seen.events.push('error'))
  socket.addEventListener('message', (event) => {
    seen.messages.push(JSON.parse((event as MessageEvent).data as string) as Message)
  })
  socket.addEventListener('close', (event) => {
    seen.events.push('close')
    const { code, reason, wasClean } = event as unknown as NonNullable<typeof seen.close>
    seen.close = { code, reason, wasClean }
  })
  socket.on('ping', () => seen.pings++)
  let nextId = 1
  const request = (method: string, params?: unknown) => {
    const id = nextId++
    socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    return id
  }
  const notifications = () =>
    seen.messages
      .filter((m) => m.method === 'terminalNotification')
      .map((m) => m.params.notificationValue as string)
  return { socket, seen, request, notifications }
}

let cloud: ReturnType<typeof createFakeCloud>
const fake = (options: FakeCloudOptions = {}) => {
  const clock = createManualClock()
  cloud = createFakeCloud({ clock, stepMs: 100, ...options })
  return { cloud, clock }
}
afterEach(() => cloud?.sockets.drop())

/** Advances the clock step by step, letting socket events through after each step. */
async function runFor(clock: ReturnType<typeof createManualClock>, ms: number) {
  for (let i = 0; i < ms / 50; i++) {
    await clock.advance(50)
    await flush()
  }
}

describe('the in-process WebSocket', () => {
  it('opens, answers requests and runs a sale with its notifications pushed live', async () => {
    const { cloud, clock } = fake()
    const s = open(cloud)
    expect(s.socket.readyState).toBe(s.socket.CONNECTING)
    await flush()
    expect(s.seen.events).toEqual(['open'])
    expect(cloud.sockets.open).toEqual([{ integration: 'pac', since: clock.now() }])

    const list = s.request('connectedTerminals')
    await flush()
    expect(s.seen.messages.find((m) => m.id === list)?.result.terminals.length).toBeGreaterThan(0)

    const sale = s.request('sale', { tid: '22160001', currency: 'GBP', amount: 1234 })
    await flush()
    expect(s.notifications()).toEqual(['TRANSACTION_STARTED'])
    await runFor(clock, 1_500)
    expect(s.notifications().at(-1)).toBe('TRANSACTION_FINISHED')
    const answer = s.seen.messages.find((m) => m.id === sale)
    expect(answer?.result).toMatchObject({ amountTotal: 1234, transactionResult: 'SUCCESSFUL' })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('refuses a bad handshake before opening: error, then close 1006, never open', async () => {
    const { cloud } = fake()
    const s = open(cloud, url('pac', 'wrong-key'))
    await flush()
    expect(s.seen.events).toEqual(['error', 'close'])
    expect(s.seen.close).toEqual({ code: 1006, reason: '', wasClean: false })
    expect(s.socket.readyState).toBe(s.socket.CLOSED)
    expect(cloud.sockets.open).toEqual([])
  })

  it('checks the handshake like Connect: path, token, api-version, EPoS ids', () => {
    const { cloud } = fake({ apiKeys: ['k1'] })
    const peer = { send() {}, close() {}, drop() {} }
    const status = (address: string) => {
      const acceptance = cloud.acceptSocket(address, peer)
      return acceptance.ok ? 101 : [acceptance.status, acceptance.reason]
    }
    expect(status(url('pac', 'k1'))).toBe(101)
    expect(status(url('pat', 'k1'))).toBe(101)
    expect(status(url('retail', 'k1'))).toEqual([404, expect.stringMatching(/\/pac or \/pat/)])
    expect(status(url('pac', 'k2'))).toEqual([401, expect.stringMatching(/token/)])
    expect(status(url('pac', 'k1', 'software-house-id=S&installer-id=I'))).toEqual([
      400,
      'api-version must be v1.',
    ])
    expect(status(url('pac', 'k1', 'api-version=v0&software-house-id=S&installer-id=I'))).toEqual([
      400,
      'api-version must be v1.',
    ])
    expect(status(url('pac', 'k1', 'api-version=v1&installer-id=I'))).toEqual([
      400,
      'software-house-id is required.',
    ])
    expect(status(url('pac', 'k1', 'api-version=v1&software-house-id=S'))).toEqual([
      400,
      'installer-id is required.',
    ])
    // Refusals never echo the token.
    expect(JSON.stringify(cloud.acceptSocket(url('pac', 'secret-xyz'), peer))).not.toContain('xyz')
  })

  it('throws on send before open, ignores sends after close, and closes 1003 on binary frames', async () => {
    const { cloud } = fake()
    const s = open(cloud)
    expect(() => s.socket.send('{}')).toThrow(/not open/)
    await flush()
    s.socket.send(new Uint8Array([1, 2]))
    await flush()
    expect(s.seen.close).toEqual({
      code: 1003,
      reason: 'Binary frames are not supported.',
      wasClean: true,
    })
    expect(cloud.sockets.open).toEqual([])
    expect(() => s.socket.send('{}')).not.toThrow()
  })

  it('closes cleanly from the EPoS side, ends the session and validates close codes', async () => {
    const { cloud } = fake()
    const s = open(cloud)
    await flush()
    expect(() => s.socket.close(1001)).toThrow(/not allowed/)
    s.socket.close(1000, 'bye')
    s.socket.close() // a second close is a no-op
    await flush()
    expect(s.seen.close).toEqual({ code: 1000, reason: 'bye', wasClean: true })
    expect(cloud.sockets.open).toEqual([])
  })

  it('closing before the handshake ends with 1006 and never opens', async () => {
    const { cloud } = fake()
    const s = open(cloud)
    s.socket.close()
    await flush()
    expect(s.seen.events).toEqual(['close'])
    expect(s.seen.close?.code).toBe(1006)
    expect(cloud.sockets.open).toEqual([])
  })

  it('calls the on* handler properties too', async () => {
    const { cloud } = fake()
    const socket = new cloud.WebSocket(url())
    const calls: string[] = []
    socket.onopen = () => calls.push('open')
    socket.onmessage = () => calls.push('message')
    socket.onclose = () => calls.push('close')
    await flush()
    socket.send('not json')
    await flush()
    socket.close()
    await flush()
    expect(calls).toEqual(['open', 'message', 'close'])
  })
})

describe('pings', () => {
  it('pings every open peer on the cloud clock; missingPings skips as many as asked', async () => {
    const { cloud, clock } = fake({ pingIntervalMs: 1_000 })
    const s = open(cloud)
    await flush()
    await clock.advance(3_000)
    await flush()
    expect(s.seen.pings).toBe(3)
    cloud.faults.add({ kind: 'missingPings', times: 2 })
    await clock.advance(3_000)
    await flush()
    expect(s.seen.pings).toBe(4)
    s.socket.close()
    await flush()
    expect(clock.pending).toBe(0)
  })

  it('slowPings delays as many pings as asked, then the rhythm returns', async () => {
    const { cloud, clock } = fake({ pingIntervalMs: 1_000 })
    // Armed before the connection, so its first ping is the late one.
    cloud.faults.add({ kind: 'slowPings', delayMs: 4_000, times: 1 })
    expect(() => cloud.faults.add({ kind: 'slowPings', delayMs: 0 })).toThrow(/delayMs/)
    const s = open(cloud)
    await flush()
    await clock.advance(4_999)
    await flush()
    expect(s.seen.pings).toBe(0)
    await clock.advance(1)
    await flush()
    expect(s.seen.pings).toBe(1)
    await clock.advance(1_000)
    await flush()
    expect(s.seen.pings).toBe(2)
  })

  it('sends none when turned off', async () => {
    const { cloud, clock } = fake({ pingIntervalMs: 0 })
    const s = open(cloud)
    await flush()
    await clock.advance(120_000)
    expect(s.seen.pings).toBe(0)
    expect(clock.pending).toBe(0)
  })
})

describe('socket faults', () => {
  it('drops the connection before a chosen notification; the terminal carries on and charges', async () => {
    const { cloud, clock } = fake()
    const s = open(cloud)
    await flush()
    cloud.faults.add({ kind: 'dropConnection', notification: 'PIN_ENTRY', times: 1 })
    s.request('sale', { tid: '22160001', currency: 'GBP', amount: 1000 })
    await runFor(clock, 2_000)
    expect(s.notifications()).toEqual(['TRANSACTION_STARTED', 'INSERT_CARD'])
    expect(s.seen.close).toEqual({ code: 1006, reason: '', wasClean: false })
    expect(cloud.sockets.open).toEqual([])
    expect(cloud.faults.active).toEqual([])
    // Nobody is told, but the charge went through.
    expect(cloud.ledger).toHaveLength(1)
  })

  it('drops at the next message when no notification is named', async () => {
    const { cloud } = fake()
    const s = open(cloud)
    await flush()
    cloud.faults.add({ kind: 'dropConnection', times: 1 })
    s.request('connectedTerminals')
    await flush()
    expect(s.seen.messages).toEqual([])
    expect(s.seen.close?.code).toBe(1006)
  })

  it('duplicates notifications', async () => {
    const { cloud, clock } = fake()
    const s = open(cloud)
    await flush()
    cloud.faults.add({ kind: 'duplicateNotifications', times: 2 })
    s.request('sale', { tid: '22160001', currency: 'GBP', amount: 1000 })
    await runFor(clock, 1_000)
    expect(s.notifications().slice(0, 5)).toEqual([
      'TRANSACTION_STARTED',
      'TRANSACTION_STARTED',
      'INSERT_CARD',
      'INSERT_CARD',
      'PIN_ENTRY',
    ])
  })

  it('reorders a notification behind the next message', async () => {
    const { cloud, clock } = fake()
    const s = open(cloud)
    await flush()
    cloud.faults.add({ kind: 'reorderNotifications', times: 1 })
    s.request('sale', { tid: '22160001', currency: 'GBP', amount: 1000 })
    await runFor(clock, 1_000)
    expect(s.notifications().slice(0, 3)).toEqual([
      'INSERT_CARD',
      'TRANSACTION_STARTED',
      'PIN_ENTRY',
    ])
  })

  it('lets a held notification go after holdMs when nothing follows it', async () => {
    const { cloud, clock } = fake()
    const s = open(cloud)
    await flush()
    cloud.faults.add({ kind: 'reorderNotifications', times: 1, holdMs: 30 })
    s.request('sale', { tid: '22160001', currency: 'GBP', amount: 1000 })
    await flush()
    expect(s.notifications()).toEqual([])
    await clock.advance(30)
    await flush()
    expect(s.notifications()).toEqual(['TRANSACTION_STARTED'])
  })

  it('rejects a bad holdMs when armed', () => {
    const { cloud } = fake()
    expect(() => cloud.faults.add({ kind: 'reorderNotifications', holdMs: 0 })).toThrow(/holdMs/)
  })

  it('leaves HTTP requests alone', async () => {
    const { cloud } = fake()
    cloud.faults.add({ kind: 'dropConnection' })
    const response = await cloud.fetch(
      'https://acme.test.connect.paymentsense.cloud/pac/terminals',
      {
        headers: {
          authorization: `Basic ${btoa('pos:test-api-key')}`,
          accept: 'application/connect.v2+json',
          'software-house-id': 'SWH',
          'installer-id': 'INST',
        },
      },
    )
    expect(response.status).toBe(200)
    expect(cloud.faults.active).toHaveLength(1)
  })

  it('sockets.drop() ends every connection, or those of one integration', async () => {
    const { cloud } = fake()
    const a = open(cloud)
    const b = open(cloud)
    await flush()
    expect(cloud.sockets.drop('pat')).toBe(0)
    expect(cloud.sockets.drop()).toBe(2)
    await flush()
    expect([a.seen.close?.code, b.seen.close?.code]).toEqual([1006, 1006])
  })
})

describe('a signature question when the socket drops', () => {
  it('a drop while the signature question is open: Connect still accepts at its timeout, the sale stands', async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock })
    const socket = new cloud.WebSocket(url())
    const received: Array<Record<string, any>> = []
    socket.addEventListener('message', (event) =>
      received.push(JSON.parse(String((event as MessageEvent).data))),
    )
    await new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()))
    socket.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sale',
        params: { tid: '22160001', currency: 'GBP', amount: 1203 },
      }),
    )
    for (
      let i = 0;
      i < 2_000 && !received.some((m) => m.method === 'signatureVerificationRequest');
      i++
    ) {
      await clock.advance(100)
      await flush()
    }
    const question = received.find((m) => m.method === 'signatureVerificationRequest')!
    expect(question).toBeDefined()
    // The EPoS never answers: its connection is lost while the question is open.
    cloud.sockets.drop('pac')
    await flush()
    await clock.advance((question.params.timeout as number) * 1_000 + 120_000)
    await flush()
    // FACTS §4: no answer within `timeout` means Connect accepts the signature.
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

describe('one pay-at-table connection per account', () => {
  it('discontinues the older pat connection with an error message and a close; pac is unaffected', async () => {
    const { cloud } = fake()
    const counter = open(cloud, url('pac'))
    const first = open(cloud, url('pat'))
    await flush()
    const second = open(cloud, url('pat'))
    await flush()
    expect(first.seen.messages).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32004, message: 'Connection discontinued.' } },
    ])
    expect(first.seen.close).toEqual({ ...DISCONTINUED, wasClean: true })
    expect(second.seen.events).toEqual(['open'])
    expect(counter.seen.close).toBeUndefined()
    expect(cloud.sockets.open.map((c) => c.integration)).toEqual(['pac', 'pat'])
  })
})

describe('pay at table through the gateway', () => {
  /** A pat socket whose EPoS answers Connect's questions like a restaurant till. */
  async function till(cloud: ReturnType<typeof createFakeCloud>, query = QUERY) {
    const s = open(cloud, url('pat', 'test-api-key', query))
    const epos = restaurant([{ tableName: '12', amount: 4500, currency: 'GBP' }])
    s.socket.addEventListener('message', (event) => {
      const answer = epos(JSON.parse((event as MessageEvent).data as string) as Message)
      if (answer) s.socket.send(JSON.stringify(answer))
    })
    await flush()
    return s
  }

  /** Runs the clock until the visit settles, letting socket traffic through each step. */
  async function settle<T>(clock: ReturnType<typeof createManualClock>, visit: Promise<T>) {
    let done = false
    void visit.then(() => (done = true))
    for (let i = 0; i < 400 && !done; i++) {
      await clock.advance(50)
      await flush()
    }
    return visit
  }

  it('asks for the final receipt only when the handshake carried the flag', async () => {
    for (const [query, asked] of [
      [`${QUERY}&final-pos-receipt-request`, true],
      [QUERY, false],
    ] as const) {
      const { cloud, clock } = fake()
      const s = await till(cloud, query)
      const outcome = await settle(clock, cloud.tables.visit('22160001', { tableName: '12' }))
      expect(outcome.status).toBe('paid')
      const methods = s.seen.messages.map((m) => m.method)
      expect(methods.includes('finalPosReceiptRequest')).toBe(asked)
      expect(methods.at(-1)).toBe('tableUnlock')
      expect(cloud.ledger).toHaveLength(1)
      cloud.sockets.drop()
    }
  })

  it('a visit goes to the newest pat connection only', async () => {
    const { cloud, clock } = fake()
    const older = await till(cloud)
    const newer = await till(cloud)
    const outcome = await settle(clock, cloud.tables.visit('22160001'))
    expect(outcome.status).toBe('paid')
    expect(older.seen.messages.filter((m) => m.method)).toEqual([])
    expect(newer.seen.messages.some((m) => m.method === 'transactionResponse')).toBe(true)
  })
})

import { createManualClock } from '@tillkit/core'
import {
  connectPaymentsense,
  TillkitAbortedError,
  TillkitNetworkError,
  TillkitRpcError,
  TillkitTimeoutError,
  TillkitUnknownOutcomeError,
} from '@tillkit/paymentsense/ws'
import { describe, expect, it } from 'vitest'
import {
  BASE,
  connected,
  connectedAs,
  flush,
  outcome,
  scriptedNetwork,
  terminalNotification,
} from './scripted-socket.js'

const SALE = { tid: 'T1', currency: 'GBP', amount: 1200 } as const
const REDACTED_URL =
  'wss://acme.test.connect.paymentsense.cloud/pac?token=[REDACTED]&api-version=v1&software-house-id=SWH1&installer-id=INST1'

describe('the first open is attempted once', () => {
  const start = (extra = {}) => {
    const clock = createManualClock()
    const net = scriptedNetwork()
    const pending = connectPaymentsense({
      ...BASE,
      integration: 'pac',
      WebSocket: net.WebSocket,
      clock,
      ...extra,
    })
    return { clock, net, pending: outcome(pending) }
  }

  it('a socket closed before opening rejects with a network error (URL redacted); nothing is retried', async () => {
    const { clock, net, pending } = start()
    net.socket.fail(new Error('Unexpected server response: 401'))
    const result = await pending
    expect(result.ok).toBe(false)
    const error = result.ok ? undefined : result.error
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error.message).toBe(`WebSocket to ${REDACTED_URL} failed`)
    expect(error.cause.message).toBe('Unexpected server response: 401')
    expect(error.mayHaveReachedProvider).toBe(false)
    expect(clock.pending).toBe(0)
    expect(net.sockets).toHaveLength(1)
  })

  it('the close code and reason are in the message', async () => {
    const { net, pending } = start()
    net.socket.drop(1008, 'policy')
    const result = await pending
    expect(result.ok || result.error.message).toBe(
      `WebSocket to ${REDACTED_URL} closed (code 1008, policy)`,
    )
  })

  it('a socket that does not open within connectTimeoutMs is abandoned: TillkitTimeoutError', async () => {
    const { clock, net, pending } = start({ connectTimeoutMs: 5_000 })
    await clock.advance(5_000)
    const result = await pending
    const error = result.ok ? undefined : result.error
    expect(error).toBeInstanceOf(TillkitTimeoutError)
    expect(error.message).toBe(`WebSocket to ${REDACTED_URL} did not open within 5000 ms`)
    expect(net.socket.closes).toEqual([{ code: 4000, reason: 'abandoned by the EPoS' }])
    expect(net.socket.terminated).toBe(true)
    // A late open of the abandoned socket changes nothing.
    net.socket.open()
    expect(clock.pending).toBe(0)
  })

  it('a WebSocket constructor that throws rejects with a network error', async () => {
    const net = scriptedNetwork({ refuse: new SyntaxError('bad URL') })
    const error = await connectPaymentsense({
      ...BASE,
      integration: 'pac',
      WebSocket: net.WebSocket,
    }).catch((e: any) => e)
    expect(error).toMatchObject({
      code: 'NETWORK',
      message: `Could not open a WebSocket to ${REDACTED_URL}`,
      cause: { message: 'bad URL' },
    })
  })
})

describe('a drop', () => {
  it('rejects a payment in flight as an unknown outcome with what is known, a read with a network error; nothing is re-sent', async () => {
    const { connection, socket, net, clock, errors, states } = await connected({
      random: () => 0.5,
    })
    const sale = outcome(connection.request('sale', SALE))
    const details = outcome(connection.request('terminalDetails', { tids: ['T1'] }))
    socket.receive(terminalNotification('T1', 'PRESENT_CARD'))
    socket.receive(terminalNotification('T1', 'REQUEST_SENT'))
    socket.drop()

    const paid = await sale
    const error = paid.ok ? undefined : paid.error
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error).toMatchObject({
      operation: 'sale',
      reason: 'disconnected',
      outcomeUnknown: true,
      known: {
        method: 'sale',
        tid: 'T1',
        amount: 1200,
        currency: 'GBP',
        lastNotification: 'REQUEST_SENT',
      },
    })
    expect(error.cause.message).toBe(`WebSocket to ${REDACTED_URL} closed (code 1006)`)
    const read = await details
    const readError = read.ok ? undefined : read.error
    expect(readError).toBeInstanceOf(TillkitNetworkError)
    expect(readError.message).toBe(
      `terminalDetails got no answer: WebSocket to ${REDACTED_URL} closed (code 1006)`,
    )
    expect(readError.mayHaveReachedProvider).toBe(true)

    expect(errors.map((e) => e.message)).toEqual([
      `WebSocket to ${REDACTED_URL} closed (code 1006)`,
    ])
    expect(states).toEqual(['reconnecting'])
    await clock.advance(500) // half of the 1 s first ceiling
    expect(net.sockets).toHaveLength(2)
    net.socket.open()
    expect(states).toEqual(['reconnecting', 'open'])
    expect(net.socket.sent).toEqual([])
  })

  it('a socket error event counts as a drop', async () => {
    const { connection, socket, states } = await connected()
    socket.fail()
    expect(connection.state).toBe('reconnecting')
    expect(states).toEqual(['reconnecting'])
  })

  it('reconnects with exponential backoff and full jitter, capped; failed attempts are logged, not reported', async () => {
    const { net, clock, errors, logs } = await connected({
      random: () => 0.5,
      reconnect: { baseDelayMs: 1_000, maxDelayMs: 8_000 },
      liveness: false,
    })
    net.socket.drop()
    const delays: number[] = []
    for (let attempt = 1; attempt <= 6; attempt++) {
      const before = clock.now()
      const count = net.sockets.length
      while (net.sockets.length === count) await clock.runNext()
      delays.push(clock.now() - before)
      net.socket.drop()
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000])
    expect(errors).toHaveLength(1)
    expect(logs.filter((l) => l.message === 'tillkit ws reconnect failed')).toHaveLength(6)
    // A successful open starts the backoff over.
    await clock.runNext()
    net.socket.open()
    net.socket.drop()
    const before = clock.now()
    await clock.runNext()
    expect(clock.now() - before).toBe(500)
  })

  it('gives up after maxAttempts and ends closed', async () => {
    const { connection, net, clock, errors, states } = await connected({
      reconnect: { maxAttempts: 2 },
      random: () => 0,
    })
    net.socket.drop()
    await clock.advance(0)
    net.socket.drop()
    await clock.advance(0)
    net.socket.drop()
    expect(net.sockets).toHaveLength(3)
    expect(connection.state).toBe('closed')
    expect(states).toEqual(['reconnecting', 'closed'])
    expect(errors.map((e) => e.message).at(-1)).toBe(
      `Gave up reconnecting to ${REDACTED_URL} after 2 attempts`,
    )
    expect(clock.pending).toBe(0)
  })

  it('with reconnect off, ends closed', async () => {
    const { connection, socket, clock } = await connected({ reconnect: false })
    socket.drop()
    expect(connection.state).toBe('closed')
    expect(clock.pending).toBe(0)
  })

  it('a socket whose close throws while being abandoned is logged and let go', async () => {
    const { connection, socket, clock, logs } = await connected()
    socket.closeThrows = new Error('already gone')
    await clock.advance(60_000) // liveness: nothing arrived, the probe was not answered
    expect(connection.state).toBe('reconnecting')
    expect(logs.some((l) => l.message === 'tillkit ws socket failed to close')).toBe(true)
  })
})

describe('connection discontinued (pay at table: a newer connection took over)', () => {
  it('-32004 stops reconnecting: reported, closed', async () => {
    const { socket, clock, errors, states } = await connectedAs('pat')
    socket.receive({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32004, message: 'Connection discontinued.' },
    })
    expect(errors[0]).toBeInstanceOf(TillkitRpcError)
    expect(errors[0]).toMatchObject({ rpcCode: -32004 })
    expect(states).toEqual(['closed'])
    expect(socket.closes).toEqual([{ code: 1000, reason: 'discontinued' }])
    socket.drop(4000, 'Connection discontinued')
    expect(clock.pending).toBe(0)
  })

  it('not at the counter, which allows several connections: the code, the words or the close frame are an ordinary error', async () => {
    const { connection, socket, errors, states } = await connected()
    const sale = outcome(connection.request('sale', SALE))
    const id = socket.last!.id as number
    socket.receive({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'Connection discontinued' },
    })
    socket.receive({ jsonrpc: '2.0', id, error: { code: -32004, message: 'Terminal busy' } })
    expect(errors).toHaveLength(1)
    expect(connection.state).toBe('open')
    const refused = await sale
    expect(refused.ok || refused.error).toMatchObject({ rpcCode: -32004 })
    // A close frame with those words is a lost connection, as any other: it reconnects.
    socket.drop(4000, 'Connection discontinued')
    expect(connection.state).toBe('reconnecting')
    expect(states).toEqual(['reconnecting'])
  })

  it('is also recognised by its message, whatever the code', async () => {
    const { connection, socket } = await connectedAs('pat')
    socket.receive({ jsonrpc: '2.0', error: { code: -32000, message: 'CONNECTION DISCONTINUED' } })
    expect(connection.state).toBe('closed')
  })

  it('and when only the close frame says so: closed, no reconnecting', async () => {
    const { connection, socket, states, clock } = await connectedAs('pat')
    socket.drop(4000, 'Connection discontinued')
    expect(states).toEqual(['closed'])
    expect(connection.state).toBe('closed')
    expect(clock.pending).toBe(0)
  })
})

describe('close', () => {
  it('closes the socket cleanly; a read in flight is aborted, a payment becomes an unknown outcome', async () => {
    const { connection, socket, clock, states } = await connected()
    const sale = outcome(connection.request('sale', SALE))
    const details = outcome(connection.request('terminalDetails', { tids: ['T1'] }))
    await connection.close()
    expect(socket.closes).toEqual([{ code: 1000, reason: 'closed by the EPoS' }])
    expect(socket.terminated).toBe(false)
    expect(states).toEqual(['closed'])
    const paid = await sale
    expect(paid.ok || paid.error).toMatchObject({ reason: 'closed', outcomeUnknown: true })
    const read = await details
    expect(read.ok || read.error).toBeInstanceOf(TillkitAbortedError)
    expect(clock.pending).toBe(0)
    // Whatever the socket does afterwards is ignored; closing again does nothing.
    socket.drop()
    await connection.close()
    expect(states).toEqual(['closed'])
    const error = await connection.request('connectedTerminals').catch((e: any) => e)
    expect(error).toMatchObject({
      message: 'connectedTerminals was not sent: the connection is closed',
    })
  })

  it('while reconnecting, cancels the next attempt', async () => {
    const { connection, socket, clock, net } = await connected()
    socket.drop()
    await connection.close()
    expect(clock.pending).toBe(0)
    await clock.advance(60_000)
    expect(net.sockets).toHaveLength(1)
  })
})

describe('liveness', () => {
  it('pay at counter: a quiet connection is probed at half idleMs; an answer keeps it open', async () => {
    const { connection, socket, clock } = await connected({ liveness: { idleMs: 20_000 } })
    await clock.advance(9_999)
    expect(socket.sent).toEqual([])
    await clock.advance(1)
    expect(socket.messages).toEqual([{ jsonrpc: '2.0', id: 1, method: 'connectedTerminals' }])
    socket.answer(1, { terminals: [] })
    await clock.advance(15_000)
    expect(connection.state).toBe('open')
    // The next quiet spell is probed again.
    await clock.advance(5_000)
    expect(socket.messages.map((m) => m.method)).toEqual([
      'connectedTerminals',
      'connectedTerminals',
    ])
  })

  it('an unanswered probe: after idleMs of silence the connection is presumed dead and replaced', async () => {
    const { connection, socket, clock, errors, net } = await connected({
      liveness: { idleMs: 20_000 },
      random: () => 0,
    })
    const sale = outcome(connection.request('sale', SALE))
    await clock.advance(19_999)
    expect(connection.state).toBe('open')
    await clock.advance(1)
    expect(connection.state).toBe('reconnecting')
    expect(errors.map((e) => e.message)).toEqual([
      `No message from Connect for 20000 ms on ${REDACTED_URL}: the connection is presumed dead`,
    ])
    expect(socket.closes).toEqual([{ code: 4000, reason: 'abandoned by the EPoS' }])
    expect(socket.terminated).toBe(true)
    const result = await sale
    expect(result.ok || result.error).toMatchObject({
      reason: 'disconnected',
      outcomeUnknown: true,
    })
    await clock.advance(0)
    expect(net.sockets).toHaveLength(2)
  })

  it('silence is timed on steady time: a wall clock stepped back an hour hides no dead connection', async () => {
    const { connection, clock } = await connected({ liveness: { idleMs: 20_000 }, random: () => 0 })
    clock.step(-3_600_000)
    await clock.advance(20_000)
    expect(connection.state).toBe('reconnecting')
  })

  it('...and one stepped forward an hour ends no healthy connection (nor the sale on it)', async () => {
    const { connection, socket, clock, errors } = await connected({
      liveness: { idleMs: 20_000 },
      random: () => 0,
    })
    const sale = connection.request('sale', SALE)
    clock.step(3_600_000)
    await clock.advance(10_000)
    // The probe at half the idle time is answered: the connection is alive.
    socket.answer(socket.messages.at(-1)!.id, { terminals: [] })
    await clock.advance(15_000)
    expect(connection.state).toBe('open')
    expect(errors).toEqual([])
    void sale.catch(() => {})
  })

  it('any message resets the silence; without the probe only traffic and pings count', async () => {
    const { connection, socket, clock } = await connected(
      { liveness: { idleMs: 20_000, probe: false } },
      { pings: true },
    )
    await clock.advance(15_000)
    socket.receive(terminalNotification('T1', 'PIN_ENTRY'))
    await clock.advance(15_000)
    expect(connection.state).toBe('open')
    expect(socket.sent).toEqual([])
    await clock.advance(5_000)
    expect(connection.state).toBe('reconnecting')
  })

  it('with neither probe nor pings, a quiet connection cannot be told from a dead one: nothing is armed', async () => {
    const { clock } = await connected({ liveness: { probe: false } })
    expect(clock.pending).toBe(0)
  })

  it('protocol pings (ws-style sockets) count as signs of life, on pay at table too', async () => {
    const { connection, socket, clock } = await connectedAs(
      'pat',
      { liveness: { idleMs: 20_000 } },
      { pings: true },
    )
    for (let i = 0; i < 5; i++) {
      await clock.advance(15_000)
      socket.ping()
    }
    expect(connection.state).toBe('open')
    await clock.advance(20_000)
    expect(connection.state).toBe('reconnecting')
  })

  it('pay at table without pings cannot tell quiet from dead: no liveness timer', async () => {
    const { connection, clock } = await connectedAs('pat')
    expect(clock.pending).toBe(0)
    await clock.advance(3_600_000)
    expect(connection.state).toBe('open')
  })

  it('liveness false arms nothing', async () => {
    const { clock } = await connected({ liveness: false })
    expect(clock.pending).toBe(0)
  })

  it('a failed probe (refused) is only logged; liveness still decides', async () => {
    const { connection, socket, clock, logs } = await connected({ liveness: { idleMs: 20_000 } })
    await clock.advance(10_000)
    socket.receive({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'busy' } })
    await flush()
    expect(logs.some((l) => l.message === 'tillkit ws probe failed')).toBe(true)
    expect(connection.state).toBe('open')
  })
})

/**
 * A misspelt option (`timeout` for `timeoutMs`) is refused when the client is made, naming it and
 * never quoting its value, before anything is sent; every option the types document is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createPaymentsenseClient, type PaymentsenseClientOptions } from '../src/index.js'
import { waitForTransaction, type WatchOptions } from '../src/watch.js'
import { checkConnectOptions, connectPaymentsense, type ConnectOptions } from '../src/ws/index.js'
import { captureLogger, unknownName } from '../../core/test/helpers.js'
import { BASE, scriptedNetwork } from './ws/scripted-socket.js'

/** What a misspelt `apiKey` would hold: it must appear in no error. */
const SECRET = `ps_live_${crypto.randomUUID()}`

/** A fetch that records every request. */
function recorder() {
  const sent: Request[] = []
  const fetch = async (request: Request) => {
    sent.push(request)
    return Response.json({ terminals: [], notifications: ['TRANSACTION_FINISHED'] })
  }
  return { sent, fetch }
}

const REQUIRED = {
  account: 'mysite',
  environment: 'test',
  apiKey: `ps_test_${crypto.randomUUID()}`,
  softwareHouseId: 'SWH-1',
  installerId: 'INST-1',
} as const

describe('createPaymentsenseClient', () => {
  it.each([
    ['timeout', 'options.timeout'],
    ['apikey', 'options.apikey'],
    ['minInterval', 'options.minInterval'],
    ['secrets', 'options.secrets'],
  ])('refuses the unknown name %s, sending nothing', (name, field) => {
    const { sent, fetch } = recorder()
    const options = { ...REQUIRED, fetch, [name]: SECRET } as PaymentsenseClientOptions
    const error = unknownName(() => createPaymentsenseClient(options), field, SECRET)
    // The names it knows include the host's, which are checked only without a baseUrl.
    expect(error.rule).toContain('timeoutMs')
    expect(error.rule).toContain('account')
    expect(sent).toHaveLength(0)
  })

  it('refuses an unknown name in retry', () => {
    const options = { ...REQUIRED, retry: { maxAttempt: SECRET } }
    unknownName(
      () => createPaymentsenseClient(options as unknown as PaymentsenseClientOptions),
      'options.retry.maxAttempt',
      SECRET,
    )
  })

  it('takes every option of its type', async () => {
    const { sent, fetch } = recorder()
    const every: Required<PaymentsenseClientOptions> = {
      ...REQUIRED,
      username: 'till-7',
      baseUrl: 'https://proxy.example/',
      fetch,
      logger: captureLogger().logger,
      timeoutMs: 5_000,
      retry: {
        maxAttempts: 2,
        baseDelayMs: 1,
        maxDelayMs: 2,
        maxElapsedMs: 3,
        retryOnStatus: [503],
      },
      minIntervalMs: 0,
      clock: createManualClock({ autoAdvance: true }),
    }
    const client = createPaymentsenseClient(every)
    client.transport.ok(await client.pac.GET('/pac/terminals'))
    expect(sent.map((r) => r.url)).toEqual(['https://proxy.example/pac/terminals'])
  })
})

describe('connectPaymentsense (WebSocket)', () => {
  const refused = async (options: Record<string, unknown>, field: string) => {
    const net = scriptedNetwork()
    const connecting = connectPaymentsense({
      ...BASE,
      integration: 'pac',
      WebSocket: net.WebSocket,
      // Were the name taken, the test would wait this long for a socket that never opens.
      connectTimeoutMs: 1_000,
      ...options,
    } as ConnectOptions)
    const error = await connecting.catch((e: unknown) => e)
    unknownName(
      () => {
        throw error
      },
      field,
      SECRET,
    )
    // No socket was made: nothing was sent, not even the URL with the key.
    expect(net.sockets).toHaveLength(0)
  }

  it('refuses an unknown name, in the options and in reconnect and liveness', async () => {
    await refused({ requestTimeout: SECRET }, 'options.requestTimeout')
    await refused({ apikey: SECRET }, 'options.apikey')
    await refused({ reconnect: { maxAttempt: SECRET } }, 'options.reconnect.maxAttempt')
    await refused({ liveness: { idle: SECRET } }, 'options.liveness.idle')
  })

  it('takes every option of its type', async () => {
    const net = scriptedNetwork()
    const every: Required<ConnectOptions<'pat'>> = {
      ...BASE,
      integration: 'pat',
      finalPosReceiptRequest: true,
      WebSocket: net.WebSocket,
      baseUrl: 'ws://127.0.0.1:8080',
      logger: captureLogger().logger,
      clock: createManualClock(),
      random: () => 0.5,
      requestTimeoutMs: 1_000,
      paymentTimeoutMs: 2_000,
      connectTimeoutMs: 3_000,
      maxMessageBytes: 4_096,
      reconnect: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
      liveness: { idleMs: 5_000, probe: false },
    }
    expect(() => checkConnectOptions(every)).not.toThrow()
    const connecting = connectPaymentsense(every)
    net.socket.open()
    const connection = await connecting
    expect(connection.state).toBe('open')
    await connection.close()
  })
})

describe('waitForTransaction', () => {
  it('refuses an unknown name, sending nothing', async () => {
    const { sent, fetch } = recorder()
    const client = createPaymentsenseClient({ ...REQUIRED, fetch })
    const options = { interval: SECRET } as WatchOptions
    const error = await waitForTransaction(client, 'T1', 'r1', options).catch((e: unknown) => e)
    unknownName(
      () => {
        throw error
      },
      'options.interval',
      SECRET,
    )
    expect(sent).toHaveLength(0)
  })

  it('takes every option of its type', async () => {
    const { sent, fetch } = recorder()
    const client = createPaymentsenseClient({ ...REQUIRED, fetch })
    const every: Required<WatchOptions> = {
      intervalMs: 100,
      signal: new AbortController().signal,
      onNotification: () => {},
    }
    await waitForTransaction(client, 'T1', 'r1', every)
    expect(sent).toHaveLength(1)
  })
})

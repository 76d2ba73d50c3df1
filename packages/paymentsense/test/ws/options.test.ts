import { createManualClock } from '@tillkit/core'
import {
  connectPaymentsense,
  TillkitValidationError,
  type ConnectOptions,
} from '@tillkit/paymentsense/ws'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { API_KEY, BASE, scriptedNetwork } from './scripted-socket.js'

/** Opens with these options and returns the URL the socket was given, and the connection. */
async function urlFor(options: Partial<ConnectOptions>) {
  const net = scriptedNetwork()
  const pending = connectPaymentsense({
    ...BASE,
    integration: 'pac',
    WebSocket: net.WebSocket,
    clock: createManualClock(),
    ...options,
  } as ConnectOptions)
  net.socket.open()
  const connection = await pending
  return { url: net.socket.url, connection }
}

/** The validation error the options are refused with; no socket is made. */
async function refusal(options: Record<string, unknown>) {
  const net = scriptedNetwork()
  const error = await connectPaymentsense({
    ...BASE,
    integration: 'pac',
    WebSocket: net.WebSocket,
    ...options,
  } as unknown as ConnectOptions).catch((e: any) => e)
  expect(net.sockets).toHaveLength(0)
  expect(error).toBeInstanceOf(TillkitValidationError)
  return error as TillkitValidationError
}

afterEach(() => vi.unstubAllGlobals())

describe('the connection URL', () => {
  it('is the account host, the integration path, token, api-version v1 and the EPoS ids', async () => {
    const { url, connection } = await urlFor({})
    expect(url).toBe(
      `wss://acme.test.connect.paymentsense.cloud/pac?token=${API_KEY}&api-version=v1&software-house-id=SWH1&installer-id=INST1`,
    )
    expect(connection.url).toBe(
      'wss://acme.test.connect.paymentsense.cloud/pac?token=[REDACTED]&api-version=v1&software-house-id=SWH1&installer-id=INST1',
    )
    expect(connection.integration).toBe('pac')
    expect(connection.state).toBe('open')
  })

  it('live has no .test; pat takes the bare final-pos-receipt-request flag; values are encoded', async () => {
    const live = await urlFor({ environment: 'live', installerId: 'A&B =1' })
    expect(live.url).toMatch(/^wss:\/\/acme\.connect\.paymentsense\.cloud\/pac\?/)
    expect(new URL(live.url).searchParams.get('installer-id')).toBe('A&B =1')
    const pat = await urlFor({ integration: 'pat', finalPosReceiptRequest: true })
    expect(pat.url).toMatch(/\/pat\?token=.*&installer-id=INST1&final-pos-receipt-request$/)
    const plain = await urlFor({ integration: 'pat', finalPosReceiptRequest: false })
    expect(plain.url).not.toContain('final-pos-receipt-request')
  })

  it('baseUrl replaces the host (account and environment are then not needed)', async () => {
    const { url } = await urlFor({
      baseUrl: 'ws://127.0.0.1:8080/',
      account: undefined,
      environment: undefined,
    })
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:8080\/pac\?token=/)
  })

  it('uses the global WebSocket when none is given', async () => {
    const net = scriptedNetwork()
    vi.stubGlobal('WebSocket', net.WebSocket)
    const pending = connectPaymentsense({ ...BASE, integration: 'pac', clock: createManualClock() })
    net.socket.open()
    expect((await pending).state).toBe('open')
  })
})

describe('options are checked before anything is opened', () => {
  it.each([
    [{ integration: 'xyz' }, 'options.integration', 'must be one of pac, pat'],
    [{ apiKey: '' }, 'options.apiKey', 'must be at least 1 characters long'],
    [{ softwareHouseId: '' }, 'options.softwareHouseId', 'must be at least 1 characters long'],
    [{ installerId: 7 }, 'options.installerId', 'must be a string'],
    [
      { finalPosReceiptRequest: true },
      'options.finalPosReceiptRequest',
      'only allowed when integration is pat',
    ],
    [
      { integration: 'pat', finalPosReceiptRequest: 'yes' },
      'options.finalPosReceiptRequest',
      'must be a boolean',
    ],
    [{ WebSocket: 'ws' }, 'options.WebSocket', 'must be a function'],
    [{ random: 1 }, 'options.random', 'must be a function'],
    [{ baseUrl: 'https://h' }, 'options.baseUrl', 'must match /^wss?:\\/\\/[^\\s/?#]+/'],
    [{ clock: {} }, 'options.clock', 'must be a Clock (now, schedule, sleep)'],
    [{ requestTimeoutMs: 0 }, 'options.requestTimeoutMs', 'must be an integer from 1 to 3600000'],
    [{ paymentTimeoutMs: 1.5 }, 'options.paymentTimeoutMs', 'must be an integer from 1 to 3600000'],
    [{ connectTimeoutMs: -1 }, 'options.connectTimeoutMs', 'must be an integer from 1 to 600000'],
    [
      { maxMessageBytes: 10 },
      'options.maxMessageBytes',
      'must be an integer from 1024 to 67108864',
    ],
    [{ reconnect: true }, 'options.reconnect', 'must be an object or false'],
    [
      { reconnect: { maxAttempts: -1 } },
      'options.reconnect.maxAttempts',
      'must be an integer from 0 to 9007199254740991',
    ],
    [
      { reconnect: { baseDelayMs: 0 } },
      'options.reconnect.baseDelayMs',
      'must be an integer from 1 to 600000',
    ],
    [{ liveness: null }, 'options.liveness', 'must be an object or false'],
    [
      { liveness: { idleMs: 10 } },
      'options.liveness.idleMs',
      'must be an integer from 1000 to 3600000',
    ],
    [{ liveness: { probe: 'no' } }, 'options.liveness.probe', 'must be a boolean'],
    [
      { integration: 'pat', liveness: { probe: true } },
      'options.liveness.probe',
      'only allowed when integration is pac',
    ],
    [{ environment: 'prod' }, 'options.environment', 'must be one of test, live'],
    [{ account: 'a.b' }, 'options.account', 'must match /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i'],
  ])('%j -> %s %s', async (options, field, rule) => {
    const error = await refusal(options)
    expect([error.field, error.rule]).toEqual([field, rule])
    expect(error.mayHaveReachedProvider).toBe(false)
  })

  it('never quotes the API key', async () => {
    const error = await refusal({ apiKey: 42 })
    expect(error.message).toBe('options.apiKey: must be a string')
  })

  it('the options must be an object', async () => {
    const error = await connectPaymentsense(undefined as never).catch((e: any) => e)
    expect(error).toMatchObject({ field: 'options', rule: 'must be an object' })
  })

  it('asks for a WebSocket class where there is no global one (Node 20)', async () => {
    vi.stubGlobal('WebSocket', undefined)
    const error = await connectPaymentsense({ ...BASE, integration: 'pac' }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({
      field: 'options.WebSocket',
      rule: 'is required where there is no global WebSocket (on Node 20, pass the ws package)',
    })
  })

  it('accepts maxAttempts Infinity and turning reconnect and liveness off', async () => {
    for (const extra of [
      { reconnect: { maxAttempts: Infinity } },
      { reconnect: false, liveness: false },
    ]) {
      const { connection } = await urlFor(extra as Partial<ConnectOptions>)
      expect(connection.state).toBe('open')
    }
  })
})

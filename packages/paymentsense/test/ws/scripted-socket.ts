import { inspect } from 'node:util'
import { createManualClock, type ManualClock } from '@tillkit/core'
import {
  connectPaymentsense,
  type ConnectOptions,
  type ConnectionState,
  type Integration,
  type PaymentsenseConnection,
  type TillkitError,
  type WebSocketConstructor,
} from '@tillkit/paymentsense/ws'

/** A message as the tests read it. */
export type Message = Record<string, any>

type Listener = (event: unknown) => void

export interface NetworkOptions {
  /** Give sockets `ws`'s `on('ping')`. */
  pings?: boolean
  /** The constructor throws this instead of making a socket. */
  refuse?: Error
}

/**
 * A WebSocket whose every move the test makes: `open()`, `receive()`, `drop()`, `fail()`, `ping()`. What the client
 * sends collects in `sent`; `close()` and `terminate()` are recorded and fire nothing (the client must not wait).
 */
export class ScriptedSocket {
  readyState = 0
  readonly sent: string[] = []
  readonly closes: Array<{ code?: number; reason?: string }> = []
  terminated = false
  /** Make `send` or `close` throw from now on. */
  sendThrows: Error | undefined
  closeThrows: Error | undefined
  readonly #listeners = new Map<string, Listener[]>()
  readonly pingListeners: Array<() => void> = []

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener])
  }

  send(data: string): void {
    if (this.sendThrows) throw this.sendThrows
    if (this.readyState !== 1) throw new Error('not open')
    this.sent.push(data)
  }

  close(code?: number, reason?: string): void {
    if (this.closeThrows) throw this.closeThrows
    this.closes.push({ code, reason })
    this.readyState = 2
  }

  terminate(): void {
    this.terminated = true
    this.readyState = 3
  }

  // Test controls.

  open(): void {
    this.readyState = 1
    this.#fire('open', {})
  }

  receive(message: unknown): void {
    this.#fire('message', { data: typeof message === 'string' ? message : JSON.stringify(message) })
  }

  /** A raw frame (e.g. binary). */
  receiveRaw(data: unknown): void {
    this.#fire('message', { data })
  }

  drop(code = 1006, reason = ''): void {
    this.readyState = 3
    this.#fire('close', { code, reason })
  }

  fail(error?: unknown): void {
    this.readyState = 3
    this.#fire('error', { error })
  }

  ping(): void {
    for (const listener of this.pingListeners) listener()
  }

  /** Everything sent, parsed. */
  get messages(): Message[] {
    return this.sent.map((text) => JSON.parse(text) as Message)
  }

  get last(): Message | undefined {
    return this.messages.at(-1)
  }

  /** Answers request `id` with `result`. */
  answer(id: number, result: unknown): void {
    this.receive({ jsonrpc: '2.0', id, result })
  }

  #fire(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event)
  }
}

class PingingSocket extends ScriptedSocket {
  on(event: 'ping', listener: () => void): this {
    if (event === 'ping') this.pingListeners.push(listener)
    return this
  }
}

/** A WebSocket constructor handing out scripted sockets, with the list of those it made. */
export function scriptedNetwork(options: NetworkOptions = {}) {
  const sockets: ScriptedSocket[] = []
  const Base = options.pings ? PingingSocket : ScriptedSocket
  const WebSocket = class extends Base {
    constructor(url: string) {
      if (options.refuse) throw options.refuse
      super(url)
      sockets.push(this)
    }
  } as unknown as WebSocketConstructor
  return {
    WebSocket,
    sockets,
    get socket(): ScriptedSocket {
      return sockets.at(-1)!
    },
  }
}

/** A unique key, so that any leak is found by a plain search. */
export const API_KEY = 'sk-test-7Qm2ZpX9vLk4'

export const BASE = {
  account: 'acme',
  environment: 'test',
  apiKey: API_KEY,
  softwareHouseId: 'SWH1',
  installerId: 'INST1',
} as const

export interface LogLine {
  level: string
  fields: unknown
  message: string | undefined
}

/** Everything a test captured, searched for the key. */
export function leaks(...captured: unknown[]): string[] {
  const text = inspect(captured, { depth: 20, showHidden: true, getters: true })
  const json = JSON.stringify(captured, (_key, value: unknown) =>
    value instanceof Error
      ? { ...value, message: value.message, stack: value.stack, cause: value.cause }
      : value,
  )
  return [text, json].filter((t) => t.includes(API_KEY) || t.includes('7Qm2ZpX9vLk4'))
}

export interface Rig<I extends Integration> {
  connection: PaymentsenseConnection<I>
  clock: ManualClock
  net: ReturnType<typeof scriptedNetwork>
  socket: ScriptedSocket
  errors: TillkitError[]
  states: ConnectionState[]
  logs: LogLine[]
}

/**
 * An open pay-at-counter connection on a manual clock and scripted sockets, collecting error events, state
 * changes and log lines.
 */
export async function connected(
  extra: Partial<ConnectOptions<'pac'>> = {},
  network: NetworkOptions = {},
): Promise<Rig<'pac'>> {
  return connectedAs('pac', extra, network)
}

export async function connectedAs<I extends Integration>(
  integration: I,
  extra: Partial<ConnectOptions<I>> = {},
  network: NetworkOptions = {},
): Promise<Rig<I>> {
  const clock = createManualClock()
  const net = scriptedNetwork(network)
  const logs: LogLine[] = []
  const log = (level: string) => (fields: unknown, message?: string) =>
    void logs.push({ level, fields, message })
  const pending = connectPaymentsense<I>({
    ...BASE,
    integration,
    WebSocket: net.WebSocket,
    clock,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    ...extra,
  } as ConnectOptions<I>)
  net.socket.open()
  const connection = await pending
  const errors: TillkitError[] = []
  const states: ConnectionState[] = []
  connection.on('error', (e) => void errors.push(e))
  connection.on('state', (s) => void states.push(s))
  return { connection, clock, net, socket: net.socket, errors, states, logs }
}

/** Lets promise callbacks run (no timers involved). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Settles a promise into what it resolved or rejected with, so a test can look at either. */
export async function outcome<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, error }
  }
}

/** A finished, approved sale as Connect reports it. */
export function payment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tid: 'T1',
    transactionResult: 'SUCCESSFUL',
    transactionType: 'SALE',
    currency: 'GBP',
    amountBase: 1200,
    amountCashback: 0,
    amountGratuity: 0,
    amountTotal: 1200,
    applicationId: 'A0000000031010',
    applicationLabel: 'VISA DEBIT',
    authCode: '123456',
    cardSchemeName: 'VISA',
    cardholderVerificationMethod: 'PIN',
    paymentMethod: 'ICC_CHIP',
    primaryAccountNumber: '************1234',
    primaryAccountNumberSequence: '01',
    dateOfExpiry: '12/29',
    dateOfStart: '01/24',
    transactionId: 'tx-1',
    transactionNumber: '0001',
    transactionTime: '2026-01-01T00:00:00',
    receiptLines: { CUSTOMER: [{ value: 'THANK YOU' }] },
    ...overrides,
  }
}

export const terminalNotification = (tid: string, notificationValue: string) => ({
  jsonrpc: '2.0',
  method: 'terminalNotification',
  params: { tid, notificationValue },
})

export const signatureRequest = (id: number, tid = 'T1') => ({
  jsonrpc: '2.0',
  id,
  method: 'signatureVerificationRequest',
  params: {
    timeout: 80,
    tid,
    receiptLines: { MERCHANT: [{ value: 'PLEASE SIGN' }] },
    authCode: '123456',
    applicationId: 'A0000000031010',
    applicationLabel: 'VISA DEBIT',
    cardholderVerificationMethod: 'SIGNATURE',
    paymentMethod: 'ICC_CHIP',
    primaryAccountNumber: '************1234',
    transactionType: 'SALE',
  },
})

import {
  bool,
  checkClientOptions,
  checkFields,
  checkOptions,
  int,
  oneOf,
  optional,
  string,
  text,
  TillkitValidationError,
  TRANSPORT_RULES,
  type Check,
  type Clock,
  type LoggerLike,
  type Rules,
} from '@tillkit/core'
import type { Integration } from './methods.js'

/**
 * What the client needs of a WebSocket: the browser API's events and methods (the `ws` package on Node 20 has them
 * too), plus `ws`'s `on('ping')` where the socket exposes protocol pings.
 */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: any) => void,
  ): void
  /** `ws` only: protocol pings count as signs of life. */
  on?(event: 'ping', listener: () => void): unknown
  /** `ws` only: ends the connection at once, without the close handshake. */
  terminate?(): void
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface ReconnectPolicy {
  /** Ceiling of the first delay; doubles per attempt. Default 1 000. */
  baseDelayMs: number
  /** Ceiling of any delay. Default 30 000. */
  maxDelayMs: number
  /** Attempts after one drop before giving up (state `closed`). Default `Infinity`. */
  maxAttempts: number
}

export interface LivenessPolicy {
  /** Silence (no message, no protocol ping) after which the connection is presumed dead. Default 60 000. */
  idleMs: number
  /**
   * Pay at counter only: after half of `idleMs` of silence, send a cheap `connectedTerminals` request so a healthy
   * quiet connection answers. Default `true` on pay at counter.
   */
  probe: boolean
}

export interface ConnectOptions<I extends Integration = Integration> {
  /** The account label of your Connect host: `wss://<account>.test.connect.paymentsense.cloud`. */
  account?: string
  environment?: 'test' | 'live'
  /** The site API key; it travels in the URL (`token=`), which is redacted everywhere. */
  apiKey: string
  softwareHouseId: string
  installerId: string
  /** `pac` (pay at counter) or `pat` (pay at table). */
  integration: I
  /** Pay at table only: also receive final POS receipt requests. */
  finalPosReceiptRequest?: boolean
  /** Default `globalThis.WebSocket` (browsers, Node 22+); on Node 20 pass the `ws` package's class. */
  WebSocket?: WebSocketConstructor
  /** Replaces `wss://<account>[.test].connect.paymentsense.cloud`, e.g. `ws://127.0.0.1:8080` for a simulator. */
  baseUrl?: string
  logger?: LoggerLike
  /** Every timer (timeouts, backoff, liveness) runs on it. Default `systemClock`. */
  clock?: Clock
  /** Jitter source for the reconnect backoff. Default `Math.random`. */
  random?: () => number
  /** Answer timeout of reads (connectedTerminals, terminalDetails, cancelTransaction). Default 10 000. */
  requestTimeoutMs?: number
  /** Answer timeout of payments, duplicates and reports. Default 300 000. */
  paymentTimeoutMs?: number
  /** How long one connection attempt may take to open. Default 15 000. */
  connectTimeoutMs?: number
  /** Largest message sent or accepted, in UTF-8 bytes. Default 1 MiB. */
  maxMessageBytes?: number
  /** Reconnect after a drop, or `false` to end `closed` instead. */
  reconnect?: Partial<ReconnectPolicy> | false
  /** Dead-connection detection, or `false` to trust the socket's own close events. */
  liveness?: Partial<LivenessPolicy> | false
}

/** The options with defaults filled in, checked. */
export interface Settings {
  integration: Integration
  url: string
  WebSocket: WebSocketConstructor
  requestTimeoutMs: number
  paymentTimeoutMs: number
  connectTimeoutMs: number
  maxMessageBytes: number
  reconnect: ReconnectPolicy | false
  liveness: LivenessPolicy | false
}

const DEFAULTS = {
  requestTimeoutMs: 10_000,
  paymentTimeoutMs: 300_000,
  connectTimeoutMs: 15_000,
  maxMessageBytes: 1_048_576,
  reconnect: { baseDelayMs: 1_000, maxDelayMs: 30_000, maxAttempts: Infinity },
  idleMs: 60_000,
}

const fn: Check = (field, value) => {
  if (value !== undefined && typeof value !== 'function')
    throw new TillkitValidationError(field, 'must be a function')
}

const objectOrFalse: Check = (field, value) => {
  if (value !== undefined && value !== false && (typeof value !== 'object' || value === null))
    throw new TillkitValidationError(field, 'must be an object or false')
}

/** Every option but the host; any other name is refused. */
const OPTION_RULES: Rules = {
  integration: oneOf(['pac', 'pat']),
  apiKey: string({ minLength: 1, secret: true }),
  softwareHouseId: text,
  installerId: text,
  finalPosReceiptRequest: (field, value, options) => {
    if (value === undefined) return
    if (options.integration !== 'pat')
      throw new TillkitValidationError(field, 'only allowed when integration is pat')
    bool(field, value, options)
  },
  WebSocket: fn,
  random: fn,
  // Taken as it is, as the REST client takes it.
  logger: TRANSPORT_RULES.logger,
  baseUrl: optional(string({ pattern: /^wss?:\/\/[^\s/?#]+/ })),
  clock: (field, value) => {
    const clock = value as Partial<Clock> | undefined
    if (
      value !== undefined &&
      (typeof clock?.schedule !== 'function' || typeof clock.now !== 'function')
    )
      throw new TillkitValidationError(field, 'must be a Clock (now, schedule, sleep)')
  },
  requestTimeoutMs: optional(int(1, 3_600_000)),
  paymentTimeoutMs: optional(int(1, 3_600_000)),
  connectTimeoutMs: optional(int(1, 600_000)),
  maxMessageBytes: optional(int(1_024, 64 * 1_048_576)),
  reconnect: objectOrFalse,
  liveness: objectOrFalse,
}

const HOST_RULES: Rules = {
  environment: oneOf(['test', 'live']),
  account: string({ pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i }),
}

const RECONNECT_RULES: Rules = {
  baseDelayMs: optional(int(1, 600_000)),
  maxDelayMs: optional(int(1, 3_600_000)),
  maxAttempts: (field, value, object) =>
    value === Infinity || optional(int(0, Number.MAX_SAFE_INTEGER))(field, value, object),
}

const LIVENESS_RULES: Rules = {
  idleMs: optional(int(1_000, 3_600_000)),
  probe: optional(bool),
}

/** Checks every option (typed errors naming it) and fills in the defaults; nothing is opened. */
export function settle(options: ConnectOptions): Settings {
  checkClientOptions(options, OPTION_RULES, HOST_RULES)
  if (options.baseUrl === undefined)
    checkFields(options as unknown as Record<string, unknown>, HOST_RULES, 'options.')
  const { integration } = options

  let reconnect: ReconnectPolicy | false = false
  if (options.reconnect !== false) {
    const given = options.reconnect ?? {}
    checkOptions(given, RECONNECT_RULES, 'options.reconnect')
    reconnect = { ...DEFAULTS.reconnect, ...definedOnly(given) }
  }
  let liveness: LivenessPolicy | false = false
  if (options.liveness !== false) {
    const given = options.liveness ?? {}
    checkOptions(given, LIVENESS_RULES, 'options.liveness')
    if (given.probe === true && integration !== 'pac')
      throw new TillkitValidationError(
        'options.liveness.probe',
        'only allowed when integration is pac',
      )
    liveness = { idleMs: DEFAULTS.idleMs, probe: integration === 'pac', ...definedOnly(given) }
  }

  const WebSocket =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (typeof WebSocket !== 'function')
    throw new TillkitValidationError(
      'options.WebSocket',
      'is required where there is no global WebSocket (on Node 20, pass the ws package)',
    )

  return {
    integration,
    url: connectUrl(options),
    WebSocket,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    paymentTimeoutMs: options.paymentTimeoutMs ?? DEFAULTS.paymentTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
    reconnect,
    liveness,
  }
}

/** `{ a: undefined }` must not override a default when spread. */
function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** `wss://<host>/<pac|pat>?token=…&api-version=v1&software-house-id=…&installer-id=…[&final-pos-receipt-request]`. */
function connectUrl(options: ConnectOptions): string {
  const env = options.environment === 'test' ? '.test' : ''
  const base =
    options.baseUrl?.replace(/\/+$/, '') ??
    `wss://${options.account}${env}.connect.paymentsense.cloud`
  const query = new URLSearchParams({
    token: options.apiKey,
    'api-version': 'v1',
    'software-house-id': options.softwareHouseId,
    'installer-id': options.installerId,
  })
  // A bare flag: Connect looks for its presence, not a value.
  const flag = options.finalPosReceiptRequest ? '&final-pos-receipt-request' : ''
  return `${base}/${options.integration}?${query}${flag}`
}

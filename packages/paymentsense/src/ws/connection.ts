import {
  backoffDelay,
  checkFields,
  createRedactor,
  describeSchemaErrors,
  safeLogger,
  schemaValidationError,
  steady,
  systemClock,
  TillkitAbortedError,
  TillkitNetworkError,
  TillkitProtocolError,
  TillkitRpcError,
  TillkitTimeoutError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  type Clock,
  type Logger,
  type Redactor,
  type TillkitError,
} from '@tillkit/core'
import { validateErrorMessage } from '../generated/websocket/error-message.validate.js'
import {
  SELF_ANSWERING,
  SPECS,
  type Call,
  type HandlerSpec,
  type Integration,
  type IntegrationSpec,
  type IntegrationTypes,
  type RequestKind,
  type Validator,
} from './methods.js'
import { settle, type ConnectOptions, type Settings, type WebSocketLike } from './options.js'
import {
  errorReply,
  exceedsBytes,
  isMessageId,
  isPlainObject,
  nextFreeId,
  RpcCode,
} from './wire.js'

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** What an unknown-outcome error of this client knows about the request (`error.known`). */
export interface RequestKnown {
  method: string
  /** The request's params as sent. */
  params: unknown
  tid?: string
  amount?: number
  currency?: string
  /** The last `terminalNotification` seen for the terminal after the request was sent. */
  lastNotification?: string
}

/** The answer to a request that had already timed out, arriving on the same connection. */
export interface LateResponse {
  id: number
  method: string
  params: unknown
  /** The validated result, when Connect answered with one. */
  result?: unknown
  /** When Connect answered with an error. */
  error?: TillkitRpcError
}

type Types<I extends Integration> = IntegrationTypes[I]
type Methods<I extends Integration> = keyof Types<I>['requests'] & string
type HandledMethods<I extends Integration> = keyof Types<I>['handlers'] & string
type ParamsOf<C> = C extends Call<infer P, unknown> ? P : never
type ResultOf<C> = C extends Call<unknown, infer R> ? R : never
/** `params` may be left out where the method takes none. */
type ParamsArgs<P> = undefined extends P ? [params?: P] : [params: P]

export type ConnectionEvents<I extends Integration> = Types<I>['notifications'] & {
  /** Everything that went wrong on the wire or in a handler; never thrown at you. */
  error: TillkitError
  state: ConnectionState
  lateResponse: LateResponse
}

export type Handler<C> = (params: ParamsOf<C>) => ResultOf<C> | Promise<ResultOf<C>>

export interface PaymentsenseConnection<I extends Integration = Integration> {
  readonly integration: I
  /** The connection URL with the token redacted. */
  readonly url: string
  readonly state: ConnectionState
  /**
   * Sends a request and resolves with its validated `result`. Rejects with a TillkitValidationError before
   * sending when the params are bad, a TillkitNetworkError when not connected (not sent), a TillkitRpcError when
   * Connect refuses, and, for payments, duplicates and reports, a TillkitUnknownOutcomeError when the answer will
   * never come (timeout, drop). Never re-sent.
   */
  request<M extends Methods<I>>(
    method: M,
    ...params: ParamsArgs<ParamsOf<Types<I>['requests'][M]>>
  ): Promise<ResultOf<Types<I>['requests'][M]>>
  /** Listens to a notification, `error`, `state` or `lateResponse`; returns the unsubscribe function. */
  on<E extends keyof ConnectionEvents<I> & string>(
    event: E,
    listener: (payload: ConnectionEvents<I>[E]) => void,
  ): () => void
  /**
   * Answers a Connect-to-EPoS request. The answer is validated before it is sent; an invalid answer or a throw is
   * reported as an `error` event and Connect gets a JSON-RPC internal error. One handler per method.
   */
  handle<M extends HandledMethods<I>>(
    method: M,
    handler: Handler<Types<I>['handlers'][M]>,
  ): () => void
  /** Closes the connection for good. Requests in flight reject (payments as unknown outcomes). */
  close(): Promise<void>
}

interface Pending {
  method: string
  kind: RequestKind
  params: unknown
  tid: string | undefined
  response: Validator
  lastNotification?: string
  resolve(result: unknown): void
  reject(error: TillkitError): void
  cancelTimer(): void
}

interface Retired {
  method: string
  params: unknown
  response: Validator
}

type Listener = (payload: unknown) => unknown
type AnyHandler = (params: unknown) => unknown

/** Requests awaiting an answer on one connection, at most: bounds memory and keeps ids plentiful. */
export const MAX_PENDING = 1_000
/** Ids of timed-out requests kept from reuse (oldest forgotten first), so a late answer is not misread. */
export const MAX_RETIRED = 1_000
/** Ids of Connect's requests remembered per connection (oldest forgotten first): a repeat comes soon. */
export const MAX_ASKED = 1_000
const OPEN = 1
const CLOSING = 2
/** Close code we send when we abandon a socket (the 4000-4999 range is for applications). */
const ABANDONED = 4000
const DISCONTINUED_TEXT = /connection discontinued/i
const EVENTS = ['error', 'state', 'lateResponse']

/**
 * Opens a JSON-RPC connection to Connect's WebSocket API and resolves once it is open. Options are checked first
 * (TillkitValidationError naming the option). The first open is attempted once: if it fails or does not open within
 * `connectTimeoutMs`, the promise rejects (TillkitNetworkError or TillkitTimeoutError, URL redacted) and nothing is
 * retried. After that, drops are reconnected with backoff.
 */
export function connectPaymentsense<I extends Integration>(
  options: ConnectOptions<I>,
): Promise<PaymentsenseConnection<I>> {
  return new Promise((resolve, reject) => {
    const connection = new Connection<I>(settle(options), options)
    connection.start(resolve, reject)
  })
}

class Connection<I extends Integration> {
  state: ConnectionState = 'connecting'
  readonly api: PaymentsenseConnection<I>
  private readonly spec: IntegrationSpec
  private readonly clock: Clock
  /** Silence is timed on steady time: a wall-clock step neither hides a dead socket nor ends a live one. */
  private readonly now: () => number
  private readonly random: () => number
  private readonly redact: Redactor
  private readonly logger: Logger
  private readonly url: string
  private socket: WebSocketLike | undefined
  private first:
    { resolve(api: PaymentsenseConnection<I>): void; reject(e: unknown): void } | undefined
  private attempts = 0
  private lastInbound = 0
  private probing = false
  private lastId = 0
  private readonly pending = new Map<number, Pending>()
  private readonly retired = new Map<number, Retired>()
  private readonly handlers = new Map<string, AnyHandler>()
  /** Ids of Connect's requests handed to a handler on the current socket: a repeat is not asked twice. */
  private readonly asked = new Set<number>()
  private readonly listeners = new Map<string, Set<Listener>>()
  private cancelConnect: (() => void) | undefined
  private cancelRetry: (() => void) | undefined
  private cancelLiveness: (() => void) | undefined

  constructor(
    private readonly settings: Settings,
    options: ConnectOptions,
  ) {
    this.spec = SPECS[settings.integration]
    this.clock = options.clock ?? systemClock
    this.now = steady(this.clock)
    this.random = options.random ?? Math.random
    this.redact = createRedactor([options.apiKey])
    this.logger = safeLogger(options.logger, this.redact)
    this.url = this.redact(settings.url)
    const self = this
    this.api = {
      integration: settings.integration as I,
      url: this.url,
      get state() {
        return self.state
      },
      request: (method: string, ...params: unknown[]) => self.request(method, params[0]),
      on: (event, listener) => self.on(event, listener as Listener),
      handle: (method, handler) => self.handle(method, handler as AnyHandler),
      close: () => self.close(),
    } as PaymentsenseConnection<I>
  }

  start(resolve: (api: PaymentsenseConnection<I>) => void, reject: (e: unknown) => void): void {
    this.first = { resolve, reject }
    this.dial()
  }

  // Socket lifecycle.

  private dial(): void {
    let socket: WebSocketLike
    try {
      socket = new this.settings.WebSocket(this.settings.url)
    } catch (cause) {
      return this.lost(this.networkError(`Could not open a WebSocket to ${this.url}`, cause))
    }
    this.socket = socket
    // Connect numbers its requests per connection.
    this.asked.clear()
    /** Events of a socket we have let go of are ignored. */
    const mine =
      <E>(handle: (event: E) => void) =>
      (event?: E) => {
        if (this.socket === socket) handle(event as E)
      }
    socket.addEventListener(
      'open',
      mine(() => this.opened()),
    )
    socket.addEventListener(
      'message',
      mine((event: { data: unknown }) => this.receive(event.data)),
    )
    socket.addEventListener(
      'close',
      mine((event: { code?: number; reason?: string }) => {
        const reason = event.reason ? `, ${event.reason}` : ''
        const what = `WebSocket to ${this.url} closed (code ${event.code}${reason})`
        // A newer connection took over (pay at table), said in the close frame alone.
        if (this.discontinues() && event.reason && DISCONTINUED_TEXT.test(event.reason))
          return this.discontinued(this.networkError(what))
        this.lost(this.networkError(what))
      }),
    )
    socket.addEventListener(
      'error',
      mine((event: { error?: unknown; message?: unknown }) =>
        this.lost(
          this.networkError(`WebSocket to ${this.url} failed`, event.error ?? event.message),
        ),
      ),
    )
    if (typeof socket.on === 'function')
      socket.on(
        'ping',
        mine(() => this.touch()),
      )
    const ms = this.settings.connectTimeoutMs
    this.cancelConnect = this.clock.schedule(
      ms,
      mine(() =>
        this.lost(
          new TillkitTimeoutError(`WebSocket to ${this.url} did not open within ${ms} ms`, ms, {
            redact: this.redact,
          }),
        ),
      ),
    )
  }

  private opened(): void {
    this.cancelConnect?.()
    this.attempts = 0
    this.touch()
    this.setState('open')
    // A state listener may have closed the connection as it opened: then nothing is armed.
    if (this.state === 'open') this.armLiveness()
    const first = this.first
    this.first = undefined
    first?.resolve(this.api)
  }

  /** The current socket is gone (closed, failed, never opened, presumed dead): reconnect, or give up. */
  private lost(error: TillkitError): void {
    const wasOpen = this.state === 'open'
    this.letGo()
    this.failAll(error, 'disconnected')
    if (this.first) {
      // The very first open failed: the caller decides whether to try again.
      this.setState('closed')
      return this.first.reject(error)
    }
    if (wasOpen) this.report(error)
    else
      this.logger.warn(
        { url: this.url, attempt: this.attempts, error },
        'tillkit ws reconnect failed',
      )
    // An error listener may have closed the connection: it stays closed.
    if (this.state === 'closed') return
    const policy = this.settings.reconnect
    if (!policy) return this.setState('closed')
    if (this.attempts >= policy.maxAttempts) {
      this.report(
        this.networkError(`Gave up reconnecting to ${this.url} after ${this.attempts} attempts`),
      )
      return this.setState('closed')
    }
    this.attempts++
    const delayMs = backoffDelay(
      this.attempts,
      { ...policy, maxElapsedMs: Infinity, retryOnStatus: [] },
      this.random,
    )
    this.setState('reconnecting')
    if (this.state !== 'reconnecting') return
    this.logger.info({ url: this.url, attempt: this.attempts, delayMs }, 'tillkit ws reconnecting')
    this.cancelRetry = this.clock.schedule(delayMs, () => {
      this.cancelRetry = undefined
      this.dial()
    })
  }

  /** Forgets the current socket and its timers; a socket that may still be open is closed without waiting. */
  private letGo(code = ABANDONED, reason = 'abandoned by the EPoS'): void {
    const socket = this.socket
    this.socket = undefined
    this.cancelConnect?.()
    this.cancelLiveness?.()
    this.cancelConnect = this.cancelLiveness = undefined
    this.retired.clear()
    if (!socket || socket.readyState >= CLOSING) return
    try {
      socket.close(code, reason)
      // `ws` would wait for the peer's close frame, which a dead connection never sends.
      if (code !== 1000) socket.terminate?.()
    } catch (error) {
      this.logger.warn({ url: this.url, error }, 'tillkit ws socket failed to close')
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return
    this.state = state
    this.logger.info({ url: this.url, state }, 'tillkit ws state')
    this.emit('state', state)
  }

  close(): Promise<void> {
    if (this.state !== 'closed') {
      this.cancelRetry?.()
      this.cancelRetry = undefined
      this.letGo(1000, 'closed by the EPoS')
      this.failAll(
        new TillkitAbortedError('The connection was closed by the caller', true),
        'closed',
      )
      this.setState('closed')
    }
    return Promise.resolve()
  }

  // Liveness.

  private touch(): void {
    this.lastInbound = this.now()
    this.probing = false
  }

  /**
   * One timer at a time, armed for the next moment something may be due (the probe, or the deadline). It is not
   * moved on each message: when it fires it looks at the time of the last one and re-arms.
   */
  private armLiveness(): void {
    const policy = this.settings.liveness
    // Without a probe or pings, a quiet healthy connection cannot be told from a dead one.
    if (!policy || !(policy.probe || typeof this.socket?.on === 'function')) return
    const quiet = this.now() - this.lastInbound
    const half = policy.idleMs / 2
    const at = policy.probe && !this.probing && quiet < half ? half : policy.idleMs
    this.cancelLiveness = this.clock.schedule(at - quiet, () => this.checkLiveness(policy.idleMs))
  }

  private checkLiveness(idleMs: number): void {
    this.cancelLiveness = undefined
    const quiet = this.now() - this.lastInbound
    if (quiet >= idleMs) {
      const error = this.networkError(
        `No message from Connect for ${quiet} ms on ${this.url}: the connection is presumed dead`,
      )
      return this.lost(error)
    }
    if (
      quiet >= idleMs / 2 &&
      !this.probing &&
      this.settings.liveness &&
      this.settings.liveness.probe
    ) {
      this.probing = true
      // Any message, this answer included, counts as a sign of life; the answer itself is not needed.
      this.request('connectedTerminals', undefined).catch((error: unknown) =>
        this.logger.debug({ url: this.url, error }, 'tillkit ws probe failed'),
      )
    }
    this.armLiveness()
  }

  // Outbound.

  private async request(method: string, params: unknown): Promise<unknown> {
    const spec = Object.hasOwn(this.spec.requests, method) ? this.spec.requests[method] : undefined
    if (!spec) {
      const known = Object.keys(this.spec.requests)
      const rule = known.length
        ? `must be one of ${known.join(', ')}`
        : `${this.settings.integration} has no requests from the EPoS`
      throw new TillkitValidationError('method', rule)
    }
    if (params !== undefined || !spec.paramsOptional) {
      if (!isPlainObject(params)) throw new TillkitValidationError('params', 'must be an object')
      checkFields(params, spec.rules, 'params.')
    }
    const message = { jsonrpc: '2.0', id: 0, method, ...(params !== undefined && { params }) }
    if (!spec.request(message)) throw schemaValidationError(spec.request.errors)

    const socket = this.socket
    if (this.state !== 'open' || !socket || socket.readyState !== OPEN)
      throw new TillkitNetworkError(
        `${method} was not sent: the connection is ${this.state}`,
        false,
      )
    if (this.pending.size >= MAX_PENDING)
      throw new TillkitValidationError(
        'request',
        `at most ${MAX_PENDING} requests may await an answer on one connection`,
      )
    const id = nextFreeId(this.lastId, (n) => this.pending.has(n) || this.retired.has(n))
    const text = JSON.stringify({ ...message, id })
    const max = this.settings.maxMessageBytes
    if (exceedsBytes(text, max))
      throw new TillkitValidationError('params', `the message must be at most ${max} bytes`)
    try {
      socket.send(text)
    } catch (cause) {
      throw this.networkError(`${method} was not sent`, cause)
    }
    this.lastId = id
    this.logger.debug({ method, id }, 'tillkit ws request')

    const timeoutMs =
      spec.kind === 'payment' ? this.settings.paymentTimeoutMs : this.settings.requestTimeoutMs
    const tid = (params as { tid?: unknown } | undefined)?.tid
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        method,
        kind: spec.kind,
        params,
        tid: typeof tid === 'string' ? tid : undefined,
        response: spec.response,
        resolve,
        reject,
        cancelTimer: this.clock.schedule(timeoutMs, () => {
          this.pending.delete(id)
          this.retire(id, pending)
          const timeout = new TillkitTimeoutError(
            `${method} got no answer within ${timeoutMs} ms`,
            timeoutMs,
          )
          reject(spec.kind === 'payment' ? this.unknown(pending, 'timeout', timeout) : timeout)
        }),
      }
      this.pending.set(id, pending)
    })
  }

  private retire(id: number, pending: Pending): void {
    if (this.retired.size >= MAX_RETIRED) this.retired.delete(this.retired.keys().next().value!)
    this.retired.set(id, pending)
  }

  /** Settles every request in flight: payments as unknown outcomes, reads with the connection's error. */
  private failAll(cause: TillkitError, reason: string): void {
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const entry of pending) {
      entry.cancelTimer()
      if (entry.kind === 'payment') entry.reject(this.unknown(entry, reason, cause))
      else if (cause instanceof TillkitAbortedError) entry.reject(cause)
      else
        entry.reject(
          this.networkError(`${entry.method} got no answer: ${cause.message}`, cause, true),
        )
    }
  }

  private unknown(
    entry: Pending,
    reason: string,
    cause: TillkitError,
  ): TillkitUnknownOutcomeError<RequestKnown> {
    const params = entry.params as { amount?: unknown; currency?: unknown }
    const known: RequestKnown = {
      method: entry.method,
      params: entry.params,
      ...(entry.tid !== undefined && { tid: entry.tid }),
      ...(typeof params.amount === 'number' && { amount: params.amount }),
      ...(typeof params.currency === 'string' && { currency: params.currency }),
      ...(entry.lastNotification !== undefined && { lastNotification: entry.lastNotification }),
    }
    // Every payment, duplicate and report names its terminal (the rules require tid).
    return new TillkitUnknownOutcomeError<RequestKnown>(
      `${entry.method} on terminal ${entry.tid} may have been carried out, but its answer will never come (${reason}): ` +
        'do not send it again before checking the terminal',
      { operation: entry.method, reason, known, cause, redact: this.redact },
    )
  }

  // Inbound.

  private receive(data: unknown): void {
    this.touch()
    if (typeof data !== 'string')
      return this.report(this.protocolError('malformed', 'A binary frame: Connect sends text'))
    const max = this.settings.maxMessageBytes
    if (exceedsBytes(data, max))
      return this.report(
        this.protocolError('oversized', `A message larger than ${max} bytes was dropped unread`, {
          maxMessageBytes: max,
        }),
      )
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      return this.report(this.protocolError('malformed', 'A message that is not JSON'))
    }
    if (!isPlainObject(message) || message.jsonrpc !== '2.0')
      return this.report(
        this.protocolError('envelope', 'A message that is not a JSON-RPC 2.0 object'),
      )
    const { id, method } = message
    if ('method' in message) {
      if (typeof method !== 'string')
        return this.report(this.protocolError('envelope', 'A message whose method is not a string'))
      if (id === undefined) return this.receiveNotification(method, message)
      if (!isMessageId(id)) return this.report(this.badId(id))
      return this.receiveRequest(id, method, message)
    }
    if ('error' in message) return this.receiveError(message)
    if (!('result' in message))
      return this.report(
        this.protocolError('envelope', 'A message with neither method, result nor error'),
      )
    if (!isMessageId(id)) return this.report(this.badId(id))
    const entry = this.pending.get(id)
    if (!entry) return this.unexpected(id, message)
    this.pending.delete(id)
    entry.cancelTimer()
    if (!entry.response(message)) {
      const error = this.protocolError(
        'invalid',
        `The answer to ${entry.method} (id ${id}) is invalid: ${describeSchemaErrors(entry.response.errors)}`,
        { method: entry.method, id },
      )
      this.report(error)
      return entry.reject(
        entry.kind === 'payment' ? this.unknown(entry, 'invalid answer', error) : error,
      )
    }
    entry.resolve(message.result)
  }

  private receiveError(message: Record<string, unknown>): void {
    if (!validateErrorMessage(message)) {
      const error = this.protocolError(
        'invalid',
        `An invalid error message: ${describeSchemaErrors(validateErrorMessage.errors)}`,
      )
      this.report(error)
      // It still answers a request of ours: that request ends now, as on an invalid result.
      const entry = this.pending.get(message.id as never)
      if (!entry) return
      this.pending.delete(message.id as never)
      entry.cancelTimer()
      return entry.reject(
        entry.kind === 'payment' ? this.unknown(entry, 'invalid answer', error) : error,
      )
    }
    const { code, message: text, data } = message.error
    const id = message.id ?? null
    const entry = id === null ? undefined : this.pending.get(id)
    const error = new TillkitRpcError({
      rpcCode: code,
      rpcMessage: text,
      data,
      ...(entry && { method: entry.method }),
      redact: this.redact,
    })
    if (
      this.discontinues() &&
      (code === RpcCode.ConnectionDiscontinued || DISCONTINUED_TEXT.test(text))
    )
      return this.discontinued(error)
    // An error Connect cannot tie to a request of ours, e.g. about an answer we sent.
    if (id === null) return this.report(error)
    if (!entry) return this.unexpected(id, message)
    this.pending.delete(id)
    entry.cancelTimer()
    entry.reject(
      entry.kind === 'payment' && error.outcomeUnknown
        ? this.unknown(entry, 'internal error', error)
        : error,
    )
  }

  /**
   * Whether this connection can be discontinued: only pay at table keeps one connection per account. Pay at counter
   * allows several, so there the placeholder code or the words are an ordinary error.
   */
  private discontinues(): boolean {
    return this.settings.integration === 'pat'
  }

  /**
   * Pay at table keeps one connection per account: a newer one took over. Reconnecting would take the place back
   * and start a tug of war, so the connection ends here.
   */
  private discontinued(error: TillkitError): void {
    this.report(error)
    this.letGo(1000, 'discontinued')
    this.failAll(error, 'discontinued')
    this.setState('closed')
  }

  /** An answer with an id no request awaits: late (the request timed out) or unexplained. */
  private unexpected(id: number, message: Record<string, unknown>): void {
    const retired = this.retired.get(id)
    if (!retired)
      return this.report(
        this.protocolError('unexpected', `An answer with id ${id}, which no request awaits`, {
          id,
        }),
      )
    this.retired.delete(id)
    const late: LateResponse = { id, method: retired.method, params: retired.params }
    if ('error' in message) {
      const { code, message: text, data } = (message as { error: Record<string, unknown> }).error
      late.error = new TillkitRpcError({
        rpcCode: code as number,
        rpcMessage: text as string,
        data,
        method: retired.method,
        redact: this.redact,
      })
    } else if (retired.response(message)) late.result = message.result
    else
      return this.report(
        this.protocolError(
          'invalid',
          `The late answer to ${retired.method} (id ${id}) is invalid: ${describeSchemaErrors(retired.response.errors)}`,
          { method: retired.method, id },
        ),
      )
    this.emit('lateResponse', late)
  }

  private receiveNotification(method: string, message: Record<string, unknown>): void {
    const validate = Object.hasOwn(this.spec.notifications, method)
      ? this.spec.notifications[method]
      : undefined
    if (!validate)
      return this.report(
        this.protocolError(
          'unknown-method',
          `A notification ${method} that ${this.settings.integration} does not have`,
          {
            method,
          },
        ),
      )
    if (!validate(message))
      return this.report(
        this.protocolError(
          'invalid',
          `An invalid ${method}: ${describeSchemaErrors(validate.errors)}`,
          {
            method,
          },
        ),
      )
    const params = message.params as { tid?: string; notificationValue?: string }
    if (method === 'terminalNotification')
      for (const entry of this.pending.values())
        if (entry.tid === params.tid) entry.lastNotification = params.notificationValue
    this.emit(method, params)
  }

  private receiveRequest(id: number, method: string, message: Record<string, unknown>): void {
    const socket = this.socket!
    const spec = Object.hasOwn(this.spec.handlers, method) ? this.spec.handlers[method] : undefined
    if (!spec) {
      this.report(
        this.protocolError(
          'unknown-method',
          `A request ${method} that ${this.settings.integration} does not have`,
          {
            method,
            id,
          },
        ),
      )
      return this.reply(
        socket,
        errorReply(id, RpcCode.MethodNotFound, `Method not found: ${method}`),
      )
    }
    if (!spec.request(message)) {
      const reason = describeSchemaErrors(spec.request.errors)
      this.report(this.protocolError('invalid', `An invalid ${method}: ${reason}`, { method, id }))
      return this.reply(socket, errorReply(id, RpcCode.InvalidParams, `Invalid params: ${reason}`))
    }
    const handler = this.handlers.get(method)
    if (handler && this.asked.has(id))
      return this.logger.warn(
        { method, id },
        'tillkit ws: a repeat of a request already handled, ignored',
      )
    if (handler) {
      if (this.asked.size >= MAX_ASKED) this.asked.delete(this.asked.values().next().value!)
      this.asked.add(id)
      return void this.answer(socket, id, method, spec, handler, message.params)
    }
    if (method === SELF_ANSWERING) {
      // Connect accepts the signature by itself when its timeout passes.
      return this.logger.info({ method, id }, 'tillkit ws: no handler, left unanswered')
    }
    this.logger.warn({ method, id }, 'tillkit ws: no handler, refused')
    this.reply(socket, errorReply(id, RpcCode.MethodNotFound, `No handler for ${method}`))
  }

  private async answer(
    socket: WebSocketLike,
    id: number,
    method: string,
    spec: HandlerSpec,
    handler: AnyHandler,
    params: unknown,
  ): Promise<void> {
    const refuse = () =>
      this.reply(
        socket,
        errorReply(id, RpcCode.InternalError, 'Internal error: the EPoS could not answer'),
      )
    let result: unknown
    try {
      result = await handler(params)
    } catch (cause) {
      this.report(
        this.protocolError(
          'handler',
          `The ${method} handler failed; Connect was told so`,
          { method, id },
          cause,
        ),
      )
      return refuse()
    }
    const answer = { jsonrpc: '2.0', id, result }
    if (!spec.response(answer)) {
      this.report(schemaValidationError(spec.response.errors, { prefix: method }))
      return refuse()
    }
    const max = this.settings.maxMessageBytes
    const text = JSON.stringify(answer)
    if (exceedsBytes(text, max)) {
      this.report(
        new TillkitValidationError(`${method}.result`, `the answer must be at most ${max} bytes`),
      )
      return refuse()
    }
    this.reply(socket, text)
  }

  /** Sends an answer on the socket its request came on, if that one is still ours and open. */
  private reply(socket: WebSocketLike, message: object | string): void {
    if (socket !== this.socket || socket.readyState !== OPEN)
      return this.logger.warn(
        { url: this.url },
        'tillkit ws: answer dropped, its connection is gone',
      )
    try {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message))
    } catch (cause) {
      this.report(this.networkError('An answer to Connect could not be sent', cause))
    }
  }

  // Listeners and handlers.

  private on(event: string, listener: Listener): () => void {
    if (!EVENTS.includes(event) && !Object.hasOwn(this.spec.notifications, event)) {
      const known = [...Object.keys(this.spec.notifications), ...EVENTS]
      throw new TillkitValidationError('event', `must be one of ${known.join(', ')}`)
    }
    if (typeof listener !== 'function')
      throw new TillkitValidationError('listener', 'must be a function')
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    const mine = set
    // A wrapper, so that subscribing one function twice gives two independent subscriptions.
    const entry: Listener = (payload) => listener(payload)
    mine.add(entry)
    return () => void mine.delete(entry)
  }

  private handle(method: string, handler: AnyHandler): () => void {
    if (!Object.hasOwn(this.spec.handlers, method)) {
      const known = Object.keys(this.spec.handlers).join(', ')
      throw new TillkitValidationError('method', `must be one of ${known}`)
    }
    if (typeof handler !== 'function')
      throw new TillkitValidationError('handler', 'must be a function')
    if (this.handlers.has(method))
      throw new TillkitValidationError('method', `already has a handler: unregister it first`)
    this.handlers.set(method, handler)
    return () => {
      if (this.handlers.get(method) === handler) this.handlers.delete(method)
    }
  }

  /** Calls the listeners; one that throws (or rejects) is logged and does not stop the others. */
  private emit(event: string, payload: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        const result = listener(payload)
        if (result instanceof Promise)
          result.catch((error: unknown) => this.listenerFailed(event, error))
      } catch (error) {
        this.listenerFailed(event, error)
      }
    }
  }

  private listenerFailed(event: string, error: unknown): void {
    this.logger.error({ event, error }, 'tillkit ws: a listener threw; ignored')
  }

  private report(error: TillkitError): void {
    this.logger.warn({ url: this.url, error }, 'tillkit ws error')
    this.emit('error', error)
  }

  // Errors, redacted with the API key registered.

  private networkError(message: string, cause?: unknown, reached = false): TillkitNetworkError {
    return new TillkitNetworkError(message, reached, {
      ...(cause !== undefined && { cause }),
      redact: this.redact,
    })
  }

  private protocolError(
    fault: string,
    message: string,
    details?: Record<string, unknown>,
    cause?: unknown,
  ): TillkitProtocolError {
    return new TillkitProtocolError(fault, message, {
      ...(details && { details }),
      ...(cause !== undefined && { cause }),
      redact: this.redact,
    })
  }

  private badId(id: unknown): TillkitProtocolError {
    return this.protocolError(
      'envelope',
      `A message whose id ${JSON.stringify(id)} is not an integer from 0 to 999999`,
    )
  }
}

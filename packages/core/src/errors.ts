import { createRedactor, type Redactor } from './redact.js'

export type TillkitErrorCode =
  'VALIDATION' | 'HTTP' | 'TIMEOUT' | 'NETWORK' | 'ABORTED' | 'UNKNOWN_OUTCOME' | 'PROTOCOL' | 'RPC'

export interface TillkitErrorOptions {
  cause?: unknown
  /** Redacts message and cause; by default only the fixed patterns (auth headers, URL tokens). */
  redact?: Redactor
}

let patternsOnly: Redactor | undefined
const defaultRedactor = () => (patternsOnly ??= createRedactor())

/** Every tillkit error answers its code to this key, whichever copy of this package made it. */
const MARK = Symbol.for('@tillkit/core.error')

/**
 * Base of every error tillkit throws. Message and cause are redacted here, at construction, so no
 * code path (logging, `String(e)`, `e.stack`, JSON) can leak a secret later.
 */
export class TillkitError extends Error {
  /**
   * `instanceof` also knows an error made by another copy of @tillkit/core (two versions installed
   * side by side, one under a provider package): by its mark and, for a subclass, its code. Without
   * this a 429 of one copy would not be a TillkitHttpError to the other, and be misread.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true
    const code = (value as { [MARK]?: unknown } | null | undefined)?.[MARK]
    // The mark names the nearest class of core above the value's; a subclass made elsewhere is not guessed.
    return (
      typeof code == 'string' &&
      (this === TillkitError ||
        (Object.hasOwn(this, 'code') && (this as { code?: unknown }).code === code))
    )
  }

  // `declare` fields: the constructors assign them; a plain field would also emit a definition.
  declare readonly code: TillkitErrorCode
  /** False only when we know the request never left this process or never reached the provider. */
  declare readonly mayHaveReachedProvider: boolean

  constructor(
    code: TillkitErrorCode,
    message: string,
    mayHaveReachedProvider: boolean,
    options: TillkitErrorOptions = {},
  ) {
    const redact = options.redact ?? defaultRedactor()
    super(
      redact(message),
      options.cause === undefined ? undefined : { cause: redact.value(options.cause) },
    )
    // Named by hand in every subclass: class names do not survive minification.
    this.name = 'TillkitError'
    this.code = code
    this.mayHaveReachedProvider = mayHaveReachedProvider
  }

  /**
   * True when the provider may have acted on the request but we cannot tell the result: a timeout
   * or network failure after sending, or a 5xx. The caller must check before trying again.
   */
  get outcomeUnknown(): boolean {
    return this.mayHaveReachedProvider
  }

  /** `message` is not an own enumerable field of an Error: without this, JSON would drop it. */
  toJSON(): object {
    return { ...this, name: this.name, message: this.message, outcomeUnknown: this.outcomeUnknown }
  }
}

// On the prototype, not each error (JSON, spreading and inspect do not show it): the code of the
// nearest class of core the error's class extends, '' for one that extends only TillkitError. Not
// the instance's `code`: a subclass made elsewhere that passes 'HTTP' is still no TillkitHttpError.
Object.defineProperty(TillkitError.prototype, MARK, {
  get(this: TillkitError) {
    for (let c = this.constructor; c && c !== TillkitError; c = Object.getPrototypeOf(c))
      if (Object.hasOwn(c, 'code')) return (c as unknown as { code: unknown }).code
    return ''
  },
})

/** Bad input, rejected before any network call. */
export class TillkitValidationError extends TillkitError {
  static readonly code = 'VALIDATION'
  declare readonly code: 'VALIDATION'
  declare readonly field: string
  /** The broken rule in words, e.g. `must be an integer from 1 to 99999999`. */
  declare readonly rule: string

  /** `received` describes the offending value; leave it out when the value could be a secret. */
  constructor(field: string, rule: string, received?: string) {
    const got = received === undefined ? '' : ` (received ${received})`
    super('VALIDATION', `${field}: ${rule}${got}`, false)
    this.name = 'TillkitValidationError'
    this.field = field
    this.rule = rule
  }
}

export interface HttpErrorInit {
  status: number
  body: unknown
  method: string
  url: string
  retryAfterMs?: number
  redact?: Redactor
  /**
   * An earlier attempt of this request may have been acted on (its answer was lost, or was a 5xx
   * or 408): the outcome stays open whatever this last answer says.
   */
  earlierMayHaveActed?: boolean
}

/** The provider answered with a non-2xx status. */
export class TillkitHttpError extends TillkitError {
  static readonly code = 'HTTP'
  declare readonly code: 'HTTP'
  declare readonly status: number
  /** The provider's error body: parsed JSON when possible, else text, else undefined. Redacted. */
  declare readonly body: unknown
  declare readonly method: string
  /** Redacted. */
  declare readonly url: string
  declare readonly retryAfterMs?: number

  constructor(init: HttpErrorInit) {
    const redact = init.redact ?? defaultRedactor()
    const url = redact(init.url)
    super('HTTP', `${init.method} ${url} failed with HTTP ${init.status}`, true, { redact })
    this.name = 'TillkitHttpError'
    this.status = init.status
    this.body = redact.value(init.body)
    this.method = init.method
    this.url = url
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs
    if (init.earlierMayHaveActed) this.earlierMayHaveActed = true
  }

  /** True when an earlier attempt may have been acted on: see {@link HttpErrorInit}. */
  declare readonly earlierMayHaveActed?: true

  /**
   * A 4xx is a definite rejection of this attempt. The outcome stays open after a 5xx, a 408 (a
   * gateway may have passed the request on before giving up), or when an earlier attempt may have
   * been acted on.
   */
  override get outcomeUnknown(): boolean {
    return this.status >= 500 || this.status === 408 || this.earlierMayHaveActed === true
  }
}

/** An attempt got no response within its timeout; the provider may have received it. */
export class TillkitTimeoutError extends TillkitError {
  static readonly code = 'TIMEOUT'
  declare readonly code: 'TIMEOUT'
  declare readonly timeoutMs: number

  constructor(message: string, timeoutMs: number, options?: TillkitErrorOptions) {
    super('TIMEOUT', message, true, options)
    this.name = 'TillkitTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/** The request failed below HTTP (DNS, connection, TLS, reset). */
export class TillkitNetworkError extends TillkitError {
  static readonly code = 'NETWORK'
  declare readonly code: 'NETWORK'
  constructor(message: string, mayHaveReachedProvider: boolean, options?: TillkitErrorOptions) {
    super('NETWORK', message, mayHaveReachedProvider, options)
    this.name = 'TillkitNetworkError'
  }
}

/** The caller's AbortSignal fired. */
export class TillkitAbortedError extends TillkitError {
  static readonly code = 'ABORTED'
  declare readonly code: 'ABORTED'
  constructor(message: string, mayHaveReachedProvider: boolean, options?: TillkitErrorOptions) {
    super('ABORTED', message, mayHaveReachedProvider, options)
    this.name = 'TillkitAbortedError'
  }
}

export interface UnknownOutcomeInit<K extends object> {
  /** What was asked, e.g. `sale`. */
  operation: string
  /** Why the answer is missing, e.g. `timeout`, `disconnected`, `closed`. */
  reason: string
  /** What is known of the request (terminal, amount, last progress seen...), for reconciling. Redacted. */
  known: K
  cause?: unknown
  redact?: Redactor
}

/** The class behind {@link TillkitUnknownOutcomeError}. */
class UnknownOutcomeError<K extends object = Record<string, unknown>> extends TillkitError {
  static readonly code = 'UNKNOWN_OUTCOME'
  declare readonly code: 'UNKNOWN_OUTCOME'
  declare readonly operation: string
  declare readonly reason: string
  declare readonly known: K

  constructor(message: string, init: UnknownOutcomeInit<K>) {
    const redact = init.redact ?? defaultRedactor()
    super('UNKNOWN_OUTCOME', message, true, { cause: init.cause, redact })
    this.name = 'TillkitUnknownOutcomeError'
    this.operation = init.operation
    this.reason = init.reason
    this.known = redact.value(init.known)
  }
}

/**
 * A request that may have been acted on (a payment may have been taken) whose answer will never come: it was
 * sent and then the connection dropped, or the wait ran out. Never repeat such a request blindly: reconcile first,
 * from what `known` holds. A provider throws it with its own `known` type (`new TillkitUnknownOutcomeError<K>`).
 */
export type TillkitUnknownOutcomeError<K extends object = Record<string, unknown>> =
  UnknownOutcomeError<K>

/**
 * The constructor, typed so that `error instanceof TillkitUnknownOutcomeError` narrows `known` to `object`, where
 * a generic class would narrow it to `any`: name the provider's type to read it (`error.known as PendingRequest`).
 */
export const TillkitUnknownOutcomeError: {
  new <K extends object = Record<string, unknown>>(
    message: string,
    init: UnknownOutcomeInit<K>,
  ): UnknownOutcomeError<K>
  readonly prototype: UnknownOutcomeError<object>
} = UnknownOutcomeError

export interface ProtocolErrorOptions extends TillkitErrorOptions {
  /** Facts that help a developer find the fault (a method name, an id, a size). Redacted. */
  details?: Record<string, unknown>
  /** The message is the answer to a request of ours, which the provider may have acted on. Default false. */
  mayHaveReachedProvider?: boolean
}

/**
 * A message that breaks the protocol: one received that is too large, not JSON, in the wrong envelope, invalid for
 * what it claims to be, or unexpected; or one we owed the peer and could not produce. Reported, never thrown at the
 * peer. Nothing was sent because of it, so it has no outcome to be unsure about, unless it is the answer to a
 * request of ours (`mayHaveReachedProvider`).
 */
export class TillkitProtocolError extends TillkitError {
  static readonly code = 'PROTOCOL'
  declare readonly code: 'PROTOCOL'
  /** A short fixed label of what went wrong, e.g. `malformed`, `invalid`, `unexpected`. */
  declare readonly fault: string
  declare readonly details?: Record<string, unknown>

  constructor(fault: string, message: string, options: ProtocolErrorOptions = {}) {
    const redact = options.redact ?? defaultRedactor()
    super('PROTOCOL', message, options.mayHaveReachedProvider ?? false, {
      cause: options.cause,
      redact,
    })
    this.name = 'TillkitProtocolError'
    this.fault = fault
    if (options.details !== undefined) this.details = redact.value(options.details)
  }
}

export interface RpcErrorInit {
  /** The JSON-RPC error object's `code`. */
  rpcCode: number
  /** The JSON-RPC error object's `message`. */
  rpcMessage: string
  data?: unknown
  /** The method of the request it answers; absent when the error answers no request of ours. */
  method?: string
  redact?: Redactor
}

/** The peer answered with a JSON-RPC error object (the RPC counterpart of {@link TillkitHttpError}). */
export class TillkitRpcError extends TillkitError {
  static readonly code = 'RPC'
  declare readonly code: 'RPC'
  declare readonly rpcCode: number
  declare readonly rpcMessage: string
  /** The error object's `data`, redacted. */
  declare readonly data?: unknown
  declare readonly method?: string

  constructor(init: RpcErrorInit) {
    const redact = init.redact ?? defaultRedactor()
    const what =
      init.method === undefined ? 'JSON-RPC error' : `${init.method} failed with JSON-RPC error`
    super('RPC', `${what} ${init.rpcCode}: ${init.rpcMessage}`, true, { redact })
    this.name = 'TillkitRpcError'
    this.rpcCode = init.rpcCode
    this.rpcMessage = redact(init.rpcMessage)
    if (init.data !== undefined) this.data = redact.value(init.data)
    if (init.method !== undefined) this.method = init.method
  }

  /**
   * A refusal is definite, except `-32603` (internal error): the peer failed while handling the request and may
   * have acted on part of it.
   */
  override get outcomeUnknown(): boolean {
    return this.rpcCode === -32603
  }
}

/** Every error tillkit throws, told apart by `code` (`e.code === 'HTTP'` narrows to TillkitHttpError). */
export type AnyTillkitError =
  | TillkitValidationError
  | TillkitHttpError
  | TillkitTimeoutError
  | TillkitNetworkError
  | TillkitAbortedError
  | TillkitUnknownOutcomeError
  | TillkitProtocolError
  | TillkitRpcError

export function isTillkitError(e: unknown): e is AnyTillkitError {
  return e instanceof TillkitError
}

import { createRedactor, type Redactor } from './redact.js'

export type TillkitErrorCode = 'VALIDATION' | 'HTTP' | 'TIMEOUT' | 'NETWORK' | 'ABORTED'

export interface TillkitErrorOptions {
  cause?: unknown
  /** Redacts message and cause; by default only the fixed patterns (auth headers, URL tokens). */
  redact?: Redactor
}

let patternsOnly: Redactor | undefined
const defaultRedactor = () => (patternsOnly ??= createRedactor())

/**
 * Base of every error tillkit throws. Message and cause are redacted here, at construction, so no
 * code path (logging, `String(e)`, `e.stack`, JSON) can leak a secret later.
 */
export class TillkitError extends Error {
  readonly code: TillkitErrorCode
  /** False only when we know the request never left this process or never reached the provider. */
  readonly mayHaveReachedProvider: boolean

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

/** Bad input, rejected before any network call. */
export class TillkitValidationError extends TillkitError {
  readonly field: string
  /** The broken rule in words, e.g. `must be an integer from 1 to 99999999`. */
  readonly rule: string

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
}

/** The provider answered with a non-2xx status. */
export class TillkitHttpError extends TillkitError {
  readonly status: number
  /** The provider's error body: parsed JSON when possible, else text, else undefined. Redacted. */
  readonly body: unknown
  readonly method: string
  /** Redacted. */
  readonly url: string
  readonly retryAfterMs?: number

  constructor(init: HttpErrorInit) {
    const { status, method, retryAfterMs } = init
    const redact = init.redact ?? defaultRedactor()
    const body = redact.value(init.body)
    const url = redact(init.url)
    super('HTTP', `${method} ${url} failed with HTTP ${status}`, true, { redact })
    this.name = 'TillkitHttpError'
    this.status = status
    this.body = body
    this.method = method
    this.url = url
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs
  }

  /** A 4xx is a definite rejection; only a 5xx leaves the outcome open. */
  override get outcomeUnknown(): boolean {
    return this.status >= 500
  }
}

/** An attempt got no response within its timeout; the provider may have received it. */
export class TillkitTimeoutError extends TillkitError {
  readonly timeoutMs: number

  constructor(message: string, timeoutMs: number, options?: TillkitErrorOptions) {
    super('TIMEOUT', message, true, options)
    this.name = 'TillkitTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/** The request failed below HTTP (DNS, connection, TLS, reset). */
export class TillkitNetworkError extends TillkitError {
  constructor(message: string, mayHaveReachedProvider: boolean, options?: TillkitErrorOptions) {
    super('NETWORK', message, mayHaveReachedProvider, options)
    this.name = 'TillkitNetworkError'
  }
}

/** The caller's AbortSignal fired. */
export class TillkitAbortedError extends TillkitError {
  constructor(message: string, mayHaveReachedProvider: boolean, options?: TillkitErrorOptions) {
    super('ABORTED', message, mayHaveReachedProvider, options)
    this.name = 'TillkitAbortedError'
  }
}

export function isTillkitError(e: unknown): e is TillkitError {
  return e instanceof TillkitError
}

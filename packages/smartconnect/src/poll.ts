import {
  assertObject,
  assertInteger,
  checkCallOptions,
  checkFields,
  fn,
  int,
  optional,
  type Rules,
  assertOneOf,
  assertString,
  parseRetryAfter,
  RequestDraft,
  TillkitAbortedError,
  TillkitValidationError,
  isTillkitError,
  type Transport,
} from '@tillkit/core'
import type { PendingTransaction } from './client.js'
import type { TransactionResult } from './generated/transaction-result.js'
import { readPollBody, type TransactionOutcome } from './outcome.js'
import { TRANSACTION_TYPES } from './types.js'

/** SmartConnect answers 429 to polls closer together than this. */
export const MIN_POLL_INTERVAL_MS = 2_000
export const DEFAULT_POLL_INTERVAL_MS = 3_000
/** The longest back-off between two polls, however often the cloud says 429 (a longer `Retry-After` still wins). */
export const MAX_BACKOFF_MS = 30_000
/** Terminals give up on a customer after about 3 minutes; we stop waiting after 5. */
export const DEFAULT_DEADLINE_MS = 300_000
/** The polling token lapses about 15 minutes after the start: no later deadline makes sense. */
export const POLLING_TOKEN_LIFETIME_MS = 900_000

/** Answers of the polling URL that mean it can no longer be used: the outcome is unknowable. */
const UNUSABLE = new Set([401, 403, 404, 410])

/** Why a poll gave no reading, to be tried again later. */
export type RetryReason =
  'rate-limited' | 'server-error' | 'timeout' | 'network' | 'malformed' | 'unexpected-status'

/** One poll, read. */
export type PollResult =
  | { state: 'pending'; delayed: boolean; raw: TransactionResult }
  | { state: 'final'; outcome: TransactionOutcome }
  /** No reading this time; poll again after the cadence (or `retryAfterMs`, on 429). */
  | { state: 'retry'; reason: RetryReason; httpStatus?: number; retryAfterMs?: number }

/** Progress while waiting, for a live display. */
export type WaitEvent =
  /** The transaction's state, on the first poll and whenever it changes. */
  | { type: 'status'; status: 'pending' | 'delayed' }
  /** A poll gave no reading; the next one comes after `delayMs`. */
  | { type: 'retry'; reason: RetryReason; delayMs: number; httpStatus?: number }

export interface WaitOptions {
  /** Time between polls, measured from the previous answer: 2 000 to 60 000. Default 3 000. */
  intervalMs?: number
  /**
   * How long after the start to keep polling before giving up with `unknown` (reason `deadline`):
   * 0 to 900 000 (the token's life). Default 300 000. A wait always polls at least once, so a
   * transaction resumed after a restart is looked at even when its deadline has passed.
   */
  deadlineMs?: number
  /** Stops waiting (rejects with a TillkitAbortedError); the transaction itself goes on. */
  signal?: AbortSignal
  /** Awaited before the next poll. */
  onEvent?: (event: WaitEvent) => void | Promise<void>
}

/**
 * Checks a pending transaction (perhaps read back from storage). The URL must be absolute and https,
 * unless it shares the client's origin (a fake cloud or proxy on plain http). Its value is never
 * quoted in errors.
 *
 * The token is not registered with the redactor, which only grows: a till runs thousands of
 * transactions. It needs no registering: every `merchantAccessToken=` / `token=` query value is
 * redacted by core's fixed patterns, and the client never logs the URL or the token otherwise.
 */
export function checkPending(pending: PendingTransaction, baseUrl: string): PendingTransaction {
  assertObject('pending', pending)
  assertString('pending.transactionId', pending.transactionId, { minLength: 1 })
  assertOneOf('pending.type', pending.type, TRANSACTION_TYPES)
  assertInteger('pending.startedAt', pending.startedAt, 0, Number.MAX_SAFE_INTEGER)
  assertString('pending.pollingUrl', pending.pollingUrl, { minLength: 1, secret: true })
  let url: URL
  try {
    url = new URL(pending.pollingUrl)
  } catch {
    throw new TillkitValidationError('pending.pollingUrl', 'must be an absolute URL')
  }
  if (url.protocol !== 'https:' && url.origin !== new URL(baseUrl).origin)
    throw new TillkitValidationError(
      'pending.pollingUrl',
      'must be an https URL (or share the origin of the base URL)',
    )
  return pending
}

/** A wait's options; `onStarted` is transact()'s, checked with them before anything is sent. */
const WAIT_RULES: Rules = {
  intervalMs: optional(int(MIN_POLL_INTERVAL_MS, 60_000)),
  deadlineMs: optional(int(0, POLLING_TOKEN_LIFETIME_MS)),
  onEvent: optional(fn),
  onStarted: optional(fn),
}

/** Every name of {@link WaitOptions} (the `satisfies` keeps the list complete). */
export const WAIT_OPTIONS = {
  intervalMs: 1,
  deadlineMs: 1,
  signal: 1,
  onEvent: 1,
} satisfies Record<keyof WaitOptions, 1>

/**
 * Checks a wait's options (an unknown name, or a bad value, is a TillkitValidationError naming it)
 * and fills the defaults. `names` are the ones the call takes (transact's add `onStarted`).
 */
export function waitSettings(
  options: WaitOptions,
  names: object = WAIT_OPTIONS,
): { intervalMs: number; deadlineMs: number } {
  checkCallOptions(options, names)
  checkFields(options as Record<string, unknown>, WAIT_RULES)
  return {
    intervalMs: options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
  }
}

export interface Poller {
  poll(pending: PendingTransaction, options?: { signal?: AbortSignal }): Promise<PollResult>
  wait(pending: PendingTransaction, options?: WaitOptions): Promise<TransactionOutcome>
}

export function createPoller(transport: Transport, baseUrl: string): Poller {
  const { logger, clock } = transport

  async function poll(
    pending: PendingTransaction,
    options: { signal?: AbortSignal } = {},
  ): Promise<PollResult> {
    checkCallOptions(options)
    checkPending(pending, baseUrl)
    const { signal } = options
    const { transactionId, type } = pending
    /** `why` is for the log only. */
    const retry = (
      reason: RetryReason,
      extra: Partial<PollResult> = {},
      why?: string,
    ): PollResult => {
      logger.warn(
        { transactionId, reason, ...(why && { why }), ...extra },
        'smartconnect poll gave no reading',
      )
      return { state: 'retry', reason, ...extra } as PollResult
    }
    let response: Response
    try {
      response = await transport.fetch(
        new RequestDraft(pending.pollingUrl, {
          headers: { Accept: 'application/json' },
          // Never follow: the token would travel to wherever the redirect points.
          redirect: 'manual',
          signal,
        }),
      )
    } catch (error) {
      if (isTillkitError(error) && error.code === 'TIMEOUT') return retry('timeout')
      if (isTillkitError(error) && error.code === 'NETWORK') return retry('network')
      throw error
    }
    const status = response.status
    // A body that breaks off is a lost answer, like a reset before the headers.
    const text = await response.text().then(
      (body) => body,
      () => undefined,
    )
    if (UNUSABLE.has(status)) {
      logger.warn({ transactionId, status }, 'smartconnect polling URL unusable')
      return {
        state: 'final',
        outcome: {
          status: 'unknown',
          reason: 'polling-url-unusable',
          httpStatus: status,
          transactionId,
          type,
        },
      }
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), clock.now())
      return retry('rate-limited', {
        httpStatus: status,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      })
    }
    if (status === 408 || status >= 500) return retry('server-error', { httpStatus: status })
    if (status < 200 || status >= 300) return retry('unexpected-status', { httpStatus: status })
    if (text === undefined) return retry('network', { httpStatus: status })
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return retry('malformed')
    }
    const reading = readPollBody(body, type, transactionId)
    // Including an answer about another transaction: never taken as this one's outcome.
    if (reading.state === 'malformed') return retry('malformed', {}, reading.why)
    if (reading.state === 'final') {
      logger.info(
        { transactionId, status: reading.outcome.status, reason: reading.outcome.reason },
        'smartconnect transaction finished',
      )
      return reading
    }
    logger.debug({ transactionId, delayed: reading.delayed }, 'smartconnect transaction pending')
    return reading
  }

  async function wait(
    pending: PendingTransaction,
    options: WaitOptions = {},
  ): Promise<TransactionOutcome> {
    checkPending(pending, baseUrl)
    const { signal, onEvent } = options
    const { intervalMs, deadlineMs } = waitSettings(options)
    const deadlineAt = pending.startedAt + deadlineMs
    // However the wait is stopped, the transaction goes on: the outcome is open.
    const stopped = (cause: unknown) =>
      new TillkitAbortedError(
        `stopped waiting for ${pending.type} ${pending.transactionId}; it may still complete`,
        true,
        { cause, redact: transport.redact },
      )
    let lastRaw: TransactionResult | undefined
    let shown: 'pending' | 'delayed' | undefined
    let refusals = 0
    for (;;) {
      if (signal?.aborted) throw stopped(signal.reason)
      const result = await poll(pending, { signal }).catch((error: unknown) => {
        throw isTillkitError(error) && error.code === 'ABORTED' ? stopped(error) : error
      })
      if (result.state === 'final') {
        const { outcome } = result
        return outcome.raw || !lastRaw ? outcome : { ...outcome, raw: lastRaw }
      }
      let delayMs = intervalMs
      if (result.state === 'pending') {
        refusals = 0
        lastRaw = result.raw
        const status = result.delayed ? 'delayed' : 'pending'
        if (status !== shown) await onEvent?.({ type: 'status', status: (shown = status) })
      } else {
        if (result.reason === 'rate-limited') {
          // Exponential from the cadence up to the cap, and never before the cloud's Retry-After
          // (a poll before it is only refused again); the deadline still ends the wait.
          refusals++
          delayMs = Math.max(
            result.retryAfterMs ?? 0,
            Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** refusals),
          )
        }
        const { reason, httpStatus } = result
        await onEvent?.({
          type: 'retry',
          reason,
          delayMs,
          ...(httpStatus !== undefined && { httpStatus }),
        })
      }
      // A poll never starts after the deadline.
      if (clock.now() + delayMs > deadlineAt) {
        logger.warn({ transactionId: pending.transactionId }, 'smartconnect wait deadline passed')
        return {
          status: 'unknown',
          reason: 'deadline',
          transactionId: pending.transactionId,
          type: pending.type,
          ...(lastRaw && { raw: lastRaw }),
        }
      }
      await clock.sleep(delayMs, signal).catch((cause: unknown) => {
        throw stopped(cause)
      })
    }
  }

  return { poll, wait }
}

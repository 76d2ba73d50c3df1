import { TillkitAbortedError, TillkitError, TillkitHttpError } from '@tillkit/core'

/** Small helpers the payment and table runs share for calling adapters. */

/** Runs an adapter call, turning a synchronous throw into a rejection. */
export function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn())
  } catch (error) {
    return Promise.reject(error)
  }
}

/** The provider's Retry-After of a 429 (or other HTTP error), if it gave one. */
export function retryAfter(error: unknown): number | undefined {
  return error instanceof TillkitHttpError ? error.retryAfterMs : undefined
}

/** Exponential: base, 2 base, 4 base... capped at `max`. */
export function backoff(failures: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, failures - 1))
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * What a payment's or table's pending promises reject with when the orchestrator closes first. A
 * payment's start may already be out (`mayHaveReachedProvider`); a table's writes say for themselves.
 */
export function closedError(what: 'payment' | 'table', id: string): TillkitAbortedError {
  return new TillkitAbortedError(
    `${what} ${id}: the orchestrator was closed first; recover() resumes it from the journal`,
    what === 'payment',
  )
}

/**
 * A failure worth sending again: its answer was lost, it never left (no connection), or the
 * service was briefly unable (5xx, 408, 429), whichever request failed on the way (a bearer
 * token's included). Anything else is a refusal.
 */
export function transient(error: unknown): boolean {
  if (!(error instanceof TillkitError)) return false
  if (error.outcomeUnknown || error.code === 'NETWORK' || error.code === 'TIMEOUT') return true
  const { status } = error as { status?: number }
  return status !== undefined && (status >= 500 || status === 408 || status === 429)
}

import { assertInteger, createRedactor, safeLogger, systemClock } from '@tillkit/core'
import type { AdapterEnvironment } from '../adapter.js'
import type { PaymentRequest } from '../types.js'

/** Small pieces every adapter in this folder needs the same way. */

/**
 * A fixed table looked up with values the provider or the POS sends: without a prototype, so a
 * value such as `constructor` or `toString` finds nothing rather than an Object method.
 */
export function table<T>(entries: Record<string, T>): Readonly<Partial<Record<string, T>>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries))
}

/**
 * A request's money as an operator compares it with a terminal's receipt: the total the terminal
 * shows (amount and cash back), with its parts.
 */
export function moneyOf({ amount, cashback, currency }: Readonly<PaymentRequest>): string {
  if (amount === undefined) return 'no amount'
  if (!cashback) return `${amount} ${currency} (minor units)`
  return `${amount + cashback} ${currency} (minor units: ${amount} and ${cashback} cash back)`
}

/**
 * What an adapter uses before the orchestrator attaches its own clock and logger: the system clock
 * and a logger that writes nothing (so there is nothing to redact yet).
 */
export function unattached(): AdapterEnvironment {
  return { clock: systemClock, logger: safeLogger(undefined, createRedactor()), secret: () => {} }
}

/** The pacing options every polled adapter takes; each gives its defaults and cadence bounds. */
export interface PacingOptions {
  cadenceMs?: number
  spacingMs?: number
  retentionMs?: number
}

/**
 * The pacing options with their defaults, checked in one order (cadence, spacing, retention) so
 * every adapter names the same field first. Spacing is up to a minute and retention a minute to 30
 * days for every provider; only the cadence bounds differ.
 */
export function pacingOf(
  options: PacingOptions,
  defaults: { cadenceMs: number; spacingMs: number; retentionMs: number },
  cadenceRangeMs: readonly [number, number],
): { cadenceMs: number; spacingMs: number; retentionMs: number } {
  const cadenceMs = options.cadenceMs ?? defaults.cadenceMs
  const spacingMs = options.spacingMs ?? defaults.spacingMs
  const retentionMs = options.retentionMs ?? defaults.retentionMs
  assertInteger('options.cadenceMs', cadenceMs, ...cadenceRangeMs)
  assertInteger('options.spacingMs', spacingMs, 0, 60_000)
  assertInteger('options.retentionMs', retentionMs, 60_000, 30 * 24 * 3_600_000)
  return { cadenceMs, spacingMs, retentionMs }
}

/**
 * The provider's own words in an error body: the first of `keys` that holds a string, if that string
 * is not empty. Providers name the field differently (`userMessage`, `error`, `detail`...).
 */
export function saidIn(body: unknown, ...keys: string[]): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const fields = body as Record<string, unknown>
  const said = keys.map((key) => fields[key]).find((value) => typeof value === 'string')
  return (said as string | undefined) || undefined
}

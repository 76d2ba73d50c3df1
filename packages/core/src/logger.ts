import type { Redactor } from './redact.js'

/** The subset of pino and console that tillkit calls: `logger.info({ fields }, 'message')`. */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export type LoggerLike = Partial<Logger>

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

/**
 * What `safeLogger` makes of no logger. Wrapping it again gives it back, so layers that pass their
 * logger down (orchestrator, adapter, client, transport) redact nothing when nobody listens.
 */
export const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * Wraps a caller's logger: missing methods become no-ops, every field and message is redacted, and
 * a logger that throws (or rejects) is ignored, because logging must never break a payment.
 */
export function safeLogger(logger: LoggerLike | undefined, redact: Redactor): Logger {
  if (!logger || logger === SILENT) return SILENT
  const safe = {} as Logger
  for (const level of LEVELS)
    safe[level] = (obj, msg) => {
      try {
        const fn = logger?.[level]
        // Console-style loggers print every argument: pass no message when there is none.
        if (typeof fn == 'function')
          (
            fn.apply(
              logger,
              msg === undefined ? [redact.value(obj)] : [redact.value(obj), redact(msg)],
            ) as unknown as Promise<void>
          )?.catch?.(() => {})
      } catch {
        // A broken logger is the caller's problem, never the request's.
      }
    }
  return safe
}

import type { Logger } from '@tillkit/core'
import { message } from './calls.js'
import type { Timers } from './scheduler.js'

/**
 * Journal writes that must land. A record the journal refuses (a full disk, a store that is down)
 * is logged and written again with back-off (1 s, doubling to 1 min) until it is in; the owner's
 * later records wait behind it, so a payment's or table's records still land in order, and nothing
 * that waits for a record (events, an outcome) goes on as if it were written. `close()` wakes every
 * waiting record for one last try, then lets it go: `recover()` resumes what the journal lacks.
 */
export class Rewrites {
  /** Records between tries, each woken early by `close()`. */
  private readonly sleeping = new Set<() => void>()
  /** Every record not yet written or given up. */
  private readonly active = new Set<Promise<unknown>>()
  private closed = false

  constructor(
    private readonly timers: Timers,
    private readonly logger: Logger,
  ) {}

  /**
   * Appends with `write` until it is in (resolves `true`), or until `close()` after a last try
   * (resolves `false`). Never rejects. `tried` runs after the first try with whether it was taken.
   */
  append(
    write: () => Promise<void>,
    what: Record<string, unknown>,
    tried?: (taken: boolean) => void,
  ): Promise<boolean> {
    const attempt = (async () => {
      for (let failures = 0; ; failures++) {
        try {
          await write()
          if (failures === 0) tried?.(true)
          return true
        } catch (error) {
          if (failures === 0) tried?.(false)
          if (failures === 0)
            this.logger.error(
              { ...what, error: message(error) },
              'orchestrator: journal write failed',
            )
          else
            this.logger.warn(
              { ...what, error: message(error), tries: failures + 1 },
              'orchestrator: journal still refuses a record; trying again later',
            )
          if (this.closed) {
            this.logger.error(
              what,
              'orchestrator: a journal record could not be written; recover() will resume from what the journal has',
            )
            return false
          }
        }
        await this.pause(Math.min(60_000, 1_000 * 2 ** failures))
      }
    })()
    this.active.add(attempt)
    void attempt.then(() => this.active.delete(attempt))
    return attempt
  }

  /** From now on a refused record gets no more tries than the one it is on (or a last one, now). */
  stop(): void {
    this.closed = true
    for (const wake of [...this.sleeping]) wake()
  }

  /** {@link stop}, then resolves once every record is written or given up. */
  async close(): Promise<void> {
    this.stop()
    await Promise.all(this.active)
  }

  private pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.sleeping.delete(wake)
        cancel()
        resolve()
      }
      const cancel = this.timers.after(ms, wake)
      this.sleeping.add(wake)
    })
  }
}

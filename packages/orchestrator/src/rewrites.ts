import type { Clock, Logger } from '@tillkit/core'
import { message } from './calls.js'
import type { Timers } from './scheduler.js'

interface Failed {
  write: () => Promise<void>
  what: Record<string, unknown>
}

/**
 * Journal records whose write failed (a full disk, a store that is down): each is logged, then
 * written again, oldest first, with back-off (1 s, doubling to 1 min), until it is in, and once more
 * when the orchestrator closes. Without this, a payment whose outcome record failed would stay
 * unfinished in the journal for good, and every later `recover()` would resume it.
 */
export class Rewrites {
  private readonly queue: Failed[] = []
  /** Failed retries in a row: the back-off's exponent. */
  private failures = 0
  private cancelWake: (() => void) | undefined
  private running: Promise<void> | undefined
  private closed = false

  constructor(
    private readonly timers: Timers,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Records waiting to be written again. */
  get pending(): number {
    return this.queue.length
  }

  /** Appends with `write`; a failure is logged and the record written again later. Never rejects. */
  append(write: () => Promise<void>, what: Record<string, unknown>): Promise<void> {
    return write().catch((error: unknown) => {
      this.logger.error({ ...what, error: message(error) }, 'orchestrator: journal write failed')
      this.queue.push({ write, what })
      this.wake()
    })
  }

  /** Stops the back-off, and tries what is still waiting once more. */
  async close(): Promise<void> {
    this.closed = true
    this.cancelWake?.()
    this.cancelWake = undefined
    await this.running
    if (this.queue.length) await this.retry()
    if (this.queue.length)
      this.logger.error(
        { records: this.queue.map((f) => f.what) },
        'orchestrator: journal records could not be written; recover() will resume their payments',
      )
  }

  private wake(): void {
    if (this.closed || this.cancelWake || this.running) return
    const delay = Math.min(60_000, 1_000 * 2 ** this.failures)
    this.cancelWake = this.timers.at(this.clock.now() + delay, () => {
      this.cancelWake = undefined
      void this.retry()
    })
  }

  /** Writes the queue in order, stopping at the first failure. */
  private retry(): Promise<void> {
    this.running = (async () => {
      while (this.queue.length) {
        try {
          await this.queue[0]!.write()
        } catch (error) {
          this.failures++
          this.logger.warn(
            { ...this.queue[0]!.what, error: message(error), waiting: this.queue.length },
            'orchestrator: journal still refuses a record; trying again later',
          )
          return
        }
        this.queue.shift()
        this.failures = 0
      }
    })().finally(() => {
      this.running = undefined
      if (this.queue.length) this.wake()
    })
    return this.running
  }
}

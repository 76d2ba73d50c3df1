import { checkOptions } from './validate.js'

/**
 * Time, injectable. Everything in tillkit that waits or reads the time goes through a Clock, so a
 * test can run a 150 s provider timeout in microseconds and a fake cloud can move its terminals on.
 */
export interface Clock {
  /** Milliseconds since the epoch: for dates (records, `Retry-After` dates, what the POS is shown). */
  now(): number
  /**
   * Milliseconds on a clock that never steps (any origin): what waits, deadlines and request
   * spacing are measured on. The wall clock behind `now()` can be stepped by hours (NTP catching up,
   * an operator fixing the date); a wait worked out on it would stall or fire early by the step.
   * Optional: without it `now()` is taken to be steady, as a manual clock's is. See {@link steady}.
   */
  monotonic?(): number
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /**
   * Calls `callback` after `ms` of this clock's time unless the returned function is called first.
   * The cheap way to arm a timeout on every request: no promise, no AbortSignal.
   */
  schedule(ms: number, callback: () => void): () => void
}

/**
 * `sleep` on top of a `schedule`, for both clocks: resolves when the callback fires, and on abort
 * cancels it and rejects with the signal's reason (an AbortError when none was given).
 */
function sleepOn(
  schedule: Clock['schedule'],
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      cancel()
      reject(signal!.reason)
    }
    const cancel = schedule(ms, () => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    })
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** The longest delay a timer takes: Node and browsers fire a longer one (it overflows 32 bits) at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A timer of any length: a longer delay than one timer takes waits in links of at most MAX_TIMER_MS. */
function scheduleTimer(ms: number, callback: () => void): () => void {
  // The common case (every request's timeout) stays one timer and one closure.
  if (!(ms > MAX_TIMER_MS)) {
    const single = setTimeout(callback, Math.max(0, ms))
    return () => clearTimeout(single)
  }
  let timer: ReturnType<typeof setTimeout>
  const arm = (left: number) => {
    timer =
      left > MAX_TIMER_MS
        ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS)
        : setTimeout(callback, Math.max(0, left))
  }
  arm(ms)
  // Clears whichever link is armed now.
  return () => clearTimeout(timer)
}

/** Real time: `Date.now()` for dates, `performance.now()` for waits, and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  schedule: scheduleTimer,
  sleep: (ms, signal) => sleepOn(scheduleTimer, ms, signal),
}

/** A clock's steady time, for measuring waits: its `monotonic()` where it has one, else `now()`. */
export function steady(clock: Clock): () => number {
  const monotonic = clock.monotonic
  return monotonic ? () => monotonic.call(clock) : () => clock.now()
}

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, waking every sleeper due on the way, in deadline order. */
  advance(ms: number): Promise<void>
  /** Moves time forward to the next sleeper's deadline and wakes it; false when nobody sleeps. */
  runNext(): Promise<boolean>
  /** Number of sleepers not yet woken. */
  readonly pending: number
  /**
   * Steps the wall clock (`now()`) by `ms`, forward or back, as NTP or an operator would. Steady
   * time (`monotonic()`), and with it every sleeper, does not move.
   */
  step(ms: number): void
  monotonic(): number
}

export interface ManualClockOptions {
  /** Start time in epoch milliseconds. Default: 2026-01-01T00:00:00Z. */
  start?: number
  /**
   * When true, whenever the process has nothing else to do and someone is sleeping, time jumps to
   * the earliest deadline. Single-actor tests then run at full speed with no `advance` calls.
   */
  autoAdvance?: boolean
}

interface Sleeper {
  at: number
  resolve: () => void
}

/** A clock that only moves when told to (or, with `autoAdvance`, whenever the event loop idles). */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  // Known names only: a misspelt `autoAdvance` would leave a test waiting for ever.
  checkOptions(options, {}, 'options', { start: 1, autoAdvance: 1 } satisfies Record<
    keyof ManualClockOptions,
    1
  >)
  let time = options.start ?? Date.UTC(2026, 0, 1)
  /** How far `now()` has been stepped from steady time. */
  let stepped = 0
  const sleepers: Sleeper[] = []
  let autoScheduled = false

  const wake = async (upTo: number): Promise<void> => {
    for (;;) {
      const next = sleepers[0]
      if (!next || next.at > upTo) break
      sleepers.shift()
      time = Math.max(time, next.at)
      next.resolve()
      // Let the woken task run (and possibly sleep again) before the next one is due.
      await new Promise<void>((r) => setImmediate(r))
    }
    time = Math.max(time, upTo)
  }

  const scheduleAuto = () => {
    if (!options.autoAdvance || autoScheduled) return
    autoScheduled = true
    // setImmediate runs after pending I/O callbacks and promise jobs: "the loop is idle enough".
    setImmediate(() => {
      autoScheduled = false
      const next = sleepers.shift()
      if (!next) return
      time = Math.max(time, next.at)
      next.resolve()
      if (sleepers.length) scheduleAuto()
    })
  }

  const clock: ManualClock = {
    now: () => time + stepped,
    monotonic: () => time,
    step: (ms) => void (stepped += ms),
    sleep: (ms, signal) => sleepOn(clock.schedule, ms, signal),
    schedule(ms, callback) {
      const sleeper: Sleeper = { at: time + Math.max(0, ms), resolve: callback }
      // Kept in deadline order, after any with the same deadline: sleepers due together wake in call order.
      const later = sleepers.findIndex((other) => other.at > sleeper.at)
      sleepers.splice(later < 0 ? sleepers.length : later, 0, sleeper)
      scheduleAuto()
      return () => {
        const i = sleepers.indexOf(sleeper)
        if (i >= 0) sleepers.splice(i, 1)
      }
    },
    advance: (ms) => wake(time + ms),
    async runNext() {
      const next = sleepers[0]
      if (!next) return false
      await wake(next.at)
      return true
    },
    get pending() {
      return sleepers.length
    },
  }
  return clock
}

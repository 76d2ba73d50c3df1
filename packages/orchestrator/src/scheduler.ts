import { steady, TillkitHttpError, type Clock } from '@tillkit/core'

/**
 * All waiting the orchestrator does, for every payment, goes through one {@link Timers}: a binary
 * heap of deadlines with a single clock timer armed for the earliest. Ten thousand payments polling
 * at once cost one pending timer, not ten thousand, and a manual clock sees one sleeper.
 *
 * Deadlines are on the clock's steady time ({@link Timers.now}), not its wall time: a wall clock
 * stepped back an hour would otherwise hold every poll back an hour, and one stepped forward would
 * fire everything at once, spacing included.
 */
export class Timers {
  private readonly heap: TimerEntry[] = []
  private seq = 0
  /** The deadline the clock timer is armed for, and how to disarm it. */
  private armedAt = Infinity
  private disarm: (() => void) | undefined
  private closed = false

  /** The steady time every `at` is on (the clock's `monotonic()`, or `now()` without one). */
  readonly now: () => number

  constructor(private readonly clock: Clock) {
    this.now = steady(clock)
  }

  /** Runs `callback` after `ms`. */
  after(ms: number, callback: () => void): () => void {
    return this.at(this.now() + ms, callback)
  }

  /** Runs `callback` at steady time `at` (at once, on the next timer turn, if it is past). */
  at(at: number, callback: () => void): () => void {
    const entry: TimerEntry = { at, seq: this.seq++, callback, cancelled: false }
    if (this.closed) return noop
    this.push(entry)
    if (at < this.armedAt) this.arm()
    return () => {
      // Left in the heap and skipped when it surfaces: cheaper than removing it from the middle.
      entry.cancelled = true
    }
  }

  /** Entries waiting (cancelled ones included until they surface). */
  get size(): number {
    return this.heap.length
  }

  close(): void {
    this.closed = true
    this.disarm?.()
    this.disarm = undefined
    this.heap.length = 0
  }

  private arm(): void {
    this.disarm?.()
    this.disarm = undefined
    this.armedAt = Infinity
    while (this.heap.length && this.heap[0]!.cancelled) this.pop()
    const head = this.heap[0]
    if (!head || this.closed) return
    this.armedAt = head.at
    this.disarm = this.clock.schedule(head.at - this.now(), () => this.fire())
  }

  private fire(): void {
    this.disarm = undefined
    this.armedAt = Infinity
    const now = this.now()
    // Only what is due now: callbacks that add entries due at once run on the next turn.
    const due: TimerEntry[] = []
    while (this.heap.length && this.heap[0]!.at <= now) {
      const entry = this.pop()
      if (!entry.cancelled) due.push(entry)
    }
    this.arm()
    for (const entry of due) {
      try {
        entry.callback()
      } catch {
        // A callback's failure is its owner's to report; the schedule goes on.
      }
    }
  }

  private push(entry: TimerEntry): void {
    const heap = this.heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  private pop(): TimerEntry {
    const heap = this.heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
        i = m
      }
    }
    return top
  }
}

interface TimerEntry {
  at: number
  /** Ties run in the order they were added. */
  seq: number
  callback: () => void
  cancelled: boolean
}

const before = (a: TimerEntry, b: TimerEntry) => a.at < b.at || (a.at === b.at && a.seq < b.seq)
const noop = () => {}

/**
 * How long an unanswered request holds its lane: past this, it is presumed to have reached the
 * provider by now, and the next request is spaced from this moment.
 */
export const HOLD_CAP_MS = 250

/**
 * The phase of the n-th lane (from 0) of `spacingMs`: the golden-ratio sequence spreads any number
 * of lanes evenly over the spacing interval, the first at 0. A hundred accounts then send one
 * request a millisecond instead of a hundred at once, so neither this process nor the provider
 * queues them behind each other (which would lengthen every round trip, and so every lane's cycle).
 */
export function lanePhase(n: number, spacingMs: number): number {
  return Math.floor(((n * 0.6180339887498949) % 1) * spacingMs)
}

/** Given to a task's `run`: hand it the request's answer to hold the lane until it comes. */
export type Hold = (answer: PromiseLike<unknown>) => void

/** A request waiting for its turn in a lane. */
export interface LaneTask {
  /**
   * Called when the request may be sent; it sends it. On a spaced lane it hands the request's
   * answer (a promise) to `hold` before acting on it: the next request then waits for that answer
   * (see {@link Lane}). Holding first means the gap counts from the answer's arrival, not from
   * the end of whatever the task does with it (promise reactions run in the order they were added).
   */
  run(sentAt: number, hold: Hold): void
  /** When it became due (for cadence metrics): its queueing delay is `sentAt - dueAt`. */
  dueAt: number
  /** Set by `cancel`: skipped when its turn comes. */
  cancelled?: boolean
  /** Called instead of `run` when the lane closes first: a promise waiting on the task rejects. */
  dropped?(): void
}

/** A FIFO with O(1) take from the front. */
class Queue<T> {
  private items: T[] = []
  private head = 0
  get length(): number {
    return this.items.length - this.head
  }
  push(item: T): void {
    this.items.push(item)
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]!
    this.items[this.head++] = undefined as T
    // Compact once the dead front is both large and most of the array.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
}

/**
 * One account's requests, spaced: consecutive requests are at least `spacingMs` apart, whatever
 * payment they belong to. Urgent requests (signature answers, cancels) go before anything queued;
 * the rest go in the order they became due, so every in-flight payment gets its turn (each has at
 * most one request queued). A 429 pauses the lane.
 *
 * The gap is counted from the previous request's answer, not from its send: the provider measures
 * spacing where requests arrive, and the only moment this side knows a request has arrived is when
 * its answer is back. Counting from the send leaves every gap at the mercy of delivery jitter (a
 * request held up by a new connection or a busy server arrives late, the next one on time, and the
 * two land closer than the rule). The price is one round trip per request on a full account. An
 * answer slower than {@link HOLD_CAP_MS} stops holding the lane: the request is presumed to have
 * arrived, so one lost response cannot stall the account.
 */
export class Lane {
  private readonly urgent = new Queue<LaneTask>()
  private readonly normal = new Queue<LaneTask>()
  /** Clock time before which nothing may be sent (spacing). */
  private nextSlot = -Infinity
  /** Clock time before which nothing may be sent (provider back-off). */
  private pausedUntil = -Infinity
  private wakeAt = Infinity
  private cancelWake: (() => void) | undefined
  /** A request whose answer the lane waits for before spacing the next one. */
  private awaiting = false
  /** Set by close(): nothing more is sent. */
  private closed = false

  /**
   * `phaseMs` (0 to `spacingMs`) holds the lane's first request back by that much: lanes created
   * together get different phases so that their requests, which then follow one another at the
   * spacing, do not all leave in the same millisecond (see {@link lanePhase}).
   */
  constructor(
    private readonly timers: Timers,
    readonly spacingMs: number,
    phaseMs = 0,
  ) {
    if (phaseMs > 0) this.nextSlot = timers.now() + phaseMs
  }

  /** Queued requests, urgent ones included. */
  get queued(): number {
    return this.urgent.length + this.normal.length
  }

  submit(task: LaneTask, urgent = false): void {
    if (this.closed) return task.dropped?.()
    ;(urgent ? this.urgent : this.normal).push(task)
    this.pump()
  }

  /** Sends nothing more: every task still queued is dropped (see {@link LaneTask.dropped}). */
  close(): void {
    this.closed = true
    for (const queue of [this.urgent, this.normal])
      for (let task = queue.shift(); task; task = queue.shift())
        if (!task.cancelled) task.dropped?.()
  }

  /** The provider asked for a pause (429): nothing of this account is sent before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.timers.now() + ms)
  }

  /**
   * A 429: pause for the provider's Retry-After, or without one, for two spacing intervals (a
   * spacing rule was broken: the requests in flight were too close) or 1 s on unspaced accounts.
   */
  rateLimited(retryAfterMs: number | undefined): void {
    this.pause(retryAfterMs ?? (this.spacingMs > 0 ? 2 * this.spacingMs : 1_000))
  }

  private pump(): void {
    for (;;) {
      if (this.awaiting || (!this.urgent.length && !this.normal.length)) return
      const now = this.timers.now()
      const slot = Math.max(this.nextSlot, this.pausedUntil)
      if (now < slot) return this.wake(slot)
      const task = this.urgent.shift() ?? this.normal.shift()!
      if (task.cancelled) continue
      this.nextSlot = now + this.spacingMs
      task.run(now, (answer) => this.hold(answer, now))
    }
  }

  /**
   * Watches a request's answer: a 429, whichever request of the account it answers, pauses the lane
   * (before the next request is let go); on a spaced lane the next request waits for the answer.
   */
  private hold(answer: PromiseLike<unknown>, sentAt: number): void {
    answer.then(undefined, (error: unknown) => {
      if (error instanceof TillkitHttpError && error.status === 429)
        this.rateLimited(error.retryAfterMs)
    })
    if (this.spacingMs > 0) this.await(answer, sentAt)
  }

  /** Holds the lane until `answer` settles (at most HOLD_CAP_MS), then spaces the next request from then. */
  private await(answer: PromiseLike<unknown>, sentAt: number): void {
    this.awaiting = true
    let held = true
    const release = () => {
      if (!held) return
      held = false
      cancelCap()
      this.awaiting = false
      this.nextSlot = Math.max(this.nextSlot, this.timers.now() + this.spacingMs)
      this.pump()
    }
    const cancelCap = this.timers.at(sentAt + HOLD_CAP_MS, release)
    answer.then(release, release)
  }

  private wake(at: number): void {
    if (at >= this.wakeAt) return
    this.cancelWake?.()
    this.wakeAt = at
    this.cancelWake = this.timers.at(at, () => {
      this.wakeAt = Infinity
      this.cancelWake = undefined
      this.pump()
    })
  }
}

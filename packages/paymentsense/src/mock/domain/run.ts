/**
 * A script is a generator that performs one step of a terminal's work each time it is resumed and
 * yields how many milliseconds (of the cloud's clock) pass before the next step.
 */
export type Script = Generator<number, void, void>

/**
 * Something a terminal works through over time (a transaction or a report), evaluated lazily.
 *
 * Nothing runs in the background: whenever the cloud is asked about the run it calls
 * `advance(clock.now())`, which replays every step that fell due since the last call, each stamped
 * with its own due time. Results therefore depend only on the clock's readings, so a manual clock
 * makes the fake fully deterministic, and no timer ever keeps a process alive. A front-end that
 * pushes events (WebSocket) can sleep until {@link nextEventAt} and then advance.
 */
export abstract class Run {
  /** Time of the step being executed (or of the last one executed). */
  protected at: number
  private script: Script | undefined
  private dueAt: number | undefined
  /** When the run finished: the time of the step or interruption that finished it. */
  private finishedAt: number | undefined

  protected constructor(readonly createdAt: number) {
    this.at = createdAt
  }

  get finished(): boolean {
    return this.dueAt === undefined && this.interruptAt() === undefined
  }

  /**
   * When the run finished (as of its last {@link advance}); undefined while it runs. Data retention
   * counts from here, so a run outliving the retention period is never forgotten mid-way.
   */
  get endedAt(): number | undefined {
    return this.finishedAt
  }

  /** When the next step or interruption falls due; undefined once finished. */
  nextEventAt(): number | undefined {
    const irq = this.interruptAt()
    if (irq === undefined) return this.dueAt
    if (this.dueAt === undefined) return irq
    return Math.min(irq, this.dueAt)
  }

  /** Runs every step and interruption due at or before `now`, in time order. */
  advance(now: number): void {
    for (;;) {
      const irq = this.interruptAt()
      const due = this.dueAt
      // On a tie the scheduled step goes first: it was planned before the interruption arrived.
      if (irq !== undefined && irq <= now && (due === undefined || irq < due)) {
        this.at = irq
        this.interrupt()
      } else if (due === undefined || due > now) {
        return
      } else {
        this.at = due
        const next = this.script!.next()
        if (next.done) {
          this.script = undefined
          this.dueAt = undefined
        } else {
          this.dueAt = this.at + Math.max(0, next.value)
        }
      }
      // Subclasses say when they are finished (an outcome set): the first step after which they are.
      if (this.finishedAt === undefined && this.finished) this.finishedAt = this.at
    }
  }

  /** Starts (or replaces) the script; its first step runs at `at`. */
  protected run(script: Script, at: number): void {
    this.script?.return()
    this.script = script
    this.dueAt = at
  }

  /** Brings the pending step forward to `at` (an awaited answer arrived early). */
  protected wakeAt(at: number): void {
    if (this.dueAt !== undefined && at < this.dueAt) this.dueAt = at
  }

  /** Time of a pending out-of-script event (such as a cancel request), if any. */
  protected interruptAt(): number | undefined {
    return undefined
  }

  /** Handles the pending out-of-script event; must clear it so `interruptAt` moves on. */
  protected interrupt(): void {}
}

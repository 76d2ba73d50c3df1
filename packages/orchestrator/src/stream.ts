/**
 * The events of one payment or table, for one reader: kept in order until taken; `end()` finishes
 * the stream once what is kept has been taken; a reader that stops (`break`) drops the rest.
 */
export class EventStream<T> {
  private readonly kept: T[] = []
  private waiter: ((result: IteratorResult<T>) => void) | undefined
  private ended = false
  private iterating = false

  /**
   * `taken` runs as the reader takes each event (a table journals its cursor then); `left` when the
   * reader stops (`break`), before the events it left are dropped.
   */
  constructor(
    private readonly taken?: (event: T) => void,
    private readonly left?: () => void,
  ) {}

  push(event: T): void {
    if (this.ended) return
    const waiter = this.waiter
    if (!waiter) return void this.kept.push(event)
    this.waiter = undefined
    this.taken?.(event)
    waiter({ value: event, done: false })
  }

  /** Events pushed and not taken yet, oldest first. */
  waiting(): readonly T[] {
    return this.kept.slice()
  }

  end(): void {
    this.ended = true
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.({ value: undefined, done: true })
  }

  /** The one iterator; `owner` names the payment or table in the error for a second one. */
  iterate(owner: string): AsyncIterator<T> {
    if (this.iterating) throw new TypeError(`${owner}: its events can be iterated once`)
    this.iterating = true
    return {
      next: () => {
        if (this.kept.length) {
          const event = this.kept.shift()!
          this.taken?.(event)
          return Promise.resolve({ value: event, done: false })
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise<IteratorResult<T>>((resolve) => (this.waiter = resolve))
      },
      return: () => {
        // The reader stopped listening: later events are dropped, not kept for nobody.
        this.left?.()
        this.ended = true
        this.kept.length = 0
        return Promise.resolve({ value: undefined, done: true })
      },
    }
  }
}

import type { ProviderNotification } from './adapter.js'
import type { DeliveryCursor } from './journal.js'

/** Keys remembered per running payment: far more than any terminal sends while one payment runs. */
export const MAX_KEYS = 256
/** Keys written to the journal's cursor: enough to recognise a replay of the latest pushes. */
export const JOURNALED_KEYS = 32

/**
 * Decides which notifications are new for one payment (the rules are in the adapter contract:
 * positions of a growing list by `order`, others by `key`). Starts from a journaled cursor, so a
 * recovered payment skips what the previous process delivered. Memory is bounded: one number and
 * at most {@link MAX_KEYS} keys, dropped with the payment when it settles.
 */
export class Deduper {
  private order: number
  private readonly keys: Set<string>
  private delivered: number
  private last: unknown

  constructor(cursor: DeliveryCursor) {
    this.order = cursor.order
    this.keys = new Set(cursor.keys)
    this.delivered = cursor.delivered
    this.last = cursor.lastEvent
  }

  /** The new notifications of a batch, in delivery order. */
  fresh(batch: readonly ProviderNotification[]): ProviderNotification[] {
    // A batch of positions is delivered in ascending order even if it came shuffled.
    const list = batch.every((n) => n.order !== undefined)
      ? [...batch].sort((a, b) => a.order! - b.order!)
      : batch
    const out: ProviderNotification[] = []
    for (const n of list) {
      if (n.order !== undefined) {
        if (n.order <= this.order) continue
        this.order = n.order
      } else if (n.key !== undefined) {
        if (this.keys.has(n.key)) continue
        this.keys.add(n.key)
        if (this.keys.size > MAX_KEYS) this.keys.delete(this.keys.values().next().value!)
      }
      out.push(n)
    }
    return out
  }

  /** Records that an event was handed to the caller; returns its `seq`. */
  delivering(raw: unknown): number {
    this.last = raw
    return ++this.delivered
  }

  /** The provider value of the last event handed over. */
  get lastEvent(): unknown {
    return this.last
  }

  get seq(): number {
    return this.delivered
  }

  cursor(): DeliveryCursor {
    const keys = [...this.keys].slice(-JOURNALED_KEYS)
    return {
      delivered: this.delivered,
      order: this.order,
      keys,
      ...(this.last !== undefined && { lastEvent: this.last }),
    }
  }
}

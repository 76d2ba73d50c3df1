import type { ProviderNotification } from './adapter.js'
import type { DeliveryCursor } from './journal.js'
import { JOURNALED_KEYS, Seqs } from './seqs.js'

/** Keys remembered per running payment: far more than any terminal sends while one payment runs. */
export const MAX_KEYS = 256

/**
 * Decides which notifications are new for one payment (the rules are in the adapter contract:
 * positions of a growing list by `order`, others by `key`), and keeps the cursor the journal
 * records: how far the caller has *taken* events, so a recovered payment hands over again what
 * the previous process had handed but the caller had not taken. Memory is bounded: a few numbers,
 * at most {@link MAX_KEYS} keys and the events not yet taken, dropped with the payment.
 */
export class Deduper {
  private order: number
  private readonly keys: Set<string>
  private readonly seqs: Seqs
  private last: unknown
  private asked: DeliveryCursor['signatureAsked']
  /** The cursor as far as the caller has taken events (`lastEvent` and `signatureAsked` aside). */
  private taken: Pick<DeliveryCursor, 'delivered' | 'order' | 'keys'>
  /** Each event handed over and not yet taken, by `seq`. */
  private readonly handed = new Map<number, ProviderNotification>()

  constructor(cursor: DeliveryCursor) {
    this.order = cursor.order
    this.keys = new Set(cursor.keys)
    this.seqs = new Seqs(cursor)
    this.last = cursor.lastEvent
    this.asked = cursor.signatureAsked
    this.taken = { delivered: cursor.delivered, order: cursor.order, keys: cursor.keys }
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

  /**
   * Records that a fresh notification is being handed to the caller; returns its event's `seq`: the
   * one an earlier process gave it, if it handed it out, else the next never used.
   */
  delivering(n: ProviderNotification): number {
    this.last = n.raw
    const seq = this.seqs.next(idOf(n))
    if (!this.abandoned) this.handed.set(seq, n)
    return seq
  }

  /** The caller stopped reading: nothing handed out is owed, nor is anything handed out later. */
  abandon(): void {
    this.abandoned = true
    this.handed.clear()
    this.seqs.forget()
  }
  private abandoned = false

  /** The caller took the event `seq`: the journal's cursor moves to it. */
  took(seq: number): void {
    const n = this.handed.get(seq)
    this.handed.delete(seq)
    this.seqs.took(seq)
    const { order, keys, delivered } = this.taken
    this.taken = {
      delivered: Math.max(delivered, seq),
      order: Math.max(order, n?.order ?? order),
      keys: n?.key === undefined ? keys : [...keys, n.key].slice(-JOURNALED_KEYS),
    }
  }

  /** The provider value of the last event handed over, taken or not (for reconciliation facts). */
  get lastEvent(): unknown {
    return this.last
  }

  /**
   * When the signature question `n` was first seen: `now`, unless it is the question an earlier look
   * (or process) already saw. A later question is timed from its own asking.
   */
  signatureAsked(n: ProviderNotification, now: number): number {
    const question = n.key ?? (n.order === undefined ? String(n.raw) : `#${n.order}`)
    if (this.asked?.question !== question) this.asked = { question, at: now }
    return this.asked.at
  }

  /**
   * What the journal records: how far the caller took events, the last event seen, and what was
   * handed out beyond what was taken (with an earlier process's, not shown again yet).
   */
  cursor(): DeliveryCursor {
    return {
      ...this.taken,
      ...(this.last !== undefined && { lastEvent: this.last }),
      ...(this.asked && { signatureAsked: this.asked }),
      ...this.seqs.cursor(this.taken.delivered),
    }
  }
}

/** How a notification is recognised when the provider shows it again: its position, else its key. */
const idOf = (n: ProviderNotification): string | undefined =>
  n.order !== undefined ? `#${n.order}` : n.key

/** Keys written to the journal's cursor: enough to recognise a replay of the latest pushes. */
export const JOURNALED_KEYS = 32

/** What a cursor (payment or table) says of the seqs handed out beyond those taken. */
export interface IssuedSeqs {
  /** The highest `seq` handed out, taken or not, when above the taken one. */
  issued?: number
  /** Events handed out and not taken, as `[seq, id]`: told again after a crash, each keeps its `seq`. */
  pending?: ReadonlyArray<readonly [seq: number, id: string]>
}

/**
 * The `seq`s of one payment's or table's events, across processes: a `seq` handed out is never given
 * to another event, and an event an earlier process handed out (recognised by its `id`) keeps its
 * own when it is told again, unless a later one went out already (seqs only grow in the stream).
 */
export class Seqs {
  private issued: number
  /** The last `seq` handed out by this process. */
  private last = 0
  /** Handed out by an earlier process and maybe taken: their `seq`s, by id. */
  private readonly earlier: Map<string, number>
  /** Handed out here and not taken: their ids, by `seq`. */
  private readonly out = new Map<number, string | undefined>()
  /** False once the caller stopped reading: what is handed out is no longer owed. */
  private owed = true

  constructor(cursor: IssuedSeqs & { delivered: number }) {
    this.issued = Math.max(cursor.delivered, cursor.issued ?? 0)
    this.earlier = new Map(cursor.pending?.map(([seq, id]) => [id, seq]))
  }

  /** The `seq` an earlier process gave the event `id`, if it has not been told again yet. */
  before(id: string): number | undefined {
    return this.earlier.get(id)
  }

  /** The `seq` for an event recognised by `id` (none: it cannot be told again). */
  next(id: string | undefined): number {
    const again = id === undefined ? undefined : this.earlier.get(id)
    if (id !== undefined) this.earlier.delete(id)
    const seq = again !== undefined && again > this.last ? again : ++this.issued
    this.last = seq
    if (this.owed) this.out.set(seq, id)
    return seq
  }

  /** The caller took `seq`. */
  took(seq: number): void {
    this.out.delete(seq)
  }

  /** The caller stopped reading: nothing handed out, now or later, is owed any more. */
  forget(): void {
    this.out.clear()
    this.owed = false
  }

  /** The cursor's fields, given the `seq` the caller took last. */
  cursor(delivered: number): IssuedSeqs {
    const pending: Array<readonly [number, string]> = []
    for (const [id, seq] of this.earlier) pending.push([seq, id])
    for (const [seq, id] of this.out) if (id !== undefined) pending.push([seq, id])
    return {
      ...(this.issued > delivered && { issued: this.issued }),
      // The oldest: the next the caller takes, so the ones worth their `seq` after a crash.
      ...(pending.length && { pending: pending.slice(0, JOURNALED_KEYS) }),
    }
  }
}

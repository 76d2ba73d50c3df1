/**
 * What every fake's acquirer saw, append-only, numbered from 1. Each provider describes its own
 * entries; this keeps them in order and frozen.
 */
export class FakeLedger<E extends { readonly seq: number }> {
  readonly entries: E[] = []

  record(entry: Omit<E, 'seq'>): E {
    const stored = Object.freeze({ seq: this.entries.length + 1, ...entry }) as unknown as E
    this.entries.push(stored)
    return stored
  }

  /** Sequence number of the newest entry (0 when empty). */
  get lastSeq(): number {
    return this.entries.length
  }
}

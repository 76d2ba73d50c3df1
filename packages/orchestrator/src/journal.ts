import type { IssuedSeqs } from './seqs.js'

/**
 * The journal: what a restarted process needs to finish every payment the previous one began. The
 * core appends records in a fixed order per payment:
 *
 * 1. `intent`: before the payment-starting request. If this write fails the payment is refused
 *    (nothing is sent), so no payment ever runs without a record.
 * 2. `ids`: the moment the provider's ids are known (`started: true` once the start answered).
 * 3. `cursor`: after events were handed to the caller, how far delivery got, so a recovered
 *    payment does not repeat them.
 * 4. `outcome`: the end. Entries with an outcome are finished; `recover()` ignores them.
 *
 * A store only has to keep records durable and fold them; `foldRecord` does the folding for any
 * store that keeps raw records (a file, a list in Redis, a table).
 */
import type { Outcome, PaymentRequest, ProviderIds, TableEvent, TableRequest } from './types.js'

/**
 * How far event delivery got for one payment (see the adapter's de-duplication rules); with
 * {@link IssuedSeqs}, the `seq`s handed out beyond it, journaled before the POS can take them.
 */
export interface DeliveryCursor extends IssuedSeqs {
  /** `seq` of the last event the POS took from the stream; 0 for none. */
  delivered: number
  /** Highest ordered position the POS took; -1 for none. */
  order: number
  /** The most recent keys of keyed notifications the POS took (bounded), oldest first. */
  keys: readonly string[]
  /**
   * The provider value of the last event seen (handed to the stream, taken or not), for
   * reconciliation facts.
   */
  lastEvent?: unknown
  /**
   * The provider's latest signature question (its key or list position) and the clock time it was
   * first seen: that question asked again after `recover()` keeps the provider's window, and the
   * policy's deadline, from then.
   */
  signatureAsked?: { question: string; at: number }
}

export const EMPTY_CURSOR: DeliveryCursor = { delivered: 0, order: -1, keys: [] }

export type JournalRecord =
  | {
      type: 'intent'
      paymentId: string
      at: number
      provider: string
      request: PaymentRequest
      /** Ids prepared before sending (may be empty). */
      ids: ProviderIds
      /**
       * Set by writers that journal `sending` before the start request leaves: an entry with this
       * and without `sending` was never sent. (Older journals lack it: nothing can be told there.)
       */
      marksSend?: boolean
    }
  | {
      type: 'ids'
      paymentId: string
      at: number
      ids: ProviderIds
      started: boolean
      /** Journaled just before the start request leaves (see the intent's `marksSend`). */
      sending?: boolean
    }
  | { type: 'cursor'; paymentId: string; at: number; cursor: DeliveryCursor }
  | { type: 'outcome'; paymentId: string; at: number; outcome: Outcome }

/** All records of one payment, folded. */
export interface JournalEntry {
  paymentId: string
  provider: string
  request: PaymentRequest
  /** The intent's time: the start request was sent at or after it. */
  startedAt: number
  ids: ProviderIds
  /** True once the start request answered (the provider's own id is in `ids`). */
  started: boolean
  /** The intent's `marksSend`: this entry says whether its start request was ever sent. */
  marksSend?: boolean
  /** True once the start request was about to leave (journaled before it did). */
  sending?: boolean
  cursor: DeliveryCursor
  outcome?: Outcome
}

/**
 * Whether the entry's start request may have left: answered, journaled as leaving, or from a
 * journal that does not say.
 */
export const maySendHaveLeft = (entry: JournalEntry): boolean =>
  entry.started || !entry.marksSend || entry.sending === true

/**
 * Where the journal lives. Implement it to put the journal in a database; `createMemoryJournal`
 * and `createFileJournal` are the built-in ones.
 */
export interface JournalStore {
  /**
   * Makes the record durable, then resolves; rejects when it could not. Records of one payment
   * arrive in order, each after the previous resolved; records of different payments interleave.
   * One exception: once a record was rejected, the payment's outcome is written at once, while the
   * rejected one is still being retried, and a retry already out may land after the outcome (later
   * ones are dropped). Ignore a payment's records after its outcome, as {@link foldRecord} does.
   */
  append(record: JournalRecord): Promise<void>
  /** Entries without an outcome, folded, oldest intent first. */
  unfinished(): Promise<JournalEntry[]>
  /** One entry, finished or not, if the store still holds it (finished ones may be dropped). */
  get(paymentId: string): Promise<JournalEntry | undefined>
  close?(): Promise<void>
  /**
   * Pay at table (optional: `openTable` needs it). Makes a table record durable, like `append`;
   * records of one table arrive in order. Kept apart from payment records so stores and readers
   * written before tables existed are untouched.
   */
  appendTable?(record: TableJournalRecord): Promise<void>
  /** Tables not yet done ({@link tableDone}), folded, oldest first. */
  openTables?(): Promise<TableJournalEntry[]>
}

/** How far a table's event delivery got: what the POS has taken from the stream. */
export interface TableCursor extends IssuedSeqs {
  /** `seq` of the last event the POS took; 0 for none. */
  delivered: number
  /** Provider payment ids the POS has taken, in order. */
  paymentIds: readonly string[]
  /** The lock state last told. */
  locked: boolean
  /** `amount/amountPaid` when `paid` was last told. */
  paid?: string
}

export const EMPTY_TABLE_CURSOR: TableCursor = { delivered: 0, paymentIds: [], locked: false }

/**
 * A table's records, in order: `tableOpen` before the create request; `tableOpened` once the
 * provider has it; `tableCursor` as the POS takes events; `tableEnd` when it is closed, gone, or
 * could not be opened. `tableEnd` carries the events the POS had not taken yet (the provider may
 * no longer show them once the table is gone): the table stays in the journal, and `recover()`
 * hands them over again, until `tableCursor` records say the POS took them.
 */
export type TableJournalRecord =
  | { type: 'tableOpen'; tableId: string; at: number; provider: string; request: TableRequest }
  | { type: 'tableOpened'; tableId: string; at: number }
  | { type: 'tableCursor'; tableId: string; at: number; cursor: TableCursor }
  | {
      type: 'tableEnd'
      tableId: string
      at: number
      reason: 'closed' | 'gone' | 'not-opened'
      undelivered?: TableEvent[]
    }

/** All records of one table, folded. */
export interface TableJournalEntry {
  tableId: string
  provider: string
  request: TableRequest
  openedAt: number
  /** True once the provider was known to have the table. */
  opened: boolean
  cursor: TableCursor
  ended?: 'closed' | 'gone' | 'not-opened'
  /** Of an ended table: the events the POS had not taken when it ended. */
  undelivered?: TableEvent[]
}

/**
 * True once a table needs nothing more: it ended, and the POS took every event it had not taken
 * by then (its `closed` event included). A store drops such an entry; `openTables` lists the others.
 */
export function tableDone(entry: TableJournalEntry): boolean {
  return (
    entry.ended !== undefined && !entry.undelivered?.some((e) => e.seq > entry.cursor.delivered)
  )
}

/**
 * A store's tables: each folded from its records, dropped once done ({@link tableDone}). An ended
 * table the POS has not taken the last events of is kept for `recover()`, but at most `keepEnded`
 * of them (oldest ended dropped first): a POS that follows tables through `current` and never reads
 * their events would otherwise leave every table it ever served in the journal.
 */
export class TableFolder {
  readonly tables = new Map<string, TableJournalEntry>()
  /** Ended tables still kept, in the order they ended. */
  private readonly ended = new Set<string>()

  constructor(private readonly keepEnded: number) {}

  fold(record: TableJournalRecord): void {
    const entry = foldTableRecord(this.tables, record)
    if (!entry) return
    const id = entry.tableId
    if (tableDone(entry)) {
      this.tables.delete(id)
      this.ended.delete(id)
    } else if (entry.ended && !this.ended.has(id)) {
      this.ended.add(id)
      if (this.ended.size > this.keepEnded) {
        const oldest = this.ended.values().next().value!
        this.ended.delete(oldest)
        this.tables.delete(oldest)
      }
    }
  }
}

/** {@link foldRecord} for table records: same rules (unknown tables and records after the end are ignored). */
export function foldTableRecord(
  entries: Map<string, TableJournalEntry>,
  record: TableJournalRecord,
): TableJournalEntry | undefined {
  if (record.type === 'tableOpen') {
    if (entries.has(record.tableId)) return undefined
    const entry: TableJournalEntry = {
      tableId: record.tableId,
      provider: record.provider,
      request: record.request,
      openedAt: record.at,
      opened: false,
      cursor: EMPTY_TABLE_CURSOR,
    }
    entries.set(record.tableId, entry)
    return entry
  }
  const entry = entries.get(record.tableId)
  // After the end, only the POS taking what was left to take.
  if (!entry || tableDone(entry) || (entry.ended && record.type !== 'tableCursor')) return undefined
  switch (record.type) {
    case 'tableOpened':
      entry.opened = true
      break
    case 'tableCursor':
      if (record.cursor.delivered >= entry.cursor.delivered) entry.cursor = record.cursor
      break
    case 'tableEnd':
      entry.ended = record.reason
      if (record.undelivered?.length) entry.undelivered = record.undelivered
      break
  }
  return entry
}

/** Table records and payment records share a file: this tells them apart. */
export function isTableRecord(record: { type: string }): record is TableJournalRecord {
  return record.type.startsWith('table')
}

/**
 * Applies one record to a map of entries. Records for an unknown payment (other than an intent)
 * and records after an outcome are ignored, so a replayed or partly duplicated log folds the same.
 * Returns the entry touched, if any.
 */
export function foldRecord(
  entries: Map<string, JournalEntry>,
  record: JournalRecord,
): JournalEntry | undefined {
  if (record.type === 'intent') {
    if (entries.has(record.paymentId)) return undefined
    const entry: JournalEntry = {
      paymentId: record.paymentId,
      provider: record.provider,
      request: record.request,
      startedAt: record.at,
      ids: { ...record.ids },
      started: false,
      ...(record.marksSend && { marksSend: true }),
      cursor: EMPTY_CURSOR,
    }
    entries.set(record.paymentId, entry)
    return entry
  }
  const entry = entries.get(record.paymentId)
  if (!entry || entry.outcome) return undefined
  switch (record.type) {
    case 'ids':
      entry.ids = { ...entry.ids, ...record.ids }
      entry.started ||= record.started
      if (record.sending) entry.sending = true
      break
    case 'cursor':
      // A cursor only moves forward: a stale one (written late) cannot bring events back.
      if (record.cursor.delivered >= entry.cursor.delivered) entry.cursor = record.cursor
      break
    case 'outcome':
      entry.outcome = record.outcome
      break
  }
  return entry
}

/**
 * A copy through JSON: what a durable store would give back, so nothing a caller keeps a reference
 * to can change a record, an entry or a request afterwards.
 */
export const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

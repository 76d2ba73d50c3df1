import {
  foldRecord,
  foldTableRecord,
  jsonCopy,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  type TableJournalEntry,
  type TableJournalRecord,
} from '../journal.js'

export interface MemoryJournalOptions {
  /** Finished entries kept for `get` (oldest dropped first). Default 1 000. */
  keepFinished?: number
}

/**
 * A journal in this process's memory: survives an orchestrator being dropped and replaced (tests,
 * hot reloads), not the process. Records are copied through JSON, as a durable store would, so
 * nothing the caller keeps a reference to can change them afterwards.
 */
export function createMemoryJournal(options: MemoryJournalOptions = {}): JournalStore {
  const keepFinished = options.keepFinished ?? 1_000
  const entries = new Map<string, JournalEntry>()
  const finished: string[] = []
  const tables = new Map<string, TableJournalEntry>()
  return {
    async append(record: JournalRecord) {
      const entry = foldRecord(entries, jsonCopy(record))
      if (entry?.outcome) {
        finished.push(entry.paymentId)
        while (finished.length > keepFinished) entries.delete(finished.shift()!)
      }
    },
    async unfinished() {
      return [...entries.values()].filter((e) => !e.outcome).map(jsonCopy)
    },
    async get(paymentId) {
      const entry = entries.get(paymentId)
      return entry && jsonCopy(entry)
    },
    async appendTable(record: TableJournalRecord) {
      const entry = foldTableRecord(tables, jsonCopy(record))
      // An ended table is never needed again.
      if (entry?.ended) tables.delete(entry.tableId)
    },
    async openTables() {
      return [...tables.values()].map(jsonCopy)
    },
  }
}

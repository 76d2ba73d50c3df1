import { checkOptions } from '@tillkit/core'
import {
  foldRecord,
  jsonCopy,
  TableFolder,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  type TableJournalRecord,
} from '../journal.js'

export interface MemoryJournalOptions {
  /** Finished entries kept for `get` (oldest dropped first). Default 1 000. */
  keepFinished?: number
  /**
   * Ended tables kept because the POS had not taken their last events (oldest dropped first).
   * Default 100.
   */
  keepEndedTables?: number
}

/** Every name of {@link MemoryJournalOptions} (the `satisfies` keeps the list complete). */
const OPTION_NAMES = { keepFinished: 1, keepEndedTables: 1 } satisfies Record<
  keyof MemoryJournalOptions,
  1
>

/**
 * A journal in this process's memory: survives an orchestrator being dropped and replaced (tests,
 * hot reloads), not the process. Records are copied through JSON, as a durable store would, so
 * nothing the caller keeps a reference to can change them afterwards. Finished entries are kept as
 * their JSON text: one string each, not a graph of objects for the garbage collector to trace.
 */
export function createMemoryJournal(options: MemoryJournalOptions = {}): JournalStore {
  // Known names only (an unknown one is refused); the values are taken as they are.
  checkOptions(options, {}, 'options', OPTION_NAMES)
  const keepFinished = options.keepFinished ?? 1_000
  const entries = new Map<string, JournalEntry>()
  /** Finished entries as JSON, oldest first (a Map keeps insertion order). */
  const finished = new Map<string, string>()
  const tables = new TableFolder(options.keepEndedTables ?? 100)
  return {
    async append(record: JournalRecord) {
      // Records after the outcome are ignored, as the fold would.
      if (finished.has(record.paymentId)) return
      // An outcome is copied once, as the finished entry's text; other records as they are folded.
      const outcome = record.type === 'outcome'
      const entry = foldRecord(entries, outcome ? record : jsonCopy(record))
      if (!entry?.outcome) return
      entries.delete(entry.paymentId)
      finished.set(entry.paymentId, JSON.stringify(entry))
      if (finished.size > keepFinished) finished.delete(finished.keys().next().value!)
    },
    async unfinished() {
      return [...entries.values()].map(jsonCopy)
    },
    async get(paymentId) {
      const entry = entries.get(paymentId)
      if (entry) return jsonCopy(entry)
      const text = finished.get(paymentId)
      return text === undefined ? undefined : (JSON.parse(text) as JournalEntry)
    },
    async appendTable(record: TableJournalRecord) {
      tables.fold(jsonCopy(record))
    },
    async openTables() {
      return [...tables.tables.values()].map(jsonCopy)
    },
  }
}

import { open, readFile, rename, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  EMPTY_CURSOR,
  EMPTY_TABLE_CURSOR,
  foldRecord,
  isTableRecord,
  TableFolder,
  jsonCopy,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  type TableJournalRecord,
} from '../journal.js'

export interface FileJournalOptions {
  /**
   * Once the file holds this many records, it is rewritten with only what unfinished payments
   * need (a new file, synced, then renamed over the old one). Default 10 000.
   */
  compactAfter?: number
  /** Finished entries kept in memory for `get`. Default 1 000. */
  keepFinished?: number
  /**
   * Ended tables kept because the POS had not taken their last events (oldest dropped first, in
   * memory and at the next compaction). Default 100.
   */
  keepEndedTables?: number
}

export interface FileJournal extends JournalStore {
  /** Records in the file now (what compaction counts). */
  readonly records: number
  /** True when opening found a torn last line (a crash mid-write) and cut it off. */
  readonly repaired: boolean
}

/**
 * A journal in one append-only file of JSON lines. Each `append` resolves once its line is written
 * and synced (fsync): records arriving while a write is in progress are written and synced
 * together with the next one (group commit), so a thousand payments do not cost a thousand syncs
 * per second. A crash can leave only the last line half-written; opening the file cuts such a line
 * off, as the record it held was never acknowledged. Damage anywhere else is refused loudly.
 */
export async function createFileJournal(
  path: string,
  options: FileJournalOptions = {},
): Promise<FileJournal> {
  const compactAfter = options.compactAfter ?? 10_000
  const keepFinished = options.keepFinished ?? 1_000
  const entries = new Map<string, JournalEntry>()
  const finished: string[] = []
  let records = 0
  let repaired = false
  /** Record count that triggers the next compaction: never sooner than twice what the last one kept. */
  let threshold = compactAfter

  const folder = new TableFolder(options.keepEndedTables ?? 100)
  const tables = folder.tables

  const remember = (record: JournalRecord | TableJournalRecord) => {
    if (isTableRecord(record)) return folder.fold(record)
    const entry = foldRecord(entries, record)
    if (entry?.outcome) {
      finished.push(entry.paymentId)
      while (finished.length > keepFinished) entries.delete(finished.shift()!)
    }
  }

  let bytes: Buffer = Buffer.alloc(0)
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  // Whatever follows the last newline is a line whose write never completed.
  const whole = bytes.lastIndexOf(0x0a) + 1
  const torn = whole < bytes.length
  const lines = bytes.subarray(0, whole).toString('utf8').split('\n')
  lines.pop()
  lines.forEach((line, i) => {
    if (!line.trim()) return
    let record: JournalRecord | TableJournalRecord
    try {
      record = JSON.parse(line) as JournalRecord | TableJournalRecord
    } catch {
      throw new Error(`journal ${path}: line ${i + 1} is not JSON; the file is damaged`)
    }
    remember(record)
    records++
  })
  let handle: FileHandle = await open(path, 'a+')
  if (torn) {
    repaired = true
    await handle.truncate(whole)
    await handle.sync()
  }

  let pending: Array<{ line: string; done: (error?: unknown) => void }> = []
  let writing: Promise<void> | undefined
  let closed = false
  /** Bytes of the file that hold whole records: what a failed write is cut back to. */
  let size = whole
  /** Set when a failed write could not be cut back: the file's end is not known to be whole. */
  let broken: unknown

  /** Writes everything pending as one batch, then whatever came meanwhile, until none is left. */
  const flush = async (): Promise<void> => {
    while (pending.length) {
      const batch = pending
      pending = []
      const text = batch.map((p) => p.line).join('')
      try {
        if (broken !== undefined) throw broken
        await handle.appendFile(text)
        await handle.sync()
        size += Buffer.byteLength(text)
        records += batch.length
        for (const p of batch) p.done()
      } catch (error) {
        // Part of the batch may be in the file (a full disk mid-write): cut it off, or the next
        // batch would continue its half line and every record from there on would read as damage.
        if (broken === undefined)
          await handle
            .truncate(size)
            .then(() => handle.sync())
            .catch((cause: unknown) => {
              broken = new Error(
                `journal ${path}: a failed write could not be cut off; reopen the journal`,
                { cause },
              )
            })
        for (const p of batch) p.done(error)
      }
      if (records >= threshold) await compact().catch(() => {})
    }
    writing = undefined
  }

  /**
   * Rewrites the file with each unfinished payment folded into at most three records, and each
   * finished one still kept for `get` (at most `keepFinished`) into two: its outcome survives.
   */
  const compact = async () => {
    const kept: Array<JournalRecord | TableJournalRecord> = []
    for (const e of entries.values()) {
      const { outcome } = e
      if (outcome) {
        kept.push(
          {
            type: 'intent',
            paymentId: e.paymentId,
            at: e.startedAt,
            provider: e.provider,
            request: e.request,
            ids: e.ids,
          },
          { type: 'outcome', paymentId: e.paymentId, at: outcome.at, outcome },
        )
        continue
      }
      kept.push({
        type: 'intent',
        paymentId: e.paymentId,
        at: e.startedAt,
        provider: e.provider,
        request: e.request,
        ids: {},
        ...(e.marksSend && { marksSend: true }),
      })
      if (e.started || e.sending || Object.keys(e.ids).length)
        kept.push({
          type: 'ids',
          paymentId: e.paymentId,
          at: e.startedAt,
          ids: e.ids,
          started: e.started,
          ...(e.sending && { sending: true }),
        })
      if (e.cursor !== EMPTY_CURSOR)
        kept.push({ type: 'cursor', paymentId: e.paymentId, at: e.startedAt, cursor: e.cursor })
    }
    for (const t of tables.values()) {
      kept.push({
        type: 'tableOpen',
        tableId: t.tableId,
        at: t.openedAt,
        provider: t.provider,
        request: t.request,
      })
      if (t.opened) kept.push({ type: 'tableOpened', tableId: t.tableId, at: t.openedAt })
      if (t.cursor !== EMPTY_TABLE_CURSOR)
        kept.push({ type: 'tableCursor', tableId: t.tableId, at: t.openedAt, cursor: t.cursor })
      if (t.ended)
        kept.push({
          type: 'tableEnd',
          tableId: t.tableId,
          at: t.openedAt,
          reason: t.ended,
          ...(t.undelivered && { undelivered: t.undelivered }),
        })
    }
    const temporary = `${path}.compacting`
    const out = await open(temporary, 'w')
    const text = kept.map((r) => JSON.stringify(r) + '\n').join('')
    try {
      await out.writeFile(text)
      await out.sync()
    } finally {
      await out.close()
    }
    await rename(temporary, path)
    await syncDirectory(dirname(path))
    await handle.close()
    handle = await open(path, 'a+')
    size = Buffer.byteLength(text)
    records = kept.length
    threshold = Math.max(compactAfter, kept.length * 2)
  }

  const write = (record: JournalRecord | TableJournalRecord): Promise<void> => {
    if (closed) return Promise.reject(new Error(`journal ${path} is closed`))
    const line = JSON.stringify(record) + '\n'
    return new Promise<void>((resolve, reject) => {
      pending.push({
        line,
        done: (error) => {
          if (error !== undefined) return reject(error)
          remember(JSON.parse(line) as JournalRecord | TableJournalRecord)
          resolve()
        },
      })
      writing ??= flush()
    })
  }

  return {
    get records() {
      return records
    },
    get repaired() {
      return repaired
    },
    append: (record) => write(record),
    appendTable: (record) => write(record),
    async openTables() {
      return [...tables.values()].map(jsonCopy)
    },
    async unfinished() {
      return [...entries.values()].filter((e) => !e.outcome).map(jsonCopy)
    },
    async get(paymentId) {
      const entry = entries.get(paymentId)
      return entry && jsonCopy(entry)
    },
    async close() {
      closed = true
      await writing
      await handle.close()
    },
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(directory, 'r')
    await handle.sync()
  } catch {
    // Some platforms cannot open or sync a directory; the rename is still atomic there.
  } finally {
    await handle?.close()
  }
}

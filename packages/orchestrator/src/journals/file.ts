import { open, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises'
import { hostname } from 'node:os'
import { randomUUID } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { checkOptions } from '@tillkit/core'
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

/** Every name of {@link FileJournalOptions} (the `satisfies` keeps the list complete). */
const OPTION_NAMES = { compactAfter: 1, keepFinished: 1, keepEndedTables: 1 } satisfies Record<
  keyof FileJournalOptions,
  1
>

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
  // Known names only, before the file is touched; the values are taken as they are.
  checkOptions(options, {}, 'options', OPTION_NAMES)
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

  // Taken before the file is read: a holder still closing has written all it acknowledged.
  const unlock = await lock(path)
  let bytes: Buffer = Buffer.alloc(0)
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      await unlock()
      throw error
    }
  }
  // The last batch may be torn by a crash: text after the last newline, or whole lines that do
  // not read (a block of zeros where a record's head should be, then its tail and newline). Those
  // records were never acknowledged: they are cut off. A line that does not read with a good
  // record after it is damage of another kind, and refused.
  let whole = 0
  let damaged: number | undefined
  let handle: FileHandle
  try {
    for (let start = 0, n = 1; start < bytes.length; n++) {
      const newline = bytes.indexOf(0x0a, start)
      const end = newline < 0 ? bytes.length : newline + 1
      const line = bytes.subarray(start, end).toString('utf8')
      start = end
      let record: JournalRecord | TableJournalRecord | undefined
      try {
        record = line.trim() ? (JSON.parse(line) as JournalRecord | TableJournalRecord) : undefined
      } catch {
        damaged ??= n
        continue
      }
      // Without its newline, even a line that reads is torn: its write never completed.
      if (newline < 0 || damaged !== undefined) {
        if (record && newline >= 0)
          throw new Error(`journal ${path}: line ${damaged} is not JSON; the file is damaged`)
        continue
      }
      whole = end
      if (!record) continue
      remember(record)
      records++
    }
    handle = await open(path, 'a+')
    if (whole < bytes.length) {
      repaired = true
      await handle.truncate(whole)
      await handle.sync()
    }
  } catch (error) {
    // Whatever stopped the open (damage, EMFILE...), the file is not left locked.
    await handle!?.close().catch(() => {})
    await unlock()
    throw error
  }

  let pending: Array<{ line: string; done: (error?: unknown) => void }> = []
  let writing: Promise<void> | undefined
  let closed = false
  let closing: Promise<void> | undefined
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
    // Finished payments in the order they finished, so reopening keeps the same latest ones.
    const live = [...entries.values()].filter((e) => !e.outcome)
    for (const e of [...finished.map((id) => entries.get(id)!), ...live]) {
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
    close() {
      // Every call resolves once the journal is closed and its lock released.
      closing ??= (async () => {
        closed = true
        await writing
        await handle.close()
        await unlock()
      })()
      return closing
    },
  }
}

/** Journal files this process holds (resolved paths). */
const held = new Set<string>()

/**
 * Takes `<path>.lock`, so a second journal on the same file (which compaction would cut off from
 * it, losing records it had acknowledged) is refused, in this process or another. A lock is
 * taken over when its holder is gone: a process of this host that no longer runs, or this very
 * process id with no journal of it open (a restarted container, where the app is PID 1 again), or
 * an empty lock (a crash as it was written). A takeover happens under `<path>.lock.takeover`,
 * created exclusively, and only while the lock is still the stale one read: of two processes
 * taking over the same stale lock at once, one wins and the other is refused. Returns the release.
 */
async function lock(path: string): Promise<() => Promise<void>> {
  const file = `${path}.lock`
  const key = resolve(path)
  const host = hostname()
  const owner = JSON.stringify({ pid: process.pid, host, nonce: randomUUID() })
  const refuse = (holder: { pid?: unknown; host?: unknown }) =>
    new Error(
      `journal ${path} is open in another journal (process ${String(holder.pid ?? '?')} on ${String(holder.host ?? '?')}); ` +
        `close it first, or remove ${file} if that process is gone`,
    )
  if (held.has(key)) throw refuse({ pid: process.pid, host })
  // Reserved before the first await: a second open of this process started in the same turn is
  // refused here, instead of reading the first's fresh lock as one its pid left behind.
  held.add(key)
  try {
    await take(file, owner, host, refuse)
  } catch (error) {
    held.delete(key)
    throw error
  }
  return async () => {
    held.delete(key)
    // Only our own: a lock someone took over since is theirs.
    if ((await readFile(file, 'utf8').catch(() => '')) === owner) await unlink(file).catch(() => {})
  }
}

/** Writes `owner` into the lock `file`, taking it over when its holder is gone (see {@link lock}). */
async function take(
  file: string,
  owner: string,
  host: string,
  refuse: (holder: { pid?: unknown; host?: unknown }) => Error,
): Promise<void> {
  try {
    await writeFile(file, owner, { flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const text = await readFile(file, 'utf8').catch(() => '')
    let holder: { pid?: unknown; host?: unknown } = {}
    try {
      holder = text ? (JSON.parse(text) as typeof holder) : {}
    } catch {}
    const gone =
      text === '' ||
      (holder.host === host &&
        typeof holder.pid === 'number' &&
        (holder.pid === process.pid || !alive(holder.pid)))
    if (!gone) throw refuse(holder)
    const guard = `${file}.takeover`
    if (!(await takeGuard(guard))) throw refuse(holder)
    try {
      // Another process took it over first: the lock is theirs now.
      if ((await readFile(file, 'utf8').catch(() => '')) !== text) throw refuse(holder)
      const temporary = `${file}.${process.pid}.${randomUUID()}`
      await writeFile(temporary, owner)
      await rename(temporary, file)
    } finally {
      await unlink(guard).catch(() => {})
    }
  }
}

/** A takeover takes milliseconds: a guard this old was left by a process that died in one. */
const ABANDONED_GUARD_MS = 10_000

/**
 * Creates the takeover guard; false when another process holds it (an abandoned one is removed
 * first, once). Any other failure to create it is thrown.
 */
async function takeGuard(guard: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(guard, String(process.pid), { flag: 'wx' })
      return true
    } catch (error) {
      // Not a guard in the way (a read-only folder, a full disk): the open fails as it is.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (attempt) return false
      const since = await stat(guard).then(
        (s) => Date.now() - s.mtimeMs,
        () => Infinity,
      )
      if (since < ABANDONED_GUARD_MS) return false
      await unlink(guard).catch(() => {})
    }
  }
}

/** Whether a process of this host runs (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
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

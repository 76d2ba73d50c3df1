/**
 * The file journal's lock (`<path>.lock`): released whatever stops an open, taken over when its
 * holder is gone, released once by any number of close() calls, and won by one of two processes
 * taking over the same stale lock, or by one of two opens of one file in one process.
 */
import { hostname } from 'node:os'
import { existsSync, readFileSync } from 'node:fs'
import { utimes, writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFileJournal } from '../src/node.js'
import { intentRecord as intent, tempJournals } from './harness.js'

/** Hooks into the journal's file system calls. */
const hooks: {
  failOpenAppend: boolean
  afterRead?: (path: string) => Promise<void>
  /** A write to a path ending so fails with this code. */
  failWrite?: { suffix: string; code: string }
} = { failOpenAppend: false }

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      if (hooks.failOpenAppend && args[1] === 'a+') {
        hooks.failOpenAppend = false
        throw Object.assign(new Error('EMFILE: too many open files, open'), { code: 'EMFILE' })
      }
      return real.open(...args)
    },
    writeFile: (async (...args: Parameters<typeof real.writeFile>) => {
      const fault = hooks.failWrite
      if (fault && String(args[0]).endsWith(fault.suffix))
        throw Object.assign(new Error(`${fault.code}: cannot write`), { code: fault.code })
      return real.writeFile(...args)
    }) as typeof real.writeFile,
    readFile: (async (...args: Parameters<typeof real.readFile>) => {
      const result = await real.readFile(...args)
      await hooks.afterRead?.(String(args[0]))
      return result
    }) as typeof real.readFile,
  }
})

afterEach(() => {
  hooks.failOpenAppend = false
  hooks.afterRead = undefined
  hooks.failWrite = undefined
})

const tempFile = tempJournals('tillkit-review-day-')

/**
 * The file journal as another process of this host would run it: the module loaded again, so the
 * files it holds are its own (the journal refuses a second open of a file in one process at once).
 */
const anotherProcess = (): Promise<typeof import('../src/journals/file.js')> =>
  import(
    /* @vite-ignore */ new URL('../src/journals/file.ts?another-process', import.meta.url).href
  )

/** A promise with its resolve, to hold a step of one journal while another runs. */
function gate() {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

describe('file journal lock', () => {
  it('a journal that fails to open after taking the lock does not keep the file locked', async () => {
    const path = await tempFile()
    hooks.failOpenAppend = true
    await expect(createFileJournal(path)).rejects.toThrow(/EMFILE/)
    // The fault is gone: the file opens (nothing else holds it).
    const journal = await createFileJournal(path)
    await journal.close?.()
  })

  it('a lock naming this very pid (a restarted container, where the app is PID 1 again) with no journal open here is taken over', async () => {
    const path = await tempFile()
    await writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname() }))
    const journal = await createFileJournal(path)
    await journal.close?.()
  })

  it('is taken before the file is read: a refused open has read nothing', async () => {
    const path = await tempFile()
    const first = await createFileJournal(path)
    let reads = 0
    hooks.afterRead = async (file) => void (file === path && reads++)
    await expect(createFileJournal(path)).rejects.toThrow(/open in another journal/)
    expect(reads).toBe(0)
    await first.close?.()
  })

  it('close() called twice: both resolve once the lock is released', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path)
    await journal.append(intent('p1'))
    const first = journal.close?.()
    await journal.close?.()
    expect(existsSync(`${path}.lock`)).toBe(false)
    await first
  })

  it('an empty lock (a crash as it was written) is taken over; a lock taken over since is not released by the old holder', async () => {
    const path = await tempFile()
    await writeFile(`${path}.lock`, '')
    const journal = await createFileJournal(path)
    // Someone removed the lock by hand and another journal took the file meanwhile.
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 1, host: 'other-till' }))
    await journal.close?.()
    expect(readFileSync(`${path}.lock`, 'utf8')).toContain('other-till')
  })

  it('two journals taking over the same stale lock at once: only one opens', async () => {
    const path = await tempFile()
    const lockFile = `${path}.lock`
    await writeFile(lockFile, JSON.stringify({ pid: 4_194_305, host: hostname() }))
    // Both read the stale lock before either takes it over (two processes starting together).
    let reads = 0
    const bothRead = gate()
    hooks.afterRead = async (file) => {
      if (file !== lockFile) return
      if (++reads === 2) bothRead.open()
      await bothRead.promise
    }
    // The other process: another copy of the module, with its own record of the files it holds.
    const other = await anotherProcess()
    const settled = await Promise.allSettled([
      createFileJournal(path),
      other.createFileJournal(path),
    ])
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected'])
    const won = settled.find((s) => s.status === 'fulfilled')!.value
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid })
    expect(existsSync(`${lockFile}.takeover`)).toBe(false)
    await won.close?.()
  })

  it('a stale lock is not taken over while another process is taking it over', async () => {
    const path = await tempFile()
    const lockFile = `${path}.lock`
    await writeFile(lockFile, JSON.stringify({ pid: 4_194_305, host: hostname() }))
    await writeFile(`${lockFile}.takeover`, '4194306')
    await expect(createFileJournal(path)).rejects.toThrow(/is open in another journal/)
    // A guard left by a process that died taking over (older than 10 s) is cleared.
    const old = new Date(Date.now() - 60_000)
    await utimes(`${lockFile}.takeover`, old, old)
    const journal = await createFileJournal(path)
    expect(existsSync(`${lockFile}.takeover`)).toBe(false)
    await journal.close?.()
  })

  it('a takeover guard that cannot be written fails the open as it is, and leaves the stale lock', async () => {
    const path = await tempFile()
    const lockFile = `${path}.lock`
    const stale = JSON.stringify({ pid: 4_194_305, host: hostname() })
    await writeFile(lockFile, stale)
    hooks.failWrite = { suffix: '.takeover', code: 'EACCES' }
    await expect(createFileJournal(path)).rejects.toMatchObject({ code: 'EACCES' })
    expect(readFileSync(lockFile, 'utf8')).toBe(stale)
  })

  // Before, the second read the first's fresh lock as one this pid left behind and took it over.
  it('two opens of one journal file started together in one process: only one opens', async () => {
    const path = await tempFile()
    const settled = await Promise.allSettled([createFileJournal(path), createFileJournal(path)])
    for (const s of settled) if (s.status === 'fulfilled') await s.value.close?.()
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected'])
  })

  it('an intent acknowledged by one journal survives whatever a second open of the same file does', async () => {
    const path = await tempFile()
    const opened = await Promise.allSettled([
      createFileJournal(path),
      createFileJournal(path, { compactAfter: 2 }),
    ])
    const [a, b] = opened.map((s) => (s.status === 'fulfilled' ? s.value : undefined))
    await a?.append(intent('P-A'))
    // Were the second open, its own records reaching its compaction threshold would rewrite the file.
    await b?.append(intent('P-B1'))
    await b?.append(intent('P-B2'))
    await a?.close?.()
    await b?.close?.()
    const reopened = await createFileJournal(path)
    const ids = (await reopened.unfinished()).map((e) => e.paymentId)
    await reopened.close?.()
    expect(ids).toContain('P-A')
  })
})

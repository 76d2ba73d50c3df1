/**
 * The file journal's lock (`<path>.lock`): released whatever stops an open, taken over when its
 * holder is gone, released once by any number of close() calls, and won by one of two processes
 * taking over the same stale lock.
 */
import { hostname } from 'node:os'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFileJournal } from '../src/node.js'
import { intentRecord as intent, tempJournals } from './harness.js'

/** Hooks into the journal's file system calls. */
const hooks: {
  failOpenAppend: boolean
  afterRead?: (path: string) => Promise<void>
  beforeUnlink?: (path: string) => Promise<void>
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
    readFile: (async (...args: Parameters<typeof real.readFile>) => {
      const result = await real.readFile(...args)
      await hooks.afterRead?.(String(args[0]))
      return result
    }) as typeof real.readFile,
    unlink: async (path: Parameters<typeof real.unlink>[0]) => {
      await hooks.beforeUnlink?.(String(path))
      return real.unlink(path)
    },
  }
})

afterEach(() => {
  hooks.failOpenAppend = false
  hooks.afterRead = undefined
  hooks.beforeUnlink = undefined
})

const tempFile = tempJournals('tillkit-review-day-')

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
    // Both read the stale lock before either removes it (two processes starting together) ...
    let reads = 0
    const bothRead = gate()
    hooks.afterRead = async (file) => {
      if (file !== lockFile) return
      if (++reads === 2) bothRead.open()
      await bothRead.promise
    }
    // ... and the second removes the lock after the first has written its own.
    let unlinks = 0
    const firstWrote = gate()
    hooks.beforeUnlink = async (file) => {
      if (file !== lockFile) return
      if (++unlinks === 2) await firstWrote.promise
    }
    const a = createFileJournal(path)
    const b = createFileJournal(path)
    const watch = (async () => {
      for (let i = 0; i < 20_000 && unlinks < 2; i++) await new Promise((r) => setImmediate(r))
      // The first's lock (this pid, not the stale one) is on disk.
      for (let i = 0; i < 20_000; i++) {
        const text = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : ''
        if (text.includes(`"pid":${process.pid}`)) break
        await new Promise((r) => setImmediate(r))
      }
      firstWrote.open()
    })()
    const settled = await Promise.allSettled([a, b])
    await watch
    for (const s of settled) if (s.status === 'fulfilled') await s.value.close?.()
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected'])
  })
})

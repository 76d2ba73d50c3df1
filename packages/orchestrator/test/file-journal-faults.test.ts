import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JournalRecord } from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { intentRecord as intent, tempJournals } from './harness.js'

/** Faults for the file journal's handle: the next append writes half its data and fails; truncate fails. */
const fault = { halfWrite: false, truncate: false }

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args)
      const appendFile = handle.appendFile.bind(handle)
      const truncate = handle.truncate.bind(handle)
      handle.appendFile = (async (data: string, options?: never) => {
        if (!fault.halfWrite) return appendFile(data, options)
        fault.halfWrite = false
        await appendFile(data.slice(0, Math.floor(data.length / 2)))
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      }) as typeof handle.appendFile
      handle.truncate = (async (length?: number) => {
        if (fault.truncate) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })
        return truncate(length)
      }) as typeof handle.truncate
      return handle
    },
  }
})

afterEach(() => {
  fault.halfWrite = false
  fault.truncate = false
})

const tempFile = tempJournals('tillkit-file-faults-')

const cursor = (paymentId: string): JournalRecord => ({
  type: 'cursor',
  paymentId,
  at: 3,
  cursor: { delivered: 1, order: 0, keys: [] },
})

describe('file journal: a write that fails half-way', () => {
  it('is cut off, so the records acknowledged after it stay readable', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path)
    await journal.append(intent('p1'))
    fault.halfWrite = true
    await expect(journal.append(cursor('p1'))).rejects.toThrow(/ENOSPC/)
    // Space is back: the next records are acknowledged.
    await journal.append(intent('p2'))
    await journal.append(cursor('p2'))
    await journal.close?.()

    const reopened = await createFileJournal(path)
    expect(reopened.repaired).toBe(false)
    const entries = await reopened.unfinished()
    expect(entries.map((e) => [e.paymentId, e.cursor.delivered])).toEqual([
      ['p1', 0],
      ['p2', 1],
    ])
    await reopened.close?.()
  })

  it('that cannot be cut off refuses every later write: none lands on a half line', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path)
    await journal.append(intent('p1'))
    fault.halfWrite = true
    fault.truncate = true
    await expect(journal.append(cursor('p1'))).rejects.toThrow(/ENOSPC/)
    fault.truncate = false
    await expect(journal.append(intent('p2'))).rejects.toMatchObject({
      message: expect.stringMatching(/could not be cut off; reopen the journal/),
      cause: expect.objectContaining({ code: 'EIO' }),
    })
    await journal.close?.()

    // Reopened, the half line is a torn end: cut off, and what was acknowledged is all there.
    const reopened = await createFileJournal(path)
    expect(reopened.repaired).toBe(true)
    expect((await reopened.unfinished()).map((e) => e.paymentId)).toEqual(['p1'])
    await reopened.close?.()
  })
})

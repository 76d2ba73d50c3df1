/**
 * The file journal's own promises: a crash's torn end is cut off (whatever it looks like), one
 * journal per file, and compaction keeping the latest finished payments.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { createFileJournal } from '../src/node.js'
import { intentRecord as intent, outcomeRecord as outcome, tempJournals } from './harness.js'

const tempFile = tempJournals('tillkit-file-journal-')

describe('file journal: a torn end', () => {
  it('whose tail block reached the disk (zeros, then the end of the line) is cut off', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path)
    await journal.append(intent('p1'))
    await journal.close?.()
    // A crash mid-write: the file grew by the whole record, but only its last bytes (and newline)
    // were written; the head reads back as zeros. The record was never acknowledged.
    const line = JSON.stringify(intent('p2')) + '\n'
    await appendFile(
      path,
      Buffer.concat([Buffer.alloc(line.length - 20), Buffer.from(line.slice(-20))]),
    )
    const reopened = await createFileJournal(path)
    expect(reopened.repaired).toBe(true)
    expect((await reopened.unfinished()).map((e) => e.paymentId)).toEqual(['p1'])
    // Cut off for good: the next record starts on a whole line.
    await reopened.append(intent('p3'))
    await reopened.close?.()
    expect(
      (await readFile(path, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).paymentId),
    ).toEqual(['p1', 'p3'])
  })

  it('of several damaged lines, and a complete last line without its newline, is cut off', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path)
    await journal.append(intent('p1'))
    await journal.close?.()
    await appendFile(path, '\0\0\0\n{"type":"cur\n' + JSON.stringify(intent('p2')))
    const reopened = await createFileJournal(path)
    expect(reopened.repaired).toBe(true)
    expect((await reopened.unfinished()).map((e) => e.paymentId)).toEqual(['p1'])
    await reopened.close?.()
  })

  it('but damage with a good record after it is refused, naming the line', async () => {
    const path = await tempFile()
    await writeFile(
      path,
      [JSON.stringify(intent('p1')), '{"type":"cur', JSON.stringify(intent('p2')), ''].join('\n'),
    )
    await expect(createFileJournal(path)).rejects.toThrow(/line 2 is not JSON; the file is damaged/)
  })
})

describe('file journal: one per file', () => {
  it('a second journal on an open file is refused; once the first is closed it opens', async () => {
    const path = await tempFile()
    const first = await createFileJournal(path, { compactAfter: 4 })
    await expect(createFileJournal(path)).rejects.toThrow(/is open in another journal/)
    // Compaction (which replaces the file) goes on under the one journal.
    for (let i = 0; i < 5; i++) await first.append(intent(`p${i}`))
    await first.close?.()
    const second = await createFileJournal(path)
    expect(await second.unfinished()).toHaveLength(5)
    await second.close?.()
  })

  it("a lock left by a process of this host that is gone (a crash) is taken over; another host's is not", async () => {
    const path = await tempFile()
    const { hostname } = await import('node:os')
    // A pid no process has: the largest Linux allows is 4 194 304.
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 4_194_305, host: hostname() }))
    const journal = await createFileJournal(path)
    await journal.append(intent('p1'))
    await journal.close?.()
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 4_194_305, host: 'other-till' }))
    await expect(createFileJournal(path)).rejects.toThrow(/other-till.*remove .*\.lock/)
  })
})

describe('file journal: compaction', () => {
  it('keeps the latest finished outcomes through compaction: a long payment that finished last is not the first dropped', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path, { compactAfter: 6, keepFinished: 2 })
    // `long` starts first and finishes last; `short` starts and finishes in between.
    await journal.append(intent('long'))
    await journal.append(intent('short'))
    await journal.append(outcome('short'))
    await journal.append(outcome('long'))
    // Two more intents bring the file to 6 records: it is compacted.
    await journal.append(intent('third'))
    await journal.append(intent('fourth'))
    await journal.close?.()
    const reopened = await createFileJournal(path, { compactAfter: 6, keepFinished: 2 })
    await reopened.append(outcome('third'))
    // The two latest finished are `long` and `third`; `short` finished before both.
    const kept = {
      long: (await reopened.get('long'))?.outcome?.status,
      short: (await reopened.get('short'))?.outcome?.status,
    }
    await reopened.close?.()
    expect(kept).toEqual({ long: 'approved', short: undefined })
  })
})

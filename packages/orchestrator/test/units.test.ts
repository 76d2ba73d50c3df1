import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createManualClock, type Clock } from '@tillkit/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProviderNotification } from '../src/adapter.js'
import { Deduper, MAX_KEYS } from '../src/dedup.js'
import { JOURNALED_KEYS } from '../src/seqs.js'
import { EMPTY_CURSOR, type JournalRecord } from '../src/journal.js'
import { createFileJournal } from '../src/journals/file.js'
import { createMemoryJournal } from '../src/journals/memory.js'
import { HOLD_CAP_MS, Lane, lanePhase, Timers, type Hold } from '../src/scheduler.js'
import type { PaymentRequest } from '../src/types.js'
import { intentRecord as intent, outcomeRecord as outcome } from './harness.js'

const at = (order: number): ProviderNotification => ({ type: 'other', raw: `n${order}`, order })
const keyed = (key: string): ProviderNotification => ({ type: 'other', raw: key, key })

describe('Deduper', () => {
  it('delivers each position of a growing list once, in order, even from a shuffled batch', () => {
    const d = new Deduper(EMPTY_CURSOR)
    expect(d.fresh([at(0), at(1)]).map((n) => n.order)).toEqual([0, 1])
    expect(d.fresh([at(0), at(1), at(2)]).map((n) => n.order)).toEqual([2])
    expect(d.fresh([at(4), at(3), at(2)]).map((n) => n.order)).toEqual([3, 4])
    expect(d.fresh([at(1)])).toEqual([])
  })

  it('drops repeated keys, keeps at most MAX_KEYS, journals the latest few taken', () => {
    const d = new Deduper(EMPTY_CURSOR)
    expect(d.fresh([keyed('a'), keyed('a'), keyed('b')]).map((n) => n.key)).toEqual(['a', 'b'])
    for (let i = 0; i < MAX_KEYS + 10; i++)
      for (const n of d.fresh([keyed(`k${i}`)])) d.took(d.delivering(n))
    // The oldest keys were forgotten: memory stays bounded.
    expect(d.fresh([keyed('a')])).toHaveLength(1)
    expect(d.fresh([keyed(`k${MAX_KEYS + 9}`)])).toHaveLength(0)
    const { keys } = d.cursor()
    expect(keys).toHaveLength(JOURNALED_KEYS)
    expect(keys.at(-1)).toBe(`k${MAX_KEYS + 9}`)
  })

  it('resumes from a cursor: nothing up to it again, seq continues', () => {
    const d = new Deduper({ delivered: 5, order: 4, keys: ['x'], lastEvent: 'n4' })
    // Mixed batches are taken as they come: 3 and 4 were delivered, `x` is a known key.
    const batch = [at(3), at(4), at(5), keyed('x'), keyed('y')]
    const fresh = d.fresh(batch)
    expect(fresh.map((n) => n.raw)).toEqual(['n5', 'y'])
    expect(fresh.map((n) => d.delivering(n))).toEqual([6, 7])
    // Handed over, not taken: the cursor stays; the last event seen moves, and what was handed
    // out is named (the highest seq, and each event by position or key).
    const handedOut = {
      issued: 7,
      pending: [
        [6, '#5'],
        [7, 'y'],
      ],
    }
    expect(d.cursor()).toEqual({
      delivered: 5,
      order: 4,
      keys: ['x'],
      lastEvent: 'y',
      ...handedOut,
    })
    d.took(6)
    expect(d.cursor()).toEqual({
      delivered: 6,
      order: 5,
      keys: ['x'],
      lastEvent: 'y',
      issued: 7,
      pending: [[7, 'y']],
    })
    d.took(7)
    expect(d.cursor()).toEqual({ delivered: 7, order: 5, keys: ['x', 'y'], lastEvent: 'y' })
  })

  it('after a crash, an event handed out before keeps its seq, and a new one never reuses one', () => {
    // The earlier process handed out 6 (position 5) and 7 (key y); the POS may have taken them.
    const d = new Deduper({
      delivered: 5,
      order: 4,
      keys: [],
      issued: 7,
      pending: [
        [6, '#5'],
        [7, 'y'],
      ],
    })
    // The provider shows position 5 again, not y (a push it does not repeat), then something new.
    const fresh = d.fresh([at(5), at(6), keyed('z')])
    expect(fresh.map((n) => d.delivering(n))).toEqual([6, 8, 9])
    // y's seq stays reserved in the journal until the POS has taken past it.
    expect(d.cursor()).toMatchObject({
      delivered: 5,
      issued: 9,
      pending: [
        [7, 'y'],
        [6, '#5'],
        [8, '#6'],
        [9, 'z'],
      ],
    })
    d.took(6)
    d.took(8)
    d.took(9)
    expect(d.cursor()).toMatchObject({ delivered: 9, order: 6, pending: [[7, 'y']] })
    expect(d.cursor().issued).toBeUndefined()
  })

  it('notifications with neither order nor key are delivered as they come', () => {
    const d = new Deduper(EMPTY_CURSOR)
    const plain: ProviderNotification = { type: 'other', raw: 'p' }
    expect(d.fresh([plain, plain])).toHaveLength(2)
  })
})

describe('Timers', () => {
  it('runs callbacks in deadline order (ties in call order) on a single clock timer', async () => {
    const clock = createManualClock()
    const timers = new Timers(clock)
    const ran: string[] = []
    const now = clock.now()
    timers.at(now + 300, () => ran.push('c'))
    timers.at(now + 100, () => ran.push('a'))
    const cancel = timers.at(now + 200, () => ran.push('x'))
    timers.at(now + 100, () => ran.push('b'))
    expect(clock.pending).toBe(1)
    cancel()
    await clock.advance(1_000)
    expect(ran).toEqual(['a', 'b', 'c'])
    expect(clock.pending).toBe(0)
  })

  it('a throwing callback does not stop the others; close() disarms', async () => {
    const clock = createManualClock()
    const timers = new Timers(clock)
    const ran: number[] = []
    timers.at(clock.now() + 10, () => {
      throw new Error('boom')
    })
    timers.at(clock.now() + 10, () => ran.push(1))
    timers.at(clock.now() + 50, () => ran.push(2))
    await clock.advance(20)
    timers.close()
    timers.at(clock.now() + 1, () => ran.push(3))
    await clock.advance(100)
    expect(ran).toEqual([1])
    expect(clock.pending).toBe(0)
  })
})

describe('Lane', () => {
  it('spaces sends, puts urgent tasks first, honours a pause', async () => {
    const clock = createManualClock()
    const lane = new Lane(new Timers(clock), 100)
    const t0 = clock.now()
    const sent: Array<[string, number]> = []
    const task = (name: string) => ({
      dueAt: clock.now(),
      run: (at: number) => sent.push([name, at - t0]),
    })
    lane.submit(task('p1'))
    lane.submit(task('p2'))
    lane.submit(task('p3'))
    lane.submit(task('u1'), true)
    expect(lane.queued).toBe(3)
    await clock.advance(250)
    lane.pause(1_000)
    lane.submit(task('p4'))
    await clock.advance(2_000)
    expect(sent).toEqual([
      ['p1', 0],
      ['u1', 100],
      ['p2', 200],
      ['p3', 1_250],
      ['p4', 1_350],
    ])
  })

  it('close() drops what is queued, and what comes after, and sends none of it', async () => {
    const clock = createManualClock()
    const lane = new Lane(new Timers(clock), 100)
    const sent: string[] = []
    const dropped: string[] = []
    const task = (name: string) => ({
      dueAt: clock.now(),
      run: () => void sent.push(name),
      dropped: () => void dropped.push(name),
    })
    lane.submit(task('first'))
    lane.submit(task('queued'))
    const withdrawn = { ...task('withdrawn'), cancelled: true }
    lane.submit(withdrawn)
    lane.submit(task('urgent'), true)
    lane.close()
    lane.submit(task('late'))
    await clock.advance(1_000)
    expect(sent).toEqual(['first'])
    expect(dropped).toEqual(['urgent', 'queued', 'late'])
    expect(lane.queued).toBe(0)
  })

  it('on a spaced lane, spaces the next request from the previous answer', async () => {
    const clock = createManualClock()
    const lane = new Lane(new Timers(clock), 100)
    const t0 = clock.now()
    const sent: Array<[string, number]> = []
    const answered = (name: string, afterMs: number, fails = false) => ({
      dueAt: 0,
      run: (at: number, hold: Hold) => {
        sent.push([name, at - t0])
        hold(
          clock.sleep(afterMs).then(() => {
            if (fails) throw new Error('refused')
          }),
        )
      },
    })
    lane.submit(answered('slow', 30))
    lane.submit(answered('failing', 10, true))
    lane.submit({ dueAt: 0, run: (at: number) => sent.push(['urgent', at - t0]) }, true)
    lane.submit({ dueAt: 0, run: (at: number) => sent.push(['plain', at - t0]) })
    await clock.advance(1_000)
    // 'slow' answers at 30, 'failing' is refused at 140: each next request goes 100 ms after the
    // answer; 'urgent' holds on nothing, so 'plain' is spaced from its send.
    expect(sent).toEqual([
      ['slow', 0],
      ['urgent', 130],
      ['failing', 230],
      ['plain', 340],
    ])
  })

  it('counts the gap from the answer, not from the end of the work done with it', async () => {
    // A clock that stands still except when the test moves it, as the CPU moves real time.
    let now = 0
    const armed: Array<{ at: number; callback: () => void }> = []
    const clock: Clock = {
      now: () => now,
      schedule: (ms, callback) => {
        const timer = { at: now + ms, callback }
        armed.push(timer)
        return () => {
          const i = armed.indexOf(timer)
          if (i >= 0) armed.splice(i, 1)
        }
      },
      sleep: () => new Promise(() => {}),
    }
    const fireNext = () => {
      armed.sort((a, b) => a.at - b.at)
      const timer = armed.shift()!
      now = Math.max(now, timer.at)
      timer.callback()
    }
    const lane = new Lane(new Timers(clock), 100)
    const sent: number[] = []
    let answer!: () => void
    lane.submit({
      dueAt: 0,
      run: (at: number, hold: Hold) => {
        sent.push(at)
        const answered = new Promise<void>((resolve) => (answer = resolve))
        hold(answered)
        // Acting on the answer takes 40 ms.
        void answered.then(() => (now += 40))
      },
    })
    lane.submit({ dueAt: 0, run: (at: number) => void sent.push(at) })
    now = 10
    answer()
    await Promise.resolve()
    await Promise.resolve()
    expect(now).toBe(50)
    fireNext()
    // Answered at 10: the next request goes at 110, though the work on the answer ended at 50.
    expect(sent).toEqual([0, 110])
  })

  it(`an answer that never comes holds the lane for ${HOLD_CAP_MS} ms, not longer`, async () => {
    const clock = createManualClock()
    const lane = new Lane(new Timers(clock), 100)
    const t0 = clock.now()
    const sent: number[] = []
    lane.submit({
      dueAt: 0,
      run: (at: number, hold: Hold) => (sent.push(at - t0), hold(new Promise(() => {}))),
    })
    lane.submit({ dueAt: 0, run: (at: number) => void sent.push(at - t0) })
    await clock.advance(1_000)
    expect(sent).toEqual([0, HOLD_CAP_MS + 100])
  })

  it('an unspaced lane sends without waiting for answers', async () => {
    const clock = createManualClock()
    const lane = new Lane(new Timers(clock), 0)
    const t0 = clock.now()
    const sent: number[] = []
    for (let i = 0; i < 3; i++)
      lane.submit({
        dueAt: 0,
        run: (at: number, hold: Hold) => (sent.push(at - t0), hold(new Promise(() => {}))),
      })
    expect(sent).toEqual([0, 0, 0])
  })

  it('lanes made together start at spread phases, so their requests do not leave at once', async () => {
    const phases = Array.from({ length: 100 }, (_, n) => lanePhase(n, 100))
    expect(phases[0]).toBe(0)
    expect(phases.every((p) => p >= 0 && p < 100)).toBe(true)
    // A hundred lanes over 100 ms: no millisecond holds more than two first requests.
    const perMs = new Map<number, number>()
    for (const p of phases) perMs.set(p, (perMs.get(p) ?? 0) + 1)
    expect(Math.max(...perMs.values())).toBeLessThanOrEqual(2)
    const clock = createManualClock()
    const t0 = clock.now()
    const timers = new Timers(clock)
    const sent: number[] = []
    for (const phase of [0, 61, 23]) {
      const lane = new Lane(timers, 100, phase)
      lane.submit({ dueAt: t0, run: (at: number) => void sent.push(at - t0) })
      lane.submit({ dueAt: t0, run: (at: number) => void sent.push(at - t0) })
    }
    await clock.advance(500)
    expect(sent.sort((a, b) => a - b)).toEqual([0, 23, 61, 100, 123, 161])
  })

  it('skips cancelled tasks', async () => {
    const clock = createManualClock()
    const lane = new Lane(new Timers(clock), 100)
    const sent: string[] = []
    lane.submit({ dueAt: 0, run: () => sent.push('a') })
    const b = { dueAt: 0, run: () => sent.push('b'), cancelled: false }
    lane.submit(b)
    lane.submit({ dueAt: 0, run: () => sent.push('c') })
    b.cancelled = true
    await clock.advance(500)
    expect(sent).toEqual(['a', 'c'])
  })
})

describe('journals', () => {
  const dirs: string[] = []
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })
  const file = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tillkit-units-'))
    dirs.push(dir)
    return join(dir, 'j.jsonl')
  }

  it('memory: copies records, forgets the oldest finished entries past its bound', async () => {
    const journal = createMemoryJournal({ keepFinished: 2 })
    const record = intent('p1')
    await journal.append(record)
    ;(record as { request: PaymentRequest }).request.amount = 999
    expect((await journal.get('p1'))!.request.amount).toBe(100)
    for (const id of ['p1', 'p2', 'p3']) {
      if (id !== 'p1') await journal.append(intent(id))
      await journal.append(outcome(id))
    }
    expect(await journal.get('p1')).toBeUndefined()
    expect((await journal.get('p3'))!.outcome!.status).toBe('approved')
    expect(await journal.unfinished()).toEqual([])
    // The outcome is copied too, and nothing after it changes the finished entry.
    await journal.append(intent('p4'))
    const last = outcome('p4')
    await journal.append(last)
    ;(last as { outcome: { status: string } }).outcome.status = 'declined'
    await journal.append({ type: 'ids', paymentId: 'p4', at: 3, ids: { x: '1' }, started: true })
    await journal.append(intent('p4'))
    expect(await journal.unfinished()).toEqual([])
    const p4 = (await journal.get('p4'))!
    expect(p4.outcome!.status).toBe('approved')
    expect(p4.ids).toEqual({})
    p4.outcome!.status = 'failed'
    expect((await journal.get('p4'))!.outcome!.status).toBe('approved')
  })

  it('file: appends JSON lines, reads them back, writes concurrent appends in one batch', async () => {
    const path = await file()
    const journal = await createFileJournal(path)
    await Promise.all([intent('a'), intent('b'), intent('c')].map((r) => journal.append(r)))
    await journal.append(outcome('b'))
    expect(journal.records).toBe(4)
    await journal.close?.()
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean)
    expect(lines.map((l) => (JSON.parse(l) as JournalRecord).paymentId)).toEqual([
      'a',
      'b',
      'c',
      'b',
    ])
    const again = await createFileJournal(path)
    expect(again.repaired).toBe(false)
    expect((await again.unfinished()).map((e) => e.paymentId)).toEqual(['a', 'c'])
    await again.close?.()
    await expect(again.append(intent('d'))).rejects.toThrow(/closed/)
  })

  it('file: a torn last line is cut off; damage before the end is refused', async () => {
    const path = await file()
    await writeFile(path, `${JSON.stringify(intent('a'))}\n{"type":"intent","paym`)
    const journal = await createFileJournal(path)
    expect(journal.repaired).toBe(true)
    await journal.append(intent('b'))
    await journal.close?.()
    const reopened = await createFileJournal(path)
    expect((await reopened.unfinished()).map((e) => e.paymentId)).toEqual(['a', 'b'])
    await reopened.close?.()
    await writeFile(path, `not json\n${JSON.stringify(intent('a'))}\n`)
    await expect(createFileJournal(path)).rejects.toThrow(/line 1 is not JSON/)
  })

  it('file: compaction keeps what unfinished payments need and the finished ones kept for get, and stays readable', async () => {
    const path = await file()
    const journal = await createFileJournal(path, { compactAfter: 10, keepFinished: 2 })
    for (let i = 0; i < 6; i++) {
      await journal.append(intent(`p${i}`))
      if (i !== 3) await journal.append(outcome(`p${i}`))
    }
    await journal.append({
      type: 'cursor',
      paymentId: 'p3',
      at: 5,
      cursor: { delivered: 2, order: 1, keys: [], lastEvent: 'X' },
    })
    await journal.append({ type: 'ids', paymentId: 'p3', at: 6, ids: { id: '9' }, started: true })
    expect(journal.records).toBeLessThan(10)
    await journal.close?.()
    const reopened = await createFileJournal(path)
    const [entry, ...rest] = await reopened.unfinished()
    expect(rest).toEqual([])
    expect(entry).toMatchObject({
      paymentId: 'p3',
      ids: { id: '9' },
      started: true,
      cursor: { delivered: 2, lastEvent: 'X' },
    })
    // The two latest finished payments keep their outcome; older ones are gone.
    expect((await reopened.get('p5'))?.outcome).toBeDefined()
    expect((await reopened.get('p4'))?.outcome).toBeDefined()
    expect(await reopened.get('p0')).toBeUndefined()
    await reopened.close?.()
  })
})

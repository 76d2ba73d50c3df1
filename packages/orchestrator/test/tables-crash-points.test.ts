/**
 * Crash recovery of pay at table, point by point (the table counterpart of crash-points.test.ts).
 * Pay at table is Connect REST's (`/pat`); the WebSocket adapter and the other providers have none.
 *
 * For each flow (a bill paid by one card then closed by the POS, a bill paid in parts, a table a
 * terminal locks while it pays, one it locks and releases and that stays open, one the POS closes
 * before any payment; and a POS closing while the paying terminal still holds the lock, which must
 * wait for the release), a reference run counts the table records K the flow writes. Then, for
 * each k in 1..K, process A dies at its k-th record, either right after it is durable or just
 * before the next one is (see Moment). A dead process sends nothing more, reads no answers, writes
 * nothing, and its POS takes nothing more from the stream. The terminal goes on with the flow's
 * script on the same clock. Process B recovers from exactly the records A left, over the same fake
 * and clock, at once or after a few seconds down (DOWNTIMES), and its POS carries on (it still
 * wants the bill closed once paid, knowing what it was told before). Then, from the fake and the
 * events: every card payment at the table reached the acquirer once and reached the POS at least
 * once; the table is closed at the provider exactly when the reference closed it; B's events only
 * go on past the journaled cursor and never give a seq the POS saw to another event; the `closed`
 * event comes once the table ends; the table is listed by `tables()` while open, with the right
 * amounts and lock, and gone from the journal once it ended and the POS took its events.
 */
import type { ManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  TableError,
  type JournalStore,
  type Orchestrator,
  type Table,
  type TableEvent,
  type TableJournalEntry,
  type TableJournalRecord,
} from '../src/index.js'
import { flush, setup, TID } from './harness.js'
import { bill, TABLE } from './tables-harness.js'
import { dyingAppend, fetchLine, never, type CrashCase, type Moment } from './crash-harness.js'

/** A's journal: a memory journal that dies at table record `k` (see Moment). */
function crashingJournal(k: number, moment: Moment, crash: () => void) {
  const memory = createMemoryJournal()
  const {
    append: appendTable,
    records,
    dead,
  } = dyingAppend<TableJournalRecord>(k, moment, crash, (r) => memory.appendTable!(r))
  const journal: JournalStore = {
    ...memory,
    append: async (record) => (dead() ? never() : memory.append(record)),
    appendTable,
  }
  return { journal, records }
}

// ---- flows ----------------------------------------------------------------------------------

/** What a terminal does at the table, at a time counted from the POS opening the bill. */
type Step =
  | { at: number; do: 'pay'; amount: number; gratuity?: number }
  | { at: number; do: 'lock' }
  | { at: number; do: 'unlock' }

interface Flow {
  name: string
  amount: number
  /**
   * When the POS closes the bill: at once, when told it is paid (and, if so, once told the terminal
   * released it), or never (it stays open).
   */
  closes: 'at once' | 'when paid' | 'when paid and released' | 'never'
  script: Step[]
  /** The events of the reference run. */
  types: TableEvent['type'][]
}

const FLOWS: Flow[] = [
  {
    name: 'paid in full by one card, then closed by the POS',
    amount: 5_000,
    closes: 'when paid',
    script: [{ at: 6_000, do: 'pay', amount: 5_000, gratuity: 250 }],
    types: ['tablePayment', 'paid', 'closed'],
  },
  {
    name: 'paid in three parts (two between reads), then closed by the POS',
    amount: 5_000,
    closes: 'when paid',
    script: [
      { at: 6_000, do: 'pay', amount: 2_000 },
      { at: 16_000, do: 'pay', amount: 1_500, gratuity: 100 },
      { at: 17_000, do: 'pay', amount: 1_500 },
    ],
    types: ['tablePayment', 'tablePayment', 'tablePayment', 'paid', 'closed'],
  },
  {
    // Closing while the terminal holds the lock would be refused: the POS waits for the release.
    name: 'locked by a terminal that pays it, released, then closed by the POS',
    amount: 3_000,
    closes: 'when paid and released',
    script: [
      { at: 6_000, do: 'lock' },
      { at: 8_000, do: 'pay', amount: 3_000 },
      { at: 13_000, do: 'unlock' },
    ],
    types: ['locked', 'tablePayment', 'paid', 'unlocked', 'closed'],
  },
  {
    // README: while a terminal holds the lock a write waits (up to 30 s) for the release.
    name: 'paid by the terminal holding the lock, closed by the POS at once: the close waits for the release',
    amount: 3_000,
    closes: 'when paid',
    script: [
      { at: 6_000, do: 'lock' },
      { at: 8_000, do: 'pay', amount: 3_000 },
      { at: 13_000, do: 'unlock' },
    ],
    types: ['locked', 'tablePayment', 'paid', 'unlocked', 'closed'],
  },
  {
    name: 'locked, paid in part, released and locked again: stays open',
    amount: 5_000,
    closes: 'never',
    script: [
      { at: 6_000, do: 'lock' },
      { at: 7_000, do: 'pay', amount: 2_000 },
      { at: 12_000, do: 'unlock' },
      { at: 22_000, do: 'lock' },
    ],
    types: ['locked', 'tablePayment', 'unlocked', 'locked'],
  },
  {
    name: 'closed by the POS before any payment',
    amount: 5_000,
    closes: 'at once',
    script: [],
    types: ['closed'],
  },
]

/** Clock step while driving; the table cadence is 5 s and the account's spacing 0.1 s. */
const STEP_MS = 100
/** Where every flow is over (its last step at 22 s, then reads, closes and lock waits). */
const END_MS = 45_000
/**
 * How long the process is down before B recovers: at once (as crash-points.test.ts), and long
 * enough for the terminal to act while nobody watches (less than one table cadence).
 */
const DOWNTIMES = [0, 4_000]
/** B runs at least this long after recovering. */
const B_AT_LEAST_MS = 25_000

/** The terminal side of the flow: applies the script's steps as the clock reaches them. */
function terminalFor(rig: Rig, flow: Flow, t0: number) {
  let next = 0
  const refused: string[] = []
  return {
    refused,
    get applied() {
      return next
    },
    tick() {
      while (next < flow.script.length && rig.clock.now() - t0 >= flow.script[next]!.at) {
        const step = flow.script[next++]!
        try {
          if (step.do === 'pay')
            rig.cloud.tables.pay(TABLE, {
              tid: TID,
              amount: step.amount,
              ...(step.gratuity !== undefined && { amountGratuity: step.gratuity }),
            })
          else if (step.do === 'lock') rig.cloud.tables.lock(TABLE, TID)
          else rig.cloud.tables.unlock(TABLE)
        } catch (error) {
          refused.push(`${step.do} at ${step.at}: ${(error as Error).message}`)
        }
      }
    },
  }
}

interface Rig {
  clock: ManualClock
  cloud: ReturnType<typeof setup>['cloud']
  A: Orchestrator
  restart(journal: JournalStore): Orchestrator
  kill(): void
  /** True once a create reached the fake and it made the table. */
  created(): boolean
}

function makeRig(journal: JournalStore): Rig {
  let created = false
  const line = fetchLine(async (request) => {
    const response = await s.cloud.fetch(request)
    if (request.method === 'PUT' && new URL(request.url).pathname === '/pat/tables' && response.ok)
      created = true
    return response
  })
  const s = setup({ adapter: line.options, orchestrator: { journal } })
  return {
    clock: s.clock,
    cloud: s.cloud,
    A: s.orchestrator,
    restart: (j) => s.restart(j),
    kill: line.kill,
    created: () => created,
  }
}

/** Drives the clock (the terminal acting as it goes) until `done()` or the clock reaches `limit`. */
async function run(
  rig: Rig,
  terminal: { tick(): void },
  done: () => boolean,
  limit: number,
): Promise<void> {
  await flush()
  while (!done() && rig.clock.now() < limit) {
    terminal.tick()
    await rig.clock.advance(STEP_MS)
    await flush()
  }
}

// ---- the POS ----------------------------------------------------------------------------------

/** What the POS knows of its bill: told it is paid, told a terminal holds it. */
interface Told {
  paid: boolean
  locked: boolean
}

const wantsClosed = (flow: Flow, told: Told): boolean =>
  flow.closes === 'at once' ||
  (flow.closes === 'when paid' && told.paid) ||
  (flow.closes === 'when paid and released' && told.paid && !told.locked)

/**
 * The POS on one table: takes each event as it comes and, as the README's example does, awaits
 * `close()` in its loop once the flow wants the bill closed (`told` is what it knew before: a POS
 * keeps its bills). Once `dead()`, it takes nothing more: `list` is what the stream handed it.
 * Close failures are kept in `errors`.
 */
function pos(
  table: Table,
  flow: Flow,
  dead: () => boolean = () => false,
  told: Told = { paid: false, locked: false },
) {
  const list: TableEvent[] = []
  const errors: unknown[] = []
  let closing: Promise<unknown> | undefined
  const close = () => {
    closing = table.close().catch((error: unknown) => void errors.push(error))
    return closing
  }
  const iterator = table[Symbol.asyncIterator]()
  let ended = false
  const done = (async () => {
    for (;;) {
      if (dead()) return list
      const next = await iterator.next()
      if (next.done) {
        ended = true
        return list
      }
      const event = next.value
      list.push(event)
      if (event.type === 'paid') told.paid = true
      if (event.type === 'locked') told.locked = true
      if (event.type === 'unlocked') told.locked = false
      if (
        (event.type === 'paid' || event.type === 'unlocked') &&
        flow.closes !== 'at once' &&
        !closing &&
        wantsClosed(flow, told)
      )
        await close()
    }
  })()
  return {
    list,
    errors,
    done,
    told,
    close,
    get ended() {
      return ended
    },
    get closing() {
      return closing
    },
  }
}

// ---- comparing events ---------------------------------------------------------------------------

/** What makes an event the same event: type, provider payment id and amounts. */
function key(e: TableEvent): string {
  switch (e.type) {
    case 'tablePayment':
      return `tablePayment ${e.payment.paymentId} ${e.payment.amount}/${e.payment.gratuity}/${e.payment.cashback}`
    case 'paid':
      return `paid ${e.amount}/${e.amountPaid}`
    default:
      return e.type
  }
}
const describeEvent = (e: TableEvent) =>
  `${e.seq} ${key(e)}${e.type === 'closed' ? ` (${e.reason})` : ''}`
const describeAll = (list: readonly TableEvent[]) => list.map(describeEvent).join(', ') || 'none'
const paymentIds = (list: readonly TableEvent[]) =>
  list.flatMap((e) => (e.type === 'tablePayment' ? [e.payment.paymentId] : []))
const sorted = (list: readonly string[]) => [...list].sort()

// ---- runs ---------------------------------------------------------------------------------------

interface Reference {
  records: string[]
  events: TableEvent[]
  /** Table payments at the acquirer: amount/gratuity each. */
  ledger: string[]
  /** The table at the provider at the end, if it is still there. */
  final: { amountPaid: number; locked: boolean; payments: number } | undefined
}

const tablePayments = (rig: Rig) => rig.cloud.ledger.filter((e) => e.kind === 'table-payment')
const atProvider = (rig: Rig) => {
  const table = rig.cloud.tables.list().find((t) => t.tableName === TABLE)
  return (
    table && { amountPaid: table.amountPaid, locked: table.locked, payments: table.payments.length }
  )
}

/** A runs the flow to its end with nothing crashing. */
async function reference(flow: Flow): Promise<Reference> {
  const { journal, records } = crashingJournal(Infinity, 'right after', () => {})
  const rig = makeRig(journal)
  const t0 = rig.clock.now()
  const terminal = terminalFor(rig, flow, t0)
  let till: ReturnType<typeof pos> | undefined
  void rig.A.openTable(bill({ amount: flow.amount })).then((table) => {
    till = pos(table, flow)
    if (flow.closes === 'at once') void till.close()
  })
  await run(rig, terminal, () => false, t0 + END_MS)
  expect(terminal.refused).toEqual([])
  expect(till, 'the table never opened').toBeDefined()
  expect(till!.errors, "the POS's close() failed").toEqual([])
  if (flow.closes !== 'never') expect(till!.ended).toBe(true)
  const ref = {
    records: records.map((r) => r.type),
    events: [...till!.list],
    ledger: tablePayments(rig).map((e) => `${e.amount}/${e.amountGratuity} ${e.result}`),
    final: atProvider(rig),
  }
  await rig.A.close()
  return ref
}

async function crashAndRecover(
  flow: Flow,
  k: number,
  moment: Moment,
  ref: Reference,
  downMs: number,
): Promise<void> {
  // ---- A: runs the flow until it dies at its k-th table record ----
  let dead = false
  let deathAt = 0
  let rig!: Rig
  const { journal, records } = crashingJournal(k, moment, () => {
    dead = true
    deathAt = rig.clock.now()
    rig.kill()
  })
  rig = makeRig(journal)
  const { clock } = rig
  const t0 = clock.now()
  const terminal = terminalFor(rig, flow, t0)
  let aPos: ReturnType<typeof pos> | undefined
  // With k = 1 right after, the tableOpen record never comes back: openTable never resolves.
  void rig.A.openTable(bill({ amount: flow.amount })).then(
    (table) => {
      if (dead) return
      aPos = pos(table, flow, () => dead)
      if (flow.closes === 'at once') void aPos.close()
    },
    () => {},
  )
  await run(rig, terminal, () => dead, t0 + END_MS)
  expect(dead, 'A never reached the record it is to die at').toBe(true)
  // Same code path as the reference up to the crash.
  expect(records.map((r) => r.type)).toEqual(ref.records.slice(0, k))
  const tableId = records[0]!.tableId
  await flush()
  // What A's POS was handed before its process died: seqs 1, 2, 3...
  const taken = [...(aPos?.list ?? [])]
  expect(taken.map((e) => e.seq)).toEqual(taken.map((_, i) => i + 1))

  // ---- B: a new process over the k records, same cloud and clock ----
  const survived = createMemoryJournal()
  for (const record of records) await survived.appendTable!(structuredClone(record))
  const entries = await survived.openTables!()
  expect(entries.length).toBeLessThanOrEqual(1)
  const entry: TableJournalEntry | undefined = entries[0]
  const journaled = entry?.cursor.delivered ?? taken.length
  // The journal never says the POS took more than its stream handed it.
  expect(journaled).toBeLessThanOrEqual(taken.length)
  // The process is down a while; the terminal goes on.
  await run(rig, terminal, () => false, clock.now() + downMs)
  const B = rig.restart(survived)
  // A's close may have gone through before it died: B then finds no table to read.
  const goneBeforeB = atProvider(rig) === undefined
  try {
    const recoveredAt = clock.now()
    expect(await B.recover()).toEqual([])
    const listed = B.tables()
    let bPos: ReturnType<typeof pos> | undefined
    if (!entry) {
      // The table ended and the POS took everything: nothing left to recover.
      expect(records.map((r) => r.type)).toContain('tableEnd')
      expect(listed).toEqual([])
    } else {
      expect(listed.map((t) => t.id)).toEqual([tableId])
      const table = listed[0]!
      expect(table.recovered).toBe(true)
      expect(table.state).toBe(entry.ended ? 'closed' : entry.opened ? 'open' : 'opening')
      // The POS knows what it was told before the crash (what A's POS took, or the journal says it did).
      const lock = taken.filter((e) => e.type === 'locked' || e.type === 'unlocked').at(-1)
      const told: Told = {
        paid: taken.some((e) => e.type === 'paid') || entry.cursor.paid !== undefined,
        locked: lock ? lock.type === 'locked' : entry.cursor.locked,
      }
      bPos = pos(table, flow, () => false, told)
      // It still wants the bill closed.
      if (!entry.ended && wantsClosed(flow, told)) void bPos.close()
      // The first read: the table as the provider has it, when the terminal did nothing meanwhile.
      if (!entry.ended) {
        const before = terminal.applied
        await run(
          rig,
          terminal,
          () => table.current !== undefined || table.state === 'closed',
          clock.now() + 2_000,
        )
        const there = atProvider(rig)
        if (table.state === 'open' && there && terminal.applied === before) {
          expect(B.tables()).toContain(table)
          expect(table.current).toMatchObject({
            amount: flow.amount,
            amountPaid: there.amountPaid,
            locked: there.locked,
          })
          expect(table.current!.payments).toHaveLength(there.payments)
        }
      }
    }
    await run(rig, terminal, () => false, Math.max(t0 + END_MS, clock.now() + B_AT_LEAST_MS))
    await bPos?.closing
    await flush()
    const after = [...(bPos?.list ?? [])]
    const created = rig.created()
    const facts = `A died at ${deathAt - t0} ms, B recovered at ${recoveredAt - t0} ms; A's POS took ${describeAll(taken)} (journaled up to ${journaled}); B gave ${describeAll(after)}`

    // ---- events ----
    const ledger = tablePayments(rig)
    // B goes on from the journaled cursor: seqs only grow past it.
    after.forEach((e, i) =>
      expect(e.seq, `B's seqs; ${facts}`).toBeGreaterThan(i ? after[i - 1]!.seq : journaled),
    )
    expect(after.every((e) => e.tableId === tableId && e.table === TABLE)).toBe(true)
    // A seq the POS saw before the crash is never given to another event.
    for (const event of after)
      if (event.seq <= taken.length)
        expect(
          key(event),
          `seq ${event.seq} was "${describeEvent(taken[event.seq - 1]!)}" for A's POS, B gave "${describeEvent(event)}"; ${facts}`,
        ).toBe(key(taken[event.seq - 1]!))
    // Within one process, each payment once; across the crash, a repeat keeps its seq.
    expect(new Set(paymentIds(after)).size, facts).toBe(paymentIds(after).length)
    for (const event of after)
      if (event.type === 'tablePayment') {
        const before = taken.find(
          (e) => e.type === 'tablePayment' && e.payment.paymentId === event.payment.paymentId,
        )
        if (before) expect(event.seq, `a repeat with another seq; ${facts}`).toBe(before.seq)
      }
    // What the POS got, once each: every table payment of the acquirer, nothing lost.
    const seen = [...taken, ...after.filter((e) => e.seq > taken.length)]
    expect(sorted(paymentIds(seen)), `payments lost or invented; ${facts}`).toEqual(
      sorted(ledger.filter((e) => e.result === 'SUCCESSFUL').map((e) => e.requestId)),
    )
    for (const event of seen)
      if (event.type === 'tablePayment') {
        const charged = ledger.find((e) => e.requestId === event.payment.paymentId)!
        expect(event.payment).toMatchObject({
          amount: charged.amount,
          gratuity: charged.amountGratuity,
        })
      }
    if (created) {
      // The same story as the reference's (a `closed` aside: see below), whatever the crash; a
      // lock taken and released while no process watched is not seen by anyone.
      // Nor a release told by nobody before the table was gone at the provider when B read it
      // (gone, or closed by A's close before it died).
      const goneForB = goneBeforeB || after.some((e) => e.type === 'closed' && e.reason === 'gone')
      const unseen = (e: TableEvent) =>
        (downMs > 0 || goneForB) && (e.type === 'locked' || e.type === 'unlocked')
      const story = (list: readonly TableEvent[]) =>
        sorted(list.filter((e) => e.type !== 'closed' && !unseen(e)).map((e) => e.type))
      expect(story(seen), `not the reference's events; ${facts}`).toEqual(story(ref.events))
      const locks = seen.filter((e) => e.type === 'locked' || e.type === 'unlocked')
      locks.forEach((e, i) =>
        expect(e.type, `lock events out of turn; ${facts}`).toBe(i % 2 ? 'unlocked' : 'locked'),
      )
    }
    // The `closed` event: once, last, when the table ends.
    const closedInB = after.filter((e) => e.type === 'closed')
    expect(closedInB.length, facts).toBeLessThanOrEqual(1)
    if (closedInB.length) expect(after.at(-1)!.type, facts).toBe('closed')
    const ends = flow.closes !== 'never' || !created
    if (created && ends)
      expect(
        seen.some((e) => e.type === 'closed'),
        `the table ended, the POS never got 'closed'; ${facts}`,
      ).toBe(true)
    if (created && !ends)
      expect(
        seen.some((e) => e.type === 'closed'),
        facts,
      ).toBe(false)

    // ---- the fake: each card payment charged once, none refused; the table closed or not ----
    expect(terminal.refused, facts).toEqual(created ? [] : terminal.refused)
    expect(new Set(ledger.map((e) => e.requestId)).size, facts).toBe(ledger.length)
    if (created) {
      expect(
        ledger.map((e) => `${e.amount}/${e.amountGratuity} ${e.result}`),
        facts,
      ).toEqual(ref.ledger)
      expect(atProvider(rig), `the table at the provider; ${facts}`).toEqual(ref.final)
    } else {
      // The create never left A: no table, nothing to pay.
      expect(ledger).toEqual([])
      expect(atProvider(rig)).toBeUndefined()
    }
    for (const error of bPos?.errors ?? [])
      expect(
        error instanceof TableError && ['closed', 'gone'].includes(error.reason),
        `B's close failed: ${String(error)}; ${facts}`,
      ).toBe(true)

    // ---- the table after recovery ----
    const left = await survived.openTables!()
    if (ends) {
      // Ended (or never opened), and the POS took its events: gone from B and from the journal.
      expect(B.tables(), facts).toEqual([])
      if (bPos) expect(bPos.ended, `B's POS stream did not end; ${facts}`).toBe(true)
      expect(left, `the ended table stays in the journal; ${facts}`).toEqual([])
    } else {
      const there = atProvider(rig)!
      const [table, ...others] = B.tables()
      expect(others).toEqual([])
      expect(table?.id, facts).toBe(tableId)
      expect(table!.state).toBe('open')
      expect(table!.current).toMatchObject({
        amount: flow.amount,
        amountPaid: there.amountPaid,
        locked: there.locked,
      })
      expect(table!.current!.payments).toHaveLength(there.payments)
      // What the POS was last told of the lock is how the table is.
      expect(
        bPos!.told.locked,
        `the POS was last told the table is ${bPos!.told.locked ? '' : 'not '}locked; ${facts}`,
      ).toBe(there.locked)
      expect(left.map((t) => t.tableId)).toEqual([tableId])
      const last = seen.at(-1)
      expect(left[0]!.cursor).toMatchObject({
        delivered: last?.seq ?? 0,
        locked: there.locked,
      })
      expect(sorted(left[0]!.cursor.paymentIds)).toEqual(sorted(paymentIds(seen)))
    }
  } finally {
    await B.close()
  }
}

// ---- the cases ----------------------------------------------------------------------------------

const plans: Array<{ flow: Flow; ref?: Reference; error?: unknown; cases: CrashCase[] }> = []
for (const flow of FLOWS) {
  try {
    const ref = await reference(flow)
    const K = ref.records.length
    const cases: CrashCase[] = ref.records.flatMap((type, i) => [
      { moment: 'right after' as const, k: i + 1, K, type },
      ...(i + 1 < K
        ? [{ moment: 'just before next' as const, k: i + 1, K, type, next: ref.records[i + 1] }]
        : []),
    ])
    plans.push({ flow, ref, cases })
  } catch (error) {
    plans.push({ flow, error, cases: [] })
  }
}

describe.each(plans)('table crash points: $flow.name', ({ flow, ref, error, cases }) => {
  it('the reference run goes as the flow says', () => {
    if (!ref) throw error
    expect(ref.events.map((e) => e.type)).toEqual(flow.types)
    expect(ref.events.map((e) => e.seq)).toEqual(flow.types.map((_, i) => i + 1))
    expect(ref.records[0]).toBe('tableOpen')
    expect(ref.records[1]).toBe('tableOpened')
    expect(ref.records.includes('tableEnd')).toBe(flow.closes !== 'never')
    expect(ref.ledger).toEqual(
      flow.script.flatMap((s) =>
        s.do === 'pay' ? [`${s.amount}/${s.gratuity ?? 0} SUCCESSFUL`] : [],
      ),
    )
    if (flow.closes === 'never') expect(ref.final).toBeDefined()
    else expect(ref.final).toBeUndefined()
  })

  // Without a reference (it failed above) there is nothing to crash.
  describe.each(cases.length ? DOWNTIMES : [])('recovered %i ms after the crash', (downMs) => {
    it.each(cases.filter((c) => c.moment === 'right after'))(
      'crash right after record $k of $K ($type)',
      ({ k, moment }) => crashAndRecover(flow, k, moment, ref!, downMs),
    )
    it.each(cases.filter((c) => c.moment === 'just before next'))(
      'crash after record $k of $K ($type), just before the next ($next)',
      ({ k, moment }) => crashAndRecover(flow, k, moment, ref!, downMs),
    )
  })
})

import { appendFile, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  JournalWriteError,
  type JournalRecord,
  type JournalStore,
  type PaymentEvent,
  type AmountInput,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { createFileJournal, type FileJournal } from '../src/node.js'
import {
  collect,
  crashAfter,
  drive,
  flush,
  pass,
  sale,
  settles,
  setup,
  tempJournals,
  TID,
} from './harness.js'
import { bill, open } from './tables-harness.js'

const tempFile = tempJournals('tillkit-journal-')

/** A memory journal whose records of the `gated` types wait until `land()`, then are recorded and kept. */
function gatedJournal(...gated: string[]) {
  const memory = createMemoryJournal()
  const records: Array<{ type: string }> = []
  let land!: () => void
  const landed = new Promise<void>((resolve) => (land = resolve))
  const keep = async (record: { type: string }) => {
    if (gated.includes(record.type)) await landed
    records.push(record)
  }
  const journal: JournalStore = {
    ...memory,
    append: async (record) => (await keep(record), memory.append(record)),
    appendTable: async (record) => (await keep(record), memory.appendTable!(record)),
  }
  return { memory, journal, land, records }
}

describe('recovery from a journal left by a dropped orchestrator', () => {
  /** A sale on an orchestrator with a memory journal. */
  async function begin(amount: number) {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    return { ...s, journal, payment: await s.orchestrator.sale(sale(amount)) }
  }

  async function dropMidway(journal: JournalStore) {
    const s = setup({ orchestrator: { journal } })
    const payment = await s.orchestrator.sale(sale(1209))
    // A file journal's syncs take real time: the start leaves once `sending` is synced.
    await settles(() => payment.state === 'running')
    // The slow card: TRANSACTION_STARTED and INSERT_CARD delivered, then the process goes away.
    return { ...s, payment, delivered: await crashAfter(s, payment, 3_000) }
  }

  it('resumes polling from the journaled requestId; events continue where they stopped, exactly once', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, seen, payment, delivered, restart } = await dropMidway(journal)
    expect(delivered.map((e) => e.raw)).toEqual(['TRANSACTION_STARTED', 'INSERT_CARD'])
    const posts = seen.filter((r) => r.method === 'POST').length
    const second = restart(journal)
    const [resumed, ...others] = await second.recover()
    expect(others).toHaveLength(0)
    expect(resumed!.id).toBe(payment.id)
    expect(resumed!.recovered).toBe(true)
    expect(resumed!.request).toEqual(payment.request)
    const after = collect(resumed!)
    const outcome = await drive(clock, resumed!.outcome)
    const rest = await after.done
    expect(outcome.status).toBe('approved')
    expect(rest[0]!.seq).toBe(3)
    const requestId = outcome.providerIds.requestId!
    expect([...delivered, ...rest].map((e) => e.raw)).toEqual(
      cloud.terminals.transaction(TID, requestId).notifications,
    )
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(posts)
    expect(cloud.ledger).toHaveLength(1)
    expect(await journal.unfinished()).toEqual([])
    expect((await journal.get(payment.id))?.outcome?.status).toBe('approved')
    // Nothing left to resume.
    expect(await restart(journal).recover()).toEqual([])
  })

  it('events handed to the stream but not taken by the POS before the drop come again after recover()', async () => {
    const { journal, payment, ...s } = await begin(1209)
    // The POS takes the first event, then is busy elsewhere while INSERT_CARD arrives.
    const first = payment[Symbol.asyncIterator]().next()
    await pass(s.clock, 3_000)
    expect((await first).value).toMatchObject({ seq: 1, raw: 'TRANSACTION_STARTED' })
    await s.orchestrator.close()
    const entry = await journal.get(payment.id)
    // The cursor counts what was taken; the last event seen is kept for reconciling.
    expect(entry?.cursor).toMatchObject({ delivered: 1, order: 0, lastEvent: 'INSERT_CARD' })
    const [resumed] = await s.restart(journal).recover()
    const after = collect(resumed!)
    const outcome = await drive(s.clock, resumed!.outcome)
    const rest = await after.done
    expect(rest[0]).toMatchObject({ seq: 2, raw: 'INSERT_CARD' })
    const all = [(await first).value as PaymentEvent, ...rest]
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1))
    expect(all.map((e) => e.raw)).toEqual(
      s.cloud.terminals.transaction(TID, outcome.providerIds.requestId!).notifications,
    )
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a POS that reads late moves the cursor as it takes events kept for it', async () => {
    const { journal, payment, ...s } = await begin(1209)
    await pass(s.clock, 3_000)
    expect((await journal.get(payment.id))?.cursor.delivered).toBe(0)
    const events = payment[Symbol.asyncIterator]()
    expect((await events.next()).value).toMatchObject({ seq: 1 })
    await pass(s.clock, 0)
    expect((await journal.get(payment.id))?.cursor.delivered).toBe(1)
    await s.orchestrator.close()
    const [resumed] = await s.restart(journal).recover()
    const rest = collect(resumed!)
    await drive(s.clock, resumed!.outcome)
    expect((await rest.done)[0]).toMatchObject({ seq: 2, raw: 'INSERT_CARD' })
  })

  it('close() still writes what was queued before it: the cursor of events taken just before', async () => {
    const { journal, payment, ...s } = await begin(1209)
    await pass(s.clock, 3_000)
    // Both events were kept for the POS; it takes them and the orchestrator closes in the same tick.
    const events = payment[Symbol.asyncIterator]()
    void events.next()
    void events.next()
    await s.orchestrator.close()
    expect((await journal.get(payment.id))?.cursor.delivered).toBe(2)
    const [resumed] = await s.restart(journal).recover()
    const rest = collect(resumed!)
    await drive(s.clock, resumed!.outcome)
    expect((await rest.done)[0]).toMatchObject({ seq: 3 })
  })

  it('close() resolves once the journal has the records queued before it', async () => {
    const { memory, journal, land: open } = gatedJournal('cursor')
    const s = setup({ orchestrator: { journal } })
    const payment = await s.orchestrator.sale(sale(1209))
    collect(payment)
    await pass(s.clock, 3_000)
    let closed = false
    const closing = s.orchestrator.close().then(() => (closed = true))
    await pass(s.clock, 100)
    expect(closed).toBe(false)
    open()
    await closing
    // The cursor naming the events handed out (queued before the close) reached the journal; the
    // POS took none: events are released only once that cursor is written.
    expect((await memory.get(payment.id))?.cursor).toMatchObject({ delivered: 0, issued: 2 })
  })

  it('close() also waits for the end of a table that ended just before it', async () => {
    const { memory, journal, land } = gatedJournal('tableEnd')
    const s = setup({ orchestrator: { journal } })
    const table = await open(s.clock, s.orchestrator)
    await drive(s.clock, table.close())
    let closed = false
    const closing = s.orchestrator.close().then(() => (closed = true))
    await pass(s.clock, 100)
    expect(closed).toBe(false)
    land()
    await closing
    // The end reached the journal: the table is kept only for the `closed` event nobody took.
    expect(await memory.openTables!()).toEqual([
      expect.objectContaining({
        ended: 'closed',
        undelivered: [expect.objectContaining({ type: 'closed' })],
      }),
    ])
  })

  it('a signature question the POS had not taken at the drop is asked again after recover()', async () => {
    const { journal, payment, ...s } = await begin(1203)
    // The POS reads nothing; the orchestrator sees the terminal ask for a signature.
    const asked = async () =>
      (await journal.get(payment.id))?.cursor.lastEvent === 'SIGNATURE_VERIFICATION'
    for (let i = 0; i < 200 && !(await asked()); i++) await pass(s.clock, 50)
    expect(await asked()).toBe(true)
    await s.orchestrator.close()
    const [resumed] = await s.restart(journal).recover()
    const events = collect(resumed!)
    await pass(s.clock, 1_000)
    const question = events.list.find((e) => e.type === 'signatureRequired')
    expect(question).toBeDefined()
    expect(await drive(s.clock, (question as SignatureRequiredEvent).accept())).toBe(true)
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'approved', verification: 'signature' })
    expect(s.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it("a signature question asked again after recover() keeps the terminal's window from when it first asked", async () => {
    const { journal, payment, ...s } = await begin(1203)
    const asked = async () => (await journal.get(payment.id))?.cursor.signatureAsked?.at
    for (let i = 0; i < 200 && !(await asked()); i++) await pass(s.clock, 50)
    const askedAt = (await asked())!
    expect(askedAt).toBeLessThanOrEqual(s.clock.now())
    // The till is down for a minute of Connect's 80 s window.
    await s.orchestrator.close()
    await pass(s.clock, 60_000, 1_000)
    const [resumed] = await s.restart(journal).recover()
    const events = collect(resumed!)
    await pass(s.clock, 1_000)
    const question = events.list.find((e) => e.type === 'signatureRequired') as
      SignatureRequiredEvent | undefined
    // The default policy answers 10 s before the window closes: 70 s after the terminal asked.
    expect(question?.deadline).toBe(askedAt + 70_000)
    const puts = () => s.seen.filter((r) => r.method === 'PUT')
    await pass(s.clock, askedAt + 69_000 - s.clock.now())
    expect(puts()).toHaveLength(0)
    await pass(s.clock, 2_000)
    expect(puts()).toHaveLength(1)
    expect(await drive(s.clock, resumed!.outcome)).toMatchObject({ status: 'declined' })
  })

  it('works the same from a file journal whose last line was torn by the crash', async () => {
    const path = await tempFile()
    const journal = await createFileJournal(path)
    const { clock, cloud, payment, restart, delivered } = await dropMidway(journal)
    await journal.close?.()
    await appendFile(path, '{"type":"cursor","paymentId":"')
    const reopened = await createFileJournal(path)
    expect(reopened.repaired).toBe(true)
    const [resumed] = await restart(reopened).recover()
    expect(resumed!.id).toBe(payment.id)
    const rest = collect(resumed!)
    expect((await drive(clock, resumed!.outcome)).status).toBe('approved')
    // What comes after recover() carries on from the journal: a seq the POS saw keeps its event.
    const events = await rest.done
    for (const e of events) {
      const before = delivered.find((d) => d.seq === e.seq)
      if (before) expect(e.raw).toBe(before.raw)
    }
    expect(events.at(-1)?.type).toBe('finished')
    expect(cloud.ledger).toHaveLength(1)
    await reopened.close?.()
    const lines = (await readFile(path, 'utf8')).trim().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as JournalRecord).type).at(-1)).toBe('outcome')
  })

  /** A sale whose start answer is still on its way when the process goes away, then recovered. */
  async function lostStart(request: AmountInput) {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    s.cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'POST' }, times: 1 })
    const payment = await s.orchestrator.sale(request)
    await pass(s.clock, 200)
    expect(payment.state).toBe('starting')
    await s.orchestrator.close()
    const [resumed] = await s.restart(journal).recover()
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome.status).toBe('unknown')
    return { ...s, outcome, startedAt: (await journal.get(payment.id))!.startedAt }
  }

  it('a start whose answer never came before the drop is unknown, with the facts, and never re-sent', async () => {
    const { clock, cloud, seen, outcome, startedAt } = await lostStart(sale(1250))
    expect(outcome.reconcile).toMatchObject({
      provider: 'paymentsense',
      account: 'shop',
      terminal: TID,
      kind: 'sale',
      amount: 1250,
      currency: 'GBP',
      reference: 'order-1250',
      startedAt,
      providerIds: {},
    })
    expect(outcome.reconcile!.why).toMatch(/not sent again/)
    expect(outcome.reconcile!.check.join(' ')).toMatch(/DUPLICATE/)
    await pass(clock, 10_000)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    // The terminal did run it: the reconciliation is needed, and there is one charge, not two.
    expect(cloud.ledger).toHaveLength(1)
  })

  // The operator compares the terminal's receipt, which shows amount and cash back together
  // (Connect's amountTotal): the facts give the cash back and the total to look for.
  it('a lost start of 12.50 with 20.00 cash back: the facts say what the terminal shows (32.50)', async () => {
    const { clock, cloud, outcome } = await lostStart(sale(1250, { cashback: 2000 }))
    await pass(clock, 60_000)
    expect(cloud.ledger.map((e) => [e.amount, e.amountCashback])).toEqual([[1250, 2000]])
    expect(outcome.reconcile).toMatchObject({ amount: 1250, cashback: 2000 })
    expect(outcome.reconcile!.check.join(' ')).toContain(
      '3250 GBP (minor units: 1250 and 2000 cash back)',
    )
  })

  it("after Connect's retention the journaled request is gone: unknown (expired) with its requestId", async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, orchestrator, restart } = setup({ orchestrator: { journal } })
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 500)
    const { requestId } = payment.ids
    expect(requestId).toBeDefined()
    await orchestrator.close()
    await clock.advance(25 * 3_600_000)
    const [resumed] = await restart(journal).recover()
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    expect(outcome.reconcile!.providerIds).toEqual({ requestId })
    expect(outcome.reconcile!.lastEvent).toBeUndefined()
    expect(outcome.reconcile!.check[0]).toContain(requestId)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a payment of an account this orchestrator does not have is left in the journal', async () => {
    const journal = createMemoryJournal()
    const { clock, orchestrator, restart } = setup({ orchestrator: { journal } })
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 500)
    await orchestrator.close()
    const entry = (await journal.get(payment.id))!
    await journal.append({
      type: 'intent',
      paymentId: 'elsewhere',
      at: 1,
      provider: 'paymentsense',
      request: { ...entry.request, account: 'gone' },
      ids: {},
    })
    const errors: object[] = []
    const resumed = await restart(journal, { logger: { error: (o) => errors.push(o) } }).recover()
    expect(resumed.map((p) => p.id)).toEqual([payment.id])
    expect(errors).toEqual([expect.objectContaining({ paymentId: 'elsewhere', account: 'gone' })])
    expect((await drive(clock, resumed[0]!.outcome)).status).toBe('approved')
    expect((await journal.unfinished()).map((e) => e.paymentId)).toEqual(['elsewhere'])
  })

  it('recover() twice does not run a payment twice', async () => {
    const journal = createMemoryJournal()
    const { clock, orchestrator, restart, seen } = setup({ orchestrator: { journal } })
    await orchestrator.sale(sale(1209))
    await pass(clock, 500)
    await orchestrator.close()
    const second = restart(journal)
    const [a, b] = await Promise.all([second.recover(), second.recover()])
    expect(a!.length + b!.length).toBe(1)
    const before = seen.length
    await pass(clock, 2_000)
    // One payment polled at once and then once a second: three polls, not six.
    expect(seen.length - before).toBe(3)
  })
})

describe('a payment that settled before the crash', () => {
  for (const kind of ['memory', 'file (compacted since)'] as const) {
    it(`is not resumed; its outcome is read back with outcomeOf (${kind} journal)`, async () => {
      const path = await tempFile()
      const journal =
        kind === 'memory'
          ? createMemoryJournal()
          : await createFileJournal(path, { compactAfter: 8 })
      const s = setup({ orchestrator: { journal } })
      const payment = await s.orchestrator.sale(sale(1250))
      // The POS took the first event, then the payment settled while it was busy; the till dies.
      const events = payment[Symbol.asyncIterator]()
      await drive(s.clock, events.next())
      const outcome = await drive(s.clock, payment.outcome)
      expect(outcome.status).toBe('approved')
      // Other payments run on; the file is compacted before the crash.
      for (const amount of [1300, 1400])
        await drive(s.clock, (await s.orchestrator.sale(sale(amount))).outcome)
      await s.orchestrator.close()
      // The process is gone: its file is closed (a compaction in progress finishes first).
      if (kind !== 'memory') await journal.close?.()
      const reopened = kind === 'memory' ? journal : await createFileJournal(path)
      if (kind !== 'memory') expect((reopened as FileJournal).records).toBeLessThan(20)
      const second = s.restart(reopened)
      expect(await second.recover()).toEqual([])
      expect(await second.outcomeOf(payment.id)).toEqual(outcome)
      expect(await second.outcomeOf('no-such-payment')).toBeUndefined()
      await second.close()
      if (kind !== 'memory') await reopened.close?.()
    })
  }
})

describe('the journal comes first', () => {
  it('close() while the intent is written: the sale is refused, and ended in the journal so recover() never sends it', async () => {
    const { memory, journal, land, records } = gatedJournal('intent', 'tableOpen')
    const s = setup({ orchestrator: { journal } })
    const refused = s.orchestrator.sale(sale(1250)).catch((e: unknown) => e)
    let closed = false
    const closing = s.orchestrator.close().then(() => (closed = true))
    await flush()
    // close() waits for the write it raced with.
    expect(closed).toBe(false)
    land()
    await closing
    expect(await refused).toMatchObject({
      name: 'TillkitValidationError',
      mayHaveReachedProvider: false,
    })
    expect(records).toEqual([
      expect.objectContaining({ type: 'intent' }),
      expect.objectContaining({
        type: 'outcome',
        outcome: expect.objectContaining({ status: 'failed', reasonCode: 'closed' }),
      }),
    ])
    expect(await memory.unfinished()).toEqual([])
    expect(await s.restart(memory).recover()).toEqual([])
    await pass(s.clock, 10_000)
    expect(s.seen).toHaveLength(0)
  })

  it('close() while the intent is written, and the end cannot be written: the error says so, and recover() ends it unsent', async () => {
    const { memory, journal: gated, land } = gatedJournal('intent')
    const journal: JournalStore = {
      ...gated,
      append: async (record) => {
        if (record.type === 'outcome') throw new Error('disk full')
        return gated.append(record)
      },
    }
    const s = setup({ orchestrator: { journal } })
    const refused = s.orchestrator.sale(sale(1250)).catch((e: unknown) => e)
    const closing = s.orchestrator.close()
    await flush()
    land()
    await closing
    const error = (await refused) as JournalWriteError
    expect(error).toBeInstanceOf(JournalWriteError)
    expect(error.message).toMatch(
      /was recorded, but not that close\(\) refused it; nothing was sent, and recover\(\) will end it as never started/,
    )
    expect((error.cause as Error).message).toBe('disk full')
    // As the message says: the intent alone (no `sending`) recovers `failed`, and nothing goes out.
    const [recovered] = await s.restart(memory).recover()
    expect(await recovered!.outcome).toMatchObject({ status: 'failed', reasonCode: 'not-sent' })
    await pass(s.clock, 10_000)
    expect(s.seen).toHaveLength(0)
  })

  it('close() while a table opening is written: refused, and ended in the journal so recover() never opens it', async () => {
    const { memory, journal, land, records } = gatedJournal('intent', 'tableOpen')
    const s = setup({ orchestrator: { journal } })
    const refused = s.orchestrator.openTable(bill()).catch((e: unknown) => e)
    const closing = s.orchestrator.close()
    await flush()
    land()
    await closing
    expect(await refused).toMatchObject({ name: 'TillkitValidationError' })
    expect(records.map((r) => r.type)).toEqual(['tableOpen', 'tableEnd'])
    expect(records[1]).toMatchObject({ reason: 'not-opened' })
    expect(await memory.openTables!()).toEqual([])
    const again = s.restart(memory)
    await again.recover()
    expect(again.tables()).toEqual([])
    await pass(s.clock, 10_000)
    expect(s.seen).toHaveLength(0)
  })

  it('a failed intent write refuses the payment before anything is sent', async () => {
    const memory = createMemoryJournal()
    const failing: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type === 'intent') throw new Error('disk full')
        return memory.append(record)
      },
    }
    const { orchestrator, seen } = setup({ orchestrator: { journal: failing } })
    const error = await orchestrator.sale(sale(1250)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JournalWriteError)
    expect((error as JournalWriteError).mayHaveReachedProvider).toBe(false)
    expect(((error as Error).cause as Error).message).toBe('disk full')
    expect(seen).toHaveLength(0)
    expect(orchestrator.running).toBe(0)
  })

  it('writes intent, ids, cursors and the outcome, in that order', async () => {
    const records: JournalRecord[] = []
    const memory = createMemoryJournal()
    let requestsSoFar = () => -1
    const sentBefore: number[] = []
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        records.push(record)
        sentBefore.push(requestsSoFar())
        return memory.append(record)
      },
    }
    const { clock, orchestrator, seen } = setup({ orchestrator: { journal } })
    requestsSoFar = () => seen.length
    const payment = await orchestrator.sale(sale(1250))
    await drive(clock, payment.outcome)
    // The intent was written before the first request left.
    expect(sentBefore[0]).toBe(0)
    const types = records.map((r) => r.type)
    expect(types[0]).toBe('intent')
    // `sending`, written before the start left; then the ids its answer brought.
    expect(records[1]).toMatchObject({ type: 'ids', sending: true })
    expect(sentBefore[1]).toBe(0)
    expect(records[2]).toMatchObject({ type: 'ids', started: true })
    expect(types.at(-1)).toBe('outcome')
    expect(types.slice(3, -1).every((t) => t === 'cursor')).toBe(true)
    const last = records.filter((r) => r.type === 'cursor').at(-1)
    expect(last?.type === 'cursor' && last.cursor.lastEvent).toBe('TRANSACTION_FINISHED')
  })

  it('a journal that cannot say the start is leaving: nothing is sent, failed (not sent)', async () => {
    const memory = createMemoryJournal()
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type === 'ids' && record.sending) throw new Error('disk gone')
        return memory.append(record)
      },
    }
    const { clock, orchestrator, seen } = setup({ orchestrator: { journal } })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-sent' })
    // The reason names what failed: the record of the start leaving, not the intent.
    expect(outcome.reason).toMatch(/could not record that the start was leaving \(disk gone\)/)
    expect(seen).toHaveLength(0)
  })

  it('a journal that fails once the start has left does not stop the payment', async () => {
    const memory = createMemoryJournal()
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type !== 'intent' && !(record.type === 'ids' && record.sending))
          throw new Error('disk gone')
        return memory.append(record)
      },
    }
    const errors: unknown[] = []
    const { clock, orchestrator } = setup({
      orchestrator: { journal, logger: { error: (obj) => errors.push(obj) } },
    })
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(errors.length).toBeGreaterThan(0)
  })
})

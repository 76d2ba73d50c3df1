import { appendFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { createMemoryJournal, type JournalStore } from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { collect, crashAfter, drive, flush, pass, settles, tempJournals } from './harness.js'
import { sale, setup, TID } from './smartconnect-harness.js'

const tempJournal = tempJournals('tillkit-sc-journal-')

describe('SmartConnect recovery from a journal left by a dropped orchestrator', () => {
  /** Starts a delayed sale (about 24 s on the fake) and drops the orchestrator after `ms`. */
  async function dropAfter(
    journal: JournalStore,
    ms: number,
    amount = 1309,
    beforeDrop?: () => Promise<void>,
    /** For a file journal: its sync of `sending` comes (in real time) before the start leaves. */
    startLeft?: boolean,
  ) {
    const s = await setup({ orchestrator: { journal } })
    const payment = await s.orchestrator.sale(sale(amount))
    if (startLeft) await settles(() => payment.state === 'running')
    return { ...s, payment, delivered: await crashAfter(s, payment, ms, beforeDrop) }
  }

  it('polls the saved URL again: events carry on exactly once, the start is not re-sent', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, seen, payment, delivered, restart } = await dropAfter(journal, 7_000)
    expect(delivered.map((e) => [e.seq, e.type, e.raw])).toEqual([
      [1, 'started', 'PENDING'],
      [2, 'processing', 'OK-DELAYED'],
    ])
    const [resumed, ...others] = await restart(journal).recover()
    expect(others).toEqual([])
    expect(resumed!.id).toBe(payment.id)
    expect(resumed!.recovered).toBe(true)
    const after = collect(resumed!)
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome.status).toBe('approved')
    // The delay was seen before the drop and is not repeated; seq goes on from 3.
    expect((await after.done).map((e) => [e.seq, e.type, e.raw])).toEqual([
      [3, 'authorised', 'OK-ACCEPTED'],
      [4, 'finished', 'COMPLETED'],
    ])
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1309])
    expect((await journal.get(payment.id))?.outcome?.status).toBe('approved')
    expect(await journal.unfinished()).toEqual([])
  })

  it('a restart within 2 s of the last poll: the 429 is waited out, for that payment only', async () => {
    const journal = createMemoryJournal()
    // Polls at 3 s and 6 s; the process goes away at 7 s and comes straight back.
    const { clock, cloud, payment, restart, polls } = await dropAfter(journal, 7_000)
    const [resumed] = await restart(journal).recover()
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome.status).toBe('approved')
    const gets = polls(outcome.providerIds.transactionId!)
    const first = gets.findIndex((r) => r.status === 429)
    expect(first).toBe(2)
    expect(gets[first]!.at).toBe(7_000)
    // Retry-After: 1 s asked, at least a cadence (3 s) waited, then the fixed rate again.
    expect(gets.slice(first + 1).map((r) => [r.at - 7_000, r.status])).toEqual(
      gets.slice(first + 1).map((_, i) => [3_000 * (i + 1), 200]),
    )
    expect(cloud.ledger).toHaveLength(1)
    expect((await journal.get(payment.id))?.outcome?.status).toBe('approved')
  })

  it('works the same from a file journal whose last line was torn by the crash', async () => {
    const path = await tempJournal()
    const file = await createFileJournal(path)
    // The process dies once every record written so far is on disk (a file write takes real
    // time while the clock stands still), leaving half of a later line behind.
    const writes: Promise<void>[] = []
    const journal: JournalStore = {
      ...file,
      append: (record) => {
        const write = file.append(record)
        writes.push(write)
        return write
      },
    }
    const synced = async () => {
      for (let known = -1; known !== writes.length;) {
        known = writes.length
        await Promise.all(writes)
        await flush()
      }
    }
    const { clock, cloud, payment, restart } = await dropAfter(journal, 7_000, 1309, synced, true)
    await file.close?.()
    await appendFile(path, '{"type":"cursor","paymentId":"')
    const reopened = await createFileJournal(path)
    expect(reopened.repaired).toBe(true)
    const [resumed] = await restart(reopened).recover()
    expect(resumed!.id).toBe(payment.id)
    const rest = collect(resumed!)
    // The events end when the payment settles; its outcome follows once written to the file.
    expect((await drive(clock, rest.done)).map((e) => e.type)).toEqual(['authorised', 'finished'])
    expect((await resumed!.outcome).status).toBe('approved')
    expect(cloud.ledger).toHaveLength(1)
    await reopened.close?.()
  })

  it('the payment finished while nobody was polling: the result is read once on recovery', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, restart, seen } = await dropAfter(journal, 1_000, 1250)
    await clock.advance(60_000)
    const [resumed] = await restart(journal).recover()
    const events = collect(resumed!)
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'approved', amounts: { total: 1250 } })
    expect((await events.done).map((e) => e.type)).toEqual(['authorised', 'finished'])
    expect(seen.filter((r) => r.method === 'GET')).toHaveLength(1)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('after the polling token lapsed: unknown (expired) with the transaction id, never re-sent', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, payment, restart, seen } = await dropAfter(journal, 1_000, 1250)
    const { transactionId } = payment.ids
    expect(transactionId).toBeDefined()
    await clock.advance(16 * 60_000)
    const [resumed] = await restart(journal).recover()
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    expect(outcome.reconcile).toMatchObject({
      provider: 'smartconnect',
      terminal: TID,
      amount: 1250,
      providerIds: { transactionId },
      lastEvent: 'PENDING',
    })
    expect(outcome.reconcile!.check[0]).toContain(transactionId)
    expect(outcome.reconcile!.check.join(' ')).toMatch(/15 minutes/)
    expect(seen.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([401])
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    // It was charged: the operator finds it on the terminal, and it is there once.
    expect(cloud.ledger.map((e) => e.transactionId)).toEqual([transactionId])
  })

  it('a terminal that never answers: polled until the token lapses, then unknown (expired)', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, restart, seen } = await dropAfter(journal, 4_000, 1311)
    const [resumed] = await restart(journal).recover()
    const outcome = await drive(clock, resumed!.outcome, 20 * 60_000, 1_000)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    const gets = seen.filter((r) => r.method === 'GET')
    expect(gets.at(-1)).toMatchObject({ status: 401 })
    expect(gets.at(-1)!.at).toBeGreaterThanOrEqual(900_000)
    expect(gets.filter((r) => r.status === 401)).toHaveLength(1)
    await pass(clock, 30_000, 1_000)
    expect(seen.filter((r) => r.method === 'GET')).toHaveLength(gets.length)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a start whose answer never came before the drop is unknown, with the facts, and never re-sent', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, orchestrator, seen, restart } = await setup({
      orchestrator: { journal },
    })
    // SmartConnect starts the sale; its answer is still on the way when the process goes away.
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'POST' }, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    await pass(clock, 200)
    expect(payment.state).toBe('starting')
    await orchestrator.close()
    const [resumed] = await restart(journal).recover()
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(outcome.reconcile).toMatchObject({
      provider: 'smartconnect',
      account: 'store',
      terminal: TID,
      kind: 'sale',
      amount: 1250,
      currency: 'NZD',
      reference: 'order-1250',
      startedAt: (await journal.get(payment.id))!.startedAt,
      providerIds: {},
    })
    expect(outcome.reconcile!.why).toMatch(/not sent again/)
    expect(outcome.reconcile!.check.join(' ')).toMatch(/terminal VT000001.*last receipt/)
    await pass(clock, 10_000)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    // The terminal did run it: one charge, which the operator reconciles.
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a journal that lost the polling URL cannot be polled: unknown (unreadable), nothing sent', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, restart, seen, payment } = await dropAfter(journal, 1_000, 1250)
    const entry = (await journal.get(payment.id))!
    // A store that kept the transaction id but not the URL (say, a column too short for it).
    const bare = createMemoryJournal()
    await bare.append({
      type: 'intent',
      paymentId: entry.paymentId,
      at: entry.startedAt,
      provider: 'smartconnect',
      request: entry.request,
      ids: {},
    })
    await bare.append({
      type: 'ids',
      paymentId: entry.paymentId,
      at: entry.startedAt,
      ids: { transactionId: entry.ids.transactionId! },
      started: true,
    })
    const before = seen.length
    const [resumed] = await restart(bare).recover()
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.check.join(' ')).toContain(entry.ids.transactionId)
    expect(seen).toHaveLength(before)
    expect(cloud.ledger).toHaveLength(1)
  })
})

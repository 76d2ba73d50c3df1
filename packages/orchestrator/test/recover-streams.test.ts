/**
 * recover() and event streams: a failed recover() loses no payment, an event the POS took keeps its
 * seq after a crash, and a reader that leaves is owed nothing.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type JournalStore,
  type PaymentEvent,
  type ProviderNotification,
} from '../src/index.js'
import { collect, drive, pass, recordingJournal, stubAdapter, stubSale } from './harness.js'

describe('a custom journal', () => {
  it('recover() that fails listing tables after resuming payments: a retry still hands the payments over', async () => {
    const clock = createManualClock()
    const memory = createMemoryJournal()
    const first = createOrchestrator({
      accounts: { shop: stubAdapter({ poll: async () => ({}) }) },
      journal: memory,
      clock,
    })
    const payment = await drive(clock, first.sale(stubSale))
    await pass(clock, 2_000)
    await first.close()
    let failures = 1
    const journal: JournalStore = {
      ...memory,
      openTables: async () => {
        if (failures-- > 0) throw new Error('ECONNRESET: store unreachable')
        return memory.openTables!()
      },
    }
    const second = createOrchestrator({
      accounts: { shop: stubAdapter({ poll: async () => ({}) }) },
      journal,
      clock,
    })
    await expect(second.recover()).rejects.toThrow(/ECONNRESET/)
    // The POS tries again, as it would after any failed start-up step.
    const resumed = await second.recover()
    expect({ running: second.running, resumed: resumed.map((p) => p.id) }).toEqual({
      running: 1,
      resumed: [payment.id],
    })
    await second.close()
  })
})

describe('event streams and seq across recover()', () => {
  it('an event the POS took keeps its seq when shown again after a crash, even behind 40 untaken events', async () => {
    const clock = createManualClock()
    const { journal, records } = recordingJournal()
    const list: ProviderNotification[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'processing',
      raw: `N${i}`,
      order: i,
    }))
    const adapter = () => stubAdapter({ poll: async () => ({ notifications: list }) })
    const first = createOrchestrator({ accounts: { shop: adapter() }, journal, clock })
    const payment = await drive(clock, first.sale(stubSale))
    const events = payment[Symbol.asyncIterator]()
    await pass(clock, 1_500)
    // The first poll handed 40 events over; the POS takes the first one...
    const taken = (await events.next()).value as PaymentEvent
    expect([taken.seq, taken.raw]).toEqual([1, 'N0'])
    await first.close()
    // ...and the process died before that take's cursor reached the disk: the journal holds the
    // records up to the cursor written as the 40 events were handed over.
    const handing = records.findIndex((r) => r.type === 'cursor' && r.cursor.issued === 40)
    expect(handing).toBeGreaterThan(0)
    const crashed = createMemoryJournal()
    for (const record of records.slice(0, handing + 1)) await crashed.append(record)
    const second = createOrchestrator({ accounts: { shop: adapter() }, journal: crashed, clock })
    const [resumed] = await second.recover()
    const again = collect(resumed!)
    await pass(clock, 1_500)
    // README: "an event the provider shows again keeps its seq ... use paymentId and seq to recognise a repeat".
    expect(again.list.find((e) => e.raw === 'N0')?.seq).toBe(1)
    await second.close()
  })
})

describe('an abandoned event iterator', () => {
  it('(break) leaves nothing owed behind: later events are not kept for nobody', async () => {
    const clock = createManualClock()
    let n = 0
    const adapter = stubAdapter({
      poll: async () => ({
        notifications: [{ type: 'processing', raw: 'BUSY', key: `k${n++}` }],
        ...(n > 600 && { outcome: { status: 'approved' } }),
      }),
    })
    const till = createOrchestrator({ accounts: { shop: adapter }, clock })
    const payment = await drive(clock, till.sale(stubSale))
    // The POS looks at the first event only (README: "Breaking out of the loop drops later events").
    const read = (async () => {
      for await (const _ of payment) break
    })()
    // Five minutes of a payment that brings a fresh notification every second.
    await pass(clock, 300_000, 1_000)
    await read
    // Memory per payment should not grow with events nobody will take (the table stream forgets
    // them on break: TableWatch calls seqs.forget()); here each one stays in two maps.
    const run = payment as unknown as {
      dedup: { handed: Map<number, unknown>; seqs: { out: Map<number, unknown> } }
    }
    expect({ handed: run.dedup.handed.size, out: run.dedup.seqs.out.size }).toEqual({
      handed: 0,
      out: 0,
    })
    await till.close()
  })
})

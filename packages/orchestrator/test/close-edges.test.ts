import { TillkitAbortedError, TillkitError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  type JournalStore,
  type PaymentEvent,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { collect, drive, flush, pass, sale, setup } from './harness.js'
import { bill, open, TABLE } from './tables-harness.js'

/** Whether a promise has settled, and how, without awaiting it. */
function watch<T>(promise: Promise<T>): { settled: () => boolean; result: Promise<unknown> } {
  let done = false
  const result = promise.then(
    (value) => ((done = true), value),
    (error: unknown) => ((done = true), error),
  )
  return { settled: () => done, result }
}

describe('close() and requests waiting in an account lane', () => {
  // README (close()): "stops all work ... running payments' outcome reject with a
  // TillkitAbortedError"; brief: a promise returned to the POS (cancel()) settles or rejects, never
  // hangs. A cancel queued behind the spacing slot when close() comes must reject with a
  // TillkitAbortedError, as a cancel waiting for the start does (Run.close rejects cancelWaiters).
  it('a cancel() queued for its spacing slot when close() comes rejects instead of hanging', async () => {
    const s = setup()
    const payment = await s.orchestrator.sale(sale(1209))
    // Between two polls (1 s apart): the lane is free.
    await pass(s.clock, 3_200)
    expect(payment.state).toBe('running')
    // A listing goes first and answers at once: the account's next slot is 100 ms away.
    const listing = watch(s.orchestrator.terminals())
    const cancel = watch(payment.cancel())
    await flush()
    expect(listing.settled()).toBe(true)
    expect(cancel.settled()).toBe(false)
    await s.orchestrator.close()
    await pass(s.clock, 5_000)
    expect(cancel.settled()).toBe(true)
    expect(await cancel.result).toBeInstanceOf(TillkitAbortedError)
  })

  // README (Signatures): accept()/decline() "each resolves true once the decision reached the
  // provider, false if it was already answered"; one that "never left rejects". Closing while the
  // answer waits in the lane must reject it (TillkitAbortedError), never leave it pending for ever.
  it('a signature accept() queued for its spacing slot when close() comes rejects instead of hanging', async () => {
    const s = setup()
    const payment = await s.orchestrator.sale(sale(1203))
    let question: SignatureRequiredEvent | undefined
    const reading = (async () => {
      for await (const event of payment)
        if (event.type === 'signatureRequired') {
          question = event as SignatureRequiredEvent
          return
        }
    })()
    await drive(s.clock, reading, 60_000)
    expect(question).toBeDefined()
    await pass(s.clock, 200)
    const listing = watch(s.orchestrator.terminals())
    const accept = watch(question!.accept())
    await flush()
    expect(listing.settled()).toBe(true)
    expect(accept.settled()).toBe(false)
    await s.orchestrator.close()
    await pass(s.clock, 5_000)
    expect(accept.settled()).toBe(true)
    expect(await accept.result).toBeInstanceOf(TillkitAbortedError)
  })

  // README (close()): "Stops all work"; the listing is a request of the lane like any other.
  // terminals() pending when close() comes must reject (TillkitAbortedError), never hang.
  it('a terminals() listing queued for its spacing slot when close() comes rejects instead of hanging', async () => {
    const s = setup()
    await s.orchestrator.terminals()
    const second = watch(s.orchestrator.terminals())
    await flush()
    expect(second.settled()).toBe(false)
    await s.orchestrator.close()
    await pass(s.clock, 5_000)
    expect(second.settled()).toBe(true)
    expect(await second.result).toBeInstanceOf(TillkitError)
  })

  // README (close()): "Nothing more is sent". terminals()/terminalStatus() after close() must
  // reject with a typed error (sale()/openTable() reject `is closed`) and send nothing.
  it('terminals() and terminalStatus() after close() reject and send nothing', async () => {
    const s = setup()
    await s.orchestrator.close()
    await pass(s.clock, 1_000)
    const before = s.seen.length
    const listing = watch(s.orchestrator.terminals())
    const status = watch(s.orchestrator.terminalStatus('shop', '22160001'))
    await pass(s.clock, 1_000)
    expect(s.seen.length).toBe(before)
    expect(await listing.result).toBeInstanceOf(TillkitError)
    expect(await status.result).toBeInstanceOf(TillkitError)
  })
}, 20_000)

describe('close() while a table write or create is under way', () => {
  // README (Pay at table): a write "waits, reading at the table cadence, for up to 30 s, then
  // rejects with TableError locked"; README (close()): stops all work. A table.setAmount() waiting
  // out a terminal's lock when the orchestrator closes must reject (TillkitAbortedError, as the
  // table's other pending work does: shutdown rejects `ready`), never stay pending for ever.
  it('table.setAmount() waiting out a lock when close() comes rejects instead of hanging', async () => {
    const s = setup()
    const table = await open(s.clock, s.orchestrator)
    s.cloud.tables.lock(TABLE, '22160001')
    const write = watch(table.setAmount(7_000))
    await pass(s.clock, 2_000)
    expect(write.settled()).toBe(false)
    await s.orchestrator.close()
    await pass(s.clock, 60_000)
    expect(write.settled()).toBe(true)
    expect(await write.result).toBeInstanceOf(TillkitAbortedError)
  })

  // README (close()): "stops all work"; openTable() "resolves once the provider has the table" or
  // rejects. A create still waiting for its spacing slot when close() comes must reject, not hang.
  it('openTable() whose create waits for its spacing slot when close() comes rejects instead of hanging', async () => {
    const s = setup()
    await s.orchestrator.terminals()
    const opening = watch(s.orchestrator.openTable(bill()))
    await flush()
    expect(opening.settled()).toBe(false)
    await s.orchestrator.close()
    await pass(s.clock, 5_000)
    expect(opening.settled()).toBe(true)
    expect(await opening.result).toBeInstanceOf(TillkitError)
  })
}, 20_000)

describe('close() twice', () => {
  // README (close()): "records queued before it (a cursor the POS just moved) are written before it
  // resolves". A second close() (a signal handler and a shutdown hook both calling it) must not
  // resolve before the first has done so: the POS may close its file journal or exit right after.
  it('a second, concurrent close() resolves only once the queued records are written', async () => {
    const memory = createMemoryJournal()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        // The disk is slow: cursor records take a while to land.
        if (record.type === 'cursor') await gate
        return memory.append(record)
      },
    }
    const s = setup()
    const till = s.restart(journal)
    const payment = await till.sale(sale(1500))
    const events = collect(payment)
    await pass(s.clock, 2_500)
    // A cursor is being written (events of the payment were seen).
    expect((await memory.get(payment.id))?.started).toBe(true)
    const first = watch(till.close())
    const second = watch(till.close())
    await flush()
    expect(first.settled()).toBe(false)
    // The first waits for the record; the second must too.
    expect(second.settled()).toBe(false)
    release()
    await flush()
    expect(second.settled()).toBe(true)
    await events.done
  })
}, 20_000)

describe('calls on a payment after close()', () => {
  // README (cancel()): resolves `false` only "when the payment had already ended or was past
  // cancelling". After close() neither holds (the payment may still run at the terminal, and the
  // journal keeps it for recover()); a cancel waiting for the start rejects with TillkitAbortedError
  // on close (Run.close). A cancel() after close() must reject the same way, not claim `false`.
  it('cancel() after close() rejects with TillkitAbortedError rather than resolving false', async () => {
    const s = setup()
    const payment = await s.orchestrator.sale(sale(1209))
    await pass(s.clock, 2_200)
    expect(payment.state).toBe('running')
    await s.orchestrator.close()
    const before = s.seen.length
    const cancel = watch(payment.cancel())
    await pass(s.clock, 1_000)
    expect(s.seen.length).toBe(before)
    expect(await cancel.result).toBeInstanceOf(TillkitAbortedError)
  })

  // README (Signatures): accept()/decline() resolve `false` only "if it was already answered". After
  // close() the question is unanswered and nothing can be sent: the call must reject (a typed
  // TillkitAbortedError), not tell the POS that someone answered already.
  it('accept() of an open signature question after close() rejects rather than resolving false', async () => {
    const s = setup()
    const payment = await s.orchestrator.sale(sale(1203))
    let question: SignatureRequiredEvent | undefined
    const reading = (async () => {
      for await (const event of payment as AsyncIterable<PaymentEvent>)
        if (event.type === 'signatureRequired') {
          question = event as SignatureRequiredEvent
          return
        }
    })()
    await drive(s.clock, reading, 60_000)
    await s.orchestrator.close()
    const before = s.seen.length
    const accept = watch(question!.accept())
    await pass(s.clock, 1_000)
    expect(s.seen.length).toBe(before)
    expect(await accept.result).toBeInstanceOf(TillkitAbortedError)
  })

  // README (close()): "Stops all work"; sale()/openTable() after it reject (`is closed`). recover()
  // after close() resolves [] although the journal holds an unfinished payment: the POS is told there
  // is nothing to resume. It must reject with a typed error, as the other calls do.
  it('recover() after close() rejects instead of resolving an empty list', async () => {
    const s = setup()
    const journal = createMemoryJournal()
    const till = s.restart(journal)
    await till.sale(sale(1209))
    await pass(s.clock, 2_200)
    await till.close()
    expect((await journal.unfinished()).length).toBe(1)
    const recovered = watch(till.recover())
    await flush()
    expect(await recovered.result).toBeInstanceOf(TillkitError)
  })
}, 20_000)

/**
 * Recovery at its edges: recover() called again while an outcome is still on its way to the
 * journal, and an Adyen payment resent after a 429 when the process dies. Each test states the rule it holds the orchestrator to.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryJournal, type JournalStore } from '../src/index.js'
import { collect, drive, pass, sale, setup } from './harness.js'
import { pay as adyenPay, setupAdyen } from './adyen-harness.js'

/** A memory journal that refuses outcome records while `full()` says so (a full disk). */
function outcomeRefusing(full: () => boolean): JournalStore {
  const memory = createMemoryJournal()
  return {
    ...memory,
    append: async (record) => {
      if (full() && record.type === 'outcome') throw new Error('ENOSPC: no space left on device')
      return memory.append(record)
    },
  }
}

describe('recover() twice, with an outcome the journal has not taken yet', () => {
  // Expected: a payment this orchestrator already resumed (or started) and whose outcome record is
  // still being written again is not resumed a second time by a later recover(): the POS gets one
  // Payment per payment, its events once and one outcome. Requirement: "recover() on start-up
  // resumes every unfinished payment", README "recover() twice does not run a payment twice" /
  // "payments it had already resumed are handed over by the next call" (not resumed again), and
  // "Each event is delivered exactly once".
  it('Paymentsense REST: a recovered payment that settled while its outcome is refused is not resumed again', async () => {
    let full = false
    const journal = outcomeRefusing(() => full)
    const s = setup({ orchestrator: { journal } })
    const p = await s.orchestrator.sale(sale(1209))
    await pass(s.clock, 500)
    expect(p.ids.requestId).toBeDefined()
    await s.orchestrator.close()

    full = true
    const next = s.restart(journal)
    const [first] = await next.recover()
    const events = collect(first!)
    const outcome = await drive(s.clock, first!.outcome)
    expect(outcome.status).toBe('approved')
    await events.done
    const gets = s.seen.length

    // The POS calls recover() again (a retried start-up step, a second module at start-up).
    const again = await next.recover()
    const repeats = again.map((r) => collect(r))
    await pass(s.clock, 3_000)
    expect({
      resumedAgain: again.map((r) => r.id),
      eventsAgain: (await Promise.all(repeats.map((r) => r.list))).flat().map((e) => e.seq),
      requestsAgain: s.seen.length - gets,
    }).toEqual({ resumedAgain: [], eventsAgain: [], requestsAgain: 0 })
    await next.close()
  })
})

describe('Adyen: NotFound soon after a resend', () => {
  // Expected: a payment whose /sync may still be on its way to the terminal is not read as "never
  // reached the terminal": the adapter itself resends a payment refused with 429 for up to 60 s
  // after the intent (RESEND_WINDOW_MS), so a NotFound within the arrival window of that *send*
  // is asked again, and the payment ends as the terminal ran it (one charge, `approved`).
  // Requirement: "Adyen: TransactionStatus by SaleID+ServiceID (in progress -> ask again, not found
  // -> not charged)" and "the fake's ledger (never charged twice, never lost)". Resends are not
  // journaled: after a crash, a NotFound is trusted only once no resend can still be on its way.
  it('a crash while a 429-refused payment is being resent: recover() must not say "nothing charged" for a charged payment', async () => {
    const journal = createMemoryJournal()
    let hold = false
    let payments = 0
    // The network: a held request still reaches Adyen after the process is gone (a crash does
    // not recall bytes already sent), so it ignores the caller's abort signal.
    const fetch = async (request: Request): Promise<Response> => {
      const text = request.method === 'POST' ? await request.clone().text() : ''
      const payment = text.includes('"MessageCategory":"Payment"')
      if (payment) payments++
      if (payment && hold) {
        hold = false
        const copy = new Request(request.url, {
          method: request.method,
          headers: request.headers,
          body: text,
        })
        await s.clock.sleep(5_000)
        return s.cloud.fetch(copy)
      }
      return s.cloud.fetch(request)
    }
    const s = setupAdyen({ adapter: { fetch }, orchestrator: { journal } })
    s.cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 35,
      match: { method: 'POST' },
      times: 1,
    })
    const p = await s.orchestrator.sale(adyenPay(1250))
    await pass(s.clock, 1_000, 250)
    expect(payments).toBe(1)
    hold = true
    // Wait for the adapter's resend (same ServiceID) to leave, then the process dies.
    for (let i = 0; i < 400 && payments < 2; i++) await pass(s.clock, 250, 250)
    expect(payments).toBe(2)
    await s.orchestrator.close()
    await p.outcome.catch(() => {})
    // A quick restart.
    await pass(s.clock, 1_000, 250)
    const [resumed] = await s.restart(journal).recover()
    const outcome = await drive(s.clock, resumed!.outcome, 600_000, 250)
    await pass(s.clock, 60_000, 1_000)
    const charged = s.cloud.ledger.filter((e) => e.kind === 'sale' && e.result === 'approved')
    expect(charged).toHaveLength(1)
    expect({ status: outcome.status, reasonCode: outcome.reasonCode }).toEqual({
      status: 'approved',
      reasonCode: undefined,
    })
  })
})

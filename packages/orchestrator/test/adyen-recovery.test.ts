import { describe, expect, it } from 'vitest'
import { createMemoryJournal, type JournalStore } from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { collect, crashAfter, drive, flush, pass, settles, tempJournals } from './harness.js'
import { pay, POI, setupAdyen } from './adyen-harness.js'

const tempJournal = tempJournals('tillkit-adyen-')

/** Starts a payment, lets `ms` pass, then drops the orchestrator as a crash would. */
async function dropAfter(ms: number, amount: number, journal: JournalStore) {
  const s = setupAdyen({ orchestrator: { journal } })
  const payment = await s.orchestrator.sale(pay(amount))
  return { ...s, payment, delivered: await crashAfter(s, payment, ms) }
}

describe('Adyen recovery from a journal left by a dropped orchestrator', () => {
  it('asks TransactionStatus by SaleID and ServiceID until the payment is over; events resume exactly once', async () => {
    const journal = createMemoryJournal()
    // The slow card: the terminal waits 30 s for it.
    const { clock, cloud, payment, delivered, restart, sent } = await dropAfter(
      1_000,
      1213,
      journal,
    )
    expect(delivered.map((e) => e.raw)).toEqual(['TENDER_CREATED'])
    const second = restart(journal)
    const [resumed, ...others] = await second.recover()
    expect(others).toEqual([])
    expect(resumed!.id).toBe(payment.id)
    expect(resumed!.recovered).toBe(true)
    expect(resumed!.ids).toEqual(payment.ids)
    const after = collect(resumed!)
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome.status).toBe('approved')
    const rest = await after.done
    expect(rest.map((e) => e.raw)).toEqual([
      'CARD_INSERTED',
      'WAIT_FOR_PIN',
      'PIN_ENTERED',
      'PRINT_RECEIPT',
      { Result: 'Success' },
    ])
    expect(rest.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6])
    // Asked at once, then every 10 s while in progress; the payment itself was never sent again.
    const asked = sent('TransactionStatus')
    expect(asked.length).toBeGreaterThanOrEqual(3)
    expect(asked.every((r) => r.about === payment.ids.serviceId)).toBe(true)
    expect(asked[1]!.at - asked[0]!.at).toBe(10_000)
    expect(sent('Payment')).toHaveLength(1)
    expect(cloud.ledger.map((e) => e.serviceId)).toEqual([payment.ids.serviceId])
    expect(outcome.providerIds.poiTransactionId).toBe(cloud.ledger[0]!.poiTransactionId)
    expect(await journal.unfinished()).toEqual([])
    expect((await journal.get(payment.id))?.outcome?.status).toBe('approved')
    expect(await restart(journal).recover()).toEqual([])
  })

  it('a payment that finished while no process ran is read at the first status request', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, restart, sent } = await dropAfter(500, 1250, journal)
    await pass(clock, 60_000)
    expect(cloud.ledger).toHaveLength(1)
    const [resumed] = await restart(journal).recover()
    const events = collect(resumed!)
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'approved', amounts: { approved: 1250 } })
    expect(sent('TransactionStatus')).toHaveLength(1)
    // The display events were sent while nobody listened: only the answer is left to tell.
    expect((await events.done).map((e) => e.type)).toEqual(['finished'])
  })

  it('a payment that never reached Adyen is NotFound: failed, not charged, not sent again', async () => {
    const journal = createMemoryJournal()
    const s = setupAdyen({ orchestrator: { journal } })
    // The request is still on its way (slow network) when the process goes away.
    s.cloud.faults.add({ kind: 'latency', ms: 5_000, times: 1 })
    const payment = await s.orchestrator.sale(pay(1250))
    await pass(s.clock, 1_000)
    await s.orchestrator.close()
    await pass(s.clock, 10_000)
    const [resumed] = await s.restart(journal).recover()
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-found' })
    expect(outcome.reason).toMatch(/nothing was charged/)
    expect(outcome.providerIds).toEqual(payment.ids)
    expect(s.sent('Payment')).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(0)
  })

  it('an intent journaled while its start still waited for its turn: failed (not sent), never sent', async () => {
    const journal = createMemoryJournal()
    const s = setupAdyen({ adapter: { spacingMs: 60_000 }, orchestrator: { journal } })
    const first = await s.orchestrator.sale(pay(1250))
    const queued = await s.orchestrator.sale(pay(1350, { terminal: 'V400m-100000002' }))
    await pass(s.clock, 1_000)
    expect(queued.state).toBe('queued')
    await s.orchestrator.close()
    const resumed = await s.restart(journal).recover()
    expect(resumed.map((p) => p.id).sort()).toEqual([first.id, queued.id].sort())
    const outcomes = await drive(s.clock, Promise.all(resumed.map((p) => p.outcome)))
    const byId = new Map(outcomes.map((o) => [o.paymentId, o]))
    expect(byId.get(first.id)!.status).toBe('approved')
    // The journal shows its start never left: failed at once, without asking Adyen.
    expect(byId.get(queued.id)).toMatchObject({ status: 'failed', reasonCode: 'not-sent' })
    expect(s.sent('Payment').map((r) => r.serviceId)).toEqual([first.ids.serviceId])
    expect(s.cloud.ledger.map((e) => e.amount)).toEqual([1250])
  })

  it('a recovered payment can still be cancelled (Abort by its ServiceID)', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, payment, restart, sent } = await dropAfter(1_000, 1213, journal)
    const [resumed] = await restart(journal).recover()
    await pass(clock, 500)
    expect(await resumed!.cancel()).toBe(true)
    expect(sent('Abort')[0]!.about).toBe(payment.ids.serviceId)
    expect(await drive(clock, resumed!.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'aborted',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('after TransactionStatus has forgotten the payment it is unknown (expired), with the facts', async () => {
    const journal = createMemoryJournal()
    const { clock, cloud, payment, restart } = await dropAfter(500, 1250, journal)
    await clock.advance(49 * 3_600_000)
    await flush()
    const [resumed] = await restart(journal).recover()
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    expect(outcome.reconcile).toMatchObject({
      provider: 'adyen',
      terminal: POI,
      amount: 1250,
      currency: 'EUR',
      reference: 'order-1250',
      providerIds: payment.ids,
      lastEvent: 'TENDER_CREATED',
    })
    const check = outcome.reconcile!.check.join(' ')
    expect(check).toContain(`ServiceID ${payment.ids.serviceId}`)
    expect(check).toContain('merchant reference order-1250')
    // It did take money: exactly why a NotFound this late is not read as "not charged".
    expect(cloud.ledger).toHaveLength(1)
  })

  it('works from a file journal: the ids written before the start survive the process', async () => {
    const path = await tempJournal()
    const journal = await createFileJournal(path)
    const s = setupAdyen({ orchestrator: { journal } })
    const { clock, cloud, restart } = s
    const payment = await s.orchestrator.sale(pay(1213))
    // The file's syncs take real time, which the manual clock does not wait for: the payment is
    // dropped once its start has left (`sending` is journaled, synced, before it does).
    await settles(() => s.sent('Payment').length > 0)
    await crashAfter(s, payment, 1_000)
    await journal.close?.()
    const reopened = await createFileJournal(path)
    const [resumed] = await restart(reopened).recover()
    expect(resumed!.ids).toEqual(payment.ids)
    expect((await drive(clock, resumed!.outcome)).status).toBe('approved')
    expect(cloud.ledger).toHaveLength(1)
    await reopened.close?.()
  })
})

/**
 * Several payments at once: on one terminal (busy), on two terminals of one account, and across
 * providers in one orchestrator; cancels and recovery with more than one payment unfinished.
 * Each test names the rule (README / provider FACTS) it holds the orchestrator to.
 */
import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud as createPsCloud } from '@tillkit/paymentsense/mock'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type Outcome,
  type Payment,
  type PaymentEvent,
} from '../src/index.js'
import {
  paymentsenseAdapter,
  paymentsenseWebSocketAdapter,
  type PaymentsenseWebSocketAdapterOptions,
} from '../src/paymentsense.js'
import { adyenAdapter } from '../src/adyen.js'
import { payrocAdapter } from '../src/payroc.js'
import { createFakeCloud as createAdyenCloud } from '@tillkit/adyen/mock'
import { createFakeCloud as createPayrocCloud } from '@tillkit/payroc/mock'
import { collect, drive, pass, sale, setup } from './harness.js'
import { pay as adyenPay, POI, POI_2, setupAdyen } from './adyen-harness.js'
import { payment as payrocPayment, payrocSetup, requests, SUBMIT } from './payroc-harness.js'
import * as sc from './smartconnect-harness.js'
import * as ws from './paymentsense-ws-harness.js'

/** An orchestrator with one Paymentsense WebSocket account on the given socket class. */
const wsTill = (
  clock: ManualClock,
  WebSocket: PaymentsenseWebSocketAdapterOptions['WebSocket'],
  more: Partial<PaymentsenseWebSocketAdapterOptions> = {},
) =>
  createOrchestrator({
    accounts: {
      shop: paymentsenseWebSocketAdapter({
        account: 'acme',
        environment: 'test',
        apiKey: ws.KEY,
        softwareHouseId: 'SWH',
        installerId: 'INST',
        WebSocket,
        random: () => 0.5,
        ...more,
      }),
    },
    clock,
  })

const TID_2 = '22160002'
const DEVICE_2 = 'PAXA920-0002'

/** Every event of a stream belongs to its payment. */
const own = (payment: Payment, events: PaymentEvent[]) =>
  expect(events.every((e) => e.paymentId === payment.id)).toBe(true)

// ---- busy terminal ----------------------------------------------------------------------------

describe('a second payment on a busy terminal', () => {
  // Expected (README, Paymentsense WebSocket: "Each terminalNotification of the payment's
  // terminal is an event ... while the payment's request is open"; the task: a busy refusal's
  // events stay with the payment that runs). Here A's answer timed out (paymentTimeoutMs), so A is
  // watched by terminalDetails while the terminal still runs it. B is sent to the same terminal
  // and Connect refuses it busy; its request takes 300 ms to reach Connect (an ordinary network).
  // While B's request is open, A's PIN_ENTRY is pushed: the adapter hands it to B
  // (src/adapters/paymentsense-ws.ts runningOn: "the oldest still awaiting"), so the refused B
  // shows the other customer's card progress.
  it("WS: a busy refusal still on its way does not take the running payment's notifications as its own", async () => {
    const clock = createManualClock()
    const cloud = createPsCloud({ clock, apiKeys: [ws.KEY] })
    const Base = cloud.WebSocket
    class Slow extends Base {
      override send(data: string): void {
        void clock.sleep(300).then(() => super.send(data))
      }
    }
    const till = wsTill(clock, Slow, { paymentTimeoutMs: 10_000 })
    const a = await till.sale(ws.sale(1209)) // card at 0.4 s, PIN entry at ~20.4 s
    const aEvents = collect(a)
    await pass(clock, 20_500)
    const b = await till.sale(ws.sale(1250, { reference: 'second' }))
    const bEvents = collect(b)
    const bOutcome = await drive(clock, b.outcome)
    expect(bOutcome).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    const aOutcome = await drive(clock, a.outcome)
    const bList = await bEvents.done
    own(b, bList)
    // B never ran: it has no progress of its own on the terminal, only its end.
    expect(bList.map((e) => String(e.raw))).not.toContain('PIN_ENTRY')
    expect(bList.filter((e) => e.type !== 'finished' && e.type !== 'other')).toEqual([])
    expect((await aEvents.done).length).toBeGreaterThan(0)
    expect(['approved', 'unknown']).toContain(aOutcome.status)
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1209])
    await till.close()
  })

  // The other way round: A's connection dropped, so its answer is lost and A is watched
  // (terminalDetails, every 10 s here), but the terminal has finished A. B, sent now, starts: its
  // TRANSACTION_STARTED says the terminal runs B, so B's events are its own from the first.
  it('WS: after a lost answer, a payment the terminal starts has its events from its TRANSACTION_STARTED on', async () => {
    const clock = createManualClock()
    const cloud = createPsCloud({ clock, apiKeys: [ws.KEY] })
    cloud.faults.add({ kind: 'dropConnection', notification: 'PIN_ENTRY', times: 1 })
    const till = wsTill(clock, cloud.WebSocket, { cadenceMs: 10_000 })
    const a = await till.sale(ws.sale(1209))
    let aSettled = false
    void a.outcome.then(() => (aSettled = true))
    while (cloud.ledger.length === 0) await pass(clock, 100)
    await pass(clock, 2_000) // the card removed: the terminal is free, A not yet seen so
    expect(aSettled).toBe(false)
    const b = await till.sale(ws.sale(1250, { reference: 'second' }))
    const bEvents = collect(b)
    expect(await drive(clock, b.outcome)).toMatchObject({ status: 'approved' })
    const bList = await bEvents.done
    own(b, bList)
    expect(bList.map((e) => e.raw)).toEqual(
      expect.arrayContaining(['TRANSACTION_STARTED', 'TRANSACTION_FINISHED']),
    )
    expect(bList[0]).toMatchObject({ type: 'started', raw: 'TRANSACTION_STARTED' })
    expect(bList.length).toBeGreaterThan(3)
    await drive(clock, a.outcome)
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1209, 1250])
    await till.close()
  })

  // Same setting: B.cancel() while B's busy refusal is on its way, after A's PIN_ENTRY came. The
  // README (Paymentsense WebSocket, Cancel): "Connect cancels whatever the terminal runs, so a
  // payment whose answer was lost is not cancelled from the POS ... the terminal may be running
  // someone else's payment by then". B's cancel must never stop A on the terminal. Today B's
  // route is "running" once A's PIN_ENTRY reaches it (runningOn hands it to B), so cancel() sends
  // cancelTransaction for the terminal: A, which would have been approved, ends cancelled.
  it('WS: cancelling the refused payment does not cancel the payment the terminal runs', async () => {
    const clock = createManualClock()
    const cloud = createPsCloud({ clock, apiKeys: [ws.KEY] })
    const Base = cloud.WebSocket
    const sent: string[] = []
    class Slow extends Base {
      override send(data: string): void {
        sent.push(String(JSON.parse(data).method))
        void clock.sleep(300).then(() => super.send(data))
      }
    }
    const till = wsTill(clock, Slow, { paymentTimeoutMs: 10_000 })
    const a = await till.sale(ws.sale(1209))
    await pass(clock, 20_500)
    const b = await till.sale(ws.sale(1250, { reference: 'second' }))
    await pass(clock, 250) // A's PIN_ENTRY has arrived; B's refusal not yet
    const cancelled = b.cancel()
    expect(await drive(clock, b.outcome)).toMatchObject({ status: 'failed' })
    expect(await drive(clock, cancelled)).toBe(false)
    const aOutcome = await drive(clock, a.outcome)
    await pass(clock, 60_000)
    // A, the customer actually at the terminal, is not stopped by B's cancel.
    expect(aOutcome.status).toBe('approved')
    expect(cloud.ledger.map((e) => `${e.amount} ${e.result}`)).toEqual(['1209 SUCCESSFUL'])
    expect(sent).not.toContain('cancelTransaction')
    await till.close()
  })

  // Expected (README, Payroc: "It decides only when the `orderId` names a single payment, made
  // after this one started, for this amount ... A POS that reuses its references (a split bill, a
  // retry after a decline) gets no decision"). Two guests split a bill in equal halves, same order
  // reference, at once on one device. B's submit meets a 503 (nothing made); A goes to the device;
  // B's replays are refused 409 while the device is busy (first with A, then with the next
  // customer's sale C) and B searches by orderId: A's payment is found (single, after B started,
  // same amount) and B is settled approved with A's paymentId. One charge, two approvals: the POS
  // believes the bill is paid twice over (src/adapters/payroc.ts searchAfter: "made after this one
  // started" cannot tell a concurrent same-reference payment of this process from this one).
  it('Payroc: a same-reference payment made after this one started is not taken for it', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({
      kind: 'status',
      status: 503,
      match: { method: 'POST', path: SUBMIT },
      times: 1,
    })
    const b = await s.orchestrator.sale(payrocPayment(4999, { reference: 'bill-9' }))
    const a = await s.orchestrator.sale(payrocPayment(4999, { reference: 'bill-9' }))
    const aOutcome = await drive(s.clock, a.outcome)
    expect(aOutcome.status).toBe('approved')
    // The till is busy: the next customer's sale (another order, a slow card) takes the device.
    const c = await s.orchestrator.sale(payrocPayment(1206, { reference: 'order-next' }))
    const bOutcome = await drive(s.clock, b.outcome)
    await drive(s.clock, c.outcome)
    const charged = s.cloud.ledger.filter((e) => e.orderId === 'bill-9')
    // Each outcome approved must be its own charge: two approvals need two charges.
    const approved = [aOutcome, bOutcome].filter((o) => o.status === 'approved')
    expect(approved.length).toBeLessThanOrEqual(charged.length)
    expect(bOutcome.providerIds.paymentId).not.toBe(aOutcome.providerIds.paymentId)
  })

  // The same reference a day later (a reused order number): the earlier payment is no longer a
  // twin, so the search is made and, nothing found, the refused replay is sent again until the
  // device is free; the payment then runs and is approved.
  it('Payroc: a same-reference payment from more than a day before does not stop the search', async () => {
    const s = payrocSetup()
    const x = await s.orchestrator.sale(payrocPayment(4999, { reference: 'bill-9' }))
    expect((await drive(s.clock, x.outcome)).status).toBe('approved')
    await s.clock.advance(25 * 3_600_000)
    // The next customer's slow sale takes the device; then B's submit meets a 503 (nothing made).
    const c = await s.orchestrator.sale(payrocPayment(1206, { reference: 'order-next' }))
    await pass(s.clock, 2_000)
    s.cloud.faults.add({
      kind: 'status',
      status: 503,
      match: { method: 'POST', path: SUBMIT },
      times: 1,
    })
    const b = await s.orchestrator.sale(payrocPayment(4999, { reference: 'bill-9' }))
    const bOutcome = await drive(s.clock, b.outcome)
    await drive(s.clock, c.outcome)
    expect(bOutcome.status).toBe('approved')
    expect(s.cloud.ledger.filter((e) => e.orderId === 'bill-9')).toHaveLength(2)
  })

  // README (API): `reference` is "the POS's own (1 to 64 characters)"; nothing says two running
  // payments may not share it, and Payroc's section expects reuse. Both are taken; on a busy
  // terminal the second fails busy; the first's outcome keeps its own reference and events.
  it('the same reference twice at once is not refused; on a busy terminal the second fails, nothing mixed', async () => {
    const { clock, cloud, orchestrator } = setup()
    const a = await orchestrator.sale(sale(1209, { reference: 'same' }))
    const b = await orchestrator.sale(sale(1250, { reference: 'same' }))
    const aEvents = collect(a)
    const bEvents = collect(b)
    const bOutcome = await drive(clock, b.outcome)
    const aOutcome = await drive(clock, a.outcome)
    expect(bOutcome).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    expect(aOutcome).toMatchObject({ status: 'approved', amounts: { requested: 1209 } })
    expect(aOutcome.providerIds.requestId).toBe(cloud.ledger[0]!.requestId)
    own(a, await aEvents.done)
    const bList = await bEvents.done
    own(b, bList)
    expect(bList).toEqual([])
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1209])
  })
})

// ---- two terminals of one account --------------------------------------------------------------

describe('two terminals of one account', () => {
  it('REST: both complete, spacing kept, events not crossed; cancel of A stops only A', async () => {
    const { clock, cloud, orchestrator, seen, dispatched } = setup()
    const a = await orchestrator.sale(sale(1209))
    const b = await orchestrator.sale(sale(1309, { terminal: TID_2 }))
    const c = await orchestrator.sale(sale(1250, { terminal: '22160001', reference: 'c' }))
    const [ae, be] = [collect(a), collect(b)]
    await pass(clock, 3_000)
    expect(await drive(clock, a.cancel())).toBe(true)
    expect(await drive(clock, a.outcome)).toMatchObject({ status: 'cancelled' })
    expect(await drive(clock, b.outcome)).toMatchObject({
      status: 'approved',
      amounts: { requested: 1309 },
    })
    expect(await drive(clock, c.outcome)).toMatchObject({ reasonCode: 'terminal-busy' })
    own(a, await ae.done)
    own(b, await be.done)
    expect(cloud.ledger.map((e) => `${e.tid} ${e.amount}`)).toEqual([`${TID_2} 1309`])
    const deletes = seen.filter((r) => r.method === 'DELETE')
    expect(deletes.length).toBeGreaterThan(0)
    expect(deletes.every((r) => r.path.includes(a.ids.requestId!))).toBe(true)
    // Spacing: every request of the account leaves >= 100 ms after the previous one was sent.
    const sends = dispatched.map((d) => d.sentAt)
    for (let i = 1; i < sends.length; i++)
      expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(100)
  })

  it('WS: a cancel of A (cancelTransaction on its terminal) leaves B on the other terminal running', async () => {
    const s = ws.setup()
    const a = await s.orchestrator.sale(ws.sale(1209))
    const b = await s.orchestrator.sale(ws.sale(1309, { terminal: TID_2 }))
    const [ae, be] = [collect(a), collect(b)]
    await pass(s.clock, 3_000)
    expect(await drive(s.clock, a.cancel())).toBe(true)
    expect((await drive(s.clock, a.outcome)).status).toBe('cancelled')
    expect(await drive(s.clock, b.outcome)).toMatchObject({ status: 'approved' })
    own(a, await ae.done)
    const bList = await be.done
    own(b, bList)
    expect(bList.map((e) => e.type)).not.toContain('cancelling')
    const cancels = s.wire.sent.filter((m) => m.method === 'cancelTransaction')
    expect(cancels.map((m) => m.params?.tid)).toEqual([ws.TID])
    expect(s.cloud.ledger.map((e) => `${e.tid} ${e.amount}`)).toEqual([`${TID_2} 1309`])
    await s.orchestrator.close()
  })

  it('Adyen: an Abort of A names only A; B on the other POI is approved', async () => {
    const s = setupAdyen()
    const a = await s.orchestrator.sale(adyenPay(2013))
    const b = await s.orchestrator.sale(adyenPay(3013, { terminal: POI_2 }))
    const [ae, be] = [collect(a), collect(b)]
    await pass(s.clock, 1_000)
    expect(await drive(s.clock, a.cancel())).toBe(true)
    expect(await drive(s.clock, a.outcome)).toMatchObject({ status: 'cancelled' })
    expect(await drive(s.clock, b.outcome)).toMatchObject({ status: 'approved' })
    own(a, await ae.done)
    own(b, await be.done)
    expect(s.sent('Abort').map((r) => r.about)).toEqual([a.ids.serviceId])
    expect(s.cloud.ledger.map((e) => `${e.poiId} ${e.amount} ${e.result}`)).toEqual([
      `${POI_2} 3013 approved`,
    ])
  })

  it('Payroc: a DELETE of A names only A; B on the other device is approved', async () => {
    const s = payrocSetup()
    const a = await s.orchestrator.sale(payrocPayment(1206))
    const b = await s.orchestrator.sale(payrocPayment(1306, { terminal: DEVICE_2 }))
    const [ae, be] = [collect(a), collect(b)]
    await pass(s.clock, 2_000)
    expect(await drive(s.clock, a.cancel())).toBe(true)
    expect(await drive(s.clock, a.outcome)).toMatchObject({ status: 'cancelled' })
    expect(await drive(s.clock, b.outcome)).toMatchObject({ status: 'approved' })
    own(a, await ae.done)
    own(b, await be.done)
    const deletes = requests(s.cloud, 'DELETE', /\/payment-instructions\//)
    expect(deletes.map((r) => r.path)).toEqual([`/v1/payment-instructions/${a.ids.instructionId}`])
    expect(s.cloud.ledger.map((e) => `${e.serialNumber} ${e.amount}`)).toEqual([`${DEVICE_2} 1306`])
  })

  it('SmartConnect: two registers at once, each polled at its own URL; a busy second on one of them fails', async () => {
    const s = await sc.setup()
    const a = await s.orchestrator.sale(sc.sale(1209))
    const b = await s.orchestrator.sale(sc.sale(1309, { terminal: sc.OTHER }))
    const c = await s.orchestrator.sale(sc.sale(1250, { reference: 'c' }))
    const [ae, be] = [collect(a), collect(b)]
    expect(await drive(s.clock, c.outcome)).toMatchObject({ reasonCode: 'terminal-busy' })
    const [ao, bo] = [await drive(s.clock, a.outcome), await drive(s.clock, b.outcome)]
    expect(ao).toMatchObject({ status: 'approved', amounts: { total: 1209 }, terminal: sc.TID })
    expect(bo).toMatchObject({ status: 'approved', amounts: { total: 1309 }, terminal: sc.OTHER })
    own(a, await ae.done)
    own(b, await be.done)
    expect(s.cloud.ledger.map((e) => `${e.deviceId} ${e.amount}`).sort()).toEqual([
      `${sc.TID} 1209`,
      `${sc.OTHER} 1309`,
    ])
  })
})

// ---- recovery with two unfinished payments ---------------------------------------------------

describe('recover() with two unfinished payments on one account', () => {
  it('REST: A polled from its requestId, B (busy refusal lost) unknown lost-start with its own facts', async () => {
    const journal = createMemoryJournal()
    const s = setup({ orchestrator: { journal } })
    const a = await s.orchestrator.sale(sale(1209))
    await pass(s.clock, 1_000)
    s.cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'POST' }, times: 1 })
    const b = await s.orchestrator.sale(sale(1250, { reference: 'second' }))
    await pass(s.clock, 2_000)
    await s.orchestrator.close()
    const resumed = await s.restart(journal).recover()
    const ra = resumed.find((p) => p.id === a.id)!
    const rb = resumed.find((p) => p.id === b.id)!
    const [ao, bo] = [await drive(s.clock, ra.outcome), await drive(s.clock, rb.outcome)]
    expect(ao).toMatchObject({ status: 'approved', providerIds: { requestId: a.ids.requestId } })
    expect(bo).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(bo.providerIds.requestId).toBeUndefined()
    expect(bo.reconcile?.amount).toBe(1250)
    expect(bo.reconcile?.lastEvent).toBeUndefined()
    expect(s.seen.filter((r) => r.method === 'POST')).toHaveLength(2)
    expect(s.cloud.ledger.map((e) => e.amount)).toEqual([1209])
  })

  it('Adyen: A InProgress then approved, B (refused Busy, answer not in) failed terminal-busy, each by its ServiceID', async () => {
    const journal = createMemoryJournal()
    const s = setupAdyen({ orchestrator: { journal } })
    const a = await s.orchestrator.sale(adyenPay(1213))
    await pass(s.clock, 500)
    s.cloud.faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    const b = await s.orchestrator.sale(adyenPay(1250, { reference: 'second' }))
    await pass(s.clock, 1_000)
    await s.orchestrator.close()
    const resumed = await s.restart(journal).recover()
    const ra = resumed.find((p) => p.id === a.id)!
    const rb = resumed.find((p) => p.id === b.id)!
    const bo = await drive(s.clock, rb.outcome)
    const ao = await drive(s.clock, ra.outcome)
    expect(ao).toMatchObject({ status: 'approved', providerIds: { serviceId: a.ids.serviceId } })
    expect(bo).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    expect(bo.providerIds.serviceId).toBe(b.ids.serviceId)
    const asked = s.sent('TransactionStatus').map((r) => r.about)
    expect(new Set(asked)).toEqual(new Set([a.ids.serviceId, b.ids.serviceId]))
    expect(s.sent('Payment')).toHaveLength(2)
    expect(s.cloud.ledger.map((e) => `${e.serviceId} ${e.amount}`)).toEqual([
      `${a.ids.serviceId} 1213`,
    ])
  })

  it('SmartConnect: two registers running at the drop, each resumed from its own polling URL', async () => {
    const journal = createMemoryJournal()
    const s = await sc.setup({ orchestrator: { journal } })
    const a = await s.orchestrator.sale(sc.sale(1209))
    const b = await s.orchestrator.sale(sc.sale(1309, { terminal: sc.OTHER }))
    await pass(s.clock, 1_500)
    await s.orchestrator.close()
    const resumed = await s.restart(journal).recover()
    expect(resumed.map((p) => p.id).sort()).toEqual([a.id, b.id].sort())
    const ra = resumed.find((p) => p.id === a.id)!
    const rb = resumed.find((p) => p.id === b.id)!
    const ao = await drive(s.clock, ra.outcome)
    const bo = await drive(s.clock, rb.outcome)
    expect(ao).toMatchObject({ status: 'approved', amounts: { total: 1209 } })
    expect(bo).toMatchObject({ status: 'approved', amounts: { total: 1309 } })
    expect(s.seen.filter((r) => r.method === 'POST')).toHaveLength(2)
    expect(s.cloud.ledger.map((e) => `${e.deviceId} ${e.amount}`).sort()).toEqual(
      [`${sc.TID} 1209`, `${sc.OTHER} 1309`].sort(),
    )
  })

  it('WS: A and B on two terminals, both left running: each unknown (lost-start) naming its own terminal', async () => {
    const s = ws.setup()
    const a = await s.orchestrator.sale(ws.sale(1209))
    const b = await s.orchestrator.sale(ws.sale(1309, { terminal: TID_2 }))
    await pass(s.clock, 3_000)
    await s.orchestrator.close()
    const resumed = await s.restart().recover()
    const ra = resumed.find((p) => p.id === a.id)!
    const rb = resumed.find((p) => p.id === b.id)!
    const ao = await drive(s.clock, ra.outcome)
    const bo = await drive(s.clock, rb.outcome)
    expect(ao).toMatchObject({ status: 'unknown', reasonCode: 'lost-start', terminal: ws.TID })
    expect(bo).toMatchObject({ status: 'unknown', reasonCode: 'lost-start', terminal: TID_2 })
    expect(ao.reason).toContain(ws.TID)
    expect(bo.reason).toContain(TID_2)
    expect(s.payments()).toHaveLength(2)
    await pass(s.clock, 60_000)
  })
})

// ---- one orchestrator, several providers -----------------------------------------------------

describe('one orchestrator, many payments across providers, with faults', () => {
  it('every payment ends with an outcome its fake ledger agrees with: no double charge, none lost', async () => {
    const clock = createManualClock()
    const ps = createPsCloud({ clock, apiKeys: ['test-api-key', ws.KEY] })
    const ad = createAdyenCloud({ clock })
    const pr = createPayrocCloud({ clock })
    const connect = { environment: 'test', softwareHouseId: 'SWH', installerId: 'INST' } as const
    const till = createOrchestrator({
      accounts: {
        rest: paymentsenseAdapter({
          ...connect,
          account: 'acme',
          apiKey: 'test-api-key',
          fetch: ps.fetch,
        }),
        sock: paymentsenseWebSocketAdapter({
          ...connect,
          account: 'acme',
          apiKey: ws.KEY,
          WebSocket: ps.WebSocket,
          random: () => 0.5,
        }),
        adyen: adyenAdapter({
          apiKey: 'test-api-key',
          environment: 'test',
          transport: 'device-api',
          merchantAccount: 'TillkitShop',
          saleId: 'till-1',
          fetch: ad.fetch,
        }),
        payroc: payrocAdapter({
          apiKey: 'test-api-key',
          environment: 'test',
          processingTerminalId: '1234001',
          fetch: pr.fetch,
        }),
      },
      clock,
    })
    ps.faults.add({ kind: 'lostResponse', match: { method: 'GET' }, times: 3 })
    ad.faults.add({ kind: 'status', status: 502, times: 1 })
    pr.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: SUBMIT }, times: 1 })
    const plan: Array<[string, string, string, number]> = [
      ['rest', '22160001', 'GBP', 1250],
      ['rest', '22160002', 'GBP', 1351],
      ['rest', '22160001', 'GBP', 1452], // busy
      ['sock', '22160003', 'EUR', 1553],
      ['adyen', POI, 'EUR', 1654],
      ['adyen', POI_2, 'EUR', 1755],
      ['adyen', POI, 'EUR', 1856], // busy
      ['payroc', 'PAXA920-0001', 'USD', 1957],
      ['payroc', DEVICE_2, 'USD', 2058],
      ['payroc', 'PAXA920-0001', 'USD', 2159], // busy
    ]
    const payments: Payment[] = []
    for (const [account, terminal, currency, amount] of plan)
      payments.push(
        await till.sale({ account, terminal, currency, amount, reference: `o-${amount}` }),
      )
    const outcomes: Outcome[] = []
    for (const p of payments) outcomes.push(await drive(clock, p.outcome))
    await pass(clock, 30_000)
    const charged = (amount: number) =>
      [
        ...ps.ledger.filter((e) => e.result === 'SUCCESSFUL'),
        ...ad.ledger.filter((e) => e.result === 'approved'),
        ...pr.ledger.filter((e) => e.authorizedAmount > 0),
      ].filter((e) => e.amount === amount).length
    const table = outcomes.map(
      (o) => `${o.amounts.requested} ${o.status} ${charged(o.amounts.requested!)}`,
    )
    for (const o of outcomes) {
      const n = charged(o.amounts.requested!)
      if (o.status === 'approved') expect(n, table.join('; ')).toBe(1)
      else if (o.status === 'unknown') expect(n).toBeLessThanOrEqual(1)
      else expect(n, table.join('; ')).toBe(0)
    }
    // Two sales on one terminal at once: whichever the terminal took is approved, the other is
    // refused busy (which one depends on the faults: a start sent again comes after the other).
    for (const [x, y] of [
      [0, 2],
      [4, 6],
      [7, 9],
    ] as const)
      expect([outcomes[x]!.status, outcomes[y]!.status].sort(), table.join('; ')).toEqual([
        'approved',
        'failed',
      ])
    expect(outcomes.filter((o) => o.status === 'approved').length).toBeGreaterThanOrEqual(6)
    await till.close()
  })
})

import { describe, expect, it } from 'vitest'
import type { FakeCloud } from '@tillkit/adyen/mock'
import type { Outcome } from '../src/index.js'
import { ARRIVAL_WINDOW_MS } from '../src/adyen.js'
import { collect, drive, pass } from './harness.js'
import { json, pay, POI, setupAdyen, type Seen } from './adyen-harness.js'

/**
 * The ledger against the outcomes: nothing charged twice (one acquirer entry per ServiceID at
 * most), every approved payment charged once, nothing charged for any other outcome.
 */
function reconciles(cloud: FakeCloud, outcomes: readonly Outcome[], payments: readonly Seen[]) {
  const serviceIds = cloud.ledger.map((e) => e.serviceId)
  expect(new Set(serviceIds).size).toBe(serviceIds.length)
  for (const outcome of outcomes) {
    const charged = cloud.ledger.filter(
      (e) => e.serviceId === outcome.providerIds.serviceId && e.result === 'approved',
    )
    expect(charged, `${outcome.reference} ${outcome.status}`).toHaveLength(
      outcome.status === 'approved' ? 1 : 0,
    )
    if (outcome.status === 'approved') expect(outcome.amounts.approved).toBe(charged[0]!.amount)
    // Each payment was sent once; again only after Adyen refused it unprocessed (429).
    const sends = payments.filter((r) => r.serviceId === outcome.providerIds.serviceId)
    expect(sends.slice(0, -1).every((r) => r.status === 429)).toBe(true)
  }
}

describe('Adyen fault runs: nothing charged twice, nothing lost', () => {
  it('a lost payment answer is found by TransactionStatus, never paid again', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'approved', amounts: { approved: 1250 } })
    expect(outcome.providerIds.poiTransactionId).toBe(cloud.ledger[0]!.poiTransactionId)
    // The answer was lost at 2.5 s; the first poll, 10 s after the start, asked at once.
    const [asked, ...more] = sent('TransactionStatus')
    expect(more).toEqual([])
    expect(asked!.at - sent('Payment')[0]!.at).toBe(10_000)
    expect((await events.done).map((e) => e.raw)).toEqual([
      'TENDER_CREATED',
      'CARD_INSERTED',
      'WAIT_FOR_PIN',
      'PIN_ENTERED',
      'PRINT_RECEIPT',
      { Result: 'Success' },
    ])
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it("an answer that never comes is waited for past Adyen's 150 s limit, then looked up", async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    await pass(clock, 150_000)
    // The first poll waits on the open answer instead of asking while it may still come.
    expect(sent('TransactionStatus')).toHaveLength(0)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const [asked] = sent('TransactionStatus')
    expect(asked!.at - sent('Payment')[0]!.at).toBeGreaterThanOrEqual(180_000)
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('a connection cut while the terminal works: asked again while in progress, then approved', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'dropConnection', afterMs: 1_000, times: 1 })
    const payment = await orchestrator.sale(pay(1213))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const asked = sent('TransactionStatus').map((r) => r.at - sent('Payment')[0]!.at)
    // In progress at 10, 20 and 30 s; the slow card's answer is there at 40 s.
    expect(asked).toEqual([10_000, 20_000, 30_000, 40_000])
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('a 5xx on the payment: TransactionStatus says it never reached the terminal, so failed and not charged', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'status', status: 502, times: 1 })
    const t0 = clock.now()
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-found' })
    // A NotFound so soon after the intent is asked again: the payment might still be on its way.
    const asked = sent('TransactionStatus').map((r) => r.at - t0)
    expect(asked.length).toBeGreaterThan(1)
    expect(asked.slice(0, -1).every((at) => at < ARRIVAL_WINDOW_MS)).toBe(true)
    expect(asked.at(-1)).toBeGreaterThanOrEqual(ARRIVAL_WINDOW_MS)
    expect(cloud.ledger).toHaveLength(0)
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('a 408 on the payment (a gateway gave up waiting): TransactionStatus, never failed; not found, so not charged', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'status', status: 408, times: 1 })
    const t0 = clock.now()
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(sent('TransactionStatus').at(-1)!.at - t0).toBeGreaterThanOrEqual(ARRIVAL_WINDOW_MS)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-found' })
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('status requests that fail (5xx, lost) are asked again with back-off', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    await pass(clock, 3_000)
    cloud.faults.add({ kind: 'status', status: 503, times: 2 })
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const asked = sent('TransactionStatus')
    expect(asked.map((r) => r.status)).toEqual([503, 503, undefined, 200])
    const gaps = asked.slice(1).map((r, i) => r.at - asked[i]!.at)
    expect(gaps).toEqual([10_000, 20_000, 30_000])
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('a 429 storm on status requests pauses the account as asked; every payment completes once', async () => {
    const terminals = ['A', 'B', 'C', 'D'].map((x) => `P400Plus-9${x}`)
    const { clock, cloud, orchestrator, seen, sent } = setupAdyen({
      cloud: { devices: terminals.map((poiId) => ({ poiId })) },
    })
    // Every answer is lost: all four are looked up, into a storm of 429s.
    cloud.faults.add({ kind: 'lostResponse', times: 4 })
    const payments = await Promise.all(
      terminals.map((terminal, i) => orchestrator.sale(pay(1250 + i * 100, { terminal }))),
    )
    await pass(clock, 3_000)
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 3, times: 10 })
    const outcomes = await drive(clock, Promise.all(payments.map((p) => p.outcome)))
    expect(outcomes.map((o) => o.status)).toEqual(['approved', 'approved', 'approved', 'approved'])
    expect(seen.filter((r) => r.status === 429)).toHaveLength(10)
    // Retry-After 3 s: after a 429 nothing of the account left for 3 s.
    // (Requests sent in the same instant as the refused one were already out.)
    for (const r of seen.filter((x) => x.status === 429))
      expect(seen.filter((x) => x.at > r.at && x.at < r.at + 3_000)).toEqual([])
    reconciles(cloud, outcomes, sent('Payment'))
  })

  it('a payment refused with 429 (unprocessed) is sent again, same ServiceID, after Retry-After', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 15, times: 2 })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const sends = sent('Payment')
    expect(sends.map((r) => r.status)).toEqual([429, 429, 200])
    expect(new Set(sends.map((r) => r.serviceId))).toEqual(new Set([payment.ids.serviceId]))
    // Never before Adyen's Retry-After (15 s, longer than the 10 s cadence); then at the cadence.
    const gaps = sends.slice(1).map((r, i) => r.at - sends[i]!.at)
    expect(gaps).toEqual([20_000, 20_000])
    expect(sent('TransactionStatus')).toHaveLength(0)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('still refused a minute after the intent: failed (rate-limited), never charged', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 1 })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'rate-limited' })
    const sends = sent('Payment')
    expect(sends).toHaveLength(5)
    expect(sends.at(-1)!.at - sends[0]!.at).toBeLessThan(60_000)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('cancelled while waiting to be sent again: cancelled, and never sent again', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 1, times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    await pass(clock, 1_000)
    expect(await payment.cancel()).toBe(true)
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'cancelled-before-start',
    })
    await pass(clock, 30_000)
    expect(sent('Payment')).toHaveLength(1)
    expect(sent('Abort')).toHaveLength(0)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a payment that did not leave (connection refused) is sent again; one charge', async () => {
    const { clock, cloud, orchestrator, seen } = setupAdyen()
    const original = cloud.fetch
    let refuse = 2
    cloud.fetch = async (request) => {
      if (refuse-- > 0) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
      return original(request)
    }
    const payment = await orchestrator.sale(pay(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(seen.map((r) => [r.category, r.status])).toEqual([
      ['Payment', undefined],
      ['Payment', undefined],
      ['Payment', 200],
    ])
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a payment that can never leave fails (not-sent) after five attempts', async () => {
    const { clock, cloud, orchestrator, seen } = setupAdyen()
    cloud.fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } })
    }
    const payment = await orchestrator.sale(pay(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-sent',
    })
    expect(seen).toHaveLength(5)
  })

  it('a terminal that drops off mid-payment: Reject, then status asked with back-off until it is back', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const payment = await orchestrator.sale(pay(1213))
    await pass(clock, 1_000)
    cloud.devices.setOnline(POI, false)
    await pass(clock, 120_000)
    expect(payment.state).toBe('running')
    const rejected = sent('TransactionStatus')
    expect(rejected.length).toBeGreaterThan(2)
    const gaps = rejected.slice(1).map((r, i) => r.at - rejected[i]!.at)
    expect(Math.max(...gaps)).toBe(30_000)
    cloud.devices.setOnline(POI, true)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('a terminal offline from the start: once it is back, NotFound says nothing was charged', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.devices.setOnline(POI, false)
    const payment = await orchestrator.sale(pay(1250))
    await pass(clock, 60_000)
    expect(payment.state).toBe('running')
    cloud.devices.setOnline(POI, true)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-found' })
    reconciles(cloud, [outcome], sent('Payment'))
  })

  it('status requests refused for good (401) settle unknown (unreadable), with advice', async () => {
    const { clock, cloud, orchestrator } = setupAdyen()
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    await pass(clock, 3_000)
    cloud.faults.add({ kind: 'status', status: 401 })
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.check[0]).toMatch(/Cloud Device API role/)
    expect(outcome.reconcile!.check.join(' ')).toContain(payment.ids.serviceId)
    // It was charged: the operator's check will find it.
    expect(cloud.ledger).toHaveLength(1)
  })

  it('status answers Adyen refuses, or that repeat something else, count as refusals too', async () => {
    let answered = 0
    const { clock, cloud, orchestrator } = setupAdyen({
      intercept: (message) => {
        const header = message.SaleToPOIRequest.MessageHeader
        if (header.MessageCategory !== 'TransactionStatus') return undefined
        const reply = { ...header, MessageType: 'Response' }
        const asked = (
          message.SaleToPOIRequest as { TransactionStatusRequest?: { MessageReference?: object } }
        ).TransactionStatusRequest?.MessageReference
        // First a refusal of the request itself, then a "processed" that repeats no payment.
        return json({
          SaleToPOIResponse: {
            MessageHeader: reply,
            TransactionStatusResponse:
              answered++ === 0
                ? { Response: { Result: 'Failure', ErrorCondition: 'MessageFormat' } }
                : {
                    Response: { Result: 'Success' },
                    MessageReference: asked,
                    RepeatedMessageResponse: {
                      MessageHeader: { ...reply, ...asked },
                      RepeatedResponseMessageBody: {},
                    },
                  },
          },
        })
      },
    })
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reason).toMatch(/repeated no payment response/)
    expect(answered).toBe(3)
  })

  it('a referenced refund whose answer is lost, or whose terminal is offline, is looked up as a Reversal', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const sale = await drive(clock, (await orchestrator.sale(pay(1250))).outcome)
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const lost = await orchestrator.refund(
      pay(250, { reference: 'refund-1', original: sale.providerIds }),
    )
    expect(await drive(clock, lost.outcome)).toMatchObject({
      status: 'approved',
      amounts: { approved: 250 },
    })
    cloud.devices.setOnline(POI, false)
    const offline = await orchestrator.refund(
      pay(300, { reference: 'refund-2', original: sale.providerIds }),
    )
    await pass(clock, 30_000)
    cloud.devices.setOnline(POI, true)
    expect(await drive(clock, offline.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-found',
    })
    const asked = sent('TransactionStatus')
    expect(asked.filter((r) => r.about === lost.ids.serviceId)).toHaveLength(1)
    expect(asked.filter((r) => r.about === offline.ids.serviceId).length).toBeGreaterThan(1)
    expect(cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([
      ['sale', 1250],
      ['reversal', 250],
    ])
    expect(sent('Reversal')).toHaveLength(2)
  })

  it('a mixed run: cut connections, lost answers, 5xx and 429s, duplicated webhooks; the ledger agrees', async () => {
    const terminals = Array.from({ length: 6 }, (_, i) => `P400Plus-8${i}`)
    const { clock, cloud, orchestrator, adapters, sent } = setupAdyen({
      cloud: { devices: terminals.map((poiId) => ({ poiId })) },
    })
    // A second delivery of every webhook, as a retrying sender would.
    cloud.notifications.register((body) => {
      for (const adapter of adapters) adapter.receive(body)
    })
    cloud.faults.add({ kind: 'dropConnection', afterMs: 700, times: 2 })
    cloud.faults.add({ kind: 'lostResponse', times: 3 })
    cloud.faults.add({ kind: 'status', status: 503, times: 2 })
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 1, times: 3 })
    const amounts = [1250, 1213, 1205, 1202, 1210, 1350]
    const outcomes: Outcome[] = []
    const eventsOf = new Map<string, unknown[]>()
    await drive(
      clock,
      Promise.all(
        terminals.map(async (terminal, i) => {
          for (const round of [0, 1]) {
            const payment = await orchestrator.sale(
              pay(amounts[(i + round) % amounts.length]!, {
                terminal,
                reference: `t${i}-r${round}`,
              }),
            )
            const events = collect(payment)
            outcomes.push(await payment.outcome)
            eventsOf.set(
              payment.ids.serviceId!,
              (await events.done).map((e) => e.raw),
            )
          }
        }),
      ),
    )
    expect(outcomes).toHaveLength(12)
    expect(outcomes.filter((o) => o.status === 'unknown')).toEqual([])
    reconciles(cloud, outcomes, sent('Payment'))
    // Each payment's events: what the terminal displayed, each once, in order, then the answer.
    for (const outcome of outcomes) {
      const serviceId = outcome.providerIds.serviceId!
      const shown = cloud.notifications.delivered
        .map(({ body }) => (body as { SaleToPOIRequest?: Record<string, any> }).SaleToPOIRequest)
        .filter((r) => r?.DisplayRequest && r.MessageHeader.ServiceID === serviceId)
        .map((r) =>
          new URLSearchParams(
            r!.DisplayRequest.DisplayOutput[0].OutputContent.OutputText[0].Text,
          ).get('event'),
        )
      const raws = eventsOf.get(serviceId)!
      if (outcome.reasonCode === 'not-found') expect(raws).toEqual([])
      else expect(raws).toEqual([...shown, expect.objectContaining({ Result: expect.any(String) })])
    }
  })
})

describe('an answer the client cannot read', () => {
  // The fake approves and charges; on the way back the approval's AmountsResp.Currency turns into
  // a value with no known minor units. That answer came back: the payment may be charged, so it is
  // never sent again and never settled `failed`.
  it('an approval in an unknown currency is not sent again, and does not end failed', async () => {
    let rewritten = false
    const { clock, cloud, orchestrator, sent } = setupAdyen({
      rewrite: (body) => {
        const amounts = body.SaleToPOIResponse?.PaymentResponse?.PaymentResult?.AmountsResp
        if (amounts && !rewritten) {
          rewritten = true
          amounts.Currency = 'eur'
        }
        return body
      },
    })
    const outcome = await drive(clock, (await orchestrator.sale(pay(1000))).outcome)
    expect(rewritten).toBe(true)
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.result])).toEqual([
      ['sale', 1000, 'approved'],
    ])
    expect(sent('Payment')).toHaveLength(1)
    expect(outcome.status).not.toBe('failed')
  })
})

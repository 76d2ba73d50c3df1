import { describe, expect, it } from 'vitest'
import { TillkitUnknownOutcomeError } from '@tillkit/core'
import type { PendingRequest, PoiTransaction } from '../src/index.js'
import { DEFAULT_DEVICES } from '../src/mock/index.js'
import { busy, drive, harness, POI, POI_2 } from './helpers.js'

async function paid(h: ReturnType<typeof harness>, amount = 5000, currency = 'EUR') {
  const outcome = await h.adyen.payment(
    h.nexo.payment({ poiId: POI, amount, currency, transactionId: 'sale' }),
  )
  if (outcome.status !== 'approved') throw new Error(outcome.status)
  return outcome.poiTransaction
}

describe('reversals (referenced refunds)', () => {
  it('in full, by Adyen reference alone: no card, booked against the sale', async () => {
    const h = harness()
    const original = await paid(h)
    const started = h.clock.now()
    const outcome = await h.adyen.reversal(h.nexo.reversal({ poiId: POI, original }))
    expect(outcome).toMatchObject({ status: 'reversed', amount: undefined })
    expect(h.clock.now() - started).toBe(1_000)
    if (outcome.status !== 'reversed') throw new Error('unreachable')
    expect(outcome.body.ReversedAmount).toBe(50)
    expect(outcome.additional.originalReference).toBe(original.TransactionID.split('.')[1])
    expect(h.cloud.ledger.map((e) => [e.kind, e.amount, e.original])).toEqual([
      ['sale', 5000, undefined],
      ['reversal', 5000, original.TransactionID],
    ])
  })

  it('in parts, amounts in minor units both ways; more than what is left is refused', async () => {
    const h = harness()
    const original = await paid(h, 5000, 'BHD')
    const part = (amount: number, poiId = POI) =>
      h.adyen.reversal(h.nexo.reversal({ poiId, original, amount, currency: 'BHD' }))
    expect(await part(1234)).toMatchObject({ status: 'reversed', amount: 1234 })
    // Any terminal of the merchant account may reverse it.
    expect(await part(3000, POI_2)).toMatchObject({ status: 'reversed', amount: 3000 })
    expect(await part(767)).toMatchObject({
      status: 'refused',
      errorCondition: 'NotAllowed',
      message: 'Amount exceeds what is left to reverse',
    })
    expect(await part(766)).toMatchObject({ status: 'reversed', amount: 766 })
    expect(h.cloud.ledger.filter((e) => e.kind === 'reversal').map((e) => e.amount)).toEqual([
      1234, 3000, 766,
    ])
  })

  it('a hand-built message reports the amount when told the currency', async () => {
    const h = harness()
    const original = await paid(h)
    const built = h.nexo.reversal({ poiId: POI, original, amount: 100, currency: 'EUR' })
    const copy = structuredClone(built)
    expect(await h.adyen.reversal(copy)).toMatchObject({ amount: undefined })
    const again = h.nexo.reversal({ poiId: POI, original, amount: 100, currency: 'EUR' })
    expect(await h.adyen.reversal(structuredClone(again), { currency: 'EUR' })).toMatchObject({
      amount: 100,
    })
  })

  it('of an unknown, declined or foreign payment is refused', async () => {
    const h = harness()
    const unknown: PoiTransaction = { TransactionID: 'T0.1', TimeStamp: '2026-01-01T00:00:00Z' }
    expect(
      await h.adyen.reversal(h.nexo.reversal({ poiId: POI, original: unknown })),
    ).toMatchObject({ status: 'refused', message: 'Original transaction not found' })
    const declined = await h.adyen.payment(
      h.nexo.payment({ poiId: POI, amount: 105, currency: 'EUR', transactionId: 'd' }),
    )
    const ref =
      declined.status === 'declined'
        ? declined.response.SaleToPOIResponse.PaymentResponse.POIData.POITransactionID
        : unknown
    expect(await h.adyen.reversal(h.nexo.reversal({ poiId: POI, original: ref }))).toMatchObject({
      status: 'refused',
    })
    // Another merchant account's terminal cannot reverse it.
    const original = await paid(h)
    const other = h.adyen.nexo({ saleId: 'other-till' })
    const foreign = await h.cloud.fetch(
      new Request(
        'https://device-api-test.adyen.com/v1/merchants/OtherShop/devices/P400Plus-200000001/sync',
        {
          method: 'POST',
          headers: { 'x-api-key': 'test-api-key' },
          body: JSON.stringify(other.reversal({ poiId: 'P400Plus-200000001', original })),
        },
      ),
    )
    expect(JSON.stringify(await foreign.json())).toContain('Original+transaction+not+found')
    expect(h.cloud.ledger.filter((e) => e.kind === 'reversal')).toEqual([])
  })

  it('a reversed amount with more decimals than the currency is a format error', async () => {
    const h = harness()
    const original = await paid(h, 5000, 'JPY')
    const message = h.nexo.reversal({ poiId: POI, original })
    message.SaleToPOIRequest.ReversalRequest.ReversedAmount = 10.5
    expect(await h.adyen.reversal(message)).toMatchObject({
      status: 'refused',
      errorCondition: 'MessageFormat',
    })
  })

  it('on a busy or offline terminal', async () => {
    const h = harness({ autoAdvance: false })
    const original = { TransactionID: 'T0.1', TimeStamp: '2026-01-01T00:00:00Z' }
    const payment = h.adyen.payment(
      h.nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 'a' }),
    )
    await busy(h.cloud, POI)
    expect(await h.adyen.reversal(h.nexo.reversal({ poiId: POI, original }))).toMatchObject({
      status: 'busy',
    })
    h.cloud.devices.setOnline(POI_2, false)
    expect(await h.adyen.reversal(h.nexo.reversal({ poiId: POI_2, original }))).toMatchObject({
      status: 'no-answer',
      body: undefined,
      event: { SaleToPOIRequest: { EventNotification: { EventToNotify: 'Reject' } } },
    })
    await h.clock.advance(5_000)
    await payment
  })

  it('two terminals reversing one sale at once: one is reversed, the other refused', async () => {
    const h = harness()
    const original = await paid(h)
    const both = await Promise.all(
      [POI, POI_2].map((poiId) => h.adyen.reversal(h.nexo.reversal({ poiId, original }))),
    )
    expect(both.map((r) => r.status).sort()).toEqual(['refused', 'reversed'])
    expect(both.find((r) => r.status === 'refused')).toMatchObject({ errorCondition: 'NotAllowed' })
    const reversals = h.cloud.ledger.filter((e) => e.kind === 'reversal')
    expect(reversals.map((e) => e.amount)).toEqual([5000])
  })

  it('a reversal the cloud gives up on while the acquirer books it lets its amount go again', async () => {
    // POI_2 is slow: 100 s a step, so its reversal outlives Adyen's 150 s processing limit.
    const h = harness({
      cloud: {
        devices: DEFAULT_DEVICES.map((d) => (d.poiId === POI_2 ? { ...d, stepMs: 100_000 } : d)),
      },
    })
    const original = await paid(h)
    const slow = await h.adyen.reversal(h.nexo.reversal({ poiId: POI_2, original }))
    expect(slow).toMatchObject({ status: 'refused', errorCondition: 'Cancel' })
    // Nothing was booked, and nothing of the sale is still held for it.
    const again = await h.adyen.reversal(h.nexo.reversal({ poiId: POI, original }))
    expect(again.status).toBe('reversed')
    expect(h.cloud.ledger.filter((e) => e.kind === 'reversal').map((e) => e.amount)).toEqual([5000])
  })

  it('an abort stops a reversal not yet booked', async () => {
    const h = harness({ autoAdvance: false })
    const original = await drive(h.clock, paid(h), 500)
    const message = h.nexo.reversal({ poiId: POI, original })
    const reversal = h.adyen.reversal(message)
    await busy(h.cloud, POI)
    await h.adyen.abort(
      h.nexo.abort({
        poiId: POI,
        abortServiceId: message.SaleToPOIRequest.MessageHeader.ServiceID,
        category: 'Reversal',
      }),
    )
    expect(await drive(h.clock, reversal, 500)).toMatchObject({
      status: 'refused',
      errorCondition: 'Aborted',
    })
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('a lost reversal answer is an unknown outcome, resolved by TransactionStatus', async () => {
    const h = harness()
    const original = await paid(h)
    h.cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const error = await h.adyen
      .reversal(h.nexo.reversal({ poiId: POI, original, amount: 2000, currency: 'EUR' }))
      .then(
        () => expect.unreachable(),
        (e: unknown) => e as TillkitUnknownOutcomeError<PendingRequest>,
      )
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error.known).toMatchObject({ category: 'Reversal', currency: 'EUR' })
    const status = await h.adyen.waitForTransactionStatus(h.nexo, error.known)
    expect(status).toMatchObject({
      status: 'processed',
      payment: undefined,
      reversal: { status: 'reversed', amount: 2000 },
    })
  })
})

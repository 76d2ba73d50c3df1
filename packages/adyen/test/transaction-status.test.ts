import { describe, expect, it } from 'vitest'
import { validateTransactionStatusResponse } from '../src/generated/nexo/transaction-status-response.validate.js'
import { busy, harness, POI } from './helpers.js'

describe('TransactionStatus', () => {
  it('answers not found, in progress, then processed with the original response repeated', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const message = nexo.payment({ poiId: POI, amount: 880, currency: 'GBP', transactionId: 't' })
    const serviceId = message.SaleToPOIRequest.MessageHeader.ServiceID
    const ask = () =>
      adyen.transactionStatus(nexo.transactionStatus({ poiId: POI, statusOf: serviceId }))

    expect(await ask()).toMatchObject({ status: 'not-found' })
    const payment = adyen.payment(message)
    await busy(cloud, POI)
    const running = await ask()
    expect(running.status).toBe('in-progress')
    await clock.advance(2_500)
    const direct = await payment
    const status = await ask()
    if (status.status !== 'processed') throw new Error(status.status)
    expect(validateTransactionStatusResponse(status.response)).toBe(true)
    expect(status.repeated.MessageHeader).toMatchObject({
      ServiceID: serviceId,
      MessageCategory: 'Payment',
    })
    expect(status.repeated.RepeatedResponseMessageBody.PaymentResponse).toEqual(
      direct.status === 'approved' && direct.response.SaleToPOIResponse.PaymentResponse,
    )
    expect(status.payment).toMatchObject({ status: 'approved', amount: 880, currency: 'GBP' })
    expect(status.response.SaleToPOIResponse.TransactionStatusResponse.MessageReference).toEqual({
      MessageCategory: 'Payment',
      ServiceID: serviceId,
      SaleID: 'till-1',
      POIID: POI,
    })
  })

  it('without a reference, reports the terminal’s last transaction (a busy refusal does not count)', async () => {
    const { adyen, nexo } = harness()
    expect(await adyen.transactionStatus(nexo.transactionStatus({ poiId: POI }))).toMatchObject({
      status: 'not-found',
    })
    await adyen.payment(
      nexo.payment({ poiId: POI, amount: 105, currency: 'EUR', transactionId: 'a' }),
    )
    expect(await adyen.transactionStatus(nexo.transactionStatus({ poiId: POI }))).toMatchObject({
      status: 'processed',
      payment: { status: 'declined', reason: 'refused' },
    })
  })

  it('repeats a busy refusal too: the terminal saw that request', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const first = adyen.payment(
      nexo.payment({ poiId: POI, amount: 1, currency: 'EUR', transactionId: 'a' }),
    )
    await busy(cloud, POI)
    const second = nexo.payment({ poiId: POI, amount: 2, currency: 'EUR', transactionId: 'b' })
    expect(await adyen.payment(second)).toMatchObject({ status: 'busy' })
    const status = await adyen.transactionStatus(
      nexo.transactionStatus({
        poiId: POI,
        statusOf: second.SaleToPOIRequest.MessageHeader.ServiceID,
      }),
    )
    expect(status).toMatchObject({ status: 'processed', payment: { status: 'busy' } })
    await clock.advance(3_000)
    await first
  })

  it('another category, SaleID or a forgotten request is not found', async () => {
    const { adyen, nexo, clock } = harness()
    const message = nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 'a' })
    const serviceId = message.SaleToPOIRequest.MessageHeader.ServiceID
    await adyen.payment(message)
    const ask = (extra: object) =>
      adyen.transactionStatus(nexo.transactionStatus({ poiId: POI, statusOf: serviceId, ...extra }))
    expect(await ask({ category: 'Reversal' })).toMatchObject({ status: 'not-found' })
    expect(await ask({ saleIdOf: 'till-2' })).toMatchObject({ status: 'not-found' })
    expect(await ask({})).toMatchObject({ status: 'processed' })
    // Kept 48 hours by default.
    await clock.advance(48 * 3_600_000)
    expect(await ask({})).toMatchObject({ status: 'not-found' })
  })

  it('a reused SaleID and ServiceID is refused', async () => {
    const { adyen, nexo, cloud } = harness()
    const message = nexo.transactionStatus({ poiId: POI })
    await adyen.transactionStatus(message)
    const again = await adyen.transactionStatus(message)
    expect(again).toMatchObject({ status: 'failed', errorCondition: 'NotAllowed' })
    const payment = nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 'a' })
    await adyen.payment(payment)
    expect(await adyen.payment(payment)).toMatchObject({
      status: 'failed',
      errorCondition: 'NotAllowed',
    })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('an offline terminal cannot be asked', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.devices.setOnline(POI, false)
    const status = await adyen.transactionStatus(
      nexo.transactionStatus({ poiId: POI, statusOf: 'X' }),
    )
    expect(status).toMatchObject({ status: 'unreachable' })
  })
})

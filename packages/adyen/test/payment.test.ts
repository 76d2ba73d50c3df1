import { describe, expect, it } from 'vitest'
import { validateDisplayRequest } from '../src/generated/nexo/display-request.validate.js'
import { parseNotification } from '../src/index.js'
import { harness, MERCHANT, POI, POI_BASE64 } from './helpers.js'

describe('payments through /sync', () => {
  it('a chip & PIN sale: approved, converted back to minor units, recorded once, progress sent as display events', async () => {
    const { adyen, nexo, cloud, webhooks, clock } = harness()
    const started = clock.now()
    const message = nexo.payment({
      poiId: POI,
      amount: 1250,
      currency: 'EUR',
      transactionId: 'order-1',
    })
    expect(message.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq).toEqual({
      Currency: 'EUR',
      RequestedAmount: 12.5,
    })
    const outcome = await adyen.payment(message)
    expect(outcome).toMatchObject({
      status: 'approved',
      partial: false,
      amount: 1250,
      currency: 'EUR',
    })
    if (outcome.status !== 'approved') throw new Error('unreachable')
    expect(outcome.poiTransaction.TransactionID).toMatch(/^T\w+\.8815\d{12}$/)
    expect(outcome.additional).toMatchObject({
      posAuthAmountValue: '1250',
      merchantReference: 'order-1',
    })
    // The HTTP response was held while the terminal worked: five steps of 500 ms.
    expect(clock.now() - started).toBe(2_500)
    expect(cloud.ledger).toEqual([
      expect.objectContaining({
        kind: 'sale',
        amount: 1250,
        currency: 'EUR',
        result: 'approved',
        merchantAccount: MERCHANT,
        poiTransactionId: outcome.poiTransaction.TransactionID,
      }),
    ])
    await cloud.notifications.settled()
    const events = webhooks.map((body) => {
      expect(validateDisplayRequest(body)).toBe(true)
      const n = parseNotification(body)
      if (n.type !== 'display') throw new Error(n.type)
      expect(n.header.ServiceID).toBe(message.SaleToPOIRequest.MessageHeader.ServiceID)
      return n.events.map((e) => e.event)
    })
    expect(events.flat()).toEqual([
      'TENDER_CREATED',
      'CARD_INSERTED',
      'WAIT_FOR_PIN',
      'PIN_ENTERED',
      'PRINT_RECEIPT',
    ])
  })

  it('reads a base64 JSON AdditionalResponse the same way', async () => {
    const { adyen, nexo } = harness()
    const outcome = await adyen.payment(
      nexo.payment({ poiId: POI_BASE64, amount: 1200, currency: 'JPY', transactionId: 'o-2' }),
    )
    expect(outcome).toMatchObject({ status: 'approved', amount: 1200, currency: 'JPY' })
    expect(outcome.additional.posAuthAmountCurrency).toBe('JPY')
  })
})

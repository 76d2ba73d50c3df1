import { TillkitUnknownOutcomeError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { harness, POI } from './helpers.js'

/**
 * A gateway in front of Adyen passes the payment on, then gives up waiting and answers 408. Core itself says a 408
 * leaves the outcome open (TillkitHttpError.outcomeUnknown); the terminal took the money.
 */
const setup = () =>
  harness({
    between: async (request, cloud) => {
      if (request.url.endsWith('/sync') && request.method === 'POST') {
        const body = await request.clone().text()
        if (body.includes('"PaymentRequest"') || body.includes('"ReversalRequest"')) {
          await cloud.fetch(request) // processed by Adyen and the terminal...
          return new Response('', { status: 408 }) // ...but the gateway answers 408
        }
      }
      return cloud.fetch(request)
    },
  })

describe('a 408 on a payment-starting /sync request', () => {
  it('payment: is an unknown outcome (SaleID+ServiceID), not a definite HTTP refusal', async () => {
    const { cloud, adyen, nexo } = setup()
    const message = nexo.payment({
      poiId: POI,
      amount: 2500,
      currency: 'EUR',
      transactionId: 'o-1',
    })
    const error = await adyen.payment(message).catch((e: unknown) => e)
    expect(cloud.ledger).toHaveLength(1) // the money was taken
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect((error as TillkitUnknownOutcomeError<{ serviceId: string }>).known.serviceId).toBe(
      message.SaleToPOIRequest.MessageHeader.ServiceID,
    )
  })

  it('reversal: is an unknown outcome too, not a definite HTTP refusal', async () => {
    const { adyen, nexo } = setup()
    const message = nexo.reversal({
      poiId: POI,
      original: { TransactionID: 'abc', TimeStamp: '2025-01-01T00:00:00.000Z' },
    })
    const error = await adyen.reversal(message).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
  })
})

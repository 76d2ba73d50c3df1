import { TillkitUnknownOutcomeError, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createAdyenClient, type PendingRequest } from '../src/index.js'
import type * as Nexo from '../src/nexo-types.js'
import { harness, POI } from './helpers.js'

const sale = { poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'till-1' }

/** A client whose fetch only counts: anything reaching it was sent. */
function counting() {
  let calls = 0
  const adyen = createAdyenClient({
    apiKey: 'test-api-key',
    environment: 'test',
    transport: 'device-api',
    merchantAccount: 'TillkitShop',
    fetch: async () => (calls++, new Response('ok')),
    retry: false,
  })
  return { adyen, nexo: adyen.nexo({ saleId: 'till-1' }), calls: () => calls }
}

describe('client: validation before sending, hand-built messages included', () => {
  // Expected: sendAsync refuses a hand-built payment whose amount has more decimals than its currency, as
  // payment() does, with nothing sent. README "nexo messages": "The client checks messages again when they are
  // sent, so hand-built ones are held to the same rules" (amounts exact in the currency's exponent).
  it('sendAsync holds a hand-built payment to the same amount rules as payment()', async () => {
    const { adyen, nexo, calls } = counting()
    const message = nexo.payment(sale)
    message.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount = 12.345
    await expect(adyen.payment(message)).rejects.toBeInstanceOf(TillkitValidationError)
    await expect(adyen.sendAsync(message)).rejects.toBeInstanceOf(TillkitValidationError)
    expect(calls()).toBe(0)
  })

  // Expected: a payment whose RequestedAmount is 0 is refused before sending. README "nexo messages": "`amount`
  // an integer from 1 to nexo's maximum" and "hand-built ones are held to the same rules".
  it('payment() refuses a hand-built RequestedAmount of 0, nothing sent', async () => {
    const { adyen, nexo, calls } = counting()
    const message = nexo.payment(sale)
    message.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount = 0
    await expect(adyen.payment(message)).rejects.toBeInstanceOf(TillkitValidationError)
    expect(calls()).toBe(0)
  })

  // Expected: a message the builder refused (nothing built, nothing sent) does not use up the ServiceID the
  // caller chose; fixing the input and building again with it works. README: "`serviceId` 1 to 10 characters and
  // unused"; FACTS §2: ServiceID identifies a request/response pair sent to Adyen.
  it('a refused build does not burn the chosen ServiceID', () => {
    const { nexo } = counting()
    const bad = {
      ...sale,
      serviceId: 'MINE1',
      transactionConditions: { NotAField: true } as unknown as Nexo.TransactionConditions,
    }
    expect(() => nexo.payment(bad)).toThrow(TillkitValidationError)
    const fixed = nexo.payment({ ...sale, serviceId: 'MINE1' })
    expect(fixed.SaleToPOIRequest.MessageHeader.ServiceID).toBe('MINE1')
  })

  // Expected: a timeStamp that is not ISO 8601 date-time is refused naming `timeStamp`, as the builder's own rule
  // says ("must be a valid Date or an ISO 8601 string"). FACTS §2: SaleTransactionID.TimeStamp is a date-time;
  // README: bad input is a TillkitValidationError with field and rule, before anything is sent.
  it('the payment builder refuses a timeStamp that is not an ISO 8601 date-time', () => {
    const { nexo } = counting()
    let error: unknown
    try {
      nexo.payment({ ...sale, timeStamp: 'yesterday' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe('timeStamp')
  })
})

describe('client: unknown outcomes carry what the README promises', () => {
  // Expected: a lost /async payment is an unknown outcome whose `known` holds transactionId, amount (minor
  // units) and currency too. README "Unknown outcomes": "whose `known` holds { poiId, saleId, serviceId,
  // category, transactionId, amount, currency }".
  it('an /async payment with a 5xx: known has transactionId, amount and currency', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 500, times: 2 })
    const error = await adyen.sendAsync(nexo.payment(sale)).then(
      () => expect.unreachable(),
      (e: unknown) => e as TillkitUnknownOutcomeError<PendingRequest>,
    )
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error.known).toMatchObject({
      transactionId: 'till-1',
      amount: 1250,
      currency: 'EUR',
    })
  })

  // Expected: a lost reversal's `known` holds the reversal's transactionId and amount in minor units when the
  // message has them. README "Unknown outcomes": "A payment or reversal ... whose `known` holds { poiId, saleId,
  // serviceId, category, transactionId, amount, currency }".
  it('a lost reversal answer: known has the amount and transactionId', async () => {
    const h = harness()
    const paid = await h.adyen.payment(h.nexo.payment(sale))
    if (paid.status !== 'approved') throw new Error(paid.status)
    h.cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const error = await h.adyen
      .reversal(
        h.nexo.reversal({
          poiId: POI,
          original: paid.poiTransaction,
          amount: 250,
          currency: 'EUR',
          transactionId: 'refund-9',
        }),
      )
      .then(
        () => expect.unreachable(),
        (e: unknown) => e as TillkitUnknownOutcomeError<PendingRequest>,
      )
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error.known).toMatchObject({ amount: 250, transactionId: 'refund-9', currency: 'EUR' })
  })
})

/**
 * Every amount of a payment's AmountsReq, not only RequestedAmount, is held to its currency's
 * decimals: a POS that sends a tip of EUR 1.005 must see the refusal the README promises.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { KEY, POI, rawHeader } from '../helpers.js'

const SYNC = `https://device-api-test.adyen.com/v1/merchants/TillkitShop/devices/${POI}/sync`

const payment = (serviceId: string, amounts: Record<string, unknown>) => ({
  SaleToPOIRequest: {
    MessageHeader: rawHeader('Payment', serviceId),
    PaymentRequest: {
      SaleData: { SaleTransactionID: { TransactionID: 'o-1', TimeStamp: '2026-01-01T00:00:00Z' } },
      PaymentTransaction: { AmountsReq: amounts },
    },
  },
})

describe('decimals of every requested amount', () => {
  // Amounts are decimal major units (FACTS §2); the README promises amounts with no more decimals than
  // the currency. Only RequestedAmount was checked: a tip or cashback with a third decimal was approved.
  it.each([
    ['TipAmount', { Currency: 'EUR', RequestedAmount: 10, TipAmount: 1.005 }],
    ['CashBackAmount', { Currency: 'JPY', RequestedAmount: 1000, CashBackAmount: 0.5 }],
    [
      'MaximumCashBackAmount',
      { Currency: 'KWD', RequestedAmount: 1, MaximumCashBackAmount: 0.0001 },
    ],
  ])('a %s with too many decimals is a MessageFormat naming it', async (field, amounts) => {
    const cloud = createFakeCloud({ clock: createManualClock({ autoAdvance: true }), stepMs: 0 })
    const response = await cloud.fetch(SYNC, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(payment('p-1', amounts)),
    })
    const body = (await response.json()) as { SaleToPOIResponse: Record<string, any> }
    const result = body.SaleToPOIResponse.PaymentResponse.Response
    expect(result).toMatchObject({ Result: 'Failure', ErrorCondition: 'MessageFormat' })
    expect(decodeURIComponent(result.AdditionalResponse)).toContain(field)
    expect(cloud.ledger).toEqual([])
  })

  it('amounts within their currency’s decimals are taken', async () => {
    const cloud = createFakeCloud({ clock: createManualClock({ autoAdvance: true }), stepMs: 0 })
    const response = await cloud.fetch(SYNC, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(
        payment('p-2', { Currency: 'EUR', RequestedAmount: 10, TipAmount: 1.5, CashBackAmount: 0 }),
      ),
    })
    const body = (await response.json()) as { SaleToPOIResponse: Record<string, any> }
    expect(body.SaleToPOIResponse.PaymentResponse.Response.Result).toBe('Success')
  })
})

import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createAdyenClient, referenceOf } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'

describe('README claims, checked against the code', () => {
  // README, Unknown outcomes: "A Reject event does not reject: the call resolves with `status: 'no-answer'` and the
  // `event`, and you name the request yourself with `referenceOf(message)`", then the same TransactionStatus recipe.
  it('a Reject event resolves a payment as no-answer; the recipe then runs on referenceOf(message)', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    const adyen = createAdyenClient({
      apiKey: 'test-api-key',
      environment: 'test',
      transport: 'device-api',
      merchantAccount: 'TillkitShop',
      fetch: cloud.fetch,
      clock,
    })
    const nexo = adyen.nexo({ saleId: 'till-1' })
    const poiId = 'P400Plus-100000001'
    cloud.devices.setOnline(poiId, false)
    const message = nexo.payment({ poiId, amount: 1250, currency: 'EUR', transactionId: 'o-1' })

    const outcome = await adyen.payment(message)
    expect(outcome.status).toBe('no-answer')
    expect(outcome.status === 'no-answer' && outcome.event).toBeTruthy()

    cloud.devices.setOnline(poiId, true)
    const status = await adyen.waitForTransactionStatus(nexo, {
      ...referenceOf(message),
      currency: 'EUR',
    })
    // The offline terminal never got it: a new payment (new ServiceID) is safe.
    expect(status.status).toBe('not-found')
    expect(cloud.ledger).toEqual([])
  })
})

/**
 * A POS's own nexo JSON whose MessageHeader.MessageCategory is missing, or is a name no nexo category
 * has (here: names every JavaScript object carries). Each must be answered at once, in a shape the
 * fake documents, and leave the terminal usable.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { KEY, POI, rawHeader as header } from '../helpers.js'

const DEVICE = `https://device-api-test.adyen.com/v1/merchants/TillkitShop/devices/${POI}`
const LEGACY = 'https://terminal-api-test.adyen.com'

function setup() {
  const cloud = createFakeCloud({ clock: createManualClock({ autoAdvance: true }), stepMs: 0 })
  const post = (url: string, body: unknown) =>
    cloud.fetch(url, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  /** The answer, or 'no answer' when none comes within a second of real time (a hang). */
  const answer = async (url: string, body: unknown) => {
    const hung = new Promise<'no answer'>((resolve) => setTimeout(resolve, 1_000, 'no answer'))
    const response = await Promise.race([post(url, body), hung])
    return response === 'no answer'
      ? response
      : { status: response.status, body: (await response.json()) as Record<string, any> }
  }
  return { cloud, post, answer }
}

const payment = (serviceId: string) => ({
  SaleToPOIRequest: {
    MessageHeader: header('Payment', serviceId),
    PaymentRequest: {
      SaleData: { SaleTransactionID: { TransactionID: 'o-1', TimeStamp: '2026-01-01T00:00:00Z' } },
      PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 12.5 } },
    },
  },
})

describe('MessageCategory the fake does not know', () => {
  // MessageCategory is one of nexo's category names (FACTS §2 MessageHeader); anything else is a
  // category the fake does not handle, which the README says is refused as NotAllowed. These names
  // hung /sync for ever (constructor, toString) or crashed with a 500 (hasOwnProperty, valueOf, __proto__).
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])(
    '%s is refused as not allowed on /sync, both transports, and the terminal stays usable',
    async (category) => {
      const { answer } = setup()
      for (const [i, url] of [`${DEVICE}/sync`, `${LEGACY}/sync`].entries()) {
        const body = { SaleToPOIRequest: { MessageHeader: header(category, `c-${i}`) } }
        const got = await answer(url, body)
        expect(got).not.toBe('no answer')
        if (got === 'no answer') return
        expect(got.status).toBe(200)
        const response = got.body.SaleToPOIResponse
        expect(response.MessageHeader).toMatchObject({
          ServiceID: `c-${i}`,
          MessageType: 'Response',
        })
        expect(response[`${category}Response`].Response).toMatchObject({
          Result: 'Failure',
          ErrorCondition: 'NotAllowed',
        })
      }
      const paid = await answer(`${DEVICE}/sync`, payment('p-1'))
      expect(paid).not.toBe('no answer')
      if (paid !== 'no answer')
        expect(paid.body.SaleToPOIResponse.PaymentResponse.Response.Result).toBe('Success')
    },
  )

  it.each(['constructor', '__proto__'])(
    '%s on /async is acknowledged and refused by webhook, never a 500',
    async (category) => {
      const { cloud, answer } = setup()
      const got = await answer(`${DEVICE}/async`, {
        SaleToPOIRequest: { MessageHeader: header(category, 'c-9') },
      })
      expect(got).toEqual({ status: 200, body: 'ok' })
      await cloud.notifications.settled()
      const last = cloud.notifications.delivered.at(-1)?.body as Record<string, any>
      expect(last.SaleToPOIResponse[`${category}Response`].Response.ErrorCondition).toBe(
        'NotAllowed',
      )
    },
  )

  // MessageCategory is a required header field (FACTS §2 MessageHeader). Without one the fake built a
  // response named `undefinedResponse`; a message it cannot name is refused like one without a POIID.
  it('a header without a MessageCategory is a 400 naming the field', async () => {
    const { answer } = setup()
    for (const category of [undefined, 7, null]) {
      const got = await answer(`${DEVICE}/sync`, {
        SaleToPOIRequest: { MessageHeader: header(category, 'c-1') },
      })
      expect(got).toMatchObject({
        status: 400,
        body: {
          errorCode: '00_400',
          invalidFields: [{ name: 'SaleToPOIRequest.MessageHeader.MessageCategory' }],
        },
      })
    }
  })
})

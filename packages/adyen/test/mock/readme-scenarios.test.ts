import { describe, expect, it } from 'vitest'
import { parseNotification } from '../../src/index.js'
import { harness, POI } from '../helpers.js'

const display = (webhooks: unknown[]) =>
  webhooks.flatMap((body) => {
    const n = parseNotification(body)
    return n.type === 'display' ? n.events.map((e) => e.event) : []
  })

/** adyen/README.md:299-312: result column (ErrorCondition, refusalReason / message) and the display steps. */
describe('README scenario table: result column and display events', () => {
  it.each([
    [1201, 'Success', undefined, undefined, ['TENDER_CREATED', 'CARD_PRESENTED', 'PRINT_RECEIPT']],
    [
      1202,
      'Partial',
      undefined,
      undefined,
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED', 'PRINT_RECEIPT'],
    ],
    [
      1205,
      'Refusal',
      'Refused',
      undefined,
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED'],
    ],
    [
      1206,
      'WrongPIN',
      'Invalid Pin',
      undefined,
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED'],
    ],
    [
      1207,
      'Refusal',
      'Blocked Card',
      undefined,
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED'],
    ],
    [
      1208,
      'Refusal',
      'Expired Card',
      undefined,
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED'],
    ],
    [
      1209,
      'Refusal',
      'Not enough balance',
      undefined,
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED'],
    ],
    [1210, 'Cancel', 'Shopper Cancelled', undefined, ['TENDER_CREATED']],
    [1211, 'Cancel', undefined, 'Card prompt timed out', ['TENDER_CREATED']],
    [
      1212,
      'Cancel',
      undefined,
      'Communication timeout',
      ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED'],
    ],
  ] as const)('%i: %s %s %s', async (amount, condition, refusalReason, message, events) => {
    const { adyen, nexo, cloud, webhooks } = harness()
    const outcome = await adyen.payment(
      nexo.payment({ poiId: POI, amount, currency: 'EUR', transactionId: `o-${amount}` }),
    )
    const response = (outcome as any).response.SaleToPOIResponse.PaymentResponse.Response
    if (condition === 'Success' || condition === 'Partial') expect(response.Result).toBe(condition)
    else {
      expect(response.Result).toBe('Failure')
      expect(response.ErrorCondition).toBe(condition)
    }
    const additional = (outcome as any).additional as Record<string, string>
    if (refusalReason) expect(additional.refusalReason).toBe(refusalReason)
    if (message) expect(additional.message).toBe(message)
    await cloud.notifications.settled()
    expect(display(webhooks)).toEqual(events)
  })

  it('approved rows carry the masked PAN, an auth code and both receipts', async () => {
    const { adyen, nexo } = harness()
    const outcome: any = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'o' }),
    )
    const r = outcome.response.SaleToPOIResponse.PaymentResponse
    expect(r.PaymentResult.PaymentInstrumentData.CardData.MaskedPan).toMatch(/\*{4} \d{4}$/)
    expect(r.PaymentResult.PaymentAcquirerData.ApprovalCode).toMatch(/\S/)
    expect(r.PaymentReceipt.map((x: any) => x.DocumentQualifier)).toEqual([
      'CashierReceipt',
      'CustomerReceipt',
    ])
    expect(outcome.additional.authCode).toMatch(/\S/)
  })

  it('a reversal takes two steps (1 s at 500 ms) and needs no card', async () => {
    const { adyen, nexo, cloud, webhooks, clock } = harness()
    const sale: any = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 1000, currency: 'EUR', transactionId: 'o' }),
    )
    await cloud.notifications.settled()
    webhooks.length = 0
    const started = clock.now()
    const rev = await adyen.reversal(
      nexo.reversal({ poiId: POI, original: sale.poiTransaction, amount: 400, currency: 'EUR' }),
    )
    expect(rev.status).toBe('reversed')
    expect(clock.now() - started).toBe(1_000)
    await cloud.notifications.settled()
    expect(display(webhooks)).toEqual([])
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.original])).toEqual([
      ['sale', 1000, undefined],
      ['reversal', 400, sale.poiTransaction.TransactionID],
    ])
  })
})

describe('README options', () => {
  it('stepMs option: the approve path takes 5 steps', async () => {
    const { adyen, nexo, clock } = harness({ cloud: { stepMs: 100 } })
    const started = clock.now()
    await adyen.payment(
      nexo.payment({ poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'o' }),
    )
    expect(clock.now() - started).toBe(500)
  })

  it('devices[].stepMs overrides the cloud stepMs for that device', async () => {
    const { adyen, nexo, clock } = harness({
      cloud: { devices: [{ poiId: 'P400Plus-9', stepMs: 1_000 }] },
    })
    const started = clock.now()
    await adyen.payment(
      nexo.payment({ poiId: 'P400Plus-9', amount: 1250, currency: 'EUR', transactionId: 'o' }),
    )
    expect(clock.now() - started).toBe(5_000)
  })

  it('retentionHours (48): TransactionStatus sees a payment within 48 h, not after', async () => {
    const { adyen, nexo, clock, cloud } = harness()
    const message = nexo.payment({ poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'o' })
    await adyen.payment(message)
    const { SaleID, ServiceID } = message.SaleToPOIRequest.MessageHeader
    await clock.advance(47 * 3_600_000)
    expect(cloud.devices.request(POI, SaleID, ServiceID)).toBeDefined()
    await clock.advance(2 * 3_600_000)
    expect(cloud.devices.request(POI, SaleID, ServiceID)).toBeUndefined()
  })
})

describe('README faults', () => {
  it('status from 500: no body unless given', async () => {
    const { cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 503, times: 1 })
    const r = await cloud.fetch(
      'https://device-api-test.adyen.com/v1/merchants/TillkitShop/connectedDevices',
      {
        headers: { 'x-api-key': 'test-api-key' },
      },
    )
    expect(r.status).toBe(503)
    expect(await r.text()).toBe('')
  })

  it('dropConnection: the terminal carries on; TransactionStatus answers InProgress, then the outcome', async () => {
    const { cloud, nexo, clock } = harness({ autoAdvance: false })
    cloud.faults.add({ kind: 'dropConnection', afterMs: 1_000, times: 1 })
    const message = nexo.payment({ poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'o' })
    const pending = cloud
      .fetch(`https://device-api-test.adyen.com/v1/merchants/TillkitShop/devices/${POI}/sync`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-api-key', 'content-type': 'application/json' },
        body: JSON.stringify(message),
      })
      .then(
        () => 'answered',
        (e: Error) => e.message,
      )
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r))
    await clock.advance(1_000)
    expect(await pending).toBe('fetch failed')
    const { SaleID, ServiceID } = message.SaleToPOIRequest.MessageHeader
    expect(cloud.devices.request(POI, SaleID, ServiceID)?.state).not.toBe('done')
    for (let i = 0; i < 5; i++) {
      await clock.advance(500)
      for (let j = 0; j < 30; j++) await new Promise((r) => setImmediate(r))
    }
    expect(cloud.ledger.map((e) => e.result)).toEqual(['approved'])
  })
})

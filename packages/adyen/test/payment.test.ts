import { describe, expect, it } from 'vitest'
import { TillkitProtocolError } from '@tillkit/core'
import { validateDisplayRequest } from '../src/generated/nexo/display-request.validate.js'
import { parseNotification } from '../src/index.js'
import { busy, harness, MERCHANT, POI, POI_2, POI_BASE64 } from './helpers.js'

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

describe('scenarios by amount', () => {
  const display = (webhooks: unknown[]) =>
    webhooks.flatMap((body) => {
      const n = parseNotification(body)
      return n.type === 'display' ? n.events.map((e) => e.event) : []
    })

  it.each([
    [1201, { status: 'approved', partial: false, amount: 1201 }, 'approved', 1_500],
    [1202, { status: 'approved', partial: true, amount: 601 }, 'approved', 2_500],
    [1205, { status: 'declined', reason: 'refused', refusalReason: 'Refused' }, 'declined', 2_500],
    [
      1206,
      { status: 'declined', reason: 'wrong-pin', errorCondition: 'WrongPIN' },
      'declined',
      2_500,
    ],
    [1207, { status: 'declined', reason: 'card-blocked' }, 'declined', 2_500],
    [1208, { status: 'declined', reason: 'expired-card' }, undefined, 2_000],
    [1209, { status: 'declined', reason: 'not-enough-balance' }, 'declined', 2_500],
    [1210, { status: 'cancelled', cause: 'cancelled', errorCondition: 'Cancel' }, undefined, 1_000],
    [1211, { status: 'cancelled', cause: 'timed-out' }, undefined, 120_500],
    [
      1212,
      { status: 'cancelled', cause: 'timed-out', message: 'Communication timeout' },
      undefined,
      150_000,
    ],
    [1213, { status: 'approved', amount: 1213 }, 'approved', 32_500],
  ] as const)('%i EUR cents: %o', async (amount, expected, ledger, ms) => {
    const { adyen, nexo, cloud, clock } = harness()
    const started = clock.now()
    const outcome = await adyen.payment(
      nexo.payment({ poiId: POI, amount, currency: 'EUR', transactionId: `o-${amount}` }),
    )
    expect(outcome).toMatchObject(expected)
    expect(clock.now() - started).toBe(ms)
    expect(cloud.ledger.map((e) => e.result)).toEqual(ledger ? [ledger] : [])
  })

  it('a contactless tap has no PIN prompt', async () => {
    const { adyen, nexo, cloud, webhooks } = harness()
    await adyen.payment(
      nexo.payment({ poiId: POI, amount: 501, currency: 'GBP', transactionId: 't' }),
    )
    await cloud.notifications.settled()
    expect(display(webhooks)).toEqual(['TENDER_CREATED', 'CARD_PRESENTED', 'PRINT_RECEIPT'])
  })

  it('a pinned scenario wins over the amount, until unpinned', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.devices.setScenario(POI, 'not-enough-balance')
    expect(cloud.devices.get(POI).scenario).toBe('not-enough-balance')
    const pay = () =>
      adyen.payment(nexo.payment({ poiId: POI, amount: 1000, currency: 'EUR', transactionId: 't' }))
    expect(await pay()).toMatchObject({ status: 'declined', reason: 'not-enough-balance' })
    cloud.devices.setScenario(POI, undefined)
    expect(await pay()).toMatchObject({ status: 'approved' })
    expect(() => cloud.devices.setScenario(POI, 'nope' as never)).toThrow(TypeError)
  })

  it('an unreferenced refund is booked as a refund', async () => {
    const { adyen, nexo, cloud } = harness()
    const outcome = await adyen.payment(
      nexo.payment({
        poiId: POI,
        amount: 700,
        currency: 'EUR',
        transactionId: 'r',
        type: 'refund',
      }),
    )
    expect(outcome).toMatchObject({ status: 'approved', amount: 700 })
    expect(
      outcome.status === 'approved' &&
        outcome.response.SaleToPOIResponse.PaymentResponse.PaymentResult?.PaymentType,
    ).toBe('Refund')
    expect(cloud.ledger).toEqual([expect.objectContaining({ kind: 'refund', amount: 700 })])
  })
})

describe('abort', () => {
  it('stops a payment still waiting for the card', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const message = nexo.payment({
      poiId: POI,
      amount: 2013,
      currency: 'EUR',
      transactionId: 'slow',
    })
    const payment = adyen.payment(message)
    await busy(cloud, POI)
    await clock.advance(5_000)
    expect(cloud.devices.get(POI).activeServiceId).toBe(
      message.SaleToPOIRequest.MessageHeader.ServiceID,
    )
    const abort = nexo.abort({
      poiId: POI,
      abortServiceId: message.SaleToPOIRequest.MessageHeader.ServiceID,
    })
    expect(await adyen.abort(abort)).toEqual({ delivered: true })
    await clock.advance(1)
    expect(await payment).toMatchObject({
      status: 'cancelled',
      cause: 'aborted',
      errorCondition: 'Aborted',
    })
    expect(cloud.ledger).toEqual([])
    expect(cloud.devices.get(POI).activeServiceId).toBeUndefined()
  })

  it('comes too late once the issuer has the payment: it goes through', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const message = nexo.payment({
      poiId: POI,
      amount: 2000,
      currency: 'EUR',
      transactionId: 'late',
    })
    const payment = adyen.payment(message)
    await busy(cloud, POI)
    await clock.advance(2_000) // card and PIN done: the issuer has it
    const serviceId = message.SaleToPOIRequest.MessageHeader.ServiceID
    expect(await adyen.abort(nexo.abort({ poiId: POI, abortServiceId: serviceId }))).toEqual({
      delivered: true,
    })
    await clock.advance(1_000)
    expect(await payment).toMatchObject({ status: 'approved', amount: 2000 })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('of an unknown ServiceID, or of another category, does nothing', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const message = nexo.payment({ poiId: POI, amount: 2013, currency: 'EUR', transactionId: 'x' })
    const payment = adyen.payment(message)
    await busy(cloud, POI)
    await clock.advance(1_000)
    const serviceId = message.SaleToPOIRequest.MessageHeader.ServiceID
    await adyen.abort(nexo.abort({ poiId: POI, abortServiceId: 'NOPE' }))
    await adyen.abort(nexo.abort({ poiId: POI, abortServiceId: serviceId, category: 'Reversal' }))
    await clock.advance(40_000)
    expect(await payment).toMatchObject({ status: 'approved' })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('naming the request by its DeviceID too is delivered (the fake takes the field)', async () => {
    const { adyen, nexo } = harness()
    const abort = nexo.abort({
      poiId: POI,
      abortServiceId: 'INP0000001',
      abortDeviceId: 'DEV0000001',
      category: 'Input',
    })
    expect(abort.SaleToPOIRequest.AbortRequest.MessageReference.DeviceID).toBe('DEV0000001')
    expect(await adyen.abort(abort)).toEqual({ delivered: true })
  })

  it('one the cloud refuses (a reused ServiceID) is not delivered: the answer is a Reject event', async () => {
    const { adyen, nexo } = harness()
    const abort = nexo.abort({ poiId: POI, abortServiceId: 'PAY0000001' })
    expect(await adyen.abort(abort)).toEqual({ delivered: true })
    const again = await adyen.abort(abort)
    expect(again).toMatchObject({
      delivered: false,
      message: `ServiceID ${abort.SaleToPOIRequest.MessageHeader.ServiceID} was already used with SaleID till-1`,
      event: { SaleToPOIRequest: { EventNotification: { EventToNotify: 'Reject' } } },
    })
  })

  it('answered with a response envelope is a protocol error, not taken for delivered', async () => {
    const { adyen, nexo } = harness({
      between: async (request) => {
        const sent = (await request.json()) as { SaleToPOIRequest: { MessageHeader: object } }
        return Response.json({
          SaleToPOIResponse: {
            MessageHeader: { ...sent.SaleToPOIRequest.MessageHeader, MessageType: 'Response' },
            AbortResponse: { Response: { Result: 'Success' } },
          },
        })
      },
    })
    const error = await adyen
      .abort(nexo.abort({ poiId: POI, abortServiceId: 'PAY0000001' }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitProtocolError)
    expect(error).toMatchObject({ details: { keys: ['MessageHeader', 'AbortResponse'] } })
  })

  it('to an offline terminal is not delivered', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.devices.setOnline(POI, false)
    const result = await adyen.abort(nexo.abort({ poiId: POI, abortServiceId: 'X' }))
    expect(result).toMatchObject({
      delivered: false,
      message: 'Did not receive a response from the POI.',
    })
  })
})

describe('busy and unreachable terminals', () => {
  it('a second payment on a busy terminal is refused as busy, and nothing is charged for it', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const first = adyen.payment(
      nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 'a' }),
    )
    await busy(cloud, POI)
    await clock.advance(500)
    const second = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 200, currency: 'EUR', transactionId: 'b' }),
    )
    expect(second).toMatchObject({ status: 'busy', errorCondition: 'Busy' })
    // Another terminal is free.
    const elsewhere = adyen.payment(
      nexo.payment({ poiId: POI_2, amount: 300, currency: 'EUR', transactionId: 'c' }),
    )
    await busy(cloud, POI_2)
    await clock.advance(5_000)
    expect(await first).toMatchObject({ status: 'approved', amount: 100 })
    expect(await elsewhere).toMatchObject({ status: 'approved', amount: 300 })
    expect(cloud.ledger.map((e) => e.amount)).toEqual([100, 300])
  })

  it('an offline terminal: status OFFLINE, not listed, and a payment answered by a Reject event', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.devices.setOnline(POI, false)
    expect(await adyen.deviceStatus(POI)).toBe('OFFLINE')
    expect(await adyen.connectedDevices()).not.toContain(POI)
    const outcome = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 'a' }),
    )
    expect(outcome).toMatchObject({
      status: 'no-answer',
      message: 'Did not receive a response from the POI.',
      response: undefined,
    })
    if (outcome.status !== 'no-answer') throw new Error('no-answer')
    const rejected = outcome.event.SaleToPOIRequest.EventNotification
    expect(rejected.EventToNotify).toBe('Reject')
    // The rejected request comes back in base64.
    expect(JSON.parse(atob(rejected.RejectedMessage!))).toMatchObject({
      SaleToPOIRequest: { MessageHeader: { POIID: POI } },
    })
    expect(cloud.ledger).toEqual([])
  })

  it('a terminal that drops mid-payment: Reject now, the payment found processed once it is back', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const message = nexo.payment({
      poiId: POI,
      amount: 4200,
      currency: 'EUR',
      transactionId: 'drop',
    })
    const payment = adyen.payment(message)
    await busy(cloud, POI)
    await clock.advance(2_000)
    cloud.devices.setOnline(POI, false)
    // No answer is not "not taken": the terminal goes on with the payment.
    expect(await payment).toMatchObject({ status: 'no-answer' })
    await clock.advance(1_000)
    // The terminal finished on its own; until it is back, it cannot be asked.
    expect(cloud.ledger).toEqual([expect.objectContaining({ amount: 4200, result: 'approved' })])
    const target = { poiId: POI, serviceId: message.SaleToPOIRequest.MessageHeader.ServiceID }
    const ask = () =>
      adyen.transactionStatus(nexo.transactionStatus({ poiId: POI, statusOf: target.serviceId }))
    expect(await ask()).toMatchObject({ status: 'unreachable' })
    cloud.devices.setOnline(POI, true)
    const status = await ask()
    expect(status).toMatchObject({
      status: 'processed',
      payment: { status: 'approved', amount: 4200 },
    })
  })
})

import { TillkitHttpError, TillkitUnknownOutcomeError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { parseNotification, type AdyenNotification } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { harness, KEY, POI } from './helpers.js'

const sale = { poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'async-1' }

describe('/async: accepted now, outcome by webhook', () => {
  it('a payment: accepted, then display events and the response arrive as webhooks', async () => {
    const { adyen, nexo, cloud, clock, webhooks } = harness()
    const message = nexo.payment(sale)
    const started = clock.now()
    expect(await adyen.sendAsync(message)).toEqual({ accepted: true })
    expect(clock.now()).toBe(started)
    expect(cloud.ledger).toHaveLength(0)
    // Let the terminal work (the clock jumps while nothing else happens).
    await cloud.notifications.settled()
    while (webhooks.length < 6) await clock.runNext()
    await cloud.notifications.settled()
    const notes = webhooks.map((body) => parseNotification(body))
    expect(notes.map((n) => n.type)).toEqual([
      'display',
      'display',
      'display',
      'display',
      'display',
      'payment',
    ])
    const last = notes.at(-1) as Extract<AdyenNotification, { type: 'payment' }>
    expect(last.header.ServiceID).toBe(message.SaleToPOIRequest.MessageHeader.ServiceID)
    expect(last.outcome).toMatchObject({ status: 'approved', amount: 1250, currency: 'EUR' })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a busy terminal answers busy by webhook; an abort gets no answer at all', async () => {
    const { adyen, nexo, cloud, clock, webhooks } = harness({ autoAdvance: false })
    const first = nexo.payment({ ...sale, amount: 2013 }) // slow card
    await adyen.sendAsync(first)
    await adyen.sendAsync(nexo.payment({ ...sale, transactionId: 'second' }))
    await cloud.notifications.settled()
    const busy = webhooks.map((b) => parseNotification(b)).find((n) => n.type === 'payment')
    expect(busy).toMatchObject({ outcome: { status: 'busy' } })
    const abort = nexo.abort({
      poiId: POI,
      abortServiceId: first.SaleToPOIRequest.MessageHeader.ServiceID,
    })
    expect(await adyen.sendAsync(abort)).toEqual({ accepted: true })
    await clock.advance(1_000)
    await cloud.notifications.settled()
    const payments = webhooks.map((b) => parseNotification(b)).filter((n) => n.type === 'payment')
    expect(payments.map((n) => n.type === 'payment' && n.outcome.status)).toEqual([
      'busy',
      'cancelled',
    ])
  })

  it('an offline terminal: not accepted, the Reject event says why', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.devices.setOnline(POI, false)
    expect(await adyen.sendAsync(nexo.payment(sale))).toMatchObject({
      accepted: false,
      message: 'Did not receive a response from the POI.',
      event: { SaleToPOIRequest: { EventNotification: { EventToNotify: 'Reject' } } },
    })
  })

  it('a 5xx: unknown outcome for a payment, a plain HTTP error for an abort', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 500, times: 2 })
    const payment = await adyen.sendAsync(nexo.payment(sale)).catch((e: unknown) => e)
    expect(payment).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect((payment as TillkitUnknownOutcomeError).operation).toBe('async Payment')
    const abort = await adyen
      .sendAsync(nexo.abort({ poiId: POI, abortServiceId: 'X' }))
      .catch((e: unknown) => e)
    expect(abort).toBeInstanceOf(TillkitHttpError)
  })

  it('a reversal: accepted, its response by webhook', async () => {
    const { adyen, nexo, cloud, clock, webhooks } = harness()
    const paid = await adyen.payment(nexo.payment(sale))
    if (paid.status !== 'approved') throw new Error(paid.status)
    expect(
      await adyen.sendAsync(nexo.reversal({ poiId: POI, original: paid.poiTransaction })),
    ).toEqual({ accepted: true })
    while (cloud.ledger.length < 2) await clock.runNext()
    await cloud.notifications.settled()
    expect(parseNotification(webhooks.at(-1))).toMatchObject({
      type: 'reversal',
      outcome: { status: 'reversed' },
    })
  })

  it('the legacy endpoint answers ok too', async () => {
    const { adyen, nexo, cloud, clock, webhooks } = harness({ transport: 'legacy' })
    expect(await adyen.sendAsync(nexo.payment(sale))).toEqual({ accepted: true })
    while (cloud.ledger.length === 0) await clock.runNext()
    await cloud.notifications.settled()
    expect(parseNotification(webhooks.at(-1))).toMatchObject({ type: 'payment' })
  })

  it('validates the message before sending', async () => {
    const { adyen, nexo } = harness()
    const message = nexo.payment(sale)
    ;(message.SaleToPOIRequest.PaymentRequest as unknown as Record<string, unknown>).Extra = 1
    await expect(adyen.sendAsync(message)).rejects.toThrow(
      'SaleToPOIRequest.PaymentRequest.Extra: is not a field of a PaymentRequest',
    )
  })
})

describe('webhook targets', () => {
  it('POSTs JSON to URL targets, in order, recording refusals; a throwing callback is recorded too', async () => {
    const posted: Array<{ url: string; body: unknown; type: string | null }> = []
    let refuse = false
    const cloud = createFakeCloud({
      stepMs: 0,
      fetch: async (request) => {
        posted.push({
          url: request.url,
          body: await request.json(),
          type: request.headers.get('content-type'),
        })
        return new Response(refuse ? 'no' : '[accepted]', { status: refuse ? 500 : 200 })
      },
    })
    const stop = cloud.notifications.register('https://pos.example/adyen')
    cloud.notifications.register(() => {
      throw new Error('callback broke')
    })
    expect(() => cloud.notifications.register('ftp://x' as never)).toThrow(TypeError)
    const send = (serviceId: string) =>
      cloud.fetch(
        `https://device-api-test.adyen.com/v1/merchants/TillkitShop/devices/${POI}/async`,
        {
          method: 'POST',
          headers: { 'x-api-key': KEY },
          body: JSON.stringify({
            SaleToPOIRequest: {
              MessageHeader: {
                MessageClass: 'Service',
                // Any category makes an answer; the fake answers one it does not handle at once.
                MessageCategory: 'Diagnosis',
                MessageType: 'Request',
                ServiceID: serviceId,
                SaleID: 'till',
                POIID: POI,
              },
              DiagnosisRequest: { HostDiagnosisFlag: false },
            },
          }),
        },
      )
    expect(await (await send('S1')).json()).toBe('ok')
    // Webhooks go out after the answer: S1's must be made before the target starts refusing.
    await cloud.notifications.settled()
    refuse = true
    await send('S2')
    await cloud.notifications.settled()
    stop()
    await send('S3')
    await cloud.notifications.settled()
    expect(posted.map((p) => [p.url, p.type])).toEqual([
      ['https://pos.example/adyen', 'application/json'],
      ['https://pos.example/adyen', 'application/json'],
    ])
    // A request sent through /async is answered by webhook.
    expect(posted[0]!.body).toMatchObject({
      SaleToPOIResponse: { MessageHeader: { MessageCategory: 'Diagnosis', ServiceID: 'S1' } },
    })
    expect(cloud.notifications.delivered).toHaveLength(3)
    // Each target has its own queue: failures are listed as they happen across targets.
    expect(cloud.notifications.failures.map((f) => f.target).sort()).toEqual([
      'callback',
      'callback',
      'callback',
      'https://pos.example/adyen',
    ])
  })
})

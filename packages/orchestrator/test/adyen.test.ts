import { describe, expect, it } from 'vitest'
import type { OutcomeStatus } from '../src/index.js'
import { collect, drive, pass } from './harness.js'
import {
  ACCOUNT,
  display,
  KEY,
  pay,
  POI,
  POI_BASE64,
  SALE_ID,
  firstPayment,
  paymentAnswer,
  setupAdyen,
} from './adyen-harness.js'

/** The display events the fake sent for one payment, in order. */
function displayed(
  delivered: ReadonlyArray<{ body: unknown }>,
  serviceId: string | undefined,
): string[] {
  const out: string[] = []
  for (const { body } of delivered) {
    const request = (body as { SaleToPOIRequest?: Record<string, any> }).SaleToPOIRequest
    if (!request?.DisplayRequest || request.MessageHeader.ServiceID !== serviceId) continue
    for (const output of request.DisplayRequest.DisplayOutput)
      for (const { Text } of output.OutputContent.OutputText)
        out.push(new URLSearchParams(Text as string).get('event')!)
  }
  return out
}

describe('an Adyen sale through the orchestrator', () => {
  it('approves on the synchronous answer: display events in the vocabulary, raw attached, each once', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const payment = await orchestrator.sale(pay(1250))
    expect(payment.provider).toBe('adyen')
    const { saleId, serviceId } = payment.ids
    expect(saleId).toBe(SALE_ID)
    expect(serviceId).toMatch(/^[0-9A-Z]{10}$/)
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    const list = await events.done
    expect(outcome).toMatchObject({
      status: 'approved',
      paymentId: payment.id,
      provider: 'adyen',
      account: ACCOUNT,
      terminal: POI,
      kind: 'sale',
      reference: 'order-1250',
      currency: 'EUR',
      amounts: { requested: 1250, approved: 1250, total: 1250 },
      maskedPan: '411111 **** 1111',
      cardScheme: 'visa',
      entryMethod: 'chip',
      verification: 'pin',
    })
    expect(outcome.reasonCode).toBeUndefined()
    expect(outcome.authCode).toMatch(/^\d{6}$/)
    expect(outcome.receipt?.merchant).toContain('TOTAL: EUR 12.50')
    expect(outcome.receipt?.customer?.[0]).toBe('CARDHOLDER COPY')
    expect(outcome.raw).toMatchObject({
      SaleToPOIResponse: { PaymentResponse: { Response: { Result: 'Success' } } },
    })
    const [entry, ...others] = cloud.ledger
    expect(others).toEqual([])
    expect(entry).toMatchObject({ serviceId, saleId, amount: 1250, result: 'approved' })
    // Ids to refund it later and to look it up: Adyen's references, learned from the answer.
    expect(outcome.providerIds).toEqual({
      saleId,
      serviceId,
      poiTransactionId: entry!.poiTransactionId,
      poiTimeStamp: expect.any(String),
      pspReference: entry!.pspReference,
    })
    // Every display notification once, in the fake's order, then the answer itself.
    const shown = displayed(cloud.notifications.delivered, serviceId)
    expect(shown).toEqual([
      'TENDER_CREATED',
      'CARD_INSERTED',
      'WAIT_FOR_PIN',
      'PIN_ENTERED',
      'PRINT_RECEIPT',
    ])
    expect(list.map((e) => e.raw)).toEqual([...shown, { Result: 'Success' }])
    expect(list.map((e) => e.type)).toEqual([
      'started',
      'processing',
      'pinEntry',
      'processing',
      'processing',
      'finished',
    ])
    expect(list.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(list.every((e) => e.paymentId === payment.id)).toBe(true)
    // One synchronous request and nothing else: no TransactionStatus while the answer came.
    expect(sent('Payment')).toHaveLength(1)
    expect(sent('TransactionStatus')).toHaveLength(0)
    expect(payment.state).toBe('settled')
    expect(orchestrator.running).toBe(0)
  })

  // The fake's scenario by the last two digits of the amount.
  const cases: Array<[number, OutcomeStatus, string | undefined, number]> = [
    [1201, 'approved', undefined, 1],
    [1202, 'approved', 'partial', 1],
    [1205, 'declined', 'refused', 1],
    [1206, 'declined', 'wrong-pin', 1],
    [1207, 'declined', 'card-blocked', 1],
    [1208, 'declined', 'expired-card', 0],
    [1209, 'declined', 'not-enough-balance', 1],
    [1210, 'cancelled', 'cancelled', 0],
    [1211, 'cancelled', 'timed-out', 0],
    [1212, 'cancelled', 'timed-out', 0],
  ]
  it.each(cases)(
    'amount %i settles %s (%s), %i acquirer entries, ending with the answer as an event',
    async (amount, status, reasonCode, entries) => {
      const { clock, cloud, orchestrator, sent } = setupAdyen()
      const payment = await orchestrator.sale(pay(amount))
      const events = collect(payment)
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      if (reasonCode) expect(outcome.reason).toMatch(/\S/)
      expect(cloud.ledger).toHaveLength(entries)
      const list = await events.done
      expect(list[0]!.raw).toBe('TENDER_CREATED')
      expect(list.at(-1)).toMatchObject({
        type: 'finished',
        raw: { Result: status === 'approved' ? (reasonCode ? 'Partial' : 'Success') : 'Failure' },
      })
      expect(sent('Payment')).toHaveLength(1)
      expect(sent('TransactionStatus')).toHaveLength(0)
    },
  )

  it('a partial approval reports the amount actually authorised; contactless is read as such', async () => {
    const { clock, orchestrator } = setupAdyen()
    const partial = await orchestrator.sale(pay(1202))
    expect((await drive(clock, partial.outcome)).amounts).toEqual({
      requested: 1202,
      approved: 601,
      total: 601,
    })
    const tap = await orchestrator.sale(pay(1201))
    const tapped = await drive(clock, tap.outcome)
    expect(tapped).toMatchObject({ entryMethod: 'contactless', cardScheme: 'mc' })
    // No PIN and no signature stated: the verification is left out rather than guessed.
    expect(tapped.verification).toBeUndefined()
  })

  it('amounts in currencies with 0 and 3 decimals go out in major units and come back exact', async () => {
    const { clock, cloud, orchestrator } = setupAdyen()
    const yen = await orchestrator.sale(pay(1200, { currency: 'JPY' }))
    expect((await drive(clock, yen.outcome)).amounts.approved).toBe(1200)
    const dinar = await orchestrator.sale(pay(1234, { currency: 'BHD' }))
    expect((await drive(clock, dinar.outcome)).amounts.approved).toBe(1234)
    expect(cloud.ledger.map((e) => [e.currency, e.amount])).toEqual([
      ['JPY', 1200],
      ['BHD', 1234],
    ])
  })

  it('reads a base64 AdditionalResponse (auth code, PSP reference) like a form-encoded one', async () => {
    const { clock, cloud, orchestrator } = setupAdyen()
    const payment = await orchestrator.sale(pay(1250, { terminal: POI_BASE64 }))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.providerIds.pspReference).toBe(cloud.ledger[0]!.pspReference)
    expect(outcome.authCode).toMatch(/^\d{6}$/)
  })

  it('a busy terminal fails the second payment at once, nothing started or charged', async () => {
    const { clock, cloud, orchestrator } = setupAdyen()
    const first = await orchestrator.sale(pay(1213))
    await pass(clock, 1_000)
    const second = await orchestrator.sale(pay(1250))
    const refused = await drive(clock, second.outcome)
    expect(refused).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    expect(refused.reason).toMatch(/in progress/)
    expect((await drive(clock, first.outcome)).status).toBe('approved')
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1213])
  })

  it("an answer that says the terminal could not reach the acquirer fails it, in Adyen's words", async () => {
    const { clock, orchestrator, sent } = setupAdyen({
      intercept: firstPayment({
        Response: {
          Result: 'Failure',
          ErrorCondition: 'UnreachableHost',
          AdditionalResponse: 'message=Acquirer+unreachable',
        },
      }),
    })
    const payment = await orchestrator.sale(pay(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-unreachable',
      reason: 'Acquirer unreachable',
    })
    expect(sent('TransactionStatus')).toHaveLength(0)
  })

  it('other refusals (a ServiceID Adyen had seen) fail with the condition as the reason code', async () => {
    const { clock, orchestrator } = setupAdyen({
      intercept: firstPayment({
        Response: { Result: 'Failure', ErrorCondition: 'NotAllowed' },
      }),
    })
    const payment = await orchestrator.sale(pay(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-allowed',
      reason: 'Adyen refused the request (NotAllowed)',
    })
  })

  it('a wrong API key fails the payment (401) without charging; the key shows nowhere', async () => {
    const logged: unknown[] = []
    const log = (...args: unknown[]) => void logged.push(args)
    const { clock, cloud, orchestrator } = setupAdyen({
      adapter: { apiKey: 'wrong-key-123456' },
      orchestrator: { logger: { debug: log, info: log, warn: log, error: log } },
    })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'unauthorised' })
    expect(JSON.stringify(outcome)).not.toContain('wrong-key-123456')
    expect(JSON.stringify(logged)).not.toContain('wrong-key-123456')
    expect(cloud.ledger).toHaveLength(0)
  })

  it("a key without the Cloud Device API role fails it (403) with Adyen's detail", async () => {
    const { clock, orchestrator } = setupAdyen({
      cloud: { apiKeys: [{ key: KEY, cloudDeviceApiRole: false }] },
    })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'forbidden' })
    expect(outcome.reason).toMatch(/Cloud Device API role/)
  })

  it('works the same over the legacy cloud endpoints', async () => {
    const { clock, cloud, orchestrator, seen } = setupAdyen({
      adapter: { transport: 'legacy', merchantAccount: 'TillkitShop' },
    })
    const payment = await orchestrator.sale(pay(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(seen.map((r) => r.path)).toEqual(['/sync'])
    expect(cloud.ledger).toHaveLength(1)
  })
})

describe('Adyen refunds', () => {
  it('a refund without an original is an unreferenced refund to the card presented', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const refund = await orchestrator.refund(pay(500))
    const outcome = await drive(clock, refund.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      kind: 'refund',
      amounts: { approved: 500 },
    })
    expect(sent('Payment')).toHaveLength(1)
    expect(cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([['refund', 500]])
  })

  it("a refund naming the sale's ids is a reversal of it, in part and then the rest; no more", async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const sale = await drive(clock, (await orchestrator.sale(pay(1250))).outcome)
    const part = await orchestrator.refund(
      pay(250, { reference: 'refund-1', original: sale.providerIds }),
    )
    const events = collect(part)
    const first = await drive(clock, part.outcome)
    expect(first).toMatchObject({ status: 'approved', kind: 'refund', amounts: { approved: 250 } })
    expect(first.providerIds.poiTransactionId).not.toBe(sale.providerIds.poiTransactionId)
    expect((await events.done).map((e) => e.type)).toEqual(['finished'])
    const rest = await orchestrator.refund(
      pay(1000, { reference: 'refund-2', original: sale.providerIds }),
    )
    expect((await drive(clock, rest.outcome)).status).toBe('approved')
    const tooMuch = await orchestrator.refund(
      pay(1, { reference: 'refund-3', original: sale.providerIds }),
    )
    expect(await drive(clock, tooMuch.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-allowed',
      reason: 'Amount exceeds what is left to reverse',
    })
    expect(sent('Reversal')).toHaveLength(3)
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.original])).toEqual([
      ['sale', 1250, undefined],
      ['reversal', 250, sale.providerIds.poiTransactionId],
      ['reversal', 1000, sale.providerIds.poiTransactionId],
    ])
  })
})

describe('Adyen signatures and webhooks', () => {
  it('signatures are the terminal\'s: a signature receipt reads as "signature", the event only informs', async () => {
    const { adapter } = setupAdyen()
    expect(adapter.capabilities.signature).toBe('terminal')
    expect(adapter.answerSignature).toBeUndefined()
    let ids: Record<string, string> = {}
    const s = setupAdyen({
      intercept: (message) => {
        if (message.SaleToPOIRequest.MessageHeader.MessageCategory !== 'Payment') return undefined
        ids = {
          saleId: message.SaleToPOIRequest.MessageHeader.SaleID,
          serviceId: message.SaleToPOIRequest.MessageHeader.ServiceID,
        }
        // The terminal asks for a signature, checks it, and the answer comes back.
        for (const [i, event] of ['ASK_SIGNATURE', 'SIGNATURE_CHECKED'].entries())
          s.adapter.receive(
            display({ saleId: ids.saleId!, serviceId: ids.serviceId! }, event, `${i}`),
          )
        return paymentAnswer(message, {
          Response: { Result: 'Success' },
          PaymentResult: {
            AmountsResp: { Currency: 'EUR', AuthorizedAmount: 12.5 },
            PaymentInstrumentData: { CardData: { EntryMode: ['MagStripe'], MaskedPan: '1111' } },
          },
          PaymentReceipt: [
            {
              DocumentQualifier: 'CashierReceipt',
              RequiredSignatureFlag: true,
              OutputContent: {
                OutputFormat: 'Text',
                OutputText: [{ Text: 'name=Signature&key=sig' }, { Text: 'plain line' }],
              },
            },
          ],
        })
      },
    })
    const payment = await s.orchestrator.sale(pay(1250))
    const events = collect(payment)
    const outcome = await drive(s.clock, payment.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      verification: 'signature',
      entryMethod: 'swiped',
      receipt: { merchant: ['Signature', 'plain line'] },
    })
    expect(outcome.receipt?.customer).toBeUndefined()
    const list = await events.done
    expect(list.map((e) => [e.type, e.raw])).toEqual([
      ['signatureOnTerminal', 'ASK_SIGNATURE'],
      ['signatureDone', 'SIGNATURE_CHECKED'],
      ['finished', { Result: 'Success' }],
    ])
    // Nothing to answer: the terminal decides.
    expect('accept' in list[0]!).toBe(false)
  })

  it('a webhook delivered twice is one event; others are refused without effect', async () => {
    const { clock, orchestrator, adapter } = setupAdyen({ noWebhooks: true })
    const payment = await orchestrator.sale(pay(1213))
    const events = collect(payment)
    await pass(clock, 100)
    const ref = { saleId: payment.ids.saleId!, serviceId: payment.ids.serviceId! }
    const body = display(ref, 'TENDER_CREATED', '7')
    expect(adapter.receive(body)).toBe(true)
    expect(adapter.receive(JSON.stringify(body))).toBe(true)
    // Another event with its own DeviceID is new, even with the same name.
    expect(adapter.receive(display(ref, 'TENDER_CREATED', '8'))).toBe(true)
    expect(adapter.receive(display({ ...ref, serviceId: 'SOMEONEELS' }, 'WAIT_FOR_PIN', '9'))).toBe(
      false,
    )
    expect(
      adapter.receive(display({ ...ref, poiId: 'V400m-100000002' }, 'WAIT_FOR_PIN', '9')),
    ).toBe(false)
    expect(adapter.receive('not json')).toBe(false)
    expect(adapter.receive({ something: 'else' })).toBe(false)
    expect(adapter.receive(display(ref, 'SOMETHING_NEW', '10'))).toBe(true)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const list = await events.done
    expect(list.map((e) => [e.type, e.raw])).toEqual([
      ['started', 'TENDER_CREATED'],
      ['started', 'TENDER_CREATED'],
      ['other', 'SOMETHING_NEW'],
      ['finished', { Result: 'Success' }],
    ])
    // After the payment settled, its webhooks go nowhere.
    expect(adapter.receive(display(ref, 'PRINT_RECEIPT', '11'))).toBe(false)
  })

  it('an event notification about the payment is delivered as `other` with its value', async () => {
    const { clock, orchestrator, adapter } = setupAdyen({ noWebhooks: true })
    const payment = await orchestrator.sale(pay(1213))
    const events = collect(payment)
    await pass(clock, 100)
    const note = {
      SaleToPOIRequest: {
        MessageHeader: {
          ProtocolVersion: '3.0',
          MessageClass: 'Event',
          MessageCategory: 'Event',
          MessageType: 'Notification',
          ServiceID: payment.ids.serviceId,
          SaleID: payment.ids.saleId,
          POIID: POI,
        },
        EventNotification: {
          TimeStamp: '2025-01-01T00:00:01.000Z',
          EventToNotify: 'CardRemoved',
          EventDetails: 'message=Card+removed',
        },
      },
    }
    expect(adapter.receive(note)).toBe(true)
    expect(adapter.receive(note)).toBe(true)
    await drive(clock, payment.outcome)
    expect((await events.done).map((e) => [e.type, e.raw])).toEqual([
      ['other', 'CardRemoved'],
      ['finished', { Result: 'Success' }],
    ])
  })
})

/**
 * What the previous pass left: a misspelt name in a call's options, in a builder's input, or a
 * `clock` given to `client.nexo()` (which the client sets itself) is refused before anything is
 * sent, naming it and never quoting its value; every name the types document is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createAdyenClient,
  createNexo,
  type AbortInput,
  type NexoOptions,
  type PaymentInput,
  type ReversalInput,
  type TransactionStatusInput,
} from '../src/index.js'
import { refusal, unknownName, unknownNameOf } from '../../core/test/helpers.js'
import { harness, MERCHANT, POI } from './helpers.js'

/** A value a misspelt name could hold: it must appear in no error. */
const SECRET = `AQE_live_${crypto.randomUUID()}`

/** A client whose fetch records every request (and answers nothing useful). */
function recording() {
  const sent: Request[] = []
  const adyen = createAdyenClient({
    apiKey: 'test-api-key',
    environment: 'test',
    transport: 'device-api',
    merchantAccount: MERCHANT,
    retry: false,
    clock: createManualClock({ autoAdvance: true }),
    fetch: async (request: Request) => (sent.push(request), new Response('ok')),
  })
  return { sent, adyen, nexo: createNexo({ saleId: 'till-1' }) }
}

const PAYMENT: PaymentInput = { poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'tx-1' }
const ORIGINAL = { TransactionID: 'abc', TimeStamp: '2026-01-01T10:00:00Z' }

describe("the client's calls refuse an unknown option name, sending nothing", () => {
  const { sent, adyen, nexo } = recording()
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['payment', () => adyen.payment(nexo.payment(PAYMENT), { signl: SECRET } as never), 'signl'],
    [
      'reversal',
      () =>
        adyen.reversal(nexo.reversal({ poiId: POI, original: ORIGINAL }), {
          curency: SECRET,
        } as never),
      'curency',
    ],
    [
      'abort',
      () => adyen.abort(nexo.abort({ poiId: POI, abortServiceId: 'S1' }), { x: SECRET } as never),
      'x',
    ],
    [
      'transactionStatus',
      () =>
        adyen.transactionStatus(nexo.transactionStatus({ poiId: POI }), {
          currencyCode: SECRET,
        } as never),
      'currencyCode',
    ],
    ['sendAsync', () => adyen.sendAsync(nexo.payment(PAYMENT), { mode: SECRET } as never), 'mode'],
    ['deviceStatus', () => adyen.deviceStatus(POI, { timeout: SECRET } as never), 'timeout'],
    ['connectedDevices', () => adyen.connectedDevices({ stor: SECRET } as never), 'stor'],
    [
      'waitForTransactionStatus',
      () =>
        adyen.waitForTransactionStatus(nexo, { poiId: POI, serviceId: 'S1' }, {
          interval: SECRET,
        } as never),
      'interval',
    ],
  ]
  it.each(cases)('%s', async (_call, call, name) => {
    const error = await unknownNameOf(call, `options.${name}`, SECRET)
    expect(error.rule).toContain('signal')
    expect(sent).toHaveLength(0)
  })
})

describe("the client's calls take every option of their types", () => {
  it('connectedDevices and waitForTransactionStatus', async () => {
    const { adyen, nexo } = harness()
    const signal = new AbortController().signal
    await expect(
      adyen.connectedDevices({ store: 'shop-1', uniqueTerminalId: POI, signal }),
    ).resolves.toEqual(expect.any(Array))
    const target = { poiId: POI, serviceId: 'NEVERSENT1' }
    const result = await adyen.waitForTransactionStatus(nexo, target, {
      intervalMs: 1_000,
      maxWaitMs: 0,
      signal,
    })
    expect(result.status).toBe('not-found')
    expect(await adyen.deviceStatus(POI, { signal })).toBe('ONLINE')
  })
})

describe('client.nexo()', () => {
  it('refuses a clock, which the client sets itself, instead of silently replacing it', () => {
    const { adyen, sent } = recording()
    const clock = createManualClock({ start: 0 })
    const error = refusal(
      () => adyen.nexo({ saleId: 'till-1', clock } as NexoOptions),
      'options.clock',
      SECRET,
    )
    expect(error.rule).toMatch(/client/)
    expect(sent).toHaveLength(0)
  })

  it('still refuses an unknown name, and builds on the client clock', () => {
    const clock = createManualClock({ start: Date.UTC(2030, 0, 1) })
    const adyen = createAdyenClient({
      apiKey: 'k',
      environment: 'test',
      transport: 'legacy',
      clock,
    })
    unknownName(
      () => adyen.nexo({ saleId: 'till-1', saleID: SECRET } as never),
      'options.saleID',
      SECRET,
    )
    const message = adyen.nexo({ saleId: 'till-1' }).payment(PAYMENT)
    expect(message.SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID.TimeStamp).toBe(
      '2030-01-01T00:00:00.000Z',
    )
  })
})

describe("a builder's input refuses an unknown name (a misspelt field would be left out)", () => {
  const nexo = createNexo({ saleId: 'till-1' })
  it.each([
    [
      'payment',
      () => nexo.payment({ ...PAYMENT, tipAmmount: SECRET } as PaymentInput),
      'tipAmmount',
    ],
    [
      'reversal',
      () => nexo.reversal({ poiId: POI, original: ORIGINAL, reson: SECRET } as ReversalInput),
      'reson',
    ],
    [
      'abort',
      () => nexo.abort({ poiId: POI, abortServiceId: 'S1', abortDeviceID: SECRET } as AbortInput),
      'abortDeviceID',
    ],
    [
      'transactionStatus',
      () => nexo.transactionStatus({ poiId: POI, statusof: SECRET } as TransactionStatusInput),
      'statusof',
    ],
  ])('%s', (_builder, build, field) => {
    const error = unknownName(build, field, SECRET)
    expect(error.rule).toContain('poiId')
  })

  it('every name of the input types is taken', () => {
    const payment: Required<PaymentInput> = {
      ...PAYMENT,
      serviceId: 'PAY1',
      timeStamp: '2026-01-01T10:00:00Z',
      type: 'sale',
      tipAmount: 100,
      cashBackAmount: 0,
      saleReferenceId: 'ref',
      operatorId: 'op',
      shiftNumber: '1',
      saleToAcquirerData: 'a=b',
      tokenRequestedType: 'Customer',
      transactionConditions: { AllowedPaymentBrand: ['visa'] },
    }
    expect(nexo.payment(payment).SaleToPOIRequest.MessageHeader.ServiceID).toBe('PAY1')
    const reversal: Required<ReversalInput> = {
      poiId: POI,
      serviceId: 'REV1',
      original: ORIGINAL,
      amount: 100,
      currency: 'EUR',
      reason: 'MerchantCancel',
      transactionId: 'tx-2',
    }
    expect(nexo.reversal(reversal).SaleToPOIRequest.MessageHeader.ServiceID).toBe('REV1')
    const abort: Required<AbortInput> = {
      poiId: POI,
      serviceId: 'ABO1',
      abortServiceId: 'PAY1',
      abortDeviceId: 'DEV1',
      category: 'Payment',
      reason: 'MerchantAbort',
    }
    expect(nexo.abort(abort).SaleToPOIRequest.MessageHeader.ServiceID).toBe('ABO1')
    const status: Required<TransactionStatusInput> = {
      poiId: POI,
      serviceId: 'STA1',
      statusOf: 'PAY1',
      category: 'Payment',
      saleIdOf: 'till-1',
      receipts: ['CustomerReceipt'],
    }
    expect(nexo.transactionStatus(status).SaleToPOIRequest.MessageHeader.ServiceID).toBe('STA1')
  })
})

import { TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createNexo, PROTOCOL_VERSION, referenceOf, type NexoBuilder } from '../src/index.js'
import { createManualClock } from '@tillkit/core'
import { thrown } from '../../core/test/helpers.js'

const clock = createManualClock({ start: Date.UTC(2026, 2, 14, 9, 30) })
const nexo = () => createNexo({ saleId: 'till-7', clock })

/** The field and rule of the validation error `f` throws. */
function refusal(f: () => unknown): string {
  const e = thrown(f, TillkitValidationError)
  expect(e.mayHaveReachedProvider).toBe(false)
  return `${e.field}: ${e.rule}`
}

const sale = { poiId: 'P400Plus-1', amount: 1999, currency: 'GBP', transactionId: 'sale-1' }

describe('nexo builders', () => {
  it('fill the header so the caller writes only what differs', () => {
    const message = nexo().payment(sale)
    const { MessageHeader, PaymentRequest } = message.SaleToPOIRequest
    expect(MessageHeader).toEqual({
      ProtocolVersion: PROTOCOL_VERSION,
      MessageClass: 'Service',
      MessageCategory: 'Payment',
      MessageType: 'Request',
      ServiceID: expect.stringMatching(/^[0-9A-Z]{10}$/),
      SaleID: 'till-7',
      POIID: 'P400Plus-1',
    })
    expect(PaymentRequest).toEqual({
      SaleData: {
        SaleTransactionID: { TransactionID: 'sale-1', TimeStamp: '2026-03-14T09:30:00.000Z' },
      },
      PaymentTransaction: { AmountsReq: { Currency: 'GBP', RequestedAmount: 19.99 } },
    })
    expect(referenceOf(message)).toEqual({
      saleId: 'till-7',
      serviceId: MessageHeader.ServiceID,
      poiId: 'P400Plus-1',
      category: 'Payment',
    })
  })

  it('hand out ServiceIDs of at most 10 characters, never twice for one SaleID', () => {
    const builder = nexo()
    const ids = new Set<string>()
    for (let i = 0; i < 2_000; i++)
      ids.add(builder.payment(sale).SaleToPOIRequest.MessageHeader.ServiceID)
    expect(ids.size).toBe(2_000)
    // A random source that repeats itself: the builder draws again rather than reuse an id.
    let n = 0
    const repeating = createNexo({ saleId: 's', random: () => (n++ < 20 ? 0.1 : (n % 36) / 36) })
    const first = repeating.serviceId()
    const second = repeating.serviceId()
    expect(first).toBe('3333333333')
    expect(second).not.toBe(first)
    expect(second).toHaveLength(10)
    // One that never changes gives no fresh id after the first: a typed error, not a hang.
    const constant = createNexo({ saleId: 's', random: () => 0.5 })
    constant.serviceId()
    expect(() => constant.serviceId()).toThrow(
      expect.objectContaining({ name: 'TillkitValidationError', field: 'options.random' }),
    )
  })

  it('accept a chosen ServiceID once', () => {
    const builder = nexo()
    const message = builder.payment({ ...sale, serviceId: 'ABC' })
    expect(message.SaleToPOIRequest.MessageHeader.ServiceID).toBe('ABC')
    expect(refusal(() => builder.payment({ ...sale, serviceId: 'ABC' }))).toBe(
      'serviceId: was already used with SaleID till-7',
    )
    expect(refusal(() => builder.payment({ ...sale, serviceId: '12345678901' }))).toBe(
      'serviceId: must be at most 10 characters long',
    )
  })

  it('write refunds, tips and cashback in major units, and pass the optional sale data', () => {
    const message = nexo().payment({
      ...sale,
      currency: 'BHD',
      amount: 12_345,
      tipAmount: 5,
      cashBackAmount: 0,
      type: 'refund',
      operatorId: 'alice',
      shiftNumber: '2',
      saleReferenceId: 'basket-9',
      saleToAcquirerData: 'tenderOption=ReceiptHandler',
      tokenRequestedType: 'Customer',
      timeStamp: new Date(Date.UTC(2026, 0, 2)),
      transactionConditions: { ForceEntryMode: ['Keyed'] },
    })
    const body = message.SaleToPOIRequest.PaymentRequest
    expect(body.PaymentTransaction).toEqual({
      AmountsReq: { Currency: 'BHD', RequestedAmount: 12.345, TipAmount: 0.005, CashBackAmount: 0 },
      TransactionConditions: { ForceEntryMode: ['Keyed'] },
    })
    expect(body.PaymentData).toEqual({ PaymentType: 'Refund' })
    expect(body.SaleData).toEqual({
      SaleTransactionID: { TransactionID: 'sale-1', TimeStamp: '2026-01-02T00:00:00.000Z' },
      SaleReferenceID: 'basket-9',
      OperatorID: 'alice',
      ShiftNumber: '2',
      SaleToAcquirerData: 'tenderOption=ReceiptHandler',
      TokenRequestedType: 'Customer',
    })
  })

  it('refuse bad input naming the field and the rule', () => {
    const b = nexo()
    const cases: Array<[() => unknown, string]> = [
      [() => createNexo({ saleId: '' }), 'options.saleId: must be at least 1 characters long'],
      [() => createNexo(null as never), 'options: must be an object'],
      [() => b.payment(null as never), 'input: must be an object'],
      [() => b.payment({ ...sale, poiId: '' }), 'poiId: must be at least 1 characters long'],
      [
        () => b.payment({ ...sale, currency: 'XYZ' }),
        'currency: must be an ISO 4217 currency code with minor units, e.g. EUR',
      ],
      [() => b.payment({ ...sale, amount: 0 }), 'amount: must be an integer from 1 to 9999999999'],
      [
        () => b.payment({ ...sale, amount: 12.5 }),
        'amount: must be an integer from 1 to 9999999999',
      ],
      [
        () => b.payment({ ...sale, currency: 'JPY', amount: 10 ** 8 }),
        'amount: must be an integer from 1 to 99999999',
      ],
      [
        () => b.payment({ ...sale, tipAmount: -1 }),
        'tipAmount: must be an integer from 0 to 9999999999',
      ],
      [
        () => b.payment({ ...sale, transactionId: '' }),
        'transactionId: must be at least 1 characters long',
      ],
      [() => b.payment({ ...sale, type: 'void' as never }), 'type: must be one of sale, refund'],
      [
        () => b.payment({ ...sale, timeStamp: new Date(NaN) }),
        'timeStamp: must be a valid Date or an ISO 8601 string',
      ],
      [
        () => b.payment({ ...sale, tokenRequestedType: 'x' as never }),
        'tokenRequestedType: must be one of Customer, Transaction',
      ],
      // What the rules do not cover, the message schema does (Adyen refuses unknown fields).
      [
        () =>
          b.payment({
            ...sale,
            transactionConditions: { ForceEntryMode: ['Keyed'], Colour: 'red' } as never,
          }),
        'SaleToPOIRequest.PaymentRequest.PaymentTransaction.TransactionConditions.Colour: is not a field of a PaymentRequest',
      ],
      [
        () =>
          b.payment({ ...sale, transactionConditions: { ForceEntryMode: ['Telepathy'] } as never }),
        expect.stringMatching(
          /^SaleToPOIRequest\.PaymentRequest\.PaymentTransaction\.TransactionConditions\.ForceEntryMode\.0: must be equal to one of the allowed values \[/,
        ) as unknown as string,
      ],
    ]
    for (const [call, rule] of cases) expect(refusal(call)).toEqual(rule)
  })
})

describe('reversal, abort and status builders', () => {
  const original = { TransactionID: 'T1.8815000000000001', TimeStamp: '2026-03-14T09:00:00.000Z' }
  let b: NexoBuilder

  it('reverse in full or in part', () => {
    b = nexo()
    const full = b.reversal({ poiId: 'P400Plus-1', original })
    expect(full.SaleToPOIRequest.ReversalRequest).toEqual({
      OriginalPOITransaction: { POITransactionID: original },
      ReversalReason: 'MerchantCancel',
    })
    const part = b.reversal({
      poiId: 'P400Plus-1',
      original,
      amount: 1050,
      currency: 'EUR',
      reason: 'CustCancel',
      transactionId: 'refund-1',
    })
    expect(part.SaleToPOIRequest.MessageHeader.MessageCategory).toBe('Reversal')
    expect(part.SaleToPOIRequest.ReversalRequest).toEqual({
      OriginalPOITransaction: { POITransactionID: original },
      ReversalReason: 'CustCancel',
      ReversedAmount: 10.5,
      SaleData: {
        SaleTransactionID: { TransactionID: 'refund-1', TimeStamp: '2026-03-14T09:30:00.000Z' },
      },
    })
    expect(refusal(() => b.reversal({ poiId: 'P', original, amount: 100 }))).toMatch(
      /^currency: must be an ISO 4217/,
    )
    expect(refusal(() => b.reversal({ poiId: 'P', original: undefined as never }))).toBe(
      'original: must be the POITransactionID of the payment',
    )
    expect(
      refusal(() => b.reversal({ poiId: 'P', original: { TransactionID: '', TimeStamp: 'x' } })),
    ).toBe('original.TransactionID: must be at least 1 characters long')
    // Adyen's TimeStamp is a date-time with its offset, as the payment's answer gave it.
    for (const TimeStamp of ['yesterday', '2026-03-14', '2026-03-14T09:00:00'])
      expect(
        refusal(() => b.reversal({ poiId: 'P', original: { TransactionID: 'T.1', TimeStamp } })),
      ).toMatch(/^original\.TimeStamp: must match/)
    expect(
      refusal(() =>
        b.reversal({
          poiId: 'P',
          original: { TransactionID: 'T.1', TimeStamp: '2026-02-30T09:00:00Z' },
        }),
      ),
    ).toMatch(/^original\.TimeStamp: must be a valid date-time/)
    expect(refusal(() => b.reversal({ poiId: 'P', original, reason: 'Oops' as never }))).toBe(
      'reason: must be one of CustCancel, Malfunction, MerchantCancel, Unable2Compl',
    )
  })

  it('abort a request by its ServiceID', () => {
    const message = b.abort({ poiId: 'P400Plus-1', abortServiceId: 'PAY0000001' })
    expect(message.SaleToPOIRequest.MessageHeader.MessageCategory).toBe('Abort')
    expect(message.SaleToPOIRequest.AbortRequest).toEqual({
      MessageReference: {
        MessageCategory: 'Payment',
        ServiceID: 'PAY0000001',
        SaleID: 'till-7',
        POIID: 'P400Plus-1',
      },
      AbortReason: 'MerchantAbort',
    })
    expect(refusal(() => b.abort({ poiId: 'P', abortServiceId: '' }))).toBe(
      'abortServiceId: must be at least 1 characters long',
    )
    expect(
      refusal(() => b.abort({ poiId: 'P', abortServiceId: 'X', category: 'Nonsense' as never })),
    ).toMatch(
      /^SaleToPOIRequest\.AbortRequest\.MessageReference\.MessageCategory: must be equal to one of the allowed values/,
    )
  })

  it('ask for a status by reference, or for the last transaction', () => {
    const about = b.transactionStatus({
      poiId: 'P400Plus-1',
      statusOf: 'PAY0000001',
      receipts: ['CustomerReceipt'],
    })
    expect(about.SaleToPOIRequest.TransactionStatusRequest).toEqual({
      MessageReference: { MessageCategory: 'Payment', ServiceID: 'PAY0000001', SaleID: 'till-7' },
      DocumentQualifier: ['CustomerReceipt'],
      ReceiptReprintFlag: true,
    })
    const other = b.transactionStatus({
      poiId: 'P',
      statusOf: 'X',
      saleIdOf: 'till-8',
      category: 'Reversal',
    })
    expect(other.SaleToPOIRequest.TransactionStatusRequest.MessageReference).toEqual({
      MessageCategory: 'Reversal',
      ServiceID: 'X',
      SaleID: 'till-8',
    })
    expect(b.transactionStatus({ poiId: 'P' }).SaleToPOIRequest.TransactionStatusRequest).toEqual(
      {},
    )
    expect(refusal(() => b.transactionStatus({ poiId: 'P', statusOf: '' }))).toBe(
      'statusOf: must be at least 1 characters long',
    )
  })
})

describe('ServiceID memory', () => {
  it('forgets the oldest ids past 100 000, so memory stays bounded', () => {
    // A cheap seeded generator: the test is about the memory, not the randomness.
    let x = 42
    const random = () => {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      return (x >>> 0) / 2 ** 32
    }
    const builder = createNexo({ saleId: 'busy-till', random })
    builder.abort({ poiId: 'P', abortServiceId: 'X', serviceId: 'FIRST' })
    expect(
      refusal(() => builder.abort({ poiId: 'P', abortServiceId: 'X', serviceId: 'FIRST' })),
    ).toMatch(/^serviceId: was already used/)
    builder.abort({ poiId: 'P', abortServiceId: 'X', serviceId: 'SECOND' })
    for (let i = 0; i < 99_998; i++) builder.serviceId()
    // 100 000 remembered: FIRST is still one of them until one more comes.
    expect(
      refusal(() => builder.abort({ poiId: 'P', abortServiceId: 'X', serviceId: 'FIRST' })),
    ).toMatch(/already used/)
    builder.serviceId()
    expect(builder.abort({ poiId: 'P', abortServiceId: 'X', serviceId: 'FIRST' })).toBeDefined()
    // Remembering FIRST again pushed out the next oldest, SECOND.
    expect(builder.abort({ poiId: 'P', abortServiceId: 'X', serviceId: 'SECOND' })).toBeDefined()
  })
})

describe('abort: the DeviceID of the request to stop', () => {
  it('is sent in MessageReference when given (a Device-class request), and left out otherwise', () => {
    const b = nexo()
    const device = b.abort({
      poiId: 'P400Plus-1',
      abortServiceId: 'INP0000001',
      abortDeviceId: 'DEV0000001',
      category: 'Input',
    })
    expect(device.SaleToPOIRequest.AbortRequest.MessageReference).toEqual({
      MessageCategory: 'Input',
      ServiceID: 'INP0000001',
      DeviceID: 'DEV0000001',
      SaleID: 'till-7',
      POIID: 'P400Plus-1',
    })
    const payment = b.abort({ poiId: 'P400Plus-1', abortServiceId: 'PAY0000002' })
    expect(payment.SaleToPOIRequest.AbortRequest.MessageReference).not.toHaveProperty('DeviceID')
    expect(
      refusal(() => b.abort({ poiId: 'P', abortServiceId: 'X', abortDeviceId: 'D'.repeat(11) })),
    ).toBe('abortDeviceId: must be at most 10 characters long')
    expect(refusal(() => b.abort({ poiId: 'P', abortServiceId: 'X', abortDeviceId: '' }))).toBe(
      'abortDeviceId: must be at least 1 characters long',
    )
  })
})

import { TillkitProtocolError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  parseAdditionalResponse,
  parseFormEncoded,
  parseNotification,
  paymentOutcome,
  reversalOutcome,
  transactionStatusResult,
  type Nexo,
} from '../src/index.js'

const b64 = (value: unknown) => btoa(JSON.stringify(value))

describe('AdditionalResponse', () => {
  it('reads form-encoded pairs', () => {
    expect(
      parseAdditionalResponse('message=Terminal+is+not+reachable&a=1%26b&empty=&flag'),
    ).toEqual({
      message: 'Terminal is not reachable',
      a: '1&b',
      empty: '',
      flag: '',
    })
    expect(parseFormEncoded('k=%E0%A4%A&k=second&=x')).toEqual({ k: '%E0%A4%A' })
    expect(parseAdditionalResponse(undefined)).toEqual({})
    expect(parseAdditionalResponse('')).toEqual({})
  })

  it('reads base64 JSON, merging additionalData', () => {
    expect(
      parseAdditionalResponse(
        b64({
          additionalData: { refusalReason: 'Refused', amount: 12 },
          message: 'DECLINED',
          nested: { a: 1 },
          gone: null,
        }),
      ),
    ).toEqual({ refusalReason: 'Refused', amount: '12', message: 'DECLINED', nested: '{"a":1}' })
    expect(parseAdditionalResponse(b64({ additionalData: 'text' }))).toEqual({
      additionalData: 'text',
    })
  })

  it('falls back to form-encoding for text that only looks like base64', () => {
    expect(parseAdditionalResponse('abcd')).toEqual({ abcd: '' })
    // Base64 of JSON that is not an object, and of bytes that are not UTF-8.
    for (const text of [btoa('[1,2]'), btoa('\u00ff\u00fe')])
      expect(parseAdditionalResponse(text)).toEqual(parseFormEncoded(text))
  })
})

function payment(
  response: Nexo.Response,
  extra: Partial<Nexo.PaymentResponseBody> = {},
): Nexo.PaymentResponse {
  return {
    SaleToPOIResponse: {
      MessageHeader: {
        MessageClass: 'Service',
        MessageCategory: 'Payment',
        MessageType: 'Response',
        SaleID: 's',
        POIID: 'p',
        ServiceID: '1',
      },
      PaymentResponse: {
        Response: response,
        SaleData: {},
        POIData: { POITransactionID: { TransactionID: 'T.1', TimeStamp: '2026-01-01T00:00:00Z' } },
        ...extra,
      },
    },
  }
}

describe('paymentOutcome', () => {
  it.each([
    [
      {
        Result: 'Failure',
        ErrorCondition: 'Refusal',
        AdditionalResponse: 'refusalReason=Blocked+Card',
      },
      { status: 'declined', reason: 'card-blocked' },
    ],
    [
      {
        Result: 'Failure',
        ErrorCondition: 'Refusal',
        AdditionalResponse: 'refusalReason=Expired+Card',
      },
      { status: 'declined', reason: 'expired-card' },
    ],
    [
      {
        Result: 'Failure',
        ErrorCondition: 'Refusal',
        AdditionalResponse: 'refusalReason=Insufficient+funds',
      },
      { status: 'declined', reason: 'not-enough-balance' },
    ],
    [
      {
        Result: 'Failure',
        ErrorCondition: 'Refusal',
        AdditionalResponse: 'refusalReason=Pin+tries+exceeded',
      },
      { status: 'declined', reason: 'wrong-pin' },
    ],
    [
      { Result: 'Failure', ErrorCondition: 'Refusal' },
      { status: 'declined', reason: 'refused', refusalReason: undefined },
    ],
    [
      { Result: 'Failure', ErrorCondition: 'WrongPIN' },
      { status: 'declined', reason: 'wrong-pin' },
    ],
    [
      { Result: 'Failure', ErrorCondition: 'InvalidCard' },
      { status: 'declined', reason: 'invalid-card' },
    ],
    [
      { Result: 'Failure', ErrorCondition: 'Aborted' },
      { status: 'cancelled', cause: 'aborted' },
    ],
    [
      { Result: 'Failure', ErrorCondition: 'Cancel' },
      { status: 'cancelled', cause: 'cancelled' },
    ],
    [
      {
        Result: 'Failure',
        ErrorCondition: 'Cancel',
        AdditionalResponse: 'message=Communication+timeout',
      },
      { status: 'cancelled', cause: 'timed-out' },
    ],
    [
      { Result: 'Failure', AdditionalResponse: 'message=Time-out' },
      { status: 'cancelled', cause: 'timed-out' },
    ],
    [
      {
        Result: 'Failure',
        ErrorCondition: 'Cancel',
        AdditionalResponse: 'message=Card+prompt+timed+out',
      },
      { status: 'cancelled', cause: 'timed-out' },
    ],
    [{ Result: 'Failure', ErrorCondition: 'Busy' }, { status: 'busy' }],
    [
      {
        Result: 'Failure',
        ErrorCondition: 'UnreachableHost',
        AdditionalResponse: 'message=Terminal+is+not+reachable',
      },
      { status: 'unreachable', message: 'Terminal is not reachable' },
    ],
    [{ Result: 'Failure', ErrorCondition: 'UnavailableDevice' }, { status: 'unreachable' }],
    [{ Result: 'Failure', ErrorCondition: 'DeviceOut' }, { status: 'unreachable' }],
    [
      { Result: 'Failure', ErrorCondition: 'MessageFormat' },
      { status: 'failed', errorCondition: 'MessageFormat' },
    ],
    [
      { Result: 'Failure', ErrorCondition: 'SomethingNew' },
      { status: 'failed', errorCondition: 'SomethingNew' },
    ],
    [{ Result: 'Failure' }, { status: 'failed' }],
  ] as const)('%o is %o', (response, expected) => {
    expect(paymentOutcome(payment(response))).toMatchObject(expected)
  })

  it('approved: amounts in minor units, from the response currency or the one given', () => {
    const approved = paymentOutcome(
      payment(
        { Result: 'Success' },
        { PaymentResult: { AmountsResp: { AuthorizedAmount: 10.1, Currency: 'EUR' } } },
      ),
    )
    expect(approved).toMatchObject({
      status: 'approved',
      partial: false,
      amount: 1010,
      currency: 'EUR',
    })
    const noCurrency = payment(
      { Result: 'Partial' },
      { PaymentResult: { AmountsResp: { AuthorizedAmount: 5 } } },
    )
    expect(paymentOutcome(noCurrency)).toMatchObject({
      partial: true,
      amount: undefined,
      currency: undefined,
    })
    expect(paymentOutcome(noCurrency, 'JPY')).toMatchObject({ amount: 5, currency: 'JPY' })
    expect(paymentOutcome(payment({ Result: 'Success' }), 'EUR')).toMatchObject({
      amount: undefined,
    })
    // An authorised amount the currency cannot have is not silently rounded.
    expect(() =>
      paymentOutcome(
        payment(
          { Result: 'Success' },
          { PaymentResult: { AmountsResp: { AuthorizedAmount: 1.5, Currency: 'JPY' } } },
        ),
      ),
    ).toThrow(TillkitProtocolError)
  })

  it('reversalOutcome', () => {
    const body = (response: Nexo.Response, extra: Partial<Nexo.ReversalResponseBody> = {}) => ({
      Response: response,
      ...extra,
    })
    expect(
      reversalOutcome(body({ Result: 'Success' }, { ReversedAmount: 2.5 }), 'EUR'),
    ).toMatchObject({ status: 'reversed', amount: 250, poiTransaction: undefined })
    expect(reversalOutcome(body({ Result: 'Failure', ErrorCondition: 'Busy' }))).toMatchObject({
      status: 'busy',
    })
    expect(
      reversalOutcome(body({ Result: 'Failure', ErrorCondition: 'UnreachableHost' })),
    ).toMatchObject({ status: 'unreachable' })
    expect(
      reversalOutcome(body({ Result: 'Failure', ErrorCondition: 'NotAllowed' })),
    ).toMatchObject({ status: 'refused' })
  })
})

describe('transactionStatusResult', () => {
  it('a success without the repeated response is reported as failed, with its details', () => {
    expect(
      transactionStatusResult({
        SaleToPOIResponse: {
          MessageHeader: {
            MessageClass: 'Service',
            MessageCategory: 'TransactionStatus',
            MessageType: 'Response',
            SaleID: 's',
            POIID: 'p',
          },
          TransactionStatusResponse: {
            Response: { Result: 'Success', AdditionalResponse: 'message=odd' },
          },
        },
      }),
    ).toMatchObject({ status: 'failed', message: 'odd' })
  })
})

describe('parseNotification', () => {
  const header = {
    MessageClass: 'Event',
    MessageCategory: 'Event',
    MessageType: 'Notification',
    SaleID: 's',
    POIID: 'p',
  }

  it('types an event notification, from JSON text or a value', () => {
    const body = {
      SaleToPOIRequest: {
        MessageHeader: header,
        EventNotification: {
          TimeStamp: '2026-01-01T00:00:00Z',
          EventToNotify: 'OutOfOrder',
          EventDetails: 'reason=paper+out',
        },
      },
    }
    for (const input of [body, JSON.stringify(body)])
      expect(parseNotification(input)).toMatchObject({
        type: 'event',
        event: 'OutOfOrder',
        details: { reason: 'paper out' },
      })
  })

  it('refuses what it cannot type', () => {
    const fails = (body: unknown, fault: string) => {
      try {
        parseNotification(body)
      } catch (e) {
        expect(e).toBeInstanceOf(TillkitProtocolError)
        expect((e as TillkitProtocolError).fault).toBe(fault)
        return
      }
      throw new Error('parsed')
    }
    fails('{nope', 'malformed')
    fails({ hello: 1 }, 'unexpected')
    fails(null, 'unexpected')
    fails({ SaleToPOIRequest: { MessageHeader: header, EventNotification: {} } }, 'invalid')
    fails(
      { SaleToPOIRequest: { MessageHeader: header, DisplayRequest: { DisplayOutput: [] } } },
      'invalid',
    )
    fails({ SaleToPOIResponse: { MessageHeader: header, PaymentResponse: {} } }, 'invalid')
    fails({ SaleToPOIResponse: { MessageHeader: header, ReversalResponse: {} } }, 'invalid')
    fails(
      { SaleToPOIResponse: { MessageHeader: header, TransactionStatusResponse: {} } },
      'invalid',
    )
    fails({ SaleToPOIResponse: { MessageHeader: header, AdminResponse: {} } }, 'unexpected')
  })

  it('types reversal responses and display texts without an event key', () => {
    const reversal = parseNotification({
      SaleToPOIResponse: {
        MessageHeader: { ...header, MessageCategory: 'Reversal' },
        ReversalResponse: { Response: { Result: 'Success' } },
      },
    })
    expect(reversal).toMatchObject({ type: 'reversal', outcome: { status: 'reversed' } })
    const display = parseNotification({
      SaleToPOIRequest: {
        MessageHeader: header,
        DisplayRequest: {
          DisplayOutput: [
            {
              Device: 'CashierDisplay',
              InfoQualify: 'Status',
              OutputContent: { OutputFormat: 'Text', OutputText: [{ Text: 'Please wait' }] },
            },
            {
              Device: 'CashierDisplay',
              InfoQualify: 'Status',
              OutputContent: { OutputFormat: 'Text' },
            },
          ],
        },
      },
    })
    expect(display).toMatchObject({
      type: 'display',
      events: [{ event: 'Please wait', transactionId: undefined }],
    })
  })
})

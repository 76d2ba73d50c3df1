import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '@tillkit/core'
import {
  checkTransaction,
  MAX_AMOUNT,
  TRANSACTION_TYPES,
  type TransactionType,
} from '../src/index.js'
import { thrown } from '../../core/test/helpers.js'

/** The fields that make each type valid, and the form values they become. */
const VALID: Record<TransactionType, Record<string, unknown>> = {
  'Card.Purchase': { AmountTotal: 1250 },
  'Card.Refund': { AmountTotal: '500' },
  'Card.PurchasePlusCash': { AmountTotal: 6000, AmountCash: 2000 },
  'Card.CashAdvance': { AmountTotal: 4000 },
  'Card.Authorise': { AmountAuth: 10000, TransactionReference: 'ROOM-12' },
  'Card.Finalise': { AmountFinal: 8000, TransactionReference: 'ROOM-12' },
  'QR.Merchant.Purchase': { AmountTotal: 999 },
  'QR.Consumer.Purchase': { AmountTotal: 1 },
  'QR.Refund': { AmountTotal: MAX_AMOUNT },
  'Acquirer.Logon': {},
  'Acquirer.Settlement.Inquiry': { Date: '2026-01-01' },
  'Acquirer.Settlement.Cutover': {},
  'Journal.ReprintReceipt': {},
  'Journal.GetTransResult': {},
  'Terminal.GetStatus': {},
  'Terminal.ReadCard': {},
}

const rejection = (type: unknown, fields: unknown) =>
  thrown(() => checkTransaction(type, fields), TillkitValidationError)

describe('checkTransaction', () => {
  it.each(TRANSACTION_TYPES)('accepts %s with its fields and writes amounts as digits', (type) => {
    const { values } = checkTransaction(type, VALID[type])
    expect(Object.fromEntries(values)).toEqual(
      Object.fromEntries(Object.entries(VALID[type]).map(([k, v]) => [k, String(v)])),
    )
  })

  it('accepts the common optional fields on any type, in a fixed order', () => {
    const { values } = checkTransaction('Terminal.GetStatus', {
      PosNotificationCallbackUrl: 'https://pos.example/hook',
      SaleData: '{"sku":"A1"}',
    })
    expect(values).toEqual([
      ['SaleData', '{"sku":"A1"}'],
      ['PosNotificationCallbackUrl', 'https://pos.example/hook'],
    ])
  })

  it('takes no fields at all for types without required ones', () => {
    expect(checkTransaction('Acquirer.Logon', undefined).values).toEqual([])
    expect(checkTransaction('Card.Authorise', { AmountAuth: 100 }).values).toEqual([
      ['AmountAuth', '100'],
    ])
  })

  it.each([
    ['type', 'Card.Sale', {}, 'must be one of'],
    ['fields', 'Card.Purchase', 'AmountTotal=1', 'must be an object'],
    ['fields', 'Card.Purchase', [1], 'must be an object'],
    ['AmountTotal', 'Card.Purchase', {}, 'positive integer number of cents'],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: 0 }, 'positive integer'],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: -100 }, 'positive integer'],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: 12.5 }, 'positive integer'],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: '12.50' }, 'positive integer'],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: '0100' }, 'positive integer'],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: MAX_AMOUNT + 1 }, `up to ${MAX_AMOUNT}`],
    ['AmountTotal', 'Card.Purchase', { AmountTotal: String(MAX_AMOUNT + 1) }, 'positive'],
    ['AmountTotal', 'Card.Refund', { AmountTotal: { cents: 1 } }, 'positive integer'],
    ['AmountCash', 'Card.PurchasePlusCash', { AmountTotal: 1000 }, 'positive integer'],
    [
      'AmountCash',
      'Card.PurchasePlusCash',
      { AmountTotal: 1000, AmountCash: 1001 },
      'not be more than AmountTotal',
    ],
    ['AmountAuth', 'Card.Authorise', { TransactionReference: 'R1' }, 'positive integer'],
    ['TransactionReference', 'Card.Finalise', { AmountFinal: 100 }, 'must be a string'],
    [
      'TransactionReference',
      'Card.Finalise',
      { AmountFinal: 100, TransactionReference: '' },
      'at least 1',
    ],
    ['AmountTotal', 'Acquirer.Logon', { AmountTotal: 100 }, 'not allowed for Acquirer.Logon'],
    [
      'AmountCash',
      'Card.Purchase',
      { AmountTotal: 100, AmountCash: 10 },
      'not allowed for Card.Purchase',
    ],
    [
      'TransactionReference',
      'Card.Purchase',
      { AmountTotal: 100, TransactionReference: 'x' },
      'not allowed',
    ],
    ['Date', 'Acquirer.Logon', { Date: '2026-01-01' }, 'not allowed'],
    ['Tip', 'Card.Purchase', { AmountTotal: 100, Tip: 5 }, 'is not a field of Card.Purchase'],
    [
      'POSRegisterID',
      'Card.Purchase',
      { AmountTotal: 100, POSRegisterID: 'x' },
      'set by the client',
    ],
    [
      'TransactionMode',
      'Card.Purchase',
      { AmountTotal: 100, TransactionMode: 'SYNC' },
      'set by the client',
    ],
    ['SaleData', 'Card.Purchase', { AmountTotal: 100, SaleData: '{oops' }, 'JSON document'],
    ['SaleData', 'Card.Purchase', { AmountTotal: 100, SaleData: { sku: 1 } }, 'JSON document'],
    [
      'PosNotificationCallbackUrl',
      'Card.Purchase',
      { AmountTotal: 100, PosNotificationCallbackUrl: 'ftp://x' },
      'http or https',
    ],
    [
      'PosNotificationCallbackUrl',
      'Card.Purchase',
      { AmountTotal: 100, PosNotificationCallbackUrl: 'not a url' },
      'http or https',
    ],
  ])('rejects a bad %s (%s %j) naming the rule', (field, type, fields, rule) => {
    const error = rejection(type, fields)
    expect(error.field).toBe(field)
    expect(error.rule).toContain(rule)
    expect(error.mayHaveReachedProvider).toBe(false)
  })
})

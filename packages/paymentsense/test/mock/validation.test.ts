import { describe, expect, it } from 'vitest'
import { harness, pac } from './helpers.js'

const post = (body: unknown, tid = '22160001') =>
  pac('POST', `/pac/terminals/${tid}/transactions`, { body })

describe('transactionRequest rules', () => {
  it.each<[string, unknown, RegExp]>([
    ['not an object', [1, 2], /JSON object/],
    ['null', null, /JSON object/],
    ['no type', { amount: 100, currency: 'GBP' }, /transactionType is required/],
    [
      'an unknown type',
      { transactionType: 'PAYOUT', amount: 1, currency: 'GBP' },
      /transactionType/,
    ],
    [
      'an unknown field',
      { transactionType: 'SALE', amount: 1, currency: 'GBP', tip: 1 },
      /Unknown field/,
    ],
    ['no amount on a sale', { transactionType: 'SALE', currency: 'GBP' }, /amount is required/],
    ['no currency on a refund', { transactionType: 'REFUND', amount: 1 }, /currency is required/],
    ['a zero amount', { transactionType: 'SALE', amount: 0, currency: 'GBP' }, /amount must be/],
    [
      'a fractional amount',
      { transactionType: 'SALE', amount: 1.5, currency: 'GBP' },
      /amount must be/,
    ],
    [
      'a string amount',
      { transactionType: 'SALE', amount: '100', currency: 'GBP' },
      /amount must be/,
    ],
    [
      'an amount too large',
      { transactionType: 'SALE', amount: 100_000_000, currency: 'GBP' },
      /amount/,
    ],
    ['an unknown currency', { transactionType: 'SALE', amount: 1, currency: 'USD' }, /GBP or EUR/],
    [
      'the wrong currency',
      { transactionType: 'SALE', amount: 1, currency: 'EUR' },
      /does not match/,
    ],
    [
      'cashback on a refund',
      { transactionType: 'REFUND', amount: 1, currency: 'GBP', amountCashback: 100 },
      /only accepted for SALE/,
    ],
    [
      'cashback above the limit',
      { transactionType: 'SALE', amount: 1, currency: 'GBP', amountCashback: 10_001 },
      /amountCashback/,
    ],
    [
      'a negative cashback',
      { transactionType: 'SALE', amount: 1, currency: 'GBP', amountCashback: -1 },
      /amountCashback/,
    ],
    [
      'a non-boolean cardholderNotPresent',
      { transactionType: 'SALE', amount: 1, currency: 'GBP', cardholderNotPresent: 'yes' },
      /cardholderNotPresent/,
    ],
    [
      'a completion without authCode',
      { transactionType: 'COMPLETION', amount: 1, currency: 'GBP', amountPreAuthorisedTotal: 1 },
      /authCode is required/,
    ],
    [
      'a completion without the pre-authorised total',
      { transactionType: 'COMPLETION', amount: 1, currency: 'GBP', authCode: 'A1' },
      /amountPreAuthorisedTotal is required/,
    ],
    [
      'an empty authCode',
      {
        transactionType: 'COMPLETION',
        amount: 1,
        currency: 'GBP',
        authCode: '',
        amountPreAuthorisedTotal: 1,
      },
      /authCode/,
    ],
    [
      'authCode on a sale',
      { transactionType: 'SALE', amount: 1, currency: 'GBP', authCode: 'A1' },
      /only accepted for COMPLETION/,
    ],
    [
      'a pre-authorised total on a pre-auth',
      { transactionType: 'PRE_AUTH', amount: 1, currency: 'GBP', amountPreAuthorisedTotal: 1 },
      /only accepted for COMPLETION/,
    ],
    [
      'an amount on a duplicate',
      { transactionType: 'DUPLICATE', amount: 1 },
      /not accepted for DUPLICATE/,
    ],
    [
      'cardholderNotPresent on a duplicate',
      { transactionType: 'DUPLICATE', cardholderNotPresent: true },
      /not accepted for DUPLICATE/,
    ],
  ])('refuses %s with 422', async (_, body, message) => {
    const h = harness()
    const { status, body: answer } = await h.call(post(body))
    expect(status).toBe(422)
    expect(answer.userMessage).toMatch(message)
    expect(h.cloud.terminals.get('22160001').status).toBe('AVAILABLE')
  })

  it('refuses a body that is not JSON', async () => {
    const h = harness()
    const { status, body } = await h.call(post('{"transactionType":'))
    expect(status).toBe(422)
    expect(body.userMessage).toMatch(/not valid JSON/)
  })

  it('accepts every well-formed type, EUR on a EUR terminal, and a currency-less duplicate', async () => {
    const h = harness()
    const accepted = [
      {
        transactionType: 'SALE',
        amount: 1,
        currency: 'EUR',
        amountCashback: 0,
        cardholderNotPresent: false,
      },
      { transactionType: 'ACCOUNT_VERIFICATION', currency: 'EUR' },
      { transactionType: 'DUPLICATE' },
    ]
    for (const body of accepted) {
      const { status } = await h.call(post(body, '22160003'))
      expect(status).toBe(201)
      await h.clock.advance(120_000)
    }
  })
})

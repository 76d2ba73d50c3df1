/**
 * What the previous pass left: a transaction request (the call that starts a payment) with a field
 * no transaction type has, a misspelt `amountCashback` say, is refused by the client before it is
 * sent, naming the field and never quoting its value, as an inapplicable field already was. Every
 * field of each type's schema shape is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createPaymentsenseClient, type PacComponents } from '../src/index.js'
import { unknownNameOf } from '../../core/test/helpers.js'

/** A value a misspelt name could hold: it must appear in no error. */
const SECRET = `ps_live_${crypto.randomUUID()}`

type Schemas = PacComponents['schemas']

/** A client whose fetch records every request and answers 201. */
function recording() {
  const sent: Request[] = []
  const client = createPaymentsenseClient({
    account: 'mysite',
    environment: 'test',
    apiKey: `ps_test_${crypto.randomUUID()}`,
    softwareHouseId: 'SWH-1',
    installerId: 'INST-1',
    retry: false,
    minIntervalMs: 0,
    clock: createManualClock({ autoAdvance: true }),
    fetch: async (request: Request) => {
      sent.push(request)
      return Response.json({ requestId: 'r-1', location: '/x' }, { status: 201 })
    },
  })
  const start = (body: unknown) =>
    client.pac.POST('/pac/terminals/{tid}/transactions', {
      params: { path: { tid: '22160001' } },
      body: body as Schemas['TransactionRequest'],
    })
  return { sent, start }
}

describe('a transaction request with a field no transaction has is refused, sending nothing', () => {
  it.each([
    [
      'SALE',
      { transactionType: 'SALE', amount: 100, currency: 'GBP', amountCashbak: SECRET },
      'amountCashbak',
    ],
    [
      'REFUND',
      { transactionType: 'REFUND', amount: 100, currency: 'GBP', reason: SECRET },
      'reason',
    ],
    ['DUPLICATE', { transactionType: 'DUPLICATE', tid: SECRET }, 'tid'],
    [
      'COMPLETION',
      {
        transactionType: 'COMPLETION',
        amount: 100,
        currency: 'GBP',
        authCode: 'A1',
        amountPreAuthorisedTotal: 100,
        authcode: SECRET,
      },
      'authcode',
    ],
  ])('%s', async (_type, body, field) => {
    const { sent, start } = recording()
    const error = await unknownNameOf(() => start(body), field, SECRET)
    expect(error.rule).toContain('amountCashback')
    expect(sent).toHaveLength(0)
  })

  it('a field of another type is still refused as inapplicable (its own words)', async () => {
    const { sent, start } = recording()
    const body = { transactionType: 'REFUND', amount: 100, currency: 'GBP', amountCashback: 5 }
    const error = await start(body).catch((caught: { field: string; rule: string }) => caught)
    expect(error).toMatchObject({ field: 'amountCashback', rule: 'only allowed for SALE' })
    expect(sent).toHaveLength(0)
  })
})

describe("every field of each type's shape is taken", () => {
  it.each([
    [
      'SALE',
      {
        transactionType: 'SALE',
        amount: 100,
        currency: 'GBP',
        amountCashback: 10,
        cardholderNotPresent: false,
      } satisfies Required<Omit<Schemas['SaleRequest'], 'authCode' | 'amountPreAuthorisedTotal'>>,
    ],
    [
      'COMPLETION',
      {
        transactionType: 'COMPLETION',
        amount: 100,
        currency: 'GBP',
        cardholderNotPresent: false,
        authCode: 'A1',
        amountPreAuthorisedTotal: 100,
      } satisfies Required<Omit<Schemas['CompletionRequest'], 'amountCashback'>>,
    ],
    ['DUPLICATE', { transactionType: 'DUPLICATE', currency: 'EUR' }],
  ])('%s', async (_type, body) => {
    const { sent, start } = recording()
    await start(body)
    expect(sent).toHaveLength(1)
  })
})

import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '@tillkit/core'
import type { TransactionFields } from '../src/index.js'
import { failure, harness } from './helpers.js'

/**
 * The fields argument is typed per transaction type from the generated schema types: the compiler
 * refuses what the runtime checks refuse. Each `@ts-expect-error` fails the typecheck if the type
 * ever stops catching it; the runtime check is asserted too, for callers without TypeScript.
 */
describe('per-type field types', () => {
  it('refuse at compile time and at run time what the schema does not allow', async () => {
    const { client } = harness()
    const rejected = [
      // @ts-expect-error AmountTotal is required for a purchase
      client.startTransaction('Card.Purchase', {}),
      // @ts-expect-error a purchase takes no AmountCash
      client.startTransaction('Card.Purchase', { AmountTotal: 100, AmountCash: 10 }),
      // @ts-expect-error a finalise needs its TransactionReference
      client.startTransaction('Card.Finalise', { AmountFinal: 100 }),
      // @ts-expect-error amounts are numbers or strings
      client.startTransaction('Card.Refund', { AmountTotal: true }),
      // @ts-expect-error no such type
      client.startTransaction('Card.Sale', { AmountTotal: 100 }),
      // @ts-expect-error the register identity comes from the options
      client.startTransaction('Terminal.GetStatus', { POSRegisterID: 'x' }),
    ]
    for (const attempt of rejected)
      expect(await failure(attempt)).toBeInstanceOf(TillkitValidationError)
  })

  it('types without required fields take none; the common fields fit every type', () => {
    const status: TransactionFields<'Terminal.GetStatus'> = {}
    const cash: TransactionFields<'Card.PurchasePlusCash'> = {
      AmountTotal: '6000',
      AmountCash: 2000,
      SaleData: '{}',
      PosNotificationCallbackUrl: 'https://pos.example/done',
    }
    expect([status, cash]).toHaveLength(2)
  })
})

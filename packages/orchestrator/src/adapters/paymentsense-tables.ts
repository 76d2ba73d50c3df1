/**
 * Paymentsense Connect pay at table over REST (`/pat`, v1): the EPoS keeps each bill in the cloud
 * as a table, terminals take payments against it, and every EPoS write carries the amounts it last
 * read (`lastKnownAmount`, `lastKnownPaidAmount`), so a write never undoes a payment it has not seen.
 */
import { assertInteger, assertOneOf, TillkitValidationError } from '@tillkit/core'
import {
  CURRENCIES,
  MAX_AMOUNT,
  type PatComponents,
  type PaymentsenseClient,
} from '@tillkit/paymentsense'
import type { TableCapability, TableContext, TableGuard, TableWrite } from '../adapter.js'
import type { TablePayment, TableState } from '../types.js'
import { table } from './shared.js'

type Schemas = PatComponents['schemas']

/** Connect suggests reading tables every 5 s; 1 to 30 s is acceptable. */
export const TABLE_CADENCE_MS = 5_000
export const TABLE_CADENCE_RANGE_MS = [1_000, 30_000] as const

const ENTRY = table<string>({
  ICC_CHIP: 'chip',
  CONTACTLESS: 'contactless',
  SWIPED: 'swiped',
  KEYED: 'keyed',
})

/** The `tables` capability of the Paymentsense REST adapter, on the adapter's client. */
export function paymentsenseTables(
  client: () => PaymentsenseClient,
  cadenceMs = TABLE_CADENCE_MS,
): TableCapability {
  assertInteger('options.tableCadenceMs', cadenceMs, ...TABLE_CADENCE_RANGE_MS)
  const path = (ctx: TableContext) => ({ params: { path: { tableName: ctx.request.table } } })

  /** A guarded write's answer: 204 done; Connect's 404, 422 (guard mismatch) and 423 (locked). */
  const written = (result: { response: Response; error?: unknown }): TableWrite => {
    switch (result.response.status) {
      case 404:
        return 'missing'
      case 422:
        return 'conflict'
      case 423:
        return 'locked'
    }
    client().transport.ok(result)
    return 'done'
  }
  const guardOf = (guard: TableGuard) => ({
    lastKnownAmount: guard.amount,
    lastKnownPaidAmount: guard.amountPaid,
  })

  return {
    pacing: { cadenceMs, cadenceRangeMs: TABLE_CADENCE_RANGE_MS },

    validate(request) {
      assertOneOf('currency', request.currency, CURRENCIES)
      assertInteger('amount', request.amount, 0, MAX_AMOUNT)
      if (request.table.includes('/'))
        throw new TillkitValidationError('table', 'must not contain "/" with paymentsense')
    },

    async open(ctx) {
      const { table, amount, currency, receipt, waiterIds } = ctx.request
      const result = await client().pat.PUT('/pat/tables', {
        body: {
          tableName: table,
          amount,
          currency: currency as Schemas['Currency'],
          ...(receipt && { receipt: receipt.map((value) => ({ type: 'TEXT' as const, value })) }),
          ...(waiterIds && { waiterIds: [...waiterIds] }),
        },
        signal: ctx.signal,
      })
      if (result.response.status === 409) return 'exists'
      client().transport.ok(result)
      return 'created'
    },

    async read(ctx) {
      const result = await client().pat.GET('/pat/tables/{tableName}', {
        ...path(ctx),
        signal: ctx.signal,
      })
      if (result.response.status === 404) return undefined
      return stateOf(client().transport.ok(result))
    },

    async setAmount(ctx, guard, amount) {
      return written(
        await client().pat.PUT('/pat/tables/{tableName}/amount', {
          ...path(ctx),
          body: { ...guardOf(guard), newAmount: amount },
        }),
      )
    },

    async close(ctx, guard) {
      return written(
        await client().pat.DELETE('/pat/tables/{tableName}', {
          ...path(ctx),
          body: guardOf(guard),
        }),
      )
    },
  }
}

function stateOf(table: Schemas['Table']): Omit<TableState, 'at'> {
  return {
    amount: table.amount,
    amountPaid: table.amountPaid,
    amountGratuity: table.amountGratuity,
    amountCashback: table.amountCashback,
    locked: table.locked,
    ...(table.locked && table.lockedBy && { lockedBy: table.lockedBy }),
    payments: table.payments.map(paymentOf),
  }
}

function paymentOf(p: Schemas['TablePayment']): TablePayment {
  const entry = ENTRY[p.paymentMethod]
  return {
    paymentId: p.paymentId,
    amount: p.amountPaid,
    gratuity: p.amountGratuity,
    cashback: p.amountCashback,
    currency: p.currency,
    ...(p.authCode && { authCode: p.authCode }),
    ...(p.cardSchemeName && { cardScheme: p.cardSchemeName }),
    ...(entry && { entryMethod: entry }),
    ...(p.time && { time: p.time }),
    raw: p,
  }
}

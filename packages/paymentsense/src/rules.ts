import {
  absent,
  assertKnownFields,
  assertOneOf,
  bool,
  checkFields,
  fields,
  int,
  list,
  oneOf,
  optional,
  string,
  text,
  type Check,
  type Rules,
} from '@tillkit/core'
import type { components } from './generated/pac-v2.js'
import { CURRENCIES, MAX_AMOUNT, MAX_CASHBACK, REPORT_TYPES, TRANSACTION_TYPES } from './limits.js'

/** Amounts are integer pence. */
const AMOUNT = int(1, MAX_AMOUNT)
const AMOUNT_OR_ZERO = int(0, MAX_AMOUNT)
const CURRENCY = oneOf(CURRENCIES)

const ANY_STRING = string({})
/** A receipt line needs its `value`; its `type` and `format` may be values newer than ours. */
const RECEIPT_LINE = fields({ value: ANY_STRING })

const ONLY_COMPLETION = absent('only allowed for COMPLETION')
const NOT_DUPLICATE = absent('not allowed for DUPLICATE')

type Schemas = components['schemas']
/** A transaction type's request shape in the schema, which lists every field (`never` if refused). */
type Shape<T> = Extract<Schemas['TransactionRequest'], { transactionType: T }>
/** A transaction type's rules: one per field of its shape but the type itself. */
type RulesOf<T> = Record<Exclude<keyof Shape<T>, 'transactionType'>, Check>

/** What every transaction type but DUPLICATE shares; the types below adjust it. */
const TRANSACTION = {
  currency: CURRENCY,
  amount: AMOUNT,
  amountCashback: absent('only allowed for SALE'),
  cardholderNotPresent: optional(bool),
  authCode: ONLY_COMPLETION,
  amountPreAuthorisedTotal: ONLY_COMPLETION,
} satisfies RulesOf<'SALE'>

/** Every name a transaction request may have: each type's rules name them all. */
const TRANSACTION_NAMES = { transactionType: 1, ...TRANSACTION }

/**
 * The pay-at-counter transaction rules the cloud would answer with a 422, by transaction type (the
 * `satisfies` keeps each in step with its schema shape).
 */
export const TRANSACTION_RULES = {
  SALE: { ...TRANSACTION, amountCashback: optional(int(0, MAX_CASHBACK)) },
  REFUND: TRANSACTION,
  DUPLICATE: {
    amount: NOT_DUPLICATE,
    amountCashback: NOT_DUPLICATE,
    authCode: NOT_DUPLICATE,
    amountPreAuthorisedTotal: NOT_DUPLICATE,
    cardholderNotPresent: NOT_DUPLICATE,
    currency: optional(CURRENCY),
  },
  PRE_AUTH: TRANSACTION,
  COMPLETION: { ...TRANSACTION, authCode: text, amountPreAuthorisedTotal: AMOUNT },
  // Moves no money: Connect's example sends the type alone.
  ACCOUNT_VERIFICATION: { ...TRANSACTION, amount: optional(AMOUNT), currency: optional(CURRENCY) },
} satisfies { [T in (typeof TRANSACTION_TYPES)[number]]: RulesOf<T> }

const LAST_KNOWN: Rules = { lastKnownAmount: AMOUNT_OR_ZERO, lastKnownPaidAmount: AMOUNT_OR_ZERO }

/** The body rules of each operation, keyed by method and openapi-fetch's `schemaPath`. */
export const BODY_RULES: Record<string, Rules> = {
  'POST /pac/terminals/{tid}/transactions': {
    transactionType: (field, type, body) => {
      assertOneOf(
        field,
        type,
        Object.keys(TRANSACTION_RULES) as Array<keyof typeof TRANSACTION_RULES>,
      )
      // A name no type has (a misspelling) would be sent and perhaps ignored: refused.
      assertKnownFields(body, TRANSACTION_NAMES)
      checkFields(body, TRANSACTION_RULES[type])
    },
  },
  'PUT /pac/terminals/{tid}/transactions/{requestId}/signature': { accepted: bool },
  'POST /pac/terminals/{tid}/reports': {
    reportType: oneOf(REPORT_TYPES),
  },
  'PUT /pat/tables': { tableName: text, amount: AMOUNT_OR_ZERO, currency: CURRENCY },
  'DELETE /pat/tables/{tableName}': LAST_KNOWN,
  'PUT /pat/tables/{tableName}/amount': { ...LAST_KNOWN, newAmount: AMOUNT_OR_ZERO },
  'PUT /pat/tables/{tableName}/lock': { ...LAST_KNOWN, locked: bool },
  'PUT /pat/tables/{tableName}/receipt': { ...LAST_KNOWN, newReceipt: list(RECEIPT_LINE) },
  'PUT /pat/tables/{tableName}/waiterids': { ...LAST_KNOWN, newWaiterIds: list(ANY_STRING) },
}

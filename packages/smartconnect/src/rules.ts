import {
  assertObject,
  absent,
  assertOneOf,
  checkFields,
  optional,
  string,
  text,
  TillkitValidationError,
  type Check,
  type Rules,
} from '@tillkit/core'
import {
  MAX_AMOUNT,
  TRANSACTION_TYPES,
  type CommonField,
  type TransactionField,
  type TransactionFields,
  type TransactionType,
} from './types.js'

/**
 * Per-type field rules for `POST /Transaction` and the register id rule, shared by the client
 * (checked before sending) and the fake cloud (answered with a 400 `{error}`), so both refuse the
 * same input in the same words.
 */

/**
 * SmartConnect asks for a UUID as POSRegisterID: 32 hex digits in 8-4-4-4-12 groups. No RFC 4122
 * version or variant is required (the documentation's own example carries none).
 */
export const registerId: Check = string({
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  patternRule: 'must be a UUID (the POSRegisterID): 32 hex digits grouped 8-4-4-4-12',
})

const AMOUNT_RULE = `must be a positive integer number of cents (a number or a string of digits) up to ${MAX_AMOUNT}`

/** Integer cents, given as a number or as a string of digits. */
export const amount: Check = (field, value) => {
  const ok =
    typeof value === 'number'
      ? Number.isInteger(value) && value >= 1 && value <= MAX_AMOUNT
      : typeof value === 'string' && /^[1-9][0-9]*$/.test(value) && Number(value) <= MAX_AMOUNT
  if (!ok) throw new TillkitValidationError(field, AMOUNT_RULE, describe(value))
}

/** The cash-out part of a purchase: an amount that is not more than `AmountTotal`. */
const cashPart: Check = (field, value, body) => {
  amount(field, value, body)
  if (Number(value) > Number(body.AmountTotal))
    throw new TillkitValidationError(field, 'must not be more than AmountTotal', describe(value))
}

/** Optional sale or SKU details: a JSON document in a string. */
const jsonText: Check = (field, value) => {
  let ok = typeof value === 'string'
  try {
    if (ok) JSON.parse(value as string)
  } catch {
    ok = false
  }
  if (!ok) throw new TillkitValidationError(field, 'must be a string holding a JSON document')
}

/** An absolute http(s) URL. */
const webUrl: Check = (field, value) => {
  let ok = false
  try {
    ok = typeof value === 'string' && /^https?:$/.test(new URL(value).protocol)
  } catch {
    ok = false
  }
  if (!ok) throw new TillkitValidationError(field, 'must be an absolute http or https URL')
}

/**
 * Every field a transaction request may carry besides the ones the client sets itself, in the order
 * they are sent (the `satisfies` keeps the list in step with the schema's types).
 */
export const TRANSACTION_FIELDS = Object.keys({
  AmountTotal: 1,
  AmountCash: 1,
  AmountAuth: 1,
  AmountFinal: 1,
  TransactionReference: 1,
  Date: 1,
  SaleData: 1,
  PosNotificationCallbackUrl: 1,
} satisfies Record<TransactionField, 1>) as readonly TransactionField[]

/**
 * The fields each type takes besides the common ones (the `satisfies` keeps each in step with its
 * schema type); the other known fields must be left out.
 */
const OWN_RULES = {
  'Card.Purchase': { AmountTotal: amount },
  'Card.Refund': { AmountTotal: amount },
  'Card.PurchasePlusCash': { AmountTotal: amount, AmountCash: cashPart },
  'Card.CashAdvance': { AmountTotal: amount },
  'Card.Authorise': { AmountAuth: amount, TransactionReference: optional(text) },
  'Card.Finalise': { AmountFinal: amount, TransactionReference: text },
  'QR.Merchant.Purchase': { AmountTotal: amount },
  'QR.Consumer.Purchase': { AmountTotal: amount },
  'QR.Refund': { AmountTotal: amount },
  'Acquirer.Logon': {},
  'Acquirer.Settlement.Inquiry': { Date: optional(text) },
  'Acquirer.Settlement.Cutover': {},
  'Journal.ReprintReceipt': {},
  'Journal.GetTransResult': {},
  'Terminal.GetStatus': {},
  'Terminal.ReadCard': {},
} satisfies {
  [T in TransactionType]: Record<Exclude<keyof TransactionFields<T>, CommonField>, Check>
}

const COMMON_RULES = {
  SaleData: optional(jsonText),
  PosNotificationCallbackUrl: optional(webUrl),
} satisfies Record<CommonField, Check>

/** The full rule set of each type: its own fields, the common optional ones, and `absent` for the rest. */
export const TRANSACTION_RULES = Object.fromEntries(
  TRANSACTION_TYPES.map((type) => {
    const rules: Rules = {}
    for (const field of TRANSACTION_FIELDS) rules[field] = absent(`not allowed for ${type}`)
    const full: Rules = { ...rules, ...OWN_RULES[type], ...COMMON_RULES }
    return [type, full]
  }),
) as Record<TransactionType, Rules>

/** What the caller may not set: the client fills these in from its options on every request. */
const CLIENT_SET = new Set([
  'POSRegisterID',
  'POSBusinessName',
  'POSVendorName',
  'TransactionMode',
  'TransactionType',
])

/**
 * Checks a type and its fields, and returns the fields as form values (amounts as digits), in the
 * order of {@link TRANSACTION_FIELDS}. Throws a TillkitValidationError naming the field and the rule.
 */
export function checkTransaction(
  type: unknown,
  fields: unknown,
): { type: TransactionType; values: Array<[string, string]> } {
  assertOneOf('type', type, TRANSACTION_TYPES)
  if (fields === undefined) fields = {}
  assertObject('fields', fields)
  const body = fields as Record<string, unknown>
  for (const key of Object.keys(body)) {
    if (CLIENT_SET.has(key))
      throw new TillkitValidationError(key, 'is set by the client (see options.register)')
    if (!(TRANSACTION_FIELDS as readonly string[]).includes(key))
      throw new TillkitValidationError(key, `is not a field of ${type}`)
  }
  checkFields(body, TRANSACTION_RULES[type])
  const values: Array<[string, string]> = []
  for (const field of TRANSACTION_FIELDS)
    if (body[field] !== undefined) values.push([field, String(body[field])])
  return { type, values }
}

/** A short description of an offending value for the message (long strings are cut). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40))
  return typeof value === 'object' && value !== null ? typeof value : String(value)
}

import {
  checkFields,
  int,
  oneOf,
  optional,
  string,
  text,
  bool,
  TillkitValidationError,
  type Check,
  type Rules,
} from '@tillkit/core'
import { CURRENCY_PATTERN, ENTRY_METHODS, MAX_AMOUNT } from './limits.js'

/** A nested object: checked field by field, each named by its path (`order.amount`). */
const object =
  (rules: Rules): Check =>
  (field, value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new TillkitValidationError(field, 'must be an object')
    checkFields(value as Record<string, unknown>, rules, `${field}.`)
  }

/** Minor units; the gateway refuses zero and negative amounts on requests. */
const AMOUNT = int(1, MAX_AMOUNT)
const CURRENCY = string({ pattern: CURRENCY_PATTERN })

const CUSTOMIZATION = optional(object({ entryMethod: optional(oneOf(ENTRY_METHODS)) }))

/** The body rules of each operation, keyed by method and openapi-fetch's `schemaPath`. */
export const BODY_RULES: Record<string, Rules> = {
  'POST /devices/{serialNumber}/payment-instructions': {
    processingTerminalId: text,
    order: object({
      orderId: text,
      amount: AMOUNT,
      currency: CURRENCY,
      description: optional(string({})),
      acceptPartialAmount: optional(bool),
      breakdown: optional(
        object({ subtotal: int(0, MAX_AMOUNT), cashbackAmount: optional(int(0, MAX_AMOUNT)) }),
      ),
    }),
    operator: optional(text),
    autoCapture: optional(bool),
    processAsSale: optional(bool),
    customizationOptions: CUSTOMIZATION,
  },
  'POST /devices/{serialNumber}/refund-instructions': {
    processingTerminalId: text,
    order: object({ orderId: text, description: text, amount: AMOUNT, currency: CURRENCY }),
    operator: optional(text),
    customizationOptions: CUSTOMIZATION,
  },
  'POST /devices/{serialNumber}/signature-instructions': { processingTerminalId: text },
  'POST /payments/{paymentId}/refunds': {
    amount: AMOUNT,
    description: text,
    operator: optional(text),
  },
  'POST /payments/{paymentId}/reverse': { amount: optional(AMOUNT), operator: optional(text) },
}

/** Query rules; `before` and `after` are two directions and cannot be combined. */
export const QUERY_RULES: Record<string, Rules> = {
  'GET /devices': {
    limit: optional(int(1, 100)),
    after: optional(text),
    before: (field, value, query) => {
      if (value === undefined) return
      text(field, value, query)
      if (query.after !== undefined)
        throw new TillkitValidationError(field, 'cannot be combined with after')
    },
  },
}

/** The POSTs the gateway only accepts with an `Idempotency-Key`. */
export const IDEMPOTENT_POSTS: ReadonlySet<string> = new Set(Object.keys(BODY_RULES))

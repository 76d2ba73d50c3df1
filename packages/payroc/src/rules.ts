import {
  checkFields,
  dateTime,
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
import {
  CURRENCY_PATTERN,
  ENTRY_METHODS,
  MAX_AMOUNT,
  MAX_PAGE_SIZE,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from './limits.js'

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

/** Cursor paging, shared by the lists: `before` and `after` are two directions and cannot be combined. */
const PAGE_RULES: Rules = {
  limit: optional(int(1, MAX_PAGE_SIZE)),
  after: optional(text),
  before: (field, value, query) => {
    if (value === undefined) return
    text(field, value, query)
    if (query.after !== undefined)
      throw new TillkitValidationError(field, 'cannot be combined with after')
  },
}

/**
 * Query rules of the lists, keyed like the body rules. The keys are every parameter the operation takes: the
 * paging helpers refuse any other (a misspelt filter would otherwise widen a search to everything).
 */
export const QUERY_RULES: Record<string, Rules> = {
  'GET /devices': {
    serialNumber: optional(string({})),
    ksi: optional(string({})),
    model: optional(string({})),
    active: optional(bool),
    ...PAGE_RULES,
  },
  'GET /payments': {
    processingTerminalId: optional(text),
    orderId: optional(text),
    operator: optional(text),
    cardholderName: optional(text),
    first6: optional(string({ pattern: /^\d{6}$/ })),
    last4: optional(string({ pattern: /^\d{4}$/ })),
    dateFrom: optional(dateTime),
    dateTo: (field, value, query) => {
      if (value === undefined) return
      dateTime(field, value, query)
      // Compared as instants: the two may carry different offsets.
      const from = query.dateFrom
      if (typeof from === 'string' && Date.parse(value as string) < Date.parse(from))
        throw new TillkitValidationError(
          field,
          'must not be before dateFrom',
          JSON.stringify(value),
        )
    },
    status: optional(oneOf(TRANSACTION_STATUSES)),
    type: optional(oneOf(TRANSACTION_TYPES)),
    ...PAGE_RULES,
  },
}

/** The POSTs the gateway only accepts with an `Idempotency-Key`. */
export const IDEMPOTENT_POSTS: ReadonlySet<string> = new Set(Object.keys(BODY_RULES))

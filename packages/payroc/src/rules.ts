import {
  dateTime,
  fields,
  int,
  list,
  oneOf,
  optional,
  string,
  text,
  bool,
  TillkitValidationError,
  type Check,
  urlText,
  type Rules,
} from '@tillkit/core'
import {
  ALTERNATIVE_TENDERS,
  BENEFIT_CATEGORIES,
  CLOSED_LOOP_TYPES,
  CONTACT_METHOD_TYPES,
  CURRENCY_PATTERN,
  ENTRY_METHODS,
  IP_ADDRESS_TYPES,
  MAX_AMOUNT,
  MAX_PAGE_SIZE,
  MIT_AGREEMENTS,
  NOTIFICATION_LANGUAGES,
  TAX_TYPES,
  TIP_MODES,
  TIP_TYPES,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from './limits.js'

/** Minor units; the gateway refuses zero and negative amounts on requests. */
const AMOUNT = int(1, MAX_AMOUNT)
/** Minor units within a breakdown (a part of the amount), zero allowed. */
const PART = int(0, MAX_AMOUNT)
const CURRENCY = string({ pattern: CURRENCY_PATTERN })
/** Any string, the empty one included: Payroc states no length for these. */
const ANY_STRING = string({})
/** An object whose contents the client leaves to the gateway. */
const OPEN_OBJECT = fields({})
/** A rate or a percentage: any finite JSON number (core has no check for non-integers). */
const NUMBER: Check = (field, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TillkitValidationError(field, 'must be a number', typeof value)
}

const ADDRESS = fields({
  address1: optional(ANY_STRING),
  address2: optional(ANY_STRING),
  address3: optional(ANY_STRING),
  city: optional(ANY_STRING),
  state: optional(ANY_STRING),
  country: optional(ANY_STRING),
  postalCode: optional(ANY_STRING),
})

const CUSTOMER = fields({
  firstName: optional(ANY_STRING),
  lastName: optional(ANY_STRING),
  dateOfBirth: optional(
    string({ pattern: /^\d{4}-\d{2}-\d{2}$/, patternRule: 'must be a date (YYYY-MM-DD)' }),
  ),
  referenceNumber: optional(ANY_STRING),
  billingAddress: optional(ADDRESS),
  shippingAddress: optional(
    fields({ recipientName: optional(ANY_STRING), address: optional(ADDRESS) }),
  ),
  contactMethods: optional(list(fields({ type: oneOf(CONTACT_METHOD_TYPES), value: ANY_STRING }))),
  notificationLanguage: optional(oneOf(NOTIFICATION_LANGUAGES)),
})

const IP_ADDRESS = fields({ type: oneOf(IP_ADDRESS_TYPES), value: ANY_STRING })

const CUSTOMIZATION = fields({
  entryMethod: optional(oneOf(ENTRY_METHODS)),
  ebtDetails: optional(
    fields({ benefitCategory: oneOf(BENEFIT_CATEGORIES), withdrawal: optional(bool) }),
  ),
  closedLoopOptions: optional(fields({ type: optional(oneOf(CLOSED_LOOP_TYPES)) })),
})

const BREAKDOWN = fields({
  subtotal: PART,
  cashbackAmount: optional(PART),
  tip: optional(
    fields({
      type: oneOf(TIP_TYPES),
      mode: optional(oneOf(TIP_MODES)),
      amount: optional(PART),
      percentage: optional(NUMBER),
    }),
  ),
  surcharge: optional(
    fields({ bypass: optional(bool), amount: optional(PART), percentage: optional(NUMBER) }),
  ),
  dualPricing: optional(
    fields({
      offered: bool,
      choiceRate: optional(OPEN_OBJECT),
      alternativeTender: optional(oneOf(ALTERNATIVE_TENDERS)),
    }),
  ),
  taxes: optional(list(fields({ type: oneOf(TAX_TYPES), rate: NUMBER, name: ANY_STRING }))),
})

const CREDENTIAL_ON_FILE = fields({
  externalVault: optional(bool),
  tokenize: optional(bool),
  secureTokenId: optional(ANY_STRING),
  mitAgreement: optional(oneOf(MIT_AGREEMENTS)),
})

/** Stored card details; a merchant-initiated agreement needs the order's standing instructions. */
const credentialOnFile: Check = (field, value, body) => {
  CREDENTIAL_ON_FILE(field, value, body)
  const { mitAgreement } = value as Record<string, unknown>
  const { standingInstructions } = body.order as Record<string, unknown>
  if (mitAgreement !== undefined && standingInstructions === undefined)
    throw new TillkitValidationError(
      'order.standingInstructions',
      'is required when credentialOnFile.mitAgreement is sent',
    )
}

/** The body rules of each operation, keyed by method and openapi-fetch's `schemaPath`. */
export const BODY_RULES: Record<string, Rules> = {
  'POST /devices/{serialNumber}/payment-instructions': {
    processingTerminalId: text,
    order: fields({
      orderId: text,
      amount: AMOUNT,
      currency: CURRENCY,
      dateTime: optional(dateTime),
      description: optional(ANY_STRING),
      acceptPartialAmount: optional(bool),
      breakdown: optional(BREAKDOWN),
      standingInstructions: optional(OPEN_OBJECT),
    }),
    operator: optional(ANY_STRING),
    customer: optional(CUSTOMER),
    ipAddress: optional(IP_ADDRESS),
    // After `order`, which it reads.
    credentialOnFile: optional(credentialOnFile),
    customizationOptions: optional(CUSTOMIZATION),
    autoCapture: optional(bool),
    processAsSale: optional(bool),
  },
  'POST /devices/{serialNumber}/refund-instructions': {
    processingTerminalId: text,
    order: fields({
      orderId: text,
      dateTime: optional(dateTime),
      description: text,
      amount: AMOUNT,
      currency: CURRENCY,
    }),
    operator: optional(ANY_STRING),
    customer: optional(CUSTOMER),
    ipAddress: optional(IP_ADDRESS),
    customizationOptions: optional(CUSTOMIZATION),
  },
  'POST /devices/{serialNumber}/signature-instructions': { processingTerminalId: text },
  'POST /payments/{paymentId}/refunds': {
    amount: AMOUNT,
    description: text,
    operator: optional(ANY_STRING),
  },
  'POST /payments/{paymentId}/reverse': {
    amount: optional(AMOUNT),
    operator: optional(ANY_STRING),
  },
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
    serialNumber: optional(urlText),
    ksi: optional(urlText),
    model: optional(urlText),
    active: optional(bool),
    ...PAGE_RULES,
  },
  'GET /payments': {
    processingTerminalId: optional(urlText),
    orderId: optional(urlText),
    operator: optional(urlText),
    cardholderName: optional(urlText),
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

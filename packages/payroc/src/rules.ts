import {
  dateTime,
  exactFields,
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
import type { components } from './generated/cloud-v1.js'

type Schemas = components['schemas']

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

/** The rules of an object type of the schema: one per field, none missing, none extra. */
type RulesOf<T> = Record<keyof NonNullable<T>, Check>

/**
 * The body rules of each operation, keyed by method and openapi-fetch's `schemaPath`, with the
 * objects inside a body made by `object`. Each object's rules name every field its schema type has
 * (the `satisfies` keeps them in step with the generated types), so the client, with
 * `exactFields`, refuses any other name before sending: a payment-only field on a refund, a
 * misspelt field the gateway would leave out. The fake uses `fields` and takes unknown names, as
 * nothing known of Payroc's gateway says it refuses them.
 */
export function bodyRules(object: (rules: Rules) => Check): Record<string, Rules> {
  const address = object({
    address1: optional(ANY_STRING),
    address2: optional(ANY_STRING),
    address3: optional(ANY_STRING),
    city: optional(ANY_STRING),
    state: optional(ANY_STRING),
    country: optional(ANY_STRING),
    postalCode: optional(ANY_STRING),
  } satisfies RulesOf<Schemas['Address']>)

  const customer = object({
    firstName: optional(ANY_STRING),
    lastName: optional(ANY_STRING),
    dateOfBirth: optional(
      string({ pattern: /^\d{4}-\d{2}-\d{2}$/, patternRule: 'must be a date (YYYY-MM-DD)' }),
    ),
    referenceNumber: optional(ANY_STRING),
    billingAddress: optional(address),
    shippingAddress: optional(
      object({
        recipientName: optional(ANY_STRING),
        address: optional(address),
      } satisfies RulesOf<Schemas['Customer']['shippingAddress']>),
    ),
    contactMethods: optional(
      list(
        object({
          type: oneOf(CONTACT_METHOD_TYPES),
          value: ANY_STRING,
        } satisfies RulesOf<Schemas['ContactMethod']>),
      ),
    ),
    notificationLanguage: optional(oneOf(NOTIFICATION_LANGUAGES)),
  } satisfies RulesOf<Schemas['Customer']>)

  const ipAddress = object({
    type: oneOf(IP_ADDRESS_TYPES),
    value: ANY_STRING,
  } satisfies RulesOf<Schemas['IpAddress']>)

  const customization = object({
    entryMethod: optional(oneOf(ENTRY_METHODS)),
    ebtDetails: optional(
      object({
        benefitCategory: oneOf(BENEFIT_CATEGORIES),
        withdrawal: optional(bool),
      } satisfies RulesOf<Schemas['CustomizationOptions']['ebtDetails']>),
    ),
    closedLoopOptions: optional(
      object({
        type: optional(oneOf(CLOSED_LOOP_TYPES)),
      } satisfies RulesOf<Schemas['CustomizationOptions']['closedLoopOptions']>),
    ),
  } satisfies RulesOf<Schemas['CustomizationOptions']>)

  const breakdown = object({
    subtotal: PART,
    cashbackAmount: optional(PART),
    tip: optional(
      object({
        type: oneOf(TIP_TYPES),
        mode: optional(oneOf(TIP_MODES)),
        amount: optional(PART),
        percentage: optional(NUMBER),
      } satisfies RulesOf<Schemas['Tip']>),
    ),
    surcharge: optional(
      object({
        bypass: optional(bool),
        amount: optional(PART),
        percentage: optional(NUMBER),
      } satisfies RulesOf<Schemas['Surcharge']>),
    ),
    dualPricing: optional(
      object({
        offered: bool,
        choiceRate: optional(OPEN_OBJECT),
        alternativeTender: optional(oneOf(ALTERNATIVE_TENDERS)),
      } satisfies RulesOf<Schemas['DualPricing']>),
    ),
    taxes: optional(
      list(
        object({
          type: oneOf(TAX_TYPES),
          rate: NUMBER,
          name: ANY_STRING,
        } satisfies RulesOf<Schemas['TaxRate']>),
      ),
    ),
  } satisfies RulesOf<Schemas['Breakdown']>)

  const credentials = object({
    externalVault: optional(bool),
    tokenize: optional(bool),
    secureTokenId: optional(ANY_STRING),
    mitAgreement: optional(oneOf(MIT_AGREEMENTS)),
  } satisfies RulesOf<Schemas['CredentialOnFile']>)

  /** Stored card details; a merchant-initiated agreement needs the order's standing instructions. */
  const credentialOnFile: Check = (field, value, body) => {
    credentials(field, value, body)
    const { mitAgreement } = value as Record<string, unknown>
    const { standingInstructions } = body.order as Record<string, unknown>
    if (mitAgreement !== undefined && standingInstructions === undefined)
      throw new TillkitValidationError(
        'order.standingInstructions',
        'is required when credentialOnFile.mitAgreement is sent',
      )
  }

  return {
    'POST /devices/{serialNumber}/payment-instructions': {
      processingTerminalId: text,
      order: object({
        orderId: text,
        amount: AMOUNT,
        currency: CURRENCY,
        dateTime: optional(dateTime),
        description: optional(ANY_STRING),
        acceptPartialAmount: optional(bool),
        breakdown: optional(breakdown),
        standingInstructions: optional(OPEN_OBJECT),
      } satisfies RulesOf<Schemas['PaymentInstructionOrder']>),
      operator: optional(ANY_STRING),
      customer: optional(customer),
      ipAddress: optional(ipAddress),
      // After `order`, which it reads.
      credentialOnFile: optional(credentialOnFile),
      customizationOptions: optional(customization),
      autoCapture: optional(bool),
      processAsSale: optional(bool),
    } satisfies RulesOf<Schemas['PaymentInstructionRequest']>,
    'POST /devices/{serialNumber}/refund-instructions': {
      processingTerminalId: text,
      order: object({
        orderId: text,
        dateTime: optional(dateTime),
        description: text,
        amount: AMOUNT,
        currency: CURRENCY,
      } satisfies RulesOf<Schemas['RefundInstructionOrder']>),
      operator: optional(ANY_STRING),
      customer: optional(customer),
      ipAddress: optional(ipAddress),
      customizationOptions: optional(customization),
    } satisfies RulesOf<Schemas['RefundInstructionRequest']>,
    'POST /devices/{serialNumber}/signature-instructions': {
      processingTerminalId: text,
    } satisfies RulesOf<Schemas['SignatureInstructionRequest']>,
    'POST /payments/{paymentId}/refunds': {
      amount: AMOUNT,
      description: text,
      operator: optional(ANY_STRING),
    } satisfies RulesOf<Schemas['ReferencedRefundRequest']>,
    'POST /payments/{paymentId}/reverse': {
      amount: optional(AMOUNT),
      operator: optional(ANY_STRING),
    } satisfies RulesOf<Schemas['ReversalRequest']>,
  }
}

/** The client's body rules: an object with a name its schema type does not have is refused. */
export const BODY_RULES = bodyRules(exactFields)

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

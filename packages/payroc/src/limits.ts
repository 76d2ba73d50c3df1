import type { components } from './generated/cloud-v1.js'

type Schemas = components['schemas']

/**
 * Payroc's documented timings and value sets in one place: the client checks against them before sending and the
 * fake cloud enforces them as the gateway would.
 */

/** How long the gateway holds an instruction read while nothing changes. */
export const LONG_POLL_HOLD_MS = 60_000
/** Our default timeout for an instruction read: well above the hold, so a held read is never cut short. */
export const POLL_TIMEOUT_MS = 90_000
/** Payroc's SDK renews its token this long before it expires; so do we. */
export const TOKEN_REFRESH_MARGIN_MS = 120_000
/** Amounts are int64 on the wire; JavaScript numbers are exact up to this. */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER

export const INSTRUCTION_STATUSES = [
  'inProgress',
  'completed',
  'failure',
  'canceled',
] as const satisfies readonly Schemas['InstructionStatus'][]

export const ENTRY_METHODS = [
  'deviceRead',
  'manualEntry',
  'deviceReadOrManualEntry',
] as const satisfies readonly NonNullable<Schemas['CustomizationOptions']['entryMethod']>[]

/** The value sets of an instruction request's fields, checked before sending. */
export const NOTIFICATION_LANGUAGES = ['en', 'fr'] as const satisfies readonly NonNullable<
  Schemas['Customer']['notificationLanguage']
>[]

export const CONTACT_METHOD_TYPES = [
  'email',
  'phone',
  'mobile',
  'fax',
] as const satisfies readonly Schemas['ContactMethod']['type'][]

export const IP_ADDRESS_TYPES = [
  'ipv4',
  'ipv6',
] as const satisfies readonly Schemas['IpAddress']['type'][]

export const MIT_AGREEMENTS = [
  'unscheduled',
  'recurring',
  'installment',
] as const satisfies readonly NonNullable<Schemas['CredentialOnFile']['mitAgreement']>[]

export const BENEFIT_CATEGORIES = ['cash', 'foodStamp'] as const satisfies readonly NonNullable<
  Schemas['CustomizationOptions']['ebtDetails']
>['benefitCategory'][]

export const CLOSED_LOOP_TYPES = ['mifare'] as const satisfies readonly NonNullable<
  NonNullable<Schemas['CustomizationOptions']['closedLoopOptions']>['type']
>[]

export const TIP_TYPES = [
  'percentage',
  'fixedAmount',
] as const satisfies readonly Schemas['Tip']['type'][]

export const TIP_MODES = ['prompted', 'adjusted'] as const satisfies readonly NonNullable<
  Schemas['Tip']['mode']
>[]

export const ALTERNATIVE_TENDERS = [
  'card',
  'cash',
  'bankTransfer',
] as const satisfies readonly NonNullable<Schemas['DualPricing']['alternativeTender']>[]

export const TAX_TYPES = ['rate'] as const satisfies readonly Schemas['TaxRate']['type'][]

/** A transaction result's statuses: the values of the payment search's `status` filter. */
export const TRANSACTION_STATUSES = [
  'ready',
  'pending',
  'declined',
  'complete',
  'referral',
  'pickup',
  'reversal',
  'admin',
  'expired',
  'accepted',
] as const satisfies readonly Schemas['TransactionStatus'][]

/** A transaction result's types: the values of the payment search's `type` filter. */
export const TRANSACTION_TYPES = [
  'sale',
  'refund',
  'preAuthorization',
  'preAuthorizationCompletion',
] as const satisfies readonly Schemas['TransactionType'][]

/** Page size of the gateway's lists: 10 when not asked, at most 100 (our guess; not documented). */
export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100

/** ISO 4217 alphabetic form; the gateway knows which codes it takes. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/

/** UUID v4, the form Payroc asks for in `Idempotency-Key`. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

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

import type { components } from './generated/pac-v2.js'

type Schemas = components['schemas']

/**
 * Connect's documented limits and value sets, in one place: the client checks them before sending and the fake
 * cloud enforces them as the real cloud would.
 */
export const MAX_AMOUNT = 99_999_999
export const MAX_CASHBACK = 10_000
export const CURRENCIES = ['GBP', 'EUR'] as const satisfies readonly Schemas['Currency'][]
export const TRANSACTION_TYPES = [
  'SALE',
  'REFUND',
  'DUPLICATE',
  'PRE_AUTH',
  'COMPLETION',
  'ACCOUNT_VERIFICATION',
] as const satisfies readonly Schemas['RequestTransactionType'][]
export const REPORT_TYPES = [
  'END_OF_DAY',
  'BANKING',
  'X_BALANCE',
  'Z_BALANCE',
] as const satisfies readonly Schemas['ReportType'][]

import type { Currency, PatReceiptLine, ReportType, RequestTransactionType } from '../types.js'
import { bool, int, text, TillkitValidationError, type Check } from '@tillkit/core'
import { refuse } from './errors.js'
import {
  CURRENCIES,
  MAX_AMOUNT,
  MAX_CASHBACK,
  REPORT_TYPES,
  TRANSACTION_TYPES,
} from '../../limits.js'

/** Bodies are checked strictly: an unknown field is refused, so client typos surface in tests. */

/** Line types a table receipt may use (pay at table, v1). */
const TABLE_LINE_TYPES = [
  'TEXT',
  'BOX_DECLINE',
  'BOX_VOID',
  'IMAGE_LOGO',
  'CARRIAGE_RETURN',
  'LINE_SEPARATOR_SINGLE',
  'LINE_SEPARATOR_DOUBLE',
  'TICKET_FEED',
  'BARCODE_CODE25',
  'BARCODE_CODE39',
  'BARCODE_CODE128',
]
const LINE_FORMATS = ['BOLD', 'DOUBLE_HEIGHT', 'DOUBLE_WIDTH']

export type Body = Record<string, unknown>

export function asObject(value: unknown, allowed: readonly string[]): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('invalid', 'The request body must be a JSON object.')
  }
  const body = value as Body
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key))
  if (unknown.length) refuse('invalid', `Unknown field(s): ${unknown.join(', ')}.`)
  return body
}

export function isCurrency(value: unknown): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value as Currency)
}

export function isReportType(value: unknown): value is ReportType {
  return (REPORT_TYPES as readonly string[]).includes(value as ReportType)
}

/**
 * Reads one field: missing is refused unless optional, and a value breaking `check` (one of core's
 * assertions, the same rules the client applies before sending) is refused as Connect would, 422
 * with a userMessage naming the field and the rule.
 */
function read<T>(body: Body, field: string, optional: boolean, check: Check): T | undefined {
  const value = body[field]
  if (value === undefined) return optional ? undefined : refuse('invalid', `${field} is required.`)
  try {
    check(field, value, body)
  } catch (error) {
    if (error instanceof TillkitValidationError) refuse('invalid', `${field} ${error.rule}.`)
    throw error
  }
  return value as T
}

export function integerField(body: Body, field: string, min: number, max: number): number
export function integerField(
  body: Body,
  field: string,
  min: number,
  max: number,
  optional: boolean,
): number | undefined
export function integerField(
  body: Body,
  field: string,
  min: number,
  max: number,
  optional = false,
): number | undefined {
  return read(body, field, optional, int(min, max))
}

export function booleanField(body: Body, field: string): boolean
export function booleanField(body: Body, field: string, optional: true): boolean | undefined
export function booleanField(body: Body, field: string, optional = false): boolean | undefined {
  return read(body, field, optional, bool)
}

export function stringField(body: Body, field: string): string
export function stringField(body: Body, field: string, optional: true): string | undefined
export function stringField(body: Body, field: string, optional = false): string | undefined {
  return read(body, field, optional, text)
}

export function stringListField(body: Body, field: string, optional = false): string[] | undefined {
  const value = body[field]
  if (value === undefined) return optional ? undefined : refuse('invalid', `${field} is required.`)
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    refuse('invalid', `${field} must be a list of strings.`)
  }
  return [...(value as string[])]
}

/** A table receipt: a list of `{ type?, format?, value }` lines. */
export function receiptField(
  body: Body,
  field: string,
  optional = false,
): PatReceiptLine[] | undefined {
  const value = body[field]
  if (value === undefined) return optional ? undefined : refuse('invalid', `${field} is required.`)
  const valid =
    Array.isArray(value) &&
    value.every((line: unknown) => {
      if (typeof line !== 'object' || line === null) return false
      const { type, format, value: text, ...rest } = line as Record<string, unknown>
      return (
        typeof text === 'string' &&
        Object.keys(rest).length === 0 &&
        (type === undefined || TABLE_LINE_TYPES.includes(type as string)) &&
        (format === undefined ||
          (Array.isArray(format) && format.every((f) => LINE_FORMATS.includes(f as string))))
      )
    })
  if (!valid)
    refuse('invalid', `${field} must be a list of receipt lines ({ type?, format?, value }).`)
  return structuredClone(value as PatReceiptLine[])
}

/** A transaction request after every field rule has been checked. */
export interface TransactionOrder {
  type: RequestTransactionType
  currency: Currency
  /** Requested base amount; absent for DUPLICATE and (usually) ACCOUNT_VERIFICATION. */
  amount?: number
  amountCashback: number
  cardholderNotPresent: boolean
  authCode?: string
  amountPreAuthorisedTotal?: number
}

/** Checks a `transactionRequest` body against the field rules and the terminal's currency. */
export function parseTransactionRequest(
  value: unknown,
  terminalCurrency: Currency,
  { totalRequired = true } = {},
): TransactionOrder {
  const body = asObject(value, [
    'transactionType',
    'currency',
    'amount',
    'amountCashback',
    'cardholderNotPresent',
    'authCode',
    'amountPreAuthorisedTotal',
  ])
  const type = body.transactionType
  if (type === undefined) refuse('invalid', 'transactionType is required.')
  if (!(TRANSACTION_TYPES as readonly string[]).includes(type as RequestTransactionType)) {
    refuse('invalid', `transactionType must be one of ${TRANSACTION_TYPES.join(', ')}.`)
  }
  const kind = type as RequestTransactionType
  const movesMoney = kind !== 'DUPLICATE' && kind !== 'ACCOUNT_VERIFICATION'

  if (body.currency !== undefined && !isCurrency(body.currency)) {
    refuse('invalid', 'currency must be GBP or EUR.')
  }
  if (body.currency === undefined && movesMoney) refuse('invalid', 'currency is required.')
  const currency = (body.currency as Currency | undefined) ?? terminalCurrency
  if (currency !== terminalCurrency) {
    refuse(
      'invalid',
      `currency ${currency} does not match the terminal's currency ${terminalCurrency}.`,
    )
  }

  if (kind === 'DUPLICATE') {
    if (body.amount !== undefined) refuse('invalid', 'amount is not accepted for DUPLICATE.')
    if (body.cardholderNotPresent !== undefined) {
      refuse('invalid', 'cardholderNotPresent is not accepted for DUPLICATE.')
    }
  }
  const amount = integerField(body, 'amount', 1, MAX_AMOUNT, true)
  if (amount === undefined && movesMoney) refuse('invalid', 'amount is required.')

  if (body.amountCashback !== undefined && kind !== 'SALE') {
    refuse('invalid', 'amountCashback is only accepted for SALE.')
  }
  const amountCashback = integerField(body, 'amountCashback', 0, MAX_CASHBACK, true) ?? 0
  const cardholderNotPresent = booleanField(body, 'cardholderNotPresent', true) ?? false

  let authCode: string | undefined
  let amountPreAuthorisedTotal: number | undefined
  if (kind === 'COMPLETION') {
    authCode = stringField(body, 'authCode')
    amountPreAuthorisedTotal = integerField(
      body,
      'amountPreAuthorisedTotal',
      1,
      MAX_AMOUNT,
      !totalRequired,
    )
  } else {
    if (body.authCode !== undefined) refuse('invalid', 'authCode is only accepted for COMPLETION.')
    if (body.amountPreAuthorisedTotal !== undefined) {
      refuse('invalid', 'amountPreAuthorisedTotal is only accepted for COMPLETION.')
    }
  }

  return {
    type: kind,
    currency,
    ...(amount !== undefined && { amount }),
    amountCashback,
    cardholderNotPresent,
    ...(authCode !== undefined && { authCode }),
    ...(amountPreAuthorisedTotal !== undefined && { amountPreAuthorisedTotal }),
  }
}

export function parseReportRequest(value: unknown): ReportType {
  const body = asObject(value, ['reportType'])
  if (!isReportType(body.reportType)) {
    refuse('invalid', `reportType must be one of ${REPORT_TYPES.join(', ')}.`)
  }
  return body.reportType as ReportType
}

export function parseSignatureRequest(value: unknown): boolean {
  return booleanField(asObject(value, ['accepted']), 'accepted')
}

import {
  assertAbsent,
  assertBoolean,
  assertInteger,
  assertOneOf,
  assertString,
} from '@tillkit/core'

/** Amounts are integer pence; Connect's limits. */
const MAX_AMOUNT = 99_999_999
const MAX_CASHBACK = 10_000
const CURRENCIES = ['GBP', 'EUR'] as const
const TRANSACTION_TYPES = [
  'SALE',
  'REFUND',
  'DUPLICATE',
  'PRE_AUTH',
  'COMPLETION',
  'ACCOUNT_VERIFICATION',
] as const
const REPORT_TYPES = ['END_OF_DAY', 'BANKING', 'X_BALANCE', 'Z_BALANCE'] as const

type Body = Record<string, unknown>

/** The pay-at-counter transaction rules the cloud would answer with a 422, checked before anything is sent. */
export function checkTransactionRequest(body: Body): void {
  const type = body.transactionType
  assertOneOf('transactionType', type, TRANSACTION_TYPES)
  if (type === 'DUPLICATE') {
    for (const field of ['amount', 'amountCashback', 'authCode', 'amountPreAuthorisedTotal'])
      assertAbsent(field, body[field], 'not allowed for DUPLICATE')
    if (body.currency !== undefined) assertOneOf('currency', body.currency, CURRENCIES)
    return
  }
  assertOneOf('currency', body.currency, CURRENCIES)
  if (type !== 'ACCOUNT_VERIFICATION' || body.amount !== undefined)
    assertInteger('amount', body.amount, 1, MAX_AMOUNT)
  if (body.amountCashback !== undefined) {
    if (type !== 'SALE')
      assertAbsent('amountCashback', body.amountCashback, 'only allowed for SALE')
    assertInteger('amountCashback', body.amountCashback, 0, MAX_CASHBACK)
  }
  if (body.cardholderNotPresent !== undefined)
    assertBoolean('cardholderNotPresent', body.cardholderNotPresent)
  if (type === 'COMPLETION') {
    assertString('authCode', body.authCode, { minLength: 1 })
    assertInteger('amountPreAuthorisedTotal', body.amountPreAuthorisedTotal, 1, MAX_AMOUNT)
  } else {
    assertAbsent('authCode', body.authCode, 'only allowed for COMPLETION')
    assertAbsent(
      'amountPreAuthorisedTotal',
      body.amountPreAuthorisedTotal,
      'only allowed for COMPLETION',
    )
  }
}

function checkLastKnown(body: Body): void {
  assertInteger('lastKnownAmount', body.lastKnownAmount, 0, MAX_AMOUNT)
  assertInteger('lastKnownPaidAmount', body.lastKnownPaidAmount, 0, MAX_AMOUNT)
}

export function checkTableCreation(body: Body): void {
  assertString('tableName', body.tableName, { minLength: 1 })
  assertInteger('amount', body.amount, 0, MAX_AMOUNT)
  assertOneOf('currency', body.currency, CURRENCIES)
}

/** Which check applies to which operation, keyed by method and openapi-fetch's `schemaPath`. */
export const bodyChecks: Record<string, (body: Body) => void> = {
  'POST /pac/terminals/{tid}/transactions': checkTransactionRequest,
  'PUT /pac/terminals/{tid}/transactions/{requestId}/signature': (body) =>
    assertBoolean('accepted', body.accepted),
  'POST /pac/terminals/{tid}/reports': (body) =>
    assertOneOf('reportType', body.reportType, REPORT_TYPES),
  'PUT /pat/tables': checkTableCreation,
  'DELETE /pat/tables/{tableName}': checkLastKnown,
  'PUT /pat/tables/{tableName}/amount': (body) => {
    checkLastKnown(body)
    assertInteger('newAmount', body.newAmount, 0, MAX_AMOUNT)
  },
  'PUT /pat/tables/{tableName}/lock': (body) => {
    checkLastKnown(body)
    assertBoolean('locked', body.locked)
  },
  'PUT /pat/tables/{tableName}/receipt': checkLastKnown,
  'PUT /pat/tables/{tableName}/waiterids': checkLastKnown,
}

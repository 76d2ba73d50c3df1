import { describe, expect, it } from 'vitest'
import type { ErrorMessage } from '../src/generated/websocket/error-message.js'
import { validateErrorMessage } from '../src/generated/websocket/error-message.validate.js'
import type { CancelTransactionRequest } from '../src/generated/websocket/pac/cancel-transaction-request.js'
import { validateCancelTransactionRequest } from '../src/generated/websocket/pac/cancel-transaction-request.validate.js'
import type { CancelTransactionResponse } from '../src/generated/websocket/pac/cancel-transaction-response.js'
import { validateCancelTransactionResponse } from '../src/generated/websocket/pac/cancel-transaction-response.validate.js'
import type { ConnectedTerminalsRequest } from '../src/generated/websocket/pac/connected-terminals-request.js'
import { validateConnectedTerminalsRequest } from '../src/generated/websocket/pac/connected-terminals-request.validate.js'
import type { ConnectedTerminalsResponse } from '../src/generated/websocket/pac/connected-terminals-response.js'
import { validateConnectedTerminalsResponse } from '../src/generated/websocket/pac/connected-terminals-response.validate.js'
import type { DuplicateRequest } from '../src/generated/websocket/pac/duplicate-request.js'
import { validateDuplicateRequest } from '../src/generated/websocket/pac/duplicate-request.validate.js'
import type {
  DuplicateResponse,
  Payment,
} from '../src/generated/websocket/pac/duplicate-response.js'
import { validateDuplicateResponse } from '../src/generated/websocket/pac/duplicate-response.validate.js'
import type {
  PerformTransactionRequest,
  RefundParams,
} from '../src/generated/websocket/pac/perform-transaction-request.js'
import { validatePerformTransactionRequest } from '../src/generated/websocket/pac/perform-transaction-request.validate.js'
import type { PerformTransactionResponse } from '../src/generated/websocket/pac/perform-transaction-response.js'
import { validatePerformTransactionResponse } from '../src/generated/websocket/pac/perform-transaction-response.validate.js'
import type { ReportRequest } from '../src/generated/websocket/pac/report-request.js'
import { validateReportRequest } from '../src/generated/websocket/pac/report-request.validate.js'
import type { Report, ReportResponse } from '../src/generated/websocket/pac/report-response.js'
import { validateReportResponse } from '../src/generated/websocket/pac/report-response.validate.js'
import type { SignatureVerificationRequest } from '../src/generated/websocket/pac/signature-verification-request.js'
import { validateSignatureVerificationRequest } from '../src/generated/websocket/pac/signature-verification-request.validate.js'
import type { SignatureVerificationResponse } from '../src/generated/websocket/pac/signature-verification-response.js'
import { validateSignatureVerificationResponse } from '../src/generated/websocket/pac/signature-verification-response.validate.js'
import type { TerminalDetailsRequest } from '../src/generated/websocket/pac/terminal-details-request.js'
import { validateTerminalDetailsRequest } from '../src/generated/websocket/pac/terminal-details-request.validate.js'
import type { TerminalDetailsResponse } from '../src/generated/websocket/pac/terminal-details-response.js'
import { validateTerminalDetailsResponse } from '../src/generated/websocket/pac/terminal-details-response.validate.js'
import type { TerminalNotification } from '../src/generated/websocket/pac/terminal-notification.js'
import { validateTerminalNotification } from '../src/generated/websocket/pac/terminal-notification.validate.js'
import type { FinalPosReceiptRequest } from '../src/generated/websocket/pat/final-pos-receipt-request.js'
import { validateFinalPosReceiptRequest } from '../src/generated/websocket/pat/final-pos-receipt-request.validate.js'
import type { FinalPosReceiptResponse } from '../src/generated/websocket/pat/final-pos-receipt-response.js'
import { validateFinalPosReceiptResponse } from '../src/generated/websocket/pat/final-pos-receipt-response.validate.js'
import type { PosReceiptRequest } from '../src/generated/websocket/pat/pos-receipt-request.js'
import { validatePosReceiptRequest } from '../src/generated/websocket/pat/pos-receipt-request.validate.js'
import type { PosReceiptResponse } from '../src/generated/websocket/pat/pos-receipt-response.js'
import { validatePosReceiptResponse } from '../src/generated/websocket/pat/pos-receipt-response.validate.js'
import type { ReportResponseNotification } from '../src/generated/websocket/pat/report-response-notification.js'
import { validateReportResponseNotification } from '../src/generated/websocket/pat/report-response-notification.validate.js'
import type { TableListRequest } from '../src/generated/websocket/pat/table-list-request.js'
import { validateTableListRequest } from '../src/generated/websocket/pat/table-list-request.validate.js'
import type { TableListResponse } from '../src/generated/websocket/pat/table-list-response.js'
import { validateTableListResponse } from '../src/generated/websocket/pat/table-list-response.validate.js'
import type { TableLockRequest } from '../src/generated/websocket/pat/table-lock-request.js'
import { validateTableLockRequest } from '../src/generated/websocket/pat/table-lock-request.validate.js'
import type { TableLockResponse } from '../src/generated/websocket/pat/table-lock-response.js'
import { validateTableLockResponse } from '../src/generated/websocket/pat/table-lock-response.validate.js'
import type { TableUnlockNotification } from '../src/generated/websocket/pat/table-unlock-notification.js'
import { validateTableUnlockNotification } from '../src/generated/websocket/pat/table-unlock-notification.validate.js'
import type { TransactionResponseNotification } from '../src/generated/websocket/pat/transaction-response-notification.js'
import { validateTransactionResponseNotification } from '../src/generated/websocket/pat/transaction-response-notification.validate.js'
import type { ValidationError } from '../src/generated/websocket/error-message.validate.js'

/** A generated validator: a type guard that explains its last failure. */
type Validator<T> = ((data: unknown) => data is T) & { errors?: ValidationError[] | null }

interface Case<T> {
  readonly name: string
  readonly validate: Validator<T>
  /** A valid message; declared with the generated type, so the type must accept it too. */
  readonly sample: T
  /** Outbound messages are closed at every level; inbound ones tolerate unknown properties. */
  readonly direction: 'outbound' | 'inbound'
  /** The nested object an extra property is also tried in, if any. */
  readonly body?: 'params' | 'result' | 'error'
  /** Dotted paths of required members, each removed in turn. */
  readonly required: readonly string[]
}

/** Builds a case; the type parameter ties the sample to the validator's generated type. */
const message = <T>(c: Case<T>): Case<unknown> => c as Case<unknown>

const envelope = { jsonrpc: '2.0', id: 41 } as const
const receipt = { value: 'VISA DEBIT', type: 'TEXT' as const, format: ['BOLD' as const] }
const payment: Payment = {
  tid: 'T-100',
  transactionResult: 'SUCCESSFUL',
  transactionType: 'SALE',
  currency: 'GBP',
  amountBase: 1250,
  amountCashback: 0,
  amountGratuity: 150,
  amountTotal: 1400,
  applicationId: 'A0000000031010',
  applicationLabel: 'VISA DEBIT',
  authCode: '123456',
  cardSchemeName: 'VISA',
  cardholderVerificationMethod: 'PIN',
  paymentMethod: 'CONTACTLESS',
  primaryAccountNumber: '************1234',
  primaryAccountNumberSequence: '01',
  dateOfExpiry: '12/29',
  dateOfStart: '',
  transactionId: 'TX-9',
  transactionNumber: '0042',
  transactionTime: '2025-03-01T12:30:00',
  receiptLines: { CUSTOMER: [receipt] },
}
const report: Report = {
  tid: 'T-100',
  reportType: 'X_BALANCE',
  reportTime: '2025-03-01T23:00:00',
  reportResult: 'COMPLETE',
  balances: { currency: 'GBP', totalAmount: 1400, issuerTotals: {} },
  banking: {},
  reportLines: [receipt],
}
const table = { tableName: 'T12', amount: 4200, amountPaid: 0, currency: 'GBP' } as const

const CASES: readonly Case<unknown>[] = [
  message<ConnectedTerminalsRequest>({
    name: 'connected terminals request',
    validate: validateConnectedTerminalsRequest,
    sample: { ...envelope, method: 'connectedTerminals', params: {} },
    direction: 'outbound',
    body: 'params',
    required: ['method'],
  }),
  message<ConnectedTerminalsResponse>({
    name: 'connected terminals response',
    validate: validateConnectedTerminalsResponse,
    sample: {
      ...envelope,
      result: { terminals: [{ tid: 'T-1', status: 'BUSY', currency: 'EUR' }] },
    },
    direction: 'inbound',
    body: 'result',
    required: ['result.terminals', 'result.terminals.0.status'],
  }),
  message<TerminalDetailsRequest>({
    name: 'terminal details request',
    validate: validateTerminalDetailsRequest,
    sample: { ...envelope, method: 'terminalDetails', params: { tids: ['T-1'] } },
    direction: 'outbound',
    body: 'params',
    required: ['params.tids'],
  }),
  message<TerminalDetailsResponse>({
    name: 'terminal details response',
    validate: validateTerminalDetailsResponse,
    sample: { ...envelope, result: { terminals: [] } },
    direction: 'inbound',
    body: 'result',
    required: ['result.terminals'],
  }),
  message<PerformTransactionRequest>({
    name: 'perform transaction request',
    validate: validatePerformTransactionRequest,
    sample: {
      ...envelope,
      method: 'sale',
      params: { tid: 'T-1', currency: 'GBP', amount: 1250, amountCashback: 2000 },
    },
    direction: 'outbound',
    body: 'params',
    required: ['params.tid', 'params.currency', 'params.amount'],
  }),
  message<PerformTransactionResponse>({
    name: 'perform transaction response',
    validate: validatePerformTransactionResponse,
    sample: { ...envelope, result: payment },
    direction: 'inbound',
    body: 'result',
    required: ['result.transactionResult', 'result.receiptLines', 'result.amountTotal'],
  }),
  message<CancelTransactionRequest>({
    name: 'cancel transaction request',
    validate: validateCancelTransactionRequest,
    sample: { ...envelope, method: 'cancelTransaction', params: { tid: 'T-1' } },
    direction: 'outbound',
    body: 'params',
    required: ['params.tid'],
  }),
  message<CancelTransactionResponse>({
    name: 'cancel transaction response',
    validate: validateCancelTransactionResponse,
    sample: { ...envelope, result: { status: 'cancelling' } },
    direction: 'inbound',
    required: ['result'],
  }),
  message<DuplicateRequest>({
    name: 'duplicate request',
    validate: validateDuplicateRequest,
    sample: { ...envelope, method: 'duplicate', params: { tid: 'T-1' } },
    direction: 'outbound',
    body: 'params',
    required: ['params.tid'],
  }),
  message<DuplicateResponse>({
    name: 'duplicate response',
    validate: validateDuplicateResponse,
    sample: { ...envelope, result: payment },
    direction: 'inbound',
    body: 'result',
    required: ['result.tid', 'result.authCode'],
  }),
  message<ReportRequest>({
    name: 'report request',
    validate: validateReportRequest,
    sample: { ...envelope, method: 'report', params: { tid: 'T-1', reportType: 'END_OF_DAY' } },
    direction: 'outbound',
    body: 'params',
    required: ['params.reportType'],
  }),
  message<ReportResponse>({
    name: 'report response',
    validate: validateReportResponse,
    sample: { ...envelope, result: report },
    direction: 'inbound',
    body: 'result',
    required: ['result.balances', 'result.reportLines'],
  }),
  message<SignatureVerificationRequest>({
    name: 'signature verification request',
    validate: validateSignatureVerificationRequest,
    sample: {
      ...envelope,
      method: 'signatureVerificationRequest',
      params: {
        timeout: 80,
        tid: 'T-1',
        receiptLines: { MERCHANT: [receipt, { value: 'SIGN BELOW' }] },
        authCode: '123456',
        applicationId: 'A0000000041010',
        applicationLabel: 'MASTERCARD',
        cardholderVerificationMethod: 'SIGNATURE',
        paymentMethod: 'ICC_CHIP',
        primaryAccountNumber: '************9876',
        transactionType: 'SALE',
      },
    },
    direction: 'inbound',
    body: 'params',
    required: ['params.timeout', 'params.receiptLines', 'params.transactionType'],
  }),
  message<SignatureVerificationResponse>({
    name: 'signature verification response',
    validate: validateSignatureVerificationResponse,
    sample: { ...envelope, result: { accepted: false } },
    direction: 'outbound',
    body: 'result',
    required: ['result.accepted'],
  }),
  message<TerminalNotification>({
    name: 'terminal notification',
    validate: validateTerminalNotification,
    sample: {
      jsonrpc: '2.0',
      method: 'terminalNotification',
      params: { notificationValue: 'PIN_ENTRY', tid: 'T-1' },
    },
    direction: 'inbound',
    body: 'params',
    required: ['params.notificationValue', 'params.tid'],
  }),
  message<ErrorMessage>({
    name: 'error message',
    validate: validateErrorMessage,
    sample: { ...envelope, error: { code: -32602, message: 'invalid params', data: ['amount'] } },
    direction: 'outbound',
    body: 'error',
    required: ['error', 'error.code', 'error.message'],
  }),
  message<TableListRequest>({
    name: 'table list request',
    validate: validateTableListRequest,
    sample: { ...envelope, method: 'tableListRequest', params: { tid: 'T-7' } },
    direction: 'inbound',
    body: 'params',
    required: ['params.tid'],
  }),
  message<TableListResponse>({
    name: 'table list response',
    validate: validateTableListResponse,
    sample: {
      ...envelope,
      result: { tables: [table, { ...table, tableName: 'T3', locked: true }] },
    },
    direction: 'outbound',
    body: 'result',
    required: ['result.tables', 'result.tables.0.currency'],
  }),
  message<TableLockRequest>({
    name: 'table lock request',
    validate: validateTableLockRequest,
    sample: { ...envelope, method: 'tableLockRequest', params: { tid: 'T-7', tableName: 'T12' } },
    direction: 'inbound',
    body: 'params',
    required: ['params.tableName'],
  }),
  message<TableLockResponse>({
    name: 'table lock response',
    validate: validateTableLockResponse,
    sample: { ...envelope, result: { locked: true, table } },
    direction: 'outbound',
    body: 'result',
    required: ['result.table', 'result.table.amount'],
  }),
  message<PosReceiptRequest>({
    name: 'POS receipt request',
    validate: validatePosReceiptRequest,
    sample: { ...envelope, method: 'posReceiptRequest', params: { tid: 'T-7', tableName: 'T12' } },
    direction: 'inbound',
    body: 'params',
    required: ['params.tid', 'params.tableName'],
  }),
  message<PosReceiptResponse>({
    name: 'POS receipt response',
    validate: validatePosReceiptResponse,
    sample: { ...envelope, result: { receiptLines: [{ value: '2 x Soup  9.00' }, receipt] } },
    direction: 'outbound',
    body: 'result',
    required: ['result.receiptLines', 'result.receiptLines.0.value'],
  }),
  message<FinalPosReceiptRequest>({
    name: 'final POS receipt request',
    validate: validateFinalPosReceiptRequest,
    sample: {
      ...envelope,
      method: 'finalPosReceiptRequest',
      params: { tid: 'T-7', tableName: 'T12' },
    },
    direction: 'inbound',
    body: 'params',
    required: ['params.tableName'],
  }),
  message<FinalPosReceiptResponse>({
    name: 'final POS receipt response',
    validate: validateFinalPosReceiptResponse,
    sample: { ...envelope, result: { receiptLines: [{ value: 'THANK YOU', type: 'TEXT' }] } },
    direction: 'outbound',
    body: 'result',
    required: ['result.receiptLines'],
  }),
  message<TransactionResponseNotification>({
    name: 'transaction response notification',
    validate: validateTransactionResponseNotification,
    sample: {
      jsonrpc: '2.0',
      method: 'transactionResponse',
      params: { ...payment, tableName: 'T12' },
    },
    direction: 'inbound',
    body: 'params',
    required: ['params.tableName', 'params.transactionResult'],
  }),
  message<TableUnlockNotification>({
    name: 'table unlock notification',
    validate: validateTableUnlockNotification,
    sample: { jsonrpc: '2.0', method: 'tableUnlock', params: { tid: 'T-7', tableName: 'T12' } },
    direction: 'inbound',
    body: 'params',
    required: ['params.tableName'],
  }),
  message<ReportResponseNotification>({
    name: 'report response notification',
    validate: validateReportResponseNotification,
    sample: { jsonrpc: '2.0', method: 'reportResponse', params: report },
    direction: 'inbound',
    body: 'params',
    required: ['params.reportType', 'params.banking'],
  }),
]

/** A deep copy of `sample` changed by `change`. */
function mutate(sample: unknown, change: (copy: Record<string, any>) => void): unknown {
  const copy = structuredClone(sample) as Record<string, any>
  change(copy)
  return copy
}

/** Removes the member at a dotted path (`params.tid`, `result.tables.0.currency`). */
function without(sample: unknown, dotted: string): { data: unknown; parent: string; key: string } {
  const keys = dotted.split('.')
  const key = keys.pop()!
  const data = mutate(sample, (copy) => {
    delete keys.reduce((node, part) => node[part], copy)[key]
  })
  return { data, parent: keys.map((part) => `/${part}`).join(''), key }
}

function expectRejected(
  validate: Validator<unknown>,
  data: unknown,
  expected: Partial<ValidationError>,
): void {
  expect(validate(data)).toBe(false)
  expect(validate.errors).toContainEqual(expect.objectContaining(expected))
}

const hasId = (sample: unknown) => Object.hasOwn(sample as object, 'id')

describe('Connect WebSocket message schemas', () => {
  describe.each(CASES)('$name', ({ validate, sample, direction, body, required }) => {
    it('accepts the sample', () => {
      expect(validate(sample)).toBe(true)
      expect(validate.errors).toBeNull()
    })

    it('requires jsonrpc "2.0"', () => {
      expectRejected(
        validate,
        mutate(sample, (m) => (m.jsonrpc = '1.0')),
        {
          instancePath: '/jsonrpc',
          keyword: 'const',
        },
      )
      expectRejected(validate, without(sample, 'jsonrpc').data, {
        keyword: 'required',
        params: { missingProperty: 'jsonrpc' },
      })
    })

    it('enforces the id rules', () => {
      if (!hasId(sample)) {
        // Notifications carry no id.
        expectRejected(
          validate,
          mutate(sample, (m) => (m.id = 1)),
          {
            instancePath: '/id',
            keyword: 'false schema',
          },
        )
        return
      }
      expect(validate(mutate(sample, (m) => (m.id = 0)))).toBe(true)
      expect(validate(mutate(sample, (m) => (m.id = 999_999)))).toBe(true)
      const cases: [unknown, string][] = [
        [1_000_000, 'maximum'],
        [-1, 'minimum'],
        [1.5, 'type'],
        ['41', 'type'],
      ]
      for (const [id, keyword] of cases) {
        expectRejected(
          validate,
          mutate(sample, (m) => (m.id = id)),
          { instancePath: '/id', keyword },
        )
      }
    })

    it('reports each missing required member', () => {
      for (const dotted of required) {
        const { data, parent, key } = without(sample, dotted)
        expectRejected(validate, data, {
          instancePath: parent,
          keyword: 'required',
          params: { missingProperty: key },
        })
      }
    })

    it(direction === 'outbound' ? 'refuses extra properties' : 'tolerates extra properties', () => {
      const paths = ['', ...(body ? [`/${body}`] : [])]
      for (const at of paths) {
        const data = mutate(sample, (m) => {
          ;(at === '' ? m : m[at.slice(1)]).extra = true
        })
        if (direction === 'outbound') {
          expectRejected(validate, data, { instancePath: at, keyword: 'additionalProperties' })
        } else {
          expect(validate(data), at).toBe(true)
        }
      }
    })
  })
})

describe('rules specific to one message', () => {
  it('types and validates every perform-transaction method by its own params', () => {
    const tid = 'T-1'
    const valid: PerformTransactionRequest[] = [
      {
        ...envelope,
        method: 'sale',
        params: { tid, currency: 'GBP', amount: 1, cardholderNotPresent: true },
      },
      {
        ...envelope,
        method: 'refund',
        params: { tid, currency: 'EUR', amount: 99_999_999, cardholderNotPresent: false },
      },
      { ...envelope, method: 'preAuth', params: { tid, currency: 'GBP', amount: 5000 } },
      {
        ...envelope,
        method: 'completion',
        params: {
          tid,
          currency: 'GBP',
          amount: 4000,
          authCode: 'A1',
          amountPreAuthorisedTotal: 5000,
        },
      },
      { ...envelope, method: 'accountVerification', params: { tid, currency: 'GBP', amount: 0 } },
    ]
    for (const request of valid)
      expect(validatePerformTransactionRequest(request), request.method).toBe(true)

    const base = { tid, currency: 'GBP', amount: 100 } as const
    const invalid: [unknown, Partial<ValidationError>][] = [
      [{ ...envelope, method: 'void', params: base }, { keyword: 'discriminator' }],
      [
        { ...envelope, method: 'refund', params: { ...base, amountCashback: 10 } },
        { instancePath: '/params', keyword: 'additionalProperties' },
      ],
      [
        { ...envelope, method: 'preAuth', params: { ...base, cardholderNotPresent: true } },
        { instancePath: '/params', keyword: 'additionalProperties' },
      ],
      [
        { ...envelope, method: 'completion', params: base },
        { instancePath: '/params', params: { missingProperty: 'authCode' } },
      ],
      [
        { ...envelope, method: 'sale', params: { ...base, amount: 0 } },
        { instancePath: '/params/amount', keyword: 'minimum' },
      ],
      [
        { ...envelope, method: 'sale', params: { ...base, amount: 12.5 } },
        { instancePath: '/params/amount', keyword: 'type' },
      ],
      [
        { ...envelope, method: 'sale', params: { ...base, amountCashback: 10_001 } },
        { instancePath: '/params/amountCashback', keyword: 'maximum' },
      ],
      [
        { ...envelope, method: 'sale', params: { ...base, currency: 'USD' } },
        { instancePath: '/params/currency', keyword: 'enum' },
      ],
    ]
    for (const [data, expected] of invalid)
      expectRejected(validatePerformTransactionRequest, data, expected)

    const refund: RefundParams = {
      ...base,
      // @ts-expect-error -- cashback is a sale-only parameter
      amountCashback: 1,
    }
    expect(
      validatePerformTransactionRequest({ ...envelope, method: 'refund', params: refund }),
    ).toBe(false)
  })

  it('passes unknown notification values on, typed as strings, and keeps known ones literal', () => {
    const notification = (notificationValue: unknown) => ({
      jsonrpc: '2.0',
      method: 'terminalNotification',
      params: { notificationValue, tid: 'T-1' },
    })
    for (const value of ['TRANSACTION_FINISHED', 'REPLACE_PAPER', 'SOMETHING_NEW_IN_2030']) {
      const data = notification(value)
      expect(validateTerminalNotification(data), value).toBe(true)
      if (validateTerminalNotification(data)) {
        const seen: string = data.params.notificationValue
        expect(seen).toBe(value)
      }
    }
    expectRejected(validateTerminalNotification, notification(7), {
      instancePath: '/params/notificationValue',
      keyword: 'anyOf',
    })
    const known: TerminalNotification['params']['notificationValue'] = 'SIGNATURE_VERIFICATION'
    // @ts-expect-error -- a number is never a notification value
    const wrong: TerminalNotification['params']['notificationValue'] = 7
    expect([known, wrong]).toHaveLength(2)
  })

  it('accepts receipt line types and styles it does not know in what Connect sends', () => {
    const line = { value: 'logo', type: 'IMAGE_HOLOGRAM', format: ['ITALIC'] }
    const data = { ...envelope, result: { ...payment, receiptLines: { MERCHANT: [line] } } }
    expect(validateDuplicateResponse(data)).toBe(true)
    // ...but the EPoS only sends line types it knows.
    expectRejected(
      validatePosReceiptResponse,
      { ...envelope, result: { receiptLines: [line] } },
      {
        instancePath: '/result/receiptLines/0/type',
        keyword: 'enum',
      },
    )
  })

  it('accepts any integer error code, a null or missing id, and any data', () => {
    const error = (code: unknown) => ({ jsonrpc: '2.0', error: { code, message: 'x' } })
    for (const code of [-32700, -32600, -32601, -32602, -32603, -32001, -32004, 4242]) {
      expect(validateErrorMessage(error(code)), String(code)).toBe(true)
    }
    expect(validateErrorMessage({ ...error(-32700), id: null })).toBe(true)
    expect(
      validateErrorMessage({
        ...error(-32001),
        id: 7,
        error: { code: -32001, message: 'busy', data: 'T-1' },
      }),
    ).toBe(true)
    expectRejected(validateErrorMessage, error(-32000.5), {
      instancePath: '/error/code',
      keyword: 'anyOf',
    })
    expectRejected(validateErrorMessage, error('busy'), {
      instancePath: '/error/code',
      keyword: 'anyOf',
    })
    expectRejected(
      validateErrorMessage,
      { ...error(1), error: { code: 1, message: 'x', name: 'E' } },
      {
        instancePath: '/error',
        keyword: 'additionalProperties',
      },
    )
  })

  it('answers a table lock with the table when granted, and without it when refused', () => {
    expect(validateTableLockResponse({ ...envelope, result: { locked: false } })).toBe(true)
    expectRejected(
      validateTableLockResponse,
      { ...envelope, result: { locked: true } },
      {
        instancePath: '/result',
        params: { missingProperty: 'table' },
      },
    )
    expectRejected(
      validateTableLockResponse,
      { ...envelope, result: { locked: false, table } },
      {
        instancePath: '/result',
        keyword: 'additionalProperties',
      },
    )
  })

  it('takes connected terminals without params, but never with some', () => {
    const request = { ...envelope, method: 'connectedTerminals' }
    expect(validateConnectedTerminalsRequest(request)).toBe(true)
    expectRejected(
      validateConnectedTerminalsRequest,
      { ...request, params: { status: 'BUSY' } },
      {
        instancePath: '/params',
        keyword: 'additionalProperties',
      },
    )
  })

  it('reads nothing into a cancel acknowledgement', () => {
    for (const result of ['cancelling', { cancelling: true }, null]) {
      expect(validateCancelTransactionResponse({ ...envelope, result }), String(result)).toBe(true)
    }
  })

  it('insists on a boolean signature decision', () => {
    expectRejected(
      validateSignatureVerificationResponse,
      { ...envelope, result: { accepted: 'yes' } },
      {
        instancePath: '/result/accepted',
        keyword: 'type',
      },
    )
  })
})

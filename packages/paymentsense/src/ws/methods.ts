import { int, list, oneOf, optional, text, type Rules } from '@tillkit/core'
import type { ValidationError } from '../generated/websocket/error-message.validate.js'
import type { CancelTransactionResponse } from '../generated/websocket/pac/cancel-transaction-response.js'
import { validateCancelTransactionRequest } from '../generated/websocket/pac/cancel-transaction-request.validate.js'
import { validateCancelTransactionResponse } from '../generated/websocket/pac/cancel-transaction-response.validate.js'
import type { EmptyParams } from '../generated/websocket/pac/connected-terminals-request.js'
import { validateConnectedTerminalsRequest } from '../generated/websocket/pac/connected-terminals-request.validate.js'
import type { TerminalList } from '../generated/websocket/pac/connected-terminals-response.js'
import { validateConnectedTerminalsResponse } from '../generated/websocket/pac/connected-terminals-response.validate.js'
import type { DuplicateRequest } from '../generated/websocket/pac/duplicate-request.js'
import { validateDuplicateRequest } from '../generated/websocket/pac/duplicate-request.validate.js'
import { validateDuplicateResponse } from '../generated/websocket/pac/duplicate-response.validate.js'
import type {
  AccountVerificationParams,
  CompletionParams,
  PreAuthParams,
  RefundParams,
  SaleParams,
} from '../generated/websocket/pac/perform-transaction-request.js'
import { validatePerformTransactionRequest } from '../generated/websocket/pac/perform-transaction-request.validate.js'
import type { Payment } from '../generated/websocket/pac/perform-transaction-response.js'
import { validatePerformTransactionResponse } from '../generated/websocket/pac/perform-transaction-response.validate.js'
import type { ReportRequest } from '../generated/websocket/pac/report-request.js'
import { validateReportRequest } from '../generated/websocket/pac/report-request.validate.js'
import type { Report } from '../generated/websocket/pac/report-response.js'
import { validateReportResponse } from '../generated/websocket/pac/report-response.validate.js'
import type { SignatureVerificationRequest } from '../generated/websocket/pac/signature-verification-request.js'
import { validateSignatureVerificationRequest } from '../generated/websocket/pac/signature-verification-request.validate.js'
import type { SignatureVerificationResponse } from '../generated/websocket/pac/signature-verification-response.js'
import { validateSignatureVerificationResponse } from '../generated/websocket/pac/signature-verification-response.validate.js'
import type { TerminalDetailsRequest } from '../generated/websocket/pac/terminal-details-request.js'
import { validateTerminalDetailsRequest } from '../generated/websocket/pac/terminal-details-request.validate.js'
import { validateTerminalDetailsResponse } from '../generated/websocket/pac/terminal-details-response.validate.js'
import type { TerminalNotification } from '../generated/websocket/pac/terminal-notification.js'
import { validateTerminalNotification } from '../generated/websocket/pac/terminal-notification.validate.js'
import type { FinalPosReceiptRequest } from '../generated/websocket/pat/final-pos-receipt-request.js'
import { validateFinalPosReceiptRequest } from '../generated/websocket/pat/final-pos-receipt-request.validate.js'
import type { FinalPosReceiptResponse } from '../generated/websocket/pat/final-pos-receipt-response.js'
import { validateFinalPosReceiptResponse } from '../generated/websocket/pat/final-pos-receipt-response.validate.js'
import type { PosReceiptRequest } from '../generated/websocket/pat/pos-receipt-request.js'
import { validatePosReceiptRequest } from '../generated/websocket/pat/pos-receipt-request.validate.js'
import type { PosReceiptResponse } from '../generated/websocket/pat/pos-receipt-response.js'
import { validatePosReceiptResponse } from '../generated/websocket/pat/pos-receipt-response.validate.js'
import type { ReportResponseNotification } from '../generated/websocket/pat/report-response-notification.js'
import { validateReportResponseNotification } from '../generated/websocket/pat/report-response-notification.validate.js'
import type { TableListRequest } from '../generated/websocket/pat/table-list-request.js'
import { validateTableListRequest } from '../generated/websocket/pat/table-list-request.validate.js'
import type { TableListResponse } from '../generated/websocket/pat/table-list-response.js'
import { validateTableListResponse } from '../generated/websocket/pat/table-list-response.validate.js'
import type { TableLockRequest } from '../generated/websocket/pat/table-lock-request.js'
import { validateTableLockRequest } from '../generated/websocket/pat/table-lock-request.validate.js'
import type { TableLockResponse } from '../generated/websocket/pat/table-lock-response.js'
import { validateTableLockResponse } from '../generated/websocket/pat/table-lock-response.validate.js'
import type { TableUnlockNotification } from '../generated/websocket/pat/table-unlock-notification.js'
import { validateTableUnlockNotification } from '../generated/websocket/pat/table-unlock-notification.validate.js'
import type { TransactionResponseNotification } from '../generated/websocket/pat/transaction-response-notification.js'
import { validateTransactionResponseNotification } from '../generated/websocket/pat/transaction-response-notification.validate.js'
import { MAX_AMOUNT, REPORT_TYPES } from '../limits.js'
import { TRANSACTION_RULES } from '../rules.js'

export type Integration = 'pac' | 'pat'

/** A generated validator: a type guard that keeps its last failure in `errors`. */
export type Validator = ((data: unknown) => boolean) & { errors?: ValidationError[] | null }

/**
 * `read`: answered at once and safe to send again (short timeout; a drop rejects with a network error).
 * `payment`: starts something on a terminal that must never be sent twice blindly (long timeout; a drop or a
 * timeout rejects with an unknown outcome).
 */
export type RequestKind = 'read' | 'payment'

/** How the client sends one EPoS-to-Connect method and reads its answer. */
export interface RequestSpec {
  kind: RequestKind
  /** Checked first, on `params`, for messages that name the field and the rule. */
  rules: Rules
  /** The whole outbound message, after the rules: catches what they do not (unknown fields, types). */
  request: Validator
  response: Validator
  /** `params` may be left out (the message is then sent without it). */
  paramsOptional?: boolean
}

/** How the client checks one Connect-to-EPoS request and the handler's answer to it. */
export interface HandlerSpec {
  request: Validator
  response: Validator
}

export interface IntegrationSpec {
  requests: Readonly<Record<string, RequestSpec>>
  handlers: Readonly<Record<string, HandlerSpec>>
  notifications: Readonly<Record<string, Validator>>
}

const TID: Rules = { tid: text }

/**
 * The transaction rules of the REST client where the WebSocket request means the same; where it differs (a
 * completion's pre-authorised total is optional here, an account verification sends amount 0) the schema's rule.
 */
const payment = (rules: Rules): RequestSpec => ({
  kind: 'payment',
  rules: { ...TID, ...rules },
  request: validatePerformTransactionRequest,
  response: validatePerformTransactionResponse,
})

const PAC: IntegrationSpec = {
  requests: {
    connectedTerminals: {
      kind: 'read',
      rules: {},
      request: validateConnectedTerminalsRequest,
      response: validateConnectedTerminalsResponse,
      paramsOptional: true,
    },
    terminalDetails: {
      kind: 'read',
      rules: { tids: list(text) },
      request: validateTerminalDetailsRequest,
      response: validateTerminalDetailsResponse,
    },
    // Asking to cancel twice is harmless: the terminal either stops or reports UNABLE_TO_CANCEL.
    cancelTransaction: {
      kind: 'read',
      rules: TID,
      request: validateCancelTransactionRequest,
      response: validateCancelTransactionResponse,
    },
    sale: payment(TRANSACTION_RULES.SALE),
    refund: payment(TRANSACTION_RULES.REFUND),
    preAuth: payment(TRANSACTION_RULES.PRE_AUTH),
    completion: payment({
      ...TRANSACTION_RULES.COMPLETION,
      amountPreAuthorisedTotal: optional(int(1, MAX_AMOUNT)),
    }),
    accountVerification: payment({
      ...TRANSACTION_RULES.ACCOUNT_VERIFICATION,
      amount: int(0, MAX_AMOUNT),
    }),
    // A duplicate occupies the terminal and prints; an end-of-day report resets its totals: neither is repeated.
    duplicate: {
      kind: 'payment',
      rules: TID,
      request: validateDuplicateRequest,
      response: validateDuplicateResponse,
    },
    report: {
      kind: 'payment',
      rules: { ...TID, reportType: oneOf(REPORT_TYPES) },
      request: validateReportRequest,
      response: validateReportResponse,
    },
  },
  handlers: {
    signatureVerificationRequest: {
      request: validateSignatureVerificationRequest,
      response: validateSignatureVerificationResponse,
    },
  },
  notifications: { terminalNotification: validateTerminalNotification },
}

/** Pay at table: Connect asks, the EPoS answers; the EPoS sends no requests of its own. */
const PAT: IntegrationSpec = {
  requests: {},
  handlers: {
    tableListRequest: { request: validateTableListRequest, response: validateTableListResponse },
    tableLockRequest: { request: validateTableLockRequest, response: validateTableLockResponse },
    posReceiptRequest: { request: validatePosReceiptRequest, response: validatePosReceiptResponse },
    finalPosReceiptRequest: {
      request: validateFinalPosReceiptRequest,
      response: validateFinalPosReceiptResponse,
    },
  },
  notifications: {
    transactionResponse: validateTransactionResponseNotification,
    tableUnlock: validateTableUnlockNotification,
    reportResponse: validateReportResponseNotification,
  },
}

export const SPECS: Readonly<Record<Integration, IntegrationSpec>> = { pac: PAC, pat: PAT }

/** The one Connect-to-EPoS request that may go unanswered: Connect accepts the signature when its timeout passes. */
export const SELF_ANSWERING = 'signatureVerificationRequest'

// Types: what each method takes and gives, from the generated message types.

/** An EPoS-to-Connect method: its `params` and the `result` of its response. */
export interface Call<P, R> {
  params: P
  result: R
}

export interface PacRequests {
  connectedTerminals: Call<EmptyParams | undefined, TerminalList>
  terminalDetails: Call<TerminalDetailsRequest['params'], TerminalList>
  cancelTransaction: Call<{ tid: string }, CancelTransactionResponse['result']>
  sale: Call<SaleParams, Payment>
  refund: Call<RefundParams, Payment>
  preAuth: Call<PreAuthParams, Payment>
  completion: Call<CompletionParams, Payment>
  accountVerification: Call<AccountVerificationParams, Payment>
  duplicate: Call<DuplicateRequest['params'], Payment>
  report: Call<ReportRequest['params'], Report>
}

export interface PacHandlers {
  signatureVerificationRequest: Call<
    SignatureVerificationRequest['params'],
    SignatureVerificationResponse['result']
  >
}

export interface PatHandlers {
  tableListRequest: Call<TableListRequest['params'], TableListResponse['result']>
  tableLockRequest: Call<TableLockRequest['params'], TableLockResponse['result']>
  posReceiptRequest: Call<PosReceiptRequest['params'], PosReceiptResponse['result']>
  finalPosReceiptRequest: Call<FinalPosReceiptRequest['params'], FinalPosReceiptResponse['result']>
}

export interface PacNotifications {
  terminalNotification: TerminalNotification['params']
}

export interface PatNotifications {
  transactionResponse: TransactionResponseNotification['params']
  tableUnlock: TableUnlockNotification['params']
  reportResponse: ReportResponseNotification['params']
}

/** The methods of each integration, by direction. */
export interface IntegrationTypes {
  pac: { requests: PacRequests; handlers: PacHandlers; notifications: PacNotifications }
  pat: { requests: Record<never, never>; handlers: PatHandlers; notifications: PatNotifications }
}

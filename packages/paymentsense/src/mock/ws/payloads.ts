import type { Payment } from '../../generated/websocket/pac/duplicate-response.js'
import type { Report } from '../../generated/websocket/pac/report-response.js'
import type { SignatureVerificationRequest } from '../../generated/websocket/pac/signature-verification-request.js'
import type { PerformTransactionRequest } from '../../generated/websocket/pac/perform-transaction-request.js'
import { terminalTime } from '../domain/env.js'
import type { Ledger } from '../domain/ledger.js'
import { cardReceipt } from '../domain/receipts.js'
import type { ReportContent, ReportRun } from '../domain/report.js'
import type { TransactionRun } from '../domain/transaction.js'

/**
 * Translations between the model's shapes and the WebSocket messages' bodies. The model speaks
 * the REST vocabulary (its validation and results are REST's), so each direction is one function.
 */

/** The kind of transaction each perform-transaction method asks for, in REST's words. */
export const TRANSACTION_TYPE_OF = {
  sale: 'SALE',
  refund: 'REFUND',
  preAuth: 'PRE_AUTH',
  completion: 'COMPLETION',
  accountVerification: 'ACCOUNT_VERIFICATION',
} as const

/**
 * A perform-transaction request as the model's transaction body. An account verification moves no
 * money: the amount the socket requires (usually 0) is dropped, as REST sends none.
 */
export function transactionBody(request: PerformTransactionRequest): Record<string, unknown> {
  const { tid: _tid, ...params } = request.params
  const body: Record<string, unknown> = {
    transactionType: TRANSACTION_TYPE_OF[request.method],
    ...params,
  }
  if (request.method === 'accountVerification') delete body.amount
  return body
}

/** A finished transaction as the socket's Payment; fields the terminal never filled are empty. */
export function paymentOf(run: TransactionRun): Payment {
  const outcome = run.outcome!
  return {
    tid: run.terminal.tid,
    transactionResult: outcome.transactionResult!,
    transactionType: outcome.transactionType as Payment['transactionType'],
    currency: outcome.currency!,
    amountBase: outcome.amountBase ?? 0,
    amountCashback: outcome.amountCashback ?? 0,
    amountGratuity: outcome.amountGratuity ?? 0,
    amountTotal: outcome.amountTotal ?? 0,
    applicationId: outcome.applicationId ?? '',
    applicationLabel: outcome.applicationLabel ?? '',
    authCode: outcome.authCode ?? '',
    cardSchemeName: outcome.cardSchemeName ?? '',
    cardholderVerificationMethod: outcome.cardHolderVerificationMethod ?? 'UNKNOWN',
    paymentMethod: outcome.paymentMethod ?? 'UNKNOWN',
    primaryAccountNumber: outcome.primaryAccountNumber ?? '',
    primaryAccountNumberSequence: outcome.primaryAccountNumberSequence ?? '',
    dateOfExpiry: outcome.dateOfExpiry ?? '',
    dateOfStart: outcome.dateOfStart ?? '',
    transactionId: outcome.transactionId ?? '',
    transactionNumber: outcome.transactionNumber ?? '',
    transactionTime: outcome.transactionTime ?? '',
    receiptLines: outcome.receiptLines ?? {},
    ...(outcome.userMessage !== undefined && { userMessage: outcome.userMessage }),
  }
}

/** A finished report. The socket requires balances and banking on every type; empty when none. */
export function reportOf(run: ReportRun): Report {
  return reportBody(run.content!)
}

/** A report's content as the socket's Report (pay at counter's response, pay at table's notification). */
export function reportBody(content: ReportContent): Report {
  return {
    tid: content.tid,
    reportType: content.reportType,
    reportTime: content.reportTime,
    reportResult: content.reportResult,
    balances: content.balances ?? {},
    banking: content.banking ?? {},
    reportLines: content.reportLines,
  }
}

/**
 * What Connect shows the operator when the terminal asks for a signature decision: the approved
 * payment so far and its merchant copy with the signature line. The acquirer's answer (auth code,
 * transaction number) comes from the ledger, where the terminal recorded it at REQUEST_SENT.
 */
export function signatureParams(
  run: TransactionRun,
  ledger: Ledger,
  at: number,
  timeoutSeconds: number,
): SignatureVerificationRequest['params'] {
  const entry = ledger.entries.find((e) => e.requestId === run.requestId)
  const authCode = entry?.authCode ?? ''
  const transactionType = run.order
    .type as SignatureVerificationRequest['params']['transactionType']
  const amountBase = run.order.amount ?? 0
  const receipt = cardReceipt({
    tid: run.terminal.tid,
    time: terminalTime(at),
    transactionType,
    result: 'SUCCESSFUL',
    currency: run.order.currency,
    amountBase,
    amountCashback: run.grantedCashback,
    amountTotal: amountBase + run.grantedCashback,
    authCode,
    transactionNumber: entry?.transactionNumber ?? '',
    card: run.card,
  })
  return {
    timeout: timeoutSeconds,
    tid: run.terminal.tid,
    receiptLines: { MERCHANT: receipt.MERCHANT ?? [] },
    authCode,
    applicationId: run.card.applicationId,
    applicationLabel: run.card.applicationLabel,
    cardholderVerificationMethod: run.card.cvm,
    paymentMethod: run.card.paymentMethod,
    primaryAccountNumber: run.card.primaryAccountNumber,
    transactionType,
  }
}

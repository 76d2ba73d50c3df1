/**
 * Wire types of the fake cloud's REST bodies, taken from the generated schema types
 * (`src/generated/pac-v2.ts` for pay at counter, `pat-v1.ts` for pay at table). This is the only
 * file of the fake that names the generated modules.
 */
import type { components as PacComponents } from '../generated/pac-v2.js'
import type { components as PatComponents } from '../generated/pat-v1.js'

type Pac = PacComponents['schemas']
type Pat = PatComponents['schemas']

export type Currency = Pac['Currency']
/** `{ userMessage }`: the body of every 4xx answer. */
export type ErrorBody = Pac['ErrorBody']

// ---- pay at counter (v2) -----------------------------------------------------------------
export type TerminalStatus = Pac['TerminalStatus']
export type Terminal = Pac['Terminal']
export type TerminalList = Pac['TerminalList']
export type RequestTransactionType = Pac['RequestTransactionType']
export type TransactionRequest = Pac['TransactionRequest']
export type RequestLocation = Pac['RequestLocation']
export type Notification = Pac['Notification']
export type TransactionResult = Pac['TransactionResult']
export type TransactionType = Pac['TransactionType']
export type CardholderVerificationMethod = Pac['CardholderVerificationMethod']
export type PaymentMethod = Pac['PaymentMethod']
export type ReceiptLine = Pac['ReceiptLine']
export type ReceiptCopies = Pac['ReceiptCopies']
export type Transaction = Pac['Transaction']
export type SignatureRequest = Pac['SignatureRequest']
export type ReportType = Pac['ReportType']
export type ReportRequest = Pac['ReportRequest']
export type ReportNotification = Pac['ReportNotification']
export type ReportResult = Pac['ReportResult']
export type Totals = Pac['Totals']
export type TotalsByKey = Pac['TotalsByKey']
export type Balances = Pac['Balances']
export type AcquirerBanking = Pac['AcquirerBanking']
export type Banking = Pac['Banking']
export type ReportResponse = Pac['ReportResponse']

// ---- pay at table (v1) -------------------------------------------------------------------
/** Receipt line stored on a table (v1 allows logos and barcodes too). */
export type PatReceiptLine = Pat['ReceiptLine']
export type TablePayment = Pat['TablePayment']
export type Table = Pat['Table']
export type TableList = Pat['TableList']
export type TableCreation = Pat['TableCreation']
export type TableCreated = Pat['TableCreated']
export type TableGuard = Pat['TableGuard']
export type TableDeletion = Pat['TableDeletion']
export type TableAmountUpdate = Pat['TableAmountUpdate']
export type TableLockUpdate = Pat['TableLockUpdate']
export type TableReceiptUpdate = Pat['TableReceiptUpdate']
export type TableWaiterIdsUpdate = Pat['TableWaiterIdsUpdate']
export type PatReport = Pat['PatReport']
export type PatReportList = Pat['PatReportList']

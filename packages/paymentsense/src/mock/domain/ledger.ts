import { FakeLedger } from '@tillkit/core/fake'
import type { Currency, TransactionResult } from '../types.js'

export type LedgerKind =
  'sale' | 'refund' | 'pre-auth' | 'completion' | 'reversal' | 'table-payment'

/** One request that reached the fake acquirer (approved or not). */
export interface LedgerEntry {
  /** 1-based position in the ledger. */
  readonly seq: number
  /** Clock time (epoch ms) at which the acquirer saw the request. */
  readonly at: number
  readonly tid: string
  /** The transaction's requestId; for a table payment, its paymentId. A reversal repeats the id of what it reverses. */
  readonly requestId: string
  readonly kind: LedgerKind
  /** Base amount in minor units (for a reversal: the base amount reversed). */
  readonly amount: number
  readonly amountCashback: number
  readonly amountGratuity: number
  readonly currency: Currency
  readonly authCode?: string
  /** The acquirer's answer: `SUCCESSFUL` or `DECLINED`. */
  readonly result: TransactionResult
  /** Card scheme, used for issuer totals in reports. */
  readonly cardSchemeName?: string
  /** The card's masked number as the terminal reports it: with the scheme, which card paid. */
  readonly primaryAccountNumber?: string
  /** Terminal transaction number, used for the banking report's number ranges. */
  readonly transactionNumber?: string
  /** Waiter credited with a table payment. */
  readonly waiterId?: string
}

export type NewLedgerEntry = Omit<LedgerEntry, 'seq'>

/** Append-only record of everything the acquirer saw (see core's FakeLedger). */
export class Ledger extends FakeLedger<LedgerEntry> {}

import { FakeLedger } from '@tillkit/core/fake'
export type LedgerKind =
  | 'purchase'
  | 'refund'
  | 'purchase-plus-cash'
  | 'cash-advance'
  | 'authorise'
  | 'finalise'
  | 'qr-purchase'
  | 'qr-refund'

/** One payment request that reached the fake acquirer (accepted or declined). */
export interface LedgerEntry {
  /** 1-based position in the ledger. */
  readonly seq: number
  /** Clock time (epoch ms) at which the acquirer saw it. */
  readonly at: number
  readonly deviceId: string
  readonly registerId: string
  readonly transactionId: string
  readonly kind: LedgerKind
  /** Cents: AmountTotal (cash-out included), AmountAuth or AmountFinal. */
  readonly amount: number
  /** The cash-out part of `amount` (purchase plus cash, cash advance); 0 otherwise. */
  readonly amountCash: number
  readonly result: 'ACCEPTED' | 'DECLINED'
  readonly authId?: string
  readonly acquirerRef: string
  /** The TransactionReference the request carried, if any. */
  readonly reference?: string
}

export type NewLedgerEntry = Omit<LedgerEntry, 'seq'>

/** Append-only record of everything the acquirer saw (see core's FakeLedger). */
export class Ledger extends FakeLedger<LedgerEntry> {}

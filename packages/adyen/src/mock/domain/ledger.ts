import { FakeLedger } from '@tillkit/core/fake'

export type LedgerKind = 'sale' | 'refund' | 'reversal'

/** One request that reached the fake acquirer (approved or declined). */
export interface LedgerEntry {
  /** 1-based position in the ledger. */
  readonly seq: number
  /** Clock time (epoch ms) at which the acquirer answered. */
  readonly at: number
  readonly merchantAccount: string
  readonly poiId: string
  readonly saleId: string
  readonly serviceId: string
  /** `sale` (PaymentType Normal), `refund` (PaymentType Refund) or `reversal` (a referenced refund). */
  readonly kind: LedgerKind
  /** Minor units: what was authorised, or asked for when declined, or reversed. */
  readonly amount: number
  readonly currency: string
  readonly result: 'approved' | 'declined'
  /** `POIData.POITransactionID.TransactionID` of the response (`<tender>.<pspReference>`). */
  readonly poiTransactionId: string
  readonly pspReference: string
  /** For a reversal: the reversed payment's `poiTransactionId`. */
  readonly original?: string
  readonly refusalReason?: string
}

/** Append-only record of what the acquirer saw, with the lookups reversals need. */
export class Ledger extends FakeLedger<LedgerEntry> {
  /** The approved sale with this POITransactionID (the whole `tender.psp`, or the pspReference alone). */
  sale(transactionId: string): LedgerEntry | undefined {
    return this.entries.find(
      (e) =>
        e.kind === 'sale' &&
        e.result === 'approved' &&
        (e.poiTransactionId === transactionId || e.pspReference === transactionId),
    )
  }

  /** Minor units of a sale already reversed. */
  reversed(poiTransactionId: string): number {
    return this.entries
      .filter(
        (e) => e.kind === 'reversal' && e.result === 'approved' && e.original === poiTransactionId,
      )
      .reduce((sum, e) => sum + e.amount, 0)
  }
}

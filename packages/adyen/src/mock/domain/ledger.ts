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

  /** Reversals the acquirer is booking now: their amounts by original, until booked or given up. */
  private readonly booking = new Map<string, number>()

  /** Minor units of a sale already reversed, or being reversed by another terminal right now. */
  reversed(poiTransactionId: string): number {
    const booked = this.entries
      .filter(
        (e) => e.kind === 'reversal' && e.result === 'approved' && e.original === poiTransactionId,
      )
      .reduce((sum, e) => sum + e.amount, 0)
    return booked + (this.booking.get(poiTransactionId) ?? 0)
  }

  /**
   * Holds `amount` of a sale for a reversal on its way to the acquirer, so that a second terminal
   * reversing the same sale meanwhile sees it taken. The returned function lets it go (once).
   */
  hold(poiTransactionId: string, amount: number): () => void {
    this.booking.set(poiTransactionId, (this.booking.get(poiTransactionId) ?? 0) + amount)
    let held = true
    return () => {
      if (!held) return
      held = false
      const left = this.booking.get(poiTransactionId)! - amount
      if (left) this.booking.set(poiTransactionId, left)
      else this.booking.delete(poiTransactionId)
    }
  }
}

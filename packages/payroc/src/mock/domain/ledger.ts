import { FakeLedger } from '@tillkit/core/fake'

/** What reached the fake acquirer. */
export type LedgerKind = 'sale' | 'pre-auth' | 'refund' | 'reversal'
export type LedgerResult = 'approved' | 'partial' | 'declined' | 'referral'

/** One request that reached the acquirer, approved or not. */
export interface LedgerEntry {
  /** 1-based position. */
  readonly seq: number
  /** Clock time (epoch ms) at which the acquirer saw it. */
  readonly at: number
  readonly kind: LedgerKind
  readonly processingTerminalId: string
  /** The device, for anything taken on one; absent for referenced refunds and reversals. */
  readonly serialNumber?: string
  /** The instruction behind it, if any. */
  readonly instructionId?: string
  /** The payment it charged, or the payment a refund or reversal applies to. */
  readonly paymentId?: string
  /** The refund it paid out. */
  readonly refundId?: string
  readonly orderId?: string
  /** Asked for, minor units. */
  readonly amount: number
  /** Authorised (0 when declined), minor units, positive for every kind. */
  readonly authorizedAmount: number
  readonly currency: string
  readonly result: LedgerResult
}

/** Append-only, numbered from 1 (core's FakeLedger). */
export class Ledger extends FakeLedger<LedgerEntry> {}

import type { Ledger } from './ledger.js'

/** Something a protocol front-end may want to push to its clients as it happens. */
export interface CloudEvent {
  type: 'notification'
  tid: string
  /** Transaction or report id. */
  requestId: string
  kind: 'transaction' | 'report'
  value: string
  at: number
}

/** What happens when the EPoS never answers a signature request over REST. */
export type SignatureTimeoutAction = 'accept' | 'void'

/** Shared services and settings every terminal run uses. */
export interface Environment {
  readonly ledger: Ledger
  readonly ids: IdSource
  /** Time per terminal step. */
  readonly stepMs: number
  readonly signatureTimeoutMs: number
  readonly signatureTimeout: SignatureTimeoutAction
  emit(event: CloudEvent): void
}

/**
 * Identifiers. Request ids are random UUIDs as the real cloud's are; the terminal- and
 * acquirer-side numbers are counters so test output is stable.
 */
export class IdSource {
  private auth = 0
  private txn = 0

  requestId(): string {
    return crypto.randomUUID()
  }

  authCode(): string {
    return `A${String(++this.auth).padStart(5, '0')}`
  }

  transactionId(): string {
    return String(4_000_000 + ++this.txn)
  }
}

/** Terminal-local time as the cloud prints it: `YYYY-MM-DDThh:mm:ss`, no zone (we use UTC). */
export function terminalTime(at: number): string {
  return new Date(at).toISOString().slice(0, 19)
}

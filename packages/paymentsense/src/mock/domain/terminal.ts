import type { Scenario } from '../scenarios.js'
import type { Currency, TerminalStatus } from '../types.js'
import { terminalTime } from './env.js'
import type { ReportRun } from './report.js'
import type { TransactionRun } from './transaction.js'

/** A stretch of the ledger between two balance resets (Z balance or end of day). */
export interface Session {
  /** Entries with a greater `seq` belong to the session. */
  afterSeq: number
  /** Last entry of the session (open sessions: none yet). */
  untilSeq?: number
  /** When it began: a terminal time, or `INSTALLATION`. */
  since: string
}

/** One card terminal: its connection, what it is doing and what it has done. */
export class TerminalState {
  /** Whether the terminal is connected (switched by the control API). */
  connected: boolean
  /** Set while a scenario keeps the terminal off the network. */
  offlineUntil = Number.NEGATIVE_INFINITY
  /** The transaction or report in progress, if any. */
  active: TransactionRun | ReportRun | undefined
  readonly transactions = new Map<string, TransactionRun>()
  readonly reports = new Map<string, ReportRun>()
  /** Most recent finished transaction (DUPLICATE reprints it). */
  lastTransaction: TransactionRun | undefined
  session: Session = { afterSeq: 0, since: 'INSTALLATION' }
  previousSession: Session | undefined
  private transactionCount = 0

  constructor(
    readonly tid: string,
    readonly currency: Currency,
    public scenario: Scenario | undefined,
    online: boolean,
  ) {
    this.connected = online
  }

  /** Brings the active run up to `now`. */
  advance(now: number): void {
    if (!this.active) return
    this.active.advance(now)
    if (this.active.finished) this.active = undefined
  }

  isOnline(now: number): boolean {
    return this.connected && now >= this.offlineUntil
  }

  status(): TerminalStatus {
    return this.active ? 'BUSY' : 'AVAILABLE'
  }

  /** Next four-digit transaction number of this terminal. */
  nextTransactionNumber(): string {
    this.transactionCount = (this.transactionCount % 9999) + 1
    return String(this.transactionCount).padStart(4, '0')
  }

  /** Ends the current balance session after ledger entry `lastSeq` (Z balance, end of day). */
  closeSession(lastSeq: number, at: number): void {
    this.previousSession = { ...this.session, untilSeq: lastSeq }
    this.session = { afterSeq: lastSeq, since: terminalTime(at) }
  }
}

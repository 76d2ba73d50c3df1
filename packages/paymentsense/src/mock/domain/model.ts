import type { Scenario } from '../scenarios.js'
import type { Currency, TerminalStatus } from '../types.js'
import { IdSource, type CloudEvent, type Environment, type SignatureTimeoutAction } from './env.js'
import { refuse } from './errors.js'
import { Ledger } from './ledger.js'
import { ReportRun } from './report.js'
import { TableBook } from './tables.js'
import { TerminalState } from './terminal.js'
import { TransactionRun, type TableTag } from './transaction.js'
import {
  checkVisitRequest,
  TableVisits,
  type TableVisitOutcome,
  type TableVisitRequest,
} from './visits.js'
import { parseReportRequest, parseSignatureRequest, parseTransactionRequest } from './validate.js'

export interface TerminalConfig {
  tid: string
  /** Default GBP. */
  currency?: Currency
  /** Pin every transaction on this terminal to one scenario (else the amount decides). */
  scenario?: Scenario
  /** Default true. */
  online?: boolean
}

export interface ModelSettings {
  stepMs: number
  signatureTimeoutMs: number
  signatureTimeout: SignatureTimeoutAction
  retentionMs: number
}

export interface TerminalSummary {
  tid: string
  status: TerminalStatus
  currency: Currency
}

/**
 * The fake Connect cloud without any protocol: terminals, their transactions and reports, the
 * tables and the ledger. Every method takes the current time and first brings the affected
 * terminal up to it (see Run). Front-ends (REST now, WebSocket later) translate their requests into
 * these calls and map {@link Refusal}s to their own error shapes.
 */
export class ConnectModel {
  readonly ledger = new Ledger()
  readonly env: Environment
  readonly tables: TableBook
  /** Pay at table over WebSocket: waiters' visits, handed to the open pat connection. */
  readonly visits = new TableVisits()
  private readonly terminals = new Map<string, TerminalState>()
  private readonly listeners = new Set<(event: CloudEvent) => void>()

  constructor(
    private readonly settings: ModelSettings,
    terminals: readonly TerminalConfig[],
  ) {
    this.env = {
      ledger: this.ledger,
      ids: new IdSource(),
      stepMs: settings.stepMs,
      signatureTimeoutMs: settings.signatureTimeoutMs,
      signatureTimeout: settings.signatureTimeout,
      emit: (event) => this.listeners.forEach((listener) => listener(event)),
    }
    this.tables = new TableBook(this.env)
    for (const config of terminals) this.addTerminal(config)
  }

  // ---- terminals -------------------------------------------------------------------------

  addTerminal(config: TerminalConfig): TerminalState {
    if (this.terminals.has(config.tid)) throw new Error(`Terminal ${config.tid} already exists`)
    const terminal = new TerminalState(
      config.tid,
      config.currency ?? 'GBP',
      config.scenario,
      config.online ?? true,
    )
    this.terminals.set(config.tid, terminal)
    return terminal
  }

  /** Any terminal, connected or not, brought up to `now` (with every other: see {@link catchUp}). */
  terminal(tid: string, now: number): TerminalState {
    const terminal = this.terminals.get(tid) ?? refuse('not-found', `Terminal ${tid} not found.`)
    this.catchUp(now)
    return terminal
  }

  allTerminals(now: number): TerminalState[] {
    this.catchUp(now)
    return [...this.terminals.values()]
  }

  /**
   * Brings every terminal up to `now`, one due step at a time in time order across terminals: the
   * ledger then lists what reached the acquirer in the order it did, whichever terminal the POS
   * asked about first.
   */
  private catchUp(now: number): void {
    for (;;) {
      let next: TerminalState | undefined
      let at = now
      for (const terminal of this.terminals.values()) {
        const due = terminal.active?.nextEventAt()
        if (due !== undefined && due <= at && (next === undefined || due < at)) {
          next = terminal
          at = due
        }
      }
      if (!next) return
      next.advance(at)
    }
  }

  /** Connected terminals, optionally filtered. */
  listTerminals(
    now: number,
    filter: { status?: TerminalStatus; currency?: Currency } = {},
  ): TerminalSummary[] {
    return this.allTerminals(now)
      .filter((t) => t.isOnline(now))
      .map(summary)
      .filter((t) => filter.status === undefined || t.status === filter.status)
      .filter((t) => filter.currency === undefined || t.currency === filter.currency)
  }

  getTerminal(tid: string, now: number): TerminalSummary {
    return summary(this.connected(tid, now))
  }

  // ---- transactions ----------------------------------------------------------------------

  /**
   * `table`: the payment settles a table (ledger kind `table-payment`, credited to its waiter).
   * `socket`: the request came over the WebSocket API, whose completion may leave out the
   * pre-authorised total (our schema's reading of what is known).
   */
  startTransaction(
    tid: string,
    body: unknown,
    now: number,
    { table, socket = false }: { table?: TableTag; socket?: boolean } = {},
  ): TransactionRun {
    const terminal = this.connected(tid, now)
    const order = parseTransactionRequest(body, terminal.currency, { totalRequired: !socket })
    return this.begin(terminal, terminal.transactions, now, (id) => {
      return new TransactionRun(terminal, this.env, id, order, now, table)
    })
  }

  transaction(tid: string, requestId: string, now: number): TransactionRun {
    const terminal = this.connected(tid, now)
    return this.fresh(terminal.transactions, requestId, now, 'transaction')
  }

  cancelTransaction(tid: string, requestId: string, now: number): void {
    this.transaction(tid, requestId, now).requestCancel(now)
  }

  answerSignature(tid: string, requestId: string, body: unknown, now: number): void {
    const run = this.transaction(tid, requestId, now)
    run.answerSignature(parseSignatureRequest(body), now)
  }

  // ---- reports ---------------------------------------------------------------------------

  startReport(tid: string, body: unknown, now: number): ReportRun {
    const terminal = this.connected(tid, now)
    const reportType = parseReportRequest(body)
    return this.begin(terminal, terminal.reports, now, (id) => {
      return new ReportRun(terminal, this.env, id, reportType, now)
    })
  }

  /** Puts a new transaction or report on an idle terminal: it becomes the terminal's active run. */
  private begin<R extends TransactionRun | ReportRun>(
    terminal: TerminalState,
    runs: Map<string, R>,
    now: number,
    make: (requestId: string) => R,
  ): R {
    this.assertIdle(terminal)
    this.forgetExpired(terminal, now)
    const run = make(this.env.ids.requestId())
    runs.set(run.requestId, run)
    terminal.active = run
    terminal.advance(now)
    return run
  }

  report(tid: string, requestId: string, now: number): ReportRun {
    const terminal = this.connected(tid, now)
    return this.fresh(terminal.reports, requestId, now, 'report')
  }

  // ---- pay at table over WebSocket ----------------------------------------------------------

  /**
   * A waiter starts taking payment for a table on a terminal. Bad options and a terminal that is
   * unknown, offline or busy are refused at once; everything else ends in the returned outcome.
   */
  visitTable(tid: string, request: TableVisitRequest, now: number): Promise<TableVisitOutcome> {
    checkVisitRequest(request)
    const terminal = this.connected(tid, now)
    this.assertIdle(terminal)
    return this.visits.start(terminal, request)
  }

  // ---- events for push front-ends --------------------------------------------------------

  /** Receives every notification as the terminals produce it (while being advanced). */
  subscribe(listener: (event: CloudEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Earliest time any terminal has something to do; a push front-end sleeps until then. */
  nextEventAt(): number | undefined {
    const times = [...this.terminals.values()]
      .map((t) => t.active?.nextEventAt())
      .filter((at): at is number => at !== undefined)
    return times.length ? Math.min(...times) : undefined
  }

  // ---- internals -------------------------------------------------------------------------

  private connected(tid: string, now: number): TerminalState {
    const terminal = this.terminal(tid, now)
    if (!terminal.isOnline(now)) refuse('unavailable', `Terminal ${tid} is unavailable.`)
    return terminal
  }

  private assertIdle(terminal: TerminalState): void {
    if (terminal.active) {
      refuse('busy', `Terminal ${terminal.tid} is busy processing another request.`)
    }
  }

  /**
   * Looks a run up, honouring data retention: once expired it is gone for good. Retention counts
   * from when the run finished (Connect only says results are kept "for a number of hours"), so a
   * run in progress is always found, however short the retention.
   */
  private fresh<R extends TransactionRun | ReportRun>(
    runs: Map<string, R>,
    requestId: string,
    now: number,
    what: string,
  ): R {
    const run = runs.get(requestId)
    if (run && !this.expired(run, now)) return run
    runs.delete(requestId)
    return refuse('not-found', `No ${what} found for request ${requestId}.`)
  }

  /** Finished at least the retention period ago (a run in progress never is). */
  private expired(run: { endedAt: number | undefined }, now: number): boolean {
    return run.endedAt !== undefined && now - run.endedAt >= this.settings.retentionMs
  }

  /**
   * Drops runs past retention. A terminal runs one thing at a time, so its runs, kept in creation
   * order, also finished in that order: the scan stops at the first one still kept, and a new run
   * costs O(1) however many the terminal has had.
   */
  private forgetExpired(terminal: TerminalState, now: number): void {
    for (const runs of [terminal.transactions, terminal.reports] as Map<
      string,
      { endedAt: number | undefined }
    >[]) {
      for (const [id, run] of runs) {
        if (!this.expired(run, now)) break
        runs.delete(id)
      }
    }
  }
}

function summary(terminal: TerminalState): TerminalSummary {
  return { tid: terminal.tid, status: terminal.status(), currency: terminal.currency }
}

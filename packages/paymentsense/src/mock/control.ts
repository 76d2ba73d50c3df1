import { refuse } from './domain/errors.js'
import { exactFields, type Clock } from '@tillkit/core'
import type { ConnectModel, TerminalConfig } from './domain/model.js'
import type { PatReportRecord, TablePaymentRequest, TablePaymentResult } from './domain/tables.js'
import type { TableVisitOutcome, TableVisitRequest } from './domain/visits.js'
import { TERMINAL_RULES } from './options.js'
import { VIRTUAL_TERMINAL_SCENARIOS, type Scenario } from './scenarios.js'
import type {
  Currency,
  ReportResponse,
  ReportType,
  Table,
  TableCreation,
  TerminalStatus,
  Transaction,
} from './types.js'

/** What a test sees of a terminal (connection state included, unlike the REST view). */
export interface TerminalInfo {
  tid: string
  currency: Currency
  /** Pinned scenario; undefined when the amount decides. */
  scenario: Scenario | undefined
  /** False while disconnected by `setOnline(false)` or by an `offline-midway` transaction. */
  online: boolean
  status: TerminalStatus
  /** requestId of the transaction or report in progress. */
  activeRequestId: string | undefined
}

/** Inspection and control of terminals, from the terminal's side (no HTTP, no request spacing). */
export interface TerminalControl {
  list(): TerminalInfo[]
  get(tid: string): TerminalInfo
  /** A bad config (as `options.terminals` checks it) is a TillkitValidationError naming `config.…`. */
  add(config: TerminalConfig): TerminalInfo
  /** Pin a scenario for every following transaction; `undefined` lets the amount decide again. */
  setScenario(tid: string, scenario: Scenario | undefined): void
  /** Connect or disconnect the terminal: disconnected terminals answer 404 and are not listed. */
  setOnline(tid: string, online: boolean): void
  /** A transaction as the REST API would show it, without `location`. */
  transaction(tid: string, requestId: string): Omit<Transaction, 'location'>
  /** A report as the REST API would show it, without `location`. */
  report(tid: string, requestId: string): Omit<ReportResponse, 'location'>
}

export interface TablePaymentOptions extends TablePaymentRequest {
  /** The paying terminal; default the first terminal in the table's currency. */
  tid?: string
}

export type PatReportSummary = Omit<PatReportRecord, 'createdAt'>

/** Inspection and control of pay-at-table, including what terminals do at the table. */
export interface TableControl {
  list(): Table[]
  /** The table with its receipt. */
  get(tableName: string): Table
  create(table: TableCreation): Table
  /** A card payment taken at the table by a terminal: raises `amountPaid` and enters the ledger. */
  pay(tableName: string, payment: TablePaymentOptions): TablePaymentResult
  /** A terminal locks the table: EPoS writes then get 423. */
  lock(tableName: string, tid: string): void
  /** Releases a terminal's lock. */
  unlock(tableName: string): void
  /**
   * A waiter runs a report on a terminal; it appears in `GET /pat/reports` and, while a pat
   * WebSocket is open, is pushed to it as a `reportResponse` notification.
   */
  runReport(tid: string, reportType: ReportType): PatReportSummary
  /**
   * Pay at table over WebSocket: a waiter takes payment for a table at terminal `tid`. Connect asks
   * the open pat connection for the table list, a lock and the bill, the card is charged, and the
   * table is released; the promise says how it ended (`no-connection` when no pat connection is
   * open). Bad options throw a TillkitValidationError; an unknown, offline or busy terminal throws a
   * Refusal. The tables here (REST's) play no part: over WebSocket the EPoS holds the tables.
   */
  visit(tid: string, request?: TableVisitRequest): Promise<TableVisitOutcome>
}

export function terminalControl(model: ConnectModel, clock: Clock): TerminalControl {
  const info = (tid: string): TerminalInfo => {
    const now = clock.now()
    const t = model.terminal(tid, now)
    return {
      tid: t.tid,
      currency: t.currency,
      scenario: t.scenario,
      online: t.isOnline(now),
      status: t.status(),
      activeRequestId: t.active?.requestId,
    }
  }
  return {
    list: () => model.allTerminals(clock.now()).map((t) => info(t.tid)),
    get: info,
    add(config) {
      exactFields(TERMINAL_RULES)('config', config, {})
      model.addTerminal(withVirtualScenario(config))
      return info(config.tid)
    },
    setScenario(tid, scenario) {
      model.terminal(tid, clock.now()).scenario = scenario
    },
    setOnline(tid, online) {
      model.terminal(tid, clock.now()).connected = online
    },
    transaction(tid, requestId) {
      const run = model.terminal(tid, clock.now()).transactions.get(requestId)
      if (!run) throw new Error(`No transaction ${requestId} on terminal ${tid}`)
      return run.snapshot()
    },
    report(tid, requestId) {
      const run = model.terminal(tid, clock.now()).reports.get(requestId)
      if (!run) throw new Error(`No report ${requestId} on terminal ${tid}`)
      return run.snapshot()
    },
  }
}

export function tableControl(model: ConnectModel, clock: Clock): TableControl {
  /** The terminal a table is paid on: the one named, or a connected one in its currency, free if any. */
  const payingTerminal = (tableName: string, tid: string | undefined) => {
    const now = clock.now()
    if (tid !== undefined) {
      const terminal = model.terminal(tid, now)
      // Off the network, it reaches no acquirer.
      if (!terminal.isOnline(now)) refuse('unavailable', `Terminal ${tid} is unavailable.`)
      return terminal
    }
    const currency = model.tables.currencyOf(tableName)
    const connected = model
      .allTerminals(now)
      .filter((t) => t.currency === currency && t.isOnline(now))
    // A free one if there is one; a busy one refuses the payment.
    const terminal = connected.find((t) => !t.active) ?? connected[0]
    if (!terminal) throw new Error(`No connected terminal takes ${currency}`)
    return terminal
  }
  return {
    list: () => model.tables.list(),
    get: (tableName) => model.tables.get(tableName, true),
    create: (table) => {
      model.tables.create(table)
      return model.tables.get(table.tableName, true)
    },
    pay(tableName, { tid, ...payment }) {
      const terminal = payingTerminal(tableName, tid)
      return model.tables.pay(tableName, terminal, payment, clock.now())
    },
    lock(tableName, tid) {
      model.tables.lockFromTerminal(tableName, model.terminal(tid, clock.now()))
    },
    unlock: (tableName) => model.tables.unlockFromTerminal(tableName),
    runReport(tid, reportType) {
      const now = clock.now()
      const record = model.tables.runReport(model.terminal(tid, now), reportType, now)
      model.visits.reportPrinted(record)
      const { createdAt: _, ...report } = record
      return report
    },
    visit: (tid, request = {}) => model.visitTable(tid, request, clock.now()),
  }
}

/** A virtual test TID listed without a scenario keeps the behaviour its name stands for. */
export function withVirtualScenario(config: TerminalConfig): TerminalConfig {
  const scenario = config.scenario ?? VIRTUAL_TERMINAL_SCENARIOS[config.tid]
  return scenario ? { ...config, scenario } : config
}

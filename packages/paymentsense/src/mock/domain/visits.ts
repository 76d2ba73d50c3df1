import { assertInteger, assertOneOf, assertString } from '@tillkit/core'
import type { PosReceiptLine } from '../../generated/websocket/pat/pos-receipt-response.js'
import type { TablePayment } from '../../generated/websocket/pat/transaction-response-notification.js'
import { MAX_AMOUNT } from '../../limits.js'
import { refuse } from './errors.js'
import type { PatReportRecord } from './tables.js'
import type { TerminalState } from './terminal.js'

/**
 * Pay at table over WebSocket turns the REST roles round: the terminal drives, and Connect asks
 * the EPoS (which holds the tables) for what the waiter needs. A visit is one waiter paying one
 * table at one terminal. The model only routes visits to the single open pat connection; the
 * connection's session asks the questions and reports how the visit ended.
 */

/** What the waiter does at the terminal. */
export interface TableVisitRequest {
  /**
   * The table the waiter picks from the EPoS's list. Default: the first unlocked table in the
   * terminal's currency with something left to pay.
   */
  tableName?: string
  /** What the customer pays, in minor units. Default: everything left on the table. */
  amount?: number
  /** The waiter's verdict if the card asks for a signature. Default `accept`. */
  signature?: 'accept' | 'decline'
}

/** Connect's questions to the EPoS during a visit. */
export type PatQuestion =
  'tableListRequest' | 'tableLockRequest' | 'posReceiptRequest' | 'finalPosReceiptRequest'

/** How a question went unanswered. */
export type Unanswered =
  | { status: 'no-answer'; question: PatQuestion }
  | { status: 'error-reply'; question: PatQuestion; error: unknown }
  | { status: 'invalid-answer'; question: PatQuestion; reason: string }

/** The final POS receipt, asked for only on connections that opted in. */
export type FinalReceipt = { status: 'printed'; receiptLines: PosReceiptLine[] } | Unanswered

/**
 * How a visit ended. Only `paid` took money; `not-paid` means the card transaction ran and ended
 * otherwise (declined, cancelled, timed out, voided...).
 */
export type TableVisitOutcome = { tid: string } & (
  | {
      status: 'paid' | 'not-paid'
      tableName: string
      /** The bill the EPoS gave the terminal to print. */
      bill: PosReceiptLine[]
      /** As sent to the EPoS in the `transactionResponse` notification. */
      payment: TablePayment
      /** Present when the connection asked for final POS receipt requests and money was taken. */
      finalReceipt?: FinalReceipt
    }
  /** No pat connection was open when the waiter started. */
  | { status: 'no-connection' }
  /**
   * The connection closed during the visit. `requestId` names the card transaction when one had
   * started: the terminal finishes it on its own (see the ledger).
   */
  | { status: 'disconnected'; tableName?: string; requestId?: string }
  /** Nothing to pick: the named table is not listed in the terminal's currency, or none is open. */
  | { status: 'no-table'; tableName?: string; reason: string }
  | { status: 'lock-refused'; tableName: string }
  /** The table was locked but the amount cannot be taken (nothing left, or more than is left). */
  | { status: 'amount-refused'; tableName: string; reason: string }
  /** The terminal could not start the card transaction (e.g. it went offline). */
  | { status: 'terminal-refused'; tableName: string; reason: string }
  | (Unanswered & { tableName?: string })
)

/** A visit handed to the open connection. */
export interface TableVisit {
  readonly terminal: TerminalState
  readonly request: TableVisitRequest
  /** Reports how the visit ended; called once. */
  end(outcome: TableVisitOutcome): void
}

/** What the open pat connection does for the model. */
export interface VisitHandler {
  visit(visit: TableVisit): void
  /** A waiter printed a report on a terminal. */
  report(report: PatReportRecord): void
}

/** Bad visit options are the caller's mistake: refused with core's typed error, naming the rule. */
export function checkVisitRequest(request: TableVisitRequest): void {
  const { tableName, amount, signature } = request
  if (tableName !== undefined) assertString('tableName', tableName, { minLength: 1 })
  if (amount !== undefined) assertInteger('amount', amount, 1, MAX_AMOUNT)
  if (signature !== undefined) assertOneOf('signature', signature, ['accept', 'decline'])
}

/**
 * The routing desk. Pay at table allows one connection, so the newest handler replaces the older
 * one; a terminal runs one visit at a time.
 */
export class TableVisits {
  private handler: VisitHandler | undefined
  private readonly visiting = new Set<string>()

  /** Registers the open connection; the returned function unregisters it (if still current). */
  connect(handler: VisitHandler): () => void {
    this.handler = handler
    return () => {
      if (this.handler === handler) this.handler = undefined
    }
  }

  start(terminal: TerminalState, request: TableVisitRequest): Promise<TableVisitOutcome> {
    const { tid } = terminal
    if (this.visiting.has(tid)) refuse('busy', `Terminal ${tid} is already at a table.`)
    if (!this.handler) return Promise.resolve({ tid, status: 'no-connection' })
    this.visiting.add(tid)
    const handler = this.handler
    return new Promise((resolve) => {
      handler.visit({
        terminal,
        request: { ...request },
        end: (outcome) => {
          this.visiting.delete(tid)
          resolve(outcome)
        },
      })
    })
  }

  /** Pushes a printed report to the open connection, if any. */
  reportPrinted(report: PatReportRecord): void {
    this.handler?.report(report)
  }
}

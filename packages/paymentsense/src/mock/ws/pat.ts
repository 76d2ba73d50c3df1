import { validateFinalPosReceiptResponse } from '../../generated/websocket/pat/final-pos-receipt-response.validate.js'
import type { PosReceiptLine } from '../../generated/websocket/pat/pos-receipt-response.js'
import { validatePosReceiptResponse } from '../../generated/websocket/pat/pos-receipt-response.validate.js'
import type { Table } from '../../generated/websocket/pat/table-list-response.js'
import { validateTableListResponse } from '../../generated/websocket/pat/table-list-response.validate.js'
import type { TableLockResponse } from '../../generated/websocket/pat/table-lock-response.js'
import { validateTableLockResponse } from '../../generated/websocket/pat/table-lock-response.validate.js'
import type { TablePayment } from '../../generated/websocket/pat/transaction-response-notification.js'
import { terminalTime } from '../domain/env.js'
import type { TransactionRun } from '../domain/transaction.js'
import type {
  FinalReceipt,
  PatQuestion,
  TableVisit,
  TableVisitOutcome,
  Unanswered,
} from '../domain/visits.js'
import type { Integration, Method, SessionContext, Validator } from './integration.js'
import { RpcCode } from './jsonrpc.js'
import { paymentOf, reportBody } from './payloads.js'

/**
 * How long Connect waits for each answer from the EPoS before giving the visit up. Not documented:
 * this value is ours.
 */
export const PAT_ANSWER_TIMEOUT_MS = 30_000

/**
 * Pay at table has no EPoS-to-Connect request we know of: the terminal drives and the EPoS only
 * answers. Every method sent on a pat connection is therefore not found.
 */
export const PAT_METHODS: Readonly<Record<string, Method>> = {}

export interface PatOptions {
  answerTimeoutMs: number
  /** The connection asked for final POS receipt requests. */
  finalPosReceiptRequest: boolean
}

/** One visit in progress, as far as it has got. */
interface Visit {
  readonly desk: TableVisit
  readonly tid: string
  tableName?: string
  /**
   * From the lock request on, unless the EPoS says no: the table may be locked, so the visit ends
   * by releasing it (a lock answer that never came or made no sense may still have locked it).
   */
  mayHoldLock: boolean
  bill?: PosReceiptLine[]
  run?: TransactionRun
}

/**
 * Pay at table: a waiter's visit turns into Connect's questions to the EPoS, one at a time, each
 * with a deadline: the table list, the lock, the bill; then the card payment on the terminal
 * (the same transaction machinery, scenarios and ledger as pay at counter), a `transactionResponse`
 * notification, the final receipt when the connection opted in, and a `tableUnlock` notification.
 * Silence, an error reply or an invalid answer to the list, the lock or the bill ends the visit
 * before any money moves; the same about the final receipt only marks the outcome (the money is
 * taken by then). Any table that may be locked is released at the end.
 *
 * Guesses (no pay-at-table WebSocket flow has been seen): the order of the questions and their
 * timeout, that progress is not pushed as terminal notifications (the documented pat messages
 * have none), that the waiter decides a signature on the terminal (no signature question on
 * pat), that the final receipt is asked for only after money was taken, and that a table whose
 * lock answer never came (or made no sense) is released anyway.
 */
export function patIntegration(context: SessionContext, options: PatOptions): Integration {
  const { model, clock, send } = context
  const visits = new Set<Visit>()
  const paying = new Map<string, Visit>()

  const end = (visit: Visit, outcome: TableVisitOutcome) => {
    visits.delete(visit)
    if (visit.mayHoldLock) {
      send({
        jsonrpc: '2.0',
        method: 'tableUnlock',
        params: { tid: visit.tid, tableName: visit.tableName },
      })
    }
    visit.desk.end(outcome)
  }

  /** The visit ends with a question unanswered. */
  const giveUp = (visit: Visit, unanswered: Unanswered) =>
    end(visit, {
      tid: visit.tid,
      ...(visit.tableName !== undefined && { tableName: visit.tableName }),
      ...unanswered,
    })

  /** Puts one question to the EPoS; `next` gets a valid answer, `fail` every other ending. */
  const ask = <T>(
    visit: Visit,
    method: PatQuestion,
    params: Record<string, unknown>,
    validate: Validator<T>,
    next: (answer: T, now: number) => void,
    fail: (unanswered: Unanswered) => void = (unanswered) => giveUp(visit, unanswered),
  ) => {
    context.ask(
      method,
      { tid: visit.tid, ...params },
      {
        deadline: clock.now() + options.answerTimeoutMs,
        validate,
        label: `answer to ${method}`,
        answered: (message, now) => next(message as T, now),
        expired: () => fail({ status: 'no-answer', question: method }),
        invalid: (reason) => fail({ status: 'invalid-answer', question: method, reason }),
        refused: (error) => fail({ status: 'error-reply', question: method, error }),
      },
    )
  }

  const start = (desk: TableVisit) => {
    const visit: Visit = { desk, tid: desk.terminal.tid, mayHoldLock: false }
    visits.add(visit)
    ask(visit, 'tableListRequest', {}, validateTableListResponse, (answer) =>
      pick(visit, answer.result.tables),
    )
  }

  /** The waiter picks a table from the list the EPoS sent (see TableVisitRequest). */
  const pick = (visit: Visit, tables: Table[]) => {
    const { currency } = visit.desk.terminal
    const wanted = visit.desk.request.tableName
    const open = (t: Table) => !t.locked && t.amount > (t.amountPaid ?? 0)
    const table = tables.find(
      (t) => t.currency === currency && (wanted === undefined ? open(t) : t.tableName === wanted),
    )
    if (!table) {
      return end(visit, {
        tid: visit.tid,
        status: 'no-table',
        ...(wanted !== undefined && { tableName: wanted }),
        reason:
          wanted === undefined
            ? `No open table in ${currency} has anything left to pay.`
            : `Table ${wanted} is not listed in ${currency}.`,
      })
    }
    const tableName = table.tableName
    visit.tableName = tableName
    visit.mayHoldLock = true
    ask(
      visit,
      'tableLockRequest',
      { tableName },
      validateTableLockResponse,
      (answer) => locked(visit, tableName, answer.result),
      (unanswered) => {
        // An EPoS that answered with an error did not lock the table.
        if (unanswered.status === 'error-reply') visit.mayHoldLock = false
        giveUp(visit, unanswered)
      },
    )
  }

  const locked = (visit: Visit, tableName: string, result: TableLockResponse['result']) => {
    if (!result.locked) {
      visit.mayHoldLock = false
      return end(visit, { tid: visit.tid, status: 'lock-refused', tableName })
    }
    const { table } = result
    const { currency } = visit.desk.terminal
    if (table.tableName !== tableName || table.currency !== currency) {
      const reason = `the locked table is ${table.tableName} in ${table.currency}, not ${tableName} in ${currency}`
      context.sendError(
        null,
        RpcCode.InvalidParams,
        `Invalid answer to tableLockRequest: ${reason}.`,
      )
      return giveUp(visit, { status: 'invalid-answer', question: 'tableLockRequest', reason })
    }
    const left = table.amount - (table.amountPaid ?? 0)
    const amount = visit.desk.request.amount ?? left
    if (amount < 1 || amount > left) {
      return end(visit, {
        tid: visit.tid,
        status: 'amount-refused',
        tableName,
        reason: `Table ${tableName} has ${left} left to pay: ${amount} cannot be taken.`,
      })
    }
    const waiterId = table.waiterIds?.[0]
    ask(visit, 'posReceiptRequest', { tableName }, validatePosReceiptResponse, (answer, now) => {
      visit.bill = answer.result.receiptLines
      pay(visit, tableName, amount, waiterId, now)
    })
  }

  /** The card payment: an ordinary sale on the terminal, tagged with the table for the ledger. */
  const pay = (
    visit: Visit,
    tableName: string,
    amount: number,
    waiterId: string | undefined,
    now: number,
  ) => {
    const { currency } = visit.desk.terminal
    let run: TransactionRun
    try {
      run = model.startTransaction(visit.tid, { transactionType: 'SALE', currency, amount }, now, {
        table: { tableName, ...(waiterId !== undefined && { waiterId }) },
        socket: true,
      })
    } catch (error) {
      const reason = (error as Error).message
      return end(visit, { tid: visit.tid, status: 'terminal-refused', tableName, reason })
    }
    visit.run = run
    paying.set(run.requestId, visit)
  }

  const finished = (visit: Visit, run: TransactionRun) => {
    paying.delete(run.requestId)
    const tableName = visit.tableName!
    const payment: TablePayment = { ...paymentOf(run), tableName }
    send({ jsonrpc: '2.0', method: 'transactionResponse', params: payment })
    const status = payment.transactionResult === 'SUCCESSFUL' ? 'paid' : 'not-paid'
    const done = (finalReceipt?: FinalReceipt) =>
      end(visit, {
        tid: visit.tid,
        status,
        tableName,
        bill: visit.bill!,
        payment,
        ...(finalReceipt && { finalReceipt }),
      })
    if (!options.finalPosReceiptRequest || status !== 'paid') return done()
    // The money is taken whatever happens to the receipt: its failures only mark the outcome.
    ask(
      visit,
      'finalPosReceiptRequest',
      { tableName },
      validateFinalPosReceiptResponse,
      (answer) => done({ status: 'printed', receiptLines: answer.result.receiptLines }),
      done,
    )
  }

  const disconnect = model.visits.connect({
    visit: (desk) => context.batch(() => start(desk)),
    report: (record) =>
      send({
        jsonrpc: '2.0',
        method: 'reportResponse',
        params: reportBody({ ...record, reportTime: terminalTime(record.createdAt) }),
      }),
  })

  return {
    methods: PAT_METHODS,
    onEvent(event) {
      const visit = paying.get(event.requestId)
      if (!visit) return
      const run = visit.run!
      if (event.value === 'SIGNATURE_VERIFICATION') {
        // The waiter checks the signature on the terminal itself.
        const accepted = visit.desk.request.signature !== 'decline'
        context.guard(null, () => run.answerSignature(accepted, clock.now()))
      }
      if (event.value === 'TRANSACTION_FINISHED') finished(visit, run)
    },
    dueTimes: () => [...paying.values()].map((visit) => visit.run!.nextEventAt()),
    advance(now) {
      for (const visit of paying.values()) model.terminal(visit.tid, now)
    },
    close() {
      disconnect()
      for (const visit of visits) {
        visit.desk.end({
          tid: visit.tid,
          status: 'disconnected',
          ...(visit.tableName !== undefined && { tableName: visit.tableName }),
          ...(visit.run && { requestId: visit.run.requestId }),
        })
      }
      visits.clear()
      paying.clear()
    },
  }
}

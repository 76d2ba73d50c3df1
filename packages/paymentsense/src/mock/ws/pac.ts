import type { ValidationError } from '../../generated/websocket/error-message.validate.js'
import { validateCancelTransactionRequest } from '../../generated/websocket/pac/cancel-transaction-request.validate.js'
import { validateConnectedTerminalsRequest } from '../../generated/websocket/pac/connected-terminals-request.validate.js'
import { validateDuplicateRequest } from '../../generated/websocket/pac/duplicate-request.validate.js'
import { validatePerformTransactionRequest } from '../../generated/websocket/pac/perform-transaction-request.validate.js'
import { validateReportRequest } from '../../generated/websocket/pac/report-request.validate.js'
import { validateTerminalDetailsRequest } from '../../generated/websocket/pac/terminal-details-request.validate.js'
import { refuse } from '../domain/errors.js'
import type { ConnectModel } from '../domain/model.js'
import type { ReportRun } from '../domain/report.js'
import { TransactionRun } from '../domain/transaction.js'
import { transactionBody } from './payloads.js'

/** A generated validator: a type guard that keeps its last failure in `errors`. */
export type Validator<T> = ((data: unknown) => data is T) & {
  errors?: ValidationError[] | null
}

/** What a method handler gets: the model, the time, and the request already validated. */
export interface MethodContext<T> {
  model: ConnectModel
  now: number
  request: T
}

/**
 * A handler answers at once (`reply`), or starts a terminal run whose response is sent when the
 * run finishes (`run`).
 */
export type MethodOutcome = { reply: unknown } | { run: TransactionRun | ReportRun }

/** A method with its request type erased, so that all of them fit one table. */
export interface Method {
  validate: Validator<unknown>
  /** Only ever called with a request `validate` accepted. */
  handle(context: MethodContext<unknown>): MethodOutcome
}

/** Pairs a validator with the handler of the type it checks. */
const method = <T>(
  validate: Validator<T>,
  handle: (context: MethodContext<T>) => MethodOutcome,
): Method => ({ validate, handle: handle as Method['handle'] })

const performTransaction = method(validatePerformTransactionRequest, ({ model, now, request }) => ({
  run: model.startTransaction(request.params.tid, transactionBody(request), now),
}))

/** Pay-at-counter methods the fake answers, by method name. */
export const PAC_METHODS: Readonly<Record<string, Method>> = {
  connectedTerminals: method(validateConnectedTerminalsRequest, ({ model, now }) => ({
    reply: { terminals: model.listTerminals(now) },
  })),
  terminalDetails: method(validateTerminalDetailsRequest, ({ model, now, request }) => ({
    reply: { terminals: [model.getTerminal(request.params.tid, now)] },
  })),
  sale: performTransaction,
  refund: performTransaction,
  preAuth: performTransaction,
  completion: performTransaction,
  accountVerification: performTransaction,
  /**
   * Cancels whatever transaction the terminal runs, whoever started it: WebSocket transactions
   * have no request id, so the terminal is the only handle.
   */
  cancelTransaction: method(validateCancelTransactionRequest, ({ model, now, request }) => {
    const { tid } = request.params
    model.getTerminal(tid, now) // unknown or unavailable terminals are refused first
    const active = model.terminal(tid, now).active
    if (!(active instanceof TransactionRun)) {
      refuse('conflict-state', `No transaction is running on terminal ${tid}.`)
    }
    model.cancelTransaction(tid, (active as TransactionRun).requestId, now)
    return { reply: 'cancelling' }
  }),
  duplicate: method(validateDuplicateRequest, ({ model, now, request }) => ({
    run: model.startTransaction(request.params.tid, { transactionType: 'DUPLICATE' }, now),
  })),
  report: method(validateReportRequest, ({ model, now, request }) => ({
    run: model.startReport(request.params.tid, { reportType: request.params.reportType }, now),
  })),
}

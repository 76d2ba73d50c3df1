import { validateCancelTransactionRequest } from '../../generated/websocket/pac/cancel-transaction-request.validate.js'
import { validateConnectedTerminalsRequest } from '../../generated/websocket/pac/connected-terminals-request.validate.js'
import { validateDuplicateRequest } from '../../generated/websocket/pac/duplicate-request.validate.js'
import { validatePerformTransactionRequest } from '../../generated/websocket/pac/perform-transaction-request.validate.js'
import { validateReportRequest } from '../../generated/websocket/pac/report-request.validate.js'
import { validateSignatureVerificationResponse } from '../../generated/websocket/pac/signature-verification-response.validate.js'
import { validateTerminalDetailsRequest } from '../../generated/websocket/pac/terminal-details-request.validate.js'
import type { CloudEvent } from '../domain/env.js'
import { refuse } from '../domain/errors.js'
import type { ReportRun } from '../domain/report.js'
import { TransactionRun } from '../domain/transaction.js'
import { method, type Integration, type Method, type SessionContext } from './integration.js'
import type { MessageId } from './jsonrpc.js'
import { paymentOf, reportOf, signatureParams, transactionBody } from './payloads.js'

/** Notifications that leave an open signature question open: a cancel being tried, or refused. */
const STILL_ASKING: ReadonlySet<string> = new Set(['ATTEMPTING_CANCEL', 'UNABLE_TO_CANCEL'])

const performTransaction = method(validatePerformTransactionRequest, ({ model, now, request }) => ({
  run: model.startTransaction(request.params.tid, transactionBody(request), now, { socket: true }),
}))

/** Pay-at-counter methods the fake answers, by method name. */
export const PAC_METHODS: Readonly<Record<string, Method>> = {
  connectedTerminals: method(validateConnectedTerminalsRequest, ({ model, now }) => ({
    reply: { terminals: model.listTerminals(now) },
  })),
  terminalDetails: method(validateTerminalDetailsRequest, ({ model, now, request }) => ({
    reply: { terminals: request.params.tids.map((tid) => model.getTerminal(tid, now)) },
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
    run: model.startTransaction(request.params.tid, { transactionType: 'DUPLICATE' }, now, {
      socket: true,
    }),
  })),
  report: method(validateReportRequest, ({ model, now, request }) => ({
    run: model.startReport(request.params.tid, { reportType: request.params.reportType }, now),
  })),
}

/** A request whose response waits for a terminal run to finish. */
interface Pending {
  rpcId: MessageId
  run: TransactionRun | ReportRun
  /** Id of the open signature question about this run, if any, and when Connect stops waiting. */
  question?: MessageId
  deadline?: number
}

/**
 * Pay at counter: the EPoS drives. Each run started by a request pushes its progress as terminal
 * notifications and ends with the response to that request; a signature step becomes a question
 * Connect accepts by itself after `windowMs` (invalid answers and error replies leave it open).
 */
export function pacIntegration(context: SessionContext, windowMs: number): Integration {
  const { model, send, guard } = context
  const pending = new Map<string, Pending>()

  const respond = (entry: Pending, result: unknown) => {
    pending.delete(entry.run.requestId)
    send({ jsonrpc: '2.0', id: entry.rpcId, result })
  }

  const decide = (run: TransactionRun, accepted: boolean, now: number) =>
    guard(null, () => model.answerSignature(run.terminal.tid, run.requestId, { accepted }, now))

  const ask = (entry: Pending, run: TransactionRun, at: number) => {
    entry.deadline = at + windowMs
    entry.question = context.ask(
      'signatureVerificationRequest',
      signatureParams(run, model.ledger, at, windowMs / 1000),
      {
        deadline: at + windowMs,
        validate: validateSignatureVerificationResponse,
        label: 'signature decision',
        answered: (message, now) => {
          entry.question = undefined
          decide(run, (message as { result: { accepted: boolean } }).result.accepted, now)
        },
        expired: (now) => {
          entry.question = undefined
          decide(run, true, now)
        },
      },
    )
  }

  return {
    methods: PAC_METHODS,
    started(rpcId, run) {
      pending.set(run.requestId, { rpcId, run })
    },
    onEvent(event: CloudEvent) {
      const entry = pending.get(event.requestId)
      if (!entry) return
      if (entry.run instanceof TransactionRun) {
        const run = entry.run
        send({
          jsonrpc: '2.0',
          method: 'terminalNotification',
          params: { notificationValue: event.value, tid: event.tid },
        })
        // Any later event means the terminal has moved past an open signature question, but a
        // cancel attempt that did not cancel: the terminal still waits for the decision.
        if (!STILL_ASKING.has(event.value)) {
          if (entry.question !== undefined) context.forget(entry.question)
          entry.question = undefined
        }
        if (event.value === 'SIGNATURE_VERIFICATION') ask(entry, run, event.at)
        if (event.value === 'TRANSACTION_FINISHED') respond(entry, paymentOf(run))
      } else if (event.value === 'REPORT_FINISHED') {
        respond(entry, reportOf(entry.run))
      }
    },
    dueTimes: () => [...pending.values()].map((entry) => entry.run.nextEventAt()),
    advance(now) {
      for (const entry of pending.values()) model.terminal(entry.run.terminal.tid, now)
    },
    close() {
      // A question open when the socket goes is unanswered: at its deadline Connect accepts it,
      // whatever became of the connection (the terminal carries on lazily, like any run).
      for (const entry of pending.values())
        if (entry.question !== undefined && entry.run instanceof TransactionRun)
          entry.run.acceptSignatureAt(entry.deadline!)
      pending.clear()
    },
  }
}

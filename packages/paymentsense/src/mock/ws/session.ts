import type { Clock } from '@tillkit/core'
import { validateSignatureVerificationResponse } from '../../generated/websocket/pac/signature-verification-response.validate.js'
import type { CloudEvent } from '../domain/env.js'
import { Refusal } from '../domain/errors.js'
import type { ConnectModel } from '../domain/model.js'
import type { ReportRun } from '../domain/report.js'
import { TransactionRun } from '../domain/transaction.js'
import {
  describeErrors,
  errorMessage,
  readInbound,
  REFUSAL_CODE,
  RpcCode,
  type MessageId,
} from './jsonrpc.js'
import { PAC_METHODS } from './pac.js'
import { paymentOf, reportOf, signatureParams } from './payloads.js'

export interface ConnectSessionOptions {
  /** Which WebSocket API the connection speaks; only pay at counter so far. */
  integration: 'pac'
  clock: Clock
  /** Delivers one text frame to the EPoS. Never called after `close()`. */
  send: (text: string) => void
  /**
   * How long Connect waits for a signature decision before accepting on the EPoS's behalf. Must
   * be shorter than the terminal's own window (the model's `signatureTimeoutMs`), which it
   * pre-empts. Default: the terminal's window less one second.
   */
  signatureTimeoutMs?: number
}

/** One EPoS connection, independent of the transport carrying its frames. */
export interface ConnectSession {
  /** Handles one text frame from the EPoS. Ignored after `close()`. */
  receive(text: string): void
  /** Stops pushing, cancels the pending wake-up and forgets open requests. Terminals carry on. */
  close(): void
}

/** A request whose response waits for a terminal run to finish. */
interface Pending {
  rpcId: MessageId
  run: TransactionRun | ReportRun
}

/** A signature question Connect put to the EPoS, by the id Connect gave it. */
interface Question {
  pending: Pending & { run: TransactionRun }
  /** When Connect stops waiting and accepts by itself. */
  deadline: number
}

/** Largest message id; Connect's own request ids wrap back to 1 after it. */
const MAX_ID = 999_999

/**
 * A JSON-RPC session of the fake Connect cloud over the shared {@link ConnectModel}: the same
 * terminals, transactions and ledger as the REST front-end.
 *
 * Nothing polls. Model events arrive through `subscribe` and are queued while the session itself
 * is inside the model (so a run is registered before its first event is handled), then turned into
 * notifications and responses. To let due steps happen, the session sleeps on the injected clock
 * until the earliest step of its own runs (or a signature deadline), then brings their terminals up
 * to that time. Only one wake-up is ever armed, and `close()` cancels it.
 */
export function createConnectSession(
  model: ConnectModel,
  options: ConnectSessionOptions,
): ConnectSession {
  const { clock } = options
  const terminalWindow = model.env.signatureTimeoutMs
  const windowMs = options.signatureTimeoutMs ?? terminalWindow - 1_000
  if (!(windowMs > 0 && windowMs < terminalWindow)) {
    throw new RangeError(
      `signatureTimeoutMs must be above 0 and below the terminal's window (${terminalWindow} ms).`,
    )
  }

  const pending = new Map<string, Pending>()
  const questions = new Map<MessageId, Question>()
  const inbox: CloudEvent[] = []
  let depth = 0
  let closed = false
  let lastId = 0
  let cancelWake: (() => void) | undefined

  const send = (message: unknown) => {
    if (!closed) options.send(JSON.stringify(message))
  }
  const sendError = (id: MessageId | null, code: number, message: string) =>
    send(errorMessage(id, code, message))

  /** Turns a failure inside the model into the error message the EPoS gets. */
  const guard = (id: MessageId | null, action: () => void) => {
    try {
      action()
    } catch (error) {
      if (error instanceof Refusal) sendError(id, REFUSAL_CODE[error.kind], error.message)
      else sendError(id, RpcCode.InternalError, `Internal error: ${(error as Error).message}`)
    }
  }

  /** Runs `action` with model events held back, then handles them and re-arms the wake-up. */
  const batch = (action: () => void) => {
    depth++
    try {
      action()
    } finally {
      depth--
    }
    drain()
    arm()
  }

  const unsubscribe = model.subscribe((event) => {
    inbox.push(event)
    if (depth === 0) {
      drain()
      arm()
    }
  })

  const drain = () => {
    for (let event = inbox.shift(); event; event = inbox.shift()) handleEvent(event)
  }

  const handleEvent = (event: CloudEvent) => {
    const entry = pending.get(event.requestId)
    if (!entry) return
    if (entry.run instanceof TransactionRun) {
      const run = entry.run
      send({
        jsonrpc: '2.0',
        method: 'terminalNotification',
        params: { notificationValue: event.value, tid: event.tid },
      })
      // Any later event means the terminal has moved past an open signature question.
      for (const [id, question] of questions) if (question.pending.run === run) questions.delete(id)
      if (event.value === 'SIGNATURE_VERIFICATION') ask({ ...entry, run }, event.at)
      if (event.value === 'TRANSACTION_FINISHED') respond(entry, paymentOf(run))
    } else if (event.value === 'REPORT_FINISHED') {
      respond(entry, reportOf(entry.run))
    }
  }

  const respond = (entry: Pending, result: unknown) => {
    pending.delete(entry.run.requestId)
    send({ jsonrpc: '2.0', id: entry.rpcId, result })
  }

  const ask = (entry: Pending & { run: TransactionRun }, at: number) => {
    lastId = (lastId % MAX_ID) + 1
    questions.set(lastId, { pending: entry, deadline: at + windowMs })
    send({
      jsonrpc: '2.0',
      id: lastId,
      method: 'signatureVerificationRequest',
      params: signatureParams(entry.run, model.ledger, at, windowMs / 1000),
    })
  }

  const decide = (question: Question, accepted: boolean, now: number) => {
    const { run } = question.pending
    model.answerSignature(run.terminal.tid, run.requestId, { accepted }, now)
  }

  /** Keeps exactly one wake-up armed, at the earliest thing this session waits for. */
  const arm = () => {
    cancelWake?.()
    cancelWake = undefined
    if (closed) return
    const times = [
      ...[...pending.values()].map((entry) => entry.run.nextEventAt()),
      ...[...questions.values()].map((question) => question.deadline),
    ].filter((at): at is number => at !== undefined)
    if (!times.length) return
    cancelWake = clock.schedule(Math.min(...times) - clock.now(), wake)
  }

  const wake = () => {
    cancelWake = undefined
    batch(() => {
      const now = clock.now()
      for (const [id, question] of questions) {
        if (question.deadline > now) continue
        questions.delete(id)
        guard(null, () => decide(question, true, now))
      }
      for (const entry of pending.values()) model.terminal(entry.run.terminal.tid, now)
    })
  }

  const handleRequest = (id: MessageId, name: string, message: unknown) => {
    const method = Object.hasOwn(PAC_METHODS, name) ? PAC_METHODS[name] : undefined
    if (!method) return sendError(id, RpcCode.MethodNotFound, `Method not found: ${name}.`)
    if (!method.validate(message)) {
      const reason = describeErrors(method.validate.errors)
      return sendError(id, RpcCode.InvalidParams, `Invalid params for ${name}: ${reason}.`)
    }
    guard(id, () => {
      const outcome = method.handle({ model, now: clock.now(), request: message })
      if ('run' in outcome) pending.set(outcome.run.requestId, { rpcId: id, run: outcome.run })
      else send({ jsonrpc: '2.0', id, result: outcome.reply })
    })
  }

  /** The EPoS answering one of Connect's questions (only signature checks on pay at counter). */
  const handleAnswer = (id: MessageId | null, message: unknown) => {
    const question = id === null ? undefined : questions.get(id)
    if (!question) {
      return sendError(null, RpcCode.InvalidRequest, `No request with id ${id} awaits an answer.`)
    }
    if (!validateSignatureVerificationResponse(message)) {
      const reason = describeErrors(validateSignatureVerificationResponse.errors)
      return sendError(null, RpcCode.InvalidParams, `Invalid signature decision: ${reason}.`)
    }
    questions.delete(id!)
    guard(null, () => decide(question, message.result.accepted, clock.now()))
  }

  return {
    receive(text) {
      if (closed) return
      batch(() => {
        const inbound = readInbound(text)
        switch (inbound.kind) {
          case 'invalid':
            return sendError(inbound.id, inbound.code, inbound.reason)
          case 'request':
            return handleRequest(inbound.id, inbound.method, inbound.message)
          case 'response':
            return handleAnswer(inbound.id, inbound.message)
          case 'error-reply':
            // The EPoS could not answer a question: the deadline will accept on its behalf.
            return
        }
      })
    },
    close() {
      if (closed) return
      closed = true
      cancelWake?.()
      cancelWake = undefined
      unsubscribe()
      pending.clear()
      questions.clear()
      inbox.length = 0
    },
  }
}

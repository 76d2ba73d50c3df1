import { describeSchemaErrors, type Clock } from '@tillkit/core'
import type { CloudEvent } from '../domain/env.js'
import { Refusal } from '../domain/errors.js'
import type { ConnectModel } from '../domain/model.js'
import type { Integration, Question, SessionContext } from './integration.js'
import { errorMessage, readInbound, REFUSAL_CODE, RpcCode, type MessageId } from './jsonrpc.js'
import { pacIntegration } from './pac.js'
import { PAT_ANSWER_TIMEOUT_MS, patIntegration } from './pat.js'

export interface ConnectSessionOptions {
  /** Which WebSocket API the connection speaks. */
  integration: 'pac' | 'pat'
  clock: Clock
  /** Delivers one text frame to the EPoS. Never called after `close()`. */
  send: (text: string) => void
  /**
   * Pay at counter: how long Connect waits for a signature decision before accepting on the
   * EPoS's behalf. Must be shorter than the terminal's own window (the model's
   * `signatureTimeoutMs`), which it pre-empts. Default: the terminal's window less one second.
   */
  signatureTimeoutMs?: number
  /**
   * Pay at table: the connection asked for final POS receipt requests (the URL's
   * `final-pos-receipt-request` flag). Ignored on pay at counter.
   */
  finalPosReceiptRequest?: boolean
  /**
   * Pay at table: how long Connect waits for the EPoS to answer each of its questions (table list,
   * lock, receipts). Default {@link PAT_ANSWER_TIMEOUT_MS}.
   */
  answerTimeoutMs?: number
}

/** One EPoS connection, independent of the transport carrying its frames. */
export interface ConnectSession {
  /** Handles one text frame from the EPoS. Ignored after `close()`. */
  receive(text: string): void
  /** Stops pushing, cancels the pending wake-up and forgets open requests. Terminals carry on. */
  close(): void
}

/** Largest message id; Connect's own request ids wrap back to 1 after it. */
const MAX_ID = 999_999

/**
 * A JSON-RPC session of the fake Connect cloud over the shared {@link ConnectModel}: the same
 * terminals, transactions and ledger as the REST front-end. This part is what both integrations
 * share (the envelope, Connect's own questions and their deadlines, the clock); pac.ts and pat.ts
 * say what each integration does.
 *
 * Nothing polls. Model events arrive through `subscribe` and are queued while the session itself
 * is inside the model (so a run is registered before its first event is handled), then handed to
 * the integration. To let due steps happen, the session sleeps on the injected clock until the
 * earliest step of its own runs (or a question's deadline), then brings their terminals up to that
 * time. Only one wake-up is ever armed, and `close()` cancels it.
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
  const answerTimeoutMs = options.answerTimeoutMs ?? PAT_ANSWER_TIMEOUT_MS
  if (!(answerTimeoutMs > 0)) throw new RangeError('answerTimeoutMs must be above 0.')

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

  const drain = () => {
    for (let event = inbox.shift(); event; event = inbox.shift()) integration.onEvent(event)
  }

  const context: SessionContext = {
    model,
    clock,
    send,
    sendError,
    guard,
    batch,
    ask(method, params, question) {
      lastId = (lastId % MAX_ID) + 1
      // Registered before sending, so that an answer delivered synchronously finds it.
      questions.set(lastId, question)
      send({ jsonrpc: '2.0', id: lastId, method, params })
      return lastId
    },
    forget: (id) => void questions.delete(id),
  }

  const integration: Integration =
    options.integration === 'pat'
      ? patIntegration(context, {
          answerTimeoutMs,
          finalPosReceiptRequest: options.finalPosReceiptRequest === true,
        })
      : pacIntegration(context, windowMs)

  const unsubscribe = model.subscribe((event) => {
    inbox.push(event)
    if (depth === 0) {
      drain()
      arm()
    }
  })

  /** Keeps exactly one wake-up armed, at the earliest thing this session waits for. */
  const arm = () => {
    cancelWake?.()
    cancelWake = undefined
    if (closed) return
    const times = [
      ...integration.dueTimes(),
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
        question.expired(now)
      }
      integration.advance(now)
    })
  }

  const handleRequest = (id: MessageId, name: string, message: unknown) => {
    const { methods } = integration
    const method = Object.hasOwn(methods, name) ? methods[name] : undefined
    if (!method) return sendError(id, RpcCode.MethodNotFound, `Method not found: ${name}.`)
    if (!method.validate(message)) {
      const reason = describeSchemaErrors(method.validate.errors)
      return sendError(id, RpcCode.InvalidParams, `Invalid params for ${name}: ${reason}.`)
    }
    guard(id, () => {
      const outcome = method.handle({ model, now: clock.now(), request: message })
      if ('run' in outcome) integration.started?.(id, outcome.run)
      else send({ jsonrpc: '2.0', id, result: outcome.reply })
    })
  }

  /** The EPoS answering one of Connect's questions. */
  const handleAnswer = (id: MessageId | null, message: unknown) => {
    const question = id === null ? undefined : questions.get(id)
    if (id === null || !question) {
      return sendError(null, RpcCode.InvalidRequest, `No request with id ${id} awaits an answer.`)
    }
    const now = clock.now()
    if (!question.validate(message)) {
      const reason = describeSchemaErrors(question.validate.errors)
      sendError(null, RpcCode.InvalidParams, `Invalid ${question.label}: ${reason}.`)
      if (!question.invalid) return
      questions.delete(id)
      return question.invalid(reason, now)
    }
    questions.delete(id)
    question.answered(message, now)
  }

  /** The EPoS refusing one of Connect's questions; unknown ids are ignored (nothing to answer). */
  const handleRefusal = (id: MessageId | null, error: unknown) => {
    const question = id === null ? undefined : questions.get(id)
    if (id === null || !question?.refused) return
    questions.delete(id)
    question.refused(error, clock.now())
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
            return handleRefusal(inbound.id, inbound.error)
        }
      })
    },
    close() {
      if (closed) return
      closed = true
      cancelWake?.()
      cancelWake = undefined
      unsubscribe()
      questions.clear()
      inbox.length = 0
      integration.close()
    },
  }
}

import type { Clock } from '@tillkit/core'
import type { ValidationError } from '../../generated/websocket/error-message.validate.js'
import type { CloudEvent } from '../domain/env.js'
import type { ConnectModel } from '../domain/model.js'
import type { ReportRun } from '../domain/report.js'
import type { TransactionRun } from '../domain/transaction.js'
import type { MessageId } from './jsonrpc.js'

/**
 * The seam between the shared JSON-RPC session (envelope, Connect's own questions, the clock) and
 * what each WebSocket integration does on top of it (pay at counter, pay at table).
 */

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
export const method = <T>(
  validate: Validator<T>,
  handle: (context: MethodContext<T>) => MethodOutcome,
): Method => ({ validate, handle: handle as Method['handle'] })

/**
 * A request Connect put to the EPoS. The session routes the answer here by id, after checking it
 * with `validate`; the owner decides what each kind of non-answer means.
 */
export interface Question {
  /** When Connect stops waiting (clock time). */
  deadline: number
  validate: Validator<unknown>
  /** Names the expected answer in the error sent back for an invalid one. */
  label: string
  /** A valid answer arrived in time. */
  answered(message: unknown, now: number): void
  /** The deadline passed without a valid answer. */
  expired(now: number): void
  /** An answer failed `validate`. Left out: Connect keeps waiting for a valid one. */
  invalid?(reason: string, now: number): void
  /** The EPoS sent an error instead of a result. Left out: treated as silence. */
  refused?(error: unknown, now: number): void
}

/** What the session offers an integration. */
export interface SessionContext {
  readonly model: ConnectModel
  readonly clock: Clock
  /** Serialises and delivers one message; a no-op once the session is closed. */
  send(message: unknown): void
  sendError(id: MessageId | null, code: number, message: string): void
  /** Runs `action`; a model refusal or failure becomes an error message carrying `id`. */
  guard(id: MessageId | null, action: () => void): void
  /** Sends a request under a fresh id of Connect's and waits for its answer. */
  ask(method: string, params: unknown, question: Question): MessageId
  /** Stops waiting for an answer (no callback is called). */
  forget(id: MessageId): void
  /**
   * Runs `action` as if a frame had arrived: model events are held back until it returns, then
   * handled, and the wake-up is re-armed. For work that starts outside `receive`.
   */
  batch(action: () => void): void
}

/** One integration's behaviour inside a session. */
export interface Integration {
  /** EPoS-to-Connect methods it answers; any other method is not found. */
  readonly methods: Readonly<Record<string, Method>>
  /** A method handler started `run`; the response to request `rpcId` waits for its end. */
  started?(rpcId: MessageId, run: TransactionRun | ReportRun): void
  /** A model event (every run's, not only this session's). */
  onEvent(event: CloudEvent): void
  /** When the runs this integration follows next have something due. */
  dueTimes(): (number | undefined)[]
  /** Brings the terminals this integration follows up to `now`. */
  advance(now: number): void
  /** The session closed: drop everything, send nothing. */
  close(): void
}

import { Refusal as FakeRefusal } from '@tillkit/core/fake'
/**
 * Why the fake refused an operation, independent of the protocol that asked. Each front-end maps
 * the kind to its own shape (the REST front-end to a status code, a WebSocket front-end to an
 * error message).
 */
export type RefusalKind =
  /** No such terminal, transaction, report or table (or its data has expired). */
  | 'not-found'
  /** The terminal exists but is not connected. */
  | 'unavailable'
  /** The request is malformed or breaks a field rule. */
  | 'invalid'
  /** The terminal is already running a transaction or a report. */
  | 'busy'
  /** The operation does not fit the current state (e.g. cancel after the end). */
  | 'conflict-state'
  /** The resource already exists. */
  | 'exists'
  /** The table is locked by a terminal. */
  | 'locked'

/** `message` is the sentence sent back as `userMessage`. */
export class Refusal extends FakeRefusal<RefusalKind> {}

export const refuse = (kind: RefusalKind, message: string): never => {
  throw new Refusal(kind, message)
}

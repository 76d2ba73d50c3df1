import { Refusal as FakeRefusal } from '@tillkit/core/fake'
import type { FieldError, Link } from '../types.js'

/**
 * Why the fake refused an operation, independent of HTTP. The front-end maps each kind to a status and a problem
 * document.
 */
export type RefusalKind =
  /** The request breaks a field rule (400, with `errors`). */
  | 'invalid'
  /** No token, an unknown one or an expired one (401). */
  | 'unauthorized'
  /** The token's scope does not allow it (403). */
  | 'forbidden'
  /** No such device, instruction or resource (404). */
  | 'not-found'
  /** It does not fit the current state: a cancel too late, a reused key, a busy device (409). */
  | 'conflict'

export interface RefusalDetails {
  errors?: FieldError[]
  /** 409: the resource whose state refused the request. */
  link?: Link
  /** 404: what was looked for. */
  resource?: string
}

/** `message` is a sentence for a developer, sent as `detail`. */
export class Refusal extends FakeRefusal<RefusalKind, RefusalDetails> {}

export const refuse = (kind: RefusalKind, message: string, details?: RefusalDetails): never => {
  throw new Refusal(kind, message, details)
}

/** A 400 naming one field. */
export const invalid = (parameter: string, message: string): never =>
  refuse('invalid', `${parameter}: ${message}`, {
    errors: [{ parameter, detail: message, message }],
  })

import type { RouteSpec } from '@tillkit/core/fake'

/** The fake's operations; core's router matches them by method and pattern (`/payments/:paymentId`). */

interface BaseRoute extends RouteSpec {
  method: 'GET' | 'POST' | 'DELETE'
}

/**
 * Reads a JSON body and needs an `Idempotency-Key`. Answers synchronously, so that nothing can run between the
 * idempotency lookup and storing the answer.
 */
interface IdempotentRoute<C> extends BaseRoute {
  idempotent: true
  handle(context: C, params: Record<string, string>): Answer
}

/** Everything else; may take its time (a held read). */
interface PlainRoute<C> extends BaseRoute {
  idempotent?: false
  handle(context: C, params: Record<string, string>): Promise<Answer> | Answer
}

export type Route<C> = IdempotentRoute<C> | PlainRoute<C>

/** What an operation answers: a status and a JSON body (none for 204). */
export interface Answer {
  status: number
  body?: unknown
}

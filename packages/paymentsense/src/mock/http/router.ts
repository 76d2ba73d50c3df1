import type { RouteSpec } from '@tillkit/core/fake'

/** A Connect REST operation of the fake: core's router matches it by method and pattern. */
export interface Route<C> extends RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Whether the operation reads a JSON body. */
  body?: boolean
  handle(context: C, params: Record<string, string>): Response
}

/** A minimal path router: patterns like `/payments/:paymentId`, one route per method and pattern. */

interface BaseRoute {
  method: 'GET' | 'POST' | 'DELETE'
  pattern: string
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

export type RouteMatch<C> =
  { route: Route<C>; params: Record<string, string> } | { allowed: string[] } | undefined

function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/')
  const got = pathname.replace(/\/+$/, '').split('/')
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (const [i, part] of want.entries()) {
    const actual = got[i]!
    if (part.startsWith(':')) {
      if (!actual) return undefined
      try {
        params[part.slice(1)] = decodeURIComponent(actual)
      } catch {
        return undefined
      }
    } else if (part !== actual) return undefined
  }
  return params
}

/** The route for a request; `{ allowed }` when the path exists but not for this method. */
export function route<C>(
  routes: readonly Route<C>[],
  method: string,
  pathname: string,
): RouteMatch<C> {
  const allowed: string[] = []
  for (const candidate of routes) {
    const params = matchPath(candidate.pattern, pathname)
    if (!params) continue
    if (candidate.method === method.toUpperCase()) return { route: candidate, params }
    allowed.push(candidate.method)
  }
  return allowed.length ? { allowed } : undefined
}

/**
 * A minimal path router for fake clouds: patterns like `/terminals/:tid/transactions`, one route
 * per method and pattern. Each fake extends {@link RouteSpec} with what its routes carry (a handler,
 * whether a body is read...).
 */
export interface RouteSpec {
  /** Upper case, e.g. `GET`. */
  method: string
  pattern: string
}

export type RouteMatch<R extends RouteSpec> =
  { route: R; params: Record<string, string> } | { allowed: string[] } | undefined

/** Patterns split into segments, once each: fakes route every request through the same few. */
const SEGMENTS = new Map<string, string[]>()

function matchPath(pattern: string, got: string[]): Record<string, string> | undefined {
  let want = SEGMENTS.get(pattern)
  if (!want) SEGMENTS.set(pattern, (want = pattern.split('/')))
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!
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

/**
 * The route for a request with its decoded path parameters; `{ allowed }` (the methods the path
 * takes) when the path exists but not for this method; undefined when no pattern matches.
 */
export function route<R extends RouteSpec>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteMatch<R> {
  const got = pathname.replace(/\/+$/, '').split('/')
  const upper = method.toUpperCase()
  const allowed: string[] = []
  for (const candidate of routes) {
    const params = matchPath(candidate.pattern, got)
    if (!params) continue
    if (candidate.method === upper) return { route: candidate, params }
    allowed.push(candidate.method)
  }
  return allowed.length ? { allowed } : undefined
}

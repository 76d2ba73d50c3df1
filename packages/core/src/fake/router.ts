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

/**
 * The route for a request with its decoded path parameters; `{ allowed }` (the methods the path
 * takes) when the path exists but not for this method; undefined when no pattern matches.
 */
export function route<R extends RouteSpec>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteMatch<R> {
  const allowed: string[] = []
  for (const candidate of routes) {
    const params = matchPath(candidate.pattern, pathname)
    if (!params) continue
    if (candidate.method === method.toUpperCase()) return { route: candidate, params }
    allowed.push(candidate.method)
  }
  return allowed.length ? { allowed } : undefined
}

import type { RequestHandler } from 'msw'
import { basePath, underBase, unprefixed } from './base.js'
import { isConnectionReset } from './faults.js'

/**
 * The only core module that touches `msw`, an optional peer dependency of every fake cloud. It is
 * loaded with a top-level dynamic import that tolerates its absence, so a fake's entry point loads
 * (and `cloud.fetch` works) without msw installed; only `cloud.handlers()` then throws. A static
 * import would make the whole entry fail to load for those users, and `handlers()` must stay
 * synchronous to be spread into `setupServer(...)`, so it cannot import lazily itself.
 */
const loaded = await import('msw').catch(() => undefined)

/** The msw module, or an error saying how to get it. */
export function requireMsw(): typeof import('msw') {
  if (!loaded) {
    throw new Error(
      'cloud.handlers() needs the optional peer dependency "msw" (v2); install it or use cloud.fetch.',
    )
  }
  return loaded
}

/**
 * One MSW handler serving a fake cloud's `fetch` under `baseUrl` (wildcards allowed, e.g.
 * `https://*.example.com`; see {@link underBase}). A base with a path prefix
 * (`http://proxy.test/connect`, a POS that reaches the cloud through its own proxy) has it taken
 * off before the fake routes the request (see {@link unprefixed}); `roots`, the first segments of
 * the fake's own paths (`v1`), end the prefix (see {@link basePath}). A lost response (or a client
 * abort while one hung) reaches the client as a network error.
 */
export function httpHandler(
  fetch: (request: Request) => Promise<Response>,
  baseUrl: string,
  roots: readonly string[] = [],
): RequestHandler {
  const { http, HttpResponse } = requireMsw()
  const prefix = basePath(baseUrl, roots)
  return http.all(underBase(baseUrl), async ({ request }) => {
    try {
      return await fetch(prefix ? unprefixed(request, prefix) : request)
    } catch (error) {
      if (isConnectionReset(error) || request.signal.aborted) return HttpResponse.error()
      throw error
    }
  })
}

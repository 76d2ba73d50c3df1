import type { RequestHandler } from 'msw'
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
 * The URLs under `baseUrl`, whose `*` stands for any run of characters but `/`: so
 * `https://*.example.com` takes every host of that domain, and never another host's URL whose path
 * happens to name one (`https://proxy.test/to/api.example.com/...`), which MSW's own `*` (any
 * characters) would.
 */
export function underBase(baseUrl: string): RegExp {
  const base = baseUrl
    .replace(/\/+$/, '')
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/]*')
  return new RegExp(`^${base}(?:/.*)?$`)
}

/**
 * One MSW handler serving a fake cloud's `fetch` under `baseUrl` (wildcards allowed, e.g.
 * `https://*.example.com`; see {@link underBase}). A lost response (or a client abort while one
 * hung) reaches the client as a network error.
 */
export function httpHandler(
  fetch: (request: Request) => Promise<Response>,
  baseUrl: string,
): RequestHandler {
  const { http, HttpResponse } = requireMsw()
  return http.all(underBase(baseUrl), async ({ request }) => {
    try {
      return await fetch(request)
    } catch (error) {
      if (isConnectionReset(error) || request.signal.aborted) return HttpResponse.error()
      throw error
    }
  })
}

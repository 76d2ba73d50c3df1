import type { RequestHandler } from 'msw'
import { isConnectionReset } from './faults.js'

/**
 * The only module that touches `msw`, an optional peer dependency. It is loaded with a top-level
 * dynamic import that tolerates its absence, so `@tillkit/paymentsense/mock` loads (and
 * `cloud.fetch` works) without msw installed; only `cloud.handlers()` then throws. A static import
 * would make the whole entry point fail to load for those users, and `handlers()` must stay
 * synchronous to be spread into `setupServer(...)`, so it cannot import lazily itself.
 */
const msw = await import('msw').catch(() => undefined)

/** Matches every account's host, live and test (`<account>[.test].connect.paymentsense.cloud`). */
export const DEFAULT_BASE_URL = 'https://*.connect.paymentsense.cloud'

export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrl: string = DEFAULT_BASE_URL,
): RequestHandler[] {
  if (!msw) {
    throw new Error(
      'cloud.handlers() needs the optional peer dependency "msw" (v2); install it or use cloud.fetch.',
    )
  }
  const { http, HttpResponse } = msw
  const base = baseUrl.replace(/\/+$/, '')
  return [
    http.all(`${base}/*`, async ({ request }) => {
      try {
        return await fetch(request)
      } catch (error) {
        // A lost response (or a client abort while it hung) reaches the client as a network error.
        if (isConnectionReset(error) || request.signal.aborted) return HttpResponse.error()
        throw error
      }
    }),
  ]
}

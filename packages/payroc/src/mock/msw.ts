import type { RequestHandler } from 'msw'
import { httpHandler } from '@tillkit/core/fake'

/** Matches Payroc's API and identity hosts, test and live (`api[.uat]`, `identity[.uat]`). */
export const DEFAULT_BASE_URL = 'https://*.payroc.com'

/**
 * The first segments of the fake's own paths: a base path ends its prefix there, so the API base
 * a client names (`http://localhost:4010/v1`) is served as it always was, and
 * `http://proxy.test/payroc` or `http://proxy.test/payroc/v1` as a proxy's prefix `/payroc`.
 */
const ROOTS = ['v1', 'authorize']

/** MSW handlers (msw is an optional peer dependency, loaded by core): one per base URL. */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrls: readonly string[],
): RequestHandler[] {
  return (baseUrls.length ? baseUrls : [DEFAULT_BASE_URL]).map((base) =>
    httpHandler(fetch, base, ROOTS),
  )
}

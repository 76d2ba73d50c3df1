import type { RequestHandler } from 'msw'
import { httpHandler } from '@tillkit/core/fake'

/** Matches Payroc's API and identity hosts, test and live (`api[.uat]`, `identity[.uat]`). */
export const DEFAULT_BASE_URL = 'https://*.payroc.com'

/** MSW handlers (msw is an optional peer dependency, loaded by core): one per base URL. */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrls: readonly string[],
): RequestHandler[] {
  return (baseUrls.length ? baseUrls : [DEFAULT_BASE_URL]).map((base) => httpHandler(fetch, base))
}

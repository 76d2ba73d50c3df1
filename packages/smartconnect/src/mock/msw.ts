import type { RequestHandler } from 'msw'
import { httpHandler } from '@tillkit/core/fake'

/** Matches both environments' hosts (`api.smart-connect.cloud`, `api-dev.smart-connect.cloud`). */
export const DEFAULT_BASE_URL = 'https://*.smart-connect.cloud'

/**
 * The first segments of the fake's own paths (`/POS/...`, polling URLs `/pos/transaction/...`): a
 * base path ends its prefix there, so `https://…/POS` is served as it always was, and
 * `http://proxy.test/sc` as a proxy's prefix `/sc`.
 */
const ROOTS = ['POS', 'pos']

/** MSW handlers (msw is an optional peer dependency, loaded by core). */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrl: string = DEFAULT_BASE_URL,
): RequestHandler[] {
  return [httpHandler(fetch, baseUrl, ROOTS)]
}

import type { RequestHandler } from 'msw'
import { httpHandler } from '@tillkit/core/fake'

/** Every Adyen cloud host the fake answers by default: Cloud device API and legacy, test and live. */
export const DEFAULT_BASE_URLS = [
  'https://device-api-*.adyen.com',
  'https://terminal-api-*.adyen.com',
]

/**
 * The first segments of the fake's own paths: a base path ends its prefix there, so the base a
 * client names (`https://…/v1`) is served as it always was, and `http://proxy.test/adyen` or
 * `http://proxy.test/adyen/v1` as a proxy's prefix `/adyen`.
 */
const ROOTS = ['v1', 'sync', 'async', 'connectedTerminals']

/** MSW handlers serving `fetch` (msw is an optional peer dependency, loaded by core). */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrl?: string,
): RequestHandler[] {
  return (baseUrl === undefined ? DEFAULT_BASE_URLS : [baseUrl]).map((base) =>
    httpHandler(fetch, base, ROOTS),
  )
}

import type { RequestHandler } from 'msw'
import { httpHandler } from '@tillkit/core/fake'

/** Every Adyen cloud host the fake answers by default: Cloud device API and legacy, test and live. */
export const DEFAULT_BASE_URLS = [
  'https://device-api-*.adyen.com',
  'https://terminal-api-*.adyen.com',
]

/** MSW handlers serving `fetch` (msw is an optional peer dependency, loaded by core). */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrl?: string,
): RequestHandler[] {
  return (baseUrl === undefined ? DEFAULT_BASE_URLS : [baseUrl]).map((base) =>
    httpHandler(fetch, base),
  )
}

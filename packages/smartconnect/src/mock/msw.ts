import type { RequestHandler } from 'msw'
import { httpHandler } from '@tillkit/core/fake'

/** Matches both environments' hosts (`api.smart-connect.cloud`, `api-dev.smart-connect.cloud`). */
export const DEFAULT_BASE_URL = 'https://*.smart-connect.cloud'

/** MSW handlers (msw is an optional peer dependency, loaded by core). */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  baseUrl: string = DEFAULT_BASE_URL,
): RequestHandler[] {
  return [httpHandler(fetch, baseUrl)]
}

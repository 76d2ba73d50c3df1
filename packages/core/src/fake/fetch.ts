import { BufferedResponse } from '../buffered-response.js'

/** What every fake cloud's `fetch` takes: a Request, or a URL and init as `fetch` does. */
export type FakeFetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/**
 * A fake cloud's `fetch` over its handler: the input made a Request as `fetch` would make it, and
 * the answer to a HEAD without its body (status and headers kept), as any HTTP server sends it, so
 * `cloud.fetch` and its MSW handlers answer as the fake served on a port does.
 */
export function fakeFetch(serve: (request: Request) => Promise<Response>): FakeFetch {
  return async (input, init) => {
    const request =
      input instanceof Request && init === undefined ? input : new Request(input, init)
    const response = await serve(request)
    if (request.method !== 'HEAD' || response.body === null) return response
    return new BufferedResponse(null, { status: response.status, headers: response.headers })
  }
}

/*
 * The markers are registered symbols (`Symbol.for`), as the errors' mark is: an app may hold two
 * copies of @tillkit/core (two versions installed side by side), and a fetch, response or init one
 * copy marks must read the same to the other. A REDIRECTED mark the other copy did not see would
 * make a POST the provider received look never sent, and be repeated.
 */

/**
 * Marks a fetch that takes `(url, init)` as the platform fetch does (core's `createNodeFetch`): the
 * transport then calls it so, instead of building a Request for it, and takes its REDIRECTED mark
 * as the whole word on which hop failed.
 */
export const TAKES_INIT = Symbol.for('@tillkit/core.takesInit')

/** A fetch the transport may call with the URL and init. */
export type InitFetch = ((url: string, init: RequestInit) => Promise<Response>) & {
  [TAKES_INIT]?: true
}

/** Set on responses whose body is already in memory (`BufferedResponse`): passed on as they are. */
export const IN_MEMORY = Symbol.for('@tillkit/core.inMemory')

/** Sets what the Response constructor cannot: where the answer came from. */
export function located<R extends Response>(response: R, url: string, redirected: boolean): R {
  return Object.defineProperties(response, {
    url: { value: url },
    redirected: { value: redirected },
  })
}

/**
 * Set by `createNodeFetch` on a failure after a redirect: a server answered an earlier hop, so the
 * request reached it, whatever this failure (a refused connection) says.
 */
export const REDIRECTED = Symbol.for('@tillkit/core.redirected')

/**
 * Carried in a request's init by `guardClient`: the transport calls it once the request is
 * answered, so a parse failure after it is told from one before anything was sent.
 */
export const ANSWERED = Symbol.for('@tillkit/core.answered')

/**
 * Marks a fetch that takes `(url, init)` as the platform fetch does (core's `createNodeFetch`): the
 * transport then calls it so, instead of building a Request for it.
 */
export const TAKES_INIT = Symbol('tillkit.takesInit')

/** A fetch the transport may call with the URL and init. */
export type InitFetch = ((url: string, init: RequestInit) => Promise<Response>) & {
  [TAKES_INIT]?: true
}

/**
 * What a transport sends with when given no `fetch`, outside Node: the platform fetch, looked up
 * per call (so a stub installed later is used). On Node, `#default-fetch` is `node-default-fetch`.
 */
export function defaultFetch(): InitFetch {
  return globalThis.fetch
}

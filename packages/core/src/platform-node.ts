/**
 * What the transport takes from the platform, on Node.
 *
 * `defaultFetch()` is what a transport sends with when given no `fetch`: core's `node:http` fetch,
 * one pool for the process (about half the CPU and memory of the platform fetch, and faster per
 * request). The platform fetch is used instead when the process has made it mean something else:
 * - `globalThis.fetch` is not Node's own (a stub, a spy, an interceptor, whenever installed), so
 *   whatever stands there sees tillkit's requests as it would without this default;
 * - undici's global dispatcher is a proxy (or anything but a plain `Agent`), so a till behind a
 *   proxy keeps going through it.
 * A plain `Agent` set with other options (a CA, connect timeouts) cannot be told from undici's own:
 * pass `fetch: globalThis.fetch` to keep it.
 */
import { BufferedResponse } from './buffered-response.js'
import type { InitFetch } from './markers.js'
import { createNodeFetch, type NodeFetch } from './node.js'

/** Where undici (Node's fetch, and the `undici` package's `setGlobalDispatcher`) keeps its dispatcher. */
const DISPATCHER = Symbol.for('undici.globalDispatcher.1')
let shared: NodeFetch | undefined

export function defaultFetch(): InitFetch {
  const dispatcher = (globalThis as { [DISPATCHER]?: object })[DISPATCHER]
  if (!isPlatformFetch(globalThis.fetch) || (dispatcher && dispatcher.constructor.name !== 'Agent'))
    return globalThis.fetch
  // Sockets per origin unbounded, as undici's: an Adyen /sync request is held for a whole payment.
  return (shared ??= createNodeFetch({ maxSockets: Infinity }))
}

let lastSeen: unknown
let lastVerdict = false

/**
 * Whether `fetch` is Node's own: the function Node installs at start-up, which loads its bundled
 * undici on first use (its source names `internal/deps/undici`). Anything wrapping or replacing it
 * is not. Checked once per function.
 */
export function isPlatformFetch(fetch: unknown): boolean {
  if (fetch !== lastSeen) {
    lastSeen = fetch
    lastVerdict =
      typeof fetch == 'function' &&
      Function.prototype.toString.call(fetch).includes('internal/deps/undici')
  }
  return lastVerdict
}

/**
 * An answer whose body the transport has read, as a `BufferedResponse`: its readers take the bytes
 * as they are, without the web stream the platform Response builds for every body.
 */
export function inMemory(bytes: Uint8Array<ArrayBuffer> | null, init: Response): Response {
  return new BufferedResponse(bytes, init)
}

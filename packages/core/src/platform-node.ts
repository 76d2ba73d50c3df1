/**
 * What the transport takes from the platform, on Node.
 *
 * `defaultFetch()`: what a transport sends with when given no `fetch`: core's `node:http` fetch, one pool for
 * the process (about half the CPU and memory of the platform fetch, and faster per request). The
 * platform fetch is used instead when the process has made it mean something else:
 * - `globalThis.fetch` was replaced after tillkit loaded (a test's stub, an interceptor), so stubs
 *   and spies see tillkit's requests as they would without this default;
 * - undici's global dispatcher is a proxy (or anything but a plain `Agent`), so a till behind a
 *   proxy keeps going through it.
 * A plain `Agent` set with other options (a CA, connect timeouts) cannot be told from undici's own:
 * pass `fetch: globalThis.fetch` to keep it.
 */
import { BufferedResponse } from './buffered-response.js'
import type { InitFetch } from './markers.js'
import { createNodeFetch, type NodeFetch } from './node.js'

const loaded = globalThis.fetch
/** Where undici (Node's fetch, and the `undici` package's `setGlobalDispatcher`) keeps its dispatcher. */
const DISPATCHER = Symbol.for('undici.globalDispatcher.1')
let shared: NodeFetch | undefined

export function defaultFetch(): InitFetch {
  const dispatcher = (globalThis as { [DISPATCHER]?: object })[DISPATCHER]
  if (globalThis.fetch !== loaded || (dispatcher && dispatcher.constructor.name !== 'Agent'))
    return globalThis.fetch
  // Sockets per origin unbounded, as undici's: an Adyen /sync request is held for a whole payment.
  return (shared ??= createNodeFetch({ maxSockets: Infinity }))
}

/**
 * An answer whose body the transport has read, as a `BufferedResponse`: its readers take the bytes
 * as they are, without the web stream the platform Response builds for every body.
 */
export function inMemory(bytes: Uint8Array<ArrayBuffer>, init: Response): Response {
  return new BufferedResponse(bytes, init)
}

/**
 * What the transport takes from the platform, outside Node. On Node, `#platform` is
 * `platform-node.ts`: the same functions, faster there, and not bundled anywhere else.
 */
import type { InitFetch } from './markers.js'

/** The fetch a transport given none sends with: the platform's, looked up per call (so a stub installed later is used). */
export function defaultFetch(): InitFetch {
  return globalThis.fetch
}

/** Whether `fetch` is the platform's own (a browser's is native code), not a stub or wrapper. */
export function isPlatformFetch(fetch: unknown): boolean {
  return (
    typeof fetch == 'function' &&
    /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(fetch))
  )
}

/** An answer whose body the transport has read: a Response holding those bytes. */
export function inMemory(bytes: Uint8Array<ArrayBuffer> | null, init: Response): Response {
  return new Response(bytes, init)
}

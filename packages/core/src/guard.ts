import { TillkitProtocolError } from './errors.js'
import { ANSWERED } from './markers.js'
import type { Redactor } from './redact.js'

/** The init of an openapi-fetch call, as far as a guard reads it. */
export type CallInit =
  | {
      params?: {
        path?: Record<string, unknown>
        query?: Record<string, unknown>
        header?: Record<string, unknown>
      }
      body?: unknown
      headers?: HeadersInit
    }
  | undefined

/**
 * Runs before openapi-fetch builds a request: throws to refuse it (nothing is sent), and returns the
 * init to send (the one given, or a copy with what the client adds).
 */
export type BeforeCall = (method: string, path: string, init: CallInit) => CallInit

type Call = (path: string, init?: CallInit) => Promise<unknown>

/** Every method openapi-fetch sends with. */
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']

/**
 * Wraps an openapi-fetch client so that every way it sends (each method and `request`) goes through
 * `before`, and an answer it cannot read becomes a TillkitError. openapi-fetch parses a JSON answer
 * after the transport is done, so a body that is not JSON would otherwise reject with a bare
 * SyntaxError although the provider answered (and may have acted): when a core transport says the
 * request was answered, it becomes a
 * TillkitProtocolError (`malformed`) whose outcome is open. The SyntaxError is not kept as its cause: its message quotes the body.
 * A plain wrapper, not an openapi-fetch middleware: a middleware runs on the serialized request
 * (parsing the body back) and costs every request an extra round of awaits.
 */
export function guardClient<C extends object>(client: C, before: BeforeCall, redact: Redactor): C {
  const methods = client as unknown as Record<string, Call>
  const wrapped: Record<string, unknown> = { ...methods }
  /** Not an async function: a refusal rejects the promise rather than throwing. */
  const guarded = (method: string, send: Call) => (path: string, init?: CallInit) => {
    let ready: CallInit
    try {
      ready = before(method, path, init)
    } catch (error) {
      return Promise.reject(error)
    }
    // Set by the transport when the request is answered: only then is a parse failure the answer's.
    let answered = false
    const marked = { ...ready, [ANSWERED]: () => void (answered = true) }
    return send(path, marked).catch((error: unknown) => {
      throw error instanceof SyntaxError && answered
        ? new TillkitProtocolError('malformed', `${method} ${path}: the answer is not JSON`, {
            mayHaveReachedProvider: true,
            redact,
          })
        : error
    })
  }
  for (const method of METHODS) wrapped[method] = guarded(method, methods[method]!)
  // Any other method goes the same way, through openapi-fetch's own `request`.
  const request = client as unknown as {
    request: (method: string, path: string, init?: CallInit) => Promise<unknown>
  }
  wrapped.request = (method: string, path: string, init?: CallInit) =>
    guarded(method.toUpperCase(), (p, i) => request.request(method, p, i))(path, init)
  return wrapped as C
}

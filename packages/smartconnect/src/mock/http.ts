import type { Clock } from '@tillkit/core'
import { baseOf, jsonResponse } from '@tillkit/core/fake'
import { Refusal, type FormFields, type RefusalKind, type SmartConnectModel } from './model.js'

export interface HttpOptions {
  clock: Clock
  /** Polls of one transaction closer together than this get 429. 0 disables. */
  minPollIntervalMs: number
}

const STATUS_BY_REFUSAL: Record<RefusalKind, number> = {
  invalid: 400,
  'not-paired': 400,
  busy: 400,
  'not-found': 404,
  'bad-token': 401,
  expired: 401,
}

/** `{ error }`: the body of every refusal. */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error: message }, headers)
}

const FORM = 'application/x-www-form-urlencoded'

/**
 * SmartConnect takes calls from a browser front end (CORS): any origin may read every answer, and
 * Retry-After (a 429's) and Allow (a 405's) are exposed to the page, not only the safelisted headers.
 */
const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Retry-After, Allow',
}

/**
 * `handler` with the CORS headers on every answer it gives: the front-end's, and an injected
 * fault's in front of it (a browser reading a 503 sees the 503, not a CORS failure).
 */
export function withCors(
  handler: (request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const response = await handler(request)
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value)
    return response
  }
}

/**
 * A preflight (OPTIONS on a route): 204 with the route's method, the request headers the page asked
 * for (else `Content-Type`, which a form post needs), and an Allow for a plain OPTIONS.
 */
function preflight(request: Request, allowed: string): Response {
  const asked = request.headers.get('access-control-request-headers')
  return jsonResponse(204, undefined, {
    allow: `${allowed}, OPTIONS`,
    'access-control-allow-methods': `${allowed}, OPTIONS`,
    'access-control-allow-headers': asked?.trim() || 'Content-Type',
    'access-control-max-age': '600',
  })
}

/**
 * The HTTP front-end: turns a Fetch-API request into a model call. Paths are matched without regard
 * to case under `/POS` (clients send `/POS/...`, the polling URL says `/pos/...`). Checks run in this
 * order: route (404, 405), form body (400), then the operation's own (400, 401, 404, 429).
 */
export function createHttpFrontEnd(
  model: SmartConnectModel,
  options: HttpOptions,
): (request: Request) => Promise<Response> {
  const { clock } = options

  /** The form's fields (the first value of a repeated one). */
  async function form(request: Request): Promise<FormFields> {
    const type = request.headers.get('content-type') ?? ''
    if (type.split(';')[0]!.trim().toLowerCase() !== FORM)
      throw new Refusal('invalid', `The body must be sent as ${FORM}`)
    const fields: Record<string, string> = {}
    for (const [name, value] of new URLSearchParams(await request.text())) fields[name] ??= value
    return fields
  }

  async function pair(request: Request, code: string): Promise<Response> {
    const body = await form(request)
    model.pair(code, body, clock.now())
    return jsonResponse(200, { result: 'success' })
  }

  async function start(request: Request): Promise<Response> {
    const body = await form(request)
    const transaction = model.start(body, clock.now())
    // On the base the request came through (an MSW base's path prefix included).
    const pollingUrl = `${baseOf(request)}/pos/transaction/${encodeURIComponent(transaction.id)}?merchantAccessToken=${transaction.token}`
    return jsonResponse(200, {
      transactionId: transaction.id,
      transactionStatus: 'PENDING',
      data: { PollingUrl: pollingUrl },
    })
  }

  function poll(request: Request, id: string): Response {
    const now = clock.now()
    const token = new URL(request.url).searchParams.get('merchantAccessToken') ?? undefined
    const transaction = model.read(id, token, now)
    const last = transaction.lastPollAt
    const wait = last === undefined ? 0 : last + options.minPollIntervalMs - now
    if (wait > 0) {
      // A refused poll does not count: the window runs from the last one answered.
      // The sentence names the spacing this cloud was made with, not a fixed 2 s.
      const every = options.minPollIntervalMs / 1000
      return errorResponse(
        429,
        `Too many requests: poll no more than once every ${every} seconds`,
        {
          'retry-after': String(Math.ceil(wait / 1000)),
        },
      )
    }
    transaction.lastPollAt = now
    return jsonResponse(200, model.body(transaction))
  }

  return async (request) => {
    const url = new URL(request.url)
    const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1)
    const [base, resource, id, ...rest] = parts
    const method = request.method.toUpperCase()
    // OPTIONS on a route is a browser's preflight (see `preflight`); any other method but the
    // route's own is 405.
    const allow = (allowed: string, run: () => Promise<Response> | Response) =>
      method === allowed
        ? run()
        : method === 'OPTIONS'
          ? preflight(request, allowed)
          : errorResponse(405, `Method ${method} is not allowed here`, {
              allow: `${allowed}, OPTIONS`,
            })
    try {
      if (base?.toLowerCase() !== 'pos' || rest.length) return errorResponse(404, 'Not found')
      const name = resource?.toLowerCase()
      if (name === 'pairing' && id) return await allow('PUT', () => pair(request, decode(id)))
      if (name === 'transaction' && id === undefined)
        return await allow('POST', () => start(request))
      if (name === 'transaction' && id) return await allow('GET', () => poll(request, decode(id)))
      return errorResponse(404, 'Not found')
    } catch (error) {
      if (error instanceof Refusal)
        return errorResponse(STATUS_BY_REFUSAL[error.kind], error.message)
      throw error
    }
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new Refusal('not-found', 'Not found')
  }
}

import type { Clock } from '@tillkit/core'
import { baseOf, jsonResponse, pathOf, route } from '@tillkit/core/fake'
import { Refusal } from '../domain/errors.js'
import {
  instructionView,
  type InstructionKind,
  type InstructionRecord,
} from '../domain/instructions.js'
import { parseBody, type PayrocModel } from '../domain/model.js'
import { DEFAULT_PAGE_SIZE, UUID_V4 } from '../../limits.js'
import { QUERY_RULES } from '../../rules.js'
import type { DeviceQuery, PaymentQuery } from '../types.js'
import { problemBody, STATUS_BY_REFUSAL } from './problem.js'
import type { Answer, Route } from './router.js'

export interface FrontEndOptions {
  clock: Clock
  /** How long an instruction read is held while nothing changes. */
  holdMs: number
  /** Tells the request log what happened inside (held time, idempotent replay). */
  note(request: Request, note: RequestNote): void
}

export interface RequestNote {
  heldMs?: number
  idempotencyKey?: string
  /** The answer is a stored one: the same key and body came before. */
  replayed?: boolean
}

/** What an operation gets besides its path parameters. */
interface Context {
  model: PayrocModel
  /** Clock time at which the request reached the gateway. */
  now: number
  url: URL
  /** `https://host/v1`: links in answers are absolute, on the host the request came in on. */
  apiBase: string
  body: unknown
  /** Holds an instruction read (long-poll) and answers with the instruction. */
  hold(kind: InstructionKind, id: string): Promise<Answer>
}

const KINDS: InstructionKind[] = ['payment', 'refund', 'signature']

const instructionRoutes = (kind: InstructionKind): Route<Context>[] => {
  const one = `/${kind}-instructions/:id`
  return [
    {
      method: 'POST',
      pattern: `/devices/:serialNumber/${kind}-instructions`,
      idempotent: true,
      handle(c, { serialNumber }) {
        const record = c.model.submit(kind, serialNumber!, c.body, c.now)
        return { status: 202, body: instructionView(record, c.apiBase) }
      },
    },
    { method: 'GET', pattern: one, handle: (c, { id }) => c.hold(kind, id!) },
    {
      method: 'DELETE',
      pattern: one,
      handle(c, { id }) {
        c.model.cancel(kind, id!, c.now)
        return { status: 204 }
      },
    },
  ]
}

const ROUTES: Route<Context>[] = [
  ...KINDS.flatMap(instructionRoutes),
  {
    method: 'GET',
    pattern: '/payments/:paymentId',
    handle: (c, { paymentId }) => ({ status: 200, body: c.model.payment(paymentId!, c.now) }),
  },
  {
    method: 'POST',
    pattern: '/payments/:paymentId/refunds',
    idempotent: true,
    handle: (c, { paymentId }) => ({
      status: 201,
      body: c.model.refundPayment(paymentId!, c.body, c.now),
    }),
  },
  {
    method: 'POST',
    pattern: '/payments/:paymentId/reverse',
    idempotent: true,
    handle: (c, { paymentId }) => ({
      status: 200,
      body: c.model.reversePayment(paymentId!, c.body, c.now),
    }),
  },
  {
    method: 'GET',
    pattern: '/refunds/:refundId',
    handle(c, { refundId }) {
      c.model.settle(c.now)
      return { status: 200, body: c.model.results.refund(refundId!) }
    },
  },
  {
    method: 'GET',
    pattern: '/signatures/:signatureId',
    handle(c, { signatureId }) {
      c.model.settle(c.now)
      return { status: 200, body: c.model.results.signature(signatureId!) }
    },
  },
  { method: 'GET', pattern: '/payments', handle: listPayments },
  { method: 'GET', pattern: '/devices', handle: listDevices },
]

/** Query parameters that are not strings on the client's side. */
const INTEGER_PARAMETERS: ReadonlySet<string> = new Set(['limit'])
const BOOLEAN_PARAMETERS: ReadonlySet<string> = new Set(['active'])

/**
 * A list's query as the client builds it (`limit` a number, `active` a boolean), checked with the client's own rule
 * table so that client and fake cannot drift: the first broken rule is a 400 naming the parameter. Parameters the
 * operation does not take are ignored; of a repeated one, the first counts.
 */
function readQuery<Q>(url: URL, operation: 'GET /devices' | 'GET /payments'): Q {
  const rules = QUERY_RULES[operation]!
  const query: Record<string, unknown> = {}
  for (const [name, value] of url.searchParams) {
    if (!Object.hasOwn(rules, name) || Object.hasOwn(query, name)) continue
    query[name] =
      INTEGER_PARAMETERS.has(name) && /^-?\d+$/.test(value)
        ? Number(value)
        : BOOLEAN_PARAMETERS.has(name) && (value === 'true' || value === 'false')
          ? value === 'true'
          : value
  }
  return parseBody<Q>(query, rules)
}

/** Page links keep the list's filters and page size, with the cursor replaced. */
function pageLink(c: Context, path: string, limit: number): (cursor: string) => string {
  const kept = new URLSearchParams(c.url.searchParams)
  kept.delete('before')
  kept.delete('after')
  kept.set('limit', String(limit))
  return (cursor) => `${c.apiBase}${path}?${kept}&${cursor}`
}

function listDevices(c: Context): Answer {
  const query = readQuery<DeviceQuery>(c.url, 'GET /devices')
  const { limit = DEFAULT_PAGE_SIZE, before, after, ...filter } = query
  const page = c.model.devices.page(
    filter,
    { limit, before, after },
    pageLink(c, '/devices', limit),
  )
  return { status: 200, body: page }
}

/** The payment search: every filter given must match; dates are inclusive bounds on `order.dateTime`. */
function listPayments(c: Context): Answer {
  const query = readQuery<PaymentQuery>(c.url, 'GET /payments')
  const { limit = DEFAULT_PAGE_SIZE, before, after, dateFrom, dateTo, ...filter } = query
  const page = c.model.searchPayments(
    {
      ...filter,
      ...(dateFrom !== undefined && { dateFrom: Date.parse(dateFrom) }),
      ...(dateTo !== undefined && { dateTo: Date.parse(dateTo) }),
    },
    { limit, before, after },
    pageLink(c, '/payments', limit),
    c.now,
  )
  return { status: 200, body: page }
}

const acceptsJson = (request: Request) => {
  const accept = request.headers.get('accept')
  if (accept === null || !accept.trim()) return true
  return accept
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .some((media) => media === 'application/json' || media === 'application/*' || media === '*/*')
}

const isJson = (request: Request) =>
  (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() ===
  'application/json'

/** Makes a relative link in a problem absolute on the request's API base. */
function absolute<T extends { link?: { href: string } }>(details: T, apiBase: string): T {
  const href = details.link?.href
  return href?.startsWith('/')
    ? { ...details, link: { ...details.link!, href: apiBase + href } }
    : details
}

/**
 * The HTTP front-end: `POST /authorize` on any host is the identity service; everything under `/v1` is the API.
 * Checks run in this order: route (404/405), bearer token (401), Accept (406), token scope (403), body media type
 * (415) and JSON (400), Idempotency-Key (400, then replay or 409), then the operation itself.
 */
export function createFrontEnd(
  model: PayrocModel,
  options: FrontEndOptions,
): (request: Request) => Promise<Response> {
  const { clock } = options
  const problem = (status: number, detail: string, extra?: Record<string, unknown>) =>
    jsonResponse(status, problemBody(status, detail, extra))

  const identity = (request: Request): Response => {
    if (request.method !== 'POST')
      return jsonResponse(405, problemBody(405, 'Use POST to get a token.'), { allow: 'POST' })
    const { token, scope } = model.identity.issue(request.headers.get('x-api-key'), clock.now())
    return jsonResponse(200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: model.identity.lifetimeSeconds,
      scope: scope === 'read' ? 'payroc-cloud:read' : 'payroc-cloud',
    })
  }

  /** Waits until the instruction changes, the hold runs out, or the caller goes away. */
  const hold = async (request: Request, kind: InstructionKind, id: string): Promise<Answer> => {
    const started = clock.now()
    const deadline = started + options.holdMs
    let record: InstructionRecord = model.instruction(kind, id, started)
    while (record.status === 'inProgress' && clock.now() < deadline) {
      const wake = new AbortController()
      const stop = model.watch(id, () => wake.abort())
      const leave = () => wake.abort()
      request.signal.addEventListener('abort', leave)
      try {
        await clock.sleep(Math.min(record.end.at, deadline) - clock.now(), wake.signal)
      } catch {
        // Woken early: a change, or the caller left (checked below).
      } finally {
        stop()
        request.signal.removeEventListener('abort', leave)
      }
      request.signal.throwIfAborted()
      record = model.instruction(kind, id, clock.now())
    }
    options.note(request, { heldMs: clock.now() - started })
    return { status: 200, body: instructionView(record, `${baseOf(request)}/v1`) }
  }

  const operate = async (request: Request, url: URL): Promise<Response> => {
    const path = url.pathname.slice('/v1'.length)
    const found = route(ROUTES, request.method, path)
    if (!found) return problem(404, `No such resource: ${pathOf(request)}.`)
    if ('allowed' in found)
      return jsonResponse(405, problemBody(405, `Use ${found.allowed.join(' or ')} here.`), {
        allow: found.allowed.join(', '),
      })
    const now = clock.now()
    const scope = model.identity.check(request.headers.get('authorization'), now)
    if (!acceptsJson(request)) return problem(406, 'This API only answers application/json.')
    if (scope === 'read' && request.method !== 'GET')
      return problem(403, 'The token only allows reading; this API key cannot make changes.')
    const apiBase = `${baseOf(request)}/v1`
    const context: Context = {
      model,
      now,
      url,
      apiBase,
      body: undefined,
      hold: (kind, id) => hold(request, kind, id),
    }
    if (!found.route.idempotent) return respond(await found.route.handle(context, found.params))

    if (!isJson(request)) return problem(415, 'Send the body as application/json.')
    const text = await request.text()
    try {
      context.body = JSON.parse(text)
    } catch {
      return problem(400, 'The body is not valid JSON.', {
        errors: [{ parameter: 'body', message: 'not JSON' }],
      })
    }
    const key = request.headers.get('idempotency-key')
    if (key === null || !UUID_V4.test(key))
      return problem(400, 'Idempotency-Key must be a UUID v4.', {
        errors: [
          {
            parameter: 'Idempotency-Key',
            message: key === null ? 'required' : 'must be a UUID v4',
          },
        ],
      })
    options.note(request, { idempotencyKey: key })
    // Everything up to the stored answer is synchronous, so two copies of a request cannot both act.
    const fingerprint = `${request.method} ${path}\n${text}`
    const stored = model.idempotency.lookup(key, fingerprint)
    if (stored) {
      options.note(request, { replayed: true })
      return respond(stored)
    }
    // No await between the lookup and `remember`: a second copy arriving meanwhile must find the answer.
    const answer = found.route.handle(context, found.params)
    // A copy: a reversed payment changes later, the stored answer must not.
    if (answer.status < 300)
      model.idempotency.remember(key, fingerprint, {
        ...answer,
        body: structuredClone(answer.body),
      })
    return respond(answer)
  }

  const respond = (answer: Answer) => jsonResponse(answer.status, answer.body)

  return async (request) => {
    const url = new URL(request.url)
    try {
      if (url.pathname.replace(/\/+$/, '') === '/authorize') return identity(request)
      if (!url.pathname.startsWith('/v1/'))
        return problem(404, `No such resource: ${pathOf(request)}.`)
      return await operate(request, url)
    } catch (error) {
      if (!(error instanceof Refusal)) throw error
      const extra = {
        ...absolute(error.details, `${baseOf(request)}/v1`),
        // The path as the client sent it: behind a proxy's prefix (`handlers(base)`), with it.
        ...(error.kind === 'conflict' && { instance: pathOf(request) }),
      }
      return problem(STATUS_BY_REFUSAL[error.kind], error.message, extra)
    }
  }
}

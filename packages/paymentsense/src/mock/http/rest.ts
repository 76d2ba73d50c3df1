import type { Clock } from '@tillkit/core'
import { Refusal, type RefusalKind } from '../domain/errors.js'
import type { ConnectModel } from '../domain/model.js'
import type { OperationContext } from './context.js'
import {
  acceptsMedia,
  accountOf,
  hasContentType,
  authoriser,
  missingEposHeaders,
  RequestSpacing,
} from './gateway.js'
import { pacRoutes } from './pac.js'
import { patRoutes } from './pat.js'
import { PAC_MEDIA, PAT_MEDIA, userMessage } from './respond.js'
import { baseOf, route } from '@tillkit/core/fake'
import type { Route } from './router.js'

export interface RestOptions {
  apiKeys: readonly string[]
  clock: Clock
  requestSpacingMs: number
}

const STATUS_BY_REFUSAL: Record<RefusalKind, number> = {
  'not-found': 404,
  unavailable: 404,
  invalid: 422,
  busy: 422,
  'conflict-state': 422,
  exists: 409,
  locked: 423,
}

interface Api {
  media: string
  routes: readonly Route<OperationContext>[]
  /** v2 pay-at-counter requires the EPoS identification headers. */
  eposHeaders: boolean
}

const PAC: Api = { media: PAC_MEDIA, routes: pacRoutes, eposHeaders: true }
const PAT: Api = { media: PAT_MEDIA, routes: patRoutes, eposHeaders: false }

/**
 * The REST front-end: turns a Fetch-API request into a model call and the outcome into the
 * provider's response. Checks run in this order: route (404/405), credentials (401), request
 * spacing (429), Accept version (406), EPoS headers (422), body media type and JSON (422), then the
 * operation itself.
 */
export function createRestFrontEnd(
  model: ConnectModel,
  options: RestOptions,
): (request: Request) => Promise<Response> {
  const spacing = new RequestSpacing(options.clock, options.requestSpacingMs)
  const isAuthorised = authoriser(options.apiKeys)

  return async (request) => {
    const url = new URL(request.url)
    const api = url.pathname.startsWith('/pat/') ? PAT : PAC
    const fail = (status: number, message: string, headers?: Record<string, string>) =>
      userMessage(status, message, api.media, headers)

    const found = route(api.routes, request.method, url.pathname)
    if (!found) return fail(404, 'No such resource.')
    if ('allowed' in found) {
      return fail(405, `Method ${request.method} is not allowed here.`, {
        allow: found.allowed.join(', '),
      })
    }
    if (!isAuthorised(request)) {
      return fail(401, 'The request could not be authorised: check the API key.')
    }
    if (!spacing.admit(accountOf(url))) {
      return fail(429, 'Requests are too close together: wait a little between requests.')
    }
    if (!acceptsMedia(request, api.media)) {
      return fail(406, `This API version needs "Accept: ${api.media}".`)
    }
    const missing = api.eposHeaders ? missingEposHeaders(request) : []
    if (missing.length) return fail(422, `Missing ${missing.join(' and ')} header.`)

    let body: unknown
    if (found.route.body) {
      if (!hasContentType(request, api.media)) {
        return fail(422, `The body must be sent as "Content-Type: ${api.media}".`)
      }
      try {
        body = JSON.parse(await request.text())
      } catch {
        return fail(422, 'The request body is not valid JSON.')
      }
    }

    const context: OperationContext = {
      model,
      now: options.clock.now(),
      url,
      base: baseOf(request),
      body,
    }
    try {
      return found.route.handle(context, found.params)
    } catch (error) {
      if (error instanceof Refusal) return fail(STATUS_BY_REFUSAL[error.kind], error.message)
      throw error
    }
  }
}

import type { RefusalDetails, RefusalKind } from '../domain/errors.js'

/** Problem documents in the RFC 7807 style, as the Payroc API answers errors. */

export const STATUS_BY_REFUSAL: Record<RefusalKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
}

/** The problem body for a status. `type` is a URN of this fake's own: Payroc's type URIs are not known. */
export function problemBody(
  status: number,
  detail: string,
  details: RefusalDetails & { instance?: string } = {},
): Record<string, unknown> {
  const title = TITLES[status] ?? 'Error'
  return {
    type: `urn:tillkit:fake-payroc:${title.toLowerCase().replaceAll(' ', '-')}`,
    title,
    status,
    detail,
    ...details,
  }
}

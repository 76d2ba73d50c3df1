import { jsonResponse } from '@tillkit/core/fake'

/** Media types that select the API version (sent in Accept and Content-Type). */
export const PAC_MEDIA = 'application/connect.v2+json'
export const PAT_MEDIA = 'application/connect.v1+json'

/** The media type the cloud answers with on a path (errors included). */
export function mediaFor(pathname: string): string {
  return pathname.startsWith('/pat') ? PAT_MEDIA : PAC_MEDIA
}

export function json(status: number, body: unknown, media: string): Response {
  return jsonResponse(status, body, { 'content-type': media })
}

export function empty(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, ...(headers && { headers }) })
}

/** An error answer: `{ userMessage }` (the provider's error shape; not RFC 7807). */
export function userMessage(
  status: number,
  message: string,
  media: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { userMessage: message }, { 'content-type': media, ...headers })
}

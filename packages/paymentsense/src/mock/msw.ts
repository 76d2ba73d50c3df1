import type { RequestHandler, WebSocketHandler } from 'msw'
import { isConnectionReset } from './faults.js'
import type { SocketAcceptance, SocketPeer } from './socket/gateway.js'

/**
 * The only module that touches `msw`, an optional peer dependency. It is loaded with a top-level
 * dynamic import that tolerates its absence, so `@tillkit/paymentsense/mock` loads (and
 * `cloud.fetch` works) without msw installed; only `cloud.handlers()` then throws. A static import
 * would make the whole entry point fail to load for those users, and `handlers()` must stay
 * synchronous to be spread into `setupServer(...)`, so it cannot import lazily itself.
 */
const msw = await import('msw').catch(() => undefined)

/** Matches every account's host, live and test (`<account>[.test].connect.paymentsense.cloud`). */
export const DEFAULT_BASE_URL = 'https://*.connect.paymentsense.cloud'

/** Close code an MSW connection gets for a refused handshake (MSW cannot answer with a status). */
export const REFUSED_CLOSE_CODE = 1008

export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  acceptSocket: (url: URL, peer: SocketPeer) => SocketAcceptance,
  baseUrl: string = DEFAULT_BASE_URL,
): Array<RequestHandler | WebSocketHandler> {
  if (!msw) {
    throw new Error(
      'cloud.handlers() needs the optional peer dependency "msw" (v2); install it or use cloud.fetch.',
    )
  }
  const { http, HttpResponse, ws } = msw
  const base = baseUrl.replace(/\/+$/, '')
  const sockets = ws.link(`${base.replace(/^http/, 'ws')}/*`)
  return [
    sockets.addEventListener('connection', ({ client }) => {
      const acceptance = acceptSocket(client.url, {
        send: (text) => client.send(text),
        close: (code, reason) => client.close(code, reason),
        // MSW has no way to cut a connection without a close frame; 1006 is what the EPoS sees.
        drop: () => client.close(1006, ''),
      })
      if (!acceptance.ok) return client.close(REFUSED_CLOSE_CODE, acceptance.reason)
      const { link } = acceptance
      client.addEventListener('message', (event) => {
        if (typeof event.data === 'string') link.receive(event.data)
        else client.close(1003, 'Binary frames are not supported.')
      })
      client.addEventListener('close', () => link.closed())
    }),
    http.all(`${base}/*`, async ({ request }) => {
      try {
        return await fetch(request)
      } catch (error) {
        // A lost response (or a client abort while it hung) reaches the client as a network error.
        if (isConnectionReset(error) || request.signal.aborted) return HttpResponse.error()
        throw error
      }
    }),
  ]
}

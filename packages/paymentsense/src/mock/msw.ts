import type { RequestHandler, WebSocketHandler } from 'msw'
import { basePath, httpHandler, requireMsw, stripBasePath, underBase } from '@tillkit/core/fake'
import type { SocketAcceptance, SocketPeer } from './socket/gateway.js'

/** Matches every account's host, live and test (`<account>[.test].connect.paymentsense.cloud`). */
export const DEFAULT_BASE_URL = 'https://*.connect.paymentsense.cloud'

/**
 * The first segments of the cloud's own paths (REST and WebSocket): a base path ends its prefix
 * there (`http://proxy.test/connect/pac` serves pay at counter only, under the prefix `/connect`).
 */
const ROOTS = ['pac', 'pat']

/** Close code an MSW connection gets for a refused handshake (MSW cannot answer with a status). */
export const REFUSED_CLOSE_CODE = 1008

/**
 * MSW handlers (msw is an optional peer dependency, loaded by core): HTTP and WebSocket. A base
 * with a path (`http://proxy.test/connect`) serves `…/connect/pac/terminals` and
 * `ws://proxy.test/connect/pac` as the cloud's `/pac/terminals` and `/pac`.
 */
export function mswHandlers(
  fetch: (request: Request) => Promise<Response>,
  acceptSocket: (url: URL, peer: SocketPeer) => SocketAcceptance,
  baseUrl: string = DEFAULT_BASE_URL,
): Array<RequestHandler | WebSocketHandler> {
  const { ws } = requireMsw()
  const base = baseUrl.replace(/\/+$/, '')
  const wsBase = base.replace(/^http/, 'ws')
  const sockets = ws.link(underBase(wsBase))
  // The handshake is checked on the cloud's own path, as the HTTP handler routes (core's httpHandler).
  const prefix = basePath(wsBase, ROOTS)
  return [
    sockets.addEventListener('connection', ({ client }) => {
      const url = prefix ? stripBasePath(client.url, prefix).url : client.url
      const acceptance = acceptSocket(url, {
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
    httpHandler(fetch, base, ROOTS),
  ]
}

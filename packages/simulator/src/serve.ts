import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { isIP, type AddressInfo, type Socket } from 'node:net'
import type { SocketAcceptor } from '@tillkit/core/fake'
import { WebSocketServer, type WebSocket } from 'ws'

/** Anything that answers a Fetch-API request: every fake cloud's `cloud.fetch`. */
export type FetchHandler = (request: Request) => Promise<Response>

export type { SocketAcceptor, SocketPeer } from '@tillkit/core/fake'

export interface ServeOptions {
  /** Default 0: pick a free port. */
  port?: number
  /** Default 127.0.0.1: loopback only. */
  host?: string
  /** Serves WebSocket upgrades too (`ws://host:port/...`); without it they are refused (404). */
  sockets?: SocketAcceptor
  /** Largest WebSocket message accepted from a client, in bytes. Default 1 MiB. */
  maxSocketPayload?: number
}

export interface RunningServer {
  /** `http://host:port`, no trailing slash. */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/**
 * Hosts a Fetch-style handler on a real `node:http` server. A handler that rejects (a fake cloud's "lost
 * response" fault) resets the connection, which is what the client would see if the response were lost on the wire.
 */
export async function serve(
  handler: FetchHandler,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  // An IPv6 address goes in brackets in a URL (`http://[::1]:8080`).
  const authority = isIP(host) === 6 ? `[${host}]` : host
  const server = createServer((req, res) => {
    void respond(handler, req, res, authority)
  })
  server.keepAliveTimeout = 5_000
  const upgrades = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxSocketPayload ?? 1_048_576,
  })
  server.on('upgrade', (req, socket: Socket, head) => {
    const url = targetUrl(req, authority, 'ws')
    if (url === undefined) return socket.end(plainAnswer(400, BAD_TARGET))
    upgrade(upgrades, options.sockets, url, req, socket, head)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${authority}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const client of upgrades.clients) client.terminate()
        upgrades.close()
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}

async function respond(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
) {
  const abort = new AbortController()
  // The client went away before we answered: let a hanging handler stop.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort()
  })
  const url = targetUrl(req, host, 'http')
  if (url === undefined) {
    req.resume()
    // `OPTIONS *` asks about the server as a whole: it is here, with nothing server-wide to add.
    if (req.method === 'OPTIONS' && req.url === '*') return void res.writeHead(204).end()
    return void res.writeHead(400, { 'content-type': 'text/plain' }).end(`${BAD_TARGET}\n`)
  }
  let response: Response
  try {
    response = await handler(toRequest(req, url, abort.signal, await bodyOf(req)))
  } catch {
    req.socket.destroy()
    return
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  res.writeHead(response.status, headers)
  res.end(Buffer.from(await response.arrayBuffer()))
}

/** The request's body, read with plain stream events (an async iterator costs more per request). */
function bodyOf(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume()
    return Promise.resolve(undefined)
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks) : undefined))
    req.on('error', reject)
  })
}

const BAD_TARGET = 'Bad request: the request-target must be a path (/...) or an absolute URL.'

/**
 * The URL a request names, from its request-target (RFC 9112, section 3.2): the origin form
 * (`/pac/terminals?x=1`) on the Host header's authority (else the server's own); the absolute
 * form (`http://host/pac/terminals`, what a client configured with an HTTP proxy sends) as it is,
 * the Host header ignored as the RFC says, its scheme made `scheme`'s kind (`ws` on an upgrade).
 * Undefined for the asterisk form (`OPTIONS *`) and anything else no URL can be made of.
 */
function targetUrl(req: IncomingMessage, host: string, scheme: 'http' | 'ws'): string | undefined {
  const target = req.url ?? '/'
  if (target.startsWith('/')) {
    const url = `${scheme}://${req.headers.host ?? host}${target}`
    // A Host header no URL takes (`a b`) makes none.
    return URL.canParse(url) ? url : undefined
  }
  if (!/^(?:https?|wss?):\/\//i.test(target) || !URL.canParse(target)) return undefined
  const url = new URL(target)
  // The same connection, however the client wrote it: http(s) for a request, ws(s) for an upgrade.
  const secure = url.protocol === 'https:' || url.protocol === 'wss:'
  return `${scheme}${secure ? 's' : ''}://${url.host}${url.pathname}${url.search}`
}

/** A whole HTTP/1.1 answer written to a raw socket (an upgrade that did not happen). */
function plainAnswer(status: number, reason: string): string {
  const body = `${reason}\n`
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    `Connection: close\r\nContent-Type: text/plain\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}

function toRequest(
  req: IncomingMessage,
  url: string,
  signal: AbortSignal,
  body: Buffer | undefined,
): Request {
  // Node's raw [name, value, name, value...] list keeps repeated headers apart, as sent.
  const headers: [string, string][] = []
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!])
  return new ServedRequest(
    url,
    { method: req.method ?? 'GET', headers, ...(body ? { body: new Uint8Array(body) } : {}) },
    signal,
  )
}

/**
 * A request as served: its `signal` is the server's own, aborted when the client goes away. Given
 * a signal, the platform Request follows it with a listener, a WeakRef and a finalizer: more than
 * half the cost of making the request. This one is made without and answers `signal` itself.
 */
class ServedRequest extends Request {
  readonly #signal: AbortSignal

  constructor(url: string, init: RequestInit, signal: AbortSignal) {
    super(url, init)
    this.#signal = signal
  }

  static {
    // `signal` is an accessor on Request.prototype: replaced here, on the subclass.
    Object.defineProperty(ServedRequest.prototype, 'signal', {
      get(this: ServedRequest) {
        return this.#signal
      },
    })
  }
}

/**
 * Completes or refuses one WebSocket upgrade. The fake decides before the handshake, so a refusal
 * is a plain HTTP answer (401, 400...) as from a real server, and the client never sees `open`.
 */
function upgrade(
  upgrades: WebSocketServer,
  accept: SocketAcceptor | undefined,
  url: string,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
) {
  let ws: WebSocket | undefined
  // The fake may only use the peer once the handshake is done; nothing it sends is lost before.
  const early: (() => void)[] = []
  const whenOpen = (action: (ws: WebSocket) => void) => {
    if (ws) action(ws)
    else early.push(() => action(ws!))
  }
  const acceptance = accept
    ? accept(url, {
        send: (text) => whenOpen((ws) => ws.send(text)),
        close: (code, reason) => whenOpen((ws) => ws.close(code, reason)),
        drop: () => whenOpen((ws) => ws.terminate()),
        ping: () => whenOpen((ws) => ws.ping()),
      })
    : ({ ok: false, status: 404, reason: 'This server takes no WebSocket connections.' } as const)
  if (!acceptance.ok) {
    socket.end(plainAnswer(acceptance.status, acceptance.reason))
    return
  }
  const { link } = acceptance
  upgrades.handleUpgrade(req, socket, head, (opened) => {
    ws = opened
    opened.on('message', (data, isBinary) => {
      if (isBinary) opened.close(1003, 'Binary frames are not supported.')
      else link.receive(data.toString())
    })
    opened.on('close', () => link.closed())
    opened.on('error', () => opened.terminate())
    for (const action of early.splice(0)) action()
  })
}

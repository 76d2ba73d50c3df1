import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Anything that answers a Fetch-API request: every fake cloud's `cloud.fetch`. */
export type FetchHandler = (request: Request) => Promise<Response>

export interface ServeOptions {
  /** Default 0: pick a free port. */
  port?: number
  /** Default 127.0.0.1: loopback only. */
  host?: string
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
  const server = createServer((req, res) => {
    void respond(handler, req, res, host)
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
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
  let response: Response
  try {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    response = await handler(toRequest(req, host, abort.signal, Buffer.concat(chunks)))
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

function toRequest(req: IncomingMessage, host: string, signal: AbortSignal, body: Buffer): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD' && body.length > 0
  return new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? host}`), {
    method,
    headers,
    signal,
    ...(hasBody ? { body: new Uint8Array(body) } : {}),
  })
}

/**
 * A fetch for Node servers that send many small requests: built on `node:http`/`node:https` with
 * keep-alive agents instead of the platform fetch (undici). At a thousand requests a second, the
 * platform fetch's per-request machinery (a Request, AbortSignals kept until a finalizer runs, web
 * streams for every body) held a Node process at about 145 MB RSS where this one stayed near 75 MB
 * (the README's loopback measurement), for about half the CPU. It buffers bodies (no streaming either way): enough for JSON APIs, which is
 * all tillkit's clients speak. Redirects, default headers and body types are as the platform's.
 */
// The modules themselves, not named imports: `http.request` is looked up on each call, so what
// patches it (MSW's interceptor, a tracing agent) sees these requests whenever it was installed.
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import zlib from 'node:zlib'
import { BufferedResponse } from './buffered-response.js'
import { located, REDIRECTED, TAKES_INIT } from './markers.js'
import { checkOptions } from './validate.js'

export interface NodeFetchOptions {
  /** Sockets per origin (default 4): a spaced account rarely has more than one request out. */
  maxSockets?: number
  /** Idle time before a kept-alive socket is closed (default 4 s, under most servers' own limit). */
  idleMs?: number
}

/** A fetch-compatible function (`(url, init)` or `(request)`), with `close()` for its sockets. */
export interface NodeFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** Closes every pooled socket (kept-alive sockets do not hold the process open either way). */
  close(): void
}

export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  // Known names only (an unknown one is refused); the values go to node's agents as they are.
  checkOptions(options, {}, 'options', { maxSockets: 1, idleMs: 1 } satisfies Record<
    keyof NodeFetchOptions,
    1
  >)
  const settings = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 4,
    timeout: options.idleMs ?? 4_000,
  }
  const agents = { 'http:': new http.Agent(settings), 'https:': new https.Agent(settings) }

  async function nodeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request ? input : undefined
    let url = new URL(request ? request.url : input.toString())
    let method = normalize(init?.method ?? request?.method ?? 'GET')
    const signal = init?.signal ?? request?.signal
    const redirect = init?.redirect ?? request?.redirect ?? 'follow'
    const headers = flatten(init?.headers ?? request?.headers)
    // What the platform fetch sends when the caller names none.
    headers['accept'] ??= '*/*'
    headers['accept-encoding'] ??= 'gzip, deflate'
    headers['user-agent'] ??= 'node'
    const raw =
      init?.body !== undefined ? init.body : request?.body ? await request.arrayBuffer() : null
    let body = await bytes(raw, headers)
    if (body !== null) headers['content-length'] = String(body.byteLength)

    // Redirects as the platform fetch follows them: at most 20; a 303 (or a POST's 301/302) goes
    // on as a GET without its body; credentials are not carried to another origin.
    for (let hops = 0; ; hops++) {
      const wait = cooling.get(url.origin)
      if (wait) await wait
      // An abort while waiting, or between redirects, stops here: the next request never leaves.
      signal?.throwIfAborted()
      const response = await send(url, method, headers, body, signal).catch((error: unknown) => {
        // A server answered an earlier hop: the request reached it, whatever this failure says.
        if (hops && !signal?.aborted) (error as { [REDIRECTED]?: true })[REDIRECTED] = true
        throw error
      })
      const location = response.headers.get('location')
      if (!REDIRECT.has(response.status) || location === null || redirect === 'manual')
        return located(response, url.href.replace(/#.*/, ''), hops > 0)
      if (redirect === 'error' || hops === 20)
        throw new TypeError('fetch failed', { cause: new Error(`redirect not followed: ${url}`) })
      const next = new URL(location, url)
      if (next.origin !== url.origin)
        for (const name of ['authorization', 'proxy-authorization', 'cookie']) delete headers[name]
      if (
        response.status === 303 ? method !== 'HEAD' : response.status < 303 && method === 'POST'
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET'
        body = null
        for (const name of Object.keys(headers))
          if (name.startsWith('content-')) delete headers[name]
      }
      url = next
    }
  }

  /**
   * Origins whose last answer did not say `keep-alive`, each until the event loop has polled once
   * more (two turns of `setImmediate`): a request to one waits for that, and only then takes a
   * pooled socket. Answers are handed over at once; only a request sent right after one waits.
   */
  const cooling = new Map<string, Promise<void>>()
  const cool = (origin: string) => {
    const polled = new Promise<void>((done) => setImmediate(() => setImmediate(done)))
    cooling.set(origin, polled)
    void polled.then(() => cooling.get(origin) === polled && cooling.delete(origin))
  }

  /** One request and its whole answer. */
  function send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | null,
    signal: AbortSignal | null | undefined,
  ): Promise<Response> {
    const agent = agents[url.protocol as keyof typeof agents]
    if (!agent)
      return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`))
    return new Promise<Response>((resolve, reject) => {
      const outgoing = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        headers,
        agent,
      })
      const onAbort = () => outgoing.destroy(signal!.reason as Error)
      signal?.addEventListener('abort', onAbort)
      const fail = (cause: Error) => {
        signal?.removeEventListener('abort', onAbort)
        // As the platform fetch reports it: the reason (abort) as is, anything else as the cause.
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause }))
      }
      outgoing.on('error', fail)
      outgoing.on('response', (incoming: IncomingMessage) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('error', fail)
        incoming.on('end', () => {
          signal?.removeEventListener('abort', onAbort)
          const status = incoming.statusCode ?? 0
          const empty = status === 204 || status === 205 || status === 304 || method === 'HEAD'
          // A server that keeps the connection without saying so may be one that hangs up right
          // after its answer: the next request to it waits until the event loop has polled once
          // more, so that hang-up is seen before the request could go out on the dead socket.
          if (!/keep-alive/i.test(incoming.headers.connection ?? '')) cool(url.origin)
          const handOver = (content: Uint8Array<ArrayBuffer> | null) => {
            try {
              resolve(
                new BufferedResponse(content, {
                  status,
                  statusText: incoming.statusMessage ?? '',
                  headers: pairs(incoming.rawHeaders),
                }),
              )
            } catch (cause) {
              // A status a Response cannot hold (999): a failed fetch, as the platform's.
              reject(new TypeError('fetch failed', { cause }))
            }
          }
          decode(empty ? null : Buffer.concat(chunks), incoming.headers['content-encoding']).then(
            handOver,
            fail,
          )
        })
      })
      outgoing.end(body ?? undefined)
    })
  }

  return Object.assign(nodeFetch, {
    [TAKES_INIT]: true,
    close() {
      agents['http:'].destroy()
      agents['https:'].destroy()
    },
  })
}

/** Request headers as one plain object (repeated names joined, as fetch does). */
function flatten(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  const headers = init instanceof Headers ? init : new Headers(init)
  headers.forEach((value, name) => (out[name] = value))
  return out
}

/** Response headers from Node's raw [name, value, name, value...] list. */
function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!])
  return out
}

/** Methods fetch sends in upper case, whatever case they were given in; others go as written. */
const NORMALIZED = /^(DELETE|GET|HEAD|OPTIONS|POST|PUT)$/i
const normalize = (method: string) => (NORMALIZED.test(method) ? method.toUpperCase() : method)

/**
 * An answer's body without its content codings (gzip, deflate, br), as the platform fetch hands
 * it over; a coding it does not know leaves the bytes as they came.
 */
async function decode(
  body: Buffer | null,
  encoding: string | undefined,
): Promise<Uint8Array<ArrayBuffer> | null> {
  let out = body
  // Codings are listed in the order they were applied: undone last first.
  for (const coding of (encoding ?? '').toLowerCase().split(',').reverse()) {
    const undo = CODINGS[coding.trim()]
    if (!out || !undo) break
    out = await new Promise<Buffer>((resolve, reject) =>
      undo(out!, (error, result) => (error ? reject(error) : resolve(result))),
    )
  }
  return out as Buffer<ArrayBuffer> | null
}

type Undo = (body: Buffer, done: (error: Error | null, result: Buffer) => void) => void
/** A truncated compressed body yields what it holds, as the platform's decoders do. */
const FLUSH = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
const gunzip: Undo = (body, done) => zlib.gunzip(body, FLUSH, done)
const CODINGS: Record<string, Undo> = {
  gzip: gunzip,
  'x-gzip': gunzip,
  // zlib-wrapped, as HTTP says, or raw deflate as some servers send it.
  deflate: (body, done) =>
    (body[0]! & 0x0f) === 8 ? zlib.inflate(body, FLUSH, done) : zlib.inflateRaw(body, FLUSH, done),
  br: (body, done) => zlib.brotliDecompress(body, done),
}

/** Statuses fetch follows as redirects. */
const REDIRECT = new Set([301, 302, 303, 307, 308])

/**
 * A request body as bytes. Text and bytes are taken as they are; anything else (a form, a stream)
 * is read as the platform would send it, and its content type goes with it unless the caller named
 * one, as fetch does.
 */
async function bytes(body: BodyInit | null, headers: Record<string, string>) {
  if (body === null) return null
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8'
    return Buffer.from(body)
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  const typed = new Response(body)
  const type = typed.headers.get('content-type')
  if (type) headers['content-type'] ??= type
  return new Uint8Array(await typed.arrayBuffer())
}

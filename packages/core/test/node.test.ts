import { getEventListeners } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeFetch } from '../src/node.js'
import { TAKES_INIT } from '../src/markers.js'
import { createTransport } from '../src/transport.js'
import { systemClock } from '../src/clock.js'
import { listen, stop } from './helpers.js'
import { readings } from './helpers.js'

/** A loopback server that answers with what it received, or as `/status/<n>` and `/hang` ask. */
let server: Server
let base: string
const seen: Array<{
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}> = []

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      if (req.url === '/hang') return
      // An answer without `connection: close`, after which the server hangs up.
      if (req.url === '/then-close')
        return req.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}')
      // /to/<status>?<location>: a redirect to wherever the query names.
      const to = /^\/to\/(\d+)\?(.*)$/.exec(req.url!)
      if (to) return res.writeHead(Number(to[1]), { location: decodeURIComponent(to[2]!) }).end()
      if (req.url === '/reset') return req.socket.destroy()
      if (req.url === '/bom') return res.end('\ufeff{"a":"é"}')
      if (req.url === '/bad') return res.end('{oops')
      if (req.url === '/none') return res.writeHead(204).end()
      const status = /^\/status\/(\d+)$/.exec(req.url!)?.[1]
      if (status) {
        res.writeHead(
          Number(status),
          'Custom Reason',
          status === '429' ? { 'retry-after': '3' } : {},
        )
        return res.end(Number(status) === 204 ? undefined : `{"status":${status}}`)
      }
      res.setHeader('set-cookie', ['a=1', 'b=2'])
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ method: req.method, url: req.url, body }))
    })
  })
  base = await listen(server)
})
afterAll(() => stop(server))

describe('createNodeFetch', () => {
  it('sends method, headers and a text body, and answers with a Response', async () => {
    const nodeFetch = createNodeFetch()
    const response = await nodeFetch(`${base}/echo?x=1`, {
      method: 'post',
      headers: [
        ['Authorization', 'Basic dGVzdA=='],
        ['Accept', 'application/json'],
      ],
      body: '{"amount":1}',
    })
    expect(response).toBeInstanceOf(Response)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(await response.json()).toEqual({
      method: 'POST',
      url: '/echo?x=1',
      body: '{"amount":1}',
    })
    const request = seen.at(-1)!
    expect(request.headers).toMatchObject({
      authorization: 'Basic dGVzdA==',
      accept: 'application/json',
      'content-length': '12',
      'content-type': 'text/plain;charset=UTF-8',
    })
    nodeFetch.close()
  })

  it('takes a Request too, and byte, blob, form and stream bodies', async () => {
    const nodeFetch = createNodeFetch()
    const fromRequest = await nodeFetch(
      new Request(`${base}/r`, { method: 'PUT', body: 'abc', headers: { 'x-a': '1' } }),
    )
    expect(await fromRequest.json()).toMatchObject({ method: 'PUT', body: 'abc' })
    expect(seen.at(-1)!.headers['x-a']).toBe('1')
    await nodeFetch(`${base}/b`, { method: 'POST', body: new TextEncoder().encode('bytes') })
    expect(seen.at(-1)!.body).toBe('bytes')
    await nodeFetch(`${base}/blob`, { method: 'POST', body: new Blob(['from a blob']) })
    expect(seen.at(-1)!.body).toBe('from a blob')
    await nodeFetch(`${base}/f`, { method: 'POST', body: new URLSearchParams({ a: '1' }) })
    expect(seen.at(-1)!).toMatchObject({
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    })
    // A stream or a form is read whole first, and sent as the platform fetch would send it.
    await nodeFetch(`${base}/s`, {
      method: 'POST',
      body: new Blob(['streamed']).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(seen.at(-1)!).toMatchObject({ body: 'streamed', headers: { 'content-length': '8' } })
    const form = new FormData()
    form.set('field', 'value')
    await nodeFetch(`${base}/form`, { method: 'POST', body: form })
    const sent = seen.at(-1)!
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect(sent.body).toContain('name="field"\r\n\r\nvalue')
    nodeFetch.close()
  })

  it('keeps status, reason and headers of any answer; a 204 has no body', async () => {
    const nodeFetch = createNodeFetch()
    const limited = await nodeFetch(`${base}/status/429`)
    expect([limited.status, limited.statusText, limited.headers.get('retry-after')]).toEqual([
      429,
      'Custom Reason',
      '3',
    ])
    expect(await limited.json()).toEqual({ status: 429 })
    const empty = await nodeFetch(`${base}/status/204`)
    expect([empty.status, empty.body]).toEqual([204, null])
    // A HEAD answer has headers only, whatever its length says.
    const head = await nodeFetch(`${base}/echo`, { method: 'HEAD' })
    expect([head.status, head.body, head.headers.get('content-type')]).toEqual([
      200,
      null,
      'application/json',
    ])
    nodeFetch.close()
  })

  it("answers with a Response that reads like the platform fetch's: once, by any reader, clone, stream on demand", async () => {
    const nodeFetch = createNodeFetch()
    const ours = await readings((path) => nodeFetch(`${base}${path}`))
    expect(ours).toEqual(await readings((path) => fetch(`${base}${path}`)))
    expect(ours).toMatchObject({
      first: '{"a":"é"}',
      json: { a: 'é' },
      again: { error: 'TypeError' },
    })
    expect(ours.bad).toEqual({ error: 'SyntaxError' })
    nodeFetch.close()
  })

  it('reports a failed connection as the platform fetch does: a TypeError with the code in its cause', async () => {
    const nodeFetch = createNodeFetch()
    const closed = createServer()
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done))
    const port = (closed.address() as { port: number }).port
    await new Promise<void>((done) => closed.close(() => done()))
    const refused = await nodeFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TypeError)
    expect((refused as TypeError).cause).toMatchObject({ code: 'ECONNREFUSED' })
    const reset = await nodeFetch(`${base}/reset`).catch((e: unknown) => e)
    expect((reset as TypeError).cause).toMatchObject({ code: 'ECONNRESET' })
    await expect(nodeFetch('ftp://example.invalid/')).rejects.toThrow(/unsupported protocol ftp:/)
    nodeFetch.close()
  })

  it('an abort rejects with the signal reason, before or during the request', async () => {
    const nodeFetch = createNodeFetch()
    const early = new AbortController()
    early.abort(new Error('not wanted'))
    const before = seen.length
    await expect(nodeFetch(`${base}/never`, { signal: early.signal })).rejects.toThrow('not wanted')
    expect(seen.length).toBe(before)
    const late = new AbortController()
    const pending = nodeFetch(`${base}/hang`, { signal: late.signal })
    while (seen.at(-1)?.url !== '/hang') await new Promise((r) => setTimeout(r, 5))
    late.abort(new Error('gave up'))
    await expect(pending).rejects.toThrow('gave up')
    nodeFetch.close()
  })

  it("an abort while a request waits for the previous answer's server to hang up: nothing is sent", async () => {
    const nodeFetch = createNodeFetch()
    await (await nodeFetch(`${base}/then-close`)).text()
    // That server did not say keep-alive: the next request to it waits one event-loop poll.
    const before = seen.length
    const late = new AbortController()
    const pending = nodeFetch(`${base}/after`, { signal: late.signal })
    late.abort(new Error('gave up'))
    await expect(pending).rejects.toThrow('gave up')
    await new Promise((r) => setTimeout(r, 20))
    expect(seen.length).toBe(before)
    nodeFetch.close()
  })

  it('reuses one kept-alive connection for consecutive requests', async () => {
    const nodeFetch = createNodeFetch()
    const ports = new Set<number>()
    server.on('request', (req: IncomingMessage) => ports.add(req.socket.remotePort!))
    for (let i = 0; i < 5; i++) await (await nodeFetch(`${base}/k${i}`)).text()
    expect(ports.size).toBe(1)
    nodeFetch.close()
  })

  it('serves core transport: its timeout aborts a hung request, and 5xx retries work', async () => {
    const nodeFetch = createNodeFetch()
    // Real sockets, so the system clock (a manual one would jump past the server's answers).
    const clock = systemClock
    const transport = createTransport({ fetch: nodeFetch, clock, timeoutMs: 50, retry: false })
    const error = await transport.fetch(`${base}/hang`).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TIMEOUT' })
    const retried = createTransport({
      fetch: nodeFetch,
      clock,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    })
    const response = await retried.fetch(`${base}/status/503`)
    expect(response.status).toBe(503)
    // Counted by path: on a loaded machine the hung request can reach the server after its timeout.
    expect(seen.filter((r) => r.url === '/status/503')).toHaveLength(2)
    nodeFetch.close()
  })

  it('the transport hands a fetch marked TAKES_INIT the URL and init, and any other fetch a Request', async () => {
    const nodeFetch = createNodeFetch()
    const inputs: unknown[] = []
    const marked = Object.assign(
      (input: string, init: RequestInit) => (inputs.push(input), nodeFetch(input, init)),
      { [TAKES_INIT]: true },
    )
    const plain = (request: Request) => (inputs.push(request), nodeFetch(request))
    for (const fetch of [marked, plain] as Array<(request: Request) => Promise<Response>>) {
      const response = await createTransport({ fetch }).fetch(`${base}/m`, {
        method: 'POST',
        body: 'x',
      })
      expect(await response.json()).toMatchObject({ method: 'POST', body: 'x' })
    }
    expect(inputs[0]).toBe(`${base}/m`)
    expect(inputs[1]).toBeInstanceOf(Request)
    nodeFetch.close()
  })

  it("leaves no listener on the attempt's signal once it settles (the platform fetch keeps that signal until a finalizer runs)", async () => {
    const nodeFetch = createNodeFetch()
    const signals: AbortSignal[] = []
    const marked = Object.assign(
      (input: string, init: RequestInit) => (signals.push(init.signal!), nodeFetch(input, init)),
      { [TAKES_INIT]: true },
    )
    await (await createTransport({ fetch: marked as never }).fetch(`${base}/l`)).text()
    expect(signals).toHaveLength(1)
    expect(getEventListeners(signals[0]!, 'abort')).toEqual([])
    nodeFetch.close()
  })

  it('sends methods and reports the URL as the platform fetch does', async () => {
    const nodeFetch = createNodeFetch()
    const sent = async (fetcher: typeof fetch, method: string) => {
      const response = await fetcher(`${base}/m?q=1#fragment`, { method })
      await response.text()
      return { method: seen.at(-1)!.method, url: response.url }
    }
    // The six standard methods go upper-cased, any other as written; the fragment never goes.
    for (const method of ['get', 'delete', 'patch', 'PATCH'])
      expect(await sent(nodeFetch as typeof fetch, method)).toEqual(await sent(fetch, method))
    expect(await sent(nodeFetch as typeof fetch, 'post')).toEqual({
      method: 'POST',
      url: `${base}/m?q=1`,
    })
    nodeFetch.close()
  })

  describe('redirects, side by side with the platform fetch', () => {
    /** What the server saw after a redirect, and what the caller was answered. */
    async function follow(fetcher: typeof fetch, path: string, init: RequestInit = {}) {
      const before = seen.length
      const answer = await fetcher(`${base}${path}`, init).then(
        async (r) => ({
          status: r.status,
          url: r.url,
          redirected: r.redirected,
          body: await r.text(),
        }),
        (e: unknown) => ({ error: (e as Error).name }),
      )
      const requests = seen.slice(before).map((r) => ({
        method: r.method,
        url: r.url,
        body: r.body,
        type: r.headers['content-type'],
        authorization: r.headers.authorization,
      }))
      return { answer, requests }
    }
    const post = { method: 'POST', body: '{"a":1}', headers: { authorization: 'Basic c2VjcmV0' } }
    const cases: Array<[string, string, RequestInit]> = [
      ['a 302 after a POST goes on as a GET without the body', '/to/302?/echo', post],
      ['a 301 after a PUT keeps method and body', '/to/301?/echo', { ...post, method: 'PUT' }],
      ['a 303 after a PUT goes on as a GET', '/to/303?/echo', { ...post, method: 'PUT' }],
      ['a 307 keeps method and body', '/to/307?/echo', post],
      ['a 308 keeps method and body', '/to/308?/echo', post],
      ['redirects chain', `/to/302?${encodeURIComponent('/to/307?/echo')}`, {}],
      ["'manual' answers with the redirect itself", '/to/302?/echo', { redirect: 'manual' }],
      ["'error' refuses it", '/to/302?/echo', { redirect: 'error' }],
      ['a redirect to itself ends after 20 hops', '/to/302?/to/302%3F%2Floop', {}],
      ['a 3xx without a location is the answer', '/status/302', {}],
    ]
    for (const [name, path, init] of cases)
      it(name, async () => {
        const nodeFetch = createNodeFetch()
        const ours = await follow(nodeFetch as typeof fetch, path, init)
        expect(ours).toEqual(await follow(fetch, path, init))
        nodeFetch.close()
      })

    it('a clone keeps where the answer came from, as the platform does, streamed or not', async () => {
      const nodeFetch = createNodeFetch()
      const path = `${base}/to/302?/echo`
      const origin = async (fetcher: typeof fetch) => {
        const response = await fetcher(path)
        const copy = response.clone()
        void response.body // now streamed
        const again = response.clone()
        return [copy, again].map((r) => [r.url, r.redirected])
      }
      const ours = await origin(nodeFetch as typeof fetch)
      expect(ours).toEqual([
        [`${base}/echo`, true],
        [`${base}/echo`, true],
      ])
      expect(ours).toEqual(await origin(fetch))
      nodeFetch.close()
    })

    it('credentials are not carried to another origin', async () => {
      const other = createServer((req, res) => res.end(String(req.headers.authorization)))
      const target = `${await listen(other)}/`
      const nodeFetch = createNodeFetch()
      const init = { headers: { authorization: 'Basic c2VjcmV0' } }
      const path = `${base}/to/302?${encodeURIComponent(target)}`
      const ours = await (await nodeFetch(path, init)).text()
      expect(ours).toBe('undefined')
      expect(ours).toBe(await (await fetch(path, init)).text())
      nodeFetch.close()
      await stop(other)
    })
  })
})

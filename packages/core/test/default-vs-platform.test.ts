import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTransport } from '../src/index.js'
import { listen, stop } from './helpers.js'

/**
 * A transport left on the default fetch (on Node, core's `node:http` one) against the same
 * transport on the platform fetch (`fetch: globalThis.fetch`), where a server misbehaves or
 * compresses, or a mock is installed first. Everything runs on a loopback server.
 */
const JSON_BODY = '{"ok":true}'
/** Answers by path: content-encoding and the encoded body. */
const CODED: Record<string, [string, Buffer]> = {
  gzip: ['gzip', gzipSync(JSON_BODY)],
  'x-gzip': ['x-gzip', gzipSync(JSON_BODY)],
  deflate: ['deflate', deflateSync(JSON_BODY)],
  'raw-deflate': ['deflate', deflateRawSync(JSON_BODY)],
  br: ['br', brotliCompressSync(JSON_BODY)],
  twice: ['deflate, gzip', gzipSync(deflateSync(JSON_BODY))],
  unknown: ['zstd-ish', Buffer.from(JSON_BODY)],
}
/** Says gzip, holds something else: no decoder can read it. */
const BROKEN: [string, Buffer] = ['gzip', Buffer.from('not gzip at all')]

let server: Server
let base: string
let hits = 0
let posts = 0

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      hits++
      // An HTTP/1.1 answer without `connection: close`, after which the server hangs up (an
      // embedded or legacy server, a proxy that closes after each answer).
      if (req.url === '/then-close')
        return req.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}')
      if (req.method === 'POST') posts++
      // A status outside 200-599 (some WAFs and proxies answer 999, or 6xx).
      if (req.url === '/999') return res.writeHead(999).end('{"blocked":true}')
      // A gateway that compresses its JSON whatever the request advertises.
      const coded = req.url === '/broken' ? BROKEN : CODED[req.url!.slice(1)]
      if (coded)
        return res
          .writeHead(200, { 'content-type': 'application/json', 'content-encoding': coded[0] })
          .end(coded[1])
      res.setHeader('content-type', 'application/json')
      res.end('{"real":true}')
    })
  })
  base = await listen(server)
})
afterAll(() => stop(server))

/** Status and body of an answer, or the TillkitError code it became. */
const outcome = (pending: Promise<Response>) =>
  pending.then(
    async (r) => ({ status: r.status, body: await r.text() }),
    (e: { code?: string; mayHaveReachedProvider?: boolean }) => ({
      error: e.code,
      mayHaveReachedProvider: e.mayHaveReachedProvider,
    }),
  )

describe('the default (node:http) fetch against the platform fetch', () => {
  it('answers a status outside 200-599 without an uncaught exception, and settles as the platform fetch does', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (e: unknown) => uncaught.push(e)
    process.on('uncaughtException', onUncaught)
    try {
      // The transport on the platform fetch: its attempt fails at once (the answer cannot be kept
      // as a Response), a NETWORK error.
      const platform = await outcome(
        createTransport({ retry: false, fetch: globalThis.fetch }).fetch(`${base}/999`),
      )
      expect(platform).toEqual({ error: 'NETWORK', mayHaveReachedProvider: true })
      // On the default: not a RangeError thrown in the socket's 'end' listener (an uncaught
      // exception), nor a request left to the transport's timeout.
      const ours = await outcome(
        createTransport({ retry: false, timeoutMs: 2_000 }).fetch(`${base}/999`),
      )
      expect(uncaught).toEqual([])
      expect(ours).toEqual(platform)
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })

  it('does not send the next request on a connection the server closed with its last answer', async () => {
    for (const [name, transport] of [
      ['platform', createTransport({ retry: false, fetch: globalThis.fetch })],
      ['default', createTransport({ retry: false })],
    ] as const) {
      const results: unknown[] = []
      posts = 0
      for (let i = 0; i < 5; i++) {
        // A status read, then at once the payment.
        await (await transport.fetch(`${base}/then-close`)).text()
        results.push(await outcome(transport.fetch(`${base}/pay`, { method: 'POST', body: '{}' })))
      }
      // Not sent on the socket the server hung up on: that fails with ECONNRESET, and the server
      // may even have read the payment first (mayHaveReachedProvider: true).
      expect({ name, results, posts }).toEqual({
        name,
        results: Array(5).fill({ status: 200, body: '{"real":true}' }),
        posts: 5,
      })
    }
  })

  for (const path of Object.keys(CODED))
    it(`hands over a ${path} answer as the platform fetch does`, async () => {
      const read = (fetch?: typeof globalThis.fetch) =>
        createTransport({ retry: false, ...(fetch && { fetch }) })
          .fetch(`${base}/${path}`)
          .then((r) => r.json())
          .catch((e: Error) => e.name)
      const platform = await read(globalThis.fetch)
      // Every coding is undone; one the platform does not know leaves the bytes as they came.
      expect(platform).toEqual({ ok: true })
      expect(await read()).toEqual(platform)
    })

  it('a body that does not decode fails as on the platform fetch: a network error, maybe acted on', async () => {
    const read = (fetch?: typeof globalThis.fetch) =>
      outcome(createTransport({ retry: false, ...(fetch && { fetch }) }).fetch(`${base}/broken`))
    const platform = await read(globalThis.fetch)
    expect(platform).toEqual({ error: 'NETWORK', mayHaveReachedProvider: true })
    expect(await read()).toEqual(platform)
  })

  it('asks for compressed answers as the platform fetch does', async () => {
    let asked: string | undefined
    server.once('request', (req: IncomingMessage) => (asked = req.headers['accept-encoding']))
    await (await createTransport({ retry: false }).fetch(`${base}/plain`)).text()
    expect(asked).toBe('gzip, deflate')
  })

  it('is intercepted by MSW when setupServer().listen() ran before tillkit loaded (a preload, a setup file)', async () => {
    const msw = setupServer(http.get(`${base}/x`, () => HttpResponse.json({ mocked: true })))
    msw.listen({ onUnhandledRequest: 'error' })
    try {
      // tillkit loaded after MSW started: a fresh module graph, as in a process whose mocks are
      // enabled first (`node --import ./mocks.js`, or a setup file that calls listen()).
      vi.resetModules()
      const core = await import('../src/index.js')
      const before = hits
      // The platform fetch is intercepted...
      expect(await (await fetch(`${base}/x`)).json()).toEqual({ mocked: true })
      // ...and so is a transport on the default: core's fetch looks `http.request` up on each call.
      const response = await core.createTransport({ retry: false }).fetch(`${base}/x`)
      expect(await response.json()).toEqual({ mocked: true })
      expect(hits).toBe(before)
    } finally {
      msw.close()
    }
  })
})

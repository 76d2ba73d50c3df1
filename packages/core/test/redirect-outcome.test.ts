import { createServer, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../src/transport.js'
import { listen, stop } from './helpers.js'

/**
 * A POST the provider received and answered with a redirect (303 See Other is the answer to a POST
 * that was processed) whose follow-up hop cannot connect. The POST reached the provider: it must be
 * reported as "may have reached" (unknown outcome) and, carrying no idempotency key, never repeated.
 */
let server: Server
let base: string
let posts = 0
let closedPort = 0

beforeAll(async () => {
  // A loopback port with nothing listening: connecting to it is refused.
  closedPort = await new Promise<number>((done) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => done(port))
    })
  })
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.method === 'POST') posts++
      res.writeHead(303, { location: `http://127.0.0.1:${closedPort}/result` })
      res.end()
    })
  })
  base = await listen(server)
})

afterAll(() => stop(server))

describe('a POST answered with a redirect whose next hop is refused', () => {
  for (const [name, fetch] of [
    ["core's default fetch", undefined],
    ['the platform fetch', globalThis.fetch],
  ] as const) {
    it(`is sent once and reported as may-have-reached (${name})`, async () => {
      posts = 0
      const transport = createTransport({ fetch, timeoutMs: 5_000, retry: { baseDelayMs: 1 } })
      const error = await transport
        .fetch(`${base}/pac/terminals/T1/transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"amount":100}',
        })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'NETWORK' })
      // The provider got the payment request: a POST without idempotency key must not be repeated.
      expect(posts).toBe(1)
      expect(error).toMatchObject({ mayHaveReachedProvider: true, outcomeUnknown: true })
    })
  }
})

describe('a POST whose first hop is refused', () => {
  it("is never sent: core's default fetch says so, and it is retried", async () => {
    const transport = createTransport({ timeoutMs: 5_000, retry: { baseDelayMs: 1 } })
    const error = await transport
      .fetch(`http://127.0.0.1:${closedPort}/pac/terminals/T1/transactions`, {
        method: 'POST',
        body: '{"amount":100}',
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: false })
    expect((error as Error).message).toContain('(ECONNREFUSED)')
  })

  it('may have been answered on an earlier hop for all the platform fetch can tell, unless it follows no redirect', async () => {
    const refused = (redirect?: RequestRedirect) =>
      createTransport({ fetch: globalThis.fetch, timeoutMs: 5_000, retry: false })
        .fetch(`http://127.0.0.1:${closedPort}/pac/terminals/T1/transactions`, {
          method: 'POST',
          body: '{"amount":100}',
          ...(redirect && { redirect }),
        })
        .catch((e: { mayHaveReachedProvider?: boolean }) => e.mayHaveReachedProvider)
    expect(await refused()).toBe(true)
    expect(await refused('manual')).toBe(false)
    expect(await refused('error')).toBe(false)
  })
})

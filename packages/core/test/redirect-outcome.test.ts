import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { TAKES_INIT } from '../src/markers.js'
import { createNodeFetch } from '../src/node.js'
import { createTransport, RequestDraft } from '../src/transport.js'
import { listen, refusedPort, stop } from './helpers.js'

/**
 * A POST the provider received and answered with a redirect (303 See Other is the answer to a POST
 * that was processed; a 307 sends the POST on) whose follow-up hop cannot connect. The POST reached
 * the provider: it must be reported as "may have reached" (unknown outcome) and, carrying no
 * idempotency key, never repeated.
 */
let server: Server
let base: string
let posts = 0
let closedPort = 0

beforeAll(async () => {
  closedPort = await refusedPort()
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.method === 'POST') posts++
      const redirect = req.url!.startsWith('/307/') ? 307 : 303
      res.writeHead(redirect, { location: `http://127.0.0.1:${closedPort}/result` })
      res.end()
    })
  })
  base = await listen(server)
})

afterAll(() => stop(server))

/** A custom fetch as an app might pass one: a wrapper around the platform fetch (undici's is alike). */
const wrapped = (request: Request) => globalThis.fetch(request)

describe('a POST answered with a redirect whose next hop is refused', () => {
  const cases = [
    ["core's default fetch", undefined],
    ['the platform fetch', globalThis.fetch],
    ['a custom fetch', wrapped],
  ] as const
  for (const [name, fetch] of cases)
    for (const redirect of [303, 307]) {
      it(`is sent once and reported as may-have-reached (${name}, ${redirect})`, async () => {
        posts = 0
        const transport = createTransport({ fetch, timeoutMs: 5_000, retry: { baseDelayMs: 1 } })
        // A draft with a text body, which the platform fetch can send on after a 307 (a body read
        // into bytes first fails there, on Node 20, before the refused hop is tried).
        const draft = new RequestDraft(`${base}/${redirect}/pac/terminals/T1/transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"amount":100}',
        })
        const error = await transport.fetch(draft).catch((e: unknown) => e)
        // The next hop was tried, and refused.
        expect(error).toMatchObject({
          code: 'NETWORK',
          message: expect.stringContaining('(ECONNREFUSED)'),
        })
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

  /** What became of a POST to the refused port (up to two attempts): how often it went, and the verdict. */
  const refusedPost = async (
    fetch?: (request: Request) => Promise<Response>,
    redirect?: RequestRedirect,
  ) => {
    let calls = 0
    const counted = fetch && Object.assign((...a: [Request]) => (calls++, fetch(...a)), fetch)
    const error = await createTransport({
      fetch: counted,
      timeoutMs: 5_000,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    })
      .fetch(`http://127.0.0.1:${closedPort}/pac/terminals/T1/transactions`, {
        method: 'POST',
        body: '{"amount":100}',
        ...(redirect && { redirect }),
      })
      .catch((e: { mayHaveReachedProvider?: boolean }) => e)
    return {
      calls,
      reached: (error as { mayHaveReachedProvider?: boolean }).mayHaveReachedProvider,
    }
  }

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

  it('through a custom fetch: not repeated while it follows redirects, retried as unsent when it follows none', async () => {
    // It cannot say which hop was refused: as the platform fetch, it proves nothing while it follows.
    expect(await refusedPost(wrapped)).toEqual({ calls: 1, reached: true })
    expect(await refusedPost(wrapped, 'follow')).toEqual({ calls: 1, reached: true })
    expect(await refusedPost(wrapped, 'manual')).toEqual({ calls: 2, reached: false })
    expect(await refusedPost(wrapped, 'error')).toEqual({ calls: 2, reached: false })
  })

  it("through a fetch marked TAKES_INIT (core's own, wrapped): retried, its report of the hop taken at its word", async () => {
    const nodeFetch = createNodeFetch()
    const marked = Object.assign((url: string, init: RequestInit) => nodeFetch(url, init), {
      [TAKES_INIT]: true,
    })
    expect(await refusedPost(marked as never)).toEqual({ calls: 2, reached: false })
    nodeFetch.close()
  })

  it('through a stub standing in for globalThis.fetch (the default then): as a custom fetch', async () => {
    let calls = 0
    const platform = globalThis.fetch
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => (calls++, platform(url, init)))
    try {
      expect((await refusedPost()).reached).toBe(true)
      expect(calls).toBe(1)
      expect(await refusedPost(undefined, 'manual')).toMatchObject({ reached: false })
      expect(calls).toBe(3)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

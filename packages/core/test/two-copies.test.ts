import { createServer, type Server } from 'node:http'
import createClient from 'openapi-fetch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BufferedResponse } from '../src/buffered-response.js'
import { guardClient } from '../src/guard.js'
import { REDIRECTED, TAKES_INIT } from '../src/markers.js'
import { createNodeFetch } from '../src/node.js'
import { createRedactor } from '../src/redact.js'
import { createTransport } from '../src/transport.js'
import { anotherCore, listen, refusedPort, stop, undiciError } from './helpers.js'

/**
 * Two copies of core in one app (two versions installed side by side): a fetch, a response or a
 * request init made by one copy meets the transport of the other. The markers core leaves on them
 * must mean the same to both, or a POST the provider received is taken as never sent and repeated.
 * "This copy" is what this file imports; the other is {@link anotherCore}.
 */
let server: Server
let base: string
let refused: string
let posts = 0

beforeAll(async () => {
  refused = `http://127.0.0.1:${await refusedPort()}`
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/text') return res.writeHead(200).end('not json')
      if (req.method === 'POST') posts++
      // The payment is taken, and the answer points to a host that refuses the connection.
      res.writeHead(307, { location: `${refused}/result` }).end()
    })
  })
  base = await listen(server)
})

afterAll(() => stop(server))

const pay = { method: 'POST', body: '{"amount":100}' }

describe('two copies of core side by side: the markers', () => {
  // End to end. Either of two rules holds it: the other copy trusts this copy's fetch (TAKES_INIT)
  // and reads its REDIRECTED mark, or, not trusting it, takes no refusal of it as proof of unsent.
  it("end to end: one copy's node fetch, redirected to a refused hop, never has the other's transport repeat the POST", async () => {
    const other = await anotherCore()
    const pairs = [
      [createNodeFetch(), other.createTransport],
      [other.createNodeFetch(), createTransport],
    ] as const
    for (const [nodeFetch, transportOf] of pairs) {
      posts = 0
      const transport = transportOf({ fetch: nodeFetch, retry: { baseDelayMs: 1 } })
      const error = await transport.fetch(`${base}/pay`, pay).catch((e: unknown) => e)
      // The provider got the payment: sent once, its outcome open.
      expect(posts).toBe(1)
      expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: true })
      nodeFetch.close()
    }
  })

  it("REDIRECTED: the other copy's transport reads this copy's mark on a fetch it trusts to report hops", async () => {
    const other = await anotherCore()
    let calls = 0
    // A fetch the transport takes at its word about hops; the failure marked by this copy.
    const fetch = Object.assign(
      () => {
        calls++
        return Promise.reject(Object.assign(undiciError('ECONNREFUSED'), { [REDIRECTED]: true }))
      },
      { [other.TAKES_INIT]: true },
    )
    const transport = other.createTransport({ fetch: fetch as never, retry: { baseDelayMs: 1 } })
    const error = await transport.fetch('https://pos.test/pay', pay).catch((e: unknown) => e)
    expect(calls).toBe(1)
    expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: true })
  })

  it("TAKES_INIT: the other copy's transport hands this copy's marked fetch the URL and init", async () => {
    const other = await anotherCore()
    const inputs: unknown[] = []
    const marked = Object.assign(
      (input: unknown) => (inputs.push(input), Promise.resolve(new Response('{}'))),
      { [TAKES_INIT]: true },
    )
    await other.createTransport({ fetch: marked as never }).fetch('https://pos.test/x', pay)
    expect(inputs).toEqual(['https://pos.test/x'])
  })

  it("TAKES_INIT: this copy's node fetch keeps its precise report in the other copy's transport (a refused first hop is retried)", async () => {
    const other = await anotherCore()
    const nodeFetch = createNodeFetch()
    let calls = 0
    const transport = other.createTransport({
      fetch: Object.assign((url: string, init: RequestInit) => (calls++, nodeFetch(url, init)), {
        [TAKES_INIT]: true,
      }) as never,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    })
    const error = await transport.fetch(`${refused}/pay`, pay).catch((e: unknown) => e)
    expect(calls).toBe(2)
    expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: false })
    nodeFetch.close()
  })

  it("IN_MEMORY: the other copy's transport passes this copy's BufferedResponse on as it is", async () => {
    const other = await anotherCore()
    const answer = new BufferedResponse(new TextEncoder().encode('{"ok":true}'), { status: 200 })
    const transport = other.createTransport({ fetch: () => Promise.resolve(answer) })
    const response = await transport.fetch('https://pos.test/x')
    expect(response).toBe(answer)
    expect(await response.json()).toEqual({ ok: true })
  })

  it("ANSWERED: this copy's guarded client on the other copy's transport knows a non-JSON answer was answered", async () => {
    const other = await anotherCore()
    const transport = other.createDraftTransport({ retry: false, fetch: (r: Request) => fetch(r) })
    const client = createClient<Record<string, never>>({
      baseUrl: base,
      fetch: transport.fetch as unknown as typeof fetch,
      Request: other.RequestDraft as unknown as typeof Request,
    })
    const guarded = guardClient(client, (_m, _p, init) => init, createRedactor())
    const get = guarded.GET as (path: string) => Promise<unknown>
    await expect(get('/text')).rejects.toMatchObject({
      name: 'TillkitProtocolError',
      mayHaveReachedProvider: true,
    })
  })
})

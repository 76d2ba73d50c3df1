import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTransport } from '../src/index.js'
import { listen, stop } from './helpers.js'

/**
 * With no `fetch` option, on Node, a transport sends through core's `node:http` fetch, unless the
 * process has made the platform fetch mean something else. Which one sent a request shows in its
 * headers: the platform fetch (undici) always sends `sec-fetch-mode`, core's never does.
 */
let server: Server
let base: string
const seen: IncomingHttpHeaders[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers)
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  base = await listen(server)
})
afterAll(() => stop(server))

const DISPATCHER = Symbol.for('undici.globalDispatcher.1')
const globals = globalThis as { [DISPATCHER]?: unknown }
const dispatcherAtStart = globals[DISPATCHER]
afterEach(() => {
  globals[DISPATCHER] = dispatcherAtStart
})

async function sentBy(): Promise<'platform' | 'node'> {
  const response = await createTransport({ retry: false }).fetch(`${base}/x`)
  expect(await response.json()).toEqual({ ok: true })
  return 'sec-fetch-mode' in seen.at(-1)! ? 'platform' : 'node'
}

describe('the default fetch on Node', () => {
  it("is core's node:http fetch, sending the platform's default headers", async () => {
    expect(await sentBy()).toBe('node')
    expect(seen.at(-1)).toMatchObject({ accept: '*/*', 'user-agent': 'node' })
    // The platform fetch, for comparison, is told apart by its headers.
    await fetch(`${base}/y`)
    expect('sec-fetch-mode' in seen.at(-1)!).toBe(true)
    // undici's own dispatcher (a plain Agent, made by that call) changes nothing.
    expect(await sentBy()).toBe('node')
  })

  it('is the stub when globalThis.fetch was replaced after tillkit loaded (a test, an interceptor)', async () => {
    const stub = vi.fn(async () => Response.json({ ok: true }))
    vi.stubGlobal('fetch', stub)
    try {
      const before = seen.length
      const response = await createTransport({ retry: false }).fetch(`${base}/x`)
      expect(await response.json()).toEqual({ ok: true })
      expect(stub).toHaveBeenCalledTimes(1)
      expect(seen.length).toBe(before)
    } finally {
      vi.unstubAllGlobals()
    }
    expect(await sentBy()).toBe('node')
  })

  it('is the stub when globalThis.fetch was replaced before tillkit loaded (a setup file)', async () => {
    const stub = vi.fn(async () => Response.json({ from: 'stub' }))
    vi.stubGlobal('fetch', stub)
    vi.resetModules()
    try {
      const core = await import('../src/index.js')
      const before = seen.length
      const response = await core.createTransport({ retry: false }).fetch(`${base}/x`)
      expect(await response.json()).toEqual({ from: 'stub' })
      expect(stub).toHaveBeenCalledTimes(1)
      expect(seen.length).toBe(before)
    } finally {
      vi.unstubAllGlobals()
      vi.resetModules()
    }
  })

  it("is the platform fetch when undici's global dispatcher is a proxy", async () => {
    await fetch(`${base}/warm`)
    const agent = globals[DISPATCHER] as { dispatch(...args: unknown[]): boolean }
    let dispatched = 0
    // What `setGlobalDispatcher(new ProxyAgent(...))` leaves there, passing requests on to the agent.
    class ProxyAgent {
      dispatch(...args: unknown[]) {
        dispatched++
        return agent.dispatch(...args)
      }
    }
    globals[DISPATCHER] = new ProxyAgent()
    expect(await sentBy()).toBe('platform')
    expect(dispatched).toBe(1)
  })
})

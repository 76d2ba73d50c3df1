import { describe, expect, it, vi } from 'vitest'
import { BufferedResponse } from '../src/buffered-response.js'
import * as neutral from '../src/platform.js'
import * as node from '../src/platform-node.js'

/**
 * `#platform` is `platform-node.ts` under Node (what every other test runs on) and `platform.ts`
 * everywhere else (a browser, a bundler's neutral build): the latter is tested here directly.
 */
describe('#platform outside Node', () => {
  it('sends with globalThis.fetch, looked up on each call', () => {
    const stub = vi.fn()
    vi.stubGlobal('fetch', stub)
    try {
      expect(neutral.defaultFetch()).toBe(stub)
    } finally {
      vi.unstubAllGlobals()
    }
    expect(neutral.defaultFetch()).toBe(globalThis.fetch)
  })

  it("tells the platform's own fetch from stubs and wrappers", () => {
    const wrapped = (...args: Parameters<typeof fetch>) => fetch(...args)
    for (const platform of [neutral, node]) {
      expect(platform.isPlatformFetch(wrapped)).toBe(false)
      expect(platform.isPlatformFetch(vi.fn())).toBe(false)
      expect(platform.isPlatformFetch(undefined)).toBe(false)
    }
    // Node's fetch is JavaScript that loads its bundled undici; a browser's is native code.
    expect(node.isPlatformFetch(fetch)).toBe(true)
    expect(neutral.isPlatformFetch(fetch)).toBe(false)
    expect(neutral.isPlatformFetch(Math.max)).toBe(true)
  })

  for (const [name, platform] of [
    ['outside Node', neutral],
    ['on Node', node],
  ] as const)
    it(`keeps an answer read in the attempt as a Response with its status and headers (${name})`, async () => {
      const original = new Response('{"a":1}', {
        status: 201,
        statusText: 'Created',
        headers: { 'retry-after': '2' },
      })
      const bytes = new Uint8Array(await original.arrayBuffer())
      const copy = platform.inMemory(bytes, original)
      expect(copy).toBeInstanceOf(Response)
      expect(copy instanceof BufferedResponse).toBe(platform === node)
      expect([copy.status, copy.statusText, copy.headers.get('retry-after')]).toEqual([
        201,
        'Created',
        '2',
      ])
      expect(await copy.json()).toEqual({ a: 1 })
    })
})

import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../src/index.js'
import { listen, stop } from './helpers.js'

/**
 * The transport reads the body inside the attempt and hands back the answer in memory: what the
 * platform's Response says about where it came from (url, redirected) survives.
 */
let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/old') {
      res.writeHead(302, { location: '/new' })
      return res.end()
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ at: req.url }))
  })
  base = await listen(server)
})

afterAll(() => stop(server))

describe('the final Response after the body is read in the attempt', () => {
  it('keeps url and redirected as the platform fetch reported them', async () => {
    const platform = await fetch(`${base}/old`)
    expect(platform.url).toBe(`${base}/new`)
    expect(platform.redirected).toBe(true)
    await platform.arrayBuffer()

    const transport = createTransport({ retry: false })
    const response = await transport.fetch(`${base}/old`)
    expect(await response.json()).toEqual({ at: '/new' })
    expect(response.url).toBe(`${base}/new`)
    expect(response.redirected).toBe(true)
  })
})

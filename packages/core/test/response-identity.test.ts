import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../src/index.js'

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
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((done) => server.close(() => done())))

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

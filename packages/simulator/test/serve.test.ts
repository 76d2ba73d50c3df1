import { afterEach, describe, expect, it } from 'vitest'
import { serve, type RunningServer } from '../src/index.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('serve', () => {
  it('passes method, path, query, headers and body through and returns status, headers and body', async () => {
    let seen: { method: string; url: string; header: string | null; body: string } | undefined
    server = await serve(async (request) => {
      seen = {
        method: request.method,
        url: request.url,
        header: request.headers.get('x-probe'),
        body: await request.text(),
      }
      return new Response(JSON.stringify({ ok: true }), {
        status: 201,
        headers: { 'content-type': 'application/json', 'x-answer': '42' },
      })
    })
    const response = await fetch(`${server.url}/pac/terminals?status=BUSY`, {
      method: 'POST',
      headers: { 'x-probe': 'p' },
      body: '{"a":1}',
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-answer')).toBe('42')
    expect(await response.json()).toEqual({ ok: true })
    expect(seen).toEqual({
      method: 'POST',
      url: `${server.url}/pac/terminals?status=BUSY`,
      header: 'p',
      body: '{"a":1}',
    })
  })

  it('resets the connection when the handler rejects (a lost response)', async () => {
    let handled = 0
    server = await serve(async () => {
      handled++
      throw new TypeError('fetch failed')
    })
    await expect(fetch(`${server.url}/x`)).rejects.toThrow(TypeError)
    expect(handled).toBe(1)
  })

  it('aborts a hanging handler when the client goes away', async () => {
    let aborted!: () => void
    let entered!: () => void
    const handlerAborted = new Promise<void>((resolve) => (aborted = resolve))
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve))
    server = await serve(
      (request) =>
        new Promise<Response>((_, reject) => {
          entered()
          request.signal.addEventListener('abort', () => {
            aborted()
            reject(new Error('gone'))
          })
        }),
    )
    const client = new AbortController()
    const pending = fetch(`${server.url}/hang`, { signal: client.signal })
    await handlerEntered
    client.abort()
    await expect(pending).rejects.toThrow()
    await handlerAborted
  })

  it('listens on loopback on a free port', async () => {
    server = await serve(async () => new Response('x'))
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.port).toBeGreaterThan(0)
  })

  it('on an IPv6 host, the url holds the address in brackets, as a URL must', async () => {
    server = await serve(async (request) => new Response(new URL(request.url).host), {
      host: '::1',
    })
    expect(server.url).toBe(`http://[::1]:${server.port}`)
    expect(await (await fetch(server.url)).text()).toBe(`[::1]:${server.port}`)
  })
})

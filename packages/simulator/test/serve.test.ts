import { connect } from 'node:net'
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

/** Writes `head` (a request line and headers, CRLF-separated) on a raw socket; resolves with all it got back. */
function raw(port: number, ...lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`))
    let got = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (got += chunk))
    socket.on('end', () => resolve(got))
    socket.on('error', reject)
  })
}

describe('request-targets other than a path', () => {
  const seen: string[] = []
  const echo = async (request: Request) => {
    seen.push(`${request.method} ${request.url}`)
    return new Response(new URL(request.url).host, { status: 200 })
  }
  afterEach(() => void seen.splice(0))

  it('the absolute form (a client behind an HTTP proxy) names the URL, Host ignored', async () => {
    server = await serve(echo)
    const answer = await raw(
      server.port,
      'GET http://acme.test.connect.paymentsense.cloud/pac/terminals?x=1 HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: close',
    )
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(answer).toContain('\r\n\r\n')
    expect(answer).toContain('acme.test.connect.paymentsense.cloud')
    expect(seen).toEqual(['GET http://acme.test.connect.paymentsense.cloud/pac/terminals?x=1'])
  })

  it('the absolute form with a port and https, and the origin form, side by side', async () => {
    server = await serve(echo)
    for (const [target, url] of [
      ['HTTPS://Cloud.Test:8443/a/../b', 'https://cloud.test:8443/b'],
      ['/p?q', `http://127.0.0.1:${server.port}/p?q`],
    ]) {
      const answer = await raw(
        server.port,
        `GET ${target} HTTP/1.1`,
        `Host: 127.0.0.1:${server.port}`,
        'Connection: close',
      )
      expect(answer).toMatch(/^HTTP\/1\.1 200 /)
      expect(seen.pop()).toBe(`GET ${url}`)
    }
  })

  it('OPTIONS * (the server as a whole) is 204, without asking the handler', async () => {
    server = await serve(echo)
    const answer = await raw(
      server.port,
      'OPTIONS * HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: close',
    )
    expect(answer).toMatch(/^HTTP\/1\.1 204 No Content\r\n/)
    expect(seen).toEqual([])
  })

  it.each([
    ['any other method on *', 'GET * HTTP/1.1'],
    ['an absolute URL of another scheme', 'GET ftp://cloud.test/x HTTP/1.1'],
  ])('%s is a 400 saying why, not a reset', async (_name, line) => {
    server = await serve(echo)
    const answer = await raw(server.port, line, 'Host: 127.0.0.1', 'Connection: close')
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(answer).toMatch(/request-target must be a path/)
    expect(seen).toEqual([])
  })

  it('a Host header no URL takes (origin form) is a 400 too', async () => {
    server = await serve(echo)
    const answer = await raw(server.port, 'GET /x HTTP/1.1', 'Host: a b', 'Connection: close')
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(seen).toEqual([])
  })

  it('a WebSocket upgrade in the absolute form reaches the fake with the target as its ws URL', async () => {
    const asked: string[] = []
    server = await serve(echo, {
      sockets: (url) => {
        asked.push(String(url))
        return { ok: false, status: 401, reason: 'Unauthorised.' }
      },
    })
    const upgrade = (target: string) =>
      raw(
        server!.port,
        `GET ${target} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      )
    expect(await upgrade('http://acme.connect.paymentsense.cloud/pac?token=k')).toMatch(
      /^HTTP\/1\.1 401 /,
    )
    expect(asked).toEqual(['ws://acme.connect.paymentsense.cloud/pac?token=k'])
    expect(await upgrade('*')).toMatch(/^HTTP\/1\.1 400 /)
    expect(asked).toHaveLength(1)
  })
})

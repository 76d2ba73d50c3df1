import { describe, expect, it } from 'vitest'
import { BufferedResponse, jsonResponse } from '../src/fake/index.js'
import { readings } from './helpers.js'

const BODIES = { '/bom': '\ufeff{"a":"é"}', '/bad': '{oops', '/none': null }
const init = (path: keyof typeof BODIES) => ({
  status: path === '/none' ? 204 : 200,
  headers: { 'content-type': 'application/json' },
})

describe('BufferedResponse', () => {
  it('reads as the platform Response does, from a string body', async () => {
    const ours = await readings(async (path) => new BufferedResponse(BODIES[path], init(path)))
    expect(ours).toEqual(await readings(async (path) => new Response(BODIES[path], init(path))))
    expect(ours).toMatchObject({
      first: '{"a":"é"}',
      json: { a: 'é' },
      bad: { error: 'SyntaxError' },
    })
  })

  it('reads as the platform Response does, from bytes', async () => {
    const bytes = (path: keyof typeof BODIES) => {
      const body = BODIES[path]
      return body === null ? null : new TextEncoder().encode(body)
    }
    const ours = await readings(async (path) => new BufferedResponse(bytes(path), init(path)))
    expect(ours).toEqual(await readings(async (path) => new Response(bytes(path), init(path))))
  })

  it('refuses a body for 204, 205 and 304 as the platform does, and takes none', () => {
    for (const status of [204, 205, 304]) {
      expect(() => new Response('x', { status })).toThrow(TypeError)
      expect(() => new BufferedResponse('x', { status })).toThrow(TypeError)
      expect(new BufferedResponse(null, { status }).status).toBe(status)
    }
  })

  it('is a Response with the platform status and headers; clones read independently', async () => {
    const response = new BufferedResponse('{"ok":true}', {
      status: 422,
      statusText: 'Unprocessable',
      headers: { 'retry-after': '2' },
    })
    expect(response).toBeInstanceOf(Response)
    expect([response.status, response.ok, response.statusText]).toEqual([
      422,
      false,
      'Unprocessable',
    ])
    expect(response.headers.get('retry-after')).toBe('2')
    const copy = response.clone()
    expect(await response.json()).toEqual({ ok: true })
    expect(await copy.text()).toBe('{"ok":true}')
    expect(copy.headers.get('retry-after')).toBe('2')
    // The stream, once asked for, is the one body: reading it spends the response.
    const streamed = new BufferedResponse('abc')
    const reader = streamed.body!.getReader()
    expect(streamed.bodyUsed).toBe(false)
    await reader.read()
    expect(streamed.bodyUsed).toBe(true)
    await expect(streamed.text()).rejects.toThrow(TypeError)
  })

  it('jsonResponse: JSON with its content type unless the headers name another; undefined is no body', async () => {
    const plain = jsonResponse(201, { id: 7 }, { location: '/x/7' })
    expect([
      plain.status,
      plain.headers.get('content-type'),
      plain.headers.get('location'),
    ]).toEqual([201, 'application/json', '/x/7'])
    expect(await plain.json()).toEqual({ id: 7 })
    const versioned = jsonResponse(
      422,
      { userMessage: 'no' },
      { 'content-type': 'application/x.v2+json' },
    )
    expect(versioned.headers.get('content-type')).toBe('application/x.v2+json')
    const none = jsonResponse(204, undefined, { etag: '"1"' })
    expect([none.body, none.headers.get('content-type'), none.headers.get('etag')]).toEqual([
      null,
      null,
      '"1"',
    ])
    expect(await none.text()).toBe('')
  })
})

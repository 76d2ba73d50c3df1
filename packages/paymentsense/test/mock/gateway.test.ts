import { describe, expect, it } from 'vitest'
import { API_KEY, harness, pac, pat, sale } from './helpers.js'

const TERMINALS = '/pac/terminals'

describe('authentication', () => {
  it.each<[string, string | undefined]>([
    ['no Authorization header', undefined],
    ['a wrong API key', `Basic ${btoa('till:wrong-key')}`],
    ['no password separator', `Basic ${btoa(API_KEY)}`],
    ['a bearer token', `Bearer ${API_KEY}`],
    ['garbage', 'Basic %%%'],
  ])('answers 401 with a userMessage for %s', async (_, authorization) => {
    const h = harness()
    for (const request of [
      pac('GET', TERMINALS, { headers: { authorization } }),
      pat('GET', '/pat/tables', { headers: { authorization } }),
    ]) {
      const { status, body } = await h.call(request)
      expect(status).toBe(401)
      expect(body.userMessage).toMatch(/authorised/)
      expect(JSON.stringify(body)).not.toContain(API_KEY)
    }
  })

  it('accepts any username and every configured key', async () => {
    const h = harness({ apiKeys: ['key-one', 'key:two'] })
    for (const credentials of ['a:key-one', ':key-one', 'pos 7:key:two']) {
      const request = pac('GET', TERMINALS, {
        headers: { authorization: `Basic ${btoa(credentials)}` },
      })
      expect((await h.call(request)).status).toBe(200)
    }
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(401) // default key not configured
  })

  it('answers each Authorization value on its own, however many came before (the answers are remembered)', async () => {
    const h = harness()
    const call = async (credentials: string) =>
      (
        await h.call(
          pac('GET', TERMINALS, { headers: { authorization: `Basic ${btoa(credentials)}` } }),
        )
      ).status
    const good = `pos:${API_KEY}`
    // More distinct values than are remembered, good and bad interleaved, each asked twice.
    for (let i = 0; i < 40; i++) {
      expect(await call(`pos${i}:wrong`)).toBe(401)
      expect(await call(good)).toBe(200)
      expect(await call(`pos${i}:wrong`)).toBe(401)
    }
  })
})

describe('versions and headers', () => {
  it.each<[string, string | undefined]>([
    ['missing', undefined],
    ['v1 on pay-at-counter', 'application/connect.v1+json'],
    ['plain JSON', 'application/json'],
    ['a wildcard', '*/*'],
    ['the version weighted q=0 (refused)', 'application/connect.v2+json; q=0'],
    ['the version weighted Q = 0.000', 'application/json, application/connect.v2+json;Q = 0.000'],
  ])('answers 406 when Accept is %s', async (_, accept) => {
    const h = harness()
    const { status, body } = await h.call(pac('GET', TERMINALS, { headers: { accept } }))
    expect(status).toBe(406)
    expect(body.userMessage).toMatch(/connect\.v2\+json/)
  })

  it('accepts the version among other media types and with parameters', async () => {
    const h = harness()
    const accept = 'application/json, application/connect.v2+json; q=0.9, text/plain; q=0'
    expect((await h.call(pac('GET', TERMINALS, { headers: { accept } }))).status).toBe(200)
  })

  it('wants v1 on pay-at-table', async () => {
    const h = harness()
    const accept = 'application/connect.v2+json'
    expect((await h.call(pat('GET', '/pat/tables', { headers: { accept } }))).status).toBe(406)
  })

  it.each(['software-house-id', 'installer-id'])('answers 422 without %s', async (name) => {
    const h = harness()
    const { status, body } = await h.call(pac('GET', TERMINALS, { headers: { [name]: undefined } }))
    expect(status).toBe(422)
    expect(body.userMessage).toMatch(/Missing .*header/)
  })

  it('does not ask pay-at-table for the EPoS headers', async () => {
    const h = harness()
    expect((await h.call(pat('GET', '/pat/tables'))).status).toBe(200)
  })

  it.each<[string | undefined]>([
    ['application/json'],
    ['application/connect.v1+json'],
    [undefined],
  ])('answers 422 for a body sent as %s', async (contentType) => {
    const h = harness()
    const request = pac('POST', `${TERMINALS}/22160001/transactions`, {
      body: sale(100),
      headers: { 'content-type': contentType },
    })
    const { status, body } = await h.call(request)
    expect(status).toBe(422)
    expect(body.userMessage).toMatch(/Content-Type/)
  })

  it('answers with the versioned media type', async () => {
    const h = harness()
    expect((await h.call(pac('GET', TERMINALS))).headers.get('content-type')).toBe(
      'application/connect.v2+json',
    )
    expect((await h.call(pat('GET', '/pat/tables'))).headers.get('content-type')).toBe(
      'application/connect.v1+json',
    )
  })
})

describe('routing', () => {
  it('answers 404 for unknown paths and 405 for unknown methods', async () => {
    const h = harness()
    expect((await h.call(pac('GET', '/pac/nothing'))).status).toBe(404)
    expect((await h.call(pac('GET', '/elsewhere'))).status).toBe(404)
    const wrong = await h.call(pac('PATCH', TERMINALS))
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET')
    expect((await h.call(pat('POST', '/pat/tables', { body: {} }))).status).toBe(405)
  })

  it('serves any host, and cloud.fetch also takes a URL and init', async () => {
    const h = harness()
    const response = await h.cloud.fetch('http://localhost:9999/pac/terminals/22160001', {
      headers: {
        authorization: `Basic ${btoa(`x:${API_KEY}`)}`,
        accept: 'application/connect.v2+json',
        'software-house-id': 'S',
        'installer-id': 'I',
      },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      tid: '22160001',
      location: 'http://localhost:9999/pac/terminals/22160001',
    })
  })
})

describe('request spacing', () => {
  it('answers 429 to requests of one account closer than the spacing', async () => {
    const h = harness({ requestSpacingMs: 100 })
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(200)
    await h.clock.advance(99)
    const refused = await h.call(pac('GET', TERMINALS))
    expect(refused.status).toBe(429)
    expect(refused.body.userMessage).toMatch(/too close/)
    await h.clock.advance(1) // measured from the last admitted request
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(200)
  })

  it('spaces each account (first host label) on its own, across both APIs', async () => {
    const h = harness({ requestSpacingMs: 100 })
    const other = 'https://bistro.test.connect.paymentsense.cloud'
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(200)
    expect((await h.call(pac('GET', TERMINALS, { origin: other }))).status).toBe(200)
    expect((await h.call(pat('GET', '/pat/tables'))).status).toBe(429)
  })

  it('does not count unauthenticated requests, and 0 disables spacing', async () => {
    const h = harness({ requestSpacingMs: 100 })
    await h.call(pac('GET', TERMINALS, { headers: { authorization: undefined } }))
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(200)
    const free = harness({ requestSpacingMs: 0 })
    for (let i = 0; i < 5; i++) expect((await free.call(pac('GET', TERMINALS))).status).toBe(200)
  })

  it('defaults to 100 ms', async () => {
    const h = harness({ requestSpacingMs: undefined })
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(200)
    await h.clock.advance(50)
    expect((await h.call(pac('GET', TERMINALS))).status).toBe(429)
  })
})

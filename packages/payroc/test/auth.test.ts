import { describe, expect, it } from 'vitest'
import { createManualClock, REDACTED, TillkitHttpError } from '@tillkit/core'
import {
  createPayrocClient,
  PayrocTokenError,
  submitInstruction,
  waitForInstruction,
} from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { sale, SERIAL, seen, setup, until } from './helpers.js'

const statuses = (cloud: ReturnType<typeof setup>['cloud']) =>
  cloud.requests.map((r) => `${r.method} ${r.path.replace(/\/v1\/.*/, '/v1/…')} ${r.status}`)

describe('the bearer token', () => {
  it('is fetched on first use and reused while fresh', async () => {
    const { cloud, client } = setup()
    for (let i = 0; i < 3; i++) client.transport.ok(await client.api.GET('/devices'))
    expect(cloud.identity.issued).toBe(1)
    expect(seen(cloud)[0]).toBe('POST /authorize')
  })

  it('concurrent requests share one token request', async () => {
    const { cloud, client } = setup()
    const results = await Promise.all(Array.from({ length: 5 }, () => client.api.GET('/devices')))
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200, 200, 200])
    expect(cloud.identity.issued).toBe(1)
  })

  it('is replaced 2 minutes before it expires, so no request ever carries a dying token', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false })
    await client.api.GET('/devices')
    await clock.advance(3_600_000 - 120_000 - 1)
    await client.api.GET('/devices')
    expect(cloud.identity.issued).toBe(1)
    await clock.advance(1)
    await client.api.GET('/devices')
    expect(cloud.identity.issued).toBe(2)
    expect(cloud.requests.every((r) => r.status === 200)).toBe(true)
  })

  it('its age is counted on steady time: a wall clock stepped back an hour keeps no token past its renewal', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false })
    await client.api.GET('/devices')
    clock.step(-3_600_000)
    await clock.advance(3_600_000 - 120_000)
    await client.api.GET('/devices')
    expect(cloud.identity.issued).toBe(2)
  })

  it('only the latest two tokens stay secrets: a till running for months does not collect every token', async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock })
    let token = ''
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      clock,
      fetch: (request) => {
        token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? token
        return cloud.fetch(request)
      },
    })
    const tokens: string[] = []
    for (let i = 0; i < 5; i++) {
      client.transport.ok(await client.api.GET('/devices'))
      tokens.push(token)
      await clock.advance(3_600_000)
    }
    expect(new Set(tokens).size).toBe(5)
    const text = tokens.join(' ')
    // The fixed "Bearer ..." pattern still covers any token in an Authorization header.
    expect(client.transport.redact(text)).toBe(
      [...tokens.slice(0, 3), REDACTED, REDACTED].join(' '),
    )
  })

  it('a short-lived token is replaced halfway through its life', async () => {
    const { cloud, client, clock } = setup({
      autoAdvance: false,
      cloud: { tokenLifetimeSeconds: 100 },
    })
    await client.api.GET('/devices')
    await clock.advance(49_999)
    await client.api.GET('/devices')
    await clock.advance(1)
    await client.api.GET('/devices')
    expect(cloud.identity.issued).toBe(2)
  })

  it('a 401 makes one token request and sends the request once more', async () => {
    const { cloud, client } = setup()
    await client.api.GET('/devices')
    cloud.identity.revokeAll()
    const { response } = await client.api.GET('/devices')
    expect(response.status).toBe(200)
    expect(statuses(cloud)).toEqual([
      'POST /authorize 200',
      'GET /v1/… 200',
      'GET /v1/… 401',
      'POST /authorize 200',
      'GET /v1/… 200',
    ])
  })

  it('concurrent 401s share one renewal', async () => {
    const { cloud, client } = setup()
    await client.api.GET('/devices')
    cloud.identity.revokeAll()
    const results = await Promise.all([1, 2, 3].map(() => client.api.GET('/devices')))
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200])
    expect(cloud.identity.issued).toBe(2)
  })

  it('a replayed POST carries the same key and the same bytes as the refused one', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const { cloud } = setup()
    const sent: Array<{ key: string | null; body: string; auth: string | null }> = []
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      clock,
      fetch: async (request) => {
        if (request.method === 'POST' && !request.url.endsWith('/authorize'))
          sent.push({
            key: request.headers.get('idempotency-key'),
            body: await request.clone().text(),
            auth: request.headers.get('authorization'),
          })
        return cloud.fetch(request)
      },
    })
    await client.api.GET('/devices')
    cloud.identity.revokeAll()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4999))
    expect(sent).toHaveLength(2)
    expect(sent[1]!.key).toBe(sent[0]!.key)
    expect(sent[1]!.body).toBe(sent[0]!.body)
    expect(sent[1]!.auth).not.toBe(sent[0]!.auth)
    expect(cloud.instructions.list().map((i) => i.id)).toEqual([id])
  })

  it('only one replay: a second 401 is the answer', async () => {
    let api = 0
    let identity = 0
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      clock: createManualClock({ autoAdvance: true }),
      fetch: async (request) => {
        if (request.url.endsWith('/authorize')) {
          identity++
          return Response.json({
            access_token: `tok-${identity}`,
            token_type: 'Bearer',
            expires_in: 3600,
          })
        }
        api++
        return Response.json(
          { type: 't', title: 'Unauthorized', status: 401, detail: 'no' },
          { status: 401 },
        )
      },
    })
    const result = await client.api.GET('/devices')
    expect(() => client.transport.ok(result)).toThrow(TillkitHttpError)
    expect(result.response.status).toBe(401)
    expect([identity, api]).toEqual([2, 2])
  })

  it('survives a token expiring mid-transaction: the next held read carries a new token, one charge', async () => {
    const { cloud, client } = setup({ cloud: { tokenLifetimeSeconds: 100 } })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906)) // 92 s
    const done = await waitForInstruction(client, 'payment', id)
    expect(done.status).toBe('completed')
    expect(cloud.identity.issued).toBe(2)
    expect(statuses(cloud)).toEqual([
      'POST /authorize 200',
      'POST /v1/… 202',
      'GET /v1/… 200',
      'POST /authorize 200',
      'GET /v1/… 200',
    ])
    expect(cloud.ledger).toHaveLength(1)
  })

  it('survives a token revoked while a read is held: 401, renewal, replay, completion', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const waiting = waitForInstruction(client, 'payment', id)
    await until(() => cloud.requests.some((r) => r.method === 'GET'))
    await clock.advance(30_000)
    cloud.identity.revokeAll()
    await clock.advance(30_000) // the first hold ends: inProgress
    await clock.advance(40_000)
    expect((await waiting).status).toBe('completed')
    expect(statuses(cloud).slice(2)).toEqual([
      'GET /v1/… 200',
      'GET /v1/… 401',
      'POST /authorize 200',
      'GET /v1/… 200',
    ])
    expect(cloud.ledger).toHaveLength(1)
  })
})

describe('when no token can be had, nothing is sent', () => {
  it('a refused API key: PayrocTokenError with the status, outcome known, the API request not sent', async () => {
    const { cloud, client } = setup({ client: { apiKey: 'wrong-key' } })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(100)).catch((e) => e)
    expect(error).toBeInstanceOf(PayrocTokenError)
    expect(error).toMatchObject({
      code: 'HTTP',
      status: 401,
      mayHaveReachedProvider: false,
      outcomeUnknown: false,
    })
    // Causes are kept as redacted copies: the name and fields survive, the class does not.
    expect(error.cause).toMatchObject({ name: 'TillkitHttpError', status: 401 })
    expect(seen(cloud)).toEqual(['POST /authorize'])
  })

  it('an identity answer without a token: PayrocTokenError with code PROTOCOL', async () => {
    const client = createPayrocClient({
      apiKey: 'k-123456',
      environment: 'test',
      fetch: async () => Response.json({ token_type: 'Bearer', expires_in: 3600 }),
    })
    await expect(client.api.GET('/devices')).rejects.toMatchObject({
      name: 'PayrocTokenError',
      code: 'PROTOCOL',
    })
  })

  it('an identity answer that is not JSON: PayrocTokenError, and the body is not quoted', async () => {
    const client = createPayrocClient({
      apiKey: 'k-123456',
      environment: 'test',
      fetch: async () =>
        new Response('access_token=tk_secret_body', {
          headers: { 'content-type': 'application/json' },
        }),
    })
    const error = await client.api.GET('/devices').catch((e) => e)
    expect(error).toMatchObject({ name: 'PayrocTokenError', code: 'PROTOCOL' })
    expect(
      JSON.stringify({ ...error, cause: String(error.cause), stack: error.stack }),
    ).not.toContain('tk_secret_body')
  })

  it('an identity answer with a bad lifetime: PayrocTokenError', async () => {
    const client = createPayrocClient({
      apiKey: 'k-123456',
      environment: 'test',
      fetch: async () => Response.json({ access_token: 'x', expires_in: 0 }),
    })
    await expect(client.api.GET('/devices')).rejects.toBeInstanceOf(PayrocTokenError)
  })

  it('a lost token answer is retried (asking for a token changes nothing)', async () => {
    const { cloud, client } = setup()
    cloud.faults.add({ kind: 'lostResponse', match: { path: '/authorize' }, times: 1 })
    expect((await client.api.GET('/devices')).response.status).toBe(200)
    expect(seen(cloud)).toEqual(['POST /authorize', 'POST /authorize', 'GET /v1/devices'])
  })

  it('after a failed token request the next request tries again', async () => {
    const { cloud, client } = setup({ client: { retry: false } })
    cloud.faults.add({ kind: 'status', status: 503, match: { path: '/authorize' }, times: 1 })
    await expect(client.api.GET('/devices')).rejects.toMatchObject({ status: 503 })
    expect((await client.api.GET('/devices')).response.status).toBe(200)
    expect(cloud.identity.issued).toBe(1)
  })
})

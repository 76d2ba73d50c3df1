import { describe, expect, it } from 'vitest'
import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { createPayrocClient, type PayrocClientOptions } from '../src/index.js'
import { refusal } from '../../core/test/helpers.js'
import { paymentBodyRefusals, refund, sale, SERIAL, TERMINAL, withBreakdown } from './helpers.js'

const API_KEY = `pr_test_${crypto.randomUUID()}`
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

interface Recorded {
  method: string
  url: string
  headers: Record<string, string>
  body: string
}

/** A fetch that issues tokens, records every API request and answers it from `answer`. */
function recorder(answer: (req: Request) => Response = () => Response.json({ data: [] })) {
  const clock = createManualClock({ autoAdvance: true })
  const sent: Recorded[] = []
  let tokens = 0
  const fetch = async (request: Request) => {
    if (request.url.endsWith('/authorize'))
      return (
        tokens++,
        Response.json({ access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 })
      )
    sent.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    })
    return answer(request)
  }
  /** Nothing at all left the client: no API request and no token request. */
  const nothingSent = () => {
    expect(sent).toEqual([])
    expect(tokens).toBe(0)
  }
  return { sent, fetch, clock, nothingSent }
}

function options(overrides: Partial<PayrocClientOptions> = {}): PayrocClientOptions {
  return { apiKey: API_KEY, environment: 'test', ...overrides }
}

describe('createPayrocClient options', () => {
  it.each([
    ['options.apiKey', { apiKey: '' }],
    ['options.apiKey', { apiKey: undefined as unknown as string }],
    ['options.environment', { environment: 'staging' as 'test' }],
    ['options.baseUrl', { baseUrl: 'ftp://x' }],
    ['options.identityUrl', { identityUrl: 'not a url' }],
    ['options.timeoutMs', { timeoutMs: 0 }],
    ['options.pollTimeoutMs', { pollTimeoutMs: 60_000 }],
    ['options.pollTimeoutMs', { pollTimeoutMs: 1.5 }],
    ['options.fetch', { fetch: 'nope' as unknown as typeof fetch }],
  ])('rejects a bad %s with a typed error naming it, never quoting the key', (field, overrides) => {
    refusal(() => createPayrocClient(options(overrides)), field, API_KEY)
  })

  it('rejects a non-object', () => {
    expect(() => createPayrocClient(null as unknown as PayrocClientOptions)).toThrow(
      TillkitValidationError,
    )
  })

  it.each([
    ['test', 'https://identity.uat.payroc.com/authorize', 'https://api.uat.payroc.com/v1/devices'],
    ['live', 'https://identity.payroc.com/authorize', 'https://api.payroc.com/v1/devices'],
  ] as const)('uses the %s hosts', async (environment, identity, api) => {
    const urls: string[] = []
    const client = createPayrocClient(
      options({
        environment,
        fetch: async (request) => {
          urls.push(request.url)
          return request.url.endsWith('/authorize')
            ? Response.json({ access_token: 'tok', token_type: 'Bearer', expires_in: 60 })
            : Response.json({ data: [] })
        },
      }),
    )
    await client.api.GET('/devices')
    expect(urls).toEqual([identity, api])
    expect(client.baseUrl).toBe(api.replace('/devices', ''))
  })

  it('baseUrl and identityUrl replace the hosts (trailing slashes dropped)', async () => {
    const urls: string[] = []
    const client = createPayrocClient(
      options({
        baseUrl: 'http://127.0.0.1:9/v1/',
        identityUrl: 'http://127.0.0.1:9/',
        fetch: async (request) => {
          urls.push(request.url)
          return Response.json({
            access_token: 'tok',
            token_type: 'Bearer',
            expires_in: 60,
            data: [],
          })
        },
      }),
    )
    await client.api.GET('/devices', { params: { query: { limit: 5, active: true } } })
    expect(urls).toEqual([
      'http://127.0.0.1:9/authorize',
      'http://127.0.0.1:9/v1/devices?limit=5&active=true',
    ])
  })
})

describe('what the client sends', () => {
  it('the identity request: POST with x-api-key and no body', async () => {
    const seen: Recorded[] = []
    const client = createPayrocClient(
      options({
        fetch: async (request) => {
          // A redirect would be answered, not followed (the request and the key, sent elsewhere).
          expect(request.redirect).toBe('manual')
          seen.push({
            method: request.method,
            url: request.url,
            headers: Object.fromEntries(request.headers),
            body: await request.text(),
          })
          return Response.json({
            access_token: 'tok',
            token_type: 'Bearer',
            expires_in: 60,
            data: [],
          })
        },
      }),
    )
    await client.api.GET('/devices')
    expect(seen[0]).toMatchObject({ method: 'POST', body: '' })
    expect(seen[0]!.headers['x-api-key']).toBe(API_KEY)
    expect(seen[1]!.headers['x-api-key']).toBeUndefined()
  })

  it('a bearer token and Accept on every API request; JSON and a fresh UUID v4 key on each POST', async () => {
    const { sent, fetch, clock } = recorder(() =>
      Response.json({ status: 'inProgress', paymentInstructionId: 'p1' }, { status: 202 }),
    )
    const client = createPayrocClient(options({ fetch, clock }))
    for (let i = 0; i < 2; i++)
      await client.api.POST('/devices/{serialNumber}/payment-instructions', {
        params: { path: { serialNumber: SERIAL } },
        body: sale(100),
      })
    const [first, second] = sent
    expect(first!.headers.authorization).toBe('Bearer tok-1')
    expect(first!.headers.accept).toBe('application/json')
    expect(first!.headers['content-type']).toBe('application/json')
    expect(first!.headers['idempotency-key']).toMatch(UUID_V4)
    expect(second!.headers['idempotency-key']).toMatch(UUID_V4)
    expect(second!.headers['idempotency-key']).not.toBe(first!.headers['idempotency-key'])
    expect(JSON.parse(first!.body)).toEqual(sale(100))
  })

  it('request() is checked and keyed as POST is', async () => {
    const { sent, fetch, clock } = recorder(() => Response.json({}, { status: 202 }))
    const client = createPayrocClient(options({ fetch, clock }))
    const path = '/devices/{serialNumber}/payment-instructions' as const
    const params = { path: { serialNumber: SERIAL } }
    await expect(client.api.request('post', path, { params, body: sale(0) })).rejects.toMatchObject(
      {
        name: 'TillkitValidationError',
      },
    )
    expect(sent).toHaveLength(0)
    await client.api.request('post', path, { params, body: sale(100) })
    expect(sent[0]!.headers['idempotency-key']).toMatch(UUID_V4)
  })

  it('a caller-given key is sent as is', async () => {
    const { sent, fetch, clock } = recorder(() => Response.json({}, { status: 202 }))
    const client = createPayrocClient(options({ fetch, clock }))
    const key = crypto.randomUUID()
    await client.api.POST('/devices/{serialNumber}/signature-instructions', {
      params: { path: { serialNumber: SERIAL }, header: { 'Idempotency-Key': key } },
      body: { processingTerminalId: TERMINAL },
    })
    expect(sent[0]!.headers['idempotency-key']).toBe(key)
  })

  it('every money-moving POST gets a key; GET and DELETE never do', async () => {
    const { sent, fetch, clock } = recorder((req) =>
      req.method === 'DELETE' ? new Response(null, { status: 204 }) : Response.json({}),
    )
    const client = createPayrocClient(options({ fetch, clock }))
    const serial = { params: { path: { serialNumber: SERIAL } } }
    const payment = { params: { path: { paymentId: 'P1' } } }
    await client.api.POST('/devices/{serialNumber}/payment-instructions', {
      ...serial,
      body: sale(1),
    })
    await client.api.POST('/devices/{serialNumber}/refund-instructions', {
      ...serial,
      body: refund(1),
    })
    await client.api.POST('/devices/{serialNumber}/signature-instructions', {
      ...serial,
      body: { processingTerminalId: TERMINAL },
    })
    await client.api.POST('/payments/{paymentId}/refunds', {
      ...payment,
      body: { amount: 1, description: 'x' },
    })
    await client.api.POST('/payments/{paymentId}/reverse', { ...payment, body: {} })
    await client.api.GET('/payments/{paymentId}', payment)
    await client.api.DELETE('/payment-instructions/{paymentInstructionId}', {
      params: { path: { paymentInstructionId: 'i1' } },
    })
    expect(sent.map((r) => [r.method, UUID_V4.test(r.headers['idempotency-key'] ?? '')])).toEqual([
      ['POST', true],
      ['POST', true],
      ['POST', true],
      ['POST', true],
      ['POST', true],
      ['GET', false],
      ['DELETE', false],
    ])
  })
})

describe('checked before sending (nothing reaches the network)', () => {
  const serial = { params: { path: { serialNumber: SERIAL } } }

  it.each([
    ['processingTerminalId', { order: sale(1).order }],
    ['order', { processingTerminalId: TERMINAL, order: 'x' }],
    ['order.orderId', { ...sale(1), order: { amount: 1, currency: 'USD' } }],
    ['order.amount', sale(0)],
    ['order.amount', sale(1.5)],
    ['order.currency', { ...sale(1), order: { orderId: 'o', amount: 1, currency: 'usd' } }],
    [
      'order.acceptPartialAmount',
      { ...sale(1), order: { ...sale(1).order, acceptPartialAmount: 'yes' } },
    ],
    [
      'order.breakdown.subtotal',
      { ...sale(1), order: { ...sale(1).order, breakdown: { subtotal: -1 } } },
    ],
    ['operator', { ...sale(1), operator: 7 }],
    ['autoCapture', { ...sale(1), autoCapture: 'false' }],
    ['processAsSale', { ...sale(1), processAsSale: 1 }],
    [
      'customizationOptions.entryMethod',
      { ...sale(1), customizationOptions: { entryMethod: 'tap' } },
    ],
    ...paymentBodyRefusals,
  ])('payment instruction: %s', async (field, body) => {
    const { fetch, clock, nothingSent } = recorder()
    const client = createPayrocClient(options({ fetch, clock }))
    const call = client.api.POST('/devices/{serialNumber}/payment-instructions', {
      ...serial,
      body: body as never,
    })
    await expect(call).rejects.toMatchObject({ name: 'TillkitValidationError', field })
    nothingSent()
  })

  it.each([
    [
      'POST',
      '/devices/{serialNumber}/refund-instructions',
      { ...refund(1), order: { orderId: 'r', amount: 1, currency: 'USD' } },
      'order.description',
    ],
    [
      'POST',
      '/devices/{serialNumber}/refund-instructions',
      { ...refund(1), order: { ...refund(1).order, dateTime: 'yesterday' } },
      'order.dateTime',
    ],
    [
      'POST',
      '/devices/{serialNumber}/refund-instructions',
      { ...refund(1), ipAddress: { type: 'ipv5', value: '1.2.3.4' } },
      'ipAddress.type',
    ],
    [
      'POST',
      '/devices/{serialNumber}/refund-instructions',
      { ...refund(1), customer: { notificationLanguage: 'de' } },
      'customer.notificationLanguage',
    ],
    ['POST', '/devices/{serialNumber}/signature-instructions', {}, 'processingTerminalId'],
    ['POST', '/payments/{paymentId}/refunds', { amount: 1 }, 'description'],
    ['POST', '/payments/{paymentId}/refunds', { amount: -5, description: 'x' }, 'amount'],
    ['POST', '/payments/{paymentId}/reverse', { amount: 0 }, 'amount'],
    ['POST', '/devices/{serialNumber}/payment-instructions', null, 'body'],
  ])('%s %s: %o names %s', async (method, path, body, field) => {
    const { fetch, clock, nothingSent } = recorder()
    const client = createPayrocClient(options({ fetch, clock }))
    const params = { path: { serialNumber: SERIAL, paymentId: 'P1' } }
    const call = (client.api as any)[method](path, { params, body })
    await expect(call).rejects.toMatchObject({ name: 'TillkitValidationError', field })
    nothingSent()
  })

  it('what the schema allows is sent: an empty operator, a full customer, a merchant-initiated agreement with its standing instructions, a whole breakdown', async () => {
    const { sent, fetch, clock } = recorder(() => Response.json({}, { status: 202 }))
    const client = createPayrocClient(options({ fetch, clock }))
    const bodies = [
      { ...sale(1), operator: '' },
      {
        ...sale(1),
        customer: {
          firstName: 'Jo',
          dateOfBirth: '1990-02-01',
          shippingAddress: { recipientName: 'Jo', address: { city: 'Montreal' } },
          contactMethods: [{ type: 'email', value: 'jo@example.com' }],
          notificationLanguage: 'fr',
        },
        ipAddress: { type: 'ipv6', value: '::1' },
      },
      {
        ...sale(1),
        order: {
          ...sale(1).order,
          dateTime: '2026-01-01T12:00:00+01:00',
          standingInstructions: { sequence: 'first' },
        },
        credentialOnFile: { tokenize: true, mitAgreement: 'recurring' },
        customizationOptions: {
          entryMethod: 'deviceRead',
          ebtDetails: { benefitCategory: 'foodStamp', withdrawal: false },
          closedLoopOptions: { type: 'mifare' },
        },
      },
      withBreakdown({
        cashbackAmount: 0,
        tip: { type: 'percentage', mode: 'prompted', percentage: 12.5 },
        surcharge: { bypass: false, amount: 0, percentage: 3 },
        dualPricing: { offered: true, choiceRate: {}, alternativeTender: 'cash' },
        taxes: [{ type: 'rate', rate: 7.5, name: '' }],
      }),
    ]
    for (const body of bodies)
      await client.api.POST('/devices/{serialNumber}/payment-instructions', {
        ...serial,
        body: body as never,
      })
    expect(sent.map((r) => JSON.parse(r.body))).toEqual(bodies)
    for (const [path, body] of [
      ['/devices/{serialNumber}/refund-instructions', { ...refund(1), operator: '' }],
      ['/payments/{paymentId}/refunds', { amount: 1, description: 'x', operator: '' }],
      ['/payments/{paymentId}/reverse', { operator: '' }],
    ] as const)
      await (client.api as any).POST(path, {
        params: { path: { serialNumber: SERIAL, paymentId: 'P1' } },
        body,
      })
    expect(sent).toHaveLength(bodies.length + 3)
  })

  it('path parameters must be non-empty strings', async () => {
    const { fetch, clock, nothingSent } = recorder()
    const client = createPayrocClient(options({ fetch, clock }))
    const call = client.api.GET('/payments/{paymentId}', { params: { path: { paymentId: '' } } })
    await expect(call).rejects.toMatchObject({ field: 'paymentId' })
    nothingSent()
  })

  it('a caller-given Idempotency-Key must be a UUID v4', async () => {
    const { fetch, clock, nothingSent } = recorder()
    const client = createPayrocClient(options({ fetch, clock }))
    const call = client.api.POST('/devices/{serialNumber}/payment-instructions', {
      params: { path: { serialNumber: SERIAL }, header: { 'Idempotency-Key': 'order-42' } },
      body: sale(1),
    })
    await expect(call).rejects.toMatchObject({ field: 'Idempotency-Key' })
    nothingSent()
  })

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ after: '' }, 'after'],
    [{ after: 'a', before: 'b' }, 'before'],
  ])('device query %o names %s', async (query, field) => {
    const { fetch, clock, nothingSent } = recorder()
    const client = createPayrocClient(options({ fetch, clock }))
    await expect(client.api.GET('/devices', { params: { query } })).rejects.toMatchObject({ field })
    nothingSent()
  })
})

import { describe, expect, it, vi } from 'vitest'
import {
  createManualClock,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  TillkitAbortedError,
} from '@tillkit/core'
import { fakeFetch, json, status, undiciError, type Step } from '../../core/test/helpers.js'
import {
  createSmartConnectClient,
  type SmartConnectClientOptions,
  type TransactionType,
} from '../src/index.js'
import { REGISTER } from './helpers.js'

const POLLING_URL =
  'https://api-dev.smart-connect.cloud/pos/transaction/tx-1?merchantAccessToken=tok'
const STARTED = json({
  transactionId: 'tx-1',
  transactionStatus: 'PENDING',
  data: { PollingUrl: POLLING_URL },
})

function setup(steps: Step[] = [STARTED], overrides: Partial<SmartConnectClientOptions> = {}) {
  const clock = createManualClock({ autoAdvance: true })
  const fake = fakeFetch(clock, ...steps)
  const client = createSmartConnectClient({
    environment: 'dev',
    register: REGISTER,
    fetch: fake.fetch,
    clock,
    ...overrides,
  })
  return { clock, client, calls: fake.calls }
}

const form = async (request: Request) =>
  Object.fromEntries(new URLSearchParams(await request.text()))

/** Runs `attempt`, which must reject with `type`, and returns the error. */
async function rejection<E>(
  attempt: Promise<unknown>,
  type: abstract new (...a: never[]) => E,
): Promise<E> {
  const error = await attempt.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(type)
  return error as E
}

describe('createSmartConnectClient options', () => {
  it.each([
    ['options.environment', { environment: 'staging' as 'dev' }],
    ['options.register', { register: undefined as unknown as typeof REGISTER }],
    ['options.register.id', { register: { ...REGISTER, id: '' } }],
    ['options.register.id', { register: { ...REGISTER, id: 'x'.repeat(129) } }],
    ['options.register.name', { register: { ...REGISTER, name: '' } }],
    [
      'options.register.businessName',
      { register: { ...REGISTER, businessName: 7 as unknown as string } },
    ],
    [
      'options.register.vendorName',
      { register: { ...REGISTER, vendorName: undefined as unknown as string } },
    ],
    ['options.baseUrl', { baseUrl: 'ftp://x/POS' }],
    ['options.timeoutMs', { timeoutMs: 0 }],
    ['options.fetch', { fetch: 'nope' as unknown as typeof fetch }],
  ])('rejects a bad %s with a typed error naming it', (field, overrides) => {
    let error: unknown
    try {
      createSmartConnectClient({ environment: 'dev', register: REGISTER, ...overrides })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe(field)
  })

  it.each([
    ['a name', 'lane-1-till'],
    ['a UUID without its dashes', '7d0c1f5e8a444f1b9a532f0e6f1d9c11'],
    ['a UUID in braces', '{7d0c1f5e-8a44-4f1b-9a53-2f0e6f1d9c11}'],
    ['a UUID with a non-hex digit', '7d0c1f5e-8a44-4f1b-9a53-2f0e6f1d9c1g'],
    ['a UUID with text after it', '7d0c1f5e-8a44-4f1b-9a53-2f0e6f1d9c11-x'],
  ])('rejects %s as the register id (POSRegisterID is a UUID), before any request', (_, id) => {
    const fetch = vi.fn()
    let error: unknown
    try {
      createSmartConnectClient({ environment: 'dev', register: { ...REGISTER, id }, fetch })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(error).toMatchObject({
      field: 'options.register.id',
      rule: expect.stringMatching(/^must be a UUID \(the POSRegisterID\)/),
    })
    expect(fetch).not.toHaveBeenCalled()
  })

  it('takes any UUID as the register id, in either case and of any version', () => {
    for (const id of [
      '7d0c1f5e-8a44-4f1b-9a53-2f0e6f1d9c11',
      '7D0C1F5E-8A44-4F1B-9A53-2F0E6F1D9C11',
      '0a1b2c3d-4e5f-e678-c9d0-a1b2c3d4e5f6',
    ])
      expect(
        createSmartConnectClient({ environment: 'dev', register: { ...REGISTER, id } }).register.id,
      ).toBe(id)
  })

  it('rejects a non-object', () => {
    expect(() => createSmartConnectClient(null as unknown as SmartConnectClientOptions)).toThrow(
      TillkitValidationError,
    )
  })

  it.each([
    ['dev', 'https://api-dev.smart-connect.cloud/POS/Transaction'],
    ['production', 'https://api.smart-connect.cloud/POS/Transaction'],
  ] as const)('sends %s requests to its base URL', async (environment, url) => {
    const { client, calls } = setup([STARTED], { environment })
    await client.startTransaction('Terminal.GetStatus')
    expect(calls[0]?.request.url).toBe(url)
  })

  it('uses baseUrl when given, without its trailing slash', async () => {
    const { client, calls } = setup([STARTED], { baseUrl: 'http://127.0.0.1:9/POS/' })
    expect(client.baseUrl).toBe('http://127.0.0.1:9/POS')
    await client.startTransaction('Terminal.GetStatus')
    expect(calls[0]?.request.url).toBe('http://127.0.0.1:9/POS/Transaction')
  })
})

describe('pair', () => {
  it('PUTs the register identity and store details as a form to /Pairing/{code}', async () => {
    const { client, calls } = setup([json({ result: 'success' })])
    await client.pair('AB12/3', {
      contactName: 'Sam',
      city: 'Wellington',
      phone: '+64 4 000 0000',
    })
    const { request } = calls[0]!
    expect(request.method).toBe('PUT')
    expect(request.url).toBe('https://api-dev.smart-connect.cloud/POS/Pairing/AB12%2F3')
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(request.headers.get('accept')).toBe('application/json')
    expect(request.redirect).toBe('manual')
    expect(await form(request)).toEqual({
      POSRegisterID: REGISTER.id,
      POSBusinessName: REGISTER.businessName,
      POSVendorName: REGISTER.vendorName,
      POSRegisterName: REGISTER.name,
      'Contact Name': 'Sam',
      City: 'Wellington',
      Phone: '+64 4 000 0000',
    })
  })

  it('rejects a refusal with a TillkitHttpError carrying the cloud’s {error}', async () => {
    const { client } = setup([json({ error: 'Invalid pairing code' }, 400)])
    const error = await rejection(client.pair('NOPE12'), TillkitHttpError)
    expect(error.status).toBe(400)
    expect(error.body).toEqual({ error: 'Invalid pairing code' })
    expect(error.outcomeUnknown).toBe(false)
  })

  it('keeps a non-JSON error body as text', async () => {
    const { client } = setup([status(502)])
    const error = await rejection(client.pair('CODE12'), TillkitHttpError)
    expect(error.body).toBe('status 502')
    expect(error.outcomeUnknown).toBe(true)
  })

  it('sends any code and store details of any length: no limit is documented (the cloud judges)', async () => {
    const { client, calls } = setup([json({ result: 'success' })])
    await client.pair('AB 12', { address: 'x'.repeat(300) })
    expect(calls[0]!.request.url).toBe('https://api-dev.smart-connect.cloud/POS/Pairing/AB%2012')
    expect((await form(calls[0]!.request)).Address).toBe('x'.repeat(300))
    const long = setup([json({ result: 'success' })])
    await long.client.pair('x'.repeat(65))
    expect(long.calls[0]!.request.url).toBe(
      `https://api-dev.smart-connect.cloud/POS/Pairing/${'x'.repeat(65)}`,
    )
  })

  it.each([
    ['pairingCode', '', undefined],
    ['pairingCode', 12345 as unknown as string, undefined],
    ['store', 'ABC123', null],
    ['store.city', 'ABC123', { city: 5 }],
  ])('refuses a bad %s before sending', async (field, code, store) => {
    const { client, calls } = setup()
    const error = await rejection(
      client.pair(code, store as unknown as undefined),
      TillkitValidationError,
    )
    expect(error.field).toBe(field)
    expect(calls).toHaveLength(0)
  })
})

describe('startTransaction: what is sent', () => {
  it('the register identity, TransactionMode=ASYNC, the type and its fields, as a form', async () => {
    const { client, calls } = setup()
    const pending = await client.startTransaction('Card.PurchasePlusCash', {
      AmountTotal: 6000,
      AmountCash: '2000',
      SaleData: '{"lines":2}',
    })
    const { request } = calls[0]!
    expect(request.method).toBe('POST')
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(request.redirect).toBe('manual')
    expect(await form(request)).toEqual({
      POSRegisterID: REGISTER.id,
      POSBusinessName: REGISTER.businessName,
      POSVendorName: REGISTER.vendorName,
      TransactionMode: 'ASYNC',
      TransactionType: 'Card.PurchasePlusCash',
      AmountTotal: '6000',
      AmountCash: '2000',
      SaleData: '{"lines":2}',
    })
    expect(pending).toEqual({
      transactionId: 'tx-1',
      type: 'Card.PurchasePlusCash',
      pollingUrl: POLLING_URL,
      startedAt: calls[0]!.at,
    })
  })

  it('checks the fields before anything is sent', async () => {
    const { client, calls } = setup()
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 12.5 }),
      TillkitValidationError,
    )
    expect(error.field).toBe('AmountTotal')
    await rejection(
      client.startTransaction('Card.Bogus' as TransactionType, undefined as never),
      TillkitValidationError,
    )
    expect(calls).toHaveLength(0)
  })
})

describe('startTransaction: refusals and unknown outcomes', () => {
  it.each([
    [400, { error: 'AmountTotal is required' }],
    [404, { error: 'Not found' }],
    [429, { error: 'Too many requests' }],
  ])('%s is a definite refusal (TillkitHttpError), sent once', async (code, body) => {
    const { client, calls } = setup([json(body, code, { 'retry-after': '3' })])
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
      TillkitHttpError,
    )
    expect(error.status).toBe(code)
    expect(error.body).toEqual(body)
    expect(error.outcomeUnknown).toBe(false)
    expect(error.retryAfterMs).toBe(3000)
    expect(calls).toHaveLength(1)
  })

  it.each([
    [500, 'http-500'],
    [502, 'http-502'],
    [503, 'http-503'],
    [504, 'http-504'],
    [408, 'http-408'],
  ])('%s is an unknown outcome, never retried', async (code, reason) => {
    const { client, calls } = setup([status(code), STARTED])
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
      TillkitUnknownOutcomeError,
    )
    expect(error.reason).toBe(reason)
    expect(error.outcomeUnknown).toBe(true)
    expect(error.operation).toBe('Card.Purchase')
    expect(error.known).toMatchObject({
      type: 'Card.Purchase',
      fields: { AmountTotal: '100' },
      registerId: REGISTER.id,
    })
    expect((error.cause as TillkitHttpError).status).toBe(code)
    expect(calls).toHaveLength(1)
  })

  it('a response lost after sending (connection reset) is an unknown outcome, sent once', async () => {
    const { client, calls } = setup([undiciError('ECONNRESET'), STARTED])
    const error = await rejection(
      client.startTransaction('Card.Refund', { AmountTotal: 100 }),
      TillkitUnknownOutcomeError,
    )
    expect(error.reason).toBe('network')
    expect(calls).toHaveLength(1)
  })

  it('a start that times out is an unknown outcome', async () => {
    const { client, calls } = setup(['hang'], { timeoutMs: 5_000 })
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
      TillkitUnknownOutcomeError,
    )
    expect(error.reason).toBe('timeout')
    expect(calls).toHaveLength(1)
  })

  it('a connection that was never made is not sent: a plain network error, safe to try again', async () => {
    const { client, calls } = setup([undiciError('ECONNREFUSED'), STARTED])
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
      TillkitNetworkError,
    )
    expect(error.mayHaveReachedProvider).toBe(false)
    expect(calls).toHaveLength(1)
  })

  it('aborting before sending rejects with TillkitAbortedError; aborting in flight is an unknown outcome', async () => {
    const before = setup()
    const done = new AbortController()
    done.abort()
    const error = await rejection(
      before.client.startTransaction(
        'Card.Purchase',
        { AmountTotal: 100 },
        { signal: done.signal },
      ),
      TillkitAbortedError,
    )
    expect(error.mayHaveReachedProvider).toBe(false)
    expect(before.calls).toHaveLength(0)

    const controller = new AbortController()
    const during = setup([
      (request) =>
        new Promise<Response>((_, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason))
          controller.abort()
        }),
    ])
    const unknown = await rejection(
      during.client.startTransaction(
        'Card.Purchase',
        { AmountTotal: 100 },
        { signal: controller.signal },
      ),
      TillkitUnknownOutcomeError,
    )
    expect(unknown.reason).toBe('aborted')
  })

  it('an answer whose body breaks off is an unknown outcome', async () => {
    const broken = new ReadableStream({ pull: (c) => c.error(new TypeError('terminated')) })
    const { client } = setup([new Response(broken, { status: 200 })])
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
      TillkitUnknownOutcomeError,
    )
    expect(error.reason).toBe('network')
  })

  it.each([
    ['an opaque redirect (status 0, as browsers report it)', Response.error(), 'redirect'],
    [
      'a redirect (never followed)',
      new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/' } }),
      'redirect',
    ],
    [
      'a body that is not JSON',
      new Response('<html>ok</html>', { status: 200 }),
      'malformed-response',
    ],
    [
      'no polling URL',
      json({ transactionId: 'tx-1', transactionStatus: 'PENDING', data: {} }),
      'malformed-response',
    ],
    [
      'no transaction id',
      json({ transactionStatus: 'PENDING', data: { PollingUrl: POLLING_URL } }),
      'malformed-response',
    ],
    [
      'a polling URL that is not a URL',
      json({ transactionId: 'tx-1', data: { PollingUrl: 'pos/transaction/1' } }),
      'malformed-response',
    ],
    [
      'a plain-http polling URL on another host',
      json({
        transactionId: 'tx-1',
        data: { PollingUrl: 'http://evil.example/t?merchantAccessToken=x' },
      }),
      'malformed-response',
    ],
  ])('an answer with %s is an unknown outcome', async (_, response, reason) => {
    const { client } = setup([response])
    const error = await rejection(
      client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
      TillkitUnknownOutcomeError,
    )
    expect(error.reason).toBe(reason)
    // The transaction id Smartpay named, when it named one, is kept for its support.
    const named = reason === 'malformed-response' && !/no transaction id|not JSON/.test(_)
    expect((error.known as { transactionId?: string }).transactionId).toBe(
      named ? 'tx-1' : undefined,
    )
  })
})

describe('transact', () => {
  it('starts, hands the pending transaction to onStarted before the first poll, then waits', async () => {
    const order: string[] = []
    const { client, calls } = setup([
      STARTED,
      (request) => {
        order.push(`poll ${new URL(request.url).pathname}`)
        return json({
          transactionStatus: 'COMPLETED',
          data: { TransactionResult: 'OK-ACCEPTED', Result: 'OK' },
        })
      },
    ])
    const outcome = await client.transact(
      'Card.Purchase',
      { AmountTotal: 700 },
      {
        onStarted: async (pending) => {
          order.push(`stored ${pending.transactionId}`)
        },
      },
    )
    expect(order).toEqual(['stored tx-1', 'poll /pos/transaction/tx-1'])
    expect(outcome).toMatchObject({ status: 'approved', transactionId: 'tx-1' })
    expect(calls).toHaveLength(2)
  })
})

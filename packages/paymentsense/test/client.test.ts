import { describe, expect, it } from 'vitest'
import { createManualClock, TillkitValidationError } from '@tillkit/core'
import {
  createPaymentsenseClient,
  type PacComponents,
  type PaymentsenseClientOptions,
} from '../src/index.js'
import { waitForTransaction } from '../src/watch.js'
import { refusal } from '../../core/test/helpers.js'

const API_KEY = `ps_test_${crypto.randomUUID()}`

interface Recorded {
  at: number
  method: string
  url: string
  headers: Record<string, string>
  body: string
}

/** A fetch that records what the client sends and answers from a script. */
function recorder(answer: (req: Request) => Response = () => Response.json({ terminals: [] })) {
  const clock = createManualClock({ autoAdvance: true })
  const sent: Recorded[] = []
  const fetch = async (request: Request) => {
    sent.push({
      at: clock.now(),
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    })
    return answer(request)
  }
  return { sent, fetch, clock }
}

function options(overrides: Partial<PaymentsenseClientOptions> = {}): PaymentsenseClientOptions {
  return {
    account: 'mysite',
    environment: 'test',
    apiKey: API_KEY,
    softwareHouseId: 'SWH-1',
    installerId: 'INST-1',
    ...overrides,
  }
}

describe('createPaymentsenseClient options', () => {
  it.each([
    ['options.apiKey', { apiKey: '' }],
    ['options.softwareHouseId', { softwareHouseId: '' }],
    ['options.installerId', { installerId: undefined as unknown as string }],
    ['options.environment', { environment: 'staging' as 'test' }],
    ['options.account', { account: 'not a host!' }],
    ['options.account', { account: '' }],
    ['options.baseUrl', { baseUrl: 'ftp://x' }],
    ['options.timeoutMs', { timeoutMs: 0 }],
    ['options.timeoutMs', { timeoutMs: 1.5 }],
    ['options.minIntervalMs', { minIntervalMs: -1 }],
    ['options.username', { username: 'has:colon' }],
    ['options.fetch', { fetch: 'nope' as unknown as typeof fetch }],
    // Values no header can carry: trimmed to nothing, a line break, beyond ISO-8859-1.
    ['options.softwareHouseId', { softwareHouseId: '   ' }],
    ['options.installerId', { installerId: 'INST\r\n1' }],
    ['options.installerId', { installerId: 'Installateur €' }],
    ['options.apiKey', { apiKey: ` ${API_KEY}` }],
    ['options.apiKey', { apiKey: `${API_KEY}☕` }],
    ['options.username', { username: 'Till ☕' }],
    // A retry policy whose bounds are not numbers in range would retry without end.
    ['options.retry.maxAttempts', { retry: { maxAttempts: Number.NaN } }],
    ['options.retry.maxAttempts', { retry: { maxAttempts: 0 } }],
    ['options.retry.maxElapsedMs', { retry: { maxElapsedMs: Infinity } }],
    ['options.retry.retryOnStatus', { retry: { retryOnStatus: 503 as unknown as number[] } }],
    ['options.retry.retryOnStatus[1]', { retry: { retryOnStatus: [503, 5030] } }],
    ['options.retry', { retry: true as unknown as false }],
  ])('rejects a bad %s with a typed error naming it, never quoting the key', (field, overrides) => {
    refusal(() => createPaymentsenseClient(options(overrides)), field, API_KEY)
  })

  it('takes ISO-8859-1 header values and a partial retry policy, or none', () => {
    const { fetch } = recorder()
    for (const overrides of [
      { installerId: 'Installé par Zoë', username: 'Café till 2' },
      { retry: { maxAttempts: 5, retryOnStatus: [503] } },
      { retry: { baseDelayMs: undefined } },
      { retry: false as const },
    ])
      expect(() => createPaymentsenseClient(options({ ...overrides, fetch }))).not.toThrow()
  })

  it('rejects a non-object', () => {
    expect(() => createPaymentsenseClient(null as unknown as PaymentsenseClientOptions)).toThrow(
      TillkitValidationError,
    )
  })

  it.each([
    ['test', 'https://mysite.test.connect.paymentsense.cloud/pac/terminals'],
    ['live', 'https://mysite.connect.paymentsense.cloud/pac/terminals'],
  ] as const)('derives the %s host from the account', async (environment, url) => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ environment, fetch, clock }))
    await client.pac.GET('/pac/terminals')
    expect(sent[0]?.url).toBe(url)
  })

  it('uses baseUrl when given (a proxy or a fake on loopback)', async () => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(
      options({ baseUrl: 'http://127.0.0.1:9/', fetch, clock }),
    )
    await client.pac.GET('/pac/terminals', { params: { query: { status: 'BUSY' } } })
    expect(sent[0]?.url).toBe('http://127.0.0.1:9/pac/terminals?status=BUSY')
  })

  it('writes query strings of single values, encoded, leaving out absent ones', async () => {
    const { sent, fetch, clock } = recorder(() => Response.json({ tables: [] }))
    const client = createPaymentsenseClient(
      options({ baseUrl: 'http://127.0.0.1:9', fetch, clock }),
    )
    await client.pat.GET('/pat/tables', {
      params: { query: { locked: false, currency: 'GBP' } },
    })
    await client.pat.GET('/pat/tables/{tableName}', {
      params: { path: { tableName: 'a b' }, query: { receipt: undefined } },
    })
    await client.pac.GET('/pac/terminals', {
      params: { query: { status: 'A&B=C' as 'BUSY' } },
    })
    expect(sent.map((r) => r.url)).toEqual([
      'http://127.0.0.1:9/pat/tables?locked=false&currency=GBP',
      'http://127.0.0.1:9/pat/tables/a%20b',
      'http://127.0.0.1:9/pac/terminals?status=A%26B%3DC',
    ])
  })
})

describe('what the client sends', () => {
  it('sets Basic auth, the v2 media type and the required headers on pay-at-counter requests', async () => {
    const { sent, fetch, clock } = recorder(() =>
      Response.json({ requestId: 'r1', location: '/x' }, { status: 201 }),
    )
    const client = createPaymentsenseClient(options({ fetch, clock, username: 'till-7' }))
    await client.pac.POST('/pac/terminals/{tid}/transactions', {
      params: { path: { tid: 'T1' } },
      body: { transactionType: 'SALE', amount: 100, currency: 'GBP' },
    })
    const headers = sent[0]!.headers
    expect(headers.authorization).toBe(`Basic ${btoa(`till-7:${API_KEY}`)}`)
    expect(headers.accept).toBe('application/connect.v2+json')
    expect(headers['content-type']).toBe('application/connect.v2+json')
    expect(headers['software-house-id']).toBe('SWH-1')
    expect(headers['installer-id']).toBe('INST-1')
    expect(JSON.parse(sent[0]!.body)).toEqual({
      transactionType: 'SALE',
      amount: 100,
      currency: 'GBP',
    })
  })

  it('uses the v1 media type for pay-at-table and sends no Content-Type without a body', async () => {
    const { sent, fetch, clock } = recorder(() => Response.json({ tables: [] }))
    const client = createPaymentsenseClient(options({ fetch, clock }))
    await client.pat.GET('/pat/tables')
    expect(sent[0]!.headers.accept).toBe('application/connect.v1+json')
    expect(sent[0]!.headers['content-type']).toBeUndefined()
    expect(sent[0]!.headers.authorization).toMatch(/^Basic /)
  })

  it('spaces requests 100 ms apart by default (Connect may enforce 0.1 s per account)', async () => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ fetch, clock }))
    await Promise.all([
      client.pac.GET('/pac/terminals'),
      client.pac.GET('/pac/terminals'),
      client.pat.GET('/pat/tables'),
    ])
    const gaps = sent.slice(1).map((r, i) => r.at - sent[i]!.at)
    expect(gaps.every((gap) => gap >= 100)).toBe(true)
  })
})

describe('bad input is rejected before any network call', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['amount', { transactionType: 'SALE', amount: 12.5, currency: 'GBP' }, 'amount'],
    ['amount', { transactionType: 'SALE', amount: 0, currency: 'GBP' }, 'amount'],
    ['amount', { transactionType: 'SALE', amount: 100_000_000, currency: 'GBP' }, 'amount'],
    ['amount', { transactionType: 'REFUND', currency: 'GBP' }, 'amount'],
    ['currency', { transactionType: 'SALE', amount: 100, currency: 'USD' }, 'currency'],
    ['type', { transactionType: 'PAYMENT', amount: 100, currency: 'GBP' }, 'transactionType'],
    [
      'cashback',
      { transactionType: 'SALE', amount: 100, amountCashback: 10_001, currency: 'GBP' },
      'amountCashback',
    ],
    [
      'cashback',
      { transactionType: 'REFUND', amount: 100, amountCashback: 50, currency: 'GBP' },
      'amountCashback',
    ],
    [
      'completion',
      {
        transactionType: 'COMPLETION',
        amount: 100,
        currency: 'GBP',
        amountPreAuthorisedTotal: 100,
      },
      'authCode',
    ],
    [
      'completion',
      { transactionType: 'COMPLETION', amount: 100, currency: 'GBP', authCode: 'A1' },
      'amountPreAuthorisedTotal',
    ],
    [
      'authCode',
      { transactionType: 'SALE', amount: 100, currency: 'GBP', authCode: 'A1' },
      'authCode',
    ],
    ['duplicate', { transactionType: 'DUPLICATE', amount: 100 }, 'amount'],
    [
      'duplicate',
      { transactionType: 'DUPLICATE', cardholderNotPresent: true },
      'cardholderNotPresent',
    ],
    [
      'cnp',
      { transactionType: 'SALE', amount: 100, currency: 'GBP', cardholderNotPresent: 'yes' },
      'cardholderNotPresent',
    ],
  ]
  it('checks a call made through request() as it checks POST', async () => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ fetch, clock }))
    const attempt = client.pac.request('post', '/pac/terminals/{tid}/transactions', {
      params: { path: { tid: 'T1' } },
      body: { transactionType: 'SALE', amount: 0, currency: 'GBP' },
    })
    await expect(attempt).rejects.toMatchObject({ name: 'TillkitValidationError', field: 'amount' })
    expect(sent).toHaveLength(0)
    await client.pac.request('post', '/pac/terminals/{tid}/transactions', {
      params: { path: { tid: 'T1' } },
      body: { transactionType: 'SALE', amount: 100, currency: 'GBP' },
    })
    expect(sent[0]?.headers['content-type']).toBe('application/connect.v2+json')
  })

  it.each(cases)('transaction %s rule: %j names %s', async (_rule, body, field) => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ fetch, clock }))
    const attempt = client.pac.POST('/pac/terminals/{tid}/transactions', {
      params: { path: { tid: 'T1' } },
      body: body as never,
    })
    await expect(attempt).rejects.toMatchObject({ name: 'TillkitValidationError', field })
    expect(sent).toHaveLength(0)
  })

  it('accepts every valid transaction shape', async () => {
    const { sent, fetch, clock } = recorder(() =>
      Response.json({ requestId: 'r', location: '/l' }, { status: 201 }),
    )
    const client = createPaymentsenseClient(options({ fetch, clock }))
    // Typed as the schema's union: every valid shape compiles without a cast.
    const bodies: PacComponents['schemas']['TransactionRequest'][] = [
      {
        transactionType: 'SALE',
        amount: 1,
        amountCashback: 10_000,
        currency: 'EUR',
        cardholderNotPresent: true,
      },
      { transactionType: 'REFUND', amount: 99_999_999, currency: 'GBP' },
      { transactionType: 'PRE_AUTH', amount: 500, currency: 'GBP' },
      {
        transactionType: 'COMPLETION',
        amount: 400,
        currency: 'GBP',
        authCode: 'A1B2',
        amountPreAuthorisedTotal: 500,
      },
      { transactionType: 'ACCOUNT_VERIFICATION', currency: 'GBP' },
      // Connect's own example: nothing but the type.
      { transactionType: 'ACCOUNT_VERIFICATION' },
      { transactionType: 'DUPLICATE' },
    ]
    for (const body of bodies)
      await client.pac.POST('/pac/terminals/{tid}/transactions', {
        params: { path: { tid: 'T1' } },
        body,
      })
    expect(sent).toHaveLength(bodies.length)
  })

  it.each([['signature', () => ({ accepted: 'yes' }), 'accepted']])(
    '%s body rule',
    async (_name, body, field) => {
      const { sent, fetch, clock } = recorder()
      const client = createPaymentsenseClient(options({ fetch, clock }))
      await expect(
        client.pac.PUT('/pac/terminals/{tid}/transactions/{requestId}/signature', {
          params: { path: { tid: 'T1', requestId: 'r' } },
          body: body() as never,
        }),
      ).rejects.toMatchObject({ field })
      expect(sent).toHaveLength(0)
    },
  )

  it.each([
    ['no body', undefined],
    ['a non-object body', 'SALE'],
    ['an array body', [{ transactionType: 'SALE' }]],
  ])('rejects %s where the operation needs one', async (_name, body) => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ fetch, clock }))
    await expect(
      client.pac.POST('/pac/terminals/{tid}/transactions', {
        params: { path: { tid: 'T1' } },
        body: body as never,
      }),
    ).rejects.toMatchObject({ name: 'TillkitValidationError', field: 'body' })
    expect(sent).toHaveLength(0)
  })

  it('rejects a polling interval outside 100 ms to 60 s before polling', async () => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ fetch, clock }))
    for (const intervalMs of [50, 60_001, 1.5])
      await expect(waitForTransaction(client, 'T1', 'r1', { intervalMs })).rejects.toMatchObject({
        field: 'intervalMs',
      })
    expect(sent).toHaveLength(0)
  })

  it('tolerates a poll body without notifications and keeps polling', async () => {
    const bodies = [{}, { notifications: ['TRANSACTION_STARTED', 'TRANSACTION_FINISHED'] }]
    const { sent, fetch, clock } = recorder(() => Response.json(bodies.shift() ?? {}))
    const client = createPaymentsenseClient(options({ fetch, clock }))
    const seen: string[] = []
    await waitForTransaction(client, 'T1', 'r1', { onNotification: (n) => void seen.push(n) })
    expect(seen).toEqual(['TRANSACTION_STARTED', 'TRANSACTION_FINISHED'])
    expect(sent).toHaveLength(2)
  })

  it('rejects a bad report type, an empty path parameter and bad table writes', async () => {
    const { sent, fetch, clock } = recorder()
    const client = createPaymentsenseClient(options({ fetch, clock }))
    await expect(
      client.pac.POST('/pac/terminals/{tid}/reports', {
        params: { path: { tid: 'T1' } },
        body: { reportType: 'WEEKLY' } as never,
      }),
    ).rejects.toMatchObject({ field: 'reportType' })
    await expect(
      client.pac.GET('/pac/terminals/{tid}', { params: { path: { tid: '' } } }),
    ).rejects.toMatchObject({
      field: 'tid',
    })
    await expect(
      client.pat.PUT('/pat/tables/{tableName}/amount', {
        params: { path: { tableName: 'T5' } },
        body: { lastKnownAmount: 100, lastKnownPaidAmount: 0, newAmount: -1 } as never,
      }),
    ).rejects.toMatchObject({ field: 'newAmount' })
    await expect(
      client.pat.PUT('/pat/tables/{tableName}/lock', {
        params: { path: { tableName: 'T5' } },
        body: { lastKnownPaidAmount: 0, locked: true } as never,
      }),
    ).rejects.toMatchObject({ field: 'lastKnownAmount' })
    await expect(
      client.pat.PUT('/pat/tables', {
        body: { tableName: '', amount: 1, currency: 'GBP' } as never,
      }),
    ).rejects.toMatchObject({ field: 'tableName' })
    expect(sent).toHaveLength(0)
  })
})

import { describe, expect, it } from 'vitest'
import { createPaymentsenseClient, type PaymentsenseClientOptions } from '../src/index.js'
import { hostileAmounts, refused as refusedBy } from '../../core/test/hostile.js'

const API_KEY = `ps_test_${crypto.randomUUID()}`

/** A fetch that counts what reaches it. */
function recorder() {
  const urls: string[] = []
  const fetch = async (request: Request) => {
    urls.push(request.url)
    return Response.json({ requestId: 'r1', location: '/x' }, { status: 201 })
  }
  return { urls, fetch }
}

const options = (overrides: Record<string, unknown> = {}) =>
  ({
    account: 'mysite',
    environment: 'test',
    apiKey: API_KEY,
    softwareHouseId: 'SWH-1',
    installerId: 'INST-1',
    ...overrides,
  }) as PaymentsenseClientOptions

/** `f` throws (or rejects with) a TillkitValidationError naming `field`, without the key. */
const refused = (attempt: () => unknown, field: string) => refusedBy(attempt, field, API_KEY)

const sale = { transactionType: 'SALE', amount: 100, currency: 'GBP' } as const

describe('hostile options of createPaymentsenseClient', () => {
  it('refuses a 1 MB apiKey with a typed error, not a RangeError from the Basic header', async () => {
    await refused(
      () => createPaymentsenseClient(options({ apiKey: 'k'.repeat(1 << 20) })),
      'options.apiKey',
    )
  })

  it('refuses a 1 MB username with a typed error, not a RangeError', async () => {
    await refused(
      () => createPaymentsenseClient(options({ username: 'u'.repeat(1 << 20) })),
      'options.username',
    )
  })

  it.each([
    ['a string', 'not a clock'],
    ['null', null],
    ['an empty object', {}],
  ])('refuses a clock that is %s at creation, naming options.clock', async (_, clock) => {
    const { urls, fetch } = recorder()
    await refused(async () => {
      const client = createPaymentsenseClient(options({ clock, fetch }))
      await client.pac.GET('/pac/terminals')
    }, 'options.clock')
    expect(urls).toEqual([])
  })
})

describe('hostile path parameters of pac/pat calls', () => {
  it('refuses a tid holding a lone surrogate with a typed error naming it (not a URIError)', async () => {
    const { urls, fetch } = recorder()
    const client = createPaymentsenseClient(options({ fetch }))
    await refused(
      () =>
        client.pac.POST('/pac/terminals/{tid}/transactions', {
          params: { path: { tid: 'T\ud8001' } },
          body: sale,
        }),
      'tid',
    )
    expect(urls).toEqual([])
  })

  it.each(['..', '.'])(
    'refuses the dot segment %j as a tid instead of sending the sale to another path',
    async (tid) => {
      const { urls, fetch } = recorder()
      const client = createPaymentsenseClient(options({ fetch }))
      await refused(
        () =>
          client.pac.POST('/pac/terminals/{tid}/transactions', {
            params: { path: { tid } },
            body: sale,
          }),
        'tid',
      )
      expect(urls).toEqual([])
    },
  )

  it('refuses the dot segment ".." as a tableName (DELETE would hit /pat/tables)', async () => {
    const { urls, fetch } = recorder()
    const client = createPaymentsenseClient(options({ fetch }))
    await refused(
      () =>
        client.pat.DELETE('/pat/tables/{tableName}', {
          params: { path: { tableName: '..' } },
          body: { lastKnownAmount: 0, lastKnownPaidAmount: 0 },
        } as never),
      'tableName',
    )
    expect(urls).toEqual([])
  })
})

describe('hostile amounts are refused before any request', () => {
  it.each(hostileAmounts(100))('amount as %s', async (_, amount) => {
    const { urls, fetch } = recorder()
    const client = createPaymentsenseClient(options({ fetch }))
    await refused(
      () =>
        client.pac.POST('/pac/terminals/{tid}/transactions', {
          params: { path: { tid: 'T1' } },
          body: { ...sale, amount } as never,
        }),
      'amount',
    )
    expect(urls).toEqual([])
  })

  it.each([
    ['an array', [sale]],
    ['a string', JSON.stringify(sale)],
    ['null', null],
  ])('a body that is %s', async (_, body) => {
    const { urls, fetch } = recorder()
    const client = createPaymentsenseClient(options({ fetch }))
    await refused(
      () =>
        client.pac.POST('/pac/terminals/{tid}/transactions', {
          params: { path: { tid: 'T1' } },
          body: body as never,
        }),
      'body',
    )
    expect(urls).toEqual([])
  })
})

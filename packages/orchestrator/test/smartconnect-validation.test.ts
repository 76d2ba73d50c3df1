import { describe, expect, it, vi } from 'vitest'
import { thrown } from '../../core/test/helpers.js'
import { createMemoryJournal, TillkitValidationError, type PaymentRequest } from '../src/index.js'
import { smartconnectAdapter, type SmartConnectAdapterOptions } from '../src/smartconnect.js'
import { registerFor, sale, setup, TID } from './smartconnect-harness.js'

const base = { ...sale(1250), kind: 'sale' } as PaymentRequest
const completion = { original: { transactionReference: 'room-12' }, kind: 'completion' }

const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ['an unknown account', { account: 'nope' }, 'account', /must be one of store/],
  ['an account verification', { kind: 'accountVerification' }, 'kind', /sale, refund, preAuth/],
  ['a terminal not configured', { terminal: 'VT999' }, 'terminal', /terminal of account store/],
  ['a currency the terminals do not take', { currency: 'AUD' }, 'currency', /NZD on terminal/],
  ['an amount over the guard', { amount: 100_000_000 }, 'amount', /99999999/],
  ['a zero amount', { amount: 0 }, 'amount', /integer from 1/],
  ['cashback on a refund', { kind: 'refund', cashback: 100 }, 'cashback', /only allowed for sale/],
  [
    'cash out taking the total over the guard',
    { amount: 99_999_000, cashback: 2_000 },
    'cashback',
    /from 0 to 999 /,
  ],
  ['an auth code', { ...completion, authCode: 'A1' }, 'authCode', /transactionReference/],
  ['a pre-auth amount', { ...completion, preAuthAmount: 10 }, 'preAuthAmount', /not used/],
  [
    'a completion without the pre-auth reference',
    { kind: 'completion', original: { transactionId: 'x' } },
    'original.transactionReference',
    /must be a string/,
  ],
  ['a referenced refund', { kind: 'refund', original: { x: 'y' } }, 'original', /not referenced/],
  ['any extra option', { extra: { saleData: '{}' } }, 'extra.saleData', /not an option/],
  ['a reference over 64 characters', { reference: 'x'.repeat(65) }, 'reference', /must match/],
]

describe('bad SmartConnect input is refused with a typed error before anything is written or sent', () => {
  it.each(bad)('%s', async (_name, change, field, rule) => {
    const journal = createMemoryJournal()
    const { orchestrator, seen } = await setup({ orchestrator: { journal } })
    const error = await orchestrator
      .pay({ ...base, ...change } as PaymentRequest)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe(field)
    expect((error as TillkitValidationError).message).toMatch(rule)
    expect((error as TillkitValidationError).mayHaveReachedProvider).toBe(false)
    expect(seen).toHaveLength(0)
    expect(await journal.unfinished()).toEqual([])
  })

  it('a completion naming its pre-auth by an empty reference', async () => {
    const { orchestrator, seen } = await setup()
    const error = await orchestrator
      .completion({ ...sale(100), original: { transactionReference: '' } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ field: 'original.transactionReference' })
    expect(seen).toHaveLength(0)
  })
})

describe('adapter options are checked when it is made', () => {
  const good: SmartConnectAdapterOptions = {
    environment: 'dev',
    currency: 'NZD',
    terminals: [{ terminal: TID, register: registerFor(TID) }],
  }
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a currency SmartConnect does not serve', { currency: 'USD' }, /options.currency/],
    ['no terminals', { terminals: [] }, /options.terminals: must list/],
    [
      'a terminal twice',
      { terminals: [...good.terminals, ...good.terminals] },
      /terminals\[1\].terminal: is listed twice/,
    ],
    [
      'a terminal without a register',
      { terminals: [{ terminal: TID, register: { id: registerFor(TID).id } }] },
      /options.register.name/,
    ],
    ['a cadence faster than 2 s', { cadenceMs: 1_999 }, /options.cadenceMs/],
    ['a token life under a minute', { tokenLifetimeMs: 1_000 }, /options.tokenLifetimeMs/],
    ['a bad timeout', { timeoutMs: 0 }, /options.timeoutMs/],
  ]
  it.each(cases)('%s', (_name, change, message) => {
    expect(() => smartconnectAdapter({ ...good, ...change } as SmartConnectAdapterOptions)).toThrow(
      message,
    )
  })

  it('a register id that is not a UUID (the POSRegisterID) is a typed error, before any request', () => {
    const fetch = vi.fn()
    for (const id of ['register-VT000001', registerFor(TID).id.replaceAll('-', '')]) {
      const error = thrown(
        () =>
          smartconnectAdapter({
            ...good,
            terminals: [{ terminal: TID, register: { ...registerFor(TID), id } }],
            fetch,
          }),
        TillkitValidationError,
      )
      expect(error).toMatchObject({ field: 'options.register.id', mayHaveReachedProvider: false })
      expect(error.rule).toMatch(/^must be a UUID/)
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it('the defaults: 3 s cadence, no spacing, retention of the polling token (15 minutes)', () => {
    const adapter = smartconnectAdapter(good)
    expect(adapter.pacing).toEqual({
      mode: 'after-answer',
      cadenceMs: 3_000,
      cadenceRangeMs: [2_000, 60_000],
      spacingMs: 0,
      retentionMs: 900_000,
    })
    expect(adapter.capabilities).toEqual({
      kinds: ['sale', 'refund', 'preAuth', 'completion'],
      cancel: false,
      signature: 'terminal',
      findsLostStarts: false,
    })
    expect(adapter.secretIds).toEqual(['pollingUrl'])
  })
})

import { TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { thrown } from '../../core/test/helpers.js'
import { pacingOf, saidIn } from '../src/adapters/shared.js'
import { adyenAdapter } from '../src/adyen.js'
import { paymentsenseAdapter, paymentsenseWebSocketAdapter } from '../src/paymentsense.js'
import { payrocAdapter } from '../src/payroc.js'
import { smartconnectAdapter } from '../src/smartconnect.js'

const defaults = { cadenceMs: 1_000, spacingMs: 100, retentionMs: 3_600_000 }

const fieldOf = (attempt: () => unknown) => thrown(attempt, TillkitValidationError).field

describe('the pacing options every polled adapter takes', () => {
  it('fills in the defaults and keeps what was given', () => {
    expect(pacingOf({}, defaults, [500, 2_000])).toEqual(defaults)
    expect(pacingOf({ cadenceMs: 2_000, spacingMs: 0 }, defaults, [500, 2_000])).toEqual({
      ...defaults,
      cadenceMs: 2_000,
      spacingMs: 0,
    })
  })

  it('checks the cadence against the bounds given, spacing and retention against fixed ones', () => {
    const check = (options: object) => fieldOf(() => pacingOf(options, defaults, [500, 2_000]))
    expect(check({ cadenceMs: 499 })).toBe('options.cadenceMs')
    expect(check({ cadenceMs: 2_001 })).toBe('options.cadenceMs')
    expect(check({ spacingMs: -1 })).toBe('options.spacingMs')
    expect(check({ spacingMs: 60_001 })).toBe('options.spacingMs')
    expect(check({ retentionMs: 59_999 })).toBe('options.retentionMs')
    expect(check({ retentionMs: 30 * 24 * 3_600_000 + 1 })).toBe('options.retentionMs')
    // One order for every adapter: the cadence is named first.
    expect(check({ cadenceMs: 1, spacingMs: -1, retentionMs: 1 })).toBe('options.cadenceMs')
    expect(check({ spacingMs: -1, retentionMs: 1 })).toBe('options.spacingMs')
  })

  it('the REST adapters refuse a bad spacing or retention by its name before anything else', () => {
    const made = {
      paymentsense: (more: object) =>
        paymentsenseAdapter({
          account: 'acme',
          environment: 'test',
          apiKey: 'k',
          softwareHouseId: 'SWH',
          installerId: 'INST',
          ...more,
        }),
      payroc: (more: object) =>
        payrocAdapter({ apiKey: 'k', environment: 'test', processingTerminalId: '1', ...more }),
      adyen: (more: object) =>
        adyenAdapter({
          apiKey: 'k',
          environment: 'test',
          transport: 'device-api',
          merchantAccount: 'Shop',
          saleId: 'till-1',
          ...more,
        } as Parameters<typeof adyenAdapter>[0]),
    }
    for (const make of Object.values(made)) {
      expect(() => make({})).not.toThrow()
      expect(fieldOf(() => make({ spacingMs: 60_001 }))).toBe('options.spacingMs')
      expect(fieldOf(() => make({ retentionMs: 59_999 }))).toBe('options.retentionMs')
    }
  })
})

describe("the provider's own words in an error body", () => {
  it('takes the first named field that holds a string, and only if it says something', () => {
    expect(saidIn({ userMessage: 'Terminal busy' }, 'userMessage')).toBe('Terminal busy')
    expect(saidIn({ detail: 'bad amount', title: 'Bad Request' }, 'detail', 'title')).toBe(
      'bad amount',
    )
    expect(saidIn({ detail: 42, title: 'Bad Request' }, 'detail', 'title')).toBe('Bad Request')
    // An empty first string is the provider saying nothing: no fallback to a later field.
    expect(saidIn({ detail: '', title: 'Bad Request' }, 'detail', 'title')).toBeUndefined()
    expect(saidIn({ error: ['busy'] }, 'error')).toBeUndefined()
    expect(saidIn({}, 'error')).toBeUndefined()
    for (const body of [undefined, null, 'Terminal busy', 503])
      expect(saidIn(body, 'error')).toBeUndefined()
  })
})

describe('adapter options that are not an object', () => {
  it('every adapter refuses them with a typed error naming options, before reading a field', () => {
    const adapters = [
      paymentsenseAdapter,
      paymentsenseWebSocketAdapter,
      payrocAdapter,
      adyenAdapter,
      smartconnectAdapter,
    ] as Array<(options: never) => unknown>
    for (const make of adapters)
      for (const options of [null, undefined, 'options'])
        expect(fieldOf(() => make(options as never))).toBe('options')
  })
})

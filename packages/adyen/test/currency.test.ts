import { TillkitProtocolError, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  CURRENCY_EXPONENTS,
  currencyExponent,
  maxMinorAmount,
  toDecimalText,
  toMajorUnits,
  toMinorUnits,
} from '../src/index.js'

/** The decimal text of `minor` in a currency of `exponent` decimals, by BigInt arithmetic (no floats at all). */
function expected(minor: bigint, exponent: number): string {
  const scale = 10n ** BigInt(exponent)
  const whole = (minor / scale).toString()
  const fraction = (minor % scale).toString().padStart(exponent, '0').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : whole
}

/** Amounts worth trying in one currency: every value up to 2 000, the edges of each power of ten, the max, and a sweep. */
function samples(max: number): number[] {
  const values = new Set<number>()
  for (let v = 0; v <= 2_000; v++) values.add(v)
  for (let p = 1; 10 ** p <= max + 1; p++)
    for (const d of [-1, 0, 1]) if (10 ** p + d <= max) values.add(10 ** p + d)
  for (let i = 0; i < 3_000; i++) values.add(Math.floor((max * ((i * 7919) % 3_001)) / 3_000))
  values.add(max)
  values.add(max - 1)
  return [...values]
}

describe('minor and major units', () => {
  it('knows the exponents that differ from 2', () => {
    expect([currencyExponent('JPY'), currencyExponent('GBP'), currencyExponent('BHD')]).toEqual([
      0, 2, 3,
    ])
    expect([currencyExponent('CLF'), currencyExponent('UYW'), currencyExponent('KRW')]).toEqual([
      4, 4, 0,
    ])
    expect(new Set(Object.values(CURRENCY_EXPONENTS))).toEqual(new Set([0, 2, 3, 4]))
    expect(Object.keys(CURRENCY_EXPONENTS).every((code) => /^[A-Z]{3}$/.test(code))).toBe(true)
  })

  it.each([0, 2, 3, 4])(
    'round-trips exactly, and writes the exact decimal on the wire, for exponent %i',
    (exponent) => {
      const currencies = Object.keys(CURRENCY_EXPONENTS).filter(
        (c) => CURRENCY_EXPONENTS[c] === exponent,
      )
      expect(currencies.length).toBeGreaterThan(0)
      const max = maxMinorAmount(currencies[0]!)
      expect(max).toBe(10 ** (8 + exponent) - 1)
      for (const currency of currencies) {
        for (const minor of currency === currencies[0] ? samples(max) : [0, 1, 99, 12_345, max]) {
          const major = toMajorUnits(minor, currency)
          // What JSON sends is exactly the decimal, with no float noise (10.1, never 10.099999999999999).
          expect(JSON.stringify(major)).toBe(expected(BigInt(minor), exponent))
          expect(toMinorUnits(major, currency)).toBe(minor)
          // As received: JSON text parsed back.
          expect(toMinorUnits(JSON.parse(JSON.stringify(major)) as number, currency)).toBe(minor)
        }
      }
    },
  )

  it('examples', () => {
    expect(toMajorUnits(1050, 'EUR')).toBe(10.5)
    expect(toDecimalText(1050, 'EUR')).toBe('10.50')
    expect(toMajorUnits(1200, 'JPY')).toBe(1200)
    expect(toMajorUnits(1234, 'BHD')).toBe(1.234)
    expect(toMinorUnits(10.1, 'EUR')).toBe(1010)
    expect(toMinorUnits(0.005, 'BHD')).toBe(5)
    expect(toMinorUnits(99999999.99, 'EUR')).toBe(9_999_999_999)
  })

  it('reads exponential spellings', () => {
    expect(toMinorUnits(1e-4, 'CLF')).toBe(1)
    expect(toMinorUnits(2e3, 'JPY')).toBe(2000)
  })

  it('refuses bad minor amounts and unknown currencies before anything is sent', () => {
    const refusal = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(TillkitValidationError)
        return `${(e as TillkitValidationError).field}: ${(e as TillkitValidationError).rule}`
      }
      throw new Error('did not throw')
    }
    expect(refusal(() => toMajorUnits(10.5, 'EUR'))).toBe(
      'amount: must be an integer from 0 to 9999999999',
    )
    expect(refusal(() => toMajorUnits(-1, 'EUR'))).toMatch(/^amount: must be an integer/)
    expect(refusal(() => toMajorUnits(10 ** 8, 'JPY', 'tip'))).toBe(
      'tip: must be an integer from 0 to 99999999',
    )
    expect(refusal(() => toMajorUnits(1, 'XAU'))).toMatch(/^currency: must be an ISO 4217/)
    expect(refusal(() => toMajorUnits(1, 'eur'))).toMatch(/^currency:/)
    expect(refusal(() => currencyExponent(42))).toMatch(/^currency:/)
    expect(refusal(() => currencyExponent('toString'))).toMatch(/^currency:/)
  })

  it('refuses received amounts that are not amounts of the currency', () => {
    for (const [value, currency] of [
      [10.005, 'EUR'],
      [1.5, 'JPY'],
      [-1, 'EUR'],
      [Number.NaN, 'EUR'],
      [Infinity, 'EUR'],
      [1e9, 'EUR'],
      [1e21, 'EUR'],
      [1e-7, 'CLF'],
      // Float noise is not an amount: 0.1 + 0.2 is 0.30000000000000004.
      [0.1 + 0.2, 'EUR'],
    ] as const) {
      expect(() => toMinorUnits(value, currency, 'AuthorizedAmount')).toThrow(TillkitProtocolError)
    }
    // A received currency without known minor units is an answer that cannot be read, not bad input
    // (a validation error would say nothing reached Adyen, and invite sending again).
    for (const currency of ['XXX', 'eur', 'toString'])
      expect(() => toMinorUnits(1, currency, 'AuthorizedAmount')).toThrow(TillkitProtocolError)
  })
})

/**
 * What every provider's hostile-input tests share: the refusal they expect before any request, and
 * the values an amount must never be taken as.
 */
import { expect } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'

/** `attempt` throws or rejects with a TillkitValidationError naming `field` (and never `secret`). */
export async function refused(attempt: () => unknown, field: string, secret?: string) {
  let error: unknown
  try {
    await attempt()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(TillkitValidationError)
  expect((error as TillkitValidationError).field).toBe(field)
  if (secret !== undefined) expect(String((error as Error).message)).not.toContain(secret)
}

/** Values that are not an integer amount of minor units, each spelling `amount` its own way. */
export const hostileAmounts = (amount: number): Array<[string, unknown]> => [
  ['NaN', Number.NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['1.5', 1.5],
  ['2**53', 2 ** 53],
  ['a numeric string', String(amount)],
  ['a BigInt', BigInt(amount)],
  ['a Symbol', Symbol('amount')],
  ['null', null],
  ['an array', [amount]],
  ['a Date', new Date(amount)],
  ['a thenable', { then: (resolve: (v: number) => void) => resolve(amount) }],
  ['a function', () => amount],
  ['a boxed number', Object(amount)],
]

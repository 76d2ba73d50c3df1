/**
 * What every fake's option checks test alike: `createFakeCloud(options)` refuses a bad value or an
 * unknown name with a TillkitValidationError naming the option, at construction, and takes the
 * valid ones it documents.
 */
import { expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'

/** A case: what it is, the options, and the field the error must name. */
export type BadOption = [name: string, options: unknown, field: string]

export function fakeOptionTests(
  create: (options?: never) => unknown,
  bad: readonly BadOption[],
  valid: ReadonlyArray<[name: string, options: unknown]>,
): void {
  it.each(bad)('refuses %s, naming the option', (_name, options, field) => {
    let error: unknown
    try {
      create(options as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe(field)
  })

  it.each(valid)('takes %s', (_name, options) => {
    expect(() => create(options as never)).not.toThrow()
  })
}

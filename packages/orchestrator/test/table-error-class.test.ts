import { TillkitAbortedError, TillkitHttpError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { TableError } from '../src/tables.js'

/**
 * `TableError` extends `TillkitError` and passes core's codes to it ('HTTP', or 'ABORTED' for a
 * closed table). Since core's `Symbol.hasInstance` accepts any error whose mark (its `code`)
 * equals a core class's static `code`, a TableError is now `instanceof TillkitHttpError` (or
 * `TillkitAbortedError`) within one copy of core, and TypeScript narrows it so: `status` is typed
 * `number` but is undefined. Core's README: "a subclass made outside core is only ever matched by
 * its own class".
 */
describe('TableError and core classes', () => {
  it('a locked table is not a TillkitHttpError', () => {
    const error: unknown = new TableError('locked', 'T1', 'table T1 is locked')
    expect(error instanceof TillkitHttpError).toBe(false)
  })

  it('a closed table is not a TillkitAbortedError', () => {
    const error: unknown = new TableError('closed', 'T1', 'table T1 is closed')
    expect(error instanceof TillkitAbortedError).toBe(false)
  })
})

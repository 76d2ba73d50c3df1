import { describe, expect, it } from 'vitest'
import {
  TillkitAbortedError,
  TillkitError,
  TillkitHttpError,
  TillkitValidationError,
} from '../src/errors.js'

/**
 * `TillkitError[Symbol.hasInstance]` falls back to the mark (the instance's `code`) for any value
 * the prototype check refuses, including errors of *this* copy of core. A subclass of
 * `TillkitError` made outside core that passes one of core's codes to `super` (as
 * `@tillkit/orchestrator`'s `TableError` passes 'HTTP' or 'ABORTED') is then an instance of
 * `TillkitHttpError` / `TillkitAbortedError`, and TypeScript narrows it to one: `status`, `body`,
 * `url` are typed but undefined. The README says "a subclass made outside core is only ever
 * matched by its own class".
 */
class LockedError extends TillkitError {
  constructor() {
    super('HTTP', 'table T1 is locked', false)
    this.name = 'LockedError'
  }
}
class ClosedError extends TillkitError {
  constructor() {
    super('ABORTED', 'table T1 was closed', false)
    this.name = 'ClosedError'
  }
}

describe('instanceof with a subclass made outside core (same copy of core)', () => {
  it('a TillkitError subclass whose code is HTTP is not a TillkitHttpError', () => {
    const e: unknown = new LockedError()
    expect(e instanceof TillkitError).toBe(true)
    expect(e instanceof TillkitHttpError).toBe(false)
    // What the narrowing promises:
    if (e instanceof TillkitHttpError) expect(typeof e.status).toBe('number')
  })

  it('a TillkitError subclass whose code is ABORTED is not a TillkitAbortedError', () => {
    expect(new ClosedError() instanceof TillkitAbortedError).toBe(false)
  })

  it('while a real subclass of a core class still is one (control)', () => {
    class Mine extends TillkitValidationError {}
    expect(new Mine('f', 'r') instanceof TillkitValidationError).toBe(true)
  })
})

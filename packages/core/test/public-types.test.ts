/**
 * Type-level checks of @tillkit/core's public error, clock and node entry types. Checked by
 * `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import {
  createManualClock,
  isTillkitError,
  TillkitError,
  TillkitHttpError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  type TillkitErrorCode,
} from '@tillkit/core'
import { createNodeFetch } from '@tillkit/core/node'

it('public types: checked by tsc only', () => {})

export function valid(e: unknown): void {
  if (isTillkitError(e)) expectTypeOf(e).toExtend<TillkitError>()
  if (e instanceof TillkitHttpError) {
    expectTypeOf(e.status).toEqualTypeOf<number>()
    expectTypeOf(e.body).toEqualTypeOf<unknown>()
  }
  if (e instanceof TillkitValidationError) expectTypeOf(e.field).toEqualTypeOf<string>()
  expectTypeOf<TillkitError['code']>().toEqualTypeOf<TillkitErrorCode>()
  const typed = new TillkitUnknownOutcomeError('x', {
    operation: 'op',
    reason: 'network',
    known: { idempotencyKey: 'k' },
  })
  expectTypeOf(typed.known).toEqualTypeOf<{ idempotencyKey: string }>()
  // Narrowed by instanceof, known is an object, named by a cast to the provider's type: never any.
  if (e instanceof TillkitUnknownOutcomeError) {
    expectTypeOf(e.known).toEqualTypeOf<object>()
    expectTypeOf(e.known as { idempotencyKey: string }).toHaveProperty('idempotencyKey')
    expectTypeOf(e.code).toEqualTypeOf<'UNKNOWN_OUTCOME'>()
  }
  const clock = createManualClock({ autoAdvance: true })
  expectTypeOf(clock.now()).toEqualTypeOf<number>()
  // The unmarked README block (README.md:197), its own lines.
  const fetch = createNodeFetch({ maxSockets: 8 })
  fetch.close()
}

export function codes(e: unknown): void {
  // Each class has its own literal code, so `code` tells the classes apart.
  if (e instanceof TillkitValidationError) expectTypeOf(e.code).toEqualTypeOf<'VALIDATION'>()
  if (isTillkitError(e) && e.code === 'HTTP') expectTypeOf(e).toExtend<TillkitHttpError>()
}

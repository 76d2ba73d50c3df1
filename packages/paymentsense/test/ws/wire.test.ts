import { describe, expect, it } from 'vitest'
import { exceedsBytes } from '../../src/ws/wire.js'

// Schema errors in words are core's (describeSchemaErrors, schemaValidationError), tested there.
describe('wire helpers', () => {
  it('exceedsBytes counts UTF-8 bytes only when the length cannot tell', () => {
    expect(exceedsBytes('a'.repeat(11), 10)).toBe(true)
    expect(exceedsBytes('€€€', 9)).toBe(false)
    expect(exceedsBytes('€€€€', 10)).toBe(true)
    expect(exceedsBytes('😀😀', 8)).toBe(false) // two surrogate pairs: 4 units, 8 bytes
    expect(exceedsBytes('😀😀', 7)).toBe(true)
  })
})

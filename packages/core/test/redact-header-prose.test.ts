import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { TillkitHttpError } from '../src/errors.js'
import { createRedactor } from '../src/redact.js'

/**
 * The new text pattern for secret headers (redact.ts, PATTERNS[1]) matches `authorization`,
 * `api-key` or `cookie` anywhere (no word start, no header context) followed by `:` or `=`, and
 * takes everything to the end of the line. Prose that merely says "authorization:" loses the rest
 * of its line (a decline reason, a provider's error detail), and a JSON key ending in
 * "Authorization" whose value is an object gets its `{` replaced. Meanwhile two ordinary ways of
 * writing a header out (a Map, as `inspect` prints one; a raw header list, as Node's
 * `rawHeaders` or `[...headers]`) keep the secret.
 */
const KEY = 'AQEyhmfxK4LNahZGw0m/n3Q5qf3VaY9UCJ14XWZE03G4ZJA'

describe('secret headers written as text', () => {
  it('leave prose that only mentions authorization as it is', () => {
    const redact = createRedactor()
    // A line that starts with the name reads as a header (`AUTHORIZATION: 012345` is redacted).
    for (const text of [
      'Card authorization: declined by issuer (05)',
      'the terminal asked for authorization: none came',
    ])
      expect(redact(text)).toBe(text)
  })

  it("keep a provider's error detail readable", () => {
    const error = new TillkitHttpError({
      status: 401,
      body: { detail: 'Missing authorization: send the identity token from /authorize' },
      method: 'POST',
      url: 'https://pos.test/payment-instructions',
    })
    expect(error.body).toEqual({
      detail: 'Missing authorization: send the identity token from /authorize',
    })
  })

  it('do not break JSON text whose key ends in Authorization', () => {
    const text = '{"preAuthorization":{"amount":100},"x":"y"}'
    expect(() => JSON.parse(createRedactor()(text))).not.toThrow()
  })

  it('are removed from a Map as inspect prints it', () => {
    const text = inspect(new Map([['x-api-key', KEY]]))
    expect(createRedactor()(text)).not.toContain(KEY)
  })

  it('are removed from a raw header list', () => {
    const redact = createRedactor()
    expect(redact(JSON.stringify([...new Headers({ 'x-api-key': KEY })]))).not.toContain(KEY)
    expect(redact(inspect(['x-api-key', KEY]))).not.toContain(KEY)
  })
})

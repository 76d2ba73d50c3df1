import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'
import { createRedactor } from '../src/redact.js'
import { checkFields, TRANSPORT_RULES } from '../src/validate.js'

describe('README claims, checked against the code', () => {
  // README, Rules every client shares: "`TRANSPORT_RULES`: `timeoutMs` (1 to 600 000), `fetch`, `retry`, `clock` and
  // `logger` (taken as it is)".
  it('TRANSPORT_RULES checks timeoutMs, fetch, retry and clock, and names logger', () => {
    expect(Object.keys(TRANSPORT_RULES).sort()).toEqual([
      'clock',
      'fetch',
      'logger',
      'retry',
      'timeoutMs',
    ])
    const refused = (options: Record<string, unknown>) => {
      try {
        checkFields(options, TRANSPORT_RULES, 'options.')
      } catch (error) {
        return error instanceof TillkitValidationError ? error.field : error
      }
      return undefined
    }
    expect(refused({ timeoutMs: 600_001 })).toBe('options.timeoutMs')
    expect(refused({ clock: { now: () => 0 } })).toBe('options.clock')
    expect(refused({ timeoutMs: 1, clock: undefined })).toBeUndefined()
  })

  // README, Redaction: "query parameters named `key`, `apiKey` or `api_key`, or with a name ending in `token`
  // (`token`, `merchantAccessToken`, `access_token`...), in any case".
  it('query parameters: key, apiKey, api_key and any name ending in token, in any case', () => {
    const redact = createRedactor()
    const names = [
      'key',
      'apiKey',
      'api_key',
      'API_KEY',
      'token',
      'merchantAccessToken',
      'access_token',
    ]
    for (const name of [...names, 'refresh_token', 'ID_TOKEN'])
      expect(redact(`https://x.example/p?a=1&${name}=s3cr3t&b=2`)).toBe(
        `https://x.example/p?a=1&${name}=[REDACTED]&b=2`,
      )
    expect(redact('https://x.example/p?monkey=banana&tokens=1')).toBe(
      'https://x.example/p?monkey=banana&tokens=1',
    )
  })
})

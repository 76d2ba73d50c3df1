import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { TillkitNetworkError } from '../src/errors.js'
import { safeLogger } from '../src/logger.js'
import { createRedactor } from '../src/redact.js'
import { captureLogger } from './helpers.js'

/**
 * An API-key header quoted as text (an error from a proxy or a custom fetch, a curl line in a log)
 * is a secret like a Basic or Bearer header quoted the same way, which the fixed patterns remove.
 */
const KEY = 'AQEyhmfxK4LNahZGw0m/n3Q5qf3VaY9UCJ14XWZE03G4ZJA'

describe('API-key headers written as text', () => {
  it('are removed from an error cause by the fixed patterns, any case', () => {
    for (const name of ['X-API-Key', 'x-api-key', 'X-API-KEY']) {
      const cause = new Error(`proxy refused the request: ${name}: ${KEY}`)
      const error = new TillkitNetworkError('POST https://pos.test/sync failed', true, { cause })
      const outputs = [
        String((error.cause as Error).message),
        String((error.cause as Error).stack),
        inspect(error),
      ]
      for (const output of outputs) expect(output, name).not.toContain(KEY)
    }
  })

  it('are removed from log lines by the fixed patterns', () => {
    const { lines, logger } = captureLogger()
    const log = safeLogger(logger, createRedactor())
    log.warn({ curl: `curl -H "x-api-key: ${KEY}" https://pos.test/sync` }, 'replay with')
    expect(JSON.stringify(lines)).not.toContain(KEY)
  })

  it('are removed to the end of the value in every spelling, and Basic or Bearer keeps its label', () => {
    const redact = createRedactor()
    const cases: Array<[string, string]> = [
      [`{"x-api-key":"${KEY}","accept":"*/*"}`, `{"x-api-key":"[REDACTED]","accept":"*/*"}`],
      [`{ 'X-API-Key': '${KEY}' }`, `{ 'X-API-Key': '[REDACTED]' }`],
      [`x-api-key=${KEY}&tid=T1`, `x-api-key=[REDACTED]&tid=T1`],
      [`x-api-key: ${KEY}\naccept: */*`, `x-api-key: [REDACTED]\naccept: */*`],
      [`Cookie: sid=${KEY}; csrf=${KEY}`, `Cookie: [REDACTED]`],
      [`Set-Cookie: sid=${KEY}; Path=/`, `Set-Cookie: [REDACTED]`],
      [`Authorization: ${KEY}`, `Authorization: [REDACTED]`],
      [`Authorization: Token ${KEY}`, `Authorization: [REDACTED]`],
      [`Proxy-Authorization: Basic ${KEY}`, `Proxy-Authorization: Basic [REDACTED]`],
      [`Authorization: Bearer ${KEY}`, `Authorization: Bearer [REDACTED]`],
      // Words around the names stay as they are.
      ['no cookies: none sent', 'no cookies: none sent'],
      ['x-api-key-id: 7', 'x-api-key-id: 7'],
    ]
    for (const [text, expected] of cases) expect(redact(text)).toBe(expected)
  })
})

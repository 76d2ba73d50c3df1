/**
 * A client factory's options are checked by one piece of core: an unknown (misspelt) name is
 * refused, naming it but never quoting its value, before any field is looked at.
 */
import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'
import {
  checkClientOptions,
  int,
  optional,
  retryPolicy,
  text,
  TRANSPORT_RULES,
  type Rules,
} from '../src/validate.js'
import { captureLogger, refusal, unknownName } from './helpers.js'

const SECRET = `sk_live_${crypto.randomUUID()}`
const RULES: Rules = { apiKey: text, stepMs: optional(int(0, 1_000)) }
/** Names checked elsewhere (a host): known, but not checked here. */
const HOST: Rules = { account: text }

describe('checkClientOptions', () => {
  it('takes the names of every table given, checking only the first', () => {
    expect(() =>
      checkClientOptions({ apiKey: 'k', stepMs: 5, account: 1 }, RULES, HOST),
    ).not.toThrow()
  })

  it('refuses an unknown name, listing the names of every table, without its value', () => {
    const error = unknownName(
      () => checkClientOptions({ apiKey: 'k', apiKye: SECRET }, RULES, HOST),
      'options.apiKye',
      SECRET,
    )
    expect(error.rule).toBe('is not a known name (known: apiKey, stepMs, account)')
  })

  it('refuses an unknown name before a bad value', () => {
    unknownName(
      () => checkClientOptions({ stepMs: -1, step: SECRET }, RULES),
      'options.step',
      SECRET,
    )
  })

  it('needs the options (a client has no default credentials), and checks their values', () => {
    for (const options of [undefined, null, [], 'k'])
      expect(refusal(() => checkClientOptions(options, RULES), 'options', SECRET).rule).toBe(
        'must be an object',
      )
    refusal(() => checkClientOptions({ apiKey: 'k', stepMs: -1 }, RULES), 'options.stepMs', SECRET)
  })
})

describe('the transport options every client takes', () => {
  it('know `logger`: any logger is taken as it is', () => {
    const { logger } = captureLogger()
    for (const value of [logger, console, undefined])
      expect(() => checkClientOptions({ logger: value }, TRANSPORT_RULES)).not.toThrow()
  })

  it('refuse an unknown name in `retry`', () => {
    let error: unknown
    try {
      retryPolicy('options.retry', { maxAttempt: 3 }, {})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(error).toMatchObject({ field: 'options.retry.maxAttempt' })
  })
})

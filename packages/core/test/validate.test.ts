import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'
import {
  assertAbsent,
  assertBoolean,
  assertInteger,
  assertOneOf,
  assertString,
  absent,
  bool,
  checkFields,
  dateTime,
  fields,
  list,
  segment,
  urlText,
  clockLike,
  assertObject,
  int,
  oneOf,
  optional,
  string,
  text,
  header,
  retryPolicy,
  TRANSPORT_RULES,
  number,
  allOf,
  distinct,
  assertKnownFields,
  exactFields,
  checkOptions,
  type Rules,
} from '../src/validate.js'
import { uuid } from '../src/ids.js'
import { createManualClock } from '../src/clock.js'

/** Runs `fn`, returns the validation error it threw. */
function caught(fn: () => void): TillkitValidationError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(TillkitValidationError)
    return e as TillkitValidationError
  }
  throw new Error('expected a validation error')
}

describe('assertInteger', () => {
  it('accepts integers in range, inclusive', () => {
    for (const v of [1, 50, 99_999_999])
      expect(() => assertInteger('amount', v, 1, 99_999_999)).not.toThrow()
  })

  it('rejects out of range, fractions, NaN, strings and missing values, naming field and rule', () => {
    for (const v of [0, 100_000_000, 1.5, NaN, Infinity, '5', undefined, null]) {
      const e = caught(() => assertInteger('amount', v, 1, 99_999_999))
      expect(e.field).toBe('amount')
      expect(e.rule).toBe('must be an integer from 1 to 99999999')
      expect(e.message.startsWith('amount: must be an integer from 1 to 99999999')).toBe(true)
      expect(e.mayHaveReachedProvider).toBe(false)
    }
    expect(caught(() => assertInteger('amount', 0, 1, 9)).message).toBe(
      'amount: must be an integer from 1 to 9 (received 0)',
    )
    expect(caught(() => assertInteger('amount', '5', 1, 9)).message).toContain('(received "5")')
    expect(caught(() => assertInteger('amount', null, 1, 9)).message).toContain('(received null)')
    expect(caught(() => assertInteger('amount', {}, 1, 9)).message).toContain('(received object)')
    expect(caught(() => assertInteger('amount', [], 1, 9)).message).toContain('(received object)')
    expect(caught(() => assertInteger('amount', () => 1, 1, 9)).message).toContain(
      '(received function)',
    )
  })
})

describe('assertOneOf', () => {
  it('accepts listed values and rejects others', () => {
    expect(() => assertOneOf('currency', 'GBP', ['GBP', 'EUR'])).not.toThrow()
    const e = caught(() => assertOneOf('currency', 'USD', ['GBP', 'EUR']))
    expect(e.message).toBe('currency: must be one of GBP, EUR (received "USD")')
    expect(e.rule).toBe('must be one of GBP, EUR')
    expect(() => assertOneOf('currency', undefined, ['GBP'])).toThrow(TillkitValidationError)
  })
})

describe('assertString', () => {
  it('checks type, lengths and pattern', () => {
    expect(() =>
      assertString('s', 'abc', { minLength: 3, maxLength: 3, pattern: /^a/ }),
    ).not.toThrow()
    expect(caught(() => assertString('s', 3)).rule).toBe('must be a string')
    expect(caught(() => assertString('s', 'ab', { minLength: 3 })).rule).toBe(
      'must be at least 3 characters long',
    )
    expect(caught(() => assertString('s', 'abcd', { maxLength: 3 })).rule).toBe(
      'must be at most 3 characters long',
    )
    expect(caught(() => assertString('s', 'xyz', { pattern: /^a/ })).rule).toBe('must match /^a/')
  })

  it('reports a broken pattern by its rule in words when given one', () => {
    const rules = { pattern: /^[0-9]+$/, patternRule: 'must be digits', maxLength: 3 }
    const e = caught(() => assertString('code', 'x1', rules))
    expect(e.rule).toBe('must be digits')
    expect(e.message).toBe('code: must be digits (received "x1")')
    // Only the pattern's rule: the other checks keep theirs.
    expect(caught(() => assertString('code', '12345', rules)).rule).toBe(
      'must be at most 3 characters long',
    )
    expect(caught(() => assertString('code', 5, rules)).rule).toBe('must be a string')
  })

  it('gives the same answer every call with a global pattern', () => {
    const pattern = /^a+$/g
    for (let i = 0; i < 3; i++) expect(() => assertString('s', 'aaa', { pattern })).not.toThrow()
  })

  it('truncates long values in the message', () => {
    const e = caught(() => assertString('s', 'x'.repeat(100), { maxLength: 3 }))
    expect(e.message).toContain(`(received "${'x'.repeat(40)}")`)
    expect(e.message).not.toContain('x'.repeat(41))
  })

  it('never quotes a secret, whatever rule it breaks', () => {
    const key = `sk_test_${uuid()}`
    const failures = [
      () => assertString('apiKey', key, { secret: true, maxLength: 5 }),
      () => assertString('apiKey', key, { secret: true, minLength: 500 }),
      () => assertString('apiKey', key, { secret: true, pattern: /^live_/ }),
    ]
    for (const fail of failures) {
      const e = caught(fail)
      expect(e.message).not.toContain(key)
      expect(e.message).not.toContain('received')
      expect(e.field).toBe('apiKey')
    }
    expect(caught(() => assertString('apiKey', 12345678, { secret: true })).message).toBe(
      'apiKey: must be a string',
    )
  })
})

describe('assertBoolean and assertAbsent', () => {
  it('assertBoolean accepts only booleans', () => {
    expect(() => assertBoolean('accepted', false)).not.toThrow()
    expect(caught(() => assertBoolean('accepted', 'true')).message).toBe(
      'accepted: must be a boolean (received "true")',
    )
  })

  it('assertAbsent rejects any present value with the reason as rule', () => {
    expect(() => assertAbsent('amountCashback', undefined, 'only allowed for SALE')).not.toThrow()
    for (const v of [0, null, '']) {
      const e = caught(() => assertAbsent('amountCashback', v, 'only allowed for SALE'))
      expect(e.rule).toBe('only allowed for SALE')
      expect(e.message.startsWith('amountCashback: only allowed for SALE')).toBe(true)
    }
  })
})

describe('uuid', () => {
  it('returns distinct v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 100 }, uuid))
    expect(ids.size).toBe(100)
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})

describe('rule tables', () => {
  const rules: Rules = {
    kind: oneOf(['A', 'B']),
    amount: int(1, 10),
    note: optional(text),
    flag: optional(bool),
    extra: absent('only allowed for B'),
    label: optional(string({ maxLength: 3 })),
  }

  it('passes a body that keeps every rule, and skips optional fields that are missing', () => {
    expect(() => checkFields({ kind: 'A', amount: 5 }, rules)).not.toThrow()
    expect(() =>
      checkFields({ kind: 'B', amount: 10, note: 'x', flag: false, label: 'abc' }, rules),
    ).not.toThrow()
  })

  it.each([
    [{ kind: 'C', amount: 5 }, 'kind'],
    [{ kind: 'A', amount: 11 }, 'amount'],
    [{ kind: 'A', amount: 5, note: '' }, 'note'],
    [{ kind: 'A', amount: 5, flag: 'yes' }, 'flag'],
    [{ kind: 'A', amount: 5, extra: 1 }, 'extra'],
    [{ kind: 'A', amount: 5, label: 'long' }, 'label'],
  ])('names the first broken field of %j: %s', (body, field) => {
    expect(() => checkFields(body, rules)).toThrow(expect.objectContaining({ field }))
  })

  it('checks fields in table order and prefixes their names', () => {
    expect(() => checkFields({ kind: 'C', amount: 0 }, rules, 'options.')).toThrow(
      expect.objectContaining({ field: 'options.kind' }),
    )
  })
})

describe('nested rules: fields and list', () => {
  const lines: Rules = { lines: list(fields({ value: string({}), bold: optional(bool) })) }

  it('checks every item of a list and every field of an object in it', () => {
    expect(() => checkFields({ lines: [] }, lines)).not.toThrow()
    expect(() =>
      checkFields({ lines: [{ value: 'a' }, { value: '', bold: true }] }, lines),
    ).not.toThrow()
  })

  it.each([
    [{}, 'lines', 'must be an array'],
    [{ lines: 'a' }, 'lines', 'must be an array'],
    [{ lines: [{ value: 'a' }, null] }, 'lines[1]', 'must be an object'],
    [{ lines: [['a']] }, 'lines[0]', 'must be an object'],
    [{ lines: [{ value: 'a' }, { value: 1 }] }, 'lines[1].value', 'must be a string'],
    [{ lines: [{ value: 'a', bold: 'yes' }] }, 'lines[0].bold', 'must be a boolean'],
  ])('names the item and field that break a rule: %j', (body, field, rule) => {
    expect(caught(() => checkFields(body, lines))).toMatchObject({ field, rule })
  })

  it('reports a rule of its own when given one', () => {
    const statuses = list(int(100, 599), 'must be an array of HTTP statuses')
    expect(caught(() => statuses('codes', 500, {}))).toMatchObject({
      field: 'codes',
      rule: 'must be an array of HTTP statuses',
    })
    expect(caught(() => fields({}, 'must be false or an object')('retry', 1, {})).rule).toBe(
      'must be false or an object',
    )
  })
})

describe('values put in URLs, clocks and objects', () => {
  it('segment: a non-empty, well-formed path segment that is not . or ..', () => {
    expect(() => segment('tid', 'T-1', {})).not.toThrow()
    expect(() => segment('tid', 'a.b', {})).not.toThrow()
    for (const [value, rule] of [
      ['', /at least 1/],
      ['.', /not be \. or \.\./],
      ['..', /not be \. or \.\./],
      ['T\ud800', /lone surrogate/],
      ['\udc00T', /lone surrogate/],
      [7, /must be a string/],
    ] as const)
      expect(caught(() => segment('tid', value, {})).rule).toMatch(rule)
    // A surrogate pair is well-formed.
    expect(() => segment('tid', 'T\ud83d\ude00', {})).not.toThrow()
  })

  it('urlText: non-empty, well-formed text', () => {
    expect(() => urlText('q', 'a b&c', {})).not.toThrow()
    expect(caught(() => urlText('q', 'x\ud800', {})).rule).toMatch(/lone surrogate/)
    expect(caught(() => urlText('q', '', {})).rule).toMatch(/at least 1/)
  })

  it('clockLike: now, schedule and sleep functions', () => {
    expect(() => clockLike('clock', createManualClock(), {})).not.toThrow()
    for (const value of [null, 'clock', {}, { now: () => 0 }])
      expect(caught(() => clockLike('clock', value, {})).field).toBe('clock')
  })

  it('assertObject: an object, not null or an array', () => {
    expect(() => assertObject('options', {})).not.toThrow()
    for (const value of [null, [], 'x', 1])
      expect(caught(() => assertObject('options', value)).rule).toBe('must be an object')
  })

  it('header values are at most 8 192 characters', () => {
    expect(() => header()('h', 'x'.repeat(8_192), {})).not.toThrow()
    expect(caught(() => header(true)('h', 'x'.repeat(8_193), {})).rule).toMatch(/at most 8192/)
  })
})

describe('header values', () => {
  const check = (value: unknown, secret?: boolean) => () => header(secret)('id', value, {})

  it('takes printable ISO-8859-1 with inner spaces and tabs', () => {
    for (const value of ['SWH-1', 'Installé par Zoë', 'a\tb c', '~', '\xff'])
      expect(check(value)).not.toThrow()
  })

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['a leading space', ' id'],
    ['a trailing tab', 'id\t'],
    ['a line break', 'a\r\nX-Injected: 1'],
    ['a control character', 'a\u0001b'],
    ['DEL', 'a\u007fb'],
    ['beyond ISO-8859-1', 'caf€'],
    ['not a string', 42],
  ])('refuses %s', (_what, value) => {
    expect(caught(check(value)).field).toBe('id')
  })

  it('never quotes a secret one', () => {
    expect(caught(check('sk_live_☕', true)).message).not.toContain('sk_live')
  })
})

describe('retry policies', () => {
  const check = (value: unknown) => () => retryPolicy('retry', value, {})

  it('takes false, an empty policy, bounds in range and explicit undefineds', () => {
    for (const value of [
      false,
      {},
      { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 0, retryOnStatus: [] },
      { maxAttempts: 100, retryOnStatus: [429, 503] },
      { maxAttempts: undefined },
    ])
      expect(check(value)).not.toThrow()
  })

  it.each([
    [true, 'retry'],
    [[], 'retry'],
    [null, 'retry'],
    [{ maxAttempts: Number.NaN }, 'retry.maxAttempts'],
    [{ maxAttempts: 0 }, 'retry.maxAttempts'],
    [{ baseDelayMs: -1 }, 'retry.baseDelayMs'],
    [{ maxDelayMs: 1.5 }, 'retry.maxDelayMs'],
    [{ maxElapsedMs: Infinity }, 'retry.maxElapsedMs'],
    [{ retryOnStatus: '503' }, 'retry.retryOnStatus'],
    [{ retryOnStatus: [503, 99] }, 'retry.retryOnStatus[1]'],
  ])('refuses %j, naming %s', (value, field) => {
    expect(caught(check(value)).field).toBe(field)
  })

  it('is what TRANSPORT_RULES checks, with the timeout, the fetch and the clock', () => {
    const options = {
      timeoutMs: 0,
      fetch: 'no',
      retry: { maxAttempts: 0 },
      clock: { now: () => 0 },
    }
    // The logger is known but taken as it is (safeLogger copes with any).
    for (const [field, check] of Object.entries(TRANSPORT_RULES).filter(([f]) => f != 'logger'))
      expect(
        caught(() => check(`options.${field}`, options[field as keyof typeof options], options))
          .field,
      ).toMatch(new RegExp(`^options\\.${field}`))
    expect(() => checkFields({}, TRANSPORT_RULES)).not.toThrow()
  })
})

describe('dateTime', () => {
  it('takes an RFC 3339 date-time with its offset on a real day, and nothing else', () => {
    for (const ok of ['2026-01-01T12:00:00Z', '2026-02-28T23:59:59.123+01:00'])
      expect(() => dateTime('at', ok, {})).not.toThrow()
    for (const bad of [
      'yesterday',
      '2026-01-01T12:00:00',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      5,
    ])
      expect(() => dateTime('at', bad, {})).toThrow(TillkitValidationError)
  })
})

describe('options objects (fake clouds)', () => {
  const failure = (run: () => void) => {
    try {
      run()
    } catch (e) {
      if (e instanceof TillkitValidationError) return [e.field, e.rule]
      throw e
    }
    return undefined
  }
  const RULES: Rules = {
    stepMs: optional(int(0, 1_000)),
    hours: optional(number(Number.MIN_VALUE, 24, 'must be above 0, at most 24')),
    items: optional(allOf(list(exactFields({ id: text, on: optional(bool) })), distinct('id'))),
  }

  it('takes undefined, an empty object and good values, fractions where a number is asked for', () => {
    for (const options of [
      undefined,
      {},
      { stepMs: 0, hours: 0.5, items: [{ id: 'a' }, { id: 'b', on: true }] },
    ])
      expect(failure(() => checkOptions(options, RULES))).toBeUndefined()
  })

  it.each([
    ['no object', 'x', 'options'],
    ['an array', [], 'options'],
    ['an unknown name, with the known ones', { stpeMs: 1 }, 'options.stpeMs'],
    ['NaN', { hours: NaN }, 'options.hours'],
    ['Infinity', { hours: Infinity }, 'options.hours'],
    ['zero where above 0', { hours: 0 }, 'options.hours'],
    ['a number as text', { hours: '1' }, 'options.hours'],
    ['an unknown field of an item', { items: [{ id: 'a', off: true }] }, 'options.items[0].off'],
    [
      'an id given twice, at the second',
      { items: [{ id: 'a' }, { id: 'b' }, { id: 'a' }] },
      'options.items[2].id',
    ],
  ])('refuses %s', (_name, options, field) => {
    expect(failure(() => checkOptions(options, RULES))?.[0]).toBe(field)
  })

  it('names the known fields in the rule, and checks an unknown name first', () => {
    expect(failure(() => checkOptions({ stepMs: -1, stpeMs: 1 }, RULES))).toEqual([
      'options.stpeMs',
      'is not a known name (known: stepMs, hours, items)',
    ])
    expect(failure(() => assertKnownFields({ a: 1 }, {}, 'x.'))?.[0]).toBe('x.a')
    // A misspelt secret option: the name is wrong, and its value stays out of the message.
    const secret = 'sk_live_unique_7f3a9c'
    const error = (() => {
      try {
        checkOptions({ apiKey: secret }, RULES)
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toMatch(/^options\.apiKey: is not a known name/)
    expect(error?.message).not.toContain(secret)
    expect(failure(() => distinct('id')('list', [{ id: 1 }, { id: 1 }], {}))).toEqual([
      'list[1].id',
      'is also list[0].id',
    ])
    // An optional key: items that leave it out do not clash with each other.
    expect(failure(() => distinct('code')('list', [{}, { code: 'A' }, {}], {}))).toBeUndefined()
    expect(failure(() => distinct('code')('list', [{}, { code: 'A' }, { code: 'A' }], {}))).toEqual(
      ['list[2].code', 'is also list[1].code'],
    )
  })
})

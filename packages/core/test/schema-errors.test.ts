import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'
import { describeSchemaErrors, schemaValidationError } from '../src/schema-errors.js'

const error = (fields: Record<string, unknown>) => ({
  instancePath: '',
  keyword: 'type',
  params: {},
  ...fields,
})

const extra = error({
  instancePath: '/params',
  keyword: 'additionalProperties',
  params: { additionalProperty: 'tip' },
  message: 'must NOT have additional properties',
})
const currency = error({
  instancePath: '/params/currency',
  keyword: 'enum',
  params: { allowedValues: ['GBP', 'EUR'] },
  message: 'must be equal to one of the allowed values',
})

describe('describeSchemaErrors', () => {
  it('joins the distinct errors with their field, extra property and allowed values', () => {
    expect(
      describeSchemaErrors([
        extra,
        currency,
        error({ instancePath: '/id', message: 'must be integer' }),
        error({ instancePath: '/id', message: 'must be integer' }),
        error({
          keyword: 'const',
          params: { allowedValue: '2.0' },
          message: 'must be equal to constant',
        }),
        error({ instancePath: '/x' }),
      ]),
    ).toBe(
      'params (tip) must NOT have additional properties; ' +
        'params.currency must be equal to one of the allowed values ["GBP","EUR"]; ' +
        'id must be integer; message must be equal to constant "2.0"; x is invalid',
    )
  })

  it('keeps at most `limit` lines, and says "invalid" when there is nothing to say', () => {
    expect(describeSchemaErrors([extra, currency], 1)).toBe(
      'params (tip) must NOT have additional properties',
    )
    expect(describeSchemaErrors(null)).toBe('invalid')
    expect(describeSchemaErrors([])).toBe('invalid')
  })
})

describe('schemaValidationError', () => {
  it('names the first failing field and its rule, with the allowed values', () => {
    const e = schemaValidationError([currency, extra])
    expect(e).toBeInstanceOf(TillkitValidationError)
    expect(e).toMatchObject({
      field: 'params.currency',
      rule: 'must be equal to one of the allowed values ["GBP","EUR"]',
    })
  })

  it('names an extra field with its own rule, under a prefix', () => {
    expect(schemaValidationError([extra], { prefix: 'sale' })).toMatchObject({
      field: 'sale.params.tip',
      rule: 'is not allowed',
    })
    expect(
      schemaValidationError([extra], { extraField: 'is not a field of Payment' }),
    ).toMatchObject({
      rule: 'is not a field of Payment',
    })
  })

  it('falls back to "message is invalid" without errors', () => {
    expect(schemaValidationError(undefined)).toMatchObject({ field: 'message', rule: 'is invalid' })
  })
})

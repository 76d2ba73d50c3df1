import { describe, expect, it } from 'vitest'
import { describeErrors, exceedsBytes, toValidationError } from '../../src/ws/wire.js'

const error = (fields: Record<string, unknown>) => ({
  instancePath: '',
  schemaPath: '#',
  keyword: 'type',
  params: {},
  ...fields,
})

describe('wire helpers', () => {
  it('describeErrors joins distinct errors, names the root "message", survives missing parts', () => {
    expect(describeErrors(null)).toBe('invalid')
    expect(
      describeErrors([
        error({
          keyword: 'additionalProperties',
          params: { additionalProperty: 'x' },
          message: 'must NOT have additional properties',
        }),
        error({ instancePath: '/params/amount', message: 'must be integer' }),
        error({ instancePath: '/params/amount', message: 'must be integer' }),
        error({ instancePath: '/id' }),
      ]),
    ).toBe(
      'message (x) must NOT have additional properties; params.amount must be integer; id is invalid',
    )
  })

  it('toValidationError names the field and quotes allowed values', () => {
    expect(toValidationError(undefined)).toMatchObject({ field: 'message', rule: 'is invalid' })
    expect(
      toValidationError([
        error({
          instancePath: '/params/currency',
          keyword: 'enum',
          params: { allowedValues: ['GBP', 'EUR'] },
          message: 'must be equal to one of the allowed values',
        }),
      ]),
    ).toMatchObject({
      field: 'params.currency',
      rule: 'must be equal to one of the allowed values ["GBP","EUR"]',
    })
    expect(
      toValidationError(
        [
          error({
            instancePath: '/jsonrpc',
            keyword: 'const',
            params: { allowedValue: '2.0' },
            message: 'must be equal to constant',
          }),
        ],
        'answer',
      ),
    ).toMatchObject({ field: 'answer.jsonrpc', rule: 'must be equal to constant "2.0"' })
    expect(
      toValidationError([
        error({ keyword: 'additionalProperties', params: { additionalProperty: 'extra' } }),
      ]),
    ).toMatchObject({ field: 'extra', rule: 'is not allowed' })
  })

  it('exceedsBytes counts UTF-8 bytes only when the length cannot tell', () => {
    expect(exceedsBytes('a'.repeat(11), 10)).toBe(true)
    expect(exceedsBytes('€€€', 9)).toBe(false)
    expect(exceedsBytes('€€€€', 10)).toBe(true)
    expect(exceedsBytes('😀😀', 8)).toBe(false) // two surrogate pairs: 4 units, 8 bytes
    expect(exceedsBytes('😀😀', 7)).toBe(true)
  })
})

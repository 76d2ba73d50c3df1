import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'
import { schemaValidationError } from '../src/schema-errors.js'
import { dateTime } from '../src/validate.js'

describe('dateTime', () => {
  it('refuses hour 24, which RFC 3339 does not allow (time-hour is 00-23)', () => {
    // Date.parse reads it as the next midnight, so it would be sent as it is.
    expect(() => dateTime('TimeStamp', '2026-01-01T24:00:00Z', {})).toThrow(TillkitValidationError)
  })
})

describe('schemaValidationError', () => {
  it('names the missing field of a `required` failure, as it names an extra one', () => {
    // Ajv reports a missing property at its parent's path, with the name in params.
    const e = schemaValidationError([
      {
        instancePath: '/SaleToPOIRequest/MessageHeader',
        keyword: 'required',
        params: { missingProperty: 'POIID' },
        message: "must have required property 'POIID'",
      },
    ])
    expect(e).toBeInstanceOf(TillkitValidationError)
    expect(e.field).toBe('SaleToPOIRequest.MessageHeader.POIID')
    expect(e.message).toBe('SaleToPOIRequest.MessageHeader.POIID: is required')
  })
})

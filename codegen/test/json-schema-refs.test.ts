import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { useTempRepos } from './fixtures.js'

const createRepo = useTempRepos()

const DIALECT = 'https://json-schema.org/draft/2020-12/schema'

/** A shared fragment (not claimed by any generator) that itself references a second fragment. */
const COMMON = {
  $schema: DIALECT,
  $defs: {
    Currency: { title: 'Currency', type: 'string', enum: ['GBP', 'EUR'] },
    Money: {
      title: 'Money',
      type: 'object',
      required: ['amount', 'currency'],
      additionalProperties: false,
      properties: {
        amount: { $ref: 'units/amount.defs.json#/$defs/Pence' },
        currency: { $ref: '#/$defs/Currency' },
      },
    },
    Status: {
      anyOf: [
        { title: 'KnownStatus', enum: ['OK', 'BUSY'] },
        { type: 'string', tsType: 'string & {}' },
      ],
    },
  },
}
const AMOUNT = { $defs: { Pence: { type: 'integer', minimum: 1, maximum: 99 } } }

/** A message in a sub-folder using the fragment, and a discriminated union of two messages. */
const PAYMENT = {
  $schema: DIALECT,
  description: 'Only in the types: Ajv never reads a description',
  type: 'object',
  required: ['total', 'status'],
  additionalProperties: false,
  properties: {
    total: { $ref: '../common.defs.json#/$defs/Money' },
    status: { $ref: '../common.defs.json#/$defs/Status' },
  },
}
const COMMAND = {
  $schema: DIALECT,
  type: 'object',
  discriminator: { propertyName: 'method' },
  oneOf: [{ $ref: '#/$defs/Pay' }, { $ref: '#/$defs/Cancel' }],
  $defs: {
    Pay: {
      title: 'Pay',
      type: 'object',
      required: ['method', 'total'],
      additionalProperties: false,
      properties: {
        method: { const: 'pay' },
        total: { $ref: '../common.defs.json#/$defs/Money' },
      },
    },
    Cancel: {
      title: 'Cancel',
      type: 'object',
      required: ['method'],
      additionalProperties: false,
      properties: { method: { const: 'cancel' } },
    },
  },
}

interface Validator {
  (data: unknown): boolean
  errors?: { instancePath: string; keyword: string; params: Record<string, unknown> }[] | null
}

const json = (value: unknown) => JSON.stringify(value, null, 2)

async function importValidator(root: string, stem: string): Promise<Validator> {
  const file = path.join(root, `packages/alpha/src/generated/ws/${stem}.validate.ts`)
  const module = (await import(pathToFileURL(file).href)) as Record<string, Validator>
  return Object.values(module)[0]!
}

describe('JSON Schema references across files', { timeout: 30_000 }, () => {
  it('resolves relative $refs transitively for the validator and the types', async () => {
    const root = await createRepo({
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/units/amount.defs.json': json(AMOUNT),
      'schemas/alpha/ws/payment.schema.json': json(PAYMENT),
      'schemas/alpha/ws/command.schema.json': json(COMMAND),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toEqual([])
    // Fragments produce no module of their own.
    expect(result.files.map((file) => file.path)).toEqual([
      'packages/alpha/src/generated/ws/command.ts',
      'packages/alpha/src/generated/ws/command.validate.ts',
      'packages/alpha/src/generated/ws/payment.ts',
      'packages/alpha/src/generated/ws/payment.validate.ts',
      'packages/alpha/src/generated/ws/validators.ts',
    ])

    const types = await readFile(
      path.join(root, 'packages/alpha/src/generated/ws/payment.ts'),
      'utf8',
    )
    expect(types).toContain('export type Currency = ("GBP" | "EUR");')
    expect(types).toContain('export interface Money {')
    expect(types).toContain('export type KnownStatus = ')
    expect(types).toMatch(/status: \(?KnownStatus \| \(?string & \{\}/)
    const commandTypes = await readFile(
      path.join(root, 'packages/alpha/src/generated/ws/command.ts'),
      'utf8',
    )
    expect(commandTypes).toMatch(/export type Command = \(?Pay \| Cancel/)

    const validatorSource = await readFile(
      path.join(root, 'packages/alpha/src/generated/ws/validators.ts'),
      'utf8',
    )
    expect(validatorSource).not.toContain('Ajv never reads')
    expect(validatorSource).not.toMatch(/\brequire\(/)
    expect(types).toContain('Only in the types')

    const payment = await importValidator(root, 'payment')
    const total = { amount: 5, currency: 'GBP' }
    expect(payment({ total, status: 'OK' })).toBe(true)
    expect(payment({ total, status: 'SOMETHING_NEW' })).toBe(true)
    const failures: [unknown, string, string][] = [
      [{ total: { amount: 100, currency: 'GBP' }, status: 'OK' }, '/total/amount', 'maximum'],
      [{ total: { amount: 5, currency: 'USD' }, status: 'OK' }, '/total/currency', 'enum'],
      [{ total: { ...total, extra: 1 }, status: 'OK' }, '/total', 'additionalProperties'],
      [{ total, status: 7 }, '/status', 'anyOf'],
    ]
    for (const [data, instancePath, keyword] of failures) {
      expect(payment(data)).toBe(false)
      expect(payment.errors).toContainEqual(expect.objectContaining({ instancePath, keyword }))
    }

    // The discriminator reports the chosen branch's error, or the unknown tag, and nothing else.
    const command = await importValidator(root, 'command')
    expect(command({ method: 'pay', total })).toBe(true)
    expect(command({ method: 'cancel' })).toBe(true)
    expect(command({ method: 'pay' })).toBe(false)
    expect(command.errors).toEqual([
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'total' } }),
    ])
    expect(command({ method: 'refund' })).toBe(false)
    expect(command.errors).toEqual([
      expect.objectContaining({
        keyword: 'discriminator',
        params: expect.objectContaining({ tagValue: 'refund' }),
      }),
    ])
  })

  it('regenerates the users of a fragment when only the fragment changes', async () => {
    const root = await createRepo({
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/units/amount.defs.json': json(AMOUNT),
      'schemas/alpha/ws/payment.schema.json': json(PAYMENT),
      'packages/alpha/': '',
    })
    expect((await generate({ root })).errors).toEqual([])
    const wider = { $defs: { Pence: { type: 'integer', minimum: 1, maximum: 999 } } }
    await writeFile(path.join(root, 'schemas/alpha/units/amount.defs.json'), json(wider))
    const check = await generate({ root, check: true })
    expect(check.files.map((file) => `${file.status} ${file.path}`)).toEqual([
      'unchanged packages/alpha/src/generated/ws/payment.ts',
      'unchanged packages/alpha/src/generated/ws/payment.validate.ts',
      'changed packages/alpha/src/generated/ws/validators.ts',
    ])
  })

  it('reports references it cannot follow with the file and pointer holding them', async () => {
    const message = (properties: Record<string, unknown>) =>
      json({ $schema: DIALECT, type: 'object', properties })
    const root = await createRepo({
      'schemas/alpha/ws/refs.schema.json': message({
        missing: { $ref: '../nope.defs.json#/$defs/X' },
        pointer: { $ref: '../common.defs.json#/$defs/Nope' },
        url: { $ref: 'https://example.test/x.json' },
        outside: { $ref: '../../../outside.json' },
        broken: { $ref: '../broken.defs.json#/$defs/A' },
      }),
      'schemas/alpha/ws/dialect.schema.json': message({
        old: { $ref: '../old.defs.json#/$defs/A' },
      }),
      'schemas/alpha/ws/bounds.schema.json': message({
        list: { $ref: '../bounds.defs.json#/$defs/List' },
      }),
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/units/amount.defs.json': json(AMOUNT),
      'schemas/alpha/broken.defs.json': json({ $defs: { A: { $ref: '#/$defs/Gone' } } }),
      'schemas/alpha/old.defs.json': json({
        $schema: 'http://json-schema.org/draft-07/schema#',
        $defs: { A: { type: 'string' } },
      }),
      'schemas/alpha/bounds.defs.json': json({
        $defs: { List: { type: 'array', minItems: 2, maxItems: 1 } },
      }),
      'schemas/alpha/ws/meta.schema.json': message({
        count: { type: 'integer', minimum: 'one' },
        shared: { $ref: '../meta.defs.json#/$defs/Flag' },
      }),
      'schemas/alpha/meta.defs.json': json({ $defs: { Flag: { type: 'flag' } } }),
      'outside.json': '{}',
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.files).toEqual([])
    expect(result.errors.map(formatIssue).sort()).toEqual([
      'schemas/alpha/bounds.defs.json#/$defs/List: minItems 2 is greater than maxItems 1',
      "schemas/alpha/broken.defs.json#/$defs/A: $ref '#/$defs/Gone' does not resolve",
      'schemas/alpha/meta.defs.json#/$defs/Flag/type: must be array (2020-12 meta-schema)',
      'schemas/alpha/meta.defs.json#/$defs/Flag/type: must be equal to one of the allowed values (2020-12 meta-schema)',
      'schemas/alpha/meta.defs.json#/$defs/Flag/type: must match a schema in anyOf (2020-12 meta-schema)',
      'schemas/alpha/old.defs.json#/$schema: is referenced from schemas/alpha/ws/dialect.schema.json, which uses 2020-12; both must use the same dialect',
      'schemas/alpha/ws/meta.schema.json#/properties/count/minimum: must be number (2020-12 meta-schema)',
      "schemas/alpha/ws/refs.schema.json#/properties/missing: $ref '../nope.defs.json#/$defs/X' cannot be followed: there is no file schemas/alpha/nope.defs.json",
      "schemas/alpha/ws/refs.schema.json#/properties/outside: $ref '../../../outside.json' points outside the schemas folder",
      "schemas/alpha/ws/refs.schema.json#/properties/pointer: $ref '../common.defs.json#/$defs/Nope' does not resolve in schemas/alpha/common.defs.json",
      "schemas/alpha/ws/refs.schema.json#/properties/url: $ref 'https://example.test/x.json' is not a path relative to this file; only such references are supported",
    ])
  })
})

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { useTempRepos } from './fixtures.js'

const createRepo = useTempRepos()

/** A fixture payload schema (2020-12) using the keywords that need runtime helpers. */
const SALE_REQUEST = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Ignored for the root type name',
  type: 'object',
  required: ['amount', 'currency'],
  additionalProperties: false,
  'x-unverified': 'fixture only',
  properties: {
    amount: { type: 'integer', minimum: 1 },
    currency: { type: 'string', minLength: 3, maxLength: 3 },
    channel: { const: { kind: 'card' } },
    tags: { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/Tag' } },
  },
  $defs: {
    Tag: { type: 'object', required: ['key'], properties: { key: { type: 'string' } } },
  },
}

interface Validator {
  (data: unknown): boolean
  errors?: { instancePath: string; keyword: string }[] | null
}

async function generateOne(name: string, schema: unknown) {
  const root = await createRepo({
    [`schemas/alpha/websocket/${name}`]: JSON.stringify(schema, null, 2),
    'packages/alpha/': '',
  })
  const result = await generate({ root })
  return { root, result }
}

describe('JSON Schema generator', { timeout: 30_000 }, () => {
  it('writes types named after the file and a typed standalone validator next to them', async () => {
    const { root, result } = await generateOne('sale-request.schema.json', SALE_REQUEST)
    expect(result.errors).toEqual([])
    expect(result.files).toEqual([
      { path: 'packages/alpha/src/generated/websocket/sale-request.ts', status: 'created' },
      {
        path: 'packages/alpha/src/generated/websocket/sale-request.validate.ts',
        status: 'created',
      },
      { path: 'packages/alpha/src/generated/websocket/validators.ts', status: 'created' },
    ])
    const dir = path.join(root, 'packages/alpha/src/generated/websocket')
    const types = await readFile(path.join(dir, 'sale-request.ts'), 'utf8')
    expect(types).toContain('Source: schemas/alpha/websocket/sale-request.schema.json')
    expect(types).toMatch(
      /export interface SaleRequest \{\n {4}amount: number;\n {4}currency: string;\n/,
    )
    expect(types).toContain('export interface Tag {')
    const validator = await readFile(path.join(dir, 'sale-request.validate.ts'), 'utf8')
    expect(validator).toContain('Source: schemas/alpha/websocket/sale-request.schema.json')
    expect(validator).toContain(
      "export { validateSaleRequest, type ValidationError } from './validators.js'",
    )
    const shared = await readFile(path.join(dir, 'validators.ts'), 'utf8')
    expect(shared).toContain('Source: schemas/alpha/websocket/sale-request.schema.json')
    expect(shared).toMatch(
      /export const validateSaleRequest = validate\d+ as Validator<import\('\.\/sale-request\.js'\)\.SaleRequest>/,
    )
    expect(shared).not.toMatch(/\brequire\(|export default/)
  })

  it('produces a validator that runs without Ajv and counts code points', async () => {
    const { root } = await generateOne('sale-request.schema.json', SALE_REQUEST)
    const file = path.join(root, 'packages/alpha/src/generated/websocket/sale-request.validate.ts')
    const module = (await import(pathToFileURL(file).href)) as Record<string, Validator>
    const validate = module.validateSaleRequest!

    const valid = { amount: 100, currency: 'GBP', channel: { kind: 'card' }, tags: [{ key: 'a' }] }
    expect(validate(valid)).toBe(true)
    expect(validate.errors).toBeNull()
    // Three code points, six UTF-16 units: valid for maxLength 3.
    expect(validate({ amount: 1, currency: '💷💷💷' })).toBe(true)

    const failures: [unknown, string, string][] = [
      [{ amount: 0, currency: 'GBP' }, '/amount', 'minimum'],
      [{ amount: 1, currency: 'GB' }, '/currency', 'minLength'],
      [{ amount: 1, currency: 'GBP', channel: { kind: 'cash' } }, '/channel', 'const'],
      [{ amount: 1, currency: 'GBP', tags: [{ key: 'a' }, { key: 'a' }] }, '/tags', 'uniqueItems'],
      [{ amount: 1, currency: 'GBP', extra: true }, '', 'additionalProperties'],
    ]
    for (const [data, instancePath, keyword] of failures) {
      expect(validate(data)).toBe(false)
      expect(validate.errors?.[0]).toMatchObject({ instancePath, keyword })
    }
  })

  it('treats a schema without $schema as draft-07 and is deterministic', async () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }
    const { root, result } = await generateOne('ping.schema.json', schema)
    expect(result.errors).toEqual([])
    const file = path.join(root, 'packages/alpha/src/generated/websocket/ping.validate.ts')
    const first = await readFile(file, 'utf8')
    const module = (await import(pathToFileURL(file).href)) as Record<string, Validator>
    expect(module.validatePing!({ id: 'x' })).toBe(true)
    expect(module.validatePing!({})).toBe(false)
    expect((await generate({ root, check: true })).files.map((f) => f.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ])
    expect(await readFile(file, 'utf8')).toBe(first)
  })

  it('reports schema problems with the file and, where there is one, the pointer', async () => {
    const cases: [string, unknown, string][] = [
      ['list.schema.json', [1, 2], ': a JSON Schema must be a mapping at the top level'],
      [
        'ref.schema.json',
        { type: 'object', properties: { a: { $ref: '#/$defs/Missing' } } },
        "#/properties/a: $ref '#/$defs/Missing' does not resolve",
      ],
      [
        'bounds.schema.json',
        { type: 'object', properties: { list: { type: 'array', minItems: 3, maxItems: 1 } } },
        '#/properties/list: minItems 3 is greater than maxItems 1',
      ],
      [
        'dialect.schema.json',
        { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' },
        '#/$schema: unsupported dialect "http://json-schema.org/draft-04/schema#"; use draft-07 or 2020-12',
      ],
      [
        'dialect-type.schema.json',
        { $schema: 7, type: 'object' },
        '#/$schema: unsupported dialect 7; use draft-07 or 2020-12',
      ],
      [
        'strict.schema.json',
        { type: 'object', colour: 'red' },
        ': Ajv cannot compile the schema: strict mode: unknown keyword: "colour"',
      ],
      [
        'async.schema.json',
        { $async: true, type: 'object' },
        ": the validator needs Ajv's runtime helper 'validation_error', which generated code cannot import",
      ],
    ]
    for (const [name, schema, expected] of cases) {
      const { result } = await generateOne(name, schema)
      expect(result.errors.map(formatIssue)).toEqual([`schemas/alpha/websocket/${name}${expected}`])
    }
  })

  it('names the root type after the file, whatever its title or $id', async () => {
    const schema = { $id: 'https://example.test/result.json', title: 'Other', type: 'string' }
    const { root, result } = await generateOne('3ds-v2_result.schema.json', schema)
    expect(result.errors).toEqual([])
    const dir = path.join(root, 'packages/alpha/src/generated/websocket')
    expect(await readFile(path.join(dir, '3ds-v2_result.ts'), 'utf8')).toContain(
      'export type DsV2Result = string',
    )
    const validator = await readFile(path.join(dir, '3ds-v2_result.validate.ts'), 'utf8')
    expect(validator).toContain('export { validateDsV2Result, type ValidationError }')
    expect(await readFile(path.join(dir, 'validators.ts'), 'utf8')).toContain(
      "as Validator<import('./3ds-v2_result.js').DsV2Result>",
    )
  })

  it('does not read bounds inside literal values, and accepts x- keywords', async () => {
    const schema = {
      type: 'object',
      'x-unverified': true,
      properties: {
        // A property called `default` is a schema; the `default` keyword below is data.
        default: { type: 'string', 'x-source': 'fixture' },
        mode: { type: 'object', default: { minItems: 2, maxItems: 1 } },
      },
    }
    const { result } = await generateOne('literal.schema.json', schema)
    expect(result.errors).toEqual([])
  })
})

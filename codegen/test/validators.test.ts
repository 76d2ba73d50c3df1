import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { useTempRepos } from './fixtures.js'

/**
 * The compiled validators must enforce every constraint of the schema. Annotations are
 * stripped before Ajv compiles, and that stripping must not remove constraints whose *data* keys
 * happen to be spelled like an annotation keyword (a property called `description` or `title`).
 */
const createRepo = useTempRepos()

interface Validator {
  (data: unknown): boolean
  errors?: { instancePath: string; keyword: string }[] | null
}

async function generateAndImport(schemaYaml: string): Promise<Validator> {
  const root = await createRepo({
    'schemas/alpha/ws/order.schema.yaml': schemaYaml,
    'packages/alpha/': '',
  })
  const result = await generate({ root })
  expect(result.errors.map(formatIssue)).toEqual([])
  const file = path.join(root, 'packages/alpha/src/generated/ws/order.validate.ts')
  const module = (await import(pathToFileURL(file).href)) as Record<string, Validator>
  return module.validateOrder!
}

describe('validators keep constraints keyed by annotation-like property names', () => {
  it('enforces 2020-12 dependentRequired on a property called `description`', async () => {
    const validate = await generateAndImport(`$schema: https://json-schema.org/draft/2020-12/schema
type: object
properties:
  description: { type: string }
  reference: { type: string }
dependentRequired:
  description: [reference]
`)
    // Sanity: the same rule on an ordinary property name is enforced.
    expect(validate({ description: 'x', reference: 'r' })).toBe(true)
    // A `description` without `reference` breaks dependentRequired.
    expect(validate({ description: 'refund for order 12' })).toBe(false)
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ keyword: 'dependentRequired' }),
    )
  })

  it('enforces draft-07 dependencies on a property called `title`', async () => {
    const validate = await generateAndImport(`type: object
properties:
  title: { type: string }
  reference: { type: string }
dependencies:
  title: [reference]
`)
    expect(validate({ title: 'x', reference: 'r' })).toBe(true)
    expect(validate({ title: 'Mr' })).toBe(false)
  })
})

import { readFile, symlink } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { openapiYaml, useTempRepos } from './fixtures.js'

/**
 * Reports a schema author can act on, in every case the requirement names (the file, the JSON
 * pointer or line, the reason; each problem once; no schema skipped in silence), and output
 * that is formatted throughout, validators included.
 */
const createRepo = useTempRepos()

const DIALECT = 'https://json-schema.org/draft/2020-12/schema'

describe('schema problems and layout', { timeout: 60_000 }, () => {
  // redocly reports a YAML syntax error in a referenced file with a line and column, no pointer.
  it('reports invalid YAML in a file an OpenAPI schema references, naming that file and the reason', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml().replace(
        "$ref: '#/components/schemas/Terminal'",
        "$ref: './shared.yaml#/Thing'",
      ),
      'schemas/alpha/shared.yaml': 'Thing:\n  type: object\n  properties:\n    a: [unclosed\n',
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    // codegen reads a referenced file before any tool does: the reason is its parser's.
    expect(result.errors.map(formatIssue)).toEqual([
      'schemas/alpha/shared.yaml:5:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ])
  })

  // A `$ref` to a plain-name fragment (`$anchor`) that exists nowhere is a dangling `$ref` too.
  it('reports a dangling anchor $ref with the JSON pointer of the node holding it', async () => {
    const root = await createRepo({
      'schemas/alpha/ws/a.schema.json': JSON.stringify({
        $schema: DIALECT,
        type: 'object',
        properties: { p: { $ref: '#Missing' } },
      }),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toEqual([
      expect.objectContaining({ file: 'schemas/alpha/ws/a.schema.json', pointer: '/properties/p' }),
    ])
  })

  it('refuses an anchor reference into another file, whether the anchor is declared there or not', async () => {
    const root = await createRepo({
      'schemas/alpha/ws/other.defs.json': JSON.stringify({
        $defs: { Tid: { $anchor: 'Tid', type: 'string' } },
      }),
      'schemas/alpha/ws/a.schema.json': JSON.stringify({
        $schema: DIALECT,
        type: 'object',
        properties: { tid: { $ref: 'other.defs.json#Tid' }, p: { $ref: 'other.defs.json#Nope' } },
      }),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: 'schemas/alpha/ws/a.schema.json',
        pointer: '/properties/tid',
        message: expect.stringMatching(/anchors are not supported: use a JSON pointer/),
      }),
      expect.objectContaining({ file: 'schemas/alpha/ws/a.schema.json', pointer: '/properties/p' }),
      // The declaration is refused as well: see anchors.test.ts.
      expect.objectContaining({
        file: 'schemas/alpha/ws/other.defs.json',
        pointer: '/$defs/Tid/$anchor',
      }),
    ])
  })

  // Every message using a shared fragment finds its problem: reported once all the same.
  it('reports each problem of a shared fragment once, however many messages use it', async () => {
    const message = JSON.stringify({
      type: 'object',
      properties: { tid: { $ref: 'common.defs.json#/$defs/Tid' } },
    })
    const root = await createRepo({
      'schemas/alpha/ws/common.defs.json': JSON.stringify({
        $defs: { Tid: { type: 'string', minLength: 5, maxLength: 2 } },
      }),
      'schemas/alpha/ws/a.schema.json': message,
      'schemas/alpha/ws/b.schema.json': message,
      'packages/alpha/': '',
    })
    const lines = (await generate({ root })).errors.map(formatIssue)
    expect(lines).toEqual([
      'schemas/alpha/ws/common.defs.json#/$defs/Tid: minLength 5 is greater than maxLength 2',
    ])
  })

  // A link added by hand to src/generated is compiled and published like a file: it is stale.
  it('--check reports a file added by hand to src/generated as a symlink', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml(),
      'packages/alpha/src/hand.ts': 'export const handWritten = 1\n',
    })
    expect((await generate({ root })).errors).toEqual([])
    await symlink('../hand.ts', path.join(root, 'packages/alpha/src/generated/extra.ts'))

    const check = await generate({ root, check: true })

    expect(check.files).toContainEqual({
      path: 'packages/alpha/src/generated/extra.ts',
      status: 'deleted',
    })
  })

  // A schema named without `.openapi.` or `.schema.` that nothing references would produce
  // nothing: it is reported rather than skipped.
  it('does not silently skip a schema file that no generator claims and nothing references', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml(),
      'schemas/alpha/webhooks.yaml': openapiYaml({ route: '/hooks', operationId: 'hook' }),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    const mentioned =
      result.errors.some((issue) => issue.file === 'schemas/alpha/webhooks.yaml') ||
      result.files.some((file) => file.path.startsWith('packages/alpha/src/generated/webhooks'))
    expect(mentioned).toBe(true)
  })

  // Ajv writes its validators one statement a line, unindented: they are laid out like the types.
  it('lays out the validator module as formatted code (function bodies indented)', async () => {
    const root = await createRepo({
      'schemas/alpha/ws/sale.schema.json': JSON.stringify({
        $schema: DIALECT,
        type: 'object',
        required: ['amount'],
        properties: { amount: { type: 'integer', minimum: 1 } },
      }),
      'packages/alpha/': '',
    })
    expect((await generate({ root })).errors).toEqual([])
    const module = await readFile(
      path.join(root, 'packages/alpha/src/generated/ws/validators.ts'),
      'utf8',
    )
    const body = module.slice(module.indexOf('function validate'))
    const inside = body.split('\n').slice(1, 10)
    expect(inside.every((line) => line === '' || /^\s/.test(line))).toBe(true)
  })
})

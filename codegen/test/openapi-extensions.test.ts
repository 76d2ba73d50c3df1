import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { useTempRepos } from './fixtures.js'

/**
 * DESIGN.md asks authors to mark unverified facts with `x-unverified: true` and a short
 * reason. OpenAPI allows specification extensions on the Responses Object, so marking an
 * operation's responses as unverified is a valid document: codegen must generate it, and must not
 * turn the extension into a response.
 */
const createRepo = useTempRepos()

const withResponsesExtension = (extension: string) => `openapi: 3.0.3
info: { title: T, version: '1' }
paths:
  /terminals:
    get:
      operationId: listTerminals
      responses:
${extension}
        '200':
          description: the terminals
          content:
            application/json:
              schema: { type: array, items: { type: string } }
        '404':
          description: unknown account
`

async function generateOne(yaml: string) {
  const root = await createRepo({ 'schemas/alpha/pac.openapi.yaml': yaml, 'packages/alpha/': '' })
  const result = await generate({ root })
  const output = await readFile(
    path.join(root, 'packages/alpha/src/generated/pac.ts'),
    'utf8',
  ).catch(() => undefined)
  return { errors: result.errors.map(formatIssue), output }
}

describe('x-unverified on an OpenAPI Responses Object', () => {
  it('generates a document whose responses carry `x-unverified: true` and a reason', async () => {
    const { errors, output } = await generateOne(
      withResponsesExtension(
        "        x-unverified: true\n        x-unverified-reason: 'the 404 body is a guess'",
      ),
    )
    expect(errors).toEqual([])
    expect(output).toContain('listTerminals')
  })

  it('does not turn an object-valued extension in responses into a response', async () => {
    const { errors, output } = await generateOne(
      withResponsesExtension('        x-unverified: { reason: the 404 body is a guess }'),
    )
    expect(errors).toEqual([])
    expect(output).toBeDefined()
    expect(output).not.toContain('x-unverified')
  })
})

/**
 * The same marks in a file the entry document references. openapi-typescript reads (and bundles)
 * referenced files itself, from disk: the extensions were removed from the entry document only,
 * so a mark in a path item kept in its own file, or in another document's `paths`, crashed it
 * ("Cannot use 'in' operator to search for '$ref' in true") or became a response.
 */
describe('x-unverified on a Responses Object in a referenced file', () => {
  const entry = (ref: string, openapi = '3.0.3') => `openapi: ${openapi}
info: { title: T, version: '1' }
paths:
  /terminals:
    $ref: '${ref}'
`
  const pathItem = (extension: string) => `get:
  operationId: listTerminals
  responses:
    ${extension}
    '200':
      description: the terminals
      content:
        application/json:
          schema: { type: array, items: { type: string } }
    '404':
      $ref: '../common.yaml#/components/responses/NotFound'
`
  // A Response Object kept in a third file, reached from the referenced one.
  const common = `components:
  responses:
    NotFound:
      description: unknown account
`

  async function generateFiles(files: Record<string, string>) {
    const root = await createRepo({ ...files, 'packages/alpha/': '' })
    const result = await generate({ root })
    const output = await readFile(
      path.join(root, 'packages/alpha/src/generated/pac.ts'),
      'utf8',
    ).catch(() => undefined)
    return { errors: result.errors.map(formatIssue), output }
  }

  it.each([
    ['a scalar mark, 3.0', 'x-unverified: true', '3.0.3'],
    ['a scalar mark, 3.1', 'x-unverified: true', '3.1.0'],
    ['an object-valued mark', 'x-unverified: { reason: the 404 body is a guess }', '3.0.3'],
  ])('generates a path item kept in its own file with %s', async (_, extension, openapi) => {
    const { errors, output } = await generateFiles({
      'schemas/alpha/pac.openapi.yaml': entry('./paths/terminals.yaml', openapi),
      'schemas/alpha/paths/terminals.yaml': pathItem(extension),
      'schemas/alpha/common.yaml': common,
    })
    expect(errors).toEqual([])
    expect(output).toContain('listTerminals')
    expect(output).toContain('404: components["responses"]["NotFound"]')
    expect(output).not.toContain('x-unverified')
  })

  it('generates a path item taken from the `paths` of another document', async () => {
    const { errors, output } = await generateFiles({
      'schemas/alpha/pac.openapi.yaml': entry('./shared/other.yaml#/paths/~1terminals'),
      'schemas/alpha/shared/other.yaml': `paths:\n  /terminals:\n${pathItem(
        "x-unverified: true\n    x-unverified-reason: 'a guess'",
      ).replace(/^/gm, '    ')}`,
      'schemas/alpha/common.yaml': common,
    })
    expect(errors).toEqual([])
    expect(output).toContain('listTerminals')
    expect(output).not.toContain('x-unverified')
  })
})

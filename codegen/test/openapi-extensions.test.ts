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

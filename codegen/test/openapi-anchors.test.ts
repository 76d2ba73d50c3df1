import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { useTempRepos } from './fixtures.js'

/**
 * Anchors and dynamic references in OpenAPI documents are refused at their pointer, as in JSON
 * Schema messages: openapi-typescript cannot follow a `$dynamicRef` either, and typed the property
 * `unknown`, silently, in an OpenAPI 3.1 document and in a shared schema file it references.
 */
const createRepo = useTempRepos()

async function issuesFor(files: Record<string, string>) {
  const root = await createRepo({ ...files, 'packages/alpha/': '' })
  return (await generate({ root })).errors
}

const openapi = (schema: string) => `openapi: 3.1.0
info: { title: T, version: '1' }
paths:
  /t:
    get:
      operationId: getT
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: ${schema}
`

describe('dynamic references in OpenAPI documents', () => {
  it('refuses a `$dynamicRef` in an OpenAPI 3.1 schema at its pointer, not typing it `unknown`', async () => {
    const file = 'schemas/alpha/pac.openapi.yaml'
    const issues = await issuesFor({
      [file]: `${openapi("{ $ref: '#/components/schemas/Box' }")}components:
  schemas:
    Box:
      type: object
      properties:
        tid: { $dynamicRef: '#/components/schemas/Tid' }
    Tid: { type: string }
`,
    })
    expect(issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^schemas\/alpha\/pac\.openapi\.yaml#\/components\/schemas\/Box\/properties\/tid\/\$dynamicRef: .*dynamic reference/,
      ),
    ])
  })

  it('refuses a `$dynamicRef` in a shared schema file an OpenAPI document references, as a message referencing it would', async () => {
    const issues = await issuesFor({
      'schemas/alpha/pac.openapi.yaml': openapi("{ $ref: './defs.yaml#/definitions/Box' }"),
      'schemas/alpha/defs.yaml': `definitions:
  Box:
    type: object
    properties:
      tid: { $dynamicRef: '#/definitions/Tid' }
  Tid: { type: string }
`,
    })
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'schemas/alpha/defs.yaml',
        pointer: '/definitions/Box/properties/tid/$dynamicRef',
      }),
    ])
  })
})

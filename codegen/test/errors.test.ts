import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate, type Generator } from '../src/index.js'
import { openapiYaml, readTree, useTempRepos, writeFiles } from './fixtures.js'

const createRepo = useTempRepos()

/** Generates a one-provider repo holding `schemas` and returns the formatted errors. */
async function errorsFor(schemas: Record<string, string>): Promise<string[]> {
  const files = Object.fromEntries(
    Object.entries(schemas).map(([name, text]) => [`schemas/alpha/${name}`, text]),
  )
  const root = await createRepo({ ...files, 'packages/alpha/': '' })
  const result = await generate({ root })
  expect(result.files).toEqual([])
  return result.errors.map(formatIssue)
}

describe('schema errors', { timeout: 30_000 }, () => {
  it('reports invalid YAML with file, line:column and the parser reason', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': 'openapi: 3.0.3\npaths:\n  /x: [unclosed\ninfo: {}\n',
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toEqual([
      {
        file: 'schemas/alpha/pac.openapi.yaml',
        line: 4,
        column: 1,
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ])
    expect(formatIssue(result.errors[0]!)).toBe(
      'schemas/alpha/pac.openapi.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    )
  })

  it('reports invalid JSON and duplicate keys with line:column', async () => {
    expect(
      await errorsFor({
        'a.openapi.json': '{\n  "openapi": "3.0.3",\n  "paths": {},,\n}',
        'b.openapi.yaml': 'openapi: 3.0.3\npaths: {}\nopenapi: 3.1.0\n',
      }),
    ).toEqual([
      'schemas/alpha/a.openapi.json:3:15: Unexpected , in flow map',
      'schemas/alpha/b.openapi.yaml:3:1: Map keys must be unique',
    ])
  })

  it('reports a dangling local $ref with the JSON pointer of the node holding it', async () => {
    const yaml = openapiYaml({ route: '/pac/terminals' }).replace(
      "$ref: '#/components/schemas/Terminal'",
      "$ref: '#/components/schemas/Nope'",
    )
    expect(await errorsFor({ 'pac.openapi.yaml': yaml })).toEqual([
      "schemas/alpha/pac.openapi.yaml#/paths/~1pac~1terminals/get/responses/200/content/application~1json/schema/items: $ref '#/components/schemas/Nope' does not resolve",
    ])
  })

  it('follows refs into name maps such as `responses.default`, not into examples', async () => {
    const yaml = `openapi: 3.1.0
info: { title: t, version: '1' }
paths:
  /a~b/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      operationId: getA
      responses:
        '200': { $ref: '#/components/responses/Ok' }
        default: { $ref: '#/components/responses/Missing' }
  /b:
    get:
      operationId: getB
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/paths/~1a~0b~1%7Bid%7D/get/responses/200' }
              example: { $ref: '#/not/a/real/ref' }
components:
  responses:
    Ok: { description: ok }
`
    expect(await errorsFor({ 'x.openapi.yaml': yaml })).toEqual([
      "schemas/alpha/x.openapi.yaml#/paths/~1a~0b~1{id}/get/responses/default: $ref '#/components/responses/Missing' does not resolve",
    ])
  })

  it('rejects documents that are not OpenAPI 3.x or lack paths, with pointers', async () => {
    expect(
      await errorsFor({
        'a.openapi.yaml': 'swagger: "2.0"\ninfo: { title: t, version: "1" }\n',
        'b.openapi.yaml': 'openapi: 3.1\npaths: []\n',
        'c.openapi.yaml': '- openapi\n- paths\n',
        'd.openapi.yaml': 'openapi: 3.0.3\npaths:\n',
        'e.openapi.yaml': 'openapi: 3.0.3\ninfo: { title: t, version: "1" }\npaths:\n  /x: 5\n',
      }),
    ).toEqual([
      'schemas/alpha/a.openapi.yaml#/openapi: expected `openapi: 3.x` as a string such as "3.1.0"; it is missing',
      'schemas/alpha/a.openapi.yaml#/paths: expected a `paths` object; it is missing',
      'schemas/alpha/b.openapi.yaml#/openapi: expected `openapi: 3.x` as a string such as "3.1.0"; found 3.1',
      'schemas/alpha/b.openapi.yaml#/paths: expected a `paths` object; found an array',
      'schemas/alpha/c.openapi.yaml: an OpenAPI document must be a mapping at the top level',
      'schemas/alpha/d.openapi.yaml#/paths: expected a `paths` object; found null',
      'schemas/alpha/e.openapi.yaml#/paths/~1x: Expected type `PathItem` (object) but got `integer` [struct]',
    ])
  })

  it('rejects duplicate operationIds, which would merge in `operations`', async () => {
    const yaml = openapiYaml().replace(
      'paths:\n',
      'paths:\n  /other:\n    post:\n      operationId: listTerminals\n      responses:\n        "204": { description: none }\n    put:\n      responses:\n        "204": { description: no operationId, no clash }\n',
    )
    expect(await errorsFor({ 'pac.openapi.yaml': yaml })).toEqual([
      "schemas/alpha/pac.openapi.yaml#/paths/~1terminals/get/operationId: operationId 'listTerminals' is already used at #/paths/~1other/post/operationId",
    ])
  })

  it('reports every structural problem found by the OpenAPI linter, each with its pointer', async () => {
    const yaml = `openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /terminals/{tid}:
    get:
      operationId: getTerminal
      responses:
        '200':
          content:
            application/json:
              schema: { type: string, enum: [1] }
`
    expect(await errorsFor({ 'pac.openapi.yaml': yaml })).toEqual([
      'schemas/alpha/pac.openapi.yaml#/paths/~1terminals~1{tid}/get/responses/200: The field `description` must be present on this level. [struct]',
      'schemas/alpha/pac.openapi.yaml#/paths/~1terminals~1{tid}/get/responses/200/content/application~1json/schema/enum/0: All values of `enum` field must be of the same type as the `type` field: expected "string" but received "integer". [no-enum-type-mismatch]',
      'schemas/alpha/pac.openapi.yaml#/paths/~1terminals~1{tid}/get/parameters: The operation does not define the path parameter `{tid}` expected by path `/terminals/{tid}`. [path-parameters-defined]',
    ])
  })

  it('names the referenced file when the problem sits in an external document', async () => {
    const yaml = openapiYaml().replace(
      "$ref: '#/components/schemas/Terminal'",
      "$ref: './shared/terminal.yaml'",
    )
    expect(
      await errorsFor({
        'pac.openapi.yaml': yaml,
        'shared/terminal.yaml': 'type: object\nproperties:\n  tid: { type: 5 }\n',
      }),
    ).toEqual([
      expect.stringMatching(
        /^schemas\/alpha\/shared\/terminal\.yaml#\/properties\/tid\/type: .* \[struct\]$/,
      ),
    ])
  })

  it('fails when a provider has no package folder', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml(),
      'schemas/ghost/pac.openapi.yaml': openapiYaml(),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result).toEqual({
      files: [],
      errors: [
        {
          file: 'schemas/ghost',
          message: "provider 'ghost' has no package folder packages/ghost/ to generate into",
        },
      ],
    })
    expect(await readTree(root)).toEqual({})
  })

  it('fails when the root has no schemas folder', async () => {
    const root = await createRepo({ 'packages/alpha/': '' })
    expect((await generate({ root })).errors.map(formatIssue)).toEqual([
      `schemas: no schemas folder in ${root}`,
    ])
  })

  it('writes and deletes nothing when any schema fails', async () => {
    const root = await createRepo({
      'schemas/alpha/good.openapi.yaml': openapiYaml(),
      'packages/alpha/': '',
    })
    await generate({ root })
    const stale = 'packages/alpha/src/generated/stale.ts'
    const bad = openapiYaml().replace("'#/components/schemas/Terminal'", "'#/components/Nope'")
    await writeFiles(root, {
      'schemas/alpha/good.openapi.yaml': openapiYaml({ schema: 'Device' }),
      'schemas/alpha/new.openapi.yaml': openapiYaml(),
      'schemas/alpha/bad.openapi.yaml': bad,
      [stale]: '// stale',
    })
    const before = await readTree(root)

    const result = await generate({ root })

    expect(result.files).toEqual([])
    expect(result.errors.map((issue) => issue.file)).toEqual(['schemas/alpha/bad.openapi.yaml'])
    expect(await readTree(root)).toEqual(before)
    expect(await readFile(path.join(root, stale), 'utf8')).toBe('// stale')
  })

  it('turns an unexpected generator failure into an error naming the schema', async () => {
    const broken: Generator = {
      name: 'broken',
      claim: (fileName) => /^(.+)\.broken$/.exec(fileName)?.[1],
      // Throws an Error for one file and a bare string for the other.
      generate: ([source]) =>
        Promise.reject(source?.text === 'error' ? new Error('boom') : 'plain string'),
    }
    const root = await createRepo({
      'schemas/alpha/a.broken': 'error',
      'schemas/alpha/b.broken': 'string',
      'packages/alpha/': '',
    })
    const result = await generate({ root, generators: [broken] })
    expect(result.errors.map(formatIssue)).toEqual([
      'schemas/alpha/a.broken: broken generator failed: boom',
      'schemas/alpha/b.broken: broken generator failed: plain string',
    ])
  })
})

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { readTree, useTempRepos } from './fixtures.js'

/**
 * OpenAPI `$ref`s that leave the repository's `schemas/` folder, and schema errors in the
 * files an OpenAPI document references.
 *
 * - `schemas/` is the single source of truth and the only codegen input turbo hashes (besides
 *   codegen itself): output built from a file outside it, or from a URL fetched at generation
 *   time, is not determined by the inputs, so it differs between machines and turbo's cache goes
 *   stale. The JSON Schema generator already refuses both ("points outside the schemas folder",
 *   "is not a path relative to this file"); the OpenAPI generator follows them silently.
 * - A dangling `$ref` is reported with the file and pointer of the node holding it; for a file
 *   reached from an OpenAPI document that is the referenced file, as it is for JSON Schema.
 */
const createRepo = useTempRepos()

const referencing = (ref: string) => `openapi: 3.0.3
info: { title: T, version: '1' }
paths:
  /terminals:
    get:
      operationId: listTerminals
      responses:
        '200':
          description: the terminals
          content:
            application/json:
              schema:
                $ref: '${ref}'
`
const REF_POINTER = '/paths/~1terminals/get/responses/200/content/application~1json/schema'

const servers: http.Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  )
})

describe('OpenAPI references', () => {
  it('refuses a $ref to a file outside the schemas folder', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': referencing('../../reference/terminal.yaml#/Terminal'),
      'reference/terminal.yaml':
        'Terminal:\n  type: object\n  properties:\n    fromOutside: { type: string }\n',
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toContainEqual(
      expect.objectContaining({ file: 'schemas/alpha/pac.openapi.yaml', pointer: REF_POINTER }),
    )
    expect(await readTree(root)).toEqual({})
  })

  it('refuses a $ref to a URL instead of fetching it during generation', async () => {
    let requests = 0
    const server = http.createServer((_request, response) => {
      requests++
      response.setHeader('content-type', 'application/yaml')
      response.end('Terminal:\n  type: object\n  properties:\n    fromNetwork: { type: string }\n')
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': referencing(`http://127.0.0.1:${port}/t.yaml#/Terminal`),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toContainEqual(
      expect.objectContaining({ file: 'schemas/alpha/pac.openapi.yaml', pointer: REF_POINTER }),
    )
    expect(await readTree(root)).toEqual({})
    expect(requests).toBe(0)
  })

  it('reports a dangling $ref in a referenced file against that file, even when reached through a $ref chain', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': referencing('./shared.yaml#/Terminal'),
      // `Terminal` exists; it is itself a reference to something that does not.
      'schemas/alpha/shared.yaml': "Terminal:\n  $ref: '#/Missing'\n",
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors.map(formatIssue)).toContainEqual(
      expect.stringMatching(/^schemas\/alpha\/shared\.yaml#\/Terminal: /),
    )
    // The entry document's own reference resolves: it is not the file at fault.
    expect(result.errors.map((issue) => issue.file)).not.toContain('schemas/alpha/pac.openapi.yaml')
  })

  // The checks are the JSON Schema generator's: they run before redocly, which no longer sees the
  // reference (its `no-unresolved-refs` message used to name neither the file nor the pointer).
  it('reports a $ref to a missing file, or to a pointer missing in the file, with our messages', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': referencing('./nope.yaml#/Terminal'),
      'schemas/alpha/other.openapi.yaml': referencing('./shared.yaml#/Nope'),
      'schemas/alpha/shared.yaml': 'Terminal: { type: string }\n',
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors.map(formatIssue)).toEqual([
      `schemas/alpha/other.openapi.yaml#${REF_POINTER}: $ref './shared.yaml#/Nope' does not resolve in schemas/alpha/shared.yaml`,
      `schemas/alpha/pac.openapi.yaml#${REF_POINTER}: $ref './nope.yaml#/Terminal' cannot be followed: there is no file schemas/alpha/nope.yaml`,
    ])
  })

  it('reports a dangling $ref anywhere in a referenced file, as for JSON Schema fragments', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': referencing('./shared.yaml#/Terminal'),
      'schemas/alpha/shared.yaml': "Terminal: { type: string }\nDevice:\n  $ref: '#/Missing'\n",
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toContainEqual(
      expect.objectContaining({ file: 'schemas/alpha/shared.yaml', pointer: '/Device' }),
    )
  })

  describe('in an `examples` map (OpenAPI Example Objects, each maybe a $ref)', () => {
    const withExample = (ref: string) => `openapi: 3.0.3
info: { title: T, version: '1' }
paths:
  /terminals:
    get:
      operationId: listTerminals
      responses:
        '200':
          description: the terminals
          content:
            application/json:
              schema: { type: array, items: { type: string } }
              examples:
                two:
                  $ref: '${ref}'
`
    const EXAMPLE_POINTER =
      '/paths/~1terminals/get/responses/200/content/application~1json/examples/two'

    it('refuses a URL or a file outside schemas/, fetching and reading nothing', async () => {
      let requests = 0
      const server = http.createServer((_request, response) => {
        requests++
        response.end('value: [a, b]\n')
      })
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as AddressInfo
      const root = await createRepo({
        'schemas/alpha/pac.openapi.yaml': withExample(`http://127.0.0.1:${port}/two.yaml`),
        'schemas/alpha/other.openapi.yaml': withExample('../../reference/two.yaml'),
        'reference/two.yaml': 'value: [a, b]\n',
        'packages/alpha/': '',
      })
      const result = await generate({ root })
      for (const file of ['schemas/alpha/pac.openapi.yaml', 'schemas/alpha/other.openapi.yaml'])
        expect(result.errors).toContainEqual(
          expect.objectContaining({ file, pointer: EXAMPLE_POINTER }),
        )
      expect(requests).toBe(0)
    })

    it('counts an example file it references as used, not as a misnamed schema', async () => {
      const root = await createRepo({
        'schemas/alpha/pac.openapi.yaml': withExample('./examples/two.yaml'),
        'schemas/alpha/examples/two.yaml': 'summary: two terminals\nvalue: [T1, T2]\n',
        'packages/alpha/': '',
      })
      const result = await generate({ root })
      expect(result.errors.map(formatIssue)).toEqual([])
    })
  })
})

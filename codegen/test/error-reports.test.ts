import { describe, expect, it, vi } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { openapiYaml, useTempRepos } from './fixtures.js'

/**
 * A schema problem is reported as the file, the JSON pointer (or line:column for syntax)
 * and the reason, through codegen's own report, never as a bare tool failure or as raw tool
 * output printed beside it.
 */
const createRepo = useTempRepos()

describe('error reports', () => {
  // `deprecated` is not a draft-07 keyword (it arrived in 2019-09 as a boolean), so a draft-07
  // schema may carry a note in it. json-schema-to-typescript rejects a non-boolean value by
  // printing its own message to stderr and throwing an Error whose message is empty.
  it('reports a draft-07 schema json-schema-to-typescript rejects with a pointer and a reason, printing nothing itself', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    const file = 'schemas/alpha/ws/sale.schema.yaml'
    const root = await createRepo({
      [file]: `type: object
properties:
  amount:
    type: integer
    deprecated: 'use total instead'
  total:
    type: integer
`,
      'packages/alpha/': '',
    })
    const result = await generate({ root })

    expect.soft(printed).not.toHaveBeenCalled()
    // Generating it is fine; if it is refused, the report must say where and why.
    for (const issue of result.errors) {
      expect(issue).toMatchObject({ file, pointer: expect.stringMatching(/^\/properties\/amount/) })
      expect(formatIssue(issue)).not.toMatch(/generator failed: *$/)
    }
  })

  // The column of a syntax error is the one an editor shows: a byte-order mark is not a column.
  it('reports the same line:column for a YAML syntax error whether or not the file starts with a BOM', async () => {
    const broken = 'openapi: ['
    const plain = await createRepo({
      'schemas/alpha/pac.openapi.yaml': broken,
      'packages/alpha/': '',
    })
    const withBom = await createRepo({
      'schemas/alpha/pac.openapi.yaml': `\uFEFF${broken}`,
      'packages/alpha/': '',
    })
    const expected = (await generate({ root: plain })).errors.map(formatIssue)
    expect(expected).toEqual([expect.stringMatching(/^schemas\/alpha\/pac\.openapi\.yaml:1:11: /)])
    expect((await generate({ root: withBom })).errors.map(formatIssue)).toEqual(expected)
  })

  // Whether a data file is a referenced fragment is decided by whether another file's text
  // contains its base name: `status.yaml` is inside `./shared/transaction-status.yaml`, so a
  // misnamed schema that nothing references is skipped in silence.
  it('does not silently skip an unreferenced schema whose name is the tail of a referenced one', async () => {
    const referencing = openapiYaml().replace(
      "$ref: '#/components/schemas/Terminal'",
      "$ref: './shared/transaction-status.yaml#/Status'",
    )
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': referencing,
      'schemas/alpha/shared/transaction-status.yaml': 'Status: { type: string }\n',
      // Meant to be `status.openapi.yaml`: nothing references it.
      'schemas/alpha/status.yaml': openapiYaml({ route: '/status', operationId: 'getStatus' }),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    const mentioned =
      result.errors.some((issue) => issue.file === 'schemas/alpha/status.yaml') ||
      result.files.some((file) => file.path.startsWith('packages/alpha/src/generated/status'))
    expect(mentioned).toBe(true)
  })

  // Only folders under schemas/ are providers: a schema file put directly in schemas/ (a new
  // provider's document, before its folder was made) belongs to none and is skipped in silence.
  it('does not silently skip a schema file placed directly in schemas/', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml(),
      'schemas/gamma.openapi.yaml': openapiYaml({ operationId: 'gammaTerminals' }),
      'packages/alpha/': '',
      'packages/gamma/': '',
    })
    const result = await generate({ root })
    const mentioned =
      result.errors.some((issue) => issue.file === 'schemas/gamma.openapi.yaml') ||
      result.files.some((file) => file.path.startsWith('packages/gamma/'))
    expect(mentioned).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import { formatIssue, generate } from '../src/index.js'
import { useTempRepos } from './fixtures.js'

/**
 * Plain-name anchors. codegen's own `$ref` checks (refs.ts, pointer.ts, external-refs.ts)
 * accept `#Name` references declared by `$anchor` or an `$id` of `#Name`, so such a schema passes
 * them. What follows must then either generate it, or report a problem with the file, the JSON
 * pointer of the node at fault and a reason the author can act on; never a tool's internal error
 * ("generator failed: Refs should have been resolved by the resolver!") or a wrong one ("unknown
 * keyword $anchor": `$anchor` is a core keyword of 2020-12).
 */
const createRepo = useTempRepos()

async function issuesFor(files: Record<string, string>) {
  const root = await createRepo({ ...files, 'packages/alpha/': '' })
  return (await generate({ root })).errors
}

function expectUsableReport(issues: Awaited<ReturnType<typeof issuesFor>>, file: string) {
  // Either it generated, or every problem is located by pointer and is not an internal failure.
  for (const issue of issues) {
    expect(formatIssue(issue)).not.toMatch(
      /generator failed|should have been resolved|unknown keyword: "\$anchor"/,
    )
    expect(issue).toMatchObject({ file, pointer: expect.stringMatching(/^\/properties\/tid/) })
  }
}

describe('anchors', () => {
  it('handles a 2020-12 `$anchor` reference within the file', async () => {
    const file = 'schemas/alpha/ws/a.schema.yaml'
    const issues = await issuesFor({
      [file]: `$schema: https://json-schema.org/draft/2020-12/schema
type: object
properties:
  tid: { $ref: '#Tid' }
$defs:
  Tid: { $anchor: Tid, type: string }
`,
    })
    expectUsableReport(issues, file)
  })

  it('handles a draft-07 `$id: "#Tid"` anchor reference within the file', async () => {
    const file = 'schemas/alpha/ws/a.schema.yaml'
    const issues = await issuesFor({
      [file]: `type: object
properties:
  tid: { $ref: '#Tid' }
definitions:
  Tid: { $id: '#Tid', type: string }
`,
    })
    expectUsableReport(issues, file)
  })

  it('handles an anchor reference into a shared fragment', async () => {
    const file = 'schemas/alpha/ws/a.schema.yaml'
    const issues = await issuesFor({
      [file]: `type: object
properties:
  tid: { $ref: '../other.defs.yaml#Tid' }
`,
      'schemas/alpha/other.defs.yaml': `definitions:
  Tid: { $id: '#Tid', type: string }
`,
    })
    expectUsableReport(issues, file)
  })
})

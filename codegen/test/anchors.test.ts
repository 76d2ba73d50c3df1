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
    // The reference, or the declaration it names (see `anchor declarations` below).
    expect(issue).toMatchObject({
      file,
      pointer: expect.stringMatching(/^\/properties\/tid|\/\$anchor$/),
    })
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

/**
 * An anchor declared but referenced by nothing. Ajv resolves `$anchor` but does not register it
 * as a keyword, so its strict mode refused the schema as a whole ("unknown keyword") with no
 * pointer; `$dynamicAnchor` (2020-12 only) and `$recursiveAnchor` (2019-09, which Ajv reads as a
 * boolean whatever the meta-schema allows) did the same. As `#Name` references are refused, the
 * declaration is refused too, at its own pointer, in a message or in a fragment it references.
 */
describe('anchor declarations', () => {
  const DIALECT_2020 = '$schema: https://json-schema.org/draft/2020-12/schema\n'

  it.each([
    ['a 2020-12 `$anchor`', DIALECT_2020, '$defs', '$anchor: Tid'],
    ['a draft-07 `$anchor`', '', 'definitions', '$anchor: Tid'],
    ['a draft-07 `$dynamicAnchor`', '', 'definitions', '$dynamicAnchor: Tid'],
    ['a 2020-12 `$recursiveAnchor`', DIALECT_2020, '$defs', '$recursiveAnchor: Tid'],
    ['a draft-07 `$recursiveAnchor`', '', 'definitions', '$recursiveAnchor: true'],
  ])(
    'refuses %s at its pointer, telling to use JSON pointers',
    async (_, dialect, defs, anchor) => {
      const file = 'schemas/alpha/ws/a.schema.yaml'
      const keyword = anchor.split(':')[0]
      const issues = await issuesFor({
        [file]: `${dialect}type: object
properties:
  tid: { $ref: '#/${defs}/Tid' }
${defs}:
  Tid: { ${anchor}, type: string }
`,
      })
      expect(issues).toEqual([
        {
          file,
          pointer: `/${defs}/Tid/${keyword}`,
          message: expect.stringMatching(/anchors are not supported.*JSON pointer/),
        },
      ])
    },
  )

  it('refuses a `$dynamicAnchor` in 2020-12 too, though Ajv knows it', async () => {
    const file = 'schemas/alpha/ws/a.schema.yaml'
    const issues = await issuesFor({
      [file]: `${DIALECT_2020}$dynamicAnchor: Root
type: object
`,
    })
    expect(issues).toEqual([
      {
        file,
        pointer: '/$dynamicAnchor',
        message: expect.stringMatching(/anchors are not supported/),
      },
    ])
  })

  it('refuses an `$anchor` in a referenced fragment against the fragment, not the message', async () => {
    const issues = await issuesFor({
      'schemas/alpha/ws/a.schema.yaml': `type: object
properties:
  tid: { $ref: '../common.defs.yaml#/definitions/Tid' }
`,
      'schemas/alpha/ws/b.schema.yaml': `type: object
properties:
  tid: { $ref: '../common.defs.yaml#/definitions/Tid' }
`,
      'schemas/alpha/common.defs.yaml': `definitions:
  Tid: { $anchor: Tid, type: string }
`,
    })
    // Found by both messages, reported once.
    expect(issues).toEqual([
      {
        file: 'schemas/alpha/common.defs.yaml',
        pointer: '/definitions/Tid/$anchor',
        message: expect.stringMatching(/anchors are not supported/),
      },
    ])
  })

  // json-schema-to-typescript typed the value `{ [k: string]: unknown }`; the validator checked the schema.
  it.each(['$dynamicRef', '$recursiveRef'])('refuses a %s at its pointer', async (keyword) => {
    const file = 'schemas/alpha/ws/a.schema.yaml'
    const issues = await issuesFor({
      [file]: `${DIALECT_2020}type: object
properties:
  tid: { ${keyword}: '#/$defs/Tid' }
$defs:
  Tid: { type: string }
`,
    })
    expect(issues).toEqual([
      {
        file,
        pointer: `/properties/tid/${keyword}`,
        message: expect.stringMatching(/dynamic reference.*JSON pointer/),
      },
    ])
  })

  // A property named `$anchor` is a name, not the keyword.
  it('accepts a property called `$anchor`', async () => {
    const issues = await issuesFor({
      'schemas/alpha/ws/a.schema.yaml': `type: object
properties:
  $anchor: { type: string }
`,
    })
    expect(issues).toEqual([])
  })
})

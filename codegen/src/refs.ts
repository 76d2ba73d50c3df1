import type { CodegenIssue } from './issues.js'
import { fragmentProblem, toPointer } from './pointer.js'
import { walkObjects } from './walk.js'

/**
 * Finds every local `$ref` (`#` or `#/...`) that does not resolve inside `document`, or that names
 * an anchor (`#name`), and reports the pointer of the object holding it. References to other files
 * (`other.yaml#/X`) are checked by `loadReferencedSchemas`.
 */
export function findDanglingRefs(document: unknown, file: string): CodegenIssue[] {
  const issues: CodegenIssue[] = []
  walkObjects(document, (node, path) => {
    const ref = node.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#')) return
    const problem = fragmentProblem(document, ref.slice(1))
    if (problem)
      issues.push({ file, pointer: toPointer(path), message: `$ref '${ref}' ${problem}` })
  })
  return issues
}

/**
 * Keywords codegen refuses, with why: those that declare a plain-name anchor (2020-12's two and
 * 2019-09's recursive one), and the dynamic references that go with them.
 */
const UNSUPPORTED: Record<string, string> = {
  $anchor: 'declares an anchor; anchors are not supported',
  $dynamicAnchor: 'declares an anchor; anchors are not supported',
  $recursiveAnchor: 'declares an anchor; anchors are not supported',
  $dynamicRef: 'is a dynamic reference, which the type generators cannot follow',
  $recursiveRef: 'is a dynamic reference, which the type generators cannot follow',
}

/**
 * Finds every anchor declaration and dynamic reference in a schema file (a JSON Schema, or an
 * OpenAPI document and the schema files it references), and reports the pointer of the keyword.
 * Anchors are not supported (a `#Name` reference is refused, see
 * `fragmentProblem`), and a mere declaration failed late, in Ajv, with no pointer: its strict mode
 * does not know `$anchor` (nor, in draft-07, `$dynamicAnchor` or `$recursiveAnchor`), and it reads
 * `$recursiveAnchor` as the boolean of 2019-09 where the 2020-12 meta-schema allows a name. A
 * 2020-12 `$dynamicAnchor` compiles, but only a `$dynamicRef` uses one, and json-schema-to-typescript
 * cannot follow that: it typed the value `{ [k: string]: unknown }` while the validator checked the
 * real schema (openapi-typescript typed it `unknown`). An `$id` of `#Name` is left to the meta-schema (2020-12 refuses it) or works (draft-07).
 */
export function findAnchors(schema: unknown, file: string): CodegenIssue[] {
  const issues: CodegenIssue[] = []
  walkObjects(schema, (node, path) => {
    for (const [keyword, why] of Object.entries(UNSUPPORTED)) {
      if (!Object.hasOwn(node, keyword)) continue
      issues.push({
        file,
        pointer: toPointer([...path, keyword]),
        message: `${keyword} ${JSON.stringify(node[keyword])} ${why}: remove it and reference the schema by JSON pointer (#/...)`,
      })
    }
  })
  return issues
}

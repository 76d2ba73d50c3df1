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

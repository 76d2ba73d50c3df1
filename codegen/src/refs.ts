import type { CodegenIssue } from './issues.js'
import { resolvesLocally, toPointer } from './pointer.js'
import { walkObjects } from './walk.js'

/**
 * Finds every local `$ref` (`#` or `#/...`) that does not resolve inside `document`, and reports
 * the pointer of the object holding it. External references (`other.yaml#/X`) and JSON Schema
 * anchors (`#name`) are left to the tools that understand them.
 */
export function findDanglingRefs(document: unknown, file: string): CodegenIssue[] {
  const issues: CodegenIssue[] = []
  walkObjects(document, (node, path) => {
    const ref = node.$ref
    if (typeof ref !== 'string' || !/^#(\/|$)/.test(ref)) return
    if (!resolvesLocally(document, ref as `#${string}`)) {
      issues.push({ file, pointer: toPointer(path), message: `$ref '${ref}' does not resolve` })
    }
  })
  return issues
}

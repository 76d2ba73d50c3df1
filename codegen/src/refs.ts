import type { CodegenIssue } from './issues.js'
import { resolvesFragment, toPointer } from './pointer.js'
import { walkObjects } from './walk.js'

/**
 * Finds every local `$ref` (`#`, `#/...`, or a JSON Schema anchor `#name`) that does not resolve
 * inside `document`, and reports the pointer of the object holding it. External references
 * (`other.yaml#/X`) are left to the tools that understand them.
 */
export function findDanglingRefs(document: unknown, file: string): CodegenIssue[] {
  const issues: CodegenIssue[] = []
  walkObjects(document, (node, path) => {
    const ref = node.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#')) return
    if (!resolvesFragment(document, ref.slice(1))) {
      issues.push({ file, pointer: toPointer(path), message: `$ref '${ref}' does not resolve` })
    }
  })
  return issues
}

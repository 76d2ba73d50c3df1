/**
 * A problem found in a schema (or in the folder layout), reported as `file#pointer: message` or
 * `file:line:column: message`. Paths are relative to the repository root, with `/` separators.
 */
export interface CodegenIssue {
  /** Repository-relative path of the offending file or folder, e.g. `schemas/p/x.openapi.yaml`. */
  readonly file: string
  /** JSON pointer (RFC 6901, without the leading `#`) of the node at fault, e.g. `/paths/~1x/get`. */
  readonly pointer?: string
  /** 1-based line and column, for syntax errors where no pointer exists yet. */
  readonly line?: number
  readonly column?: number
  readonly message: string
}

/** Thrown by parsers and generators for problems the schema author has to fix. */
export class SchemaError extends Error {
  readonly issues: readonly CodegenIssue[]

  constructor(issues: readonly CodegenIssue[]) {
    super(issues.map(formatIssue).join('\n'))
    this.name = 'SchemaError'
    this.issues = issues
  }
}

/** One line per issue, in the form editors and terminals turn into links. */
export function formatIssue(issue: CodegenIssue): string {
  let where = issue.file
  if (issue.pointer !== undefined) where += `#${issue.pointer}`
  else if (issue.line !== undefined) where += `:${issue.line}:${issue.column ?? 1}`
  return `${where}: ${issue.message}`
}

import { load } from './load.js'

/**
 * Lays TypeScript out with the compiler's own printer: deterministic, 4-space indented, comments kept. This is
 * how openapi-typescript already prints its output, so every generated type module reads alike, and it costs a
 * few milliseconds where prettier cost a third of the codegen time budget.
 */
export function printTypeScript(code: string): string {
  const ts = load('typescript') as typeof import('typescript')
  const file = ts.createSourceFile(
    'generated.ts',
    code,
    ts.ScriptTarget.ES2022,
    true,
    ts.ScriptKind.TS,
  )
  return ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(file)
}

/**
 * Indents code written one statement a line (Ajv's standalone output with `lines: true`) by its
 * braces (blocks; Ajv writes brackets and parentheses within a line), four spaces a level: the layout the printer gives, in a single pass instead of a parse
 * of several hundred kilobytes. Braces inside string literals and comments do not count.
 */
export function indentByBraces(code: string): string {
  let depth = 0
  let quote = ''
  let comment = false
  return code
    .split('\n')
    .map((raw) => {
      const line = raw.trim()
      // A line that starts by closing a block sits at the outer level.
      let at = depth - (line.startsWith('}') && !quote && !comment ? 1 : 0)
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!
        if (comment) {
          if (c === '*' && line[i + 1] === '/') ((comment = false), i++)
        } else if (quote) {
          if (c === '\\') i++
          else if (c === quote) quote = ''
        } else if (c === '"' || c === "'" || c === '`') quote = c
        else if (c === '/' && line[i + 1] === '*') ((comment = true), i++)
        else if (c === '/' && line[i + 1] === '/') break
        else if (c === '{') depth++
        else if (c === '}') depth--
      }
      at = Math.max(0, at)
      return line ? '    '.repeat(at) + line : ''
    })
    .join('\n')
}

import { load } from './load.js'

/**
 * Lays TypeScript out with the compiler's own printer: deterministic, 4-space indented, comments kept. This is
 * how openapi-typescript already prints its output, so every generated type module reads alike, and it costs a
 * few milliseconds where prettier cost a third of the codegen time budget.
 */
export function printTypeScript(code: string, { asWritten = true } = {}): string {
  const ts = load('typescript') as typeof import('typescript')
  // Parent links let the printer keep literals as written (quotes, number forms), at three times
  // the cost: code whose literals are already in the printer's own style can go without.
  const file = ts.createSourceFile(
    'generated.ts',
    code,
    ts.ScriptTarget.ES2022,
    asWritten,
    ts.ScriptKind.TS,
  )
  return ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(file)
}

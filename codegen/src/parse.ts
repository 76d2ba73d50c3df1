import { SchemaError } from './issues.js'
import { load } from './load.js'

/**
 * Parses a schema file's text (YAML or JSON) into plain data.
 *
 * JSON files go through the YAML 1.2 parser too: JSON is valid YAML 1.2, and one parser gives every
 * syntax error the same `line:column` form. Duplicate keys are errors, not "last one wins".
 */
export function parseSchemaText(text: string, file: string): unknown {
  const { LineCounter, parseDocument } = load('yaml') as typeof import('yaml')
  const lineCounter = new LineCounter()
  // A byte-order mark is no column: the parser would count it in line 1's columns.
  const document = parseDocument(text.replace(/^\uFEFF/, ''), {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  })
  const [error] = document.errors
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0])
    throw new SchemaError([{ file, line, column: col, message: error.message }])
  }
  return document.toJS({ maxAliasCount: -1 })
}

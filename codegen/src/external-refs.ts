import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { SchemaError, type CodegenIssue } from './issues.js'
import { parseSchemaText } from './parse.js'
import { fragmentProblem, isObject, toPointer } from './pointer.js'
import { findDanglingRefs } from './refs.js'
import { toRepoPath } from './repo-path.js'
import { walkObjects } from './walk.js'

/** A schema file reached from another one through a `$ref` such as `../common.defs.yaml#/$defs/X`. */
export interface ReferencedSchema {
  /** Repository-relative path with `/` separators. */
  readonly path: string
  readonly schema: Record<string, unknown>
}

/**
 * The URI a schema file is known by while validators are compiled. It is derived from the file's
 * repository path (never from a `$id` the file may declare), so a relative `$ref` resolves next to
 * the file, exactly as json-schema-to-typescript resolves it for the types, and the generated code
 * holds no machine-specific path.
 */
export function schemaUri(repoPath: string): string {
  return `tillkit:/${repoPath}`
}

/**
 * Loads, transitively, every file that `schema` (the file at `file`, repository-relative; a JSON
 * Schema or an OpenAPI document) reaches through a relative file `$ref`, so that Ajv can compile
 * against them, and checks them before any tool follows the references itself. Only references
 * that stay inside the repository's `schemas/` folder are followed: output must depend on nothing
 * else, and nothing is fetched. Anything else (a URL, an absolute path, a missing file, a fragment
 * that does not resolve in the target file) is reported with the pointer of the node holding the
 * `$ref`; problems inside a referenced file (checked whole) are reported against that file.
 */
export async function loadReferencedSchemas(
  root: string,
  file: string,
  schema: Record<string, unknown>,
): Promise<{ schemas: ReferencedSchema[]; issues: CodegenIssue[] }> {
  const schemasDir = path.join(root, 'schemas')
  const loaded = new Map<string, Loaded>([[file, schema]])
  const schemas: ReferencedSchema[] = []
  const issues: CodegenIssue[] = []
  const queue: { file: string; schema: Record<string, unknown> }[] = [{ file, schema }]

  for (let next = queue.shift(); next; next = queue.shift()) {
    const from = next
    const refs: { pointer: string; ref: string }[] = []
    walkObjects(from.schema, (node, nodePath) => {
      const ref = node.$ref
      if (typeof ref === 'string' && !ref.startsWith('#')) {
        refs.push({ pointer: toPointer(nodePath), ref })
      }
    })
    for (const { pointer, ref } of refs) {
      const report = (message: string) =>
        issues.push({ file: from.file, pointer, message: `$ref '${ref}' ${message}` })
      const [target, fragment = ''] = splitRef(ref)
      if (target === undefined || /^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('/')) {
        report('is not a path relative to this file; only such references are supported')
        continue
      }
      const absolute = path.resolve(root, path.dirname(from.file), target)
      const inside = path.relative(schemasDir, absolute)
      if (inside === '' || inside.split(path.sep)[0] === '..' || path.isAbsolute(inside)) {
        report('points outside the schemas folder')
        continue
      }
      const targetFile = toRepoPath(root, absolute)
      if (!loaded.has(targetFile)) {
        const document = await readSchema(absolute, targetFile, issues)
        loaded.set(targetFile, document)
        if (isObject(document)) {
          schemas.push({ path: targetFile, schema: document })
          queue.push({ file: targetFile, schema: document })
        }
      }
      // A broken file's own issues say what to fix there; the reference itself is not at fault.
      const document = loaded.get(targetFile)!
      if (document === 'missing') report(`cannot be followed: there is no file ${targetFile}`)
      else if (document !== 'broken') {
        const problem = fragmentProblem(document, fragment, targetFile)
        if (problem) report(problem)
      }
    }
  }
  return { schemas, issues }
}

/** `a/b.yaml#/$defs/X` -> [`a/b.yaml`, `/$defs/X`], with the path percent-decoded. */
function splitRef(ref: string): [string | undefined, string | undefined] {
  const hash = ref.indexOf('#')
  const [target, fragment] =
    hash === -1 ? [ref, undefined] : [ref.slice(0, hash), ref.slice(hash + 1)]
  try {
    return [decodeURIComponent(target), fragment]
  } catch {
    return [undefined, fragment]
  }
}

type Loaded = Record<string, unknown> | 'missing' | 'broken'

/**
 * Parsed referenced files, by absolute path, with the text they were parsed from. A shared file
 * is referenced by most messages of a provider: parsing it once per run instead of once per
 * message saves a noticeable share of the time budget. An edited file is parsed again.
 */
const parsed = new Map<string, { text: string; document: Record<string, unknown> }>()

/** Reads and checks one referenced file; problems inside it are reported against that file. */
async function readSchema(absolute: string, file: string, issues: CodegenIssue[]): Promise<Loaded> {
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch {
    return 'missing'
  }
  const cached = parsed.get(absolute)
  if (cached?.text === text) return cached.document
  let document: unknown
  try {
    document = parseSchemaText(text, file)
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error
    issues.push(...error.issues)
    return 'broken'
  }
  if (!isObject(document)) {
    issues.push({
      file,
      message: 'a file reached through a $ref must be a mapping at the top level',
    })
    return 'broken'
  }
  const dangling = findDanglingRefs(document, file)
  issues.push(...dangling)
  if (dangling.length > 0) return 'broken'
  parsed.set(absolute, { text, document })
  return document
}

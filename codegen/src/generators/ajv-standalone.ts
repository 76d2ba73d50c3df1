import { schemaUri, type ReferencedSchema } from '../external-refs.js'
import { formatIssue, SchemaError, type CodegenIssue } from '../issues.js'
import { load } from '../load.js'
import { isObject, toPointer } from '../pointer.js'
import { walkObjects } from '../walk.js'

/**
 * Compiles a JSON Schema into an ES module of plain JavaScript with Ajv's standalone mode, so the
 * generated package validates at run time without Ajv and without compiling any schema.
 *
 * Decisions:
 * - `format` is an annotation only (`validateFormats: false`): format checks would need the
 *   ajv-formats runtime, which provider packages do not ship.
 * - Ajv emits `require("ajv/dist/runtime/<helper>")` for a few keywords even in ESM mode. The two
 *   a JSON payload schema needs (`ucs2length` for min/maxLength, `equal` for object-valued
 *   const/enum and uniqueItems) are replaced by the small functions below; any other helper is
 *   reported as a schema error rather than emitted as code that fails at import time.
 * - Extension keywords (`x-unverified`, ...) and json-schema-to-typescript's `tsType` are
 *   registered as annotations so strict mode accepts them; any other unknown keyword is still an
 *   error.
 * - Ajv's `discriminator` keyword is on: a `oneOf` of objects told apart by one property then
 *   reports the errors of the matching branch only, instead of every branch's.
 * - The schemas of one folder are compiled by one Ajv instance into one module. Every file (and
 *   each file reached through relative `$ref`s) is added under its `schemaUri`, so references
 *   resolve next to each file. Nothing is inlined (`inlineRefs: false`): a definition is one
 *   function, called by every validator that uses it.
 */

type Dialect = 'draft-07' | '2020-12'

/** `$schema` URIs (without a trailing `#`) that Ajv compiles for us. */
const DIALECTS = new Map<unknown, Dialect>([
  ['http://json-schema.org/draft-07/schema', 'draft-07'],
  ['https://json-schema.org/draft/2020-12/schema', '2020-12'],
])

const RUNTIME_HELPERS: Record<string, { name: string; source: string }> = {
  ucs2length: {
    name: 'codePointLength',
    source: `/** Length in Unicode code points, as JSON Schema counts minLength/maxLength. */
function codePointLength(text) {
  let length = 0
  for (const _ of text) length++
  return length
}`,
  },
  equal: {
    name: 'jsonEqual',
    source: `/** Structural equality of two JSON values (const, enum, uniqueItems). */
function jsonEqual(a, b) {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]))
  const keys = Object.keys(a)
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  )
}`,
  },
}

/** One message schema of a folder, with the files it reaches through `$ref`s. */
export interface ValidatorEntry {
  /** Repository-relative path of the schema. */
  readonly path: string
  readonly schema: Record<string, unknown>
  readonly referenced: readonly ReferencedSchema[]
}

export interface ValidatorModule {
  /** JavaScript statements defining every validator, the definitions they share and helpers. */
  readonly code: string
  /** Name of each entry's validator function inside `code`, by schema path. */
  readonly functionNames: ReadonlyMap<string, string>
  /** Every schema file compiled into `code` (entries and referenced files), sorted. */
  readonly files: readonly string[]
}

type StandaloneModule = (typeof import('ajv/dist/standalone/index.js'))['default']

/**
 * Keywords that only annotate: they never change what validates. Ajv copies the schema objects some
 * keywords need (an `enum`'s values for its error) whole into the module, prose included, so they
 * are removed before compiling; `x-*` extensions and json-schema-to-typescript's `tsType` too.
 */
const ANNOTATIONS = new Set([
  'title',
  'description',
  '$comment',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'tsType',
])

/** A copy of `schema` without annotations (property names that look like them stay). */
function withoutAnnotations(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema)
  walkObjects(copy, (node) => {
    for (const key of Object.keys(node)) {
      if (ANNOTATIONS.has(key) || key.startsWith('x-')) delete node[key]
    }
  })
  return copy
}

/**
 * Compiles the validators of every entry (one folder's message schemas) with one Ajv instance into
 * one module. A definition that several messages use (a receipt line, a nexo header) becomes one
 * function they all call, instead of a copy inlined into each validator.
 */
export function compileValidatorModule(
  entries: readonly ValidatorEntry[],
  folder: string,
): ValidatorModule {
  const issues = validatorIssues(entries)
  if (issues.length > 0) throw new SchemaError(issues)
  const dialect = folderDialect(entries).dialect!
  const files = filesOf(entries)
  const paths = [...files.keys()].sort()
  const ajv = createAjv(dialect, { validateSchema: false })
  const cannot = (file: string, error: unknown) =>
    issues.push({ file, message: `Ajv cannot compile the schema: ${(error as Error).message}` })
  // Sorted order: Ajv numbers functions in the order it meets schemas, so the module depends only
  // on the files, not on the order they were read in. Each entry is compiled on its own first, so
  // that a failure names the schema whose compilation met it.
  for (const file of paths) {
    try {
      addFile(ajv, file, withoutAnnotations(files.get(file)!))
    } catch (error) {
      cannot(file, error)
    }
  }
  const functionNames = new Map<string, string>()
  for (const entry of issues.length === 0 ? entries : []) {
    try {
      // `source` is set because the instance was created with `code.source: true`.
      const validate = ajv.getSchema(schemaUri(entry.path))!
      functionNames.set(entry.path, String(validate.source!.validateName))
    } catch (error) {
      cannot(entry.path, error)
    }
  }
  if (issues.length > 0) throw new SchemaError(issues)
  // Ajv writes an export per key; they are replaced by typed ones, so any identifier will do.
  const exports = Object.fromEntries(entries.map((entry, i) => [`v${i}`, schemaUri(entry.path)]))
  const standalone = load('ajv/dist/standalone') as StandaloneModule
  const where = entries.length === 1 ? entries[0]!.path : folder
  return { code: selfContained(standalone(ajv, exports), where), functionNames, files: paths }
}

/**
 * Registers one file under its `schemaUri`, and each of its top-level definitions under the URI
 * that references to it resolve to (`tillkit:/schemas/p/common.defs.yaml#/$defs/Tid`). Ajv keeps
 * one compiled function per registered schema, while a definition reached through a pointer into
 * a file is compiled anew for every message that reaches it.
 *
 * A definition registered on its own resolves its relative references against its own URI, which
 * is right for `#/$defs/X` and for other files, but not for a deeper pointer into its file
 * (`#/$defs/X/items`): the definitions of a file holding one are left to the pointer route, still
 * correct, only not shared.
 */
function addFile(
  ajv: ReturnType<typeof createAjv>,
  file: string,
  schema: Record<string, unknown>,
): void {
  const uri = schemaUri(file)
  ajv.addSchema({ ...schema, $id: uri })
  if (!definitionsStandAlone(schema)) return
  for (const keyword of ['$defs', 'definitions']) {
    const definitions = schema[keyword]
    if (!isObject(definitions)) continue
    for (const [name, definition] of Object.entries(definitions)) {
      if (isObject(definition)) ajv.addSchema(definition, `${uri}#${toPointer([keyword, name])}`)
    }
  }
}

function definitionsStandAlone(schema: Record<string, unknown>): boolean {
  let alone = true
  walkObjects(schema, (node) => {
    const ref = node.$ref
    if (typeof ref === 'string' && ref.startsWith('#')) {
      alone &&= /^#\/(\$defs|definitions)\/[^/]+$/.test(ref)
    }
  })
  return alone
}

/**
 * What keeps `entries` from compiling together: an unsupported or mixed dialect, or a file that
 * breaks its dialect's meta-schema. Checked apart from compiling, so that a folder whose other
 * files have problems still gets these reported.
 */
export function validatorIssues(entries: readonly ValidatorEntry[]): CodegenIssue[] {
  const { dialect, issues } = folderDialect(entries)
  if (dialect === undefined) return issues
  // Only files read in the folder's dialect are checked against its meta-schema.
  const mismatched = new Set(issues.map((issue) => issue.file))
  const files = filesOf(entries)
  const invalid = [...files.keys()]
    .sort()
    .filter((file) => !mismatched.has(file))
    .flatMap((file) => metaSchemaIssues(files.get(file)!, file, dialect))
  return [...issues, ...invalid]
}

/** Every file the entries compile from, by path: each entry and what it references. */
export function filesOf(entries: readonly ValidatorEntry[]): Map<string, Record<string, unknown>> {
  const files = new Map<string, Record<string, unknown>>()
  for (const entry of entries) {
    files.set(entry.path, entry.schema)
    for (const other of entry.referenced) files.set(other.path, other.schema)
  }
  return files
}

/**
 * The dialect a folder is compiled in (one Ajv instance compiles one dialect): the first schema's,
 * and every schema that declares another is an issue. A referenced file without `$schema` is read
 * in the dialect of the schemas that use it.
 */
function folderDialect(entries: readonly ValidatorEntry[]): {
  dialect?: Dialect
  issues: CodegenIssue[]
} {
  const issues: CodegenIssue[] = []
  const declared = (schema: Record<string, unknown>, file: string): Dialect | undefined => {
    try {
      return dialectOf(schema, file)
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error
      issues.push(...error.issues)
      return undefined
    }
  }
  const dialects = entries.map((entry) => declared(entry.schema, entry.path))
  const index = dialects.findIndex((dialect) => dialect !== undefined)
  const dialect = dialects[index]
  if (dialect === undefined) return { issues }
  const first = entries[index]!
  entries.forEach((entry, i) => {
    const own = dialects[i]
    if (own !== undefined && own !== dialect) {
      issues.push({
        file: entry.path,
        pointer: '/$schema',
        message: `uses ${own}, but ${first.path} in the same folder uses ${dialect}; the schemas of a folder share one validator module and must use one dialect`,
      })
    }
    for (const other of entry.referenced) {
      if (other.schema.$schema === undefined) continue
      const theirs = declared(other.schema, other.path)
      if (theirs !== undefined && theirs !== (own ?? dialect)) {
        issues.push({
          file: other.path,
          pointer: '/$schema',
          message: `is referenced from ${entry.path}, which uses ${own ?? dialect}; both must use the same dialect`,
        })
      }
    }
  })
  const unique = issues.filter(
    (issue, i) => issues.findIndex((other) => formatIssue(other) === formatIssue(issue)) === i,
  )
  return { dialect, issues: unique }
}

function dialectOf(schema: Record<string, unknown>, file: string): Dialect {
  const declared = schema.$schema
  if (declared === undefined) return 'draft-07'
  const dialect = DIALECTS.get(typeof declared === 'string' ? declared.replace(/#$/, '') : declared)
  if (dialect) return dialect
  throw new SchemaError([
    {
      file,
      pointer: '/$schema',
      message: `unsupported dialect ${JSON.stringify(declared)}; use draft-07 or 2020-12`,
    },
  ])
}

/**
 * Checking a schema against its meta-schema means compiling the meta-schema first, which costs
 * more than compiling a message validator. One instance per dialect does that for the whole run.
 * Validators themselves are compiled by a fresh instance each (which skips the check): the names
 * Ajv gives functions and constants count up per instance, so a shared one would make each
 * output depend on what was compiled before it.
 */
const metaSchemaCheckers = new Map<
  Dialect,
  { ajv: ReturnType<typeof createAjv>; passed: WeakSet<object> }
>()

/**
 * Where `schema` breaks its dialect's meta-schema (a `minimum` that is not a number...). A parsed
 * document found valid once is not checked again: shared files are parsed once per run.
 */
function metaSchemaIssues(schema: object, file: string, dialect: Dialect): CodegenIssue[] {
  let checker = metaSchemaCheckers.get(dialect)
  if (!checker) {
    checker = { ajv: createAjv(dialect, { validateSchema: true }), passed: new WeakSet() }
    metaSchemaCheckers.set(dialect, checker)
  }
  if (checker.passed.has(schema)) return []
  if (checker.ajv.validateSchema(schema)) {
    checker.passed.add(schema)
    return []
  }
  const issues = (checker.ajv.errors ?? []).map((error) => ({
    file,
    pointer: error.instancePath,
    message: `${error.message ?? error.keyword} (${dialect} meta-schema)`,
  }))
  return issues.filter(
    (issue, index) =>
      issues.findIndex((other) => formatIssue(other) === formatIssue(issue)) === index,
  )
}

function createAjv(dialect: Dialect, { validateSchema }: { validateSchema: boolean }) {
  const options = {
    code: { source: true, esm: true, lines: true },
    strict: true,
    validateFormats: false,
    validateSchema,
    // Meta-schemas are needed only to check schemas, which the compiling instances do not.
    meta: validateSchema,
    discriminator: true,
    logger: false,
    inlineRefs: false,
  } as const
  if (dialect === '2020-12') {
    const { Ajv2020 } = load('ajv/dist/2020') as typeof import('ajv/dist/2020.js')
    return new Ajv2020(options)
  }
  const { Ajv } = load('ajv') as typeof import('ajv')
  return new Ajv(options)
}

/**
 * Turns Ajv's module into plain statements: its `export` lines go (the generator adds a typed
 * export) and runtime-helper `require`s become the local functions above.
 */
function selfContained(code: string, file: string): string {
  const issues: CodegenIssue[] = []
  const used = new Set<string>()
  const body = code
    .replace(/^"use strict";\n?/, '')
    .replace(/^export const \w+ = \w+;\n?/gm, '')
    .replace(
      /^const (\w+) = require\("ajv\/dist\/runtime\/(\w+)"\)\.default;$/gm,
      (line, local: string, helper: string) => {
        const replacement = RUNTIME_HELPERS[helper]
        if (!replacement) {
          issues.push({
            file,
            message: `the validator needs Ajv's runtime helper '${helper}', which generated code cannot import`,
          })
          return line
        }
        used.add(helper)
        return `const ${local} = ${replacement.name};`
      },
    )
  if (issues.length > 0) throw new SchemaError(issues)
  const helpers = [...used].sort().map((helper) => RUNTIME_HELPERS[helper]!.source)
  return [...helpers, withoutUnusedSchemas(body)].join('\n\n')
}

/**
 * Ajv declares a constant holding each schema it compiled (`const schema31 = {...};`, one line
 * each), whole, descriptions included, even when the code never reads it. Only the ones the code
 * uses (for `enum` lists, for instance) are kept.
 */
function withoutUnusedSchemas(code: string): string {
  const uses = new Map<string, number>()
  for (const [name] of code.matchAll(/\bschema\d+\b/g)) uses.set(name, (uses.get(name) ?? 0) + 1)
  return code.replace(/^const (schema\d+) = .*;\n/gm, (line, name: string) =>
    uses.get(name) === 1 ? '' : line,
  )
}

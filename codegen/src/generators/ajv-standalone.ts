import { schemaUri, type ReferencedSchema } from '../external-refs.js'
import { formatIssue, SchemaError, type CodegenIssue } from '../issues.js'
import { load } from '../load.js'
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
 * - Schema files reached through relative `$ref`s are added under their `schemaUri`, and the root
 *   is compiled under its own, so references resolve next to each file. Ajv inlines what they
 *   point at: the generated validator stays one self-contained module.
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

export interface StandaloneValidator {
  /** JavaScript statements defining the validator (and the helpers it uses). */
  readonly code: string
  /** Name of the validator function inside `code`. */
  readonly functionName: string
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

export function compileValidator(
  schema: Record<string, unknown>,
  file: string,
  referenced: readonly ReferencedSchema[] = [],
): StandaloneValidator {
  const dialect = dialectOf(schema, file)
  // A referenced file without `$schema` is read in the dialect of the schema that uses it.
  const mismatched = referenced.filter(
    (other) =>
      other.schema.$schema !== undefined && dialectOf(other.schema, other.path) !== dialect,
  )
  if (mismatched.length > 0) {
    throw new SchemaError(
      mismatched.map((other) => ({
        file: other.path,
        pointer: '/$schema',
        message: `is referenced from ${file}, which uses ${dialect}; both must use the same dialect`,
      })),
    )
  }
  const invalid = [{ schema, path: file }, ...referenced].flatMap((each) =>
    metaSchemaIssues(each.schema, each.path, dialect),
  )
  if (invalid.length > 0) throw new SchemaError(invalid)

  const ajv = createAjv(dialect, { validateSchema: false })
  const standalone = load('ajv/dist/standalone') as StandaloneModule
  try {
    for (const other of referenced) {
      ajv.addSchema({ ...withoutAnnotations(other.schema), $id: schemaUri(other.path) })
    }
    const validate = ajv.compile({ ...withoutAnnotations(schema), $id: schemaUri(file) })
    const code = standalone(ajv, validate)
    // `code.source` is set because the instance was created with `code.source: true`.
    return { code: selfContained(code, file), functionName: String(validate.source!.validateName) }
  } catch (error) {
    if (error instanceof SchemaError) throw error
    throw new SchemaError([
      { file, message: `Ajv cannot compile the schema: ${(error as Error).message}` },
    ])
  }
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
    discriminator: true,
    logger: false,
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
    .replace(/^export (const validate = \w+|default \w+);\n?/gm, '')
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

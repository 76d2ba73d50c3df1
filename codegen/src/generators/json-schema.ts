import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadReferencedSchemas, type ReferencedSchema } from '../external-refs.js'
import { SchemaError, type CodegenIssue } from '../issues.js'
import { parseSchemaText } from '../parse.js'
import { load } from '../load.js'
import { isObject, toPointer } from '../pointer.js'
import { findDanglingRefs } from '../refs.js'
import { walkObjects } from '../walk.js'
import { printTypeScript } from '../print.js'
import { compileValidator } from './ajv-standalone.js'
import type { Generator, SchemaSource } from './types.js'

/**
 * `*.schema.json|yaml|yml` -> two modules:
 * - `<name>.ts`: types from json-schema-to-typescript, laid out by the TypeScript printer; the root
 *   type is named after the file
 *   (`sale-request.schema.json` -> `SaleRequest`), so imports are predictable whatever the
 *   schema's `title` or `$id`;
 * - `<name>.validate.ts`: an Ajv validator compiled now, exported as `validate<Name>`, a type
 *   guard for that root type. Ajv's code is written as Ajv lays it out (one statement per line).
 *
 * A schema may reference definitions in another file with a relative `$ref`
 * (`../common.defs.yaml#/$defs/Currency`). Name such shared files so that no generator claims them
 * (not `*.schema.*`): they produce no module of their own, and what each message uses is copied
 * into its types (a referenced definition with a `title` becomes a named type) and its validator.
 */
export const jsonSchemaGenerator: Generator = {
  name: 'json-schema',
  claim: (fileName) => /^(.+)\.schema\.(?:ya?ml|json)$/.exec(fileName)?.[1],
  async generate(source) {
    const schema = parseSchemaText(source.text, source.path)
    if (!isObject(schema)) {
      throw new SchemaError([
        { file: source.path, message: 'a JSON Schema must be a mapping at the top level' },
      ])
    }
    const referenced = await loadReferencedSchemas(source.root, source.path, schema)
    const issues = [
      ...findDanglingRefs(schema, source.path),
      ...findImpossibleBounds(schema, source.path),
      ...referenced.issues,
      ...referenced.schemas.flatMap((other) => findImpossibleBounds(other.schema, other.path)),
    ]
    if (issues.length > 0) throw new SchemaError(issues)

    const stem = path.posix.basename(source.outputBase)
    const typeName = typeNameFor(stem)
    const validator = compileValidator(schema, source.path, referenced.schemas)
    const types = await compileTypes(schema, typeName, source, referenced.schemas)
    const validatorModule = [
      "// @ts-nocheck -- Ajv's standalone output is untyped JavaScript; the export below is typed.",
      `import type { ${typeName} } from './${stem}.js'`,
      '',
      validator.code,
      '',
      '/** A validation failure as reported by Ajv. */',
      'export interface ValidationError {',
      '  instancePath: string',
      '  schemaPath: string',
      '  keyword: string',
      '  params: Record<string, unknown>',
      '  message?: string',
      '}',
      '',
      `/** Checks a value against ${source.path}; on failure, \`.errors\` says why. */`,
      `export const validate${typeName} = ${validator.functionName} as ((data: unknown) => data is ${typeName}) & {`,
      '  errors?: ValidationError[] | null',
      '}',
    ].join('\n')
    return [
      { path: `${source.outputBase}.ts`, content: types },
      { path: `${source.outputBase}.validate.ts`, content: validatorModule },
    ]
  },
}

async function compileTypes(
  schema: Record<string, unknown>,
  typeName: string,
  source: SchemaSource,
  referenced: readonly ReferencedSchema[],
): Promise<string> {
  const { compile } = load(
    'json-schema-to-typescript',
  ) as typeof import('json-schema-to-typescript')
  // A root `title` or `$id` would override the file-derived name; drop them for the types only.
  const { title: _title, $id: _id, ...root } = structuredClone(schema)
  const types = await compile(root as Parameters<typeof compile>[0], typeName, {
    bannerComment: '',
    format: false,
    additionalProperties: false,
    strictIndexSignatures: true,
    unknownAny: true,
    unreachableDefinitions: false,
    cwd: path.dirname(source.absolutePath),
    $refOptions: { resolve: { http: false, tillkit: alreadyLoaded(source.root, referenced) } },
  })
  return printTypeScript(types)
}

/**
 * A resolver for json-schema-to-typescript's `$ref` parser that hands it the referenced files we
 * have already parsed, instead of letting it read and parse them again for every message. It gets
 * a copy: the parser rewrites what it dereferences in place.
 */
function alreadyLoaded(root: string, referenced: readonly ReferencedSchema[]) {
  const byPath = new Map(referenced.map((other) => [path.join(root, other.path), other.schema]))
  const pathOf = (url: string) => (url.startsWith('file:') ? fileURLToPath(url) : decodeURI(url))
  return {
    order: 1,
    canRead: (file: { url: string }) => byPath.has(pathOf(file.url)),
    read: (file: { url: string }) => structuredClone(byPath.get(pathOf(file.url))),
  }
}

const BOUNDS = [
  ['minItems', 'maxItems'],
  ['minLength', 'maxLength'],
  ['minProperties', 'maxProperties'],
  ['minContains', 'maxContains'],
  ['minimum', 'maximum'],
] as const

/**
 * A lower bound above its upper bound makes a schema unsatisfiable. Ajv accepts it silently and
 * json-schema-to-typescript fails with a bare error (printing its reason to stderr), so we
 * report it first, with a pointer.
 */
function findImpossibleBounds(schema: unknown, file: string): CodegenIssue[] {
  const issues: CodegenIssue[] = []
  walkObjects(schema, (node, path) => {
    for (const [low, high] of BOUNDS) {
      const min = node[low]
      const max = node[high]
      if (typeof min === 'number' && typeof max === 'number' && min > max) {
        issues.push({
          file,
          pointer: toPointer(path),
          message: `${low} ${min} is greater than ${high} ${max}`,
        })
      }
    }
  })
  return issues
}

/**
 * `sale-request` -> `SaleRequest`, computed by json-schema-to-typescript's own identifier function
 * so that the name the validator imports is exactly the name the types module exports.
 */
function typeNameFor(stem: string): string {
  const { toSafeString } = load(
    'json-schema-to-typescript/dist/src/utils.js',
  ) as typeof import('json-schema-to-typescript/dist/src/utils.js')
  return toSafeString(stem)
}

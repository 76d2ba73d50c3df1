import path from 'node:path'
import { SchemaError, type CodegenIssue } from '../issues.js'
import { parseSchemaText } from '../parse.js'
import { load } from '../load.js'
import { isObject, toPointer } from '../pointer.js'
import { findDanglingRefs } from '../refs.js'
import { walkObjects } from '../walk.js'
import { compileValidator } from './ajv-standalone.js'
import type { Generator, SchemaSource } from './types.js'

/**
 * `*.schema.json|yaml|yml` -> two modules:
 * - `<name>.ts`: types from json-schema-to-typescript; the root type is named after the file
 *   (`sale-request.schema.json` -> `SaleRequest`), so imports are predictable whatever the
 *   schema's `title` or `$id`;
 * - `<name>.validate.ts`: an Ajv validator compiled now, exported as `validate<Name>`, a type
 *   guard for that root type.
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
    const issues = [
      ...findDanglingRefs(schema, source.path),
      ...findImpossibleBounds(schema, source.path),
    ]
    if (issues.length > 0) throw new SchemaError(issues)

    const stem = path.posix.basename(source.outputBase)
    const typeName = typeNameFor(stem)
    const validator = compileValidator(schema, source.path)
    const types = await compileTypes(schema, typeName, source)
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
): Promise<string> {
  const { compile } = load(
    'json-schema-to-typescript',
  ) as typeof import('json-schema-to-typescript')
  // A root `title` or `$id` would override the file-derived name; drop them for the types only.
  const { title: _title, $id: _id, ...root } = structuredClone(schema)
  return compile(root as Parameters<typeof compile>[0], typeName, {
    bannerComment: '',
    format: false,
    additionalProperties: false,
    strictIndexSignatures: true,
    unknownAny: true,
    unreachableDefinitions: false,
    cwd: path.dirname(source.absolutePath),
    $refOptions: { resolve: { http: false } },
  })
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

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadReferencedSchemas, type ReferencedSchema } from '../external-refs.js'
import { SchemaError, type CodegenIssue } from '../issues.js'
import { parseSchemaText } from '../parse.js'
import { load } from '../load.js'
import { isObject, toPointer } from '../pointer.js'
import { findAnchors, findDanglingRefs } from '../refs.js'
import { walkObjects } from '../walk.js'
import { indentByBraces, printTypeScript } from '../print.js'
import {
  compileValidatorModule,
  filesOf,
  validatorIssues,
  type ValidatorEntry,
} from './ajv-standalone.js'
import type { GeneratedModule, Generator, SchemaSource } from './types.js'

/**
 * `*.schema.json|yaml|yml` files, one folder at a time (a provider's first-level folder such as
 * `websocket/`, or the provider folder itself for the files directly in it):
 * - `<name>.ts` per schema: types from json-schema-to-typescript, laid out by the TypeScript
 *   printer; the root type is named after the file (`sale-request.schema.json` -> `SaleRequest`),
 *   so imports are predictable whatever the schema's `title` or `$id`;
 * - `validators.ts` per folder: every schema's Ajv validator, compiled now by one Ajv instance, so
 *   what several messages share is compiled once; each is exported as `validate<Name>`, a type
 *   guard for its root type. Ajv's code is written as Ajv lays it out (one statement per line);
 * - `<name>.validate.ts` per schema: a one-line re-export of its validator, so a package imports
 *   the validator of a message from next to its types.
 *
 * A schema may reference definitions in another file with a relative `$ref`
 * (`../common.defs.yaml#/$defs/Currency`). Name such shared files so that no generator claims them
 * (not `*.schema.*`): they produce no module of their own; what each message uses is copied into
 * its types (a referenced definition with a `title` becomes a named type) and compiled into the
 * validator module of every folder that uses it.
 */
export const jsonSchemaGenerator: Generator = {
  name: 'json-schema',
  claim: (fileName) => /^(.+)\.schema\.(?:ya?ml|json)$/.exec(fileName)?.[1],
  folderOf: (source) => validatorFolder(source.path).schemas,
  async generate(sources) {
    const issues: CodegenIssue[] = []
    const messages: Message[] = []
    for (const source of sources) {
      try {
        messages.push(await readMessage(source))
      } catch (error) {
        if (!(error instanceof SchemaError)) throw error
        issues.push(...error.issues)
      }
    }
    issues.push(...validatorIssues(messages))
    if (issues.length > 0) throw new SchemaError(issues)
    // Only now: a dialect's meta-schema refuses some of the same things, with a better message.
    for (const [file, schema] of filesOf(messages))
      issues.push(...typeGeneratorIssues(schema, file))
    if (issues.length > 0) throw new SchemaError(issues)

    const folder = validatorFolder(messages[0]!.path)
    const validators = compileValidatorModule(messages, folder.schemas)
    const outputDir = outputFolder(messages[0]!.source, folder)
    const exportNames = validatorExportNames(messages, folder)
    const shared = `${outputDir}/validators`
    const types = await Promise.all(messages.map(compileTypes))

    const perMessage = messages.flatMap((message, index): GeneratedModule[] => {
      const exported = exportNames.get(message.path)!
      const own = `validate${message.typeName}`
      const from = relativeImport(path.posix.dirname(message.source.outputBase), shared)
      const name = exported === own ? own : `${exported} as ${own}`
      return [
        {
          path: `${message.source.outputBase}.ts`,
          content: types[index]!,
          sources: [message.path],
        },
        {
          path: `${message.source.outputBase}.validate.ts`,
          content: `export { ${name}, type ValidationError } from '${from}'`,
          sources: [message.path],
        },
      ]
    })
    const typedExports = messages.flatMap((message) => {
      const type = `import('${relativeImport(outputDir, message.source.outputBase)}').${message.typeName}`
      return [
        '',
        `/** Checks a value against ${message.path}; on failure, \`.errors\` says why. */`,
        `export const ${exportNames.get(message.path)} = ${validators.functionNames.get(message.path)} as Validator<${type}>`,
      ]
    })
    const validatorModule = [
      "// @ts-nocheck -- Ajv's standalone output is untyped JavaScript; the exports below are typed.",
      '',
      // Ajv writes one statement a line, unindented: indented as the type modules are.
      indentByBraces(validators.code),
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
      '/** A type guard compiled from a schema; on failure, `.errors` says why. */',
      'export type Validator<T> = ((data: unknown) => data is T) & {',
      '  errors?: ValidationError[] | null',
      '}',
      ...typedExports,
    ].join('\n')
    return [
      ...perMessage,
      { path: `${shared}.ts`, content: validatorModule, sources: validators.files },
    ]
  },
}

/** A parsed and checked message schema. */
interface Message extends ValidatorEntry {
  readonly source: SchemaSource
  readonly typeName: string
}

async function readMessage(source: SchemaSource): Promise<Message> {
  const schema = parseSchemaText(source.text, source.path)
  if (!isObject(schema)) {
    throw new SchemaError([
      { file: source.path, message: 'a JSON Schema must be a mapping at the top level' },
    ])
  }
  const referenced = await loadReferencedSchemas(source.root, source.path, schema)
  // Checked in every file: a shared one's problems are found by each message, reported once.
  const ownIssues = (own: unknown, file: string) => [
    ...findAnchors(own, file),
    ...findImpossibleBounds(own, file),
  ]
  const issues = [
    ...findDanglingRefs(schema, source.path),
    ...ownIssues(schema, source.path),
    ...referenced.issues,
    ...referenced.schemas.flatMap((other) => ownIssues(other.schema, other.path)),
  ]
  if (issues.length > 0) throw new SchemaError(issues)
  const typeName = typeNameFor(path.posix.basename(source.outputBase))
  return { path: source.path, schema, referenced: referenced.schemas, source, typeName }
}

/**
 * The folder whose schemas share a validator module: `schemas/<p>/<first folder>`, or
 * `schemas/<p>` for a schema directly in the provider folder. `inside` is its path below
 * `schemas/<p>/` (empty for the provider folder).
 */
function validatorFolder(schemaPath: string): { schemas: string; inside: string } {
  const [schemas, provider, ...rest] = schemaPath.split('/')
  const inside = rest.length > 1 ? rest[0]! : ''
  return { schemas: [schemas, provider, inside].filter(Boolean).join('/'), inside }
}

/** `packages/<p>/src/generated` plus the folder, from any source's output path. */
function outputFolder(source: SchemaSource, folder: { inside: string }): string {
  const depth = source.path.split('/').length - 2
  const generated = source.outputBase.split('/').slice(0, -depth).join('/')
  return folder.inside ? `${generated}/${folder.inside}` : generated
}

function relativeImport(fromDir: string, target: string): string {
  const relative = path.posix.relative(fromDir, target)
  return `${relative.startsWith('.') ? '' : './'}${relative}.js`
}

/**
 * The name each message's validator has in the shared module: `validate<Type>`, unless two
 * messages in different sub-folders have the same type name; those are told apart by their path
 * inside the folder (`pac/report.schema.yaml` -> `validatePacReport`) and renamed back by their
 * one-line modules.
 */
function validatorExportNames(
  messages: readonly Message[],
  folder: { schemas: string },
): Map<string, string> {
  const byType = new Map<string, number>()
  for (const message of messages)
    byType.set(message.typeName, (byType.get(message.typeName) ?? 0) + 1)
  const names = new Map<string, string>()
  const owners = new Map<string, string>()
  const issues: CodegenIssue[] = []
  for (const message of messages) {
    const inside = path.posix.relative(folder.schemas, message.path).replace(/\.schema\.[^.]+$/, '')
    const name = `validate${byType.get(message.typeName)! > 1 ? typeNameFor(inside) : message.typeName}`
    const owner = owners.get(name)
    if (owner !== undefined) {
      issues.push({
        file: message.path,
        message: `its validator would be exported as ${name}, like the one of ${owner}; rename one of the files`,
      })
    }
    owners.set(name, message.path)
    names.set(message.path, name)
  }
  if (issues.length > 0) throw new SchemaError(issues)
  return names
}

async function compileTypes({ schema, typeName, source, referenced }: Message): Promise<string> {
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
 * A lower bound above its upper bound makes a schema unsatisfiable. Ajv accepts it silently (and
 * json-schema-to-typescript refuses only minItems > maxItems), so we report it first.
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
 * What json-schema-to-typescript refuses in a file the types are made from (a draft-07 `deprecated`
 * that is not a boolean, for one). Its `compile` would print the reasons to stderr and throw an
 * Error without a message: its own checks are run first, here. Their messages name a key, not a
 * path, so each node is checked on its own to report the pointer of the one at fault.
 */
function typeGeneratorIssues(schema: object, file: string): CodegenIssue[] {
  const { validate } = load(
    'json-schema-to-typescript/dist/src/validator.js',
  ) as typeof import('json-schema-to-typescript/dist/src/validator.js')
  const check = (node: object) => validate(node as Parameters<typeof validate>[0], file)
  const refused = check(schema)
  if (refused.length === 0) return []
  const issues: CodegenIssue[] = []
  walkObjects(schema, (node, path) => {
    for (const problem of check(node)) {
      // A node's own problem is reported at key "null"; its descendants' are found on their own.
      const reason = /^Error at key "null" in file ".*?": (.*)$/.exec(problem)?.[1]
      const message = `json-schema-to-typescript refuses it: ${reason}`
      if (reason !== undefined) issues.push({ file, pointer: toPointer(path), message })
    }
  })
  return issues.length > 0 ? issues : refused.map((message) => ({ file, message }))
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

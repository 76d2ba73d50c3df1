import { pathToFileURL } from 'node:url'
import type { OpenAPI3, OpenAPITSOptions } from 'openapi-typescript'
import { loadReferencedSchemas } from '../external-refs.js'
import { SchemaError, type CodegenIssue } from '../issues.js'
import { parseSchemaText } from '../parse.js'
import { load } from '../load.js'
import { isObject, toPointer } from '../pointer.js'
import { findAnchors, findDanglingRefs } from '../refs.js'
import { toRepoPath } from '../repo-path.js'
import { walkObjects } from '../walk.js'
import { loadRedocly, type RedoclyDocument, type RedoclyProblem } from './redocly.js'
import type { GeneratedModule, Generator, SchemaSource } from './types.js'

/**
 * openapi-typescript settings. Beyond its defaults (closed objects, string-literal unions instead
 * of enums), we choose:
 * - `exportType`: type aliases, so generated names cannot be merged into by accident;
 * - `rootTypes`: every component also gets a top-level alias (`SchemaTerminal`, `ResponseError`),
 *   keeping the kind prefix so a schema and a response of the same name cannot collide;
 * - `defaultNonNullable: false`: a property with a `default` stays optional, which is true for
 *   requests and the safe reading for responses;
 * - `emptyObjectsUnknown`: `{ type: object }` without properties means "any object", not `{}`.
 */
export const OPENAPI_TS_OPTIONS = {
  exportType: true,
  enum: false,
  rootTypes: true,
  defaultNonNullable: false,
  emptyObjectsUnknown: true,
  alphabetize: false,
  silent: true,
} as const satisfies OpenAPITSOptions

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** `*.openapi.yaml|yml|json` -> `<name>.ts` exporting `paths`, `components`, `operations`. */
export const openapiGenerator: Generator = {
  name: 'openapi',
  claim: (fileName) => /^(.+)\.openapi\.(?:ya?ml|json)$/.exec(fileName)?.[1],
  generate: (sources) => Promise.all(sources.map(generateOne)).then((modules) => modules.flat()),
}

async function generateOne(source: SchemaSource): Promise<GeneratedModule[]> {
  const document = parseSchemaText(source.text, source.path)
  if (!isObject(document)) {
    const message = 'an OpenAPI document must be a mapping at the top level'
    throw new SchemaError([{ file: source.path, message }])
  }
  // Before any tool sees a `$ref`: redocly and openapi-typescript would follow one anywhere,
  // fetching URLs. Referenced files are checked whole, as the JSON Schema generator checks them.
  const referenced = await loadReferencedSchemas(source.root, source.path, document)
  // Anchors and dynamic references: openapi-typescript cannot follow them either (it types the
  // value `unknown`), in the document or in a schema file it references.
  const issues = [
    ...checkShape(document, source.path),
    ...findAnchors(document, source.path),
    ...referenced.issues,
    ...referenced.schemas.flatMap((other) => findAnchors(other.schema, other.path)),
  ]
  if (issues.length > 0) throw new SchemaError(issues)
  const { redocly, bare } = await loadRedocly()
  // One resolver for the lint and the bundle: each referenced file is read and parsed once.
  const resolver = new redocly.BaseResolver(bare.resolve)
  const text = new redocly.Source(source.absolutePath, source.text)
  await lint({ source: text, parsed: document }, resolver, source.root)
  // Redocly writes the bundle into the document it is given: a copy.
  const bundled = await bundle(
    { source: text, parsed: structuredClone(document) },
    resolver,
    source.root,
  )

  const { default: openapiTS, astToString } = load(
    'openapi-typescript',
  ) as typeof import('openapi-typescript')
  const nodes = await openapiTS(withoutResponsesExtensions(bundled) as OpenAPI3, {
    ...OPENAPI_TS_OPTIONS,
    redocly: bare as OpenAPITSOptions['redocly'],
    // A file URL (not the folder): a relative `$ref` left in the bundle resolves next to it.
    cwd: pathToFileURL(source.absolutePath),
  })
  const reads = [source.path, ...referenced.schemas.map((other) => other.path)]
  return [{ path: `${source.outputBase}.ts`, content: astToString(nodes), reads }]
}

/**
 * `document` (the bundle, in which every operation of every file read now sits) without the
 * specification extensions (`x-unverified: true`) of its operations' Responses objects:
 * openapi-typescript reads every key of one as a status code, and fails on a scalar value or
 * makes a response type of an object. Changed in place: the bundle is our own copy.
 */
function withoutResponsesExtensions(document: unknown): unknown {
  walkObjects(document, (node, path) => {
    const { responses } = node
    if (!HTTP_METHODS.includes(String(path.at(-1))) || !isObject(responses)) return
    for (const key of Object.keys(responses)) if (key.startsWith('x-')) delete responses[key]
  })
  return document
}

/** Checks made before any tool sees the document, so their messages are precise and ours. */
function checkShape(document: Record<string, unknown>, file: string): CodegenIssue[] {
  const issues: CodegenIssue[] = []
  const version = document.openapi
  if (typeof version !== 'string' || !/^3\.\d+(\.\d+)?$/.test(version)) {
    const found = version === undefined ? 'it is missing' : `found ${JSON.stringify(version)}`
    issues.push({
      file,
      pointer: '/openapi',
      message: `expected \`openapi: 3.x\` as a string such as "3.1.0"; ${found}`,
    })
  }
  if (!isObject(document.paths)) {
    issues.push({
      file,
      pointer: '/paths',
      message: `expected a \`paths\` object; ${document.paths === undefined ? 'it is missing' : `found ${kindOf(document.paths)}`}`,
    })
  } else {
    issues.push(...findDuplicateOperationIds(document.paths, file))
  }
  issues.push(...findDanglingRefs(document, file))
  return issues
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

/** openapi-typescript keys `operations` by operationId, so a duplicate would silently merge. */
function findDuplicateOperationIds(paths: Record<string, unknown>, file: string): CodegenIssue[] {
  const seen = new Map<string, string>()
  const issues: CodegenIssue[] = []
  for (const [route, item] of Object.entries(paths)) {
    if (!isObject(item)) continue
    for (const method of HTTP_METHODS) {
      const operation = item[method]
      if (!isObject(operation) || typeof operation.operationId !== 'string') continue
      const pointer = toPointer(['paths', route, method, 'operationId'])
      const first = seen.get(operation.operationId)
      if (first === undefined) seen.set(operation.operationId, pointer)
      else {
        issues.push({
          file,
          pointer,
          message: `operationId '${operation.operationId}' is already used at #${first}`,
        })
      }
    }
  }
  return issues
}

/** Structural validation by redocly; every error is reported, each with its own pointer. */
async function lint(entry: RedoclyDocument, resolver: object, root: string): Promise<void> {
  const { redocly, lint: config } = await loadRedocly()
  const problems = await redocly.lintDocument({
    document: entry,
    config: config.styleguide,
    externalRefResolver: resolver,
  })
  throwErrors(problems, root)
}

/**
 * The entry document with every file it references brought in (`dereference: false`: a shared
 * definition stays one component), as openapi-typescript would bundle it from disk. Bundled here,
 * openapi-typescript gets one self-contained document, which codegen cleans for it whole: an
 * operation kept in another file is then cleaned as one in the entry document is.
 */
async function bundle(entry: RedoclyDocument, resolver: object, root: string): Promise<unknown> {
  const { redocly, bare } = await loadRedocly()
  const { bundle, problems } = await redocly.bundle({
    doc: entry,
    config: bare,
    externalRefResolver: resolver,
    dereference: false,
  })
  throwErrors(problems, root)
  return bundle.parsed
}

/** Redocly's errors as issues, each in the file (entry or referenced) and at the pointer named. */
function throwErrors(problems: readonly RedoclyProblem[], root: string): void {
  const issues = problems
    .filter((problem) => problem.severity === 'error')
    .map((problem): CodegenIssue => {
      // A problem may sit in an externally referenced file: name that file, not the entry point.
      const [location] = problem.location
      const file = toRepoPath(root, location.source.absoluteRef)
      const message = `${problem.message} [${problem.ruleId}]`
      // A file that does not parse has no pointer yet: its line and column instead.
      if (location.pointer !== undefined)
        return { file, pointer: location.pointer.replace(/^#/, ''), message }
      const { line, col } = (location as { start?: { line: number; col: number } }).start ?? {}
      return { file, ...(line !== undefined && { line, column: col }), message }
    })
  if (issues.length > 0) throw new SchemaError(issues)
}

import { load } from '../load.js'

/**
 * openapi-typescript validates and bundles documents with `@redocly/openapi-core`, which it
 * depends on but does not re-export. We load that same copy (resolved from openapi-typescript's
 * own location, so versions cannot drift) for three reasons: to run the structural lint ourselves
 * and report every problem with its file and pointer, to bundle the files a document references
 * into it before openapi-typescript sees it (so that what it reads can be cleaned first), and to
 * hand openapi-typescript a rule-less config so it neither lints twice nor prints its own
 * messages to stderr.
 *
 * Only the few members used here are typed.
 */
export interface RedoclyConfig {
  readonly styleguide: unknown
  readonly resolve: unknown
}

export interface RedoclyProblem {
  readonly severity: 'error' | 'warn'
  readonly ruleId: string
  readonly message: string
  /** Never empty: the first entry is where the problem is. */
  readonly location: readonly [RedoclyLocation, ...RedoclyLocation[]]
}

interface RedoclyLocation {
  readonly pointer: string
  readonly source: { readonly absoluteRef: string }
}

interface RedoclyModule {
  createConfig(raw: object, options: { extends: string[] }): Promise<RedoclyConfig>
  Source: new (absoluteRef: string, body: string, mimeType?: string) => object
  BaseResolver: new (config?: unknown) => object
  lintDocument(args: {
    document: RedoclyDocument
    config: unknown
    externalRefResolver: object
  }): Promise<RedoclyProblem[]>
  bundle(args: {
    doc: RedoclyDocument
    config: RedoclyConfig
    externalRefResolver: object
    dereference: false
  }): Promise<{ bundle: { parsed: unknown }; problems: RedoclyProblem[] }>
}

/** A parsed document with the `Source` (path and text) problems are located in. */
export interface RedoclyDocument {
  readonly source: object
  readonly parsed: unknown
}

/**
 * Lint rules, all at `error`: those that catch documents whose generated types would be wrong or
 * whose client could not be called. `$ref`s (local, and to other files) and duplicate operationIds
 * are checked by our own code first, with messages of our own; `no-unresolved-refs` still catches
 * a reference our checks do not read (one in an `examples` map).
 */
const LINT_RULES = {
  struct: 'error',
  'no-unresolved-refs': 'error',
  'path-parameters-defined': 'error',
  'operation-parameters-unique': 'error',
  'no-identical-paths': 'error',
  'no-enum-type-mismatch': 'error',
} as const

let loaded:
  Promise<{ redocly: RedoclyModule; lint: RedoclyConfig; bare: RedoclyConfig }> | undefined

/** Loads redocly and builds both configs once per process. */
export function loadRedocly(): Promise<{
  redocly: RedoclyModule
  lint: RedoclyConfig
  bare: RedoclyConfig
}> {
  loaded ??= (async () => {
    const redocly = load(
      '@redocly/openapi-core',
      load.resolve('openapi-typescript'),
    ) as RedoclyModule
    const [lint, bare] = await Promise.all([
      redocly.createConfig({ rules: LINT_RULES }, { extends: [] }),
      redocly.createConfig({ rules: {} }, { extends: [] }),
    ])
    return { redocly, lint, bare }
  })()
  return loaded
}

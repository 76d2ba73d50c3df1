/**
 * A generator turns one kind of schema file into one or more TypeScript modules. The pipeline asks
 * each registered generator, in order, whether it claims a file; the first that does produces its
 * outputs. Adding a schema kind means adding one entry to the list in `./index.ts`.
 */
export interface Generator {
  /** Short name used in messages, e.g. `openapi`. */
  readonly name: string
  /**
   * Returns the output stem when this generator handles `fileName` (a base name such as
   * `pac-v2.openapi.yaml` -> `pac-v2`), or `undefined` when it does not.
   */
  claim(fileName: string): string | undefined
  /**
   * Produces the outputs for one schema. Content is the module body only, laid out
   * deterministically: the pipeline adds the header. Throw `SchemaError` for problems the schema author must fix.
   */
  generate(source: SchemaSource): Promise<GeneratedModule[]>
}

export interface SchemaSource {
  /** Absolute path of the repository root. */
  readonly root: string
  /** Repository-relative path with `/` separators, e.g. `schemas/p/websocket/x.schema.json`. */
  readonly path: string
  readonly absolutePath: string
  readonly text: string
  /**
   * Repository-relative output path without extension, mirroring the schema's sub-folders, e.g.
   * `packages/p/src/generated/websocket/x`. A generator appends `.ts` or another suffix.
   */
  readonly outputBase: string
}

export interface GeneratedModule {
  /** Repository-relative path, normally `${outputBase}.ts`. */
  readonly path: string
  /** Laid out deterministically by the generator; written after the header as it is. */
  readonly content: string
}

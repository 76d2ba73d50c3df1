/**
 * A generator turns one kind of schema file into TypeScript modules. The pipeline asks each
 * registered generator, in order, whether it claims a file; the first that does produces its
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
   * Optional: the repository path of the folder a file is generated with. The files this
   * generator claimed that share a folder are handed to one `generate` call, so they can share
   * an output (the JSON Schema generator compiles one validator module per folder). Without it,
   * every file is generated on its own.
   */
  folderOf?(source: SchemaSource): string
  /**
   * Produces the outputs for one file, or for every file of one folder (sorted by path). Content
   * is the module body only, laid out deterministically: the pipeline adds the header. Throw
   * `SchemaError` for problems the schema author must fix, naming every file at fault.
   */
  generate(sources: readonly SchemaSource[]): Promise<GeneratedModule[]>
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
  /**
   * The schema files the header names, when a call made modules from several: a module built
   * from one schema names that one. Defaults to every source of the call.
   */
  readonly sources?: readonly string[]
  /**
   * Every schema file the module was made from, when more than its header names: the files its
   * schema reaches through `$ref`s. Defaults to `sources`. A data file that no generator claims
   * and no module was made from is reported as a schema most likely misnamed.
   */
  readonly reads?: readonly string[]
}

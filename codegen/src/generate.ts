import { mkdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DATA_FILE, discover, type Layout, GENERATED_DIR, type Provider } from './discover.js'
import { defaultGenerators } from './generators/index.js'
import type { Generator, SchemaSource } from './generators/types.js'
import { formatIssue, type CodegenIssue } from './issues.js'
import { batches, runBatch, type Output } from './batch.js'
import { toRepoPath } from './repo-path.js'

export interface GenerateOptions {
  /** Absolute path of the repository root (the folder holding `schemas/` and `packages/`). */
  readonly root: string
  /** Compare with what is on disk and report differences, writing nothing. */
  readonly check?: boolean
  /** Schema kinds to handle; defaults to every built-in generator. */
  readonly generators?: readonly Generator[]
  /** Only these providers (folder names under `schemas/`); the others' files are left alone. */
  readonly only?: readonly string[]
}

export type FileStatus = 'created' | 'changed' | 'unchanged' | 'deleted'

export interface FileResult {
  /** Repository-relative path with `/` separators. */
  readonly path: string
  /** What happened (or, with `check`, what would happen) to the file. */
  readonly status: FileStatus
}

export interface GenerateResult {
  /** Every generated or stale file, sorted by path; empty when there are errors. */
  readonly files: readonly FileResult[]
  /** Schema and layout problems. When there is any, nothing is written. */
  readonly errors: readonly CodegenIssue[]
}

/**
 * Regenerates every module under `packages/<p>/src/generated/` from `schemas/<p>/`, entirely in
 * memory first: files are written (or stale ones deleted) only when every schema succeeded, and
 * only files whose bytes change are touched.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const root = path.resolve(options.root)
  const generators = options.generators ?? defaultGenerators
  const layout = select(await discover(root), options.only)
  if (layout.issues.length > 0) return { files: [], errors: layout.issues }

  const sources = (
    await Promise.all(layout.providers.map((provider) => readSources(root, provider, generators)))
  ).flat()
  const results = await Promise.all(batches(sources).map(runBatch))
  // A shared fragment's problem is found by every schema using it: reported once.
  const errors = unique(results.flatMap((result) => ('issues' in result ? result.issues : [])))
  const outputs = results.flatMap((result) => ('outputs' in result ? result.outputs : []))
  // Which files the schemas reach is known once every schema generated.
  if (errors.length === 0) errors.push(...unclaimed(root, layout.providers, generators, outputs))
  errors.push(...findCollisions(outputs))
  if (errors.length > 0) return { files: [], errors }

  const files = await compare(root, outputs, layout.existingOutputs)
  if (!options.check) await apply(root, files, outputs)
  return { files, errors: [] }
}

/** Narrows the layout to the providers asked for; an unknown name is an issue. */
function select(layout: Layout, only: readonly string[] | undefined): Layout {
  if (!only?.length || layout.issues.length > 0) return layout
  const known = new Set(layout.providers.map((provider) => provider.name))
  const unknown = only.filter((name) => !known.has(name))
  if (unknown.length > 0) {
    return {
      ...layout,
      issues: unknown.map((name) => ({
        file: `schemas/${name}`,
        message: `no such provider (known: ${[...known].join(', ')})`,
      })),
    }
  }
  const providers = layout.providers.filter((provider) => only.includes(provider.name))
  const mine = (file: string) =>
    providers.some((provider) => file.startsWith(provider.outputDir + path.sep))
  return { ...layout, providers, existingOutputs: layout.existingOutputs.filter(mine) }
}

async function readSources(
  root: string,
  provider: Provider,
  generators: readonly Generator[],
): Promise<{ source: SchemaSource; generator: Generator }[]> {
  const schemasDir = path.join(root, 'schemas', provider.name)
  const claimed = provider.schemaFiles.flatMap((absolutePath) => {
    const fileName = path.basename(absolutePath)
    for (const generator of generators) {
      const stem = generator.claim(fileName)
      if (stem === undefined) continue
      const subDir = path.dirname(path.relative(schemasDir, absolutePath))
      const outputBase = toRepoPath(root, path.join(provider.outputDir, subDir, stem))
      return [{ absolutePath, outputBase, generator }]
    }
    // Unclaimed files (READMEs, shared fragments referenced by other schemas) produce nothing.
    return []
  })
  return Promise.all(
    claimed.map(async ({ absolutePath, outputBase, generator }) => ({
      generator,
      source: {
        root,
        path: toRepoPath(root, absolutePath),
        absolutePath,
        text: await readFile(absolutePath, 'utf8'),
        outputBase,
      },
    })),
  )
}

function unique(issues: readonly CodegenIssue[]): CodegenIssue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const line = formatIssue(issue)
    return !seen.has(line) && !!seen.add(line)
  })
}

/**
 * Schema-like files (YAML, JSON) that no generator claims and no generated module was made from
 * (no schema reaches them through a `$ref`): most likely a schema whose name lacks `.openapi.` or
 * `.schema.`, which would otherwise produce nothing, silently.
 */
function unclaimed(
  root: string,
  providers: readonly Provider[],
  generators: readonly Generator[],
  outputs: readonly Output[],
): CodegenIssue[] {
  const reached = new Set(outputs.flatMap((output) => output.reads))
  return providers
    .flatMap((provider) => provider.schemaFiles)
    .filter((file) => DATA_FILE.test(file) && !reached.has(toRepoPath(root, file)))
    .filter((file) =>
      generators.every((generator) => generator.claim(path.basename(file)) === undefined),
    )
    .map((file) => ({
      file: toRepoPath(root, file),
      message:
        'no generator takes this file and no schema references it: name a schema *.openapi.yaml ' +
        '(OpenAPI) or *.schema.yaml (JSON Schema), or reference the fragment from one',
    }))
}

/** Two schemas mapping to one output (`x.openapi.yaml` and `x.schema.json`) would overwrite. */
function findCollisions(outputs: readonly Output[]): CodegenIssue[] {
  const owners = new Map<string, string>()
  const issues: CodegenIssue[] = []
  for (const output of outputs) {
    const owner = owners.get(output.path)
    if (owner === undefined) owners.set(output.path, output.source)
    else {
      issues.push({
        file: output.source,
        message: `output ${output.path} is also generated from ${owner}; rename one of the schemas`,
      })
    }
  }
  return issues
}

async function compare(
  root: string,
  outputs: readonly Output[],
  existing: readonly string[],
): Promise<FileResult[]> {
  const produced = new Set(outputs.map((output) => output.absolutePath))
  const current = await Promise.all(
    outputs.map(async (output): Promise<FileResult> => {
      const onDisk = await readFile(output.absolutePath, 'utf8').catch(() => undefined)
      const status =
        onDisk === undefined ? 'created' : onDisk === output.content ? 'unchanged' : 'changed'
      return { path: output.path, status }
    }),
  )
  const stale = existing
    .filter((file) => !produced.has(file))
    .map((file): FileResult => ({ path: toRepoPath(root, file), status: 'deleted' }))
  return [...current, ...stale].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

async function apply(
  root: string,
  files: readonly FileResult[],
  outputs: readonly Output[],
): Promise<void> {
  const byPath = new Map(outputs.map((output) => [output.path, output]))
  const deleted: string[] = []
  await Promise.all(
    files.map(async (file) => {
      const absolutePath = path.join(root, file.path)
      if (file.status === 'deleted') {
        await unlink(absolutePath)
        deleted.push(absolutePath)
      } else if (file.status !== 'unchanged') {
        await mkdir(path.dirname(absolutePath), { recursive: true })
        await writeFile(absolutePath, byPath.get(file.path)!.content)
      }
    }),
  )
  await pruneEmptyDirectories(root, deleted)
}

/** Removes folders emptied by deletions, up to (not including) `src/generated` itself. */
async function pruneEmptyDirectories(root: string, deletedFiles: readonly string[]): Promise<void> {
  const candidates = new Set<string>()
  for (const file of deletedFiles) {
    const [, provider] = toRepoPath(root, file).split('/')
    const stop = path.join(root, 'packages', provider!, GENERATED_DIR)
    for (let dir = path.dirname(file); dir.startsWith(stop + path.sep); dir = path.dirname(dir)) {
      candidates.add(dir)
    }
  }
  // Deepest first, one at a time, so a parent is tried only after its children.
  for (const dir of [...candidates].sort((a, b) => b.length - a.length)) {
    await rmdir(dir).catch(() => undefined)
  }
}

import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { CodegenIssue } from './issues.js'
import { toRepoPath } from './repo-path.js'

/** Where generated modules live inside a provider package. */
export const GENERATED_DIR = 'src/generated'

/** Files a generator could read (YAML, JSON): a schema, or a fragment some schema references. */
export const DATA_FILE = /\.(?:ya?ml|json)$/

export interface Provider {
  readonly name: string
  /** Absolute paths of every file under `schemas/<name>/`, sorted. */
  readonly schemaFiles: readonly string[]
  /** Absolute path of `packages/<name>/src/generated`. */
  readonly outputDir: string
}

export interface Layout {
  readonly providers: readonly Provider[]
  /** Absolute paths of every file already under any `packages/<name>/src/generated/`. */
  readonly existingOutputs: readonly string[]
  readonly issues: readonly CodegenIssue[]
}

/**
 * Reads the folder layout: each directory `schemas/<p>/` is a provider whose output goes to
 * `packages/<p>/src/generated/`. Existing outputs are collected from every package, so the
 * generated files of a provider whose schema folder was removed are reported as stale too.
 */
export async function discover(root: string): Promise<Layout> {
  const schemasDir = path.join(root, 'schemas')
  if (!(await isDirectory(schemasDir))) {
    return {
      providers: [],
      existingOutputs: [],
      issues: [{ file: 'schemas', message: `no schemas folder in ${root}` }],
    }
  }
  const issues: CodegenIssue[] = []
  const providers: Provider[] = []
  // Only a provider folder is generated: a schema beside them would produce nothing, silently.
  for (const entry of await readdir(schemasDir, { withFileTypes: true })) {
    if (entry.isDirectory() || entry.name.startsWith('.') || !DATA_FILE.test(entry.name)) continue
    issues.push({
      file: toRepoPath(root, path.join(schemasDir, entry.name)),
      message: `is in no provider folder, so nothing generates it: move it into schemas/<provider>/`,
    })
  }
  for (const name of await listDirectories(schemasDir)) {
    const packageDir = path.join(root, 'packages', name)
    if (!(await isDirectory(packageDir))) {
      issues.push({
        file: toRepoPath(root, path.join(schemasDir, name)),
        message: `provider '${name}' has no package folder ${toRepoPath(root, packageDir)}/ to generate into`,
      })
      continue
    }
    providers.push({
      name,
      schemaFiles: await listFiles(path.join(schemasDir, name)),
      outputDir: path.join(packageDir, GENERATED_DIR),
    })
  }
  const packagesDir = path.join(root, 'packages')
  const packageNames = (await isDirectory(packagesDir)) ? await listDirectories(packagesDir) : []
  const existing = await Promise.all(
    packageNames.map((name) => listFiles(path.join(packagesDir, name, GENERATED_DIR))),
  )
  return { providers, existingOutputs: existing.flat(), issues }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory()
  } catch {
    return false
  }
}

/** Names of visible sub-directories, sorted. */
async function listDirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
}

/** Absolute paths of visible files below `dir`, sorted; empty when `dir` does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  if (!(await isDirectory(dir))) return []
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return (
    entries
      // A link counts: what it points at is compiled and published like a file.
      .filter((entry) => entry.isFile() || entry.isSymbolicLink())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter(
        (file) =>
          !path
            .relative(dir, file)
            .split(path.sep)
            .some((part) => part.startsWith('.')),
      )
      .sort()
  )
}

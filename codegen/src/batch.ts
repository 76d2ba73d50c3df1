import path from 'node:path'
import type { Generator, SchemaSource } from './generators/types.js'
import { generatedHeader } from './header.js'
import { SchemaError, type CodegenIssue } from './issues.js'

/** A generated module with its header, ready to compare with the disk. */
export interface Output {
  readonly path: string
  readonly absolutePath: string
  readonly content: string
  /** The schema named first in its header; collisions are reported against it. */
  readonly source: string
  /** Every schema file it was made from (see `GeneratedModule.reads`). */
  readonly reads: readonly string[]
}

/** One `generate` call: one file, or every file of one folder. */
export interface Batch {
  readonly generator: Generator
  readonly sources: readonly SchemaSource[]
}

export type BatchResult = { outputs: Output[] } | { issues: readonly CodegenIssue[] }

/**
 * Groups the files each generator claimed into calls: one per folder for a generator that
 * generates a folder together, one per file otherwise. Sources stay sorted by path.
 */
export function batches(
  claimed: readonly { source: SchemaSource; generator: Generator }[],
): Batch[] {
  const byKey = new Map<string, { sources: SchemaSource[]; generator: Generator }>()
  for (const { source, generator } of claimed) {
    const key = `${generator.name}\0${generator.folderOf?.(source) ?? source.path}`
    const batch = byKey.get(key)
    if (batch) batch.sources.push(source)
    else byKey.set(key, { sources: [source], generator })
  }
  return [...byKey.values()]
}

/** Runs one generator on one file or folder and puts the headers on its outputs; never throws. */
export async function runBatch({ sources, generator }: Batch): Promise<BatchResult> {
  const first = sources[0]!
  try {
    const modules = await generator.generate(sources)
    const outputs = modules.map((module) => {
      const named = module.sources ?? sources.map((source) => source.path)
      return {
        path: module.path,
        absolutePath: path.join(first.root, module.path),
        content: `${generatedHeader(named)}\n${module.content}`.replace(/\n*$/, '\n'),
        source: named[0] ?? first.path,
        reads: module.reads ?? named,
      }
    })
    return { outputs }
  } catch (error) {
    if (error instanceof SchemaError) return { issues: error.issues }
    // Some tools throw an Error without a message: its class is all there is to say then.
    const message = error instanceof Error ? error.message || error.constructor.name : String(error)
    // A failure of a folder's call cannot be pinned on one of its files: name the folder.
    const file = sources.length === 1 ? first.path : generator.folderOf!(first)
    return { issues: [{ file, message: `${generator.name} generator failed: ${message}` }] }
  }
}

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Options, Plugin } from 'prettier'
import { load } from './load.js'

/** Formats one generated TypeScript module. */
export type Formatter = (content: string) => Promise<string>

/**
 * Reads `<root>/.prettierrc.json` (prettier defaults when the file is absent, as in a bare fixture
 * tree) and returns a formatter for TypeScript. The config file is read explicitly instead of
 * letting prettier search parent folders, so the result does not depend on where the repo lives.
 *
 * Every generated module is TypeScript, so prettier's standalone build with just the TypeScript
 * parser is enough; it loads in a fraction of the time of the full package.
 */
export async function createFormatter(root: string): Promise<Formatter> {
  const options = await readPrettierConfig(root)
  const prettier = load('prettier/standalone') as typeof import('prettier/standalone')
  const plugins = [load('prettier/plugins/typescript'), load('prettier/plugins/estree')] as Plugin[]
  return (content) => prettier.format(content, { ...options, parser: 'typescript', plugins })
}

async function readPrettierConfig(root: string): Promise<Options> {
  const file = path.join(root, '.prettierrc.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }
  try {
    return JSON.parse(text) as Options
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`)
  }
}

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'

/**
 * Creates throw-away repositories under the OS temp folder and removes them after each test.
 * Call once per test file, at the top level.
 */
export function useTempRepos(): (files: Record<string, string>) => Promise<string> {
  const created: string[] = []
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (files) => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tillkit-codegen-'))
    created.push(root)
    await writeFiles(root, files)
    return root
  }
}

/** Writes files (relative path -> content); a path ending in `/` creates an empty folder. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative)
    if (relative.endsWith('/')) {
      await mkdir(target, { recursive: true })
      continue
    }
    await mkdir(path.dirname(target), { recursive: true })
    await writeFile(target, content)
  }
}

/** Every file below `root/dir` as relative path -> content, sorted. */
export async function readTree(root: string, dir = 'packages'): Promise<Record<string, string>> {
  const base = path.join(root, dir)
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => [])
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
  const tree: Record<string, string> = {}
  for (const file of files) {
    tree[path.relative(root, file).split(path.sep).join('/')] = await readFile(file, 'utf8')
  }
  return tree
}

/** A small valid OpenAPI 3.0 document with one operation and one component schema. */
export function openapiYaml({
  route = '/terminals',
  operationId = 'listTerminals',
  schema = 'Terminal',
} = {}): string {
  return `openapi: 3.0.3
info:
  title: Fixture
  version: '1'
paths:
  ${route}:
    get:
      operationId: ${operationId}
      responses:
        '200':
          description: the terminals
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/${schema}'
components:
  schemas:
    ${schema}:
      type: object
      required: [tid, status]
      properties:
        tid:
          type: string
        status:
          type: string
          enum: [AVAILABLE, BUSY]
`
}

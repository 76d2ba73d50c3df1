import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { generate } from '../src/index.js'
import { openapiYaml, useTempRepos, writeFiles } from './fixtures.js'

const createRepo = useTempRepos()

/** Code a provider package would write against the generated modules. */
const CONSUMER = `import type { operations, paths, SchemaTerminal } from './generated/pac.js'
import type { Ping } from './generated/ws/ping.js'
import { validatePing } from './generated/ws/ping.validate.js'

type List = paths['/terminals']['get']['responses'][200]['content']['application/json']
export const terminal: SchemaTerminal = { tid: 't1', status: 'BUSY' }
export const list: List = [terminal]
export type ListOperation = operations['listTerminals']
// @ts-expect-error -- status is a closed union of the enum values
export const wrong: SchemaTerminal = { tid: 't1', status: 'GONE' }

export function readPing(input: unknown): string | undefined {
  if (validatePing(input)) {
    const ping: Ping = input
    return ping.id
  }
  return validatePing.errors?.[0]?.message
}
`

describe('generated modules', { timeout: 60_000 }, () => {
  it('type-check under the repo settings (strict, NodeNext, verbatimModuleSyntax)', async () => {
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml(),
      'schemas/alpha/ws/ping.schema.json': JSON.stringify({
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, sentAt: { type: 'string', format: 'date-time' } },
      }),
      'packages/alpha/package.json': JSON.stringify({ type: 'module' }),
    })
    expect((await generate({ root })).errors).toEqual([])
    await writeFiles(root, { 'packages/alpha/src/consumer.ts': CONSUMER })

    const program = ts.createProgram([path.join(root, 'packages/alpha/src/consumer.ts')], {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noEmit: true,
      types: [],
    })
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file ? path.relative(root, diagnostic.file.fileName) : ''
      return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
    })
    expect(diagnostics).toEqual([])
    expect(program.getSourceFiles().map((file) => path.relative(root, file.fileName))).toEqual(
      expect.arrayContaining([
        'packages/alpha/src/generated/pac.ts',
        'packages/alpha/src/generated/ws/ping.ts',
        'packages/alpha/src/generated/ws/ping.validate.ts',
      ]),
    )
  })
})

import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/run.js'
import { openapiYaml, useTempRepos, writeFiles } from './fixtures.js'

const createRepo = useTempRepos()
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

/** Runs `runCli` in-process and captures its output. */
async function cli(args: string[]) {
  const stdout: string[] = []
  const stderr: string[] = []
  const code = await runCli(args, {
    defaultRoot: '/nonexistent',
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  })
  // Durations vary between runs; everything else is exact.
  const stable = (line: string) => line.replace(/\d+\.\d\d s\b/, 'T s')
  return { code, stdout: stdout.map(stable), stderr: stderr.map(stable) }
}

/** A repo where `--check` finds one changed, one missing and one stale file. */
async function outOfDateRepo(): Promise<string> {
  const root = await createRepo({
    'schemas/alpha/a.openapi.yaml': openapiYaml(),
    'schemas/alpha/b.openapi.yaml': openapiYaml(),
    'packages/alpha/': '',
  })
  expect((await cli(['--root', root])).code).toBe(0)
  await writeFiles(root, {
    'schemas/alpha/a.openapi.yaml': openapiYaml({ schema: 'Device' }),
    'schemas/alpha/c.openapi.yaml': openapiYaml(),
    'packages/alpha/src/generated/old.ts': '// stale',
  })
  return root
}

describe('codegen command line', { timeout: 60_000 }, () => {
  it('--check in a child process lists every difference and exits 1', async () => {
    const root = await outOfDateRepo()
    const { code, stdout, stderr } = await new Promise<{
      code: number | null
      stdout: string
      stderr: string
    }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', cliPath, '--check', '--root', root],
        { cwd: repoRoot },
        (error, out, err) =>
          resolve({ code: error ? (error.code as number) : 0, stdout: out, stderr: err }),
      )
    })
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'codegen --check: 3 files out of date; run `pnpm codegen`:',
        '  would change  packages/alpha/src/generated/a.ts',
        '  would create  packages/alpha/src/generated/c.ts',
        '  would delete  packages/alpha/src/generated/old.ts',
        '',
      ].join('\n'),
    })
  })

  it('writes, summarises, and then passes --check with a one-line OK', async () => {
    const root = await outOfDateRepo()
    expect(await cli(['--root', root])).toEqual({
      code: 0,
      stdout: [
        '  changed  packages/alpha/src/generated/a.ts',
        '  created  packages/alpha/src/generated/c.ts',
        '  deleted  packages/alpha/src/generated/old.ts',
        'codegen: 2 written, 1 unchanged, 1 deleted in T s',
      ],
      stderr: [],
    })
    expect(await cli(['--check', '--root', root])).toEqual({
      code: 0,
      stdout: ['codegen --check: OK, 3 generated files up to date (T s)'],
      stderr: [],
    })
  })

  it('exits 2 with one line per schema error', async () => {
    const root = await createRepo({
      'schemas/alpha/a.openapi.yaml': 'openapi: [',
      'schemas/alpha/b.openapi.yaml': 'openapi: 3.0.3\npaths: {}\nx: { $ref: "#/nope" }\n',
      'packages/alpha/': '',
    })
    expect(await cli(['--check', '--root', root])).toEqual({
      code: 2,
      stdout: [],
      stderr: [
        'schemas/alpha/a.openapi.yaml:1:11: Flow sequence in block collection must be sufficiently indented and end with a ]',
        "schemas/alpha/b.openapi.yaml#/x: $ref '#/nope' does not resolve",
        'codegen: 2 errors; nothing was written.',
      ],
    })
  })

  it('exits 2 on bad arguments and on failures outside the schemas', async () => {
    expect(await cli(['--chek'])).toEqual({
      code: 2,
      stdout: [],
      stderr: [
        "codegen: Unknown option '--chek'",
        'usage: pnpm codegen [--check] [--root <dir>] [--only <provider>]...',
      ],
    })
    // The output folder is a file: writing fails for a reason no schema author can fix.
    const root = await createRepo({
      'schemas/alpha/pac.openapi.yaml': openapiYaml(),
      'packages/alpha/src/generated': 'not a folder',
    })
    const { code, stderr } = await cli(['--root', root])
    expect(code).toBe(2)
    expect(stderr).toEqual([expect.stringMatching(/^codegen: .*(ENOTDIR|EEXIST)/)])
  })

  it('uses the default root when --root is absent', async () => {
    expect(await cli([])).toEqual({
      code: 2,
      stdout: [],
      stderr: [
        'schemas: no schemas folder in /nonexistent',
        'codegen: 1 error; nothing was written.',
      ],
    })
  })

  it('--only handles the named providers and leaves the others alone, stale files included', async () => {
    const root = await outOfDateRepo()
    await writeFiles(root, {
      'schemas/beta/b.openapi.yaml': 'openapi: [broken',
      'packages/beta/src/generated/keep.ts': '// not ours to delete',
    })
    // beta's broken schema would fail a full run; alpha alone goes through.
    expect((await cli(['--root', root])).code).toBe(2)
    expect(await cli(['--root', root, '--only', 'alpha'])).toMatchObject({
      code: 0,
      stdout: expect.arrayContaining(['codegen: 2 written, 1 unchanged, 1 deleted in T s']),
    })
    expect((await cli(['--root', root, '--check', '--only', 'alpha'])).code).toBe(0)
    expect(await readFile(path.join(root, 'packages/beta/src/generated/keep.ts'), 'utf8')).toBe(
      '// not ours to delete',
    )
    expect(await cli(['--root', root, '--only', 'gamma', '--only', 'alpha'])).toMatchObject({
      code: 2,
      stderr: [
        expect.stringMatching(/^schemas\/gamma: no such provider \(known: alpha, beta\)/),
        expect.any(String),
      ],
    })
  })
})

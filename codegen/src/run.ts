import path from 'node:path'
import { parseArgs } from 'node:util'
import { generate, type FileResult, type GenerateResult } from './generate.js'
import { formatIssue } from './issues.js'

export interface CliIo {
  /** Root used when `--root` is not given. */
  readonly defaultRoot: string
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
}

const USAGE = 'usage: pnpm codegen [--check] [--root <dir>] [--only <provider>]...'

/**
 * The command line: returns the exit code. 0 = done or up to date, 1 = `--check` found
 * differences, 2 = schema errors, a bad layout, bad arguments or any other failure.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let check: boolean
  let root: string
  let only: string[]
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        check: { type: 'boolean' },
        root: { type: 'string' },
        only: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    })
    check = values.check ?? false
    root = path.resolve(values.root ?? io.defaultRoot)
    only = values.only ?? []
  } catch (error) {
    io.stderr(`codegen: ${(error as Error).message}`)
    io.stderr(USAGE)
    return 2
  }

  const started = performance.now()
  let result: GenerateResult
  try {
    result = await generate({ root, check, only })
  } catch (error) {
    io.stderr(`codegen: ${(error as Error).message}`)
    return 2
  }
  const seconds = `${((performance.now() - started) / 1000).toFixed(2)} s`

  if (result.errors.length > 0) {
    for (const issue of result.errors) io.stderr(formatIssue(issue))
    io.stderr(`codegen: ${plural(result.errors.length, 'error')}; nothing was written.`)
    return 2
  }
  const touched = result.files.filter((file) => file.status !== 'unchanged')
  const unchanged = result.files.length - touched.length
  if (check) {
    if (touched.length === 0) {
      io.stdout(
        `codegen --check: OK, ${plural(unchanged, 'generated file')} up to date (${seconds})`,
      )
      return 0
    }
    io.stderr(
      `codegen --check: ${plural(touched.length, 'file')} out of date; run \`pnpm codegen\`:`,
    )
    for (const file of touched) io.stderr(`  ${CHECK_LABELS[file.status]}  ${file.path}`)
    return 1
  }
  for (const file of touched) io.stdout(`  ${file.status.padEnd(7)}  ${file.path}`)
  const deleted = touched.filter((file) => file.status === 'deleted').length
  io.stdout(
    `codegen: ${touched.length - deleted} written, ${unchanged} unchanged, ${deleted} deleted in ${seconds}`,
  )
  return 0
}

const CHECK_LABELS: Record<FileResult['status'], string> = {
  created: 'would create',
  changed: 'would change',
  deleted: 'would delete',
  unchanged: 'unchanged',
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

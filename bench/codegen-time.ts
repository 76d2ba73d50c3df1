import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

function wallMs(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now()
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env })
  const ms = performance.now() - started
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed:\n${run.stderr}`)
  return ms
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * Wall time of `pnpm codegen` for every schema (the same command a maintainer runs, minus pnpm's own startup),
 * and, as the baseline measured in the same run, the start-up of the same runtime with an empty script. The
 * first run fills codegen's compile cache (as a maintainer's first run does); `uncachedMs` is the same command
 * with the cache off (`TILLKIT_CODEGEN_CACHE=0`), for context.
 */
export function codegenTime(runs = 5): {
  codegenMs: number
  baselineMs: number
  uncachedMs: number
} {
  const codegen = ['--import', 'tsx', 'codegen/src/cli.ts']
  const baseline = ['--import', 'tsx', '-e', '']
  wallMs(codegen) // warm the file system cache
  const uncached = { ...process.env, TILLKIT_CODEGEN_CACHE: '0' }
  const codegenRuns: number[] = []
  const baselineRuns: number[] = []
  const uncachedRuns: number[] = []
  for (let i = 0; i < runs; i++) {
    codegenRuns.push(wallMs(codegen))
    baselineRuns.push(wallMs(baseline))
    uncachedRuns.push(wallMs(codegen, uncached))
  }
  return {
    codegenMs: median(codegenRuns),
    baselineMs: median(baselineRuns),
    uncachedMs: median(uncachedRuns),
  }
}

import { fileURLToPath } from 'node:url'
import { runCli } from './run.js'

/** `pnpm codegen [--check] [--root <dir>]`; the default root is the repo holding this file. */
process.exitCode = await runCli(process.argv.slice(2), {
  defaultRoot: fileURLToPath(new URL('../..', import.meta.url)),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
})

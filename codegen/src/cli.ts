import { fileURLToPath } from 'node:url'
import { runCli } from './run.js'

/** `pnpm codegen [--check] [--root <dir>]`; the default root is the repo holding this file. */

// tsx turns on source maps, and then Node looks for a map in every file it compiles: the 20 MB of
// tools codegen loads and each function Ajv builds. Our messages never show a stack trace.
process.setSourceMapsEnabled(false)
process.exitCode = await runCli(process.argv.slice(2), {
  defaultRoot: fileURLToPath(new URL('../..', import.meta.url)),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
})

import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import { runCli } from './run.js'

// tsx turns on source maps, and then Node looks for a map in every file it compiles: the 20 MB of
// tools codegen loads and each function Ajv builds. Our messages never show a stack trace.
process.setSourceMapsEnabled(false)

// A run is a couple of seconds of code that mostly runs once (loading and warming up the tools):
// V8's optimizing compiler spends more on compiling TypeScript's, yaml's and Ajv's functions than
// the run gets back from them; without it a run takes about 30% less CPU (measured: 3.4 s -> 2.5 s
// on this machine under load). Semantics do not change.
v8.setFlagsFromString('--no-opt')

/** `pnpm codegen [--check] [--root <dir>]`; the default root is the repo holding this file. */
process.exitCode = await runCli(process.argv.slice(2), {
  defaultRoot: fileURLToPath(new URL('../..', import.meta.url)),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
})

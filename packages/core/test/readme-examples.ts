/**
 * Type-checks and runs the code examples of a package README, so a README that drifts from the API fails a test.
 * Shared by every package's `test/readme*.test.ts`.
 *
 * Markdown convention:
 * - `<!-- example: name -->` on the line before a ```ts fence (blank lines may sit between) makes the block part of
 *   example `name`. Blocks sharing a name are joined in README order. A test type-checks an example, and runs it
 *   unless it needs the real provider. Unmarked blocks are neither (signatures, fragments).
 * - Inside an example, `console.log(args) // → text` is a check: each time the line runs, what it prints (formatted
 *   as console does) must equal `text`, and it must run at least once.
 *
 * The code is written to a temporary dot-file in the folder of the package holding the README, so its `@tillkit/*`
 * imports (the package's own name included) resolve as a user's would, and is deleted afterwards. Dot-files are
 * outside both vitest's and tsc's include patterns.
 *
 * A run example must also let its process exit: once its code has finished, whatever it opened (a listening server,
 * a socket, an interval, an orchestrator or client holding one) must be closed. It runs inside the vitest worker,
 * which is torn down anyway, so without this check an example that a user copies into a script that never exits
 * would pass.
 */
import { createHook } from 'node:async_hooks'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format } from 'node:util'
import ts from 'typescript'

export interface Example {
  readonly readme: string
  /** The nearest folder above the README with a package.json. */
  readonly packageDir: string
  readonly names: readonly string[]
  readonly code: string
  /** README line number (1-based) of each line of `code`. */
  readonly lines: readonly number[]
}

export interface ExampleLog {
  level: 'log' | 'debug' | 'info' | 'warn' | 'error'
  /** The call's arguments formatted as console would print them. */
  text: string
  /** The first argument as passed (e.g. the fields object of a logger call). */
  value: unknown
}

const MARKER = /^<!--\s*example:\s*([\w-]+)\s*-->\s*$/
const OPEN = /^```(?:ts|typescript)\b/
const CLOSE = /^```\s*$/
const CHECK = /^(\s*)console\.log\((.*)\)\s*\/\/ → (.*)$/
const GLOBAL = '__tillkitReadmeConsole'
/** How long a finished example's resources get to finish closing (a socket's close lands a loop turn or two later). */
const GRACE_MS = 200
/** What a resource type usually is in an example, for the failure message (timers are described from their delay). */
const KINDS: Record<string, string> = {
  Immediate:
    'setImmediate re-armed every turn, e.g. an auto-advancing manual clock driving something left open',
  TCPSERVERWRAP: 'a listening server',
  TCPWRAP: 'an open TCP socket',
  PIPEWRAP: 'an open pipe',
}

/** Collects the blocks of the named examples from a README (a path or file URL). */
export function readExample(readme: string | URL, ...names: string[]): Example {
  const path = readme instanceof URL ? fileURLToPath(readme) : readme
  const source = readFileSync(path, 'utf8').split('\n')
  const blocks = new Map<string, Array<{ code: string[]; lines: number[] }>>()
  let pending: string | undefined
  for (let i = 0; i < source.length; i++) {
    const line = source[i]!
    const marker = MARKER.exec(line)
    if (marker) {
      pending = marker[1]
      continue
    }
    if (pending === undefined || line.trim() === '') continue
    if (!OPEN.test(line))
      throw new Error(`${path}:${i + 1}: "example: ${pending}" is not followed by a ts block`)
    const block = { code: [] as string[], lines: [] as number[] }
    for (i++; i < source.length && !CLOSE.test(source[i]!); i++) {
      block.code.push(source[i]!)
      block.lines.push(i + 1)
    }
    blocks.set(pending, [...(blocks.get(pending) ?? []), block])
    pending = undefined
  }
  const code: string[] = []
  const lines: number[] = []
  for (const name of names) {
    const found = blocks.get(name)
    if (!found) throw new Error(`${path}: no example named "${name}"`)
    for (const block of found) (code.push(...block.code), lines.push(...block.lines))
  }
  return { readme: path, packageDir: packageDir(path), names, code: code.join('\n'), lines }
}

function packageDir(readme: string): string {
  for (let dir = dirname(readme); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dir === dirname(dir)) throw new Error(`${readme} is not inside a package`)
  }
}

/** Writes each `[example, code]` to a temporary file in its package, runs `use` on the files, always removes them. */
async function withTempFiles<T>(
  sources: Array<[Example, string]>,
  use: (files: string[]) => Promise<T> | T,
): Promise<T> {
  const files: string[] = []
  try {
    for (const [example, code] of sources) {
      const name = `.readme-${example.names.join('+')}-${crypto.randomUUID()}.ts`
      files.push(join(example.packageDir, name))
      writeFileSync(files.at(-1)!, code)
    }
    return await use(files)
  } finally {
    for (const file of files) rmSync(file, { force: true })
  }
}

/**
 * Compiles examples of one package together (one program, so one load of the package's types) with the package's
 * tsconfig. Returns their errors as `README.md:line: message`; errors elsewhere are the package typecheck's business.
 */
export function typecheckExamples(...examples: Example[]): Promise<string[]> {
  const packageDir = examples[0]?.packageDir
  if (!packageDir || examples.some((e) => e.packageDir !== packageDir))
    throw new Error('typecheckExamples: give one or more examples of the same package')
  return withTempFiles(
    examples.map((example) => [example, example.code]),
    (files) => {
      const configPath = join(packageDir, 'tsconfig.json')
      const config = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
        },
      })
      if (!config) throw new Error(`cannot read ${configPath}`)
      const program = ts.createProgram(files, { ...config.options, noEmit: true })
      return ts.getPreEmitDiagnostics(program).flatMap((d) => {
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
        if (!d.file) return [message]
        const index = files.indexOf(d.file.fileName)
        if (index < 0 || d.start === undefined) return []
        const { line } = d.file.getLineAndCharacterOfPosition(d.start)
        return [`${where(examples[index]!, line)}: ${message}`]
      })
    },
  )
}

/**
 * Runs the example as an ES module with a recording console, enforcing its `// →` checks. Resolves with everything
 * it logged (through `console` or by passing `console` as a logger).
 */
export async function runExample(example: Example): Promise<ExampleLog[]> {
  const logs: ExampleLog[] = []
  const failures: string[] = []
  const ran = new Set<number>()
  const checks = new Map<number, string>()
  const record =
    (level: ExampleLog['level']) =>
    (...args: unknown[]) =>
      void logs.push({ level, text: format(...args), value: args[0] })
  const recorder = {
    log: record('log'),
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    check(index: number, expected: string, ...args: unknown[]) {
      record('log')(...args)
      ran.add(index)
      const printed = format(...args)
      if (printed === expected) return
      const failure = `${where(example, index)}: printed "${printed}", the README says "${expected}"`
      failures.push(failure)
      throw new Error(failure)
    },
  }
  // Checked lines become calls of `check`; the recorder shadows the global console on line 1, so lines keep their
  // numbers.
  const code = example.code.split('\n').map((line, index) => {
    const check = CHECK.exec(line)
    if (!check) return line
    checks.set(index, check[3]!.trim())
    return `${check[1]}console.check(${index}, ${JSON.stringify(check[3]!.trim())}, ${check[2]})`
  })
  code[0] = `const console = (globalThis as any).${GLOBAL};${code[0] ?? ''}`
  Reflect.set(globalThis, GLOBAL, recorder)
  const watch = watchResources()
  try {
    await withTempFiles([[example, code.join('\n')]], ([file]) => import(/* @vite-ignore */ file!))
  } catch (error) {
    watch.stop()
    throw error
  } finally {
    Reflect.deleteProperty(globalThis, GLOBAL)
  }
  for (const index of checks.keys())
    if (!ran.has(index)) failures.push(`${where(example, index)}: this check never ran`)
  const left = await watch.leftOpen()
  if (left.length)
    failures.push(
      `${readmePath(example)} (example ${example.names.map((n) => `"${n}"`).join(' + ')}): after its code ` +
        `finished it still holds ${left.join(', ')}: a Node process holding them does not exit, so a user's ` +
        `script would hang. Close what it opens (servers, sockets, clients, orchestrators) and clear its timers.`,
    )
  if (failures.length) throw new Error(failures.join('\n'))
  return logs
}

/**
 * A timer or handle as async_hooks gives it: whether it holds the process is `hasRef()`; `_repeat` and
 * `_idleTimeout` are a Node `Timeout`'s interval and delay.
 */
type Holder = { hasRef(): boolean; _repeat?: number | null; _idleTimeout?: number }

/**
 * Watches the resources created from now on that can hold a process open: timers, immediates and handles (servers,
 * sockets, pipes), i.e. the async resources with `hasRef()` (requests and promises end on their own and have none).
 * Each is forgotten when destroyed (a timer that fired or was cleared, a handle closed).
 *
 * By identity rather than by `process.getActiveResourcesInfo()` counts before and after: a count is blind to an
 * example's interval while one of vitest's own timers ends (it arms a 100 ms one to report each test's start).
 */
function watchResources(): { leftOpen(): Promise<string[]>; stop(): void } {
  const created = new Map<number, { type: string; resource: Holder }>()
  let polling = false // while `leftOpen` arms its own wait
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (!polling && typeof (resource as Partial<Holder>).hasRef === 'function')
        created.set(id, { type, resource: resource as Holder })
    },
    destroy: (id) => void created.delete(id),
  }).enable()
  return {
    stop: () => void hook.disable(),
    /**
     * Waits until no watched resource holds the process (a few loop turns at least, for what a finished example still
     * starts), or the grace ends: the turns, then 10 ms steps, let closes in flight land. Returns what still holds it,
     * as `n × what`.
     */
    async leftOpen() {
      const started = performance.now()
      try {
        for (let turn = 1; ; turn++) {
          polling = true
          const waited = new Promise((resolve) =>
            turn <= 10 ? setImmediate(resolve) : setTimeout(resolve, 10),
          )
          polling = false
          await waited
          const holding = [...created.values()].filter(({ resource }) => resource.hasRef())
          if (!holding.length && turn >= 3) return []
          if (turn <= 10 || performance.now() - started < GRACE_MS) continue
          const counts = new Map<string, number>()
          for (const { type, resource } of holding) {
            const what =
              type !== 'Timeout'
                ? `${type}${KINDS[type] ? ` (${KINDS[type]})` : ''}`
                : resource._repeat
                  ? `Timeout (a setInterval every ${resource._repeat} ms)`
                  : `Timeout (a setTimeout of ${resource._idleTimeout} ms)`
            counts.set(what, (counts.get(what) ?? 0) + 1)
          }
          return [...counts].map(([what, n]) => `${n} × ${what}`)
        }
      } finally {
        hook.disable()
      }
    },
  }
}

function readmePath(example: Example): string {
  return relative(process.cwd(), example.readme) || example.readme
}

function where(example: Example, index: number): string {
  return `${readmePath(example)}:${example.lines[index] ?? '?'}`
}

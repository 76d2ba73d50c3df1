import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { Module } from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

/**
 * A code cache for the CommonJS tools codegen loads (20 MB of JavaScript, 9 MB of it TypeScript's):
 * what V8 compiled in one run is handed back to it in the next, so a run no longer parses and
 * compiles them from source. It is Node 22's `module.enableCompileCache()`, which Node 20 lacks,
 * for the files it is given.
 *
 * One file, written when the process exits: an index (file, size, mtime) and V8's cached data for
 * each script. V8 checks the data against the source and its own flags and rejects what does not
 * fit; such a script is compiled from source as before and its data replaced. Nothing here changes
 * what the tools do, only how long they take to start: a missing, stale or unreadable cache costs
 * one ordinary load. `TILLKIT_CODEGEN_CACHE=0` turns it off.
 */
export interface CompileCache {
  /** Compiles and runs a CommonJS file for `module`, as `module._compile` would. */
  compile(module: CommonJsModule, code: string, file: string): void
  /**
   * Writes what this run compiled (called when the process exits): the entries of the files it
   * loaded, so a file no longer loaded (an upgraded package) drops out.
   */
  save(): void
  /** Scripts made from cached data, and from source, in this run. */
  readonly stats: { cached: number; compiled: number }
}

export interface CommonJsModule {
  exports: unknown
  require(id: string): unknown
  _compile(code: string, filename: string): void
}

interface Entry {
  file: string
  size: number
  mtimeMs: number
  data: Buffer
}

const FORMAT = `tillkit-codegen-cache/1 ${process.version} ${process.arch}`

export function openCompileCache(
  file: string,
  { saveOnExit = true }: { saveOnExit?: boolean } = {},
): CompileCache | undefined {
  if (process.env.TILLKIT_CODEGEN_CACHE === '0') return undefined
  const stored = read(file)
  /** The entries of this run's files: reused as stored, or their script to take data from. */
  const used = new Map<string, Entry | { script: vm.Script; size: number; mtimeMs: number }>()
  const stats = { cached: 0, compiled: 0 }

  const save = () => {
    if (!stats.compiled && used.size === stored.size) return
    const entries = [...used].map(([name, entry]) =>
      'data' in entry ? entry : { ...entry, file: name, data: entry.script.createCachedData() },
    )
    write(
      file,
      entries.map(({ file, size, mtimeMs, data }) => ({ file, size, mtimeMs, data })),
    )
  }
  if (saveOnExit) process.once('exit', save)

  const compile = (module: CommonJsModule, code: string, filename: string) => {
    // Node 20 drops the `import()` callback of a script made from cached data (the call then
    // fails with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): a file that may call `import()`, or
    // merely says so in a string, is left to Node's own loader.
    if (code.includes('import(')) return module._compile(code, filename)
    const { size, mtimeMs } = statSync(filename)
    const known = stored.get(filename)
    const cachedData = known?.size === size && known.mtimeMs === mtimeMs ? known.data : undefined
    let script: vm.Script
    try {
      script = new vm.Script(Module.wrap(withoutHashbang(code)), { filename, cachedData })
    } catch (error) {
      // ES module syntax: Node's own loader knows what to do with it (require of an ES module).
      if (error instanceof SyntaxError) return module._compile(code, filename)
      throw error
    }
    if (cachedData && !script.cachedDataRejected) {
      stats.cached++
      used.set(filename, known!)
    } else {
      stats.compiled++
      used.set(filename, { script, size, mtimeMs })
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void
    wrapper.call(
      module.exports,
      module.exports,
      requireOf(module),
      module,
      filename,
      path.dirname(filename),
    )
  }

  return { compile, save, stats }
}

/** The `require` a CommonJS module is given: resolution and loading relative to that module. */
function requireOf(module: CommonJsModule): NodeJS.Require {
  const internals = Module as unknown as {
    _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string
    _resolveLookupPaths(request: string, parent: unknown): string[] | null
    _extensions: NodeJS.RequireExtensions
    _cache: NodeJS.Dict<NodeJS.Module>
  }
  const require = ((id: string) => module.require(id)) as NodeJS.Require
  const resolve = ((request: string, options?: { paths?: string[] }) =>
    internals._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve
  resolve.paths = (request) => internals._resolveLookupPaths(request, module)
  require.resolve = resolve
  // Codegen's entry is an ES module: there is no main CommonJS module.
  require.main = undefined
  require.extensions = internals._extensions
  require.cache = internals._cache
  return require
}

/** A `#!` line is only allowed at the very start of a script: inside the wrapper it is a comment. */
const withoutHashbang = (code: string) => (code.startsWith('#!') ? `//${code}` : code)

function read(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>()
  let blob: Buffer
  try {
    blob = readFileSync(file)
  } catch {
    return entries
  }
  try {
    const indexLength = blob.readUInt32LE(0)
    const index = JSON.parse(blob.subarray(4, 4 + indexLength).toString('utf8')) as {
      format: string
      entries: Array<Omit<Entry, 'data'> & { offset: number; length: number }>
    }
    if (index.format !== FORMAT) return entries
    const base = 4 + indexLength
    for (const { offset, length, ...entry } of index.entries)
      entries.set(entry.file, {
        ...entry,
        data: blob.subarray(base + offset, base + offset + length),
      })
  } catch {
    entries.clear()
  }
  return entries
}

function write(file: string, entries: Entry[]): void {
  let offset = 0
  const index = {
    format: FORMAT,
    entries: entries.map(({ data, ...entry }) => {
      const at = { ...entry, offset, length: data.length }
      offset += data.length
      return at
    }),
  }
  const head = Buffer.from(JSON.stringify(index), 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32LE(head.length, 0)
  try {
    mkdirSync(path.dirname(file), { recursive: true })
    // Written aside and renamed: a run that reads while another writes sees the old file or the new.
    const aside = `${file}.${process.pid}`
    writeFileSync(aside, Buffer.concat([length, head, ...entries.map((entry) => entry.data)]))
    renameSync(aside, file)
  } catch {
    // A cache that cannot be written is only a slower next run.
  }
}

import { readFileSync } from 'node:fs'
import { createRequire, Module } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openCompileCache, type CommonJsModule } from './compile-cache.js'

const requireHere = createRequire(import.meta.url)

type JsLoader = (module: CommonJsModule, file: string) => void

const NODE_MODULES = `${path.sep}node_modules${path.sep}`

/** Opened on the first load; in codegen's own `node_modules`, which git and the package ignore. */
let cache: ReturnType<typeof openCompileCache> | null = null
const compileCache = () =>
  cache === null
    ? (cache = openCompileCache(
        fileURLToPath(new URL('../node_modules/.cache/tillkit-codegen.bin', import.meta.url)),
      ))
    : cache

/**
 * Loads a heavy CommonJS dependency (openapi-typescript and TypeScript behind it, Ajv,
 * json-schema-to-typescript, redocly), on first use, from this file or from `from` (a path).
 *
 * `require`, not `import()`: `import()` runs the CommonJS export scan on every module, about 0.8 s
 * for TypeScript alone. And while the dependency loads, the `.js` files of packages are compiled as
 * Node's own loader compiles CommonJS: `pnpm codegen` runs under tsx, whose loader first scans
 * every `.js` file for ESM syntax, and these packages are 20 MB of plain CommonJS (9 MB for
 * TypeScript), which doubled the time they took to load. Our own files still go through tsx.
 */
export function load(id: string, from?: string): unknown {
  const require = from === undefined ? requireHere : createRequire(from)
  const extensions = (Module as unknown as { _extensions: Record<string, JsLoader> })._extensions
  const current = extensions['.js']!
  extensions['.js'] = (module, file) => {
    if (!file.includes(NODE_MODULES)) return current(module, file)
    const code = readFileSync(file, 'utf8')
    const cached = compileCache()
    if (cached) cached.compile(module, code, file)
    else module._compile(code, file)
  }
  try {
    return require(id)
  } finally {
    extensions['.js'] = current
  }
}

/** Where `id` resolves from this file. */
load.resolve = (id: string): string => requireHere.resolve(id)

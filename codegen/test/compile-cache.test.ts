import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { Module } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openCompileCache, type CommonJsModule } from '../src/compile-cache.js'
import { writeFiles } from './fixtures.js'

const dirs: string[] = []
afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tools(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tillkit-cache-'))
  dirs.push(dir)
  await writeFiles(dir, files)
  return dir
}

/** A fresh CommonJS module for `file`, as Node's loader makes one, with `_compile` watched. */
function moduleFor(file: string): CommonJsModule & { compiledByNode: number } {
  const internals = Module as unknown as { _nodeModulePaths(dir: string): string[] }
  const module = new Module(file) as unknown as CommonJsModule & {
    filename: string
    paths: string[]
    compiledByNode: number
  }
  module.filename = file
  module.paths = internals._nodeModulePaths(path.dirname(file))
  module.compiledByNode = 0
  const own = module._compile.bind(module)
  module._compile = (code, filename) => {
    module.compiledByNode++
    own(code, filename)
  }
  return module
}

/** Loads `file` through a cache at `cacheFile`, saves it, and says how it went. */
async function run(cacheFile: string, file: string) {
  const cache = openCompileCache(cacheFile, { saveOnExit: false })!
  const module = moduleFor(file)
  cache.compile(module, await readFile(file, 'utf8'), file)
  cache.save()
  return { exports: module.exports, stats: { ...cache.stats }, byNode: module.compiledByNode }
}

describe('compile cache', () => {
  it('compiles from source once, then from the cached data, with the same exports and require', async () => {
    const dir = await tools({
      'node_modules/tool/index.js': [
        '#!/usr/bin/env node',
        "const sibling = require('./sibling.js')",
        "module.exports = { sum: sibling.add(2, 3), here: path(__filename), resolved: path(require.resolve('./sibling.js')) }",
        "function path(p) { return require('node:path').basename(p) }",
      ].join('\n'),
      'node_modules/tool/sibling.js': 'exports.add = (a, b) => a + b',
    })
    const cacheFile = path.join(dir, 'cache', 'codegen.bin')
    const file = path.join(dir, 'node_modules/tool/index.js')
    const expected = { sum: 5, here: 'index.js', resolved: 'sibling.js' }

    const first = await run(cacheFile, file)
    expect(first).toEqual({ exports: expected, stats: { cached: 0, compiled: 1 }, byNode: 0 })
    expect((await stat(cacheFile)).size).toBeGreaterThan(0)

    const second = await run(cacheFile, file)
    expect(second).toEqual({ exports: expected, stats: { cached: 1, compiled: 0 }, byNode: 0 })
  })

  it('compiles a file again once it changed, and takes no notice of a damaged cache', async () => {
    const dir = await tools({ 'node_modules/tool/index.js': 'module.exports = 1' })
    const cacheFile = path.join(dir, 'codegen.bin')
    const file = path.join(dir, 'node_modules/tool/index.js')
    await run(cacheFile, file)

    await writeFile(file, 'module.exports = 22')
    const later = new Date(Date.now() + 60_000)
    await utimes(file, later, later)
    expect(await run(cacheFile, file)).toMatchObject({
      exports: 22,
      stats: { cached: 0, compiled: 1 },
    })
    expect((await run(cacheFile, file)).stats).toEqual({ cached: 1, compiled: 0 })

    for (const damaged of ['', 'not a cache at all', '\u0005\u0000\u0000\u0000{"fo']) {
      await writeFile(cacheFile, damaged)
      expect(await run(cacheFile, file)).toMatchObject({
        exports: 22,
        stats: { cached: 0, compiled: 1 },
      })
    }
  })

  it("leaves to Node's loader a file that may call import() and one in ES module syntax", async () => {
    const dir = await tools({
      'node_modules/tool/lazy.js':
        "module.exports = () => import('node:os').then((os) => typeof os.cpus)",
      'node_modules/tool/esm.js': 'export const answer = 42',
    })
    const cacheFile = path.join(dir, 'codegen.bin')
    for (let round = 0; round < 2; round++) {
      const lazy = await run(cacheFile, path.join(dir, 'node_modules/tool/lazy.js'))
      expect(lazy).toMatchObject({ stats: { cached: 0, compiled: 0 }, byNode: 1 })
      // After a cached run Node 20 would reject this with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING.
      await expect((lazy.exports as () => Promise<string>)()).resolves.toBe('function')
      const esm = await run(cacheFile, path.join(dir, 'node_modules/tool/esm.js'))
      expect(esm).toMatchObject({ stats: { cached: 0, compiled: 0 }, byNode: 1 })
    }
  })

  it('a cache it cannot write costs only a slower next run', async () => {
    const dir = await tools({
      'node_modules/tool/index.js': 'module.exports = 3',
      blocker: 'a file where the cache folder would go',
    })
    const cacheFile = path.join(dir, 'blocker', 'codegen.bin')
    const file = path.join(dir, 'node_modules/tool/index.js')
    for (let round = 0; round < 2; round++)
      expect(await run(cacheFile, file)).toMatchObject({
        exports: 3,
        stats: { cached: 0, compiled: 1 },
      })
  })

  it('is off with TILLKIT_CODEGEN_CACHE=0', () => {
    vi.stubEnv('TILLKIT_CODEGEN_CACHE', '0')
    expect(openCompileCache(path.join(os.tmpdir(), 'unused.bin'))).toBeUndefined()
  })
})

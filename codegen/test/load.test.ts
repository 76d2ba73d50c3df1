import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire, Module } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { load } from '../src/load.js'
import { writeFiles } from './fixtures.js'

type JsLoader = (module: unknown, file: string) => void
const extensions = (Module as unknown as { _extensions: Record<string, JsLoader> })._extensions

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('load', () => {
  it('compiles packages itself, leaves other files to the current loader, and restores it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tillkit-load-'))
    dirs.push(dir)
    await writeFiles(dir, {
      'entry.js': "module.exports = { own: 1, dep: require('dep') }",
      'node_modules/dep/package.json': '{ "name": "dep", "main": "index.js" }',
      'node_modules/dep/index.js': "module.exports = 'from a package'",
    })
    const seen: string[] = []
    const original = extensions['.js']!
    // Stands for tsx's loader: it would scan every file it is given.
    const spy: JsLoader = (module, file) => {
      seen.push(path.relative(dir, file))
      original(module, file)
    }
    extensions['.js'] = spy
    try {
      expect(load(path.join(dir, 'entry.js'))).toEqual({ own: 1, dep: 'from a package' })
      expect(seen).toEqual(['entry.js'])
      expect(extensions['.js']).toBe(spy)
      expect(() => load('tillkit-no-such-package')).toThrow(/Cannot find module/)
      expect(extensions['.js']).toBe(spy)
    } finally {
      extensions['.js'] = original
    }
  })

  it('resolves from another package when given its path', () => {
    const fromOpenapiTs = load.resolve('openapi-typescript')
    const expected = createRequire(fromOpenapiTs)('@redocly/openapi-core') as unknown
    expect(load('@redocly/openapi-core', fromOpenapiTs)).toBe(expected)
  })
})

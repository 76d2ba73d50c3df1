import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * package.json `imports` (`#platform`) is not checked by publint or attw, and the published
 * declarations never name it: a wrong target would first show on a consumer's machine. Every
 * target must exist in the sources, and each built target must be the build of a source one.
 */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  imports: Record<string, unknown>
  files: string[]
}

/** Every `[conditions, target]` under a conditional map. */
function targets(map: unknown, path: string[] = []): Array<[string[], string]> {
  if (typeof map == 'string') return [[path, map]]
  return Object.entries(map as Record<string, unknown>).flatMap(([k, v]) =>
    targets(v, [...path, k]),
  )
}

describe('package.json imports', () => {
  for (const [name, map] of Object.entries(pkg.imports))
    it(`${name}: a Node and a default target, each a source file with its build beside it`, () => {
      const all = targets(map)
      const sources = all.filter(([c]) => c.at(-1) === '@tillkit/source').map(([, t]) => t)
      const built = all.filter(([c]) => c.at(-1) === 'default').map(([, t]) => t)
      // One pair under `node`, one for everything else.
      expect(all.map(([c]) => c.join(' '))).toEqual([
        'node @tillkit/source',
        'node default',
        '@tillkit/source',
        'default',
      ])
      for (const source of sources)
        expect(existsSync(new URL(`../${source}`, import.meta.url))).toBe(true)
      expect(built).toEqual(
        sources.map((s) => s.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js')),
      )
      // Both the sources and the build are published.
      expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'src']))
    })

  it('resolves under Node to the Node target, which brings the node:http fetch', async () => {
    const platform = await import('#platform')
    expect(platform.isPlatformFetch(fetch)).toBe(true)
  })
})

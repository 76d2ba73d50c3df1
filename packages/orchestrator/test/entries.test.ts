import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/** The tillkit packages an entry point's module graph imports, by package name. */
async function tillkitImports(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${entry}.ts`, import.meta.url))],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const names = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((i) => i.external && i.path.startsWith('@tillkit/'))
    .map((i) => i.path.split('/').slice(0, 2).join('/'))
  return [...new Set(names)].sort()
}

describe('entry points', () => {
  it('the main entry loads no provider package', async () => {
    expect(await tillkitImports('index')).toEqual(['@tillkit/core'])
  })

  it.each(['paymentsense', 'adyen', 'payroc', 'smartconnect'])(
    '@tillkit/orchestrator/%s loads its own provider package only',
    async (provider) => {
      expect(await tillkitImports(provider)).toEqual(
        ['@tillkit/core', `@tillkit/${provider}`].sort(),
      )
    },
  )

  it('each is declared in the exports map with types, and every provider is an optional peer', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } })
    for (const provider of ['paymentsense', 'adyen', 'payroc', 'smartconnect']) {
      expect(pkg.exports).toHaveProperty(`./${provider}`, {
        '@tillkit/source': `./src/${provider}.ts`,
        types: `./dist/${provider}.d.ts`,
        default: `./dist/${provider}.js`,
      })
      expect(pkg.peerDependenciesMeta).toHaveProperty(`@tillkit/${provider}`, { optional: true })
      expect(pkg.dependencies).not.toHaveProperty(`@tillkit/${provider}`)
    }
  })
})

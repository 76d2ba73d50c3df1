import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/** The packages an entry point's own modules import: tillkit's by package name, and Node's modules. */
async function importsOf(entry: string): Promise<string[]> {
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
    .filter((i) => i.external)
    .map((i) => (i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path))
  return [...new Set(names)].sort()
}

describe('entry points', () => {
  it("the main entry loads no provider package and none of Node's modules", async () => {
    expect(await importsOf('index')).toEqual(['@tillkit/core'])
  })

  it('the file journal, which needs the file system, is in /node', async () => {
    expect(await importsOf('node')).toEqual([
      // Core's option check (an unknown name is refused).
      '@tillkit/core',
      'node:crypto',
      'node:fs/promises',
      'node:os',
      'node:path',
    ])
  })

  it.each(['paymentsense', 'adyen', 'payroc', 'smartconnect'])(
    '@tillkit/orchestrator/%s loads its own provider package only',
    async (provider) => {
      expect(await importsOf(provider)).toEqual(['@tillkit/core', `@tillkit/${provider}`].sort())
    },
  )

  it('each entry is declared in the exports map with types, and every provider is an optional peer', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } })
    for (const entry of ['node', 'paymentsense', 'adyen', 'payroc', 'smartconnect'])
      expect(pkg.exports).toHaveProperty(`./${entry}`, {
        '@tillkit/source': `./src/${entry}.ts`,
        types: `./dist/${entry}.d.ts`,
        default: `./dist/${entry}.js`,
      })
    for (const provider of ['paymentsense', 'adyen', 'payroc', 'smartconnect']) {
      expect(pkg.peerDependenciesMeta).toHaveProperty(`@tillkit/${provider}`, { optional: true })
      expect(pkg.dependencies).not.toHaveProperty(`@tillkit/${provider}`)
    }
  })

  it('a provider release inside 0.x never forces a major release of the orchestrator', async () => {
    // Changesets bumps a peer dependent major when the peer leaves its range, and a caret range
    // of 0.x holds only one minor: the peers take any 0.x, and only leaving the range counts.
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } })
    for (const provider of ['paymentsense', 'adyen', 'payroc', 'smartconnect'])
      expect(pkg.peerDependencies).toHaveProperty(
        `@tillkit/${provider}`,
        'workspace:>=0.0.0 <1.0.0',
      )
    const { default: config } = await import('../../../.changeset/config.json', {
      with: { type: 'json' },
    })
    expect(config).toHaveProperty(
      '___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH.onlyUpdatePeerDependentsWhenOutOfRange',
      true,
    )
  })
})

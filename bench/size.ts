import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const packageDir = (name: string) => fileURLToPath(new URL(`../packages/${name}/`, import.meta.url))

export interface SizeResult {
  bytes: number
  minified: number
  gzipped: number
}

/**
 * Minified + gzipped size of a package's main entry with its runtime dependencies bundled in, the way an app's
 * bundler would ship it. Resolves the built `dist/` (not the TypeScript sources), so `pnpm build` must run first.
 */
export async function bundleSize(pkg: string, entry = `@tillkit/${pkg}`): Promise<SizeResult> {
  const bundle = async (minify: boolean) => {
    const result = await build({
      stdin: { contents: `export * from '${entry}'`, resolveDir: packageDir(pkg), loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      minify,
      logLevel: 'silent',
    })
    return result.outputFiles[0]!.contents
  }
  const [plain, minified] = await Promise.all([bundle(false), bundle(true)])
  return {
    bytes: plain.length,
    minified: minified.length,
    gzipped: gzipSync(minified, { level: 9 }).length,
  }
}

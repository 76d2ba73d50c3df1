import { defineConfig } from 'vitest/config'

/** Tests run against TypeScript sources through the `@tillkit/source` export condition. */
export default defineConfig({
  resolve: { conditions: ['@tillkit/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@tillkit/source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
    // README examples are type-checked by tsc in a child process: up to ~30 s each when CI runs
    // seven packages' tests at once on two cores. Everything else uses injected clocks, so this
    // only bounds a test that hangs.
    testTimeout: 120_000,
  },
})

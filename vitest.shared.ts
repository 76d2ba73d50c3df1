import { defineConfig } from 'vitest/config'

/** Tests run against TypeScript sources through the `@tillkit/source` export condition. */
export default defineConfig({
  resolve: { conditions: ['@tillkit/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@tillkit/source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
    // README examples are type-checked and run in a child process: seconds, not milliseconds, on a busy CI box.
    testTimeout: 30_000,
  },
})

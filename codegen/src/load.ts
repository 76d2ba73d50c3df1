import { createRequire } from 'node:module'

/**
 * Loads a heavy CommonJS dependency, on first use. openapi-typescript (and TypeScript behind it),
 * Ajv and json-schema-to-typescript all ship CommonJS builds; `require` skips the CommonJS export
 * scan that `import()` performs on every module, which costs about 0.8 s for TypeScript alone
 * under tsx and would eat a third of the 3 s budget for `pnpm codegen`.
 */
export const load = createRequire(import.meta.url)

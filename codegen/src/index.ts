/**
 * @tillkit/codegen: schemas/<provider>/ -> packages/<provider>/src/generated/.
 * `src/cli.ts` is a thin wrapper over `generate`; tests and benchmarks call it directly.
 */
export {
  generate,
  type FileResult,
  type FileStatus,
  type GenerateOptions,
  type GenerateResult,
} from './generate.js'
export { defaultGenerators } from './generators/index.js'
export type { GeneratedModule, Generator, SchemaSource } from './generators/types.js'
export { OPENAPI_TS_OPTIONS } from './generators/openapi.js'
export { formatIssue, SchemaError, type CodegenIssue } from './issues.js'
export { generatedHeader } from './header.js'

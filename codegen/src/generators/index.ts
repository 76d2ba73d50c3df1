import { jsonSchemaGenerator } from './json-schema.js'
import { openapiGenerator } from './openapi.js'
import type { Generator } from './types.js'

export type { GeneratedModule, Generator, SchemaSource } from './types.js'

/** Every schema kind codegen understands; the first generator that claims a file handles it. */
export const defaultGenerators: readonly Generator[] = [openapiGenerator, jsonSchemaGenerator]

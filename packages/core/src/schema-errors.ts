import { TillkitValidationError } from './errors.js'

/**
 * Turning a generated (Ajv) validator's errors into words, for every client and fake that checks
 * messages against their schemas. Ajv's `ErrorObject` fits this shape; core does not depend on Ajv.
 */
export interface SchemaErrorLike {
  /** JSON pointer of the failing value, e.g. `/params/amount`. */
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

type Errors = readonly SchemaErrorLike[] | null | undefined

/** `/params/amount` as `params.amount`. */
const fieldOf = (instancePath: string) => instancePath.split('/').filter(Boolean).join('.')

/** The allowed values of an `enum` or `const` failure, as JSON; empty otherwise. */
function allowedValues(error: SchemaErrorLike): string {
  const allowed = error.params.allowedValues ?? error.params.allowedValue
  return allowed === undefined ? '' : ` ${JSON.stringify(allowed)}`
}

/**
 * The distinct errors in one line (at most `limit`), e.g.
 * `params.amount must be >= 1; params (tip) must NOT have additional properties`.
 */
export function describeSchemaErrors(errors: Errors, limit = Number.POSITIVE_INFINITY): string {
  const lines = new Set<string>()
  for (const error of errors ?? []) {
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String(error.params.additionalProperty)})`
        : ''
    lines.add(
      `${fieldOf(error.instancePath) || 'message'}${extra} ${error.message ?? 'is invalid'}${allowedValues(error)}`,
    )
  }
  return [...lines].slice(0, limit).join('; ') || 'invalid'
}

/**
 * The first error as a TillkitValidationError naming the field, for something about to be sent:
 * `prefix` is prepended to the field's path. A missing or an extra property, which the schema
 * reports at its parent, is named itself, with the rule `is required` or `extraField`.
 */
export function schemaValidationError(
  errors: Errors,
  { prefix = '', extraField = 'is not allowed' }: { prefix?: string; extraField?: string } = {},
): TillkitValidationError {
  const first = errors?.[0]
  const path = [prefix, fieldOf(first?.instancePath ?? '')].filter(Boolean)
  const named = first?.params.missingProperty ?? first?.params.additionalProperty
  if (named !== undefined) path.push(String(named))
  const rule =
    first?.keyword === 'required'
      ? 'is required'
      : first?.keyword === 'additionalProperties'
        ? extraField
        : `${first?.message ?? 'is invalid'}${first ? allowedValues(first) : ''}`
  return new TillkitValidationError(path.join('.') || 'message', rule)
}

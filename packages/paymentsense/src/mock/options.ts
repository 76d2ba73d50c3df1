import {
  allOf,
  bool,
  clockLike,
  distinct,
  exactFields,
  fields,
  int,
  list,
  oneOf,
  optional,
  segment,
  text,
  TillkitValidationError,
  type Rules,
} from '@tillkit/core'
import { durationMs, retentionHours } from '@tillkit/core/fake'
import { Refusal } from './domain/errors.js'
import type { ConnectModel } from './domain/model.js'
import { SCENARIOS } from './scenarios.js'

/** One terminal of `options.terminals` (also what `cloud.terminals.add` takes). */
export const TERMINAL_RULES: Rules = {
  tid: segment,
  currency: optional(oneOf(['GBP', 'EUR'])),
  scenario: optional(oneOf(SCENARIOS)),
  online: optional(bool),
}

/**
 * `createFakeCloud`'s options, by core's rules: a bad value or an unknown name is a
 * TillkitValidationError naming the option, at construction. Tables are checked by the model as
 * `POST /pat/tables` checks them (see {@link createTables}).
 */
export const OPTION_RULES: Rules = {
  apiKeys: optional(list(text, 'must be an array of API keys')),
  terminals: optional(
    allOf(list(exactFields(TERMINAL_RULES), 'must be an array of terminals'), distinct('tid')),
  ),
  tables: optional(list(fields({}, 'must be a table (an object)'), 'must be an array of tables')),
  clock: optional(clockLike),
  // 0: every step not waiting for a person happens at once.
  stepMs: durationMs,
  requestSpacingMs: optional(int(0, 60_000)),
  // Hours, fractions allowed; from the end of a run (see ConnectModel), so a short one is safe.
  retentionHours,
  signatureTimeoutMs: durationMs,
  signatureTimeout: optional(oneOf(['void', 'accept'])),
  socketSignatureTimeoutMs: durationMs,
  pingIntervalMs: durationMs,
}

/**
 * Opens `options.tables` as `POST /pat/tables` would: a table the API refuses (a bad field, a name
 * given twice) is a TillkitValidationError naming it, with the API's reason.
 */
export function createTables(model: ConnectModel, tables: readonly unknown[]): void {
  tables.forEach((table, i) => {
    try {
      model.tables.create(table)
    } catch (error) {
      if (!(error instanceof Refusal)) throw error
      throw new TillkitValidationError(`options.tables[${i}]`, error.message)
    }
  })
}

import {
  allOf,
  bool,
  clockLike,
  distinct,
  exactFields,
  int,
  list,
  oneOf,
  optional,
  segment,
  text,
  type Rules,
} from '@tillkit/core'
import { DAY_MS, durationMs } from '@tillkit/core/fake'
import { SCENARIOS } from './scenarios.js'

/** One terminal of `options.terminals` (also what `cloud.terminals.add` takes). */
export const TERMINAL_RULES: Rules = {
  deviceId: text,
  // In the pairing path (`/POS/Pairing/{code}`).
  pairingCode: optional(segment),
  scenario: optional(oneOf(SCENARIOS)),
  online: optional(bool),
}

/**
 * `createFakeCloud`'s options, by core's rules: a bad value or an unknown name is a
 * TillkitValidationError naming the option, at construction.
 */
export const OPTION_RULES: Rules = {
  terminals: optional(
    allOf(
      list(exactFields(TERMINAL_RULES), 'must be an array of terminals'),
      distinct('deviceId'),
      distinct('pairingCode'),
    ),
  ),
  clock: optional(clockLike),
  // 0: every step happens at once.
  stepMs: durationMs,
  delayedMs: durationMs,
  terminalTimeoutMs: durationMs,
  // 0 disables the check.
  minPollIntervalMs: durationMs,
  tokenLifetimeMs: optional(int(1, DAY_MS)),
  merchant: optional(exactFields({ id: text, name: text })),
}

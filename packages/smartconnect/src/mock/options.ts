import {
  allOf,
  bool,
  checkOptions,
  clockLike,
  distinct,
  exactFields,
  int,
  list,
  oneOf,
  optional,
  segment,
  text,
  TillkitValidationError,
  type Check,
  type Rules,
} from '@tillkit/core'
import { SCENARIOS } from './scenarios.js'

/** A day: the longest simulated step, wait or token life the fake takes. */
const DAY_MS = 86_400_000

/** One terminal of `options.terminals` (also what `cloud.terminals.add` takes). */
export const TERMINAL_RULES: Rules = {
  deviceId: text,
  // In the pairing path (`/POS/Pairing/{code}`).
  pairingCode: optional(segment),
  scenario: optional(oneOf(SCENARIOS)),
  online: optional(bool),
}

/**
 * The codes terminals are configured to show are each one terminal's: the register pairs with the
 * terminal showing the code typed, so two showing one would pair it with whichever came first.
 * Terminals left to make theirs up are not compared (the fake's codes never clash, see the model).
 */
const distinctCodes: Check = (field, value) => {
  const seen = new Map<string, number>()
  ;(value as { pairingCode?: string }[]).forEach(({ pairingCode }, i) => {
    if (pairingCode === undefined) return
    const first = seen.get(pairingCode)
    if (first !== undefined)
      throw new TillkitValidationError(
        `${field}[${i}].pairingCode`,
        `is also ${field}[${first}].pairingCode`,
        JSON.stringify(pairingCode),
      )
    seen.set(pairingCode, i)
  })
}

/**
 * `createFakeCloud`'s options, by core's rules: a bad value or an unknown name is a
 * TillkitValidationError naming the option, at construction.
 */
const OPTION_RULES: Rules = {
  terminals: optional(
    allOf(
      list(exactFields(TERMINAL_RULES), 'must be an array of terminals'),
      distinct('deviceId'),
      distinctCodes,
    ),
  ),
  clock: optional(clockLike),
  // 0: every step happens at once.
  stepMs: optional(int(0, DAY_MS)),
  delayedMs: optional(int(0, DAY_MS)),
  terminalTimeoutMs: optional(int(0, DAY_MS)),
  // 0 disables the check.
  minPollIntervalMs: optional(int(0, DAY_MS)),
  tokenLifetimeMs: optional(int(1, DAY_MS)),
  merchant: optional(exactFields({ id: text, name: text })),
}

export function checkCloudOptions(options: unknown): void {
  checkOptions(options, OPTION_RULES)
}

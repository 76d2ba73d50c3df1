/**
 * What the simulated terminal, cardholder and acquirer do with a transaction. A terminal can be
 * pinned to a scenario; otherwise the last two digits of a payment's amount (the cents) choose it,
 * see {@link SCENARIO_BY_CENTS}.
 */
export type Scenario =
  /** Card presented, approved: COMPLETED, OK-ACCEPTED / OK. */
  | 'accept'
  /** Declined by the acquirer: OK-DECLINED / OK; the reason is only printed on the receipt. */
  | 'decline'
  /** Someone presses cancel on the terminal: CANCELLED / OK; nothing charged. */
  | 'cancel-on-terminal'
  /** The cloud cannot reach the terminal: CANCELLED / FAILED-INTERFACE; nothing charged. */
  | 'terminal-offline'
  /** The terminal is slow to answer: PENDING with OK-DELAYED for a while, then approved. */
  | 'delayed'
  /** The service is unavailable: COMPLETED, OK-UNAVAILABLE. */
  | 'unavailable'
  /** The cloud never hears back: PENDING until the polling token lapses. */
  | 'no-answer'
  /** Charged, but reported with codes that contradict each other (OK-ACCEPTED / FAILED). */
  | 'contradictory'

export const SCENARIOS: readonly Scenario[] = [
  'accept',
  'decline',
  'cancel-on-terminal',
  'terminal-offline',
  'delayed',
  'unavailable',
  'no-answer',
  'contradictory',
]

/** Scenario chosen by a payment's cents; every other ending is approved. */
export const SCENARIO_BY_CENTS: Readonly<Record<string, Scenario>> = {
  '05': 'decline',
  '07': 'cancel-on-terminal',
  '08': 'terminal-offline',
  '09': 'delayed',
  '10': 'unavailable',
  '11': 'no-answer',
  '12': 'contradictory',
}

/**
 * Scenarios that also apply to non-financial types when a terminal is pinned to them (the others
 * are about a payment's answer).
 */
export const ANY_TYPE_SCENARIOS: ReadonlySet<Scenario> = new Set([
  'terminal-offline',
  'unavailable',
  'no-answer',
])

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'string' && (SCENARIOS as readonly string[]).includes(value)
}

/** The terminal's pinned scenario wins; else the cents pick one; else `accept`. */
export function chooseScenario(pinned: Scenario | undefined, cents: number | undefined): Scenario {
  if (pinned) return pinned
  if (cents === undefined) return 'accept'
  return SCENARIO_BY_CENTS[String(cents % 100).padStart(2, '0')] ?? 'accept'
}

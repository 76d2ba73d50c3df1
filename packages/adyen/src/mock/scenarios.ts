/**
 * What the simulated shopper, card and issuer do with a payment. A device can be pinned to a scenario; otherwise
 * the last two digits of the amount in minor units choose it (see {@link SCENARIO_BY_ENDING}).
 */
export type Scenario =
  /** Chip inserted, PIN entered, approved. */
  | 'approve'
  /** Card tapped, no PIN, approved. */
  | 'approve-contactless'
  /** Approved for half the amount (`Result: Partial`). */
  | 'partial'
  /** Declined by the issuer: `Refusal`, refusalReason `Refused`. */
  | 'refused'
  /** Wrong PIN: `WrongPIN`. */
  | 'wrong-pin'
  /** Declined: `Refusal`, refusalReason `Blocked Card`. */
  | 'card-blocked'
  /** Declined by the terminal before the issuer: `Refusal`, refusalReason `Expired Card`. */
  | 'expired-card'
  /** Declined: `Refusal`, refusalReason `Not enough balance`. */
  | 'not-enough-balance'
  /** The shopper presses cancel: `Cancel`. */
  | 'cancelled-on-terminal'
  /** No card is presented: the terminal's prompt times out after 120 s, `Cancel`. */
  | 'no-card'
  /** The issuer never answers: at Adyen's 150 s processing limit the payment is cancelled. */
  | 'processing-timeout'
  /** The card comes after 30 s (time to abort), then approved. */
  | 'slow-card'

export const SCENARIOS: readonly Scenario[] = [
  'approve',
  'approve-contactless',
  'partial',
  'refused',
  'wrong-pin',
  'card-blocked',
  'expired-card',
  'not-enough-balance',
  'cancelled-on-terminal',
  'no-card',
  'processing-timeout',
  'slow-card',
]

/** Scenario by the amount's last two digits in minor units; every other ending approves with chip & PIN. */
export const SCENARIO_BY_ENDING: Readonly<Record<string, Scenario>> = {
  '01': 'approve-contactless',
  '02': 'partial',
  '05': 'refused',
  '06': 'wrong-pin',
  '07': 'card-blocked',
  '08': 'expired-card',
  '09': 'not-enough-balance',
  '10': 'cancelled-on-terminal',
  '11': 'no-card',
  '12': 'processing-timeout',
  '13': 'slow-card',
}

/** The device's pinned scenario wins; else the amount's ending picks one; else `approve`. */
export function chooseScenario(pinned: Scenario | undefined, minor: number): Scenario {
  if (pinned) return pinned
  return SCENARIO_BY_ENDING[String(minor % 100).padStart(2, '0')] ?? 'approve'
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'string' && (SCENARIOS as readonly string[]).includes(value)
}

/** How long the terminal's card prompt waits (scenario `no-card`). */
export const CARD_PROMPT_TIMEOUT_MS = 120_000
/** When the card finally comes in scenario `slow-card`. */
export const SLOW_CARD_MS = 30_000

/** The card the simulated shopper uses. */
export interface Card {
  brand: string
  maskedPan: string
  entryMode: 'ICC' | 'Contactless'
  pin: boolean
}

const visaChip: Card = { brand: 'visa', maskedPan: '411111 **** 1111', entryMode: 'ICC', pin: true }
const mcTap: Card = {
  brand: 'mc',
  maskedPan: '541333 **** 9999',
  entryMode: 'Contactless',
  pin: false,
}

export const cardFor = (scenario: Scenario): Card =>
  scenario === 'approve-contactless' ? mcTap : visaChip

/** What the issuer says, by scenario: refusal reasons as Adyen words them (read leniently by the client). */
export const DECLINES: Partial<
  Record<Scenario, { condition: 'Refusal' | 'WrongPIN'; refusalReason: string; issuer: boolean }>
> = {
  refused: { condition: 'Refusal', refusalReason: 'Refused', issuer: true },
  'wrong-pin': { condition: 'WrongPIN', refusalReason: 'Invalid Pin', issuer: true },
  'card-blocked': { condition: 'Refusal', refusalReason: 'Blocked Card', issuer: true },
  'expired-card': { condition: 'Refusal', refusalReason: 'Expired Card', issuer: false },
  'not-enough-balance': { condition: 'Refusal', refusalReason: 'Not enough balance', issuer: true },
}

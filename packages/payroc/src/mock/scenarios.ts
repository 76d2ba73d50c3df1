/**
 * What the simulated customer, device and acquirer do with an instruction. A device can be pinned to a scenario;
 * otherwise the last two digits of the amount (the cents) choose, see {@link SCENARIO_BY_CENTS}.
 */
export type Scenario =
  /** Card presented, approved for the full amount. */
  | 'approve'
  /** The acquirer declines (response code D). */
  | 'decline'
  /** Approved for half the amount (P) when the order accepts partial amounts; declined otherwise. */
  | 'partial'
  /** The issuer wants a call (R): not an approval. */
  | 'referral'
  /** The device fails before the acquirer sees anything: `failure` with an `errorMessage`. */
  | 'device-failure'
  /** The customer presses cancel on the device: `canceled`. */
  | 'canceled-on-device'
  /** The card comes only after 90 s, longer than one long-poll hold; then approved. */
  | 'slow-card'
  /** No card for two minutes: the device gives up, `failure`. */
  | 'device-timeout'

export const SCENARIOS: readonly Scenario[] = [
  'approve',
  'decline',
  'partial',
  'referral',
  'device-failure',
  'canceled-on-device',
  'slow-card',
  'device-timeout',
]

/** Chosen by the amount's cents; every other ending approves. */
export const SCENARIO_BY_CENTS: Readonly<Record<string, Scenario>> = {
  '01': 'decline',
  '02': 'partial',
  '03': 'referral',
  '04': 'device-failure',
  '05': 'canceled-on-device',
  '06': 'slow-card',
  '07': 'device-timeout',
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'string' && (SCENARIOS as readonly string[]).includes(value)
}

/** The device's pinned scenario wins; else the cents pick one; else `approve`. */
export function chooseScenario(pinned: Scenario | undefined, amount: number | undefined): Scenario {
  if (pinned) return pinned
  if (amount === undefined) return 'approve'
  return SCENARIO_BY_CENTS[String(amount % 100).padStart(2, '0')] ?? 'approve'
}

/** How long the simulated people and machines take, in ms of the cloud's clock. */
export interface Timings {
  /** Until the customer presents the card (or signs). Default 4 000. */
  cardMs: number
  /** From the card to the acquirer's answer. Default 2 000. */
  authMs: number
  /** Until the card arrives in `slow-card`. Default 90 000. */
  slowCardMs: number
  /** Until the device gives up in `device-timeout`. Default 120 000. */
  deviceTimeoutMs: number
}

export const DEFAULT_TIMINGS: Timings = {
  cardMs: 4_000,
  authMs: 2_000,
  slowCardMs: 90_000,
  deviceTimeoutMs: 120_000,
}

export type PlannedEnd =
  | { status: 'completed'; afterMs: number }
  | { status: 'failure'; afterMs: number; errorMessage: string }
  | { status: 'canceled'; afterMs: number }

/** When and how an instruction ends if nobody cancels it first. */
export function plan(scenario: Scenario, timings: Timings): PlannedEnd {
  const { cardMs, authMs } = timings
  switch (scenario) {
    case 'device-failure':
      return {
        status: 'failure',
        afterMs: cardMs,
        errorMessage: 'The device could not read the card.',
      }
    case 'canceled-on-device':
      return { status: 'canceled', afterMs: cardMs }
    case 'slow-card':
      return { status: 'completed', afterMs: timings.slowCardMs + authMs }
    case 'device-timeout':
      return {
        status: 'failure',
        afterMs: timings.deviceTimeoutMs,
        errorMessage: 'No card was presented before the device timed out.',
      }
    default:
      return { status: 'completed', afterMs: cardMs + authMs }
  }
}

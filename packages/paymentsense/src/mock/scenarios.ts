import type { CardholderVerificationMethod, PaymentMethod } from './types.js'

/**
 * What the simulated cardholder and acquirer do with a transaction. A terminal can be pinned to a
 * scenario; otherwise the last two digits of the amount (the pence) choose it, see
 * {@link SCENARIO_BY_PENCE}.
 */
export type Scenario =
  /** Chip inserted, PIN entered, approved. */
  | 'approve'
  /** Card tapped, no cardholder verification, approved. */
  | 'approve-contactless'
  /** Phone or watch tapped, verified on the device (CDCVM), approved. */
  | 'approve-device'
  /** Approved by the acquirer, then the EPoS must accept or decline the signature. */
  | 'signature'
  /** Declined by the acquirer (after REQUEST_SENT; recorded in the ledger). */
  | 'decline'
  /** Declined by the card itself, offline: the acquirer never sees it. */
  | 'declined-by-card'
  /** No card is ever presented: TIMED_OUT. */
  | 'timeout'
  /** Someone presses cancel on the terminal while it waits for the card: CANCELLED. */
  | 'cancelled-on-terminal'
  /** The connection to the acquirer fails: PROCESSING_ERROR, UNSUCCESSFUL, nothing charged. */
  | 'unsuccessful'
  /** The card arrives only after a long wait, leaving time to cancel; then approved. */
  | 'slow-card'
  /** The acquirer approves, then the terminal drops off the network for a while before finishing. */
  | 'offline-midway'

export const SCENARIOS: readonly Scenario[] = [
  'approve',
  'approve-contactless',
  'approve-device',
  'signature',
  'decline',
  'declined-by-card',
  'timeout',
  'cancelled-on-terminal',
  'unsuccessful',
  'slow-card',
  'offline-midway',
]

/** Scenario chosen by the amount's last two digits; every other ending approves with chip & PIN. */
export const SCENARIO_BY_PENCE: Readonly<Record<string, Scenario>> = {
  '01': 'approve-contactless',
  '02': 'approve-device',
  '03': 'signature',
  '04': 'decline',
  '05': 'declined-by-card',
  '06': 'timeout',
  '07': 'cancelled-on-terminal',
  '08': 'unsuccessful',
  '09': 'slow-card',
  '10': 'offline-midway',
}

/**
 * The virtual test terminals seen in public integration code (unverified third-party source), with
 * the behaviour their names suggest. They are part of the default terminal set and keep this
 * behaviour when listed in the `terminals` option without a scenario.
 */
export const VIRTUAL_TERMINAL_SCENARIOS: Readonly<Record<string, Scenario>> = {
  VCMINVLSIP0: 'approve',
  VCMINVLDIP0: 'decline',
  VCMINVLSCD0: 'approve-device',
  VCMINVLSIS0: 'signature',
  VCMINVLUIP0: 'unsuccessful',
  VCMINVLTIP0: 'timeout',
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'string' && (SCENARIOS as readonly string[]).includes(value)
}

/** The terminal's pinned scenario wins; else the amount's pence pick one; else `approve`. */
export function chooseScenario(pinned: Scenario | undefined, amount: number | undefined): Scenario {
  if (pinned) return pinned
  if (amount === undefined) return 'approve'
  const pence = String(amount % 100).padStart(2, '0')
  return SCENARIO_BY_PENCE[pence] ?? 'approve'
}

/** The card the simulated cardholder uses, as the terminal reports it. */
export interface Card {
  cardSchemeName: string
  applicationId: string
  applicationLabel: string
  /** Masked; only the last four digits are shown. */
  primaryAccountNumber: string
  primaryAccountNumberSequence: string
  dateOfExpiry: string
  dateOfStart: string
  paymentMethod: PaymentMethod
  cvm: CardholderVerificationMethod
}

const visaChip: Card = {
  cardSchemeName: 'VISA',
  applicationId: 'A0000000031010',
  applicationLabel: 'VISA CREDIT',
  primaryAccountNumber: '************0119',
  primaryAccountNumberSequence: '01',
  dateOfExpiry: '12/29',
  dateOfStart: '01/24',
  paymentMethod: 'ICC_CHIP',
  cvm: 'PIN',
}

const mastercardTap: Card = {
  cardSchemeName: 'MASTERCARD',
  applicationId: 'A0000000041010',
  applicationLabel: 'MASTERCARD',
  primaryAccountNumber: '************4444',
  primaryAccountNumberSequence: '00',
  dateOfExpiry: '06/28',
  dateOfStart: '',
  paymentMethod: 'CONTACTLESS',
  cvm: 'NONE',
}

const visaWallet: Card = {
  cardSchemeName: 'VISA',
  applicationId: 'A0000000031010',
  applicationLabel: 'VISA DEBIT',
  primaryAccountNumber: '************7724',
  primaryAccountNumberSequence: '00',
  dateOfExpiry: '03/30',
  dateOfStart: '',
  paymentMethod: 'CONTACTLESS',
  cvm: 'DEVICE',
}

const amexSignature: Card = {
  cardSchemeName: 'AMEX',
  applicationId: 'A00000002501',
  applicationLabel: 'AMERICAN EXPRESS',
  primaryAccountNumber: '***********1005',
  primaryAccountNumberSequence: '00',
  dateOfExpiry: '09/27',
  dateOfStart: '09/23',
  paymentMethod: 'ICC_CHIP',
  cvm: 'SIGNATURE',
}

const keyed: Card = {
  cardSchemeName: 'VISA',
  applicationId: '',
  applicationLabel: '',
  primaryAccountNumber: '************1111',
  primaryAccountNumberSequence: '',
  dateOfExpiry: '11/28',
  dateOfStart: '',
  paymentMethod: 'KEYED',
  cvm: 'NONE',
}

/** The card a scenario uses; card-not-present transactions are always keyed in. */
export function cardFor(scenario: Scenario, cardholderNotPresent: boolean): Card {
  if (cardholderNotPresent) return keyed
  switch (scenario) {
    case 'approve-contactless':
      return mastercardTap
    case 'approve-device':
      return visaWallet
    case 'signature':
      return amexSignature
    default:
      return visaChip
  }
}

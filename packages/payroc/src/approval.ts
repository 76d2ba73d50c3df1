import { assertObject } from '@tillkit/core'
import type { components } from './generated/cloud-v1.js'

type Schemas = components['schemas']
type TransactionResult = Schemas['TransactionResult']

export interface Approval {
  /** Response code A (approved) or P (partly approved), in a status that stands for money moved or held. */
  approved: boolean
  /** Approved for less than was asked: charge the rest another way. */
  partial: boolean
  /** What the order asked for, in minor units. */
  requestedAmount: number
  /**
   * What the acquirer authorised, in minor units, as a positive number (a refund's is negative on the
   * wire). Left out when a partial approval (P) does not say: less than asked, by how much only the
   * acquirer's records tell.
   */
  authorizedAmount?: number
  /** `requestedAmount - authorizedAmount` when approved, else the whole amount; left out with it. */
  outstandingAmount?: number
  responseCode: TransactionResult['responseCode']
  status: TransactionResult['status']
  approvalCode?: string
  responseMessage?: string
}

/**
 * Statuses that go with an approval. `ready` (authorised, waiting for capture) and `pending` (a pre-authorisation)
 * count as much as `complete`: checking for `complete` alone would call most approvals declines.
 */
const APPROVED_STATUSES: ReadonlySet<string> = new Set(['ready', 'pending', 'complete', 'accepted'])
const APPROVED_CODES: ReadonlySet<string> = new Set(['A', 'P'])

/**
 * Whether a payment or refund (what a completed instruction links to) was approved, and for how much. An
 * instruction's `completed` only says the device finished; this reads the acquirer's answer.
 */
export function approvalOf(
  result: Pick<
    Schemas['RetrievedPayment'] | Schemas['RetrievedRefund'],
    'order' | 'transactionResult'
  >,
): Approval {
  const outcome = result?.transactionResult
  assertObject('transactionResult', outcome)
  const requestedAmount = result.order?.amount ?? 0
  const approved = APPROVED_CODES.has(outcome.responseCode) && APPROVED_STATUSES.has(outcome.status)
  const partial = outcome.responseCode === 'P'
  const said = outcome.authorizedAmount
  // Without `authorizedAmount`, an approval (A) is for the whole order; a partial one (P) is not.
  const authorizedAmount = !approved
    ? 0
    : said !== undefined
      ? Math.abs(said)
      : partial
        ? undefined
        : requestedAmount
  return {
    approved,
    partial: approved && (partial || (authorizedAmount ?? 0) < requestedAmount),
    requestedAmount,
    ...(authorizedAmount !== undefined && {
      authorizedAmount,
      outstandingAmount: Math.max(0, requestedAmount - authorizedAmount),
    }),
    responseCode: outcome.responseCode,
    status: outcome.status,
    ...(outcome.approvalCode !== undefined && { approvalCode: outcome.approvalCode }),
    ...(outcome.responseMessage !== undefined && { responseMessage: outcome.responseMessage }),
  }
}

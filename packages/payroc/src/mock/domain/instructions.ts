import type { PlannedEnd, Scenario } from '../scenarios.js'
import type {
  InstructionStatus,
  Link,
  PaymentInstructionRequest,
  RefundInstructionRequest,
  SignatureInstructionRequest,
} from '../types.js'

export type InstructionKind = 'payment' | 'refund' | 'signature'

export type InstructionBody =
  | { kind: 'payment'; request: PaymentInstructionRequest }
  | { kind: 'refund'; request: RefundInstructionRequest }
  | { kind: 'signature'; request: SignatureInstructionRequest }

/** One instruction as the gateway keeps it. */
export type InstructionRecord = InstructionBody & {
  readonly id: string
  readonly serialNumber: string
  readonly scenario: Scenario
  readonly createdAt: number
  /** How it ends, and when, unless it is canceled first. */
  readonly end: PlannedEnd & { at: number }
  status: InstructionStatus
  endedAt?: number
  errorMessage?: string
  /** What it produced once completed: a payment, refund or signature id. */
  resultId?: string
}

/** Path segment of each kind's instructions and of what they produce. */
const SEGMENTS: Record<InstructionKind, { instruction: string; result: string; rel: string }> = {
  payment: { instruction: 'payment-instructions', result: 'payments', rel: 'payment' },
  refund: { instruction: 'refund-instructions', result: 'refunds', rel: 'refund' },
  signature: { instruction: 'signature-instructions', result: 'signatures', rel: 'signature' },
}

export const instructionSegment = (kind: InstructionKind) => SEGMENTS[kind].instruction
export const idField = (kind: InstructionKind) => `${kind}InstructionId` as const

/**
 * The instruction as the API shows it. `apiBase` is the API's absolute base (`https://host/v1`): while in progress
 * (or after failing or being canceled) the link leads back to the instruction, once completed to its result.
 */
export function instructionView(
  record: InstructionRecord,
  apiBase: string,
): Record<string, unknown> {
  const segments = SEGMENTS[record.kind]
  const link: Link =
    record.status === 'completed' && record.resultId !== undefined
      ? {
          rel: segments.rel,
          method: 'GET',
          href: `${apiBase}/${segments.result}/${record.resultId}`,
        }
      : { rel: 'self', method: 'GET', href: `${apiBase}/${segments.instruction}/${record.id}` }
  return {
    status: record.status,
    [idField(record.kind)]: record.id,
    ...(record.errorMessage !== undefined && { errorMessage: record.errorMessage }),
    link,
  }
}

import type { Scenario } from '../scenarios.js'
import { SIGNATURE_PNG_BASE64 } from '../signature-image.js'
import type {
  PaymentList,
  ReferencedRefundRequest,
  RefundSummary,
  RetrievedCard,
  RetrievedPayment,
  RetrievedRefund,
  ReversalRequest,
  Signature,
  SupportedOperation,
  TransactionResult,
} from '../types.js'
import { invalid, refuse } from './errors.js'
import type { InstructionRecord } from './instructions.js'
import type { Ledger, LedgerResult } from './ledger.js'
import { pageOf, type PageRequest } from './pages.js'

/** The acquirer's answer to a scenario. */
interface Answer {
  result: LedgerResult
  responseCode: TransactionResult['responseCode']
  authorized: number
  message: string
}

function answer(scenario: Scenario, amount: number, acceptPartial: boolean): Answer {
  switch (scenario) {
    case 'decline':
      return { result: 'declined', responseCode: 'D', authorized: 0, message: 'DECLINED' }
    case 'referral':
      return { result: 'referral', responseCode: 'R', authorized: 0, message: 'CALL ISSUER' }
    case 'partial':
      return acceptPartial
        ? {
            result: 'partial',
            responseCode: 'P',
            authorized: Math.max(1, Math.floor(amount / 2)),
            message: 'PARTIAL APPROVAL',
          }
        : {
            result: 'declined',
            responseCode: 'D',
            authorized: 0,
            message: 'PARTIAL APPROVAL NOT ACCEPTED',
          }
    default:
      return { result: 'approved', responseCode: 'A', authorized: amount, message: 'APPROVED' }
  }
}

const approved = (a: Answer) => a.result === 'approved' || a.result === 'partial'

/** Random upper-case id, in the style of Payroc's payment ids. */
function resourceId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(10))
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}

const iso = (at: number) => new Date(at).toISOString()

function card(entryMethod: string | undefined): RetrievedCard {
  return {
    type: 'Visa',
    entryMethod: entryMethod === 'manualEntry' ? 'keyed' : 'icc',
    cardNumber: '453985******7062',
    expiryDate: '1229',
    cardholderName: 'A N CUSTOMER',
  }
}

/** What the payment search filters by; every one given must match. */
export interface PaymentFilter {
  processingTerminalId?: string
  orderId?: string
  operator?: string
  /** Matched whole, ignoring case. */
  cardholderName?: string
  first6?: string
  last4?: string
  /** Inclusive bounds, in clock time, on the payment's `order.dateTime`. */
  dateFrom?: number
  dateTo?: number
  status?: TransactionResult['status']
  type?: TransactionResult['type']
}

function matches(payment: RetrievedPayment, filter: PaymentFilter): boolean {
  const { card, order, transactionResult: result } = payment
  const at = order.dateTime === undefined ? Number.NaN : Date.parse(order.dateTime)
  const same = <T>(wanted: T | undefined, actual: T) => wanted === undefined || wanted === actual
  return (
    same(filter.processingTerminalId, payment.processingTerminalId) &&
    same(filter.orderId, order.orderId) &&
    same(filter.operator, payment.operator) &&
    same(filter.cardholderName?.toLowerCase(), card.cardholderName?.toLowerCase()) &&
    same(filter.first6, card.cardNumber.slice(0, 6)) &&
    same(filter.last4, card.cardNumber.slice(-4)) &&
    (filter.dateFrom === undefined || at >= filter.dateFrom) &&
    (filter.dateTo === undefined || at <= filter.dateTo) &&
    same(filter.status, result.status) &&
    same(filter.type, result.type)
  )
}

interface PaymentRecord {
  payment: RetrievedPayment
  /** What the acquirer authorised, minor units. */
  authorized: number
  refunded: number
  reversed: number
}

/** Payments, refunds and signatures: what instructions produce, and what referenced refunds and reversals change. */
export class ResultBook {
  private readonly payments = new Map<string, PaymentRecord>()
  private readonly refunds = new Map<string, RetrievedRefund>()
  private readonly signatures = new Map<string, Signature>()

  constructor(private readonly ledger: Ledger) {}

  /** Called once, when an instruction completes at `at`: makes its result and tells the acquirer. */
  complete(record: InstructionRecord, at: number): string {
    const id = resourceId()
    if (record.kind === 'signature') {
      this.signatures.set(id, {
        signatureId: id,
        processingTerminalId: record.request.processingTerminalId,
        createdOn: iso(at).slice(0, 10),
        contentType: 'image/png',
        signature: SIGNATURE_PNG_BASE64,
      })
      return id
    }
    const { request } = record
    const order = request.order
    const partialOk = record.kind === 'payment' && record.request.order.acceptPartialAmount === true
    const reply = answer(record.scenario, order.amount, partialOk)
    const preAuth =
      record.kind === 'payment' &&
      record.request.autoCapture === false &&
      record.request.processAsSale !== true
    const status: TransactionResult['status'] = !approved(reply)
      ? reply.result === 'referral'
        ? 'referral'
        : 'declined'
      : preAuth
        ? 'pending'
        : record.kind === 'payment' && record.request.processAsSale
          ? 'complete'
          : 'ready'
    const transactionResult: TransactionResult = {
      type: record.kind === 'refund' ? 'refund' : preAuth ? 'preAuthorization' : 'sale',
      status,
      ...(approved(reply) && { approvalCode: `OK${id.slice(0, 4)}` }),
      // Money going back to the customer is negative (0 - x: a decline stays 0, not -0).
      authorizedAmount: record.kind === 'refund' ? 0 - reply.authorized : reply.authorized,
      currency: order.currency,
      responseCode: reply.responseCode,
      responseMessage: reply.message,
      processorResponseCode: approved(reply) ? '00' : '05',
    }
    const common = {
      processingTerminalId: request.processingTerminalId,
      ...(request.operator !== undefined && { operator: request.operator }),
      order: {
        orderId: order.orderId,
        dateTime: iso(record.createdAt),
        amount: order.amount,
        currency: order.currency,
        ...(order.description !== undefined && { description: order.description }),
      },
      card: card(request.customizationOptions?.entryMethod),
      transactionResult,
    }
    this.ledger.record({
      at,
      kind: record.kind === 'refund' ? 'refund' : preAuth ? 'pre-auth' : 'sale',
      processingTerminalId: request.processingTerminalId,
      serialNumber: record.serialNumber,
      instructionId: record.id,
      ...(record.kind === 'refund' ? { refundId: id } : { paymentId: id }),
      orderId: order.orderId,
      amount: order.amount,
      authorizedAmount: reply.authorized,
      currency: order.currency,
      result: reply.result,
    })
    if (record.kind === 'refund') this.refunds.set(id, { refundId: id, ...common })
    else {
      const operations: SupportedOperation[] = !approved(reply)
        ? []
        : preAuth
          ? ['capture', 'fullyReverse']
          : ['refund', 'fullyReverse', 'partiallyReverse']
      this.payments.set(id, {
        payment: { paymentId: id, ...common, refunds: [], supportedOperations: operations },
        authorized: reply.authorized,
        refunded: 0,
        reversed: 0,
      })
    }
    return id
  }

  payment(paymentId: string): RetrievedPayment {
    return this.paymentRecord(paymentId).payment
  }

  /** One page of the payments matching `filter`, in the order they completed; cursors are payment ids. */
  search(filter: PaymentFilter, page: PageRequest, link: (query: string) => string): PaymentList {
    const matching = [...this.payments.values()]
      .map((record) => record.payment)
      .filter((payment) => matches(payment, filter))
    return pageOf(matching, (payment) => payment.paymentId, page, link)
  }

  refund(refundId: string): RetrievedRefund {
    return (
      this.refunds.get(refundId) ??
      refuse('not-found', `No refund ${refundId}.`, { resource: `refund ${refundId}` })
    )
  }

  signature(signatureId: string): Signature {
    return (
      this.signatures.get(signatureId) ??
      refuse('not-found', `No signature ${signatureId}.`, { resource: `signature ${signatureId}` })
    )
  }

  /** A referenced refund: up to what is left of the payment, without the card. */
  refundPayment(paymentId: string, request: ReferencedRefundRequest, at: number): RefundSummary {
    const record = this.paymentRecord(paymentId)
    const { payment } = record
    if (!payment.supportedOperations?.includes('refund'))
      refuse('conflict', `Payment ${paymentId} cannot be refunded.`, {
        link: { rel: 'payment', method: 'GET', href: `/payments/${paymentId}` },
      })
    const left = this.take(record, request.amount, 'refunded')
    const refundId = resourceId()
    const summary: RefundSummary = {
      refundId,
      dateTime: iso(at),
      currency: payment.order.currency,
      amount: request.amount,
      status: 'ready',
      responseCode: 'A',
      responseMessage: 'APPROVED',
    }
    payment.refunds = [...(payment.refunds ?? []), summary]
    if (left === 0) payment.supportedOperations = []
    this.refunds.set(refundId, {
      refundId,
      processingTerminalId: payment.processingTerminalId,
      ...(request.operator !== undefined && { operator: request.operator }),
      order: {
        orderId: payment.order.orderId,
        dateTime: iso(at),
        amount: request.amount,
        currency: payment.order.currency,
        description: request.description,
      },
      card: payment.card,
      transactionResult: {
        type: 'refund',
        status: 'ready',
        authorizedAmount: -request.amount,
        currency: payment.order.currency,
        responseCode: 'A',
        responseMessage: 'APPROVED',
      },
    })
    this.returned(payment, 'refund', request.amount, at, { refundId })
    return summary
  }

  /** Reverses all (no amount) or part of a payment still in the open batch. */
  reversePayment(paymentId: string, request: ReversalRequest, at: number): RetrievedPayment {
    const record = this.paymentRecord(paymentId)
    const { payment } = record
    const operations = payment.supportedOperations ?? []
    const full = request.amount === undefined
    if (!operations.includes(full ? 'fullyReverse' : 'partiallyReverse'))
      refuse('conflict', `Payment ${paymentId} cannot be ${full ? 'fully' : 'partly'} reversed.`, {
        link: { rel: 'payment', method: 'GET', href: `/payments/${paymentId}` },
      })
    const amount = request.amount ?? this.remaining(record)
    const left = this.take(record, amount, 'reversed')
    const result = payment.transactionResult
    if (left === 0) {
      result.status = 'reversal'
      payment.supportedOperations = []
    }
    // A reversal lowers the authorisation itself; a refund is a transaction of its own.
    result.authorizedAmount = record.authorized - record.reversed
    this.returned(payment, 'reversal', amount, at)
    return payment
  }

  private paymentRecord(paymentId: string): PaymentRecord {
    return (
      this.payments.get(paymentId) ??
      refuse('not-found', `No payment ${paymentId}.`, { resource: `payment ${paymentId}` })
    )
  }

  private remaining(record: PaymentRecord): number {
    return record.authorized - record.refunded - record.reversed
  }

  /** Takes `amount` off what is left of the payment; returns what is left after. */
  private take(record: PaymentRecord, amount: number, as: 'refunded' | 'reversed'): number {
    const left = this.remaining(record)
    if (amount > left) invalid('amount', `must not be more than the ${left} left on the payment`)
    record[as] += amount
    return left - amount
  }

  private returned(
    payment: RetrievedPayment,
    kind: 'refund' | 'reversal',
    amount: number,
    at: number,
    ids: { refundId?: string } = {},
  ): void {
    this.ledger.record({
      at,
      kind,
      processingTerminalId: payment.processingTerminalId,
      paymentId: payment.paymentId,
      ...ids,
      orderId: payment.order.orderId,
      amount,
      authorizedAmount: amount,
      currency: payment.order.currency,
      result: 'approved',
    })
  }
}

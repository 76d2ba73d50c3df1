import { parseAdditionalResponse, parseFormEncoded } from './additional.js'
import { toMinorUnits } from './currency.js'
import type { EventNotification } from './generated/nexo/event-notification.js'
import type {
  PaymentResponse,
  PaymentResponseBody,
  Response,
} from './generated/nexo/payment-response.js'
import type { ReversalResponseBody } from './generated/nexo/reversal-response.js'
import type {
  RepeatedMessageResponse,
  TransactionStatusResponse,
} from './generated/nexo/transaction-status-response.js'

/**
 * Typed readings of nexo results. Adyen advises coding against `Result` and `ErrorCondition` only; the
 * `refusalReason` and `message` inside `AdditionalResponse` are for insight, so the decline reasons below are read
 * from them leniently and fall back to `refused`.
 */

/** Why a payment was declined. */
export type DeclineReason =
  'refused' | 'wrong-pin' | 'card-blocked' | 'expired-card' | 'not-enough-balance' | 'invalid-card'

export interface ResultDetails {
  /** `Response.ErrorCondition`, when there is one. */
  errorCondition?: string
  /** `Response.AdditionalResponse`, unpacked (form-encoded or base64 JSON). */
  additional: Record<string, string>
  /** `additional.message`, when present: text for the operator. */
  message?: string
}

/** Adyen's reference of a transaction; keep it to reverse (refund) the payment. */
export interface PoiTransaction {
  TransactionID: string
  TimeStamp: string
}

export type PaymentOutcome =
  | (ResultDetails & {
      /** Money was taken: `amount` (minor units) of `currency`; `partial` when less than asked. */
      status: 'approved'
      partial: boolean
      amount: number | undefined
      currency: string | undefined
      poiTransaction: PoiTransaction
      response: PaymentResponse
    })
  | (ResultDetails & {
      status: 'declined'
      reason: DeclineReason
      /** Adyen's wording, e.g. `Not enough balance`: for display and logs, not for code. */
      refusalReason: string | undefined
      response: PaymentResponse
    })
  | (ResultDetails & {
      /**
       * Nothing was taken. `aborted`: by an AbortRequest (or abandoned on the terminal); `cancelled`: on the
       * terminal; `timed-out`: a prompt or Adyen's 150 s processing limit ran out.
       */
      status: 'cancelled'
      cause: 'aborted' | 'cancelled' | 'timed-out'
      response: PaymentResponse
    })
  | (ResultDetails & {
      /** The terminal is handling another request; nothing was started. */
      status: 'busy'
      response: PaymentResponse
    })
  | (ResultDetails & {
      /** The terminal answered that it, or the acquirer through it, could not be reached: nothing was taken. */
      status: 'unreachable'
      response: PaymentResponse
    })
  | (ResultDetails & {
      /**
       * No answer from the terminal: the cloud sent a Reject event (e.g. "Did not receive a response from the
       * POI"). The payment may have reached the terminal before the link broke: the outcome is unknown. Ask
       * TransactionStatus (same SaleID and ServiceID) before anything else; never pay again blindly.
       */
      status: 'no-answer'
      response: undefined
      event: EventNotification
    })
  | (ResultDetails & {
      /** Refused for another reason (`MessageFormat`, `NotAllowed`, `LoggedOut`...). */
      status: 'failed'
      response: PaymentResponse
    })

export type ReversalOutcome =
  | (ResultDetails & {
      status: 'reversed'
      /** Minor units, when the response states it and its currency is known. */
      amount: number | undefined
      poiTransaction: PoiTransaction | undefined
      body: ReversalResponseBody
    })
  | (ResultDetails & {
      status: 'refused' | 'busy'
      body: ReversalResponseBody
    })
  | (ResultDetails & {
      /** The terminal answered that it could not reach the acquirer: nothing was reversed. */
      status: 'unreachable'
      body: ReversalResponseBody
    })
  | (ResultDetails & {
      /** A Reject event instead of an answer: the reversal may have reached the terminal (see PaymentOutcome). */
      status: 'no-answer'
      body: undefined
      event: EventNotification
    })

export type TransactionStatusResult =
  | {
      /** The request was processed: its response is repeated (`payment` or `reversal` reads it). */
      status: 'processed'
      repeated: RepeatedMessageResponse
      payment: PaymentOutcome | undefined
      reversal: ReversalOutcome | undefined
      response: TransactionStatusResponse
    }
  | {
      /** Still running on the terminal: ask again later. */
      status: 'in-progress'
      response: TransactionStatusResponse
    }
  | {
      /** It never reached the terminal: starting a new request is safe. */
      status: 'not-found'
      response: TransactionStatusResponse
    }
  | {
      /** The terminal could not be asked (offline): ask again later. */
      status: 'unreachable'
      event: EventNotification
    }
  | (ResultDetails & {
      /** The status request itself was refused (e.g. `MessageFormat`). */
      status: 'failed'
      response: TransactionStatusResponse
    })

function details(response: Response): ResultDetails {
  const additional = parseAdditionalResponse(response.AdditionalResponse)
  return {
    ...(response.ErrorCondition !== undefined && { errorCondition: response.ErrorCondition }),
    additional,
    ...(additional.message !== undefined && { message: additional.message }),
  }
}

const UNREACHABLE = new Set(['UnreachableHost', 'UnavailableDevice', 'DeviceOut'])

/** The typed outcome of a payment response. `currency` fills in when `AmountsResp` does not name one. */
export function paymentOutcome(response: PaymentResponse, currency?: string): PaymentOutcome {
  const body: PaymentResponseBody = response.SaleToPOIResponse.PaymentResponse
  const base = details(body.Response)
  const { Result, ErrorCondition: condition } = body.Response
  if (Result !== 'Failure') {
    const amounts = body.PaymentResult?.AmountsResp
    const paid = amounts?.Currency ?? currency
    return {
      ...base,
      status: 'approved',
      partial: Result === 'Partial',
      amount:
        amounts && paid
          ? toMinorUnits(amounts.AuthorizedAmount, paid, 'AuthorizedAmount')
          : undefined,
      currency: paid,
      poiTransaction: { ...body.POIData.POITransactionID },
      response,
    }
  }
  const reason = base.additional.refusalReason
  if (condition === 'Refusal' || condition === 'WrongPIN' || condition === 'InvalidCard')
    return {
      ...base,
      status: 'declined',
      reason: declineReason(condition, reason),
      refusalReason: reason,
      response,
    }
  if (condition === 'Busy') return { ...base, status: 'busy', response }
  if (UNREACHABLE.has(condition ?? '')) return { ...base, status: 'unreachable', response }
  const timedOut = /\btime[ds]?\s*-?\s*out\b/i.test(`${base.message ?? ''} ${reason ?? ''}`)
  if (condition === 'Aborted' || condition === 'Cancel' || (!condition && timedOut))
    return {
      ...base,
      status: 'cancelled',
      cause: timedOut ? 'timed-out' : condition === 'Aborted' ? 'aborted' : 'cancelled',
      response,
    }
  return { ...base, status: 'failed', response }
}

function declineReason(condition: string, refusalReason: string | undefined): DeclineReason {
  if (condition === 'WrongPIN') return 'wrong-pin'
  if (condition === 'InvalidCard') return 'invalid-card'
  const text = refusalReason ?? ''
  if (/blocked/i.test(text)) return 'card-blocked'
  if (/expired/i.test(text)) return 'expired-card'
  if (/not enough balance|insufficient/i.test(text)) return 'not-enough-balance'
  if (/pin/i.test(text)) return 'wrong-pin'
  return 'refused'
}

/** The typed outcome of a reversal response; `currency` converts `ReversedAmount` to minor units. */
export function reversalOutcome(body: ReversalResponseBody, currency?: string): ReversalOutcome {
  const base = details(body.Response)
  const condition = body.Response.ErrorCondition
  if (body.Response.Result !== 'Failure')
    return {
      ...base,
      status: 'reversed',
      amount:
        body.ReversedAmount !== undefined && currency
          ? toMinorUnits(body.ReversedAmount, currency, 'ReversedAmount')
          : undefined,
      poiTransaction: body.POIData && { ...body.POIData.POITransactionID },
      body,
    }
  if (condition === 'Busy') return { ...base, status: 'busy', body }
  if (UNREACHABLE.has(condition ?? '')) return { ...base, status: 'unreachable', body }
  return { ...base, status: 'refused', body }
}

/** The outcome for a request answered by a Reject event instead of a response. */
export function rejected(event: EventNotification): ResultDetails & { event: EventNotification } {
  const additional = parseFormEncoded(event.SaleToPOIRequest.EventNotification.EventDetails ?? '')
  return {
    additional,
    ...(additional.message !== undefined && { message: additional.message }),
    event,
  }
}

/** The typed reading of a TransactionStatus response. `currency` is that of the request asked about, if known. */
export function transactionStatusResult(
  response: TransactionStatusResponse,
  currency?: string,
): TransactionStatusResult {
  const body = response.SaleToPOIResponse.TransactionStatusResponse
  const condition = body.Response.ErrorCondition
  if (body.Response.Result === 'Failure') {
    if (condition === 'InProgress') return { status: 'in-progress', response }
    if (condition === 'NotFound') return { status: 'not-found', response }
    return { ...details(body.Response), status: 'failed', response }
  }
  const repeated = body.RepeatedMessageResponse
  if (!repeated) return { ...details(body.Response), status: 'failed', response }
  const original = repeated.RepeatedResponseMessageBody
  return {
    status: 'processed',
    repeated,
    payment: original.PaymentResponse
      ? paymentOutcome(
          {
            SaleToPOIResponse: {
              MessageHeader: repeated.MessageHeader,
              PaymentResponse: original.PaymentResponse,
            },
          },
          currency,
        )
      : undefined,
    reversal: original.ReversalResponse
      ? reversalOutcome(original.ReversalResponse, currency)
      : undefined,
    response,
  }
}

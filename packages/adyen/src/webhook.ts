import { TillkitProtocolError } from '@tillkit/core'
import { parseFormEncoded } from './additional.js'
import type { DisplayRequest } from './generated/nexo/display-request.js'
import { validateDisplayRequest } from './generated/nexo/display-request.validate.js'
import type { EventNotification } from './generated/nexo/event-notification.js'
import { validateEventNotification } from './generated/nexo/event-notification.validate.js'
import type { PaymentResponse, ResponseHeader } from './generated/nexo/payment-response.js'
import { validatePaymentResponse } from './generated/nexo/payment-response.validate.js'
import type { ReversalResponse } from './generated/nexo/reversal-response.js'
import { validateReversalResponse } from './generated/nexo/reversal-response.validate.js'
import type { TransactionStatusResponse } from './generated/nexo/transaction-status-response.js'
import { validateTransactionStatusResponse } from './generated/nexo/transaction-status-response.validate.js'
import {
  paymentOutcome,
  reversalOutcome,
  transactionStatusResult,
  type PaymentOutcome,
  type ReversalOutcome,
  type TransactionStatusResult,
} from './results.js'
import { describeErrors, invalid, isRecord, type Validator } from './wire.js'

/** One progress event of a display notification, e.g. `WAIT_FOR_PIN`. */
export interface DisplayEvent {
  event: string
  /** The terminal's reference of the transaction, when given. */
  transactionId: string | undefined
  timeStamp: string | undefined
  /** Every field of the text, unpacked. */
  fields: Record<string, string>
}

/**
 * A webhook body from Adyen's cloud, checked and typed. `header` names the terminal (POIID), the POS (SaleID) and,
 * when the notification concerns a request, its ServiceID: use them to find the payment it belongs to.
 */
export type AdyenNotification =
  | {
      type: 'event'
      header: ResponseHeader
      event: string
      details: Record<string, string>
      message: EventNotification
    }
  | { type: 'display'; header: ResponseHeader; events: DisplayEvent[]; message: DisplayRequest }
  | { type: 'payment'; header: ResponseHeader; outcome: PaymentOutcome; message: PaymentResponse }
  | {
      type: 'reversal'
      header: ResponseHeader
      outcome: ReversalOutcome
      message: ReversalResponse
    }
  | {
      type: 'transaction-status'
      header: ResponseHeader
      result: TransactionStatusResult
      message: TransactionStatusResponse
    }

/**
 * Validates and types an event-notification webhook body (the parsed JSON or its text): an event notification, a
 * display notification, or (for `/async` integrations) a payment, reversal or transaction-status response. Anything
 * else, or a body that breaks its schema, is a TillkitProtocolError: answer the webhook, but do not act on it.
 */
export function parseNotification(body: unknown): AdyenNotification {
  let value = body
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body)
    } catch (cause) {
      throw new TillkitProtocolError('malformed', 'The notification is not JSON', { cause })
    }
  }
  const request =
    isRecord(value) && isRecord(value.SaleToPOIRequest) ? value.SaleToPOIRequest : undefined
  const response =
    isRecord(value) && isRecord(value.SaleToPOIResponse) ? value.SaleToPOIResponse : undefined
  if (request && 'EventNotification' in request) {
    const message = checked(validateEventNotification, value, 'event notification')
    const { EventToNotify, EventDetails } = message.SaleToPOIRequest.EventNotification
    return {
      type: 'event',
      header: message.SaleToPOIRequest.MessageHeader,
      event: EventToNotify,
      details: parseFormEncoded(EventDetails ?? ''),
      message,
    }
  }
  if (request && 'DisplayRequest' in request) {
    const message = checked(validateDisplayRequest, value, 'display notification')
    const events = message.SaleToPOIRequest.DisplayRequest.DisplayOutput.flatMap((output) =>
      (output.OutputContent.OutputText ?? []).map(({ Text }) => displayEvent(Text)),
    )
    return { type: 'display', header: message.SaleToPOIRequest.MessageHeader, events, message }
  }
  if (response && 'PaymentResponse' in response) {
    const message = checked(validatePaymentResponse, value, 'payment response')
    return {
      type: 'payment',
      header: message.SaleToPOIResponse.MessageHeader,
      outcome: paymentOutcome(message),
      message,
    }
  }
  if (response && 'ReversalResponse' in response) {
    const message = checked(validateReversalResponse, value, 'reversal response')
    return {
      type: 'reversal',
      header: message.SaleToPOIResponse.MessageHeader,
      outcome: reversalOutcome(message.SaleToPOIResponse.ReversalResponse),
      message,
    }
  }
  if (response && 'TransactionStatusResponse' in response) {
    const message = checked(validateTransactionStatusResponse, value, 'transaction status response')
    return {
      type: 'transaction-status',
      header: message.SaleToPOIResponse.MessageHeader,
      result: transactionStatusResult(message),
      message,
    }
  }
  throw new TillkitProtocolError('unexpected', 'Not a notification tillkit knows', {
    details: { keys: isRecord(value) ? Object.keys(value).slice(0, 5) : typeof value },
  })
}

function checked<T>(validate: Validator<T>, value: unknown, what: string): T {
  if (!validate(value)) throw invalid(what, describeErrors(validate.errors))
  return value
}

function displayEvent(text: string): DisplayEvent {
  const fields = parseFormEncoded(text)
  return {
    event: fields.event ?? text,
    transactionId: fields.TransactionID,
    timeStamp: fields.TimeStamp,
    fields,
  }
}

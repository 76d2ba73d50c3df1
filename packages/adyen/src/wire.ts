import {
  dateTime,
  describeSchemaErrors,
  schemaValidationError,
  TillkitProtocolError,
} from '@tillkit/core'
import type { ValidationError } from './generated/nexo/payment-request.validate.js'
import type { EventNotification } from './generated/nexo/event-notification.js'
import { validateEventNotification } from './generated/nexo/event-notification.validate.js'

/** Reading and checking nexo messages; nothing here knows HTTP. */

/** A generated validator: a type guard that keeps its last failure in `errors`. */
export type Validator<T> = ((data: unknown) => data is T) & { errors?: ValidationError[] | null }

/**
 * Checks a message we are about to send; the first failure becomes a TillkitValidationError naming the field and
 * the rule, before anything leaves the process. Every `TimeStamp` must also be a date-time (with its offset), the
 * `format` the schemas give it: the generated validators leave formats out, so it is checked here.
 */
export function assertValid<T>(
  validate: Validator<T>,
  message: unknown,
  what: string,
): asserts message is T {
  if (!validate(message)) {
    throw schemaValidationError(validate.errors, { extraField: `is not a field of ${what}` })
  }
  checkTimeStamps(message, '')
}

/** Core's `dateTime` on every `TimeStamp` of an outbound message (closed schemas: no other field has the name). */
function checkTimeStamps(node: unknown, path: string): void {
  if (Array.isArray(node)) return node.forEach((item, i) => checkTimeStamps(item, `${path}.${i}`))
  if (!isRecord(node)) return
  for (const [key, value] of Object.entries(node)) {
    const field = path ? `${path}.${key}` : key
    if (key === 'TimeStamp') dateTime(field, value, node)
    else checkTimeStamps(value, field)
  }
}

/** Ajv's errors in one line (the first five), for protocol errors about what we received. */
export const describeErrors = (errors: readonly ValidationError[] | null | undefined): string =>
  describeSchemaErrors(errors, 5)

/** What a `/sync` call answered, before it is checked against the message it answers. */
export type Answer =
  | { kind: 'empty' }
  | { kind: 'response'; envelope: Record<string, unknown> & { MessageHeader?: unknown } }
  | { kind: 'event'; message: EventNotification }

/**
 * Reads a `/sync` body: empty (an abort), a SaleToPOIResponse, or the event notification the cloud sends when it
 * could not deliver the request. Anything else is a TillkitProtocolError.
 */
export function readAnswer(text: string): Answer {
  if (!text.trim()) return { kind: 'empty' }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    // No cause: the SyntaxError quotes the start of the body, which may echo the API key.
    throw new TillkitProtocolError('malformed', 'The Terminal API answer is not JSON', {
      details: { size: text.length },
    })
  }
  const record = isRecord(body) ? body : {}
  if (isRecord(record.SaleToPOIResponse))
    return { kind: 'response', envelope: record.SaleToPOIResponse }
  if (isRecord(record.SaleToPOIRequest) && 'EventNotification' in record.SaleToPOIRequest) {
    if (!validateEventNotification(body))
      throw invalid('event notification', describeErrors(validateEventNotification.errors))
    return { kind: 'event', message: body }
  }
  throw new TillkitProtocolError(
    'unexpected',
    'The Terminal API answer is neither a SaleToPOIResponse nor an event notification',
    { details: { keys: Object.keys(record).slice(0, 5) } },
  )
}

export function invalid(what: string, why: string): TillkitProtocolError {
  return new TillkitProtocolError('invalid', `Invalid ${what}: ${why}`)
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

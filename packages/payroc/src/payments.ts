import { checkCallOptions } from '@tillkit/core'
import type { PayrocClient } from './client.js'
import type { components, operations } from './generated/cloud-v1.js'
import { walkPages } from './pages.js'

/** A payment as `GET /payments/{paymentId}` and the payment search answer it. */
export type Payment = components['schemas']['RetrievedPayment']
/**
 * What to search by (every filter given must match), the page size `limit`, and `after` to start past a cursor.
 * Dates are RFC 3339 date-times with an offset (`new Date().toISOString()`). Walking backwards (`before`) is not
 * offered.
 */
export type PaymentFilters = Omit<
  NonNullable<operations['listPayments']['parameters']['query']>,
  'before'
>

/**
 * Every payment matching `filters`, page after page (`GET /payments`), by the `after` cursor of each page's `next`
 * link. The usual search is by `orderId` and `processingTerminalId`: how a POS that lost an instruction (and could
 * not replay its idempotency key) finds out what the device took.
 *
 * `filters` is checked at the call, before anything is sent: an unknown filter or a value breaking its rule is a
 * `TillkitValidationError` naming it (a misspelt filter would otherwise widen the search to every payment).
 */
export function findPayments(
  client: PayrocClient,
  filters: PaymentFilters,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Payment, void, undefined> {
  checkCallOptions(options)
  return walkPages(client, 'GET /payments', filters, { ...options, field: 'filters' })
}

import { createManualClock, type ManualClock } from '@tillkit/core'
import { createPayrocClient, type PayrocClient, type PayrocClientOptions } from '../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../src/mock/index.js'
import { until as untilTries } from '../../core/test/helpers.js'

export const API_BASE = 'https://api.uat.payroc.com/v1'
export const SERIAL = 'PAXA920-0001'
export const TERMINAL = '1234001'

export interface Setup {
  cloud: FakeCloud
  client: PayrocClient
  clock: ManualClock
}

/**
 * A fake cloud and a client talking to it in-process, on one manual clock. With `autoAdvance` (the default) time
 * jumps whenever everything waits, so a 60 s hold takes no real time.
 */
export function setup(
  options: {
    cloud?: FakeCloudOptions
    client?: Partial<PayrocClientOptions>
    autoAdvance?: boolean
  } = {},
): Setup {
  const clock = createManualClock({ autoAdvance: options.autoAdvance ?? true })
  const cloud = createFakeCloud({ clock, ...options.cloud })
  const client = createPayrocClient({
    apiKey: 'test-api-key',
    environment: 'test',
    fetch: cloud.fetch,
    clock,
    ...options.client,
  })
  return { cloud, client, clock }
}

export const sale = (amount: number, extra: Record<string, unknown> = {}) => ({
  processingTerminalId: TERMINAL,
  order: { orderId: `order-${amount}`, amount, currency: 'USD' },
  ...extra,
})

export const refund = (amount: number) => ({
  processingTerminalId: TERMINAL,
  order: { orderId: `refund-${amount}`, amount, currency: 'USD', description: 'returned goods' },
})

/** A sale whose order has these fields too. */
export const withOrder = (order: Record<string, unknown>) => ({
  ...sale(1),
  order: { ...sale(1).order, ...order },
})
export const withBreakdown = (breakdown: Record<string, unknown>) =>
  withOrder({ breakdown: { subtotal: 1, ...breakdown } })
/**
 * Payment instructions that break one rule of a nested part each: the field the refusal names, and the body. The
 * client refuses them before sending; the fake answers them 400 naming the same field.
 */
export const paymentBodyRefusals: Array<[string, Record<string, unknown>]> = [
  ['order.dateTime', withOrder({ dateTime: 'yesterday' })],
  ['order.dateTime', withOrder({ dateTime: '2026-02-30T10:00:00Z' })],
  ['order.standingInstructions', withOrder({ standingInstructions: 'monthly' })],
  ['customer', { ...sale(1), customer: 'Jo' }],
  ['customer.notificationLanguage', { ...sale(1), customer: { notificationLanguage: 'de' } }],
  ['customer.dateOfBirth', { ...sale(1), customer: { dateOfBirth: '1.2.1990' } }],
  [
    'customer.contactMethods[0].type',
    { ...sale(1), customer: { contactMethods: [{ type: 'pager', value: '1' }] } },
  ],
  [
    'customer.shippingAddress.address.city',
    { ...sale(1), customer: { shippingAddress: { address: { city: 5 } } } },
  ],
  ['ipAddress.type', { ...sale(1), ipAddress: { type: 'ipv5', value: '1.2.3.4' } }],
  ['ipAddress.value', { ...sale(1), ipAddress: { type: 'ipv4' } }],
  ['credentialOnFile.mitAgreement', { ...sale(1), credentialOnFile: { mitAgreement: 'monthly' } }],
  ['credentialOnFile.tokenize', { ...sale(1), credentialOnFile: { tokenize: 'yes' } }],
  ['order.standingInstructions', { ...sale(1), credentialOnFile: { mitAgreement: 'recurring' } }],
  [
    'customizationOptions.ebtDetails.benefitCategory',
    { ...sale(1), customizationOptions: { ebtDetails: { withdrawal: true } } },
  ],
  [
    'customizationOptions.ebtDetails.benefitCategory',
    { ...sale(1), customizationOptions: { ebtDetails: { benefitCategory: 'fuel' } } },
  ],
  [
    'customizationOptions.closedLoopOptions.type',
    { ...sale(1), customizationOptions: { closedLoopOptions: { type: 'desfire' } } },
  ],
  ['order.breakdown.tip.type', withBreakdown({ tip: { amount: 100 } })],
  ['order.breakdown.tip.type', withBreakdown({ tip: { type: 'flat' } })],
  ['order.breakdown.tip.mode', withBreakdown({ tip: { type: 'percentage', mode: 'asked' } })],
  [
    'order.breakdown.tip.percentage',
    withBreakdown({ tip: { type: 'percentage', percentage: '5' } }),
  ],
  ['order.breakdown.surcharge.amount', withBreakdown({ surcharge: { amount: -1 } })],
  ['order.breakdown.dualPricing.offered', withBreakdown({ dualPricing: {} })],
  [
    'order.breakdown.dualPricing.alternativeTender',
    withBreakdown({ dualPricing: { offered: true, alternativeTender: 'cheque' } }),
  ],
  ['order.breakdown.taxes', withBreakdown({ taxes: { type: 'rate', rate: 5, name: 'VAT' } })],
  ['order.breakdown.taxes[0].name', withBreakdown({ taxes: [{ type: 'rate', rate: 5 }] })],
  [
    'order.breakdown.taxes[1].rate',
    withBreakdown({
      taxes: [
        { type: 'rate', rate: 5, name: 'VAT' },
        { type: 'rate', name: 'GST' },
      ],
    }),
  ],
  [
    'order.breakdown.taxes[0].type',
    withBreakdown({ taxes: [{ type: 'flat', rate: 5, name: 'VAT' }] }),
  ],
]

/** Requests the fake saw, as `METHOD path` lines (the bench and ordering tests read this). */
export const seen = (cloud: FakeCloud) => cloud.requests.map((r) => `${r.method} ${r.path}`)

export { captureLogger, type Line } from '../../core/test/helpers.js'

/** Core's `until`, with the more generous default of tries the payroc flows were written for. */
export const until = (done: () => boolean, tries = 100) => untilTries(done, tries)

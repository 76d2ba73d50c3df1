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

/** Requests the fake saw, as `METHOD path` lines (the bench and ordering tests read this). */
export const seen = (cloud: FakeCloud) => cloud.requests.map((r) => `${r.method} ${r.path}`)

export { captureLogger, type Line } from '../../core/test/helpers.js'

/** Core's `until`, with the more generous default of tries the payroc flows were written for. */
export const until = (done: () => boolean, tries = 100) => untilTries(done, tries)

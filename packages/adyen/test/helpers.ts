import { createManualClock, type ManualClock } from '@tillkit/core'
import {
  createAdyenClient,
  type AdyenClient,
  type AdyenClientOptions,
  type AdyenTransport,
  type NexoBuilder,
} from '../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../src/mock/index.js'
import { until as untilTries } from '../../core/test/helpers.js'

export const POI = 'P400Plus-100000001'
export const POI_2 = 'V400m-100000002'
export const POI_BASE64 = 'S1F2-100000003'
export const OTHER_POI = 'P400Plus-200000001'
export const MERCHANT = 'TillkitShop'
export const KEY = 'test-api-key'

/**
 * A nexo MessageHeader as a POS's own code writes it (no builders of ours), for tests that send raw
 * JSON to the fake; `category` is any value, so a test can send a malformed one.
 */
export const rawHeader = (category: unknown, serviceId: string, poiId = POI) => ({
  ProtocolVersion: '3.0',
  MessageClass: 'Service',
  MessageCategory: category,
  MessageType: 'Request',
  ServiceID: serviceId,
  SaleID: 'pos-1',
  POIID: poiId,
})

export interface Harness<T extends AdyenTransport> {
  clock: ManualClock
  cloud: FakeCloud
  adyen: AdyenClient<T>
  nexo: NexoBuilder
  /** Every body the cloud sent as a webhook. */
  webhooks: unknown[]
}

/**
 * A client on the fake cloud, both on one manual clock that jumps to the next deadline whenever the process idles
 * (`autoAdvance`): terminal steps, the cloud's limits and the client's timeouts take no real time.
 */
export function harness<T extends AdyenTransport = 'device-api'>(
  options: {
    transport?: T
    cloud?: FakeCloudOptions
    autoAdvance?: boolean
    /** Stands between the client and the fake (a proxy, a gateway): it may change or replace answers. */
    between?: (request: Request, cloud: FakeCloud) => Promise<Response>
  } = {},
): Harness<T> {
  const clock = createManualClock({ autoAdvance: options.autoAdvance ?? true })
  const cloud = createFakeCloud({ clock, stepMs: 500, ...options.cloud })
  const adyen = createAdyenClient({
    apiKey: KEY,
    environment: 'test',
    transport: (options.transport ?? 'device-api') as T,
    merchantAccount: MERCHANT,
    fetch: options.between ? (request: Request) => options.between!(request, cloud) : cloud.fetch,
    clock,
  } as unknown as AdyenClientOptions<T>)
  const webhooks: unknown[] = []
  cloud.notifications.register((body) => void webhooks.push(body))
  return { clock, cloud, adyen, nexo: adyen.nexo({ saleId: 'till-1' }), webhooks }
}

/** Lets pending promise jobs and immediates run (the manual clock wakes sleepers through setImmediate). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Waits (without moving the clock) until a request has reached the fake and `condition` holds: core's
 * `until`, with room for the device's longer chains of promise jobs.
 */
export const until = (condition: () => boolean, rounds = 500) => untilTries(condition, rounds)

/** Until the device is working on a request. */
export const busy = (cloud: FakeCloud, poiId: string) =>
  until(() => cloud.devices.get(poiId).activeServiceId !== undefined)

/**
 * Moves a manual clock on in `stepMs` steps, letting requests in flight land between steps, until `promise`
 * settles; resolves with its result (or rejects with its error). At most `maxSteps` steps.
 */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  stepMs: number,
  maxSteps = 1_000,
): Promise<T> {
  let settled = false
  const watched = promise.finally(() => (settled = true))
  watched.catch(() => {})
  for (let i = 0; i < maxSteps && !settled; i++) {
    for (let j = 0; j < 20 && !settled; j++) await flush()
    if (!settled) await clock.advance(stepMs)
  }
  return watched
}

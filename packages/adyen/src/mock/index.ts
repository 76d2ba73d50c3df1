/**
 * `@tillkit/adyen/mock`: a fake Adyen cloud (Cloud device API and legacy endpoints) for tests and demos.
 *
 * ```ts
 * const cloud = createFakeCloud({ clock: createManualClock({ autoAdvance: true }) })
 * const adyen = createAdyenClient({ ..., baseUrl: 'https://device-api-test.adyen.com/v1', fetch: cloud.fetch })
 * ```
 */
import { checkOptions, systemClock, type Clock } from '@tillkit/core'
import { fakeFetch, faultControl, type FakeFaults } from '@tillkit/core/fake'
import type { RequestHandler } from 'msw'
import { deviceControl, notificationControl } from './control.js'
import type { DeviceControl, NotificationControl } from './control.js'
import type { DeviceConfig } from './domain/device.js'
import type { LedgerEntry } from './domain/ledger.js'
import { AdyenModel } from './domain/model.js'
import { Notifier } from './domain/notifier.js'
import { adyenFaults, withAdyenFaults, type Fault } from './faults.js'
import { createFrontEnd, type ApiKeyConfig } from './http.js'
import { mswHandlers } from './msw.js'
import { OPTION_RULES } from './options.js'

export type { DeviceConfig } from './domain/device.js'
export type { LedgerEntry, LedgerKind } from './domain/ledger.js'
export type { Delivery, NotificationFailure, NotificationTarget } from './domain/notifier.js'
export type { DeviceControl, DeviceInfo, NotificationControl, RequestInfo } from './control.js'
export type { ApiKeyConfig } from './http.js'
export type {
  Fault,
  FaultMatch,
  HttpFault,
  LatencyFault,
  StatusFault,
  LostResponseFault,
  DropConnectionFault,
} from './faults.js'
export {
  SCENARIOS,
  SCENARIO_BY_ENDING,
  chooseScenario,
  CARD_PROMPT_TIMEOUT_MS,
  SLOW_CARD_MS,
  type Scenario,
} from './scenarios.js'
export { CLOUD_PROCESSING_LIMIT_MS } from './domain/scripts.js'
export { UNREACHABLE_MESSAGE } from './domain/model.js'
export { DEFAULT_BASE_URLS } from './msw.js'
export type { FakeFaults } from '@tillkit/core/fake'

export interface FakeCloudOptions {
  /** Accepted API keys: strings (every merchant account) or configs. Default `['test-api-key']`. */
  apiKeys?: ReadonlyArray<string | ApiKeyConfig>
  /** The merchant accounts; devices without one belong to the first. Default {@link DEFAULT_MERCHANT_ACCOUNTS}. */
  merchantAccounts?: readonly string[]
  /** Default {@link DEFAULT_DEVICES}. */
  devices?: readonly DeviceConfig[]
  /** Default `systemClock`; pass a manual clock in tests. */
  clock?: Clock
  /** Time per terminal step (card read, PIN, issuer). Default 500 ms, so a demo shows live progress. */
  stepMs?: number
  /** How long a SaleID/ServiceID pair stays taken and a finished request visible to TransactionStatus. Default 48. */
  retentionHours?: number
  /** Used to POST webhooks to URL targets. Default `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>
}

export interface FakeCloud {
  /** Both HTTP surfaces on any host: `/v1/merchants/…` (Cloud device API) and `/sync`, `/async`, `/connectedTerminals`. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  /**
   * MSW handlers for {@link fetch}; default at every Adyen cloud host ({@link DEFAULT_BASE_URLS}). A
   * base with a path (`http://proxy.test/adyen`) is a prefix taken off before the fake routes; it
   * ends at the fake's own `/v1`, `/sync`... (`https://…/v1` is no prefix).
   */
  handlers(baseUrl?: string): RequestHandler[]
  /** Every payment, refund and reversal that reached the acquirer, in order. */
  readonly ledger: readonly LedgerEntry[]
  readonly clock: Clock
  /** Arms faults (refused with a TypeError when invalid); see {@link Fault}. */
  readonly faults: FakeFaults<Fault>
  readonly devices: DeviceControl
  /** Webhooks: display and event notifications, and `/async` responses. */
  readonly notifications: NotificationControl
}

export const DEFAULT_MERCHANT_ACCOUNTS = ['TillkitShop', 'OtherShop'] as const

/** Three terminals of `TillkitShop` in two stores, and one of `OtherShop`. */
export const DEFAULT_DEVICES: readonly DeviceConfig[] = [
  { poiId: 'P400Plus-100000001', store: 'LONDON-1' },
  { poiId: 'V400m-100000002', store: 'LONDON-1' },
  { poiId: 'S1F2-100000003', store: 'PARIS-1', additionalResponse: 'base64' },
  { poiId: 'P400Plus-200000001', merchantAccount: 'OtherShop', store: 'BERLIN-1' },
]

/**
 * A fake Adyen cloud. Options are checked first: a bad value or an unknown name throws a
 * `TillkitValidationError` naming it (`options.stepMs`, `options.devices[1].poiId`).
 */
export function createFakeCloud(options: FakeCloudOptions = {}): FakeCloud {
  checkOptions(options, OPTION_RULES)
  const clock = options.clock ?? systemClock
  const post = options.fetch ?? ((request: Request) => globalThis.fetch(request))
  const notifier = new Notifier(clock, (url, body) =>
    post(
      new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }),
    ),
  )
  const model = new AdyenModel(
    {
      clock,
      stepMs: options.stepMs ?? 500,
      retentionMs: (options.retentionHours ?? 48) * 3_600_000,
      merchantAccounts: options.merchantAccounts ?? DEFAULT_MERCHANT_ACCOUNTS,
    },
    notifier,
    options.devices ?? DEFAULT_DEVICES,
  )
  const faults = adyenFaults()
  const apiKeys = (options.apiKeys ?? ['test-api-key']).map((k) =>
    typeof k === 'string' ? { key: k } : k,
  )
  const serve = withAdyenFaults(createFrontEnd(model, { apiKeys, clock }), faults, clock)
  const fetch = fakeFetch(serve)

  return {
    fetch,
    handlers: (baseUrl) => mswHandlers(fetch, baseUrl),
    get ledger() {
      return model.ledger.entries
    },
    clock,
    faults: faultControl(faults),
    devices: deviceControl(model, clock),
    notifications: notificationControl(notifier),
  }
}

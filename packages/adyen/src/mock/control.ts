import { exactFields, type Clock } from '@tillkit/core'
import type { Device, DeviceConfig } from './domain/device.js'
import type { AdyenModel } from './domain/model.js'
import type {
  Delivery,
  NotificationFailure,
  NotificationTarget,
  Notifier,
} from './domain/notifier.js'
import { DEVICE_RULES } from './options.js'
import { isScenario, type Scenario } from './scenarios.js'

/** What a test sees of a device. */
export interface DeviceInfo {
  poiId: string
  merchantAccount: string
  store: string | undefined
  online: boolean
  /** Pinned scenario; undefined when the amount decides. */
  scenario: Scenario | undefined
  /** ServiceID of the payment or reversal the terminal is working on. */
  activeServiceId: string | undefined
}

/** A request as TransactionStatus would see it. */
export interface RequestInfo {
  category: string
  state: 'running' | 'done'
  /** The response envelope, once done. */
  answer: unknown
}

export interface DeviceControl {
  list(): DeviceInfo[]
  get(poiId: string): DeviceInfo
  /** A bad config (as `options.devices` checks it) is a TillkitValidationError naming `config.…`. */
  add(config: DeviceConfig): DeviceInfo
  /** Connects or disconnects the terminal. Going offline mid-payment: the `/sync` waiting gets a Reject event,
   * the terminal finishes the payment anyway, and TransactionStatus tells once the terminal is back. */
  setOnline(poiId: string, online: boolean): void
  /** Pins a scenario for every following payment; `undefined` lets the amount decide again. */
  setScenario(poiId: string, scenario: Scenario | undefined): void
  request(poiId: string, saleId: string, serviceId: string): RequestInfo | undefined
}

export interface NotificationControl {
  /** Adds a webhook target (a function, or a URL the fake POSTs JSON to); the returned function removes it. */
  register(target: NotificationTarget): () => void
  /** Every body sent, in order, whether or not a target was registered. */
  readonly delivered: readonly Delivery[]
  /** Deliveries a target refused (threw, or answered non-2xx). */
  readonly failures: readonly NotificationFailure[]
  /** Resolves once every delivery so far has reached its targets. */
  settled(): Promise<void>
}

export function deviceControl(model: AdyenModel, clock: Clock): DeviceControl {
  const info = (d: Device): DeviceInfo => ({
    poiId: d.poiId,
    merchantAccount: d.merchantAccount,
    store: d.store,
    online: d.online,
    scenario: d.scenario,
    activeServiceId: d.active?.header.ServiceID,
  })
  return {
    list: () => [...model.devices.values()].map(info),
    get: (poiId) => info(model.device(poiId)),
    add(config) {
      exactFields(DEVICE_RULES)('config', config, {})
      return info(model.addDevice(config))
    },
    setOnline: (poiId, online) => model.device(poiId).setOnline(online),
    setScenario(poiId, scenario) {
      if (scenario !== undefined && !isScenario(scenario))
        throw new TypeError(`Unknown scenario ${String(scenario)}`)
      model.device(poiId).scenario = scenario
    },
    request(poiId, saleId, serviceId) {
      const run = model.device(poiId).run(saleId, serviceId, clock.now())
      return run && { category: run.category, state: run.state, answer: run.answer }
    },
  }
}

export function notificationControl(notifier: Notifier): NotificationControl {
  return {
    register: (target) => notifier.register(target),
    get delivered() {
      return notifier.delivered
    },
    get failures() {
      return notifier.failures
    },
    settled: () => notifier.settled(),
  }
}

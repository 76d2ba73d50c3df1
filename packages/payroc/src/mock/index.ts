/**
 * `@tillkit/payroc/mock`: a fake Payroc gateway (identity, instructions with long-poll, payments, devices) for
 * tests and demos.
 *
 * ```ts
 * const cloud = createFakeCloud({ clock: createManualClock() })
 * const response = await cloud.fetch(request)          // or setupServer(...cloud.handlers())
 * ```
 */
import { checkOptions, exactFields, systemClock, type Clock } from '@tillkit/core'
import { fakeFetch, faultControl, type FakeFaults } from '@tillkit/core/fake'
import type { RequestHandler } from 'msw'
import type { DeviceConfig, DeviceState } from './domain/devices.js'
import type { Scope } from './domain/identity.js'
import type { InstructionKind, InstructionRecord } from './domain/instructions.js'
import type { LedgerEntry } from './domain/ledger.js'
import { PayrocModel } from './domain/model.js'
import { payrocFaults, withPayrocFaults, type Fault } from './faults.js'
import { createFrontEnd, type RequestNote } from './http/front.js'
import { mswHandlers } from './msw.js'
import { OPTION_RULES, DEVICE_RULES } from './options.js'
import { DEFAULT_TIMINGS, type Scenario, type Timings } from './scenarios.js'
import type { InstructionStatus } from './types.js'

export type { DeviceConfig } from './domain/devices.js'
export type { LedgerEntry, LedgerKind, LedgerResult } from './domain/ledger.js'
export type { InstructionKind } from './domain/instructions.js'
export { Refusal, type RefusalKind } from './domain/errors.js'
export type { FakeFaults } from '@tillkit/core/fake'
export type {
  Fault,
  FaultMatch,
  HttpFault,
  LatencyFault,
  StatusFault,
  LostResponseFault,
} from './faults.js'
export {
  SCENARIOS,
  SCENARIO_BY_CENTS,
  DEFAULT_TIMINGS,
  chooseScenario,
  type Scenario,
  type Timings,
} from './scenarios.js'
export { SIGNATURE_PNG_BASE64 } from './signature-image.js'
export { DEFAULT_BASE_URL } from './msw.js'

export interface FakeCloudOptions {
  /** Keys that get full tokens. Default `['test-api-key']`. */
  apiKeys?: readonly string[]
  /** Keys whose tokens may only read: every POST and DELETE gets 403. Default none. */
  readOnlyApiKeys?: readonly string[]
  /** Default {@link DEFAULT_DEVICES}. */
  devices?: readonly DeviceConfig[]
  /** Default `systemClock`; pass a manual clock in tests. */
  clock?: Clock
  /** How long the simulated customer, device and acquirer take. */
  timings?: Partial<Timings>
  /** How long an instruction read is held while nothing changes. Default 60 000. */
  holdMs?: number
  /** `expires_in` of every token. Default 3 600. */
  tokenLifetimeSeconds?: number
}

/** One request that reached the fake, as it ended. */
export interface RequestLogEntry {
  /** 1-based. */
  seq: number
  /** Clock time it arrived. */
  at: number
  /** Clock time it was answered (or its answer lost). */
  endedAt: number
  method: string
  /** Path, without the host (`/v1/payment-instructions/…`, `/authorize`). */
  path: string
  /** The status sent; undefined when the answer was lost or the caller went away first. */
  status?: number
  /** How long an instruction read was held. */
  heldMs?: number
  idempotencyKey?: string
  /** Answered from the idempotency store: nothing was done again. */
  replayed?: boolean
}

export interface DeviceInfo {
  serialNumber: string
  deviceId: string
  processingTerminalId: string
  model: string
  /** Pinned scenario; undefined when the amount decides. */
  scenario: Scenario | undefined
  active: boolean
  /** The instruction in progress on it, if any. */
  busyWith: string | undefined
}

/** The devices, from the gateway's side (no HTTP, no faults). */
export interface DeviceControl {
  list(): DeviceInfo[]
  get(serialNumber: string): DeviceInfo
  /** A bad config (as `options.devices` checks it) is a TillkitValidationError naming `config.…`. */
  add(config: DeviceConfig): DeviceInfo
  /** Pin a scenario for every following instruction; `undefined` lets the amount decide again. */
  setScenario(serialNumber: string, scenario: Scenario | undefined): void
  /** Deactivate (listed with `deactivatedDate`, takes no instructions) or reactivate. */
  setActive(serialNumber: string, active: boolean): void
}

export interface InstructionInfo {
  kind: InstructionKind
  id: string
  serialNumber: string
  scenario: Scenario
  status: InstructionStatus
  createdAt: number
  /** When it ends (or ended) unless canceled first. */
  plannedEndAt: number
  endedAt?: number
  /** The payment, refund or signature id once completed. */
  resultId?: string
}

export interface InstructionControl {
  /** Every instruction so far, oldest first, brought up to the clock's time. */
  list(): InstructionInfo[]
  get(id: string): InstructionInfo
}

export interface IdentityControl {
  /** Tokens issued so far. */
  readonly issued: number
  /** Every token issued so far stops working at once: the next API request with one gets 401. */
  revokeAll(): void
}

export interface FakeCloud {
  /** The whole surface, Fetch-API style, on any host: `POST /authorize` and the API under `/v1`. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  /**
   * MSW handlers serving {@link fetch}; default base `https://*.payroc.com` (API and identity, test
   * and live). A base with a path (`http://proxy.test/payroc`) is a prefix taken off before the fake
   * routes, and its links lead back through it; it ends at the fake's own `/v1` or `/authorize`.
   */
  handlers(...baseUrls: string[]): RequestHandler[]
  /** Everything that reached the acquirer, in order, as of the clock's current time. */
  readonly ledger: readonly LedgerEntry[]
  /** Every request that reached the fake, in arrival order (for counting and for ordering checks). */
  readonly requests: readonly RequestLogEntry[]
  readonly clock: Clock
  readonly faults: FakeFaults<Fault>
  readonly devices: DeviceControl
  readonly instructions: InstructionControl
  readonly identity: IdentityControl
}

/** Twelve devices on terminal 1234001 (ten A920s, an A80 and a deactivated A920): more than one page. */
export const DEFAULT_DEVICES: readonly DeviceConfig[] = Array.from({ length: 12 }, (_, i) => {
  const n = String(i + 1).padStart(4, '0')
  return i === 10
    ? { serialNumber: `PAXA80-${n}`, model: 'paxA80' }
    : { serialNumber: `PAXA920-${n}`, ...(i === 11 && { active: false }) }
})

/**
 * A fake Payroc gateway. Options are checked first: a bad value or an unknown name throws a
 * `TillkitValidationError` naming it (`options.holdMs`, `options.devices[1].serialNumber`).
 */
export function createFakeCloud(options: FakeCloudOptions = {}): FakeCloud {
  checkOptions(options, OPTION_RULES)
  const clock = options.clock ?? systemClock
  const keys = new Map<string, Scope>([
    ...(options.readOnlyApiKeys ?? []).map((key) => [key, 'read'] as const),
    ...(options.apiKeys ?? ['test-api-key']).map((key) => [key, 'full'] as const),
  ])
  const model = new PayrocModel(
    {
      timings: { ...DEFAULT_TIMINGS, ...options.timings },
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3_600,
      keys,
    },
    options.devices ?? DEFAULT_DEVICES,
    clock.now(),
  )
  const requests: RequestLogEntry[] = []
  const notes = new WeakMap<Request, RequestNote>()
  const front = createFrontEnd(model, {
    clock,
    holdMs: options.holdMs ?? 60_000,
    note: (request, note) => notes.set(request, { ...notes.get(request), ...note }),
  })
  const faults = payrocFaults()
  const serve = withPayrocFaults(front, faults, clock)

  /** Logs every request as it ends, faults included: what a counting proxy in front of the gateway would see. */
  const fetch = fakeFetch(async (request) => {
    const entry: RequestLogEntry = {
      seq: requests.length + 1,
      at: clock.now(),
      endedAt: clock.now(),
      method: request.method,
      path: new URL(request.url).pathname,
    }
    requests.push(entry)
    try {
      const response = await serve(request)
      entry.status = response.status
      return response
    } finally {
      entry.endedAt = clock.now()
      Object.assign(entry, notes.get(request))
    }
  })

  const deviceInfo = (device: DeviceState): DeviceInfo => ({
    serialNumber: device.serialNumber,
    deviceId: device.deviceId,
    processingTerminalId: device.processingTerminalId,
    model: device.model,
    scenario: device.scenario,
    active: device.deactivatedAt === undefined,
    busyWith: device.busyWith,
  })
  const device = (serialNumber: string) => {
    model.settle(clock.now())
    return model.devices.get(serialNumber)
  }
  const instructionInfo = (r: InstructionRecord): InstructionInfo => ({
    kind: r.kind,
    id: r.id,
    serialNumber: r.serialNumber,
    scenario: r.scenario,
    status: r.status,
    createdAt: r.createdAt,
    plannedEndAt: r.end.at,
    ...(r.endedAt !== undefined && { endedAt: r.endedAt }),
    ...(r.resultId !== undefined && { resultId: r.resultId }),
  })
  const instructions = () => {
    model.settle(clock.now())
    return model.list().map(instructionInfo)
  }

  return {
    fetch,
    handlers: (...baseUrls) => mswHandlers(fetch, baseUrls),
    get ledger() {
      model.settle(clock.now())
      return model.ledger.entries
    },
    requests,
    clock,
    faults: faultControl(faults),
    devices: {
      list: () => model.devices.all().map((d) => deviceInfo(device(d.serialNumber))),
      get: (serialNumber) => deviceInfo(device(serialNumber)),
      add(config) {
        exactFields(DEVICE_RULES)('config', config, {})
        return deviceInfo(model.devices.add(config, clock.now()))
      },
      setScenario(serialNumber, scenario) {
        device(serialNumber).scenario = scenario
      },
      setActive(serialNumber, active) {
        const d = device(serialNumber)
        d.deactivatedAt = active ? undefined : (d.deactivatedAt ?? clock.now())
      },
    },
    instructions: {
      list: instructions,
      get(id) {
        const found = instructions().find((i) => i.id === id)
        if (!found) throw new Error(`No instruction ${id}`)
        return found
      },
    },
    identity: {
      get issued() {
        return model.identity.issued
      },
      revokeAll: () => model.identity.revokeAll(),
    },
  }
}

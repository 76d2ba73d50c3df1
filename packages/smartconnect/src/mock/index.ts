/**
 * `@tillkit/smartconnect/mock`: a fake SmartConnect cloud for tests and demos.
 *
 * ```ts
 * const cloud = createFakeCloud({ clock: createManualClock() })
 * const code = cloud.terminals.get('VT000001').pairingCode   // what the terminal shows
 * const response = await cloud.fetch(request)                 // or setupServer(...cloud.handlers())
 * ```
 */
import {
  checkOptions,
  exactFields,
  systemClock,
  TillkitValidationError,
  type Clock,
} from '@tillkit/core'
import { fakeFetch, faultControl, type FakeFaults as CoreFakeFaults } from '@tillkit/core/fake'
import type { RequestHandler } from 'msw'
import type { TransactionType } from '../types.js'
import { smartConnectFaults, withSmartConnectFaults, type Fault } from './faults.js'
import { createHttpFrontEnd, withCors } from './http.js'
import type { LedgerEntry } from './ledger.js'
import { SmartConnectModel, type Register, type TerminalConfig } from './model.js'
import { mswHandlers } from './msw.js'
import { OPTION_RULES, TERMINAL_RULES } from './options.js'
import type { Scenario } from './scenarios.js'

export type { TerminalConfig, Register, RefusalKind } from './model.js'
export type { LedgerEntry, LedgerKind } from './ledger.js'
export type {
  Fault,
  FaultMatch,
  HttpFault,
  LatencyFault,
  LostResponseFault,
  StatusFault,
} from './faults.js'
export {
  SCENARIOS,
  SCENARIO_BY_CENTS,
  ANY_TYPE_SCENARIOS,
  chooseScenario,
  type Scenario,
} from './scenarios.js'
export { DEFAULT_BASE_URL } from './msw.js'
export { RECEIPT_WIDTH } from './receipt.js'

export interface FakeCloudOptions {
  /** The terminals. Default {@link DEFAULT_TERMINALS}. */
  terminals?: readonly TerminalConfig[]
  /** Default `systemClock`; pass a manual clock in tests. */
  clock?: Clock
  /** Time of one terminal step (an approved payment takes four). Default 1 000. */
  stepMs?: number
  /** How long a `delayed` transaction stays OK-DELAYED. Default 20 000. */
  delayedMs?: number
  /** When a terminal whose answer never reaches the cloud takes new work again. Default 180 000. */
  terminalTimeoutMs?: number
  /** Polls of one transaction closer together than this get 429. 0 disables. Default 2 000. */
  minPollIntervalMs?: number
  /** The polling token's life from the start. Default 900 000 (15 minutes). */
  tokenLifetimeMs?: number
  /** Reported as `merchantId` / `Merchant` and `Company`, and printed on receipts. */
  merchant?: { id: string; name: string }
}

/** `cloud.faults`: arm, disarm and list faults. */
export type FakeFaults = CoreFakeFaults<Fault>

/** What a test sees of a terminal. */
export interface TerminalInfo {
  deviceId: string
  /** The code the terminal shows now. */
  pairingCode: string
  /** Pinned scenario; undefined when a payment's cents decide. */
  scenario: Scenario | undefined
  online: boolean
  /** The transaction the terminal is working on. */
  activeTransactionId: string | undefined
  /** Ids of the registers paired with it. */
  registers: string[]
}

export interface TerminalControl {
  list(): TerminalInfo[]
  get(deviceId: string): TerminalInfo
  /** A bad config (as `options.terminals` checks it) is a TillkitValidationError naming `config.…`. */
  add(config: TerminalConfig): TerminalInfo
  /** The terminal shows a new pairing code (returned); its old code stops working. */
  showPairingCode(deviceId: string): string
  /** Pin a scenario for the following transactions; `undefined` lets the cents decide again. */
  setScenario(deviceId: string, scenario: Scenario | undefined): void
  /** An offline terminal's new transactions end CANCELLED / FAILED-INTERFACE. */
  setOnline(deviceId: string, online: boolean): void
  /**
   * Unpairing done on the terminal (SmartConnect has no call for it): the registers paired with it
   * (only `registerId`, when given) are forgotten, and their starts refused until they pair again.
   * Returns the ids unpaired; a transaction already started runs on.
   */
  unpair(deviceId: string, registerId?: string): string[]
}

export interface RegisterControl {
  list(): Register[]
  get(registerId: string): Register | undefined
}

/** A transaction as the fake holds it. */
export interface TransactionInfo {
  transactionId: string
  type: TransactionType
  deviceId: string
  registerId: string
  scenario: Scenario
  /** Its own fields as received (amounts as digits). */
  fields: Record<string, string>
  createdAt: number
  tokenExpiresAt: number
  status: 'PENDING' | 'COMPLETED'
  /** What a poll would answer now (reading it here does not count as a poll). */
  body: object
}

export interface TransactionControl {
  list(): TransactionInfo[]
  get(transactionId: string): TransactionInfo
}

export interface FakeCloud {
  /** The whole API (pairing, transactions, polling URLs) on any host, Fetch-API style. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  /**
   * MSW handlers for {@link fetch}. Default base `https://*.smart-connect.cloud`. A base with a path
   * (`http://proxy.test/sc`) is a prefix taken off before the fake routes, and its polling URLs lead
   * back through it; it ends at the fake's own `/POS` (`https://…/POS` is no prefix).
   */
  handlers(baseUrl?: string): RequestHandler[]
  /** Every payment that reached the acquirer, in order, as of the clock's current time. */
  readonly ledger: readonly LedgerEntry[]
  readonly clock: Clock
  readonly faults: FakeFaults
  readonly terminals: TerminalControl
  readonly registers: RegisterControl
  readonly transactions: TransactionControl
}

/** Two online terminals; their pairing codes are made up by the fake (see `cloud.terminals`). */
export const DEFAULT_TERMINALS: readonly TerminalConfig[] = [
  { deviceId: 'VT000001' },
  { deviceId: 'VT000002' },
]

/**
 * A fake SmartConnect cloud. Options are checked first: a bad value or an unknown name throws a
 * `TillkitValidationError` naming it (`options.stepMs`, `options.terminals[1].deviceId`).
 */
export function createFakeCloud(options: FakeCloudOptions = {}): FakeCloud {
  checkOptions(options, OPTION_RULES)
  const clock = options.clock ?? systemClock
  const model = new SmartConnectModel(
    {
      stepMs: options.stepMs ?? 1_000,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 900_000,
      delayedMs: options.delayedMs ?? 20_000,
      terminalTimeoutMs: options.terminalTimeoutMs ?? 180_000,
      merchantId: options.merchant?.id ?? '10000001',
      merchantName: options.merchant?.name ?? 'TILLKIT TEST STORE',
    },
    options.terminals ?? DEFAULT_TERMINALS,
  )
  const faults = smartConnectFaults()
  const front = createHttpFrontEnd(model, {
    clock,
    minPollIntervalMs: options.minPollIntervalMs ?? 2_000,
  })
  // CORS outermost: an injected fault's answer carries the headers too.
  const serve = withCors(withSmartConnectFaults(front, faults, clock))
  const fetch = fakeFetch(serve)

  const terminalInfo = (deviceId: string): TerminalInfo => {
    model.advance(clock.now())
    const device = model.device(deviceId)
    return {
      deviceId,
      pairingCode: device.pairingCode,
      scenario: device.scenario,
      online: device.online,
      activeTransactionId: device.active?.id,
      registers: [...model.registers.values()]
        .filter((r) => r.deviceId === deviceId)
        .map((r) => r.id),
    }
  }
  const transactionInfo = (transactionId: string): TransactionInfo => {
    model.advance(clock.now())
    const t = model.transactions.get(transactionId)
    if (!t) throw new Error(`No transaction ${transactionId}`)
    return {
      transactionId: t.id,
      type: t.type,
      deviceId: t.device.deviceId,
      registerId: t.register.id,
      scenario: t.scenario,
      fields: { ...t.fields },
      createdAt: t.createdAt,
      tokenExpiresAt: model.tokenExpiresAt(t),
      status: t.status,
      body: model.body(t),
    }
  }

  return {
    fetch,
    handlers: (baseUrl) => mswHandlers(fetch, baseUrl),
    get ledger() {
      // Terminals run lazily: bring them up to now so the ledger is current.
      model.advance(clock.now())
      return model.ledger.entries
    },
    clock,
    faults: faultControl(faults),
    terminals: {
      list: () => [...model.devices.keys()].map(terminalInfo),
      get: terminalInfo,
      add(config) {
        exactFields(TERMINAL_RULES)('config', config, {})
        // A code another terminal shows is refused as options.terminals refuses it.
        const { pairingCode } = config
        const holder = [...model.devices.values()].find((d) => d.pairingCode === pairingCode)
        if (holder)
          throw new TillkitValidationError(
            'config.pairingCode',
            `is shown by terminal ${holder.deviceId} already`,
            JSON.stringify(pairingCode),
          )
        model.addDevice(config)
        return terminalInfo(config.deviceId)
      },
      showPairingCode: (deviceId) => model.issuePairingCode(deviceId),
      setScenario(deviceId, scenario) {
        model.device(deviceId).scenario = scenario
      },
      setOnline(deviceId, online) {
        model.device(deviceId).online = online
      },
      unpair: (deviceId, registerId) => model.unpair(deviceId, registerId),
    },
    registers: {
      list: () => [...model.registers.values()],
      get: (registerId) => model.registers.get(registerId),
    },
    transactions: {
      list: () => [...model.transactions.keys()].map(transactionInfo),
      get: transactionInfo,
    },
  }
}

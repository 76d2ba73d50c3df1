/**
 * `@tillkit/paymentsense/mock`: a fake Paymentsense Connect cloud for tests and demos.
 *
 * ```ts
 * const cloud = createFakeCloud({ clock: createManualClock() })
 * const response = await cloud.fetch(request)          // or setupServer(...cloud.handlers())
 * ```
 */
import { checkOptions, systemClock, type Clock } from '@tillkit/core'
import { fakeFetch, faultControl, type FakeFaults as CoreFakeFaults } from '@tillkit/core/fake'
import type { RequestHandler, WebSocketHandler } from 'msw'
import { tableControl, terminalControl, withVirtualScenario } from './control.js'
import type { TableControl, TerminalControl } from './control.js'
import type { SignatureTimeoutAction } from './domain/env.js'
import type { LedgerEntry } from './domain/ledger.js'
import { ConnectModel, type TerminalConfig } from './domain/model.js'
import { connectFaults, withConnectFaults, type Fault } from './faults.js'
import { createRestFrontEnd } from './http/rest.js'
import { mswHandlers } from './msw.js'
import { OPTION_RULES, createTables } from './options.js'
import { createSocketGateway, type SocketAcceptance, type SocketControl } from './socket/gateway.js'
import type { SocketPeer } from './socket/gateway.js'
import { createInProcessWebSocket, type InProcessWebSocketClass } from './socket/in-process.js'
import { VIRTUAL_TERMINAL_SCENARIOS } from './scenarios.js'
import type { TableCreation } from './types.js'

export type { TerminalConfig } from './domain/model.js'
export type { LedgerEntry, LedgerKind } from './domain/ledger.js'
export type { SignatureTimeoutAction, CloudEvent } from './domain/env.js'
export { Refusal, type RefusalKind } from './domain/errors.js'
export type { TablePaymentRequest, TablePaymentResult } from './domain/tables.js'
export type {
  TableVisitOutcome,
  TableVisitRequest,
  FinalReceipt,
  Unanswered,
  PatQuestion,
} from './domain/visits.js'
export type {
  TerminalControl,
  TerminalInfo,
  TableControl,
  TablePaymentOptions,
  PatReportSummary,
} from './control.js'
export type {
  Fault,
  FaultMatch,
  HttpFault,
  LatencyFault,
  StatusFault,
  LostResponseFault,
  SocketFault,
  DropConnectionFault,
  DuplicateNotificationsFault,
  ReorderNotificationsFault,
  MissingPingsFault,
  SlowPingsFault,
} from './faults.js'
export type { SocketAcceptance, SocketControl, SocketLink, SocketPeer } from './socket/gateway.js'
export { DISCONTINUED } from './socket/gateway.js'
export { SocketCloseEvent, type InProcessWebSocketClass } from './socket/in-process.js'
export {
  SCENARIOS,
  SCENARIO_BY_PENCE,
  VIRTUAL_TERMINAL_SCENARIOS,
  chooseScenario,
  type Scenario,
} from './scenarios.js'
export { CARD_TIMEOUT_MS, SLOW_CARD_MS, OFFLINE_MS } from './domain/scripts.js'
export { REPORT_TIMEOUT_MS } from './domain/report.js'
export { PAT_REPORT_WINDOW_MS } from './domain/tables.js'
export { DEFAULT_BASE_URL } from './msw.js'
export type * from './types.js'

export interface FakeCloudOptions {
  /** Accepted Basic-auth passwords (any username). Default `['test-api-key']`. */
  apiKeys?: readonly string[]
  /** Terminals of the account. Default: {@link DEFAULT_TERMINALS}. */
  terminals?: readonly TerminalConfig[]
  /** Tables present from the start (pay at table). */
  tables?: readonly TableCreation[]
  /** Default `systemClock`; pass a manual clock in tests. */
  clock?: Clock
  /** Time per terminal step. Default 400 ms, so a demo shows live progress. */
  stepMs?: number
  /** Minimum gap between two requests of one account; closer ones get 429. 0 disables. Default 100. */
  requestSpacingMs?: number
  /**
   * Hours a finished transaction or report stays readable, counted from when it finished; then it
   * answers 404. A run in progress is always found. Default 24; fractions allowed.
   */
  retentionHours?: number
  /** How long the terminal waits for a signature decision. Default 80 000. */
  signatureTimeoutMs?: number
  /** What the terminal does when the decision never comes (unverified). Default `'void'`. */
  signatureTimeout?: SignatureTimeoutAction
  /**
   * How long Connect waits on the WebSocket API for the EPoS's signature decision before
   * accepting for it. Default: the terminal's window less one second.
   */
  socketSignatureTimeoutMs?: number
  /** Protocol pings to each WebSocket peer that can take them; 0 turns them off. Default 30 000. */
  pingIntervalMs?: number
}

/** `cloud.faults`: arm, disarm and list faults. */
export type FakeFaults = CoreFakeFaults<Fault>

export interface FakeCloud {
  /** The whole REST surface (pay at counter v2, pay at table v1) on any host, Fetch-API style. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  /**
   * MSW handlers: HTTP through {@link fetch}, and the WebSocket API at the same base with a `ws`
   * scheme. Default base `https://*.connect.paymentsense.cloud`. A base with a path
   * (`http://proxy.test/connect`) is a prefix taken off before the cloud routes, and its links lead
   * back through it.
   */
  handlers(baseUrl?: string): Array<RequestHandler | WebSocketHandler>
  /**
   * A WebSocket class (the browser API, plus `ws`'s `on('ping')`) connected in-process to this
   * cloud: pass it to the WebSocket client as its `WebSocket`, like {@link fetch} for REST.
   */
  readonly WebSocket: InProcessWebSocketClass
  /**
   * The WebSocket handshake (`wss://…/pac|pat?token=…`) for transport adapters: a refusal with an
   * HTTP status, or a link to feed frames into. Used by MSW, the `ws` server and `WebSocket`.
   */
  acceptSocket(url: string | URL, peer: SocketPeer): SocketAcceptance
  readonly sockets: SocketControl
  /** Every request that reached the acquirer, in order, as of the clock's current time. */
  readonly ledger: readonly LedgerEntry[]
  readonly clock: Clock
  readonly faults: FakeFaults
  readonly terminals: TerminalControl
  readonly tables: TableControl
}

/** Two ordinary GBP terminals, one EUR terminal and the six virtual test TIDs. */
export const DEFAULT_TERMINALS: readonly TerminalConfig[] = [
  { tid: '22160001', currency: 'GBP' },
  { tid: '22160002', currency: 'GBP' },
  { tid: '22160003', currency: 'EUR' },
  ...Object.keys(VIRTUAL_TERMINAL_SCENARIOS).map((tid) => ({ tid, currency: 'GBP' as const })),
]

/**
 * A fake Connect cloud. Options are checked first: a bad value or an unknown name throws a
 * `TillkitValidationError` naming it (`options.retentionHours`, `options.terminals[1].tid`).
 */
export function createFakeCloud(options: FakeCloudOptions = {}): FakeCloud {
  checkOptions(options, OPTION_RULES)
  const clock = options.clock ?? systemClock
  const model = new ConnectModel(
    {
      stepMs: options.stepMs ?? 400,
      signatureTimeoutMs: options.signatureTimeoutMs ?? 80_000,
      signatureTimeout: options.signatureTimeout ?? 'void',
      retentionMs: (options.retentionHours ?? 24) * 3_600_000,
    },
    (options.terminals ?? DEFAULT_TERMINALS).map(withVirtualScenario),
  )
  createTables(model, options.tables ?? [])

  const faults = connectFaults()
  const rest = createRestFrontEnd(model, {
    apiKeys: options.apiKeys ?? ['test-api-key'],
    clock,
    requestSpacingMs: options.requestSpacingMs ?? 100,
  })
  const serve = withConnectFaults(rest, faults, clock)
  const fetch = fakeFetch(serve)
  const gateway = createSocketGateway(model, {
    apiKeys: options.apiKeys ?? ['test-api-key'],
    clock,
    faults,
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
    ...(options.socketSignatureTimeoutMs !== undefined && {
      signatureTimeoutMs: options.socketSignatureTimeoutMs,
    }),
  })

  return {
    fetch,
    handlers: (baseUrl) => mswHandlers(fetch, gateway.accept, baseUrl),
    WebSocket: createInProcessWebSocket(gateway),
    acceptSocket: gateway.accept,
    sockets: gateway.control,
    get ledger() {
      // Terminals run lazily: bring them all up to now so the ledger is current.
      model.allTerminals(clock.now())
      return model.ledger.entries
    },
    clock,
    faults: faultControl(faults),
    terminals: terminalControl(model, clock),
    tables: tableControl(model, clock),
  }
}

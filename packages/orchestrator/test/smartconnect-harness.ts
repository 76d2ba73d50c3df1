import { createHash } from 'node:crypto'
import { createManualClock, type ManualClock } from '@tillkit/core'
import { createSmartConnectClient, type RegisterOptions } from '@tillkit/smartconnect'
import {
  createFakeCloud,
  type FakeCloud,
  type FakeCloudOptions,
  type TerminalConfig,
} from '@tillkit/smartconnect/mock'
import {
  createOrchestrator,
  type JournalStore,
  type Orchestrator,
  type OrchestratorOptions,
} from '../src/index.js'
import { smartconnectAdapter, type SmartConnectAdapterOptions } from '../src/smartconnect.js'
import { recordingLogger, requestsFor, watchedFetch, type LogLine, type Seen } from './harness.js'

export const ACCOUNT = 'store'
export const TID = 'VT000001'
export const OTHER = 'VT000002'

/** A request as the fake saw it (through the adapter's fetch); `at` counts from the setup. */
export type { Seen } from './harness.js'

export interface ScSetup {
  clock: ManualClock
  cloud: FakeCloud
  /** Every request that reached the adapter's fetch, in order (pairing excluded). */
  seen: Seen[]
  logs: LogLine[]
  orchestrator: Orchestrator
  /** A fresh orchestrator on the same cloud, clock and (given) journal, as after a restart. */
  restart(journal: JournalStore, options?: Partial<OrchestratorOptions>): Orchestrator
  /** Polls (GETs) of one payment's transaction, by transaction id. */
  polls(transactionId: string): Seen[]
}

/** The POSRegisterID (a UUID) of a terminal's register: hashed from its name, the same every run. */
const registerId = (terminal: string): string => {
  const hex = createHash('sha256').update(`register-${terminal}`).digest('hex')
  return hex.slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
}

export const registerFor = (terminal: string): RegisterOptions => ({
  id: registerId(terminal),
  name: `Till ${terminal}`,
  businessName: 'Corner Toys',
  vendorName: 'ToyPOS',
})

/**
 * A fake SmartConnect cloud on a manual clock with each terminal paired to its own register (done
 * with the typed client, as a POS would), and an orchestrator with one SmartConnect account.
 */
export async function setup(
  options: {
    cloud?: FakeCloudOptions
    adapter?: Partial<SmartConnectAdapterOptions>
    orchestrator?: Partial<OrchestratorOptions>
    /** Terminals left unpaired. */
    unpaired?: string[]
  } = {},
): Promise<ScSetup> {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, ...options.cloud })
  const configs: readonly TerminalConfig[] = options.cloud?.terminals ?? cloud.terminals.list()
  for (const { deviceId } of configs) {
    if (options.unpaired?.includes(deviceId)) continue
    const pos = createSmartConnectClient({
      environment: 'dev',
      register: registerFor(deviceId),
      fetch: cloud.fetch,
      clock,
    })
    await pos.pair(cloud.terminals.get(deviceId).pairingCode)
  }
  const t0 = clock.now()
  const seen: Seen[] = []
  const fetch = watchedFetch(clock, seen, (request) => cloud.fetch(request), t0)
  const { logger, logs } = recordingLogger()
  const make = (more: Partial<OrchestratorOptions> = {}) =>
    createOrchestrator({
      accounts: {
        [ACCOUNT]: smartconnectAdapter({
          environment: 'dev',
          currency: 'NZD',
          terminals: configs.map((t) => ({
            terminal: t.deviceId,
            register: registerFor(t.deviceId),
          })),
          fetch,
          ...options.adapter,
        }),
      },
      clock,
      logger,
      ...options.orchestrator,
      ...more,
    })
  return {
    clock,
    cloud,
    seen,
    logs,
    orchestrator: make(),
    restart: (journal, more) => make({ journal, ...more }),
    polls: (transactionId) =>
      seen.filter((r) => r.method === 'GET' && r.path.endsWith(`/${transactionId}`)),
  }
}

export const sale = requestsFor(ACCOUNT, TID, 'NZD')

/** The access token inside a journaled polling URL. */
export const tokenOf = (pollingUrl: string | undefined): string => {
  const token = pollingUrl && new URL(pollingUrl).searchParams.get('merchantAccessToken')
  if (!token) throw new Error('no token in the polling URL')
  return token
}

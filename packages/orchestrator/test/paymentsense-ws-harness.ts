import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '@tillkit/paymentsense/mock'
import {
  createOrchestrator,
  type JournalRecord,
  type JournalStore,
  type Orchestrator,
  type OrchestratorOptions,
} from '../src/index.js'
import {
  paymentsenseWebSocketAdapter,
  type PaymentsenseWebSocketAdapterOptions,
} from '../src/paymentsense.js'
import { ACCOUNT, recordingJournal, recordingLogger, type LogLine } from './harness.js'

export { ACCOUNT, collect, drive, flush, pass, sale, TID } from './harness.js'

/** A key no other test uses, so that finding it anywhere is a leak. */
export const KEY = 'ws-key-5c1f9e0d-not-for-logs'

/** What went over the in-process sockets, as the adapter's WebSocket saw it. */
export interface Wire {
  urls: string[]
  /** Frames the adapter sent, parsed. */
  sent: Array<{ method?: string; id?: number; params?: Record<string, unknown>; result?: unknown }>
  /** Frames the adapter received, raw. */
  received: string[]
}

export interface WsSetup {
  clock: ManualClock
  cloud: FakeCloud
  wire: Wire
  journal: JournalStore
  /** Every journal record appended, in order. */
  records: JournalRecord[]
  /** Every log line, as the orchestrator's logger got it. */
  logs: LogLine[]
  orchestrator: Orchestrator
  /** A fresh orchestrator with a fresh adapter on the same cloud, clock and journal (a restart). */
  restart(options?: Partial<OrchestratorOptions>): Orchestrator
  /** Payment methods the adapter sent (sale, refund...), in order. */
  payments(): string[]
}

const PAYMENT_METHODS = ['sale', 'refund', 'preAuth', 'completion', 'accountVerification']

export function setup(
  options: {
    cloud?: FakeCloudOptions
    adapter?: Partial<PaymentsenseWebSocketAdapterOptions>
    orchestrator?: Partial<OrchestratorOptions>
    /** Frames from the fake that the adapter never sees (as if Connect did not send them). */
    hide?: (frame: string) => boolean
    /** Frames the adapter's socket refuses to send (its `send` throws). */
    refuseSend?: (frame: string) => boolean
  } = {},
): WsSetup {
  const hide = options.hide ?? (() => false)
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, apiKeys: [KEY], ...options.cloud })
  const wire: Wire = { urls: [], sent: [], received: [] }
  const Base = cloud.WebSocket
  // The fake's own WebSocket class, watched.
  class Watched extends Base {
    constructor(url: string | URL) {
      super(url)
      wire.urls.push(String(url))
      this.addEventListener('message', (event) => {
        wire.received.push(String((event as MessageEvent).data))
      })
    }
    override addEventListener(type: string, listener: (event: any) => void): void {
      if (type !== 'message') return super.addEventListener(type, listener)
      super.addEventListener(type, (event) => {
        if (!hide(String((event as MessageEvent).data))) listener(event)
      })
    }
    override send(data: string): void {
      if (options.refuseSend?.(data)) throw new Error('the socket refused the frame')
      wire.sent.push(JSON.parse(data) as Wire['sent'][number])
      super.send(data)
    }
  }
  const { journal, records } = recordingJournal()
  const { logger, logs } = recordingLogger()
  const make = (more: Partial<OrchestratorOptions> = {}) =>
    createOrchestrator({
      accounts: {
        [ACCOUNT]: paymentsenseWebSocketAdapter({
          account: 'acme',
          environment: 'test',
          apiKey: KEY,
          softwareHouseId: 'SWH',
          installerId: 'INST',
          WebSocket: Watched,
          random: () => 0.5,
          ...options.adapter,
        }),
      },
      clock,
      journal,
      logger,
      ...options.orchestrator,
      ...more,
    })
  return {
    clock,
    cloud,
    wire,
    journal,
    records,
    logs,
    orchestrator: make(),
    restart: (more) => make(more),
    payments: () =>
      wire.sent.flatMap((m) => (m.method && PAYMENT_METHODS.includes(m.method) ? [m.method] : [])),
  }
}

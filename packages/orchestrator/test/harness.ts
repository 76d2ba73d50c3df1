import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '@tillkit/paymentsense/mock'
import {
  createOrchestrator,
  paymentsenseAdapter,
  type DispatchInfo,
  type JournalStore,
  type Orchestrator,
  type OrchestratorOptions,
  type PaymentEvent,
  type PaymentsenseAdapterOptions,
} from '../src/index.js'

/** Lets in-process requests (the fake's fetch, journal writes) finish without moving the clock. */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Advances the clock in small steps until `promise` settles (or `limitMs` of clock time passes). */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  limitMs = 600_000,
  stepMs = 50,
): Promise<T> {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  await flush()
  for (let spent = 0; !done && spent < limitMs; spent += stepMs) {
    await clock.advance(stepMs)
    await flush()
  }
  if (!done) throw new Error(`still pending after ${limitMs} ms of clock time`)
  return promise
}

/** Moves the clock on by `ms` in steps, letting requests complete at each step. */
export async function pass(clock: ManualClock, ms: number, stepMs = 50): Promise<void> {
  for (let spent = 0; spent < ms; spent += stepMs) {
    await clock.advance(Math.min(stepMs, ms - spent))
    await flush()
  }
}

/** Collects a payment's events as they are delivered. */
export function collect(events: AsyncIterable<PaymentEvent>): {
  list: PaymentEvent[]
  done: Promise<PaymentEvent[]>
} {
  const list: PaymentEvent[] = []
  const done = (async () => {
    for await (const event of events) list.push(event)
    return list
  })()
  return { list, done }
}

export const TID = '22160001'
export const ACCOUNT = 'shop'

/** A request as the fake saw it (through the adapter's fetch). */
export interface Seen {
  method: string
  path: string
  at: number
  /** undefined when the response was lost. */
  status?: number
}

export interface Setup {
  clock: ManualClock
  cloud: FakeCloud
  /** Every request that reached the fake, in order. */
  seen: Seen[]
  orchestrator: Orchestrator
  dispatched: DispatchInfo[]
  /** A fresh orchestrator on the same cloud, clock and (given) journal, as after a restart. */
  restart(journal: JournalStore, options?: Partial<OrchestratorOptions>): Orchestrator
}

export function setup(
  options: {
    cloud?: FakeCloudOptions
    adapter?: Partial<PaymentsenseAdapterOptions>
    orchestrator?: Partial<OrchestratorOptions>
  } = {},
): Setup {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, ...options.cloud })
  const dispatched: DispatchInfo[] = []
  const seen: Seen[] = []
  const fetch = async (request: Request) => {
    const entry: Seen = {
      method: request.method,
      path: new URL(request.url).pathname,
      at: clock.now(),
    }
    seen.push(entry)
    const response = await cloud.fetch(request)
    entry.status = response.status
    return response
  }
  const make = (more: Partial<OrchestratorOptions> = {}) =>
    createOrchestrator({
      accounts: {
        [ACCOUNT]: paymentsenseAdapter({
          account: 'acme',
          environment: 'test',
          apiKey: 'test-api-key',
          softwareHouseId: 'SWH',
          installerId: 'INST',
          fetch,
          ...options.adapter,
        }),
      },
      clock,
      onDispatch: (info) => dispatched.push(info),
      ...options.orchestrator,
      ...more,
    })
  return {
    clock,
    cloud,
    seen,
    orchestrator: make(),
    dispatched,
    restart: (journal, more) => make({ journal, ...more }),
  }
}

export const sale = (amount: number, more: Record<string, unknown> = {}) => ({
  account: ACCOUNT,
  terminal: TID,
  amount,
  currency: 'GBP',
  reference: `order-${amount}`,
  ...more,
})

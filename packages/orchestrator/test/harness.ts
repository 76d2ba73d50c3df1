import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createManualClock, type Clock, type Logger, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '@tillkit/paymentsense/mock'
import { afterEach, expect } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  TillkitAbortedError,
  type DispatchInfo,
  type JournalRecord,
  type JournalStore,
  type Payment,
  type Orchestrator,
  type OrchestratorOptions,
  type PaymentEvent,
  type AmountInput,
  type ProviderAdapter,
} from '../src/index.js'
import { paymentsenseAdapter, type PaymentsenseAdapterOptions } from '../src/paymentsense.js'

/** Whether a file request (a file journal's write, sync or close) is in flight in this process. */
const fileBusy = () =>
  process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq') || r === 'CloseReq')

/**
 * Lets in-process requests (the fake's fetch, journal writes) finish without moving the clock.
 * A file journal's syncs take real time, and a busy machine can stall one for longer than a whole
 * `drive` takes: so the manual clock waits for file requests in flight (up to 10 s), as a real
 * clock would go on only while they work.
 */
export async function flush(turns = 5): Promise<void> {
  for (let waited = 0; ; waited++) {
    for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
    if (!fileBusy() || waited >= 10_000) return
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/**
 * Waits in real time until `done()` holds (at most ~10 s): for what a manual clock does not wait
 * for, such as a file journal's syncs before a start request leaves.
 */
export async function settles(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
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

/**
 * A fetch that notes every request in `seen` (clock time counted from `since`) before `answer`
 * gives its response, and the response's status after. `answer` may add to the entry.
 */
export function watchedFetch<S extends Seen>(
  clock: Pick<Clock, 'now'>,
  seen: S[],
  answer: (request: Request, entry: S) => Promise<Response>,
  since = 0,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const entry = {
      method: request.method,
      path: new URL(request.url).pathname,
      at: clock.now() - since,
    } as S
    seen.push(entry)
    const response = await answer(request, entry)
    entry.status = response.status
    return response
  }
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

/** Journal records for store tests: the intent of a sale of 1.00 on shop/T1, and its approval. */
export const intentRecord = (paymentId: string, provider = 'stub'): JournalRecord => ({
  type: 'intent',
  paymentId,
  at: 1,
  provider,
  request: {
    kind: 'sale',
    account: 'shop',
    terminal: 'T1',
    amount: 100,
    currency: 'GBP',
    reference: paymentId,
  },
  ids: {},
})
export const outcomeRecord = (paymentId: string, provider = 'stub'): JournalRecord => ({
  type: 'outcome',
  paymentId,
  at: 2,
  outcome: {
    status: 'approved',
    paymentId,
    provider,
    account: 'shop',
    terminal: 'T1',
    kind: 'sale',
    reference: paymentId,
    currency: 'GBP',
    amounts: { requested: 100 },
    providerIds: {},
    at: 2,
  },
})

export function setup(
  options: {
    cloud?: FakeCloudOptions
    adapter?: Partial<PaymentsenseAdapterOptions>
    orchestrator?: Partial<OrchestratorOptions>
    /** Between the adapter and the fake: what the network does to a request (`next` reaches the fake). */
    wire?: (request: Request, next: (request: Request) => Promise<Response>) => Promise<Response>
    /**
     * The fake and `seen` keep the clock's steady time, so `clock.step` moves the POS's wall clock
     * only: the provider's clock is not the POS's.
     */
    steadyProvider?: boolean
  } = {},
): Setup {
  const clock = createManualClock()
  const providerClock: Clock = options.steadyProvider
    ? { ...clock, now: () => clock.monotonic() }
    : clock
  const cloud = createFakeCloud({ clock: providerClock, ...options.cloud })
  const dispatched: DispatchInfo[] = []
  const seen: Seen[] = []
  const watched = watchedFetch(providerClock, seen, (request) => cloud.fetch(request))
  const { wire } = options
  const fetch = wire ? (request: Request) => wire(request, watched) : watched
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

/**
 * Makes payment requests for one account, terminal and currency, each referenced by its amount.
 * `more` may hold anything, so validation tests can send what the types would refuse.
 */
export const requestsFor =
  (account: string, terminal: string, currency: string) =>
  (amount: number, more: Record<string, unknown> = {}): AmountInput => ({
    account,
    terminal,
    amount,
    currency,
    reference: `order-${amount}`,
    ...more,
  })

export const sale = requestsFor(ACCOUNT, TID, 'GBP')

/** One call to a logger, as the logger received it. */
export interface LogLine {
  level: string
  obj: object
  msg?: string
}

/** A logger that keeps every line it is given, to look for secrets in or count. */
export function recordingLogger(): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = []
  const line =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj, ...(msg !== undefined && { msg }) })
    }
  return {
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    logs,
  }
}

/** A memory journal that also keeps every payment record appended, in order. */
export function recordingJournal(): { journal: JournalStore; records: JournalRecord[] } {
  const memory = createMemoryJournal()
  const records: JournalRecord[] = []
  return {
    journal: {
      ...memory,
      append: async (record) => {
        records.push(record)
        return memory.append(record)
      },
    },
    records,
  }
}

/**
 * A memory journal that refuses the payment records `refuses` picks (asked before each append), as
 * a full disk would. `memory` is what it holds.
 */
export function refusingJournal(
  refuses: (record: JournalRecord) => boolean,
  error = 'ENOSPC: no space left on device',
): { memory: JournalStore; journal: JournalStore } {
  const memory = createMemoryJournal()
  const journal: JournalStore = {
    ...memory,
    append: async (record) => {
      if (refuses(record)) throw new Error(error)
      return memory.append(record)
    },
  }
  return { memory, journal }
}

/**
 * Paths for journal files in fresh temporary folders, removed after each test. Call it at a test
 * file's top level: it registers the cleanup there.
 */
export function tempJournals(prefix: string): () => Promise<string> {
  const dirs: string[] = []
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    dirs.push(dir)
    return join(dir, 'journal.jsonl')
  }
}

/**
 * Lets `ms` of clock time pass on a started payment, then drops the orchestrator as a crash would
 * (after `beforeDrop`, if given): the payment's outcome is an abort. Gives the events delivered
 * before the drop.
 */
export async function crashAfter(
  s: { clock: ManualClock; orchestrator: Orchestrator },
  payment: Payment,
  ms: number,
  beforeDrop?: () => Promise<void>,
): Promise<PaymentEvent[]> {
  const before = collect(payment)
  await pass(s.clock, ms)
  await beforeDrop?.()
  await s.orchestrator.close()
  expect(await payment.outcome.catch((e: unknown) => e)).toBeInstanceOf(TillkitAbortedError)
  return before.done
}

/** A sale on the account and terminal the stub adapter's tests use. */
export const stubSale = {
  account: 'shop',
  terminal: 'T1',
  amount: 1500,
  currency: 'GBP',
  reference: 'order-1500',
}

/** A provider made of the test's own functions: the core's behaviour, with no fake cloud in the way. */
export function stubAdapter(
  overrides: Partial<ProviderAdapter> = {},
): ProviderAdapter & { calls: string[] } {
  const calls: string[] = []
  const base: ProviderAdapter = {
    provider: 'stub',
    capabilities: {
      kinds: ['sale', 'refund'],
      cancel: true,
      signature: 'pos',
      findsLostStarts: false,
    },
    pacing: {
      mode: 'interval',
      cadenceMs: 1_000,
      cadenceRangeMs: [500, 5_000],
      spacingMs: 0,
      retentionMs: 60_000,
      signatureWindowMs: 30_000,
    },
    validate: () => {},
    start: async () => ({ ids: { ref: 'r1' } }),
    poll: async () => ({}),
    cancel: async () => 'requested',
    answerSignature: async () => {},
    listTerminals: async () => [],
    terminalStatus: async (terminal) => ({ terminal, status: 'unknown' }),
    reconcile: (_ctx, situation) => [`check the stub (${situation})`],
  }
  const adapter = { ...base, ...overrides, calls }
  for (const name of ['start', 'poll', 'cancel', 'answerSignature'] as const) {
    const fn = adapter[name] as ((...args: unknown[]) => unknown) | undefined
    if (fn)
      (adapter as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls.push(name)
        return fn(...args)
      }
  }
  return adapter
}

/** A seeded random source (mulberry32), for fault runs a seed can replay. */
export interface Rng {
  (): number
  /** An integer from `lo` to `hi`, both included. */
  int(lo: number, hi: number): number
  pick<T>(list: readonly T[]): T
  chance(p: number): boolean
}

export function seeded(seed: number): Rng {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const rng = (() => next()) as Rng
  rng.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1))
  rng.pick = (list) => list[Math.floor(next() * list.length)]!
  rng.chance = (p) => next() < p
  return rng
}

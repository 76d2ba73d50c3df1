/**
 * Seeded fault runs over every provider's fake cloud (issue 7, "Proof"): many payments with random
 * scenario endings, random faults from each fake's `faults` API (lost answers, 5xx, 429 with
 * Retry-After, latency; dropped sockets, duplicated and reordered notifications where there are
 * notifications), random cancels and signature decisions, and random crashes (the process dies: it
 * sends, reads and journals nothing more) followed by a restart on the same journal and
 * `recover()`. Everything runs on a manual clock driven from timer to timer; a seed replays exactly.
 *
 * Checked against the fake's ledger for every payment: charged at most once; `approved` is exactly
 * one charge of the amount the outcome says; `declined`, `failed`, `cancelled` are no charge; every
 * payment started ends with a journaled outcome within a bounded clock time; every outcome told to
 * the POS is the journaled one; an `unknown` carries honest reconciliation facts; in every event
 * stream `seq` strictly increases, a `seq` is never given to two different events across
 * processes, and nothing the journal says was taken comes again after `recover()`.
 */
import type { ManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  type JournalRecord,
  type JournalStore,
  type Orchestrator,
  type OrchestratorOptions,
  type Outcome,
  type Payment,
  type PaymentEvent,
  type AmountInput,
  type SignatureRequiredEvent,
} from '../src/index.js'
import type { PaymentsenseWebSocketAdapterOptions } from '../src/paymentsense.js'
import {
  drive,
  flush,
  pass,
  refusingJournal,
  seeded,
  setup as connectSetup,
  type Rng,
} from './harness.js'
import {
  pay as adyenPay,
  POI,
  POI_2,
  setupAdyen,
  ACCOUNT as ADYEN_ACCOUNT,
} from './adyen-harness.js'
import { dyingAppend, fetchLine, never } from './crash-harness.js'
import {
  payment as payrocPayment,
  payrocSetup,
  requests,
  SUBMIT,
  ACCOUNT as PAYROC_ACCOUNT,
} from './payroc-harness.js'
import { setup as scSetup, ACCOUNT as SC_ACCOUNT } from './smartconnect-harness.js'
import { setup as wsSetup } from './paymentsense-ws-harness.js'

// ---- a process that can die -------------------------------------------------------------------

type Fetch = (...args: any[]) => Promise<Response>

/** One process's life: once dead it sends nothing, reads no answers, journals nothing. */
class Life {
  dead = false
}

function dyingFetch(life: Life, send: Fetch): Fetch {
  return async (...args) => {
    if (life.dead) return never()
    try {
      const response = await send(...args)
      return life.dead ? never() : response
    } catch (error) {
      if (life.dead) return never()
      throw error
    }
  }
}

/** The adapters' fetch: it goes through the line of whichever process runs now (`wire`). */
function processLine() {
  let line: Fetch = never
  return {
    fetch: ((...args) => line(...args)) as Fetch,
    wire(life: Life, send: Fetch) {
      line = dyingFetch(life, send)
    },
  }
}

type WebSocketClass = NonNullable<PaymentsenseWebSocketAdapterOptions['WebSocket']>

function dyingSocketClass(life: Life, Inner: () => WebSocketClass): WebSocketClass {
  class DyingSocket {
    readonly #inner: InstanceType<WebSocketClass> | undefined
    constructor(url: string) {
      if (!life.dead) this.#inner = new (Inner())(url)
    }
    get readyState(): number {
      return this.#inner?.readyState ?? 0
    }
    send(data: string): void {
      if (!life.dead) this.#inner!.send(data)
    }
    close(code?: number, reason?: string): void {
      if (!life.dead) this.#inner?.close(code, reason)
    }
    addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (e: any) => void) {
      this.#inner?.addEventListener(type, (event: unknown) => {
        if (!life.dead) listener(event)
      })
    }
    on(event: 'ping', listener: () => void): this {
      this.#inner?.on?.(event, () => {
        if (!life.dead) listener()
      })
      return this
    }
  }
  return DyingSocket as unknown as WebSocketClass
}

// ---- providers --------------------------------------------------------------------------------

/** What the acquirer saw of one payment: entries reaching it, net charges, the amount charged. */
interface Charged {
  entries: number
  charges: number
  amount?: number
}

interface PaymentFacts {
  id?: string
  amount: number
  reference: string
  terminal: string
  /** Journaled provider ids (Adyen's serviceId). */
  ids: Record<string, string>
}

interface World {
  clock: ManualClock
  /** A new process (orchestrator) living by `life`, on `journal`. */
  spawn(life: Life, journal: JournalStore, options: Partial<OrchestratorOptions>): Orchestrator
  /** What else of a dead process stops (its sockets, its webhooks). */
  died(): void
  /** Arms one random fault; returns its description. */
  fault(rng: Rng): string
  charged(p: PaymentFacts): Charged
  /** Ledger entries no payment of the run accounts for. */
  orphans(all: PaymentFacts[]): unknown[]
}

interface Provider {
  name: string
  terminals: string[]
  currency: string
  account: string
  /** Scenario endings from the fake's README table. */
  endings: number[]
  /** Clock time a payment may take, worst case under the faults here (README timings). */
  boundMs: number
  make(rng: Rng): Promise<World>
  extra?(ending: number, rng: Rng): Record<string, unknown> | undefined
  seeds: number[]
  payments: [number, number]
  /**
   * README, recovery rules: why this `unknown` should not be (undefined when the README allows it
   * here). `started`: the journal had the provider's id from the start's answer.
   */
  unknownWrong(outcome: Outcome, started: boolean, ending: number): string | undefined
  /** Whether to refuse journal records for a while (a full disk). Default true. */
  journalFaults?: boolean
}

const httpFault = (rng: Rng, methods: string[], paths: RegExp[] = []) => {
  const match: { method?: string; path?: RegExp } = {}
  if (rng.chance(0.7)) match.method = rng.pick(methods)
  if (paths.length && rng.chance(0.3)) match.path = rng.pick(paths)
  const times = rng.int(1, 3)
  const roll = rng()
  if (roll < 0.3) return { kind: 'lostResponse' as const, mode: 'reset' as const, match, times }
  if (roll < 0.4) return { kind: 'lostResponse' as const, mode: 'hang' as const, match, times: 1 }
  if (roll < 0.6)
    return { kind: 'status' as const, status: rng.pick([500, 502, 503, 504]), match, times }
  if (roll < 0.8)
    return {
      kind: 'status' as const,
      status: 429,
      retryAfter: rng.int(1, 8),
      match,
      times: rng.int(1, 6),
    }
  return { kind: 'latency' as const, ms: rng.int(100, 4_000), match, times }
}

/** Connect's ledger checks, REST and WebSocket alike: a payment's charges, and sales nobody asked for. */
const connectChecks = (
  ledger: ReadonlyArray<{ kind: string; result: string; amount: number; requestId: string }>,
) => ({
  charged: (p: PaymentFacts) => connectLedger(ledger, p),
  orphans: (all: readonly PaymentFacts[]) =>
    ledger.filter((e) => e.kind === 'sale' && !all.some((p) => p.amount === e.amount)),
})

const connectLedger = (
  ledger: ReadonlyArray<{ kind: string; result: string; amount: number; requestId: string }>,
  p: PaymentFacts,
): Charged => {
  const sales = ledger.filter((e) => e.kind === 'sale' && e.amount === p.amount)
  const ok = sales.filter((e) => e.result === 'SUCCESSFUL')
  const reversed = ledger.filter(
    (e) =>
      e.kind === 'reversal' &&
      e.result === 'SUCCESSFUL' &&
      ok.some((s) => s.requestId === e.requestId),
  )
  return {
    entries: sales.length,
    charges: ok.length - reversed.length,
    ...(ok.length - reversed.length === 1 && { amount: ok[0]!.amount }),
  }
}

const CONNECT_TERMINALS = ['T1', 'T2', 'T3', 'T4']

const PROVIDERS: Provider[] = [
  {
    name: 'paymentsense rest',
    terminals: CONNECT_TERMINALS,
    currency: 'GBP',
    account: 'shop',
    endings: [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 9, 10, 50],
    boundMs: 20 * 60_000,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    payments: [6, 12],
    // Connect REST: unknown only for a start that never answered (retention is 24 h; no faults here
    // refuse polls for good).
    unknownWrong: (outcome, started) =>
      outcome.reasonCode !== 'lost-start'
        ? 'only lost-start is possible here'
        : started || outcome.providerIds.requestId
          ? 'lost-start, yet the requestId was known'
          : undefined,
    async make(rng) {
      const line = processLine()
      const s = connectSetup({
        cloud: { terminals: CONNECT_TERMINALS.map((tid) => ({ tid, currency: 'GBP' as const })) },
        adapter: {
          fetch: line.fetch,
          ...(rng.chance(0.5) && { timeoutMs: rng.int(3_000, 15_000) }),
        },
      })
      // The harness's first orchestrator is never used.
      await s.orchestrator.close()
      return {
        clock: s.clock,
        spawn(life, journal, options) {
          line.wire(life, (request: Request) => s.cloud.fetch(request))
          return s.restart(journal, options)
        },
        died() {},
        fault(rng) {
          const f = httpFault(rng, ['POST', 'GET', 'DELETE', 'PUT'], [/transactions$/])
          s.cloud.faults.add(f)
          return JSON.stringify(f)
        },
        ...connectChecks(s.cloud.ledger),
      }
    },
  },
  {
    name: 'paymentsense websocket',
    terminals: CONNECT_TERMINALS,
    currency: 'GBP',
    account: 'shop',
    endings: [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 9, 10, 50],
    boundMs: 20 * 60_000,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    payments: [5, 10],
    // WebSocket: a payment whose answer will not come is unknown (lost-start), whatever the cause.
    unknownWrong: (outcome) =>
      outcome.reasonCode === 'lost-start' ? undefined : 'only lost-start is possible here',
    async make() {
      let socket: WebSocketClass | undefined
      const s = wsSetup({
        cloud: { terminals: CONNECT_TERMINALS.map((tid) => ({ tid, currency: 'GBP' as const })) },
        adapter: {
          get WebSocket() {
            return socket ?? dyingSocketClass(new Life(), () => s.cloud.WebSocket)
          },
        },
      })
      await s.orchestrator.close()
      return {
        clock: s.clock,
        spawn(life, journal, options) {
          socket = dyingSocketClass(life, () => s.cloud.WebSocket)
          return s.restart({ journal, ...options })
        },
        died() {
          // The process is gone: its connection ends (no close frame).
          s.cloud.sockets.drop('pac')
        },
        fault(rng) {
          const roll = rng()
          let f: any
          if (roll < 0.3)
            f = {
              kind: 'dropConnection',
              times: 1,
              ...(rng.chance(0.6) && {
                notification: rng.pick([
                  'TRANSACTION_STARTED',
                  'INSERT_CARD',
                  'PIN_ENTRY',
                  'REQUEST_SENT',
                  'APPROVED',
                  'SIGNATURE_VERIFICATION',
                  'REMOVE_CARD',
                  'TRANSACTION_FINISHED',
                ]),
              }),
            }
          else if (roll < 0.55) f = { kind: 'duplicateNotifications', times: rng.int(1, 10) }
          else if (roll < 0.8)
            f = { kind: 'reorderNotifications', times: rng.int(1, 6), holdMs: rng.int(100, 3_000) }
          else if (roll < 0.9) f = { kind: 'missingPings', times: rng.int(1, 3) }
          else f = { kind: 'slowPings', times: 1, delayMs: rng.int(1_000, 45_000) }
          s.cloud.faults.add(f)
          return JSON.stringify(f)
        },
        ...connectChecks(s.cloud.ledger),
      }
    },
  },
  {
    name: 'adyen',
    terminals: [POI, POI_2],
    currency: 'EUR',
    account: ADYEN_ACCOUNT,
    endings: [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 50],
    boundMs: 20 * 60_000,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    payments: [4, 8],
    // Adyen: TransactionStatus decides within retentionMs (48 h); nothing here refuses it for good.
    unknownWrong: () => 'TransactionStatus always decides within retention',
    async make(rng) {
      const line = processLine()
      const s = setupAdyen({
        noWebhooks: true,
        adapter: {
          fetch: line.fetch,
        },
      })
      await s.orchestrator.close()
      let live: { life: Life; index: number } | undefined
      // Webhook delivery faults: copies, delays (so reordering), losses.
      const hooks = { duplicate: 0, delay: 0, lose: 0, delayMs: 1_000 }
      const deliver = (body: unknown) => {
        if (!live || live.life.dead) return
        void s.adapters[live.index]!.receive(body)
      }
      s.cloud.notifications.register((body) => {
        const copy = structuredClone(body)
        if (hooks.lose > 0) {
          hooks.lose--
          return
        }
        const dup = hooks.duplicate > 0 && (hooks.duplicate--, true)
        if (hooks.delay > 0) {
          hooks.delay--
          s.clock.schedule(hooks.delayMs, () => deliver(copy))
        } else deliver(copy)
        if (dup) s.clock.schedule(rng.int(0, 3_000), () => deliver(structuredClone(copy)))
      })
      return {
        clock: s.clock,
        spawn(life, journal, options) {
          line.wire(life, (request: Request) => s.cloud.fetch(request))
          const orchestrator = s.restart(journal, options)
          live = { life, index: s.adapters.length - 1 }
          return orchestrator
        },
        died() {},
        fault(rng) {
          const roll = rng()
          if (roll < 0.15) {
            hooks.duplicate += rng.int(1, 8)
            return `webhooks duplicated (${hooks.duplicate})`
          }
          if (roll < 0.3) {
            hooks.delay += rng.int(1, 4)
            hooks.delayMs = rng.int(200, 5_000)
            return `webhooks delayed ${hooks.delayMs} ms (${hooks.delay})`
          }
          if (roll < 0.37) {
            hooks.lose += rng.int(1, 4)
            return `webhooks lost (${hooks.lose})`
          }
          if (roll < 0.47) {
            const f = { kind: 'dropConnection' as const, afterMs: rng.int(100, 5_000), times: 1 }
            s.cloud.faults.add(f as any)
            return JSON.stringify(f)
          }
          const f = httpFault(rng, ['POST'])
          s.cloud.faults.add(f)
          return JSON.stringify(f)
        },
        charged(p) {
          const mine = s.cloud.ledger.filter(
            (e) => e.kind === 'sale' && p.ids.serviceId && e.serviceId === p.ids.serviceId,
          )
          const ok = mine.filter((e) => e.result === 'approved')
          return {
            entries: mine.length,
            charges: ok.length,
            ...(ok.length === 1 && { amount: ok[0]!.amount }),
          }
        },
        orphans: (all) =>
          s.cloud.ledger.filter(
            (e) => e.kind === 'sale' && !all.some((p) => p.ids.serviceId === e.serviceId),
          ),
      }
    },
  },
  {
    name: 'payroc',
    terminals: ['PAXA920-0001', 'PAXA920-0002', 'PAXA920-0003', 'PAXA920-0004'],
    currency: 'USD',
    account: PAYROC_ACCOUNT,
    endings: [0, 1, 2, 3, 4, 5, 6, 7, 50],
    boundMs: 20 * 60_000,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    payments: [5, 10],
    // Payroc: replays with the key; unknown only after refused replays and 5 minutes of searching.
    unknownWrong: () => 'replays and long-polls decide here',
    extra: (ending, rng) =>
      ending === 2 && rng.chance(0.7) ? { acceptPartialAmount: true } : undefined,
    async make() {
      const line = processLine()
      const s = payrocSetup({
        adapter: {
          fetch: line.fetch,
        },
      })
      await s.orchestrator.close()
      return {
        clock: s.clock,
        spawn(life, journal, options) {
          line.wire(life, (input: any, init?: any) => s.cloud.fetch(input, init))
          return s.restart(journal, options)
        },
        died() {},
        fault(rng) {
          const f = httpFault(
            rng,
            ['POST', 'GET', 'DELETE'],
            [/instructions$/, /instructions\/[^/]+$/, /\/payments\/[^/]+$/],
          )
          s.cloud.faults.add(f)
          return JSON.stringify(f)
        },
        charged(p) {
          const mine = s.cloud.ledger.filter((e) => e.kind === 'sale' && e.orderId === p.reference)
          const ok = mine.filter((e) => e.result === 'approved' || e.result === 'partial')
          return {
            entries: mine.length,
            charges: ok.length,
            ...(ok.length === 1 && { amount: ok[0]!.authorizedAmount }),
          }
        },
        orphans: (all) =>
          s.cloud.ledger.filter(
            (e) => e.kind === 'sale' && !all.some((p) => p.reference === e.orderId),
          ),
      }
    },
  },
  {
    name: 'smartconnect',
    terminals: ['VT000001', 'VT000002'],
    currency: 'NZD',
    account: SC_ACCOUNT,
    endings: [0, 5, 7, 8, 9, 10, 11, 12, 50],
    boundMs: 20 * 60_000,
    // Seed 10 found the refused start journaled as started (see the tests at the end).
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    payments: [4, 8],
    // SmartConnect: no polling URL (lost start); a token that lapsed (no-answer, 11); codes that
    // contradict each other (12).
    unknownWrong: (outcome, started, ending) =>
      outcome.reasonCode === 'lost-start'
        ? started
          ? 'lost-start, yet the polling URL was journaled'
          : undefined
        : outcome.reasonCode === 'contradictory' && ending === 12
          ? undefined
          : outcome.reasonCode === 'expired' && ending === 11
            ? undefined
            : `${outcome.reasonCode} is not possible for ending ${ending}`,
    async make() {
      const line = processLine()
      const s = await scSetup({
        adapter: {
          fetch: line.fetch,
        },
      })
      await s.orchestrator.close()
      return {
        clock: s.clock,
        spawn(life, journal, options) {
          line.wire(life, (request: Request) => s.cloud.fetch(request))
          return s.restart(journal, options)
        },
        died() {},
        fault(rng) {
          const f = httpFault(rng, ['POST', 'GET'])
          s.cloud.faults.add(f)
          return JSON.stringify(f)
        },
        charged(p) {
          const mine = s.cloud.ledger.filter((e) => e.kind === 'purchase' && e.amount === p.amount)
          const ok = mine.filter((e) => e.result === 'ACCEPTED')
          return {
            entries: mine.length,
            charges: ok.length,
            ...(ok.length === 1 && { amount: ok[0]!.amount }),
          }
        },
        orphans: (all) =>
          s.cloud.ledger.filter(
            (e) => e.kind === 'purchase' && !all.some((p) => p.amount === e.amount),
          ),
      }
    },
  },
]

// ---- one run ------------------------------------------------------------------------------------

interface Stream {
  proc: number
  recovered: boolean
  /** The journal's `delivered` when the process recovered it. */
  deliveredBefore: number
  events: PaymentEvent[]
}

interface Tracked extends PaymentFacts {
  index: number
  ending: number
  request: AmountInput
  /** sale() went to a process at this clock time. */
  askedAt?: number
  /** The life of the process sale() went to. */
  askedLife?: Life
  refused?: unknown
  told: Array<{ proc: number; outcome: Outcome }>
  streams: Stream[]
  signature: { decision: 'accept' | 'decline' | 'ignore'; delayMs: number }
  /** Records of this payment the journal refused. */
  refusedRecords: number
  cancelAfterMs?: number
  cancels: string[]
  /** The live handle in the current process. */
  handle?: Payment
}

export interface RunReport {
  seed: number
  provider: string
  log: string[]
  violations: string[]
  outcomes: Record<string, number>
  payments: number
  crashes: number
}

async function runSeed(provider: Provider, seed: number): Promise<RunReport> {
  const rng = seeded(seed * 7919 + provider.name.length)
  const world = await provider.make(rng)
  const { clock } = world
  const t0 = clock.now()
  const log: string[] = []
  const note = (line: string) => log.push(`${String(clock.now() - t0).padStart(7)} ${line}`)
  const violations: string[] = []

  // The durable journal, with every record kept (payment id → reference).
  const durable = createMemoryJournal()
  const records: JournalRecord[] = []
  const signaturePolicy = rng.pick(['decline', 'accept', 'provider'] as const)

  // ---- plan ----
  const count = rng.int(...provider.payments)
  const tracked: Tracked[] = []
  for (let i = 0; i < count; i++) {
    const ending = rng.pick(provider.endings)
    const amount = (11 + i) * 100 + ending
    const terminal = rng.pick(provider.terminals)
    const reference = `fz-${seed}-${i}`
    const extra = provider.extra?.(ending, rng)
    const decision = rng.pick(['accept', 'accept', 'decline', 'ignore'] as const)
    tracked.push({
      index: i,
      ending,
      amount,
      terminal,
      reference,
      ids: {},
      request: {
        account: provider.account,
        terminal,
        amount,
        currency: provider.currency,
        reference,
        ...(extra && { extra }),
      },
      told: [],
      streams: [],
      refusedRecords: 0,
      signature: {
        decision,
        delayMs: rng.chance(0.8) ? rng.int(0, 15_000) : rng.int(60_000, 90_000),
      },
      ...(rng.chance(0.3) && { cancelAfterMs: rng.int(0, 30_000) }),
      cancels: [],
    })
  }
  const byId = new Map<string, Tracked>()
  const byReference = new Map(tracked.map((t) => [t.reference, t]))

  // ---- processes ----
  let procNo = 0
  let life = new Life()
  let orchestrator: Orchestrator | undefined
  let appends = 0
  let crashAtAppend: { n: number; moment: 'before' | 'after' } | undefined
  let crashes = 0
  let down = false
  /** The disk refuses records of these types until then (README: a full disk). */
  let diskFull: { until: number; types: string[] } | undefined
  const journalFaults = provider.journalFaults ?? true
  const waitingToStart: Tracked[] = []

  const journalFor = (mine: Life): JournalStore => ({
    ...durable,
    append: async (record) => {
      if (mine.dead) return never()
      if (
        process.env.FUZZ_RECORDS &&
        byId.get(record.paymentId)?.reference === process.env.FUZZ_RECORDS
      )
        note(`append ${JSON.stringify(record).slice(0, 160)}`)
      if (diskFull && clock.now() < diskFull.until && diskFull.types.includes(record.type)) {
        const t = byId.get(record.paymentId)
        if (t) t.refusedRecords++
        throw new Error('ENOSPC: no space left on device')
      }
      appends++
      if (crashAtAppend && appends >= crashAtAppend.n) {
        const moment = crashAtAppend.moment
        crashAtAppend = undefined
        if (moment === 'before') {
          crash(`at append ${appends} (${record.type}), before it was stored`, true)
          return never()
        }
        records.push(structuredClone(record))
        await durable.append(record)
        noteRecord(record)
        crash(`at append ${appends} (${record.type}), right after it was stored`, true)
        return never()
      }
      records.push(structuredClone(record))
      await durable.append(record)
      noteRecord(record)
      if (mine.dead) return never()
    },
  })

  const noteRecord = (record: JournalRecord) => {
    if (record.type === 'intent') {
      const t = byReference.get(record.request.reference)
      if (t) {
        t.id = record.paymentId
        byId.set(record.paymentId, t)
        Object.assign(t.ids, record.ids)
      }
    } else if (record.type === 'ids') {
      const t = byId.get(record.paymentId)
      if (t) Object.assign(t.ids, record.ids)
    }
  }

  const attach = (t: Tracked, payment: Payment, proc: number, deliveredBefore: number) => {
    if (t.id && t.id !== payment.id) violations.push(`${t.reference}: two payment ids`)
    t.id = payment.id
    byId.set(payment.id, t)
    t.handle = payment
    const stream: Stream = { proc, recovered: payment.recovered, deliveredBefore, events: [] }
    t.streams.push(stream)
    void (async () => {
      try {
        for await (const event of payment) {
          stream.events.push(event)
          if (event.type === 'signatureRequired') {
            const { decision, delayMs } = t.signature
            if (decision === 'ignore') continue
            const question = event as SignatureRequiredEvent
            clock.schedule(delayMs, () => {
              const answer = decision === 'accept' ? question.accept() : question.decline()
              answer.then(
                (ok) => note(`${t.reference} signature ${decision} → ${ok}`),
                (e: unknown) => note(`${t.reference} signature ${decision} rejected: ${String(e)}`),
              )
            })
          }
        }
      } catch (error) {
        note(`${t.reference} stream threw ${String(error)}`)
      }
    })()
    payment.outcome.then(
      (outcome) => {
        t.told.push({ proc, outcome })
        note(
          `${t.reference} told ${outcome.status} (${outcome.reasonCode ?? '-'}) in process ${proc}`,
        )
      },
      (error: unknown) =>
        note(`${t.reference} outcome rejected in process ${proc}: ${String(error)}`),
    )
  }

  const start = (t: Tracked) => {
    if (down || !orchestrator) {
      waitingToStart.push(t)
      return
    }
    const proc = procNo
    t.askedAt = clock.now() - t0
    t.askedLife = life
    note(`${t.reference} sale ${t.amount} on ${t.terminal} (process ${proc})`)
    orchestrator.sale(t.request).then(
      (payment) => attach(t, payment, proc, 0),
      (error: unknown) => {
        t.refused = error
        note(`${t.reference} refused: ${String(error)}`)
      },
    )
  }

  const spawn = () => {
    procNo++
    life = new Life()
    orchestrator = world.spawn(life, journalFor(life), {
      signature: { whenUnanswered: signaturePolicy },
    })
    note(`process ${procNo} up`)
  }

  const restart = async () => {
    spawn()
    const proc = procNo
    const cursors = new Map(
      (await durable.unfinished()).map((e) => [e.paymentId, e.cursor.delivered]),
    )
    const recovering = orchestrator!.recover()
    let resumed: Payment[] = []
    try {
      resumed = await recovering
    } catch (error) {
      violations.push(`recover() rejected: ${String(error)}`)
    }
    note(`process ${proc} recovered ${resumed.length}`)
    for (const payment of resumed) {
      const t = byId.get(payment.id)
      if (!t) {
        violations.push(`recover() gave a payment nobody started: ${payment.id}`)
        continue
      }
      attach(t, payment, proc, cursors.get(payment.id) ?? 0)
    }
    down = false
    for (const t of waitingToStart.splice(0)) start(t)
  }

  function crash(how: string, atAppend = false) {
    if (down) return
    crashes++
    // A crash inside a journal write is a kill: a close() would wait for that write forever.
    const kill = atAppend || rng.chance(0.8)
    const downtime = rng.int(0, 20_000)
    note(`process ${procNo} dies ${how} (${kill ? 'killed' : 'closed'})`)
    down = true
    const dying = orchestrator!
    for (const t of tracked) t.handle = undefined
    if (kill) {
      life.dead = true
      world.died()
    } else {
      const closing = life
      void dying.close().then(() => {
        closing.dead = true
        world.died()
        clock.schedule(downtime, () => void restart())
      })
      return
    }
    clock.schedule(downtime, () => void restart())
  }

  // ---- schedule ----
  spawn()
  for (const t of tracked) {
    const at = rng.int(0, 90_000)
    clock.schedule(at, () => start(t))
    if (t.cancelAfterMs !== undefined)
      clock.schedule(at + t.cancelAfterMs, () => {
        const handle = t.handle
        if (!handle) return
        handle.cancel().then(
          (ok) => {
            t.cancels.push(String(ok))
            note(`${t.reference} cancel → ${ok}`)
          },
          (error: unknown) => {
            t.cancels.push(`rejected`)
            note(`${t.reference} cancel rejected: ${String(error)}`)
          },
        )
      })
  }
  const faults = rng.int(2, 10)
  for (let i = 0; i < faults; i++)
    clock.schedule(rng.int(0, 120_000), () => note(`fault ${world.fault(rng)}`))
  if (journalFaults && rng.chance(0.3)) {
    const from = rng.int(0, 120_000)
    const lasts = rng.int(100, 20_000)
    const types = rng.pick([['outcome'], ['cursor'], ['ids'], ['ids', 'cursor', 'outcome']])
    clock.schedule(from, () => {
      diskFull = { until: clock.now() + lasts, types }
      note(`disk full for ${lasts} ms: ${types.join(', ')} refused`)
    })
  }
  const crashPlan = rng.pick([0, 1, 1, 2])
  for (let i = 0; i < crashPlan; i++) {
    if (rng.chance(0.5)) clock.schedule(rng.int(1_000, 150_000), () => crash('at a random moment'))
    else {
      const n = rng.int(1, count * 4)
      const moment = rng.pick(['before', 'after'] as const)
      clock.schedule(rng.int(0, 120_000), () => {
        if (!crashAtAppend && !down) crashAtAppend = { n: appends + n, moment }
      })
    }
  }

  // ---- drive: from timer to timer, until everything that started has a journaled outcome ----
  const planEnd = t0 + 200_000
  const limit = t0 + 200_000 + provider.boundMs
  const settled = async () => {
    if (clock.now() < planEnd || down || waitingToStart.length) return false
    if ((await durable.unfinished()).length) return false
    return tracked.every(
      (t) =>
        t.askedAt !== undefined &&
        (t.refused !== undefined || t.id !== undefined || t.askedLife?.dead === true),
    )
  }
  let stuck = false
  for (;;) {
    await flush()
    if (await settled()) break
    if (clock.now() > limit) {
      violations.push(`not settled ${provider.boundMs / 60_000} min after the plan ended`)
      break
    }
    if (!(await clock.runNext())) {
      if (clock.now() < planEnd) {
        await clock.advance(planEnd - clock.now())
        continue
      }
      if (await settled()) break
      stuck = true
      break
    }
  }
  if (stuck) violations.push('nothing scheduled yet payments unsettled (stuck)')
  // Anything sent late would reach the ledger now.
  const after = clock.now() + 300_000
  while (clock.now() < after) {
    await flush()
    if (!(await clock.runNext())) break
  }
  await clock.advance(Math.max(0, after - clock.now()))
  await flush()

  // ---- check ----
  const outcomes: Record<string, number> = {}
  for (const t of tracked) {
    const who = `${t.reference} (${t.amount} on ${t.terminal})`
    const charged = world.charged(t)
    const entry = t.id ? await durable.get(t.id) : undefined
    if (!entry) {
      if (t.askedAt !== undefined && t.refused === undefined && !t.id)
        note(`${t.reference}: sale() never resolved and no intent journaled`)
      if (charged.entries > 0)
        violations.push(`${who}: no journaled payment, yet the acquirer saw it ${charged.entries}×`)
      continue
    }
    const outcome = entry.outcome
    if (!outcome) {
      violations.push(`${who}: no outcome journaled`)
      continue
    }
    const label = `${outcome.status}${outcome.reasonCode ? `/${outcome.reasonCode}` : ''}`
    outcomes[label] = (outcomes[label] ?? 0) + 1
    const facts = `${who}: ${label} (${outcome.reason ?? ''}); ledger ${charged.entries} entries, ${charged.charges} charges${charged.amount !== undefined ? ` of ${charged.amount}` : ''}`
    if (outcome.at - entry.startedAt > provider.boundMs)
      violations.push(`${facts}: took ${outcome.at - entry.startedAt} ms`)
    if (charged.charges > 1) violations.push(`${facts}: charged more than once`)
    if (charged.entries > 1) violations.push(`${facts}: the acquirer saw it more than once`)
    if (charged.charges < 0) violations.push(`${facts}: negative charges`)
    if (outcome.status === 'approved') {
      if (charged.charges !== 1) violations.push(`${facts}: approved but not charged once`)
      else {
        const approved = outcome.amounts.approved ?? outcome.amounts.total
        if (approved !== charged.amount)
          violations.push(`${facts}: approved ${approved}, charged ${charged.amount}`)
      }
    } else if (outcome.status !== 'unknown' && charged.charges !== 0)
      violations.push(`${facts}: ${outcome.status} yet charged`)
    if (outcome.status === 'unknown') {
      const wrong = provider.unknownWrong(outcome, entry.started, t.ending)
      if (wrong) violations.push(`${facts}: unknown here is wrong (${wrong})`)
      const r = outcome.reconcile
      if (
        !r ||
        r.terminal !== t.terminal ||
        r.amount !== t.amount ||
        r.reference !== t.reference ||
        r.currency !== t.request.currency ||
        r.startedAt !== entry.startedAt ||
        !r.check.length
      )
        violations.push(`${facts}: reconciliation facts missing or wrong: ${JSON.stringify(r)}`)
    }
    for (const { proc, outcome: told } of t.told) {
      const same = told.status === outcome.status && told.reasonCode === outcome.reasonCode
      // README: an outcome the journal refused is told anyway; a crash before it lands has
      // recover() report the payment again as the provider shows it. Money must still agree.
      if (!same && !t.refusedRecords)
        violations.push(
          `${facts}: process ${proc} told ${told.status}/${told.reasonCode}, journal has ${label}`,
        )
      else if (!same)
        note(
          `${t.reference}: process ${proc} told ${told.status}/${told.reasonCode}, journal has ${label}`,
        )
      if (told.status === 'approved' && charged.charges !== 1)
        violations.push(`${facts}: process ${proc} told approved, not charged once`)
      if (['declined', 'failed', 'cancelled'].includes(told.status) && charged.charges !== 0)
        violations.push(
          `${facts}: process ${proc} told ${told.status}/${told.reasonCode}, yet charged`,
        )
    }
    // events
    const bySeq = new Map<number, string>()
    for (const stream of t.streams) {
      let last = stream.recovered ? stream.deliveredBefore : 0
      for (const event of stream.events) {
        const text = `${event.type} ${JSON.stringify(event.raw)}`
        if (event.paymentId !== t.id) violations.push(`${who}: event of another payment`)
        if (!(event.seq > last))
          violations.push(
            `${who}: process ${stream.proc} (recovered ${stream.recovered}) gave seq ${event.seq} after ${last} [${stream.events.map((e) => `${e.seq}:${e.type}`).join(' ')}]`,
          )
        last = Math.max(last, event.seq)
        const before = bySeq.get(event.seq)
        if (before !== undefined && before !== text)
          violations.push(`${who}: seq ${event.seq} was "${before}", then "${text}"`)
        bySeq.set(event.seq, text)
      }
    }
  }
  if (process.env.FUZZ_RECORDS)
    for (const r of records)
      if (byId.get(r.paymentId)?.reference === process.env.FUZZ_RECORDS)
        note(`record ${JSON.stringify(r).slice(0, 400)}`)
  const orphans = world.orphans(tracked)
  if (orphans.length) violations.push(`ledger entries of no payment: ${JSON.stringify(orphans)}`)
  return { seed, provider: provider.name, log, violations, outcomes, payments: count, crashes }
}

// ---- the runs -----------------------------------------------------------------------------------

const range = process.env.FUZZ_SEEDS?.split('-').map(Number)
const seedsOf = (provider: Provider) =>
  range
    ? Array.from({ length: range[1]! - range[0]! + 1 }, (_, i) => range[0]! + i)
    : provider.seeds
const only = process.env.FUZZ_PROVIDER

describe.each(PROVIDERS.filter((p) => !only || p.name === only))(
  'seeded fault runs: $name',
  (provider) => {
    it.each(seedsOf(provider))(
      'seed %i: nothing charged twice, nothing lost, outcomes agree',
      async (seed) => {
        const report = await runSeed(provider, seed)
        if (process.env.FUZZ_LOG) console.log(report.log.join('\n'))
        if (report.violations.length)
          expect.fail(
            `${provider.name} seed ${seed}:\n  ${report.violations.join('\n  ')}\n--- log ---\n${report.log.join('\n')}`,
          )
        if (process.env.FUZZ_STATS)
          console.log(
            provider.name,
            seed,
            report.payments,
            report.crashes,
            JSON.stringify(report.outcomes),
          )
      },
    )
  },
)

// ---- focused reproductions (no PRNG) ------------------------------------------------------------

describe('a start the provider refused (nothing made at the provider)', () => {
  it('Payroc: a sale refused busy (409) is told failed only once journaled, and then never replayed', async () => {
    let full = true
    const { memory, journal } = refusingJournal((record) => full && record.type === 'outcome')
    const s = payrocSetup({ orchestrator: { journal } })
    // A slow card (92 s) keeps the device busy; the first sale's outcome waits for the disk too.
    const first = await s.orchestrator.sale(payrocPayment(1206))
    await pass(s.clock, 2_000, 250)
    expect(first.ids.instructionId).toBeDefined()
    // A second sale on the same device: Payroc refuses it (409), nothing is made.
    const busy = await s.orchestrator.sale(payrocPayment(1250))
    let told: string | undefined
    void busy.outcome.then((o) => (told = `${o.status}/${o.reasonCode}`))
    await pass(s.clock, 5_000, 250)
    expect(requests(s.cloud, 'POST', SUBMIT).map((r) => r.status)).toEqual([202, 409])
    // Not journaled as started: while its outcome is not in, the POS is not told "failed".
    expect((await memory.get(busy.id))?.started).toBe(false)
    expect(told).toBeUndefined()
    full = false
    await pass(s.clock, 60_000, 1_000)
    expect(told).toBe('failed/terminal-busy')
    await s.orchestrator.close()
    const second = s.restart(memory)
    const resumed = await second.recover()
    expect(resumed.map((p) => p.id)).toEqual([first.id])
    await drive(s.clock, resumed[0]!.outcome, 900_000, 250)
    await second.close()
    // The refused sale was never sent again.
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(2)
    expect(s.cloud.ledger.filter((e) => e.orderId === busy.request.reference)).toEqual([])
  })

  it('Paymentsense REST: one refused (terminal offline, 404) whose outcome record a crash lost recovers unknown, lost-start', async () => {
    // The process dies as it writes the refused start's outcome.
    const memory = createMemoryJournal()
    const kept: JournalRecord[] = []
    let dead = false
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (dead || record.type === 'outcome') return ((dead = true), never())
        kept.push(record)
        await memory.append(record)
      },
    }
    const s = connectSetup({ orchestrator: { journal } })
    s.cloud.terminals.setOnline('22160001', false)
    await s.orchestrator.sale({
      account: 'shop',
      terminal: '22160001',
      amount: 1250,
      currency: 'GBP',
      reference: 'order-1250',
    })
    await pass(s.clock, 1_000)
    expect(s.seen.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 404'])
    // Journaled: the intent and `sending`; the refusal made nothing, so no `started`.
    expect(kept.map((r) => r.type)).toEqual(['intent', 'ids'])
    expect(dead).toBe(true)

    s.cloud.terminals.setOnline('22160001', true)
    const B = s.restart(memory)
    const [resumed] = await B.recover()
    const outcome = await drive(s.clock, resumed!.outcome)
    await B.close()
    // Nothing polled without a requestId, nothing charged, and no false "refused to show".
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(s.seen).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(0)
  })
})

describe('Payroc polls whose bearer token could not be fetched', () => {
  it('are retried like any 5xx: three identity-service 503s after a restart, and the sale still settles approved', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    // A slow card (92 s): the instruction is made and read; the till restarts meanwhile.
    const p = await s.orchestrator.sale(payrocPayment(1206))
    await pass(s.clock, 2_000, 250)
    expect(p.ids.instructionId).toBeDefined()
    await s.orchestrator.close()
    // The new process needs a token first; the identity service answers 503 three times (a 5xx:
    // README, Scheduling: "polls that ... meet a 5xx are retried with exponential back-off").
    s.cloud.faults.add({ kind: 'status', status: 503, match: { path: '/authorize' }, times: 3 })
    const B = s.restart(journal)
    const [resumed] = await B.recover()
    const outcome = await drive(s.clock, resumed!.outcome, 600_000, 250)
    await pass(s.clock, 120_000, 1_000)
    const charges = s.cloud.ledger.filter((e) => e.result === 'approved').length
    await B.close()
    expect({ status: outcome.status, charges }, `${outcome.reasonCode}: ${outcome.reason}`).toEqual(
      { status: 'approved', charges: 1 },
    )
  })
})

describe('Adyen recovery asks TransactionStatus again while the start may still be on its way', () => {
  it('the till dies as its payment leaves, the request takes 5 s to arrive, recover() 1 s later: never failed and charged', async () => {
    const memory = createMemoryJournal()
    const line = fetchLine((request) => s.cloud.fetch(request))
    // A dies as it goes to write its 3rd record (intent, sending, then the start's ids): the
    // payment request has left by then.
    const dying = dyingAppend<JournalRecord>(2, 'just before next', line.kill, (r) =>
      memory.append(r),
    )
    const s = setupAdyen({
      adapter: line.options,
      orchestrator: { journal: { ...memory, append: dying.append } },
    })
    // The network holds the payment request for 5 s before Adyen sees it.
    s.cloud.faults.add({ kind: 'latency', ms: 5_000, match: { method: 'POST' }, times: 1 })
    void s.orchestrator.sale(adyenPay(1250))
    await pass(s.clock, 1_000)
    expect(dying.dead()).toBe(true)
    expect(dying.records.map((r) => r.type)).toEqual(['intent', 'ids'])
    s.adapters.splice(0) // A's webhooks stop with it

    const B = s.restart(memory)
    const [resumed] = await B.recover()
    const outcome = await drive(s.clock, resumed!.outcome, 600_000, 250)
    await pass(s.clock, 60_000, 500)
    await B.close()
    const charges = s.cloud.ledger.filter((e) => e.result === 'approved').length
    // README, Adyen: "NotFound ... `failed` (`not-found`: nothing charged)".
    expect(
      { status: outcome.status, charges },
      `${outcome.reasonCode} at +${outcome.at - dying.records[1]!.at} ms after the request left; charged at +${(s.cloud.ledger[0]?.at ?? NaN) - dying.records[1]!.at} ms`,
    ).not.toEqual({ status: 'failed', charges: 1 })
  })
})

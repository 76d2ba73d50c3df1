/**
 * Crash recovery, point by point: for each provider and scenario, a reference run counts the journal
 * records K one payment writes; then, for each k in 1..K, process A dies at its k-th record, either
 * right after it is durable or just before the next one is (see Moment). A dead process writes and
 * sends nothing more and reads no answers; nothing of it is closed. Process B then recovers from
 * exactly the records A left, over the same fake cloud and clock, and is driven until the payment
 * settles. The fake's ledger must show the payment charged at most once, and once exactly when the
 * outcome says approved; `unknown` only where the README's recovery rules allow it, with its
 * reconciliation facts. B's events go on from the journaled cursor (README: at least once across a
 * crash, a repeat recognisable by paymentId and seq). */
import type { ManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  type Orchestrator,
  type Outcome,
  type Payment,
  type PaymentEvent,
  type AmountInput,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { maySendHaveLeft } from '../src/journal.js'
import { dyingAppend, fetchLine, type CrashCase, type Moment } from './crash-harness.js'
import type { PaymentsenseWebSocketAdapterOptions } from '../src/paymentsense.js'
import { drive, pass, sale as connectSale, setup as connectSetup } from './harness.js'
import { pay as adyenPay, setupAdyen } from './adyen-harness.js'
import { payment as payrocPayment, payrocSetup, SUBMIT } from './payroc-harness.js'
import { sale as scSale, setup as scSetup } from './smartconnect-harness.js'
import { setup as wsSetup } from './paymentsense-ws-harness.js'

type WebSocketClass = NonNullable<PaymentsenseWebSocketAdapterOptions['WebSocket']>

function socketLine(cloud: () => WebSocketClass) {
  let dead = false
  let made = 0
  class DyingSocket {
    readonly #inner: InstanceType<WebSocketClass> | undefined
    constructor(url: string) {
      if (!dead) this.#inner = new (cloud())(url)
    }
    get readyState(): number {
      return this.#inner?.readyState ?? 0
    }
    send(data: string): void {
      if (!dead) this.#inner!.send(data)
    }
    close(code?: number, reason?: string): void {
      if (!dead) this.#inner?.close(code, reason)
    }
    addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (e: any) => void) {
      this.#inner?.addEventListener(type, (event: unknown) => {
        if (!dead) listener(event)
      })
    }
    on(event: 'ping', listener: () => void): this {
      this.#inner?.on?.(event, () => {
        if (!dead) listener()
      })
      return this
    }
  }
  return {
    options: {
      get WebSocket(): WebSocketClass {
        return made++ === 0 ? (DyingSocket as unknown as WebSocketClass) : cloud()
      },
    },
    kill: () => void (dead = true),
  }
}

/** A's journal: a memory journal that dies at record `k` (see Moment). */
function crashingJournal(k: number, moment: Moment, crash: () => void) {
  const memory = createMemoryJournal()
  const { append, records } = dyingAppend<JournalRecord>(k, moment, crash, (r) => memory.append(r))
  const journal: JournalStore = { ...memory, append }
  return { journal, records }
}

// ---- providers ----------------------------------------------------------------------------

type ScenarioName = 'approved' | 'declined' | 'lost start' | 'slow card' | 'signature'

/** One process pair over one fake cloud: A is made at once, B by `restart`. */
interface Rig {
  clock: ManualClock
  A: Orchestrator
  restart(journal: JournalStore): Orchestrator
  /** A died: what else of it must stop (webhooks delivered to it, its open sockets). */
  died(): void
  /** Payments that reached the acquirer (any result), and the money taken net of reversals. */
  ledger(): { entries: number; charges: number }
}

interface Provider {
  name: string
  request(amount: number): AmountInput
  scenarios: Array<{ name: ScenarioName; amount: number }>
  make(journal: JournalStore, scenario: ScenarioName): Promise<Rig>
  /** README, recovery rules: when may B's outcome be `unknown`, given the journaled entry. */
  unknownAllowed(entry: JournalEntry): boolean
  /** Adyen: a journaled payment that never reached the terminal is NotFound: `failed`, nothing charged. */
  unsentMayFail?: boolean
  /** Connect REST repeats its whole notification list: no event may be lost across the crash. */
  reshows?: boolean
  /** Clock step when driving (a provider polling every 10 s needs no 50 ms steps). */
  stepMs: number
}

const connect = <T extends { kind: string; result: string }>(ledger: readonly T[]) => ({
  entries: ledger.filter((e) => e.kind === 'sale').length,
  charges:
    ledger.filter((e) => e.kind === 'sale' && e.result === 'SUCCESSFUL').length -
    ledger.filter((e) => e.kind === 'reversal' && e.result === 'SUCCESSFUL').length,
})

const PROVIDERS: Provider[] = [
  {
    name: 'paymentsense',
    request: connectSale,
    scenarios: [
      { name: 'approved', amount: 1250 },
      { name: 'declined', amount: 1204 },
      { name: 'lost start', amount: 1250 },
      { name: 'slow card', amount: 1209 },
      { name: 'signature', amount: 1203 },
    ],
    async make(journal, scenario) {
      const line = fetchLine((request) => s.cloud.fetch(request))
      const s = connectSetup({ adapter: line.options, orchestrator: { journal } })
      if (scenario === 'lost start')
        s.cloud.faults.add({
          kind: 'lostResponse',
          match: { method: 'POST', path: /transactions$/ },
          times: 1,
        })
      return {
        clock: s.clock,
        A: s.orchestrator,
        restart: (j) => s.restart(j),
        died: line.kill,
        ledger: () => connect(s.cloud.ledger),
      }
    },
    unknownAllowed: (entry) => !entry.started,
    reshows: true,
    stepMs: 50,
  },
  {
    name: 'paymentsense websocket',
    request: connectSale,
    scenarios: [
      { name: 'approved', amount: 1250 },
      { name: 'declined', amount: 1204 },
      // The connection drops before PIN entry: the answer never comes.
      { name: 'lost start', amount: 2500 },
      { name: 'slow card', amount: 1209 },
      { name: 'signature', amount: 1203 },
    ],
    async make(journal, scenario) {
      const line = socketLine(() => s.cloud.WebSocket)
      const s = wsSetup({ adapter: line.options, orchestrator: { journal } })
      if (scenario === 'lost start')
        s.cloud.faults.add({ kind: 'dropConnection', notification: 'PIN_ENTRY', times: 1 })
      return {
        clock: s.clock,
        A: s.orchestrator,
        restart: (j) => s.restart({ journal: j }),
        died: () => {
          line.kill()
          // The process is gone: its connection ends.
          s.cloud.sockets.drop('pac')
        },
        ledger: () => connect(s.cloud.ledger),
      }
    },
    // README: the answer is only ever the reply on the connection that sent the payment; a
    // recovered payment waits for the terminal, then settles unknown (lost-start).
    unknownAllowed: () => true,
    stepMs: 50,
  },
  {
    name: 'adyen',
    request: adyenPay,
    scenarios: [
      { name: 'approved', amount: 1250 },
      { name: 'declined', amount: 1205 },
      { name: 'lost start', amount: 1250 },
      { name: 'slow card', amount: 1213 },
    ],
    async make(journal, scenario) {
      const line = fetchLine((request) => s.cloud.fetch(request))
      const s = setupAdyen({ adapter: line.options, orchestrator: { journal } })
      if (scenario === 'lost start')
        s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, times: 1 })
      return {
        clock: s.clock,
        A: s.orchestrator,
        restart: (j) => s.restart(j),
        died: () => {
          line.kill()
          // Webhooks reach only the processes still listening: A's adapter is the first.
          s.adapters.splice(0)
        },
        ledger: () => ({
          entries: s.cloud.ledger.filter((e) => e.kind === 'sale').length,
          charges: s.cloud.ledger.filter((e) => e.kind === 'sale' && e.result === 'approved')
            .length,
        }),
      }
    },
    // README: within retentionMs, TransactionStatus always decides (NotFound is `failed`).
    unknownAllowed: () => false,
    unsentMayFail: true,
    stepMs: 250,
  },
  {
    name: 'payroc',
    request: payrocPayment,
    scenarios: [
      { name: 'approved', amount: 1250 },
      { name: 'declined', amount: 1201 },
      { name: 'lost start', amount: 1250 },
      // Longer than one held read.
      { name: 'slow card', amount: 1206 },
    ],
    async make(journal, scenario) {
      const line = fetchLine((request) => s.cloud.fetch(request))
      const s = payrocSetup({ adapter: line.options, orchestrator: { journal } })
      if (scenario === 'lost start')
        s.cloud.faults.add({
          kind: 'lostResponse',
          match: { method: 'POST', path: SUBMIT },
          times: 1,
        })
      return {
        clock: s.clock,
        A: s.orchestrator,
        restart: (j) => s.restart(j),
        died: line.kill,
        ledger: () => ({
          entries: s.cloud.ledger.filter((e) => e.kind === 'sale').length,
          charges: s.cloud.ledger.filter(
            (e) => e.kind === 'sale' && (e.result === 'approved' || e.result === 'partial'),
          ).length,
        }),
      }
    },
    // README: a submit never answered is replayed with its journaled key; an id is long-polled.
    unknownAllowed: () => false,
    stepMs: 250,
  },
  {
    name: 'smartconnect',
    request: scSale,
    scenarios: [
      { name: 'approved', amount: 1250 },
      { name: 'declined', amount: 1205 },
      { name: 'lost start', amount: 1250 },
      // OK-DELAYED for 20 s.
      { name: 'slow card', amount: 1309 },
    ],
    async make(journal, scenario) {
      const line = fetchLine((request) => s.cloud.fetch(request))
      const s = await scSetup({ adapter: line.options, orchestrator: { journal } })
      if (scenario === 'lost start')
        s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, times: 1 })
      return {
        clock: s.clock,
        A: s.orchestrator,
        restart: (j) => s.restart(j),
        died: line.kill,
        ledger: () => ({
          entries: s.cloud.ledger.filter((e) => e.kind === 'purchase').length,
          charges: s.cloud.ledger.filter((e) => e.kind === 'purchase' && e.result === 'ACCEPTED')
            .length,
        }),
      }
    },
    // README: no polling URL journaled (the start never answered) is unknown (lost-start).
    unknownAllowed: (entry) => !entry.started,
    stepMs: 250,
  },
]

// ---- runs ---------------------------------------------------------------------------------

/**
 * The POS: takes every event as it comes (as the harness's `collect` does) and accepts every
 * signature it is asked to judge, as the README's example does.
 */
function till(payment: Payment): { list: PaymentEvent[]; done: Promise<PaymentEvent[]> } {
  const list: PaymentEvent[] = []
  const done = (async () => {
    for await (const event of payment) {
      list.push(event)
      if (event.type === 'signatureRequired')
        await (event as SignatureRequiredEvent).accept().catch(() => false)
    }
    return list
  })()
  return { list, done }
}

/** How long the clock runs on after B settled, so anything sent late would reach the ledger. */
const AFTERWARDS_MS = 60_000

const describeEvent = (e: PaymentEvent) => `${e.seq} ${e.type} ${JSON.stringify(e.raw)}`
const sameEvent = (e: PaymentEvent) => `${e.type} ${JSON.stringify(e.raw)}`

interface Reference {
  types: string[]
  outcome: Outcome
  events: PaymentEvent[]
  ledger: { entries: number; charges: number }
}

/** A runs the payment to its end with nothing crashing: the records it writes, its outcome, its events. */
async function reference(provider: Provider, scenario: ScenarioName, amount: number) {
  const { journal, records } = crashingJournal(Infinity, 'right after', () => {})
  const rig = await provider.make(journal, scenario)
  const payment = await rig.A.sale(provider.request(amount))
  const events = till(payment)
  const outcome = await drive(rig.clock, payment.outcome, 600_000, provider.stepMs)
  await events.done
  await pass(rig.clock, AFTERWARDS_MS, 500)
  return {
    types: records.map((r) => r.type),
    outcome,
    events: events.list,
    ledger: rig.ledger(),
  } satisfies Reference
}

/** Is `part` a subsequence of `whole`? */
function subsequence(part: string[], whole: string[]): boolean {
  let i = 0
  for (const item of whole) if (i < part.length && part[i] === item) i++
  return i === part.length
}

async function crashAndRecover(
  provider: Provider,
  scenario: ScenarioName,
  amount: number,
  k: number,
  moment: Moment,
  ref: Reference,
): Promise<void> {
  // ---- A: runs until it dies at its k-th record (see Moment) ----
  let pos: ReturnType<typeof till> | undefined
  let takenAtDeath = 0
  let rig!: Rig
  let dead!: () => void
  const died = new Promise<void>((resolve) => (dead = resolve))
  const { journal, records } = crashingJournal(k, moment, () => {
    rig.died()
    takenAtDeath = pos?.list.length ?? 0
    dead()
  })
  rig = await provider.make(journal, scenario)
  const { clock } = rig
  const request = provider.request(amount)
  // With k = 1 the intent never comes back from the journal: A's sale() never resolves.
  void rig.A.sale(request).then((payment) => (pos = till(payment)))
  await drive(clock, died, 600_000, provider.stepMs)
  // Same code path as the reference up to the crash.
  expect(records.map((r) => r.type)).toEqual(ref.types.slice(0, k))
  const paymentId = records[0]!.paymentId

  // ---- B: a new process over the k records, same cloud and clock ----
  const survived = createMemoryJournal()
  for (const record of records) await survived.append(structuredClone(record))
  const entry = (await survived.get(paymentId))!
  expect(entry).toBeDefined()
  const B = rig.restart(survived)
  try {
    const resumed = await B.recover()
    let outcome: Outcome
    let after: PaymentEvent[] = []
    if (entry.outcome) {
      // A settled before dying: nothing to resume, the journal has the outcome.
      expect(resumed).toEqual([])
      outcome = (await B.outcomeOf(paymentId))!
      expect(outcome).toEqual(entry.outcome)
    } else {
      expect(resumed.map((p) => p.id)).toEqual([paymentId])
      const payment = resumed[0]!
      expect(payment.recovered).toBe(true)
      const events = till(payment)
      outcome = await drive(clock, payment.outcome, 600_000, provider.stepMs)
      after = await events.done
      expect(await survived.unfinished()).toEqual([])
      expect((await survived.get(paymentId))?.outcome).toEqual(outcome)
    }
    await pass(clock, AFTERWARDS_MS, 500)

    // ---- the outcome ----
    const { entries, charges } = rig.ledger()
    const facts = `${outcome.status} (${outcome.reasonCode ?? '-'}): ${outcome.reason ?? ''}; ledger ${entries} entries, ${charges} charges`
    if (!maySendHaveLeft(entry)) {
      // The journal shows the start never left: failed, and nothing sent by anyone.
      expect(outcome, facts).toMatchObject({ status: 'failed', reasonCode: 'not-sent' })
      expect(entries, facts).toBe(0)
    } else if (outcome.status === 'unknown') {
      expect(provider.unknownAllowed(entry), `unknown not allowed here: ${facts}`).toBe(true)
      expect(outcome.reconcile).toMatchObject({
        provider: ref.outcome.provider,
        account: request.account,
        terminal: request.terminal,
        kind: 'sale',
        amount,
        currency: request.currency,
        reference: request.reference,
        startedAt: entry.startedAt,
      })
      expect(outcome.reconcile!.why).toEqual(expect.any(String))
      expect(outcome.reconcile!.check.length).toBeGreaterThan(0)
    } else if (provider.unsentMayFail && !entry.started && outcome.status === 'failed') {
      expect(outcome.reasonCode, facts).toBe('not-found')
    } else if (scenario === 'signature' && outcome.status === 'declined') {
      // README: a question the POS took before the crash is not asked again; Connect REST voids
      // it when its window passes (unless A's accept had reached it).
      const asked = ref.events.find((e) => e.type === 'signatureRequired')!
      expect(outcome.reasonCode, facts).toBe('voided')
      expect(
        entry.cursor.delivered,
        `voided, yet the question was not taken: ${facts}`,
      ).toBeGreaterThanOrEqual(asked.seq)
    } else {
      expect(outcome.status, `reference: ${ref.outcome.status}; here: ${facts}`).toBe(
        ref.outcome.status,
      )
    }

    // ---- the ledger: at most one charge, and exactly what the outcome says ----
    expect(entries, `the acquirer saw the payment more than once: ${facts}`).toBeLessThanOrEqual(1)
    expect(charges, `charged more than once: ${facts}`).toBeLessThanOrEqual(1)
    expect(charges, facts).toBeGreaterThanOrEqual(0)
    if (outcome.status === 'approved') expect(charges, facts).toBe(1)
    else if (outcome.status !== 'unknown') expect(charges, facts).toBe(0)

    // ---- events ----
    // Taken by A's POS: what its loop had when A died, and at least what the journal says it took
    // (a take is journaled a few microtasks before the POS's loop body sees the event).
    const journaled = entry.cursor.delivered
    const aList = pos?.list ?? []
    const taken = aList.slice(0, Math.max(takenAtDeath, journaled))
    expect(taken).toHaveLength(Math.max(takenAtDeath, journaled))
    expect(taken.map((e) => e.seq)).toEqual(taken.map((_, i) => i + 1))
    // B goes on from the journaled cursor: nothing the journal says was taken comes again, and seqs
    // only grow (one A handed out that the provider does not show again is skipped, never given to
    // another event). Events taken after the last cursor record may come again (README: at least
    // once across a crash), and then as the same event with the same seq.
    after.forEach((e, i) =>
      expect(e.seq, after.map(describeEvent).join(', ')).toBeGreaterThan(
        i ? after[i - 1]!.seq : journaled,
      ),
    )
    for (const event of after)
      if (event.seq <= taken.length)
        expect(
          sameEvent(event),
          `seq ${event.seq} was ${describeEvent(taken[event.seq - 1]!)} for A's POS; B gave ${describeEvent(event)} under the same seq`,
        ).toBe(sameEvent(taken[event.seq - 1]!))
    expect(after.every((e) => e.paymentId === paymentId)).toBe(true)
    const seen = [...taken, ...after.filter((e) => e.seq > taken.length)]
    const seenText = `events: A's POS took ${taken.map(describeEvent).join(', ') || 'none'}; B gave ${after.map(describeEvent).join(', ') || 'none'}`
    // The same end as the reference (not a voided signature, a NotFound, an unknown): same events.
    const asReference =
      outcome.status === ref.outcome.status && outcome.reasonCode === ref.outcome.reasonCode
    if (!entry.outcome && asReference) {
      // Nothing that did not happen: what the POS got, in order, is part of the reference's events.
      expect(
        subsequence(seen.map(sameEvent), ref.events.map(sameEvent)),
        `${seenText}: not within the reference's`,
      ).toBe(true)
      if (outcome.status === 'approved' || outcome.status === 'declined')
        expect(
          seen.map((e) => e.type),
          `the POS never got 'finished'; ${seenText}`,
        ).toContain('finished')
      // Connect REST shows the whole list on every poll: nothing is lost across the crash.
      if (provider.reshows && outcome.status !== 'unknown')
        expect(seen.map(sameEvent), seenText).toEqual(ref.events.map(sameEvent))
    }
  } finally {
    await B.close()
  }
}

// ---- the cases ----------------------------------------------------------------------------

/** Reference runs first (they decide how many cases there are); one that throws fails its own case. */
const plans: Array<{
  provider: Provider
  scenarios: Array<{
    name: ScenarioName
    amount: number
    ref?: Reference
    error?: unknown
    cases: CrashCase[]
  }>
}> = []
for (const provider of PROVIDERS) {
  const scenarios: (typeof plans)[number]['scenarios'] = []
  for (const { name, amount } of provider.scenarios) {
    try {
      const ref = await reference(provider, name, amount)
      const K = ref.types.length
      const cases: CrashCase[] = ref.types.flatMap((type, i) => [
        { moment: 'right after', k: i + 1, K, type },
        ...(i + 1 < K
          ? [{ moment: 'just before next' as const, k: i + 1, K, type, next: ref.types[i + 1] }]
          : []),
      ])
      scenarios.push({ name, amount, ref, cases })
    } catch (error) {
      scenarios.push({ name, amount, error, cases: [] })
    }
  }
  plans.push({ provider, scenarios })
}

describe.each(plans)('crash points: $provider.name', ({ provider, scenarios }) => {
  describe.each(scenarios)('$name sale', ({ name, amount, ref, error, cases }) => {
    it('the reference run ends as the scenario says, charged once at most', () => {
      if (!ref) throw error
      const expected = {
        approved: 'approved',
        declined: 'declined',
        'lost start': undefined,
        'slow card': 'approved',
        signature: 'approved',
      }[name]
      if (expected) expect(ref.outcome.status).toBe(expected)
      expect(ref.types[0]).toBe('intent')
      expect(ref.types.at(-1)).toBe('outcome')
      expect(ref.ledger.charges).toBe(ref.outcome.status === 'declined' ? 0 : 1)
    })

    it.each(cases.filter((c) => c.moment === 'right after'))(
      'crash right after record $k of $K ($type)',
      ({ k, moment }) => crashAndRecover(provider, name, amount, k, moment, ref!),
    )
    it.each(cases.filter((c) => c.moment === 'just before next'))(
      'crash after record $k of $K ($type), just before the next ($next)',
      ({ k, moment }) => crashAndRecover(provider, name, amount, k, moment, ref!),
    )
  })
})

/**
 * A real process death. The fake clouds (Paymentsense Connect REST, Payroc, SmartConnect) run in
 * this process on the system clock, served on 127.0.0.1 (`serve` from `@tillkit/simulator`). A
 * child process (`process-kill-child.ts`, `node --import tsx`) opens a file journal, starts several
 * payments on different providers and terminals and takes their events as a POS, reporting every
 * step on stdout. The test SIGKILLs it at a seeded-random moment (after the n-th event the POS took,
 * right as a start is being sent or answered, or after a random delay), then, in this process,
 * opens the same journal file (taking over the dead process's lock), calls `recover()`, follows
 * every resumed payment to its end and checks, against the fakes' ledgers and the README. In about
 * half the rounds the first recovery runs in a second child, which is SIGKILLed too (after a few of
 * the events it hands over, or a random delay), and this process recovers after both deaths.
 * Checked:
 *
 * - the lock of the dead process is taken over (README, Stores: "a lock whose holder is gone is
 *   taken over: a process of this host that no longer runs");
 * - every payment the POS was told about (`sale()` resolved) is in the journal and is either
 *   resumed by `recover()` or finished there; an outcome the POS was given is the journaled one
 *   (README: `outcome` "resolved once it is journaled");
 * - nothing is sent without an intent, and a payment journaled without `sending` is `failed`
 *   (`not-sent`) with nothing at the acquirer (README, Journal and recovery);
 * - no card is charged twice; `approved` is exactly one charge of the requested amount, with the
 *   provider ids the outcome names; `declined`, `failed`, `cancelled` have no charge left;
 * - `unknown` only where the README's recovery table allows it within this test's time: a
 *   Paymentsense REST or SmartConnect payment whose start never answered (`lost-start`), with its
 *   reconciliation facts; never for Payroc (a submit never answered is replayed with its key);
 * - every charge in a ledger belongs to a payment that ends `approved` or `unknown`: none lost;
 * - events (README, Journal and recovery: "Events count as delivered when the POS takes them ...
 *   one taken just before the crash, before its cursor record was written, comes again too.
 *   Across a crash delivery is at least once"; "A seq is never reused for another event"): after
 *   the recovery nothing the journal says was taken comes again, seqs only grow, an event given
 *   again under a seq the dead POS took is that same event, and on Connect REST (which "repeats its
 *   whole list on every poll") no event is lost or told twice: the POS's seqs across the processes
 *   run 1..n and carry the transaction's notification list exactly.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createFakeCloud as createPaymentsenseCloud } from '@tillkit/paymentsense/mock'
import { createFakeCloud as createPayrocCloud } from '@tillkit/payroc/mock'
import { createFakeCloud as createSmartConnectCloud } from '@tillkit/smartconnect/mock'
import { createSmartConnectClient, type RegisterOptions } from '@tillkit/smartconnect'
import { describe, it, type ExpectStatic } from 'vitest'
import { serve, type RunningServer } from '@tillkit/simulator'
import {
  createOrchestrator,
  foldRecord,
  type JournalEntry,
  type JournalRecord,
  type Outcome,
  type Payment,
  type PaymentEvent,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { maySendHaveLeft } from '../src/journal.js'
import { createFileJournal } from '../src/node.js'
import { seeded } from './harness.js'
import {
  makeAccounts,
  type ChildMessage,
  type PlannedPayment,
  type Wiring,
} from './process-kill-child.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const CHILD = join(HERE, 'process-kill-child.ts')
const PACKAGE = dirname(HERE)

/**
 * Eight rounds, each with its own fakes, journal, children and kill moments (run five at a time).
 * `KILL_SEEDS=1,2,3` runs others (sixteen were run while writing it: 23, 41, 67, 89, 101, 3011,
 * 3019 and 3034 besides these).
 */
const SEEDS = process.env.KILL_SEEDS
  ? process.env.KILL_SEEDS.split(',').map(Number)
  : [11, 37, 59, 73, 97, 3005, 3015, 3021]

// ---- the round's plan -------------------------------------------------------------------------

/** Scenarios chosen by the minor units' last two digits (see each fake's scenarios.ts). */
const ENDINGS = {
  // approve (chip & PIN), contactless, signature (twice as likely), decline, declined by card,
  // cancelled on the terminal, unsuccessful.
  ps: [50, 50, 1, 3, 3, 4, 5, 7, 8],
  // approve, decline, referral, device failure, cancelled on the device.
  payroc: [99, 50, 50, 1, 3, 4, 5],
  // accept, decline, cancelled on the terminal, unavailable.
  sc: [50, 50, 5, 7, 10],
} as const
const TERMINALS = {
  ps: ['22160001', '22160002'],
  payroc: ['PAXA920-0001', 'PAXA920-0002'],
  sc: ['VT000001', 'VT000002'],
} as const
const CURRENCY = { ps: 'GBP', payroc: 'USD', sc: 'NZD' } as const

type KillPlan =
  | { mode: 'after events'; events: number; delayMs: number }
  | { mode: 'at start'; key: string; on: 'starting' | 'sale'; delayMs: number }
  | { mode: 'after time'; delayMs: number }

/** The recovering child's death, when the round has one. */
type SecondKill =
  | { mode: 'after events'; events: number; delayMs: number }
  | { mode: 'after time'; delayMs: number }

function planRound(seed: number): {
  payments: PlannedPayment[]
  kill: KillPlan
  second?: SecondKill
} {
  const random = seeded(seed)
  const payments: PlannedPayment[] = []
  for (const account of ['ps', 'payroc', 'sc'] as const) {
    // One payment per terminal, so every ledger entry of a terminal is that payment's.
    const count = account === 'sc' ? random.int(1, 2) : 2
    for (const terminal of TERMINALS[account].slice(0, count)) {
      const amount = random.int(10, 80) * 100 + random.pick(ENDINGS[account])
      payments.push({
        key: `${account}-${terminal}-${seed}`,
        account,
        terminal,
        amount,
        currency: CURRENCY[account],
        delayMs: random.int(0, 1_500),
      })
    }
  }
  const mode = random.pick(['after events', 'after events', 'at start', 'after time'] as const)
  const kill: KillPlan =
    mode === 'after events'
      ? { mode, events: random.int(1, 24), delayMs: random.int(0, 25) }
      : mode === 'at start'
        ? {
            mode,
            key: random.pick(payments).key,
            on: random.pick(['starting', 'sale'] as const),
            delayMs: random.int(0, 15),
          }
        : { mode, delayMs: random.int(200, 3_000) }
  const second: SecondKill | undefined =
    random() < 0.5
      ? undefined
      : random() < 0.6
        ? { mode: 'after events', events: random.int(1, 8), delayMs: random.int(0, 20) }
        : { mode: 'after time', delayMs: random.int(0, 1_500) }
  return { payments, kill, ...(second && { second }) }
}

// ---- the dead process's run -------------------------------------------------------------------

interface TakenEvent {
  seq: number
  event: string
  raw: unknown
}

/** What the child's POS knew when it died (from its stdout, written synchronously). */
interface Life {
  pid: number
  /** How the kill was triggered, for the report. */
  killedBy: string
  signal: NodeJS.Signals | null
  started: Set<string>
  /** key → payment id, for every sale() that resolved. */
  sales: Map<string, string>
  /** What recover() returned (the recovering child only). */
  resumed?: string[]
  /** payment id → events the POS took, in order. */
  taken: Map<string, TakenEvent[]>
  /** payment id → the outcome the POS was given. */
  outcomes: Map<string, { status: string; reasonCode?: string }>
  errors: string[]
  stderr: string
}

const FALLBACK_KILL_MS = 7_000

async function runAndKill(
  mode: 'run' | 'recover',
  journal: string,
  wiring: Wiring,
  payments: PlannedPayment[],
  kill: KillPlan | SecondKill,
): Promise<Life> {
  const child = spawn(
    process.execPath,
    ['--conditions=@tillkit/source', '--import', 'tsx', CHILD],
    {
      cwd: PACKAGE,
      env: {
        ...process.env,
        REVIEW_KILL_CONFIG: JSON.stringify({ mode, journal, wiring, payments }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const life: Life = {
    pid: child.pid!,
    killedBy: 'not yet',
    signal: null,
    started: new Set(),
    sales: new Map(),
    taken: new Map(),
    outcomes: new Map(),
    errors: [],
    stderr: '',
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  )
  let killed = false
  const timers: NodeJS.Timeout[] = []
  const killNow = (why: string) => {
    if (killed) return
    killed = true
    life.killedBy = why
    child.kill('SIGKILL')
  }
  const killSoon = (why: string, delayMs: number) => {
    if (delayMs <= 0) killNow(why)
    else timers.push(setTimeout(() => killNow(`${why} + ${delayMs} ms`), delayMs))
  }
  // A child that never gets going is killed too: the checks then say why.
  timers.push(setTimeout(() => killNow('before it was ready (20 s)'), 20_000))
  let events = 0
  let buffered = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => (life.stderr += text))
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (text: string) => {
    buffered += text
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      // Lines read after the kill was sent were written before it landed: still what the POS did.
      const message = JSON.parse(line) as ChildMessage
      switch (message.type) {
        case 'ready':
          life.pid = message.pid
          timers.push(setTimeout(() => killNow('fallback'), FALLBACK_KILL_MS))
          if (kill.mode === 'after time') killSoon('after time', kill.delayMs)
          break
        case 'starting':
          life.started.add(message.key)
          if (kill.mode === 'at start' && kill.on === 'starting' && kill.key === message.key)
            killSoon(`as ${message.key} was starting`, kill.delayMs)
          break
        case 'sale':
          life.sales.set(message.key, message.id)
          life.taken.set(message.id, [])
          if (kill.mode === 'at start' && kill.on === 'sale' && kill.key === message.key)
            killSoon(`as ${message.key}'s sale() resolved`, kill.delayMs)
          break
        case 'resumed':
          life.resumed = message.ids.map((r) => r.id)
          for (const { id } of message.ids) life.taken.set(id, [])
          if (!message.ids.length) killNow('once recover() found nothing to resume')
          break
        case 'event':
          life.taken
            .get(message.id)!
            .push({ seq: message.seq, event: message.event, raw: message.raw })
          if (kill.mode === 'after events' && ++events === kill.events)
            killSoon(`after event ${events}`, kill.delayMs)
          break
        case 'outcome':
          life.outcomes.set(message.id, {
            status: message.status,
            ...(message.reasonCode !== undefined && { reasonCode: message.reasonCode }),
          })
          if (life.outcomes.size === (mode === 'run' ? payments.length : life.resumed?.length))
            killNow('once every payment had settled')
          break
        default:
          life.errors.push(line)
      }
    }
  })
  const exit = await exited
  for (const timer of timers) clearTimeout(timer)
  life.signal = exit.signal
  if (!killed) life.killedBy = `exited by itself (code ${exit.code})`
  return life
}

// ---- helpers ----------------------------------------------------------------------------------

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** The POS of the recovering process: takes every event, accepts every signature. */
function follow(payment: Payment): Promise<{ events: PaymentEvent[]; outcome: Outcome }> {
  return (async () => {
    const events: PaymentEvent[] = []
    for await (const event of payment) {
      events.push(event)
      if (event.type === 'signatureRequired')
        await (event as SignatureRequiredEvent).accept().catch(() => false)
    }
    return { events, outcome: await payment.outcome }
  })()
}

const registerFor = (terminal: string, seed: number): RegisterOptions => {
  const hex = (seed * 7919 + terminal.charCodeAt(terminal.length - 1))
    .toString(16)
    .padStart(12, '0')
  return {
    id: `2e7b9c14-6a3f-4d81-b5e0-${hex.slice(-12)}`,
    name: `Lane ${terminal}`,
    businessName: 'Corner Toys',
    vendorName: 'ToyPOS',
  }
}

const sameEvent = (e: { event?: string; type?: string; raw: unknown }) =>
  `${e.event ?? e.type} ${JSON.stringify(e.raw)}`

// ---- one round --------------------------------------------------------------------------------

/** The journal file as a dead process left it, folded as the file journal folds it (no lock taken). */
function readJournal(path: string): Map<string, JournalEntry> {
  const entries = new Map<string, JournalEntry>()
  if (!existsSync(path)) return entries
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue
    let record: JournalRecord
    try {
      record = JSON.parse(line) as JournalRecord
    } catch {
      continue // a torn last line: opening the journal cuts it off
    }
    if ('paymentId' in record) foldRecord(entries, record)
  }
  return structuredClone(entries)
}

/** One POS session over one payment: what it took, and what the journal said was taken before it. */
interface Session {
  who: string
  /** `cursor.delivered` journaled when this process began (0 for the first). */
  from: number
  events: TakenEvent[]
}

async function round(seed: number, expect: ExpectStatic): Promise<string> {
  const { payments, kill, second } = planRound(seed)
  const clouds = {
    ps: createPaymentsenseCloud({ stepMs: 150, signatureTimeoutMs: 4_000 }),
    payroc: createPayrocCloud({ holdMs: 1_000, timings: { cardMs: 600, authMs: 400 } }),
    sc: createSmartConnectCloud({ stepMs: 300 }),
  }
  const servers: RunningServer[] = []
  const dir = await mkdtemp(join(tmpdir(), 'tillkit-process-kill-'))
  const path = join(dir, 'journal.jsonl')
  const lockFile = `${path}.lock`
  let B: ReturnType<typeof createOrchestrator> | undefined
  let journal: Awaited<ReturnType<typeof createFileJournal>> | undefined
  const children: Life[] = []
  try {
    const start = async (handler: (request: Request) => Promise<Response>) => {
      const server = await serve(handler)
      servers.push(server)
      return server.url
    }
    const registers: Record<string, RegisterOptions> = {}
    for (const terminal of TERMINALS.sc) {
      registers[terminal] = registerFor(terminal, seed)
      await createSmartConnectClient({
        environment: 'dev',
        register: registers[terminal],
        fetch: clouds.sc.fetch,
      }).pair(clouds.sc.terminals.get(terminal).pairingCode)
    }
    const wiring: Wiring = {
      urls: {
        paymentsense: await start(clouds.ps.fetch),
        payroc: await start(clouds.payroc.fetch),
        smartconnect: await start(clouds.sc.fetch),
      },
      registers,
    }
    const stderrOf = () =>
      children
        .map((c) => c.stderr.slice(-1_500))
        .filter(Boolean)
        .join(' | ') || 'none'
    const killedBy = () => children.map((c) => c.killedBy).join('; then the recovery, ')
    const context = () => `seed ${seed}, killed ${killedBy()}; children's stderr: ${stderrOf()}`
    const died = (life: Life, who: string) => {
      expect(life.errors, `${who}: ${context()}`).toEqual([])
      expect(life.signal, `${who} did not die of SIGKILL: ${context()}`).toBe('SIGKILL')
      // The dead process's lock is still there, naming it.
      expect(existsSync(lockFile), `no lock left by ${who}: ${context()}`).toBe(true)
      expect(JSON.parse(readFileSync(lockFile, 'utf8')), context()).toMatchObject({ pid: life.pid })
    }

    // ---- process A: starts the payments, runs until SIGKILL ----
    const A = await runAndKill('run', path, wiring, payments, kill)
    children.push(A)
    died(A, 'the till')
    const afterA = readJournal(path)

    // ---- process A2 (some rounds): recovers in a child, and is SIGKILLed too ----
    let A2: Life | undefined
    let afterA2 = afterA
    if (second) {
      A2 = await runAndKill('recover', path, wiring, payments, second)
      children.push(A2)
      died(A2, 'the recovering till')
      const unfinishedA = [...afterA.values()].filter((e) => !e.outcome).map((e) => e.paymentId)
      if (A2.resumed)
        expect(
          A2.resumed.sort(),
          `recover() resumes every unfinished payment: ${context()}`,
        ).toEqual(unfinishedA.sort())
      afterA2 = readJournal(path)
    }

    // ---- process B (this one): takes the lock over, recovers ----
    journal = await createFileJournal(path)
    expect(JSON.parse(readFileSync(lockFile, 'utf8')), 'the lock was not taken over').toMatchObject(
      {
        pid: process.pid,
      },
    )
    const before = new Map<string, JournalEntry>()
    for (const id of afterA2.keys()) {
      const entry = await journal.get(id)
      if (entry) before.set(id, entry)
    }
    expect(before, `the journal opened does not read as the file: ${context()}`).toEqual(afterA2)
    const unfinished = (await journal.unfinished()).map((e) => e.paymentId).sort()
    B = createOrchestrator({ accounts: makeAccounts(wiring), journal, spacingMarginMs: 20 })
    const resumed = await B.recover()
    expect(
      resumed.map((p) => p.id).sort(),
      `recover() resumes every unfinished payment: ${context()}`,
    ).toEqual(unfinished)
    for (const p of resumed) expect(p.recovered).toBe(true)
    const followed = new Map<string, { events: PaymentEvent[]; outcome: Outcome }>()
    await Promise.all(
      resumed.map(async (p) =>
        followed.set(
          p.id,
          await withTimeout(follow(p), 30_000, `resumed payment ${p.id} (${context()})`),
        ),
      ),
    )
    expect(
      await journal.unfinished(),
      `payments left unfinished after recovery: ${context()}`,
    ).toEqual([])

    // Let every terminal finish what it was doing (a lost start goes on without anyone watching),
    // so every charge that will ever be made is in the ledgers.
    const idle = () =>
      TERMINALS.ps.every((t) => clouds.ps.terminals.get(t).activeRequestId === undefined) &&
      TERMINALS.payroc.every((t) => clouds.payroc.devices.get(t).busyWith === undefined) &&
      TERMINALS.sc.every((t) => clouds.sc.terminals.get(t).activeTransactionId === undefined)
    for (let waited = 0; !idle() && waited < 15_000; waited += 100)
      await new Promise((done) => setTimeout(done, 100))
    expect(idle(), `terminals still busy 15 s after recovery: ${context()}`).toBe(true)
    await new Promise((done) => setTimeout(done, 300))

    // ---- every planned payment against its terminal's ledger ----
    const intents = new Map([...afterA2.values()].map((e) => [e.request.reference, e.paymentId]))
    const lines: string[] = []
    for (const planned of payments) {
      const id = intents.get(planned.key)
      const told = A.sales.get(planned.key)
      const ledger = ledgerOf(clouds, planned)
      const entry = id ? before.get(id) : undefined
      const result = id ? followed.get(id) : undefined
      const outcome = entry?.outcome ?? result?.outcome
      const facts =
        `${planned.key} ${planned.amount} ${planned.currency}: ` +
        `${outcome ? `${outcome.status} (${outcome.reasonCode ?? '-'}: ${outcome.reason ?? ''})` : 'no outcome'}` +
        `; journal ${entry ? `started ${entry.started}, sending ${entry.sending ?? false}, cursor ${entry.cursor.delivered}, ${entry.outcome ? 'finished' : 'resumed'}` : 'none'}` +
        `; ledger ${ledger.entries} entries, ${ledger.charges} charges; ${context()}`
      const sessions: Session[] = id
        ? [
            { who: 'A', from: 0, events: A.taken.get(id) ?? [] },
            ...(A2?.taken.has(id)
              ? [
                  {
                    who: 'A2',
                    from: afterA.get(id)?.cursor.delivered ?? 0,
                    events: A2.taken.get(id)!,
                  },
                ]
              : []),
            ...(result
              ? [
                  {
                    who: 'B',
                    from: entry?.cursor.delivered ?? 0,
                    events: result.events.map((e) => ({ seq: e.seq, event: e.type, raw: e.raw })),
                  },
                ]
              : []),
          ]
        : []
      const settledIn = !id
        ? 'not journaled'
        : afterA.get(id)?.outcome
          ? 'settled in A'
          : entry?.outcome
            ? 'settled in A2'
            : 'recovered by B'
      lines.push(
        `${planned.key} ${planned.amount}: ${settledIn}` +
          (entry ? ` (started ${entry.started}, sending ${entry.sending ?? false})` : '') +
          ` → ${outcome?.status ?? '-'}${outcome?.reasonCode ? ` (${outcome.reasonCode})` : ''}` +
          `; ledger ${ledger.entries}/${ledger.charges}; seqs ` +
          (sessions
            .map((s) => `${s.who}[>${s.from}] ${s.events.map((e) => e.seq).join(' ') || '-'}`)
            .join(', ') || '-'),
      )

      // The POS was told about it: the journal has it.
      if (told) {
        expect(id, `sale() resolved, but the journal has no intent: ${facts}`).toBe(told)
        expect(entry, `sale() resolved, but the journal lost it: ${facts}`).toBeDefined()
      }
      if (!id || !entry) {
        // Never journaled: nothing may have been sent.
        expect(ledger.entries, `reached the acquirer without an intent: ${facts}`).toBe(0)
        continue
      }
      expect(outcome, `neither finished in the journal nor resumed: ${facts}`).toBeDefined()
      if (entry.outcome) {
        expect(followed.has(id), `resumed although the journal has its outcome: ${facts}`).toBe(
          false,
        )
        expect(await B.outcomeOf(id), facts).toEqual(entry.outcome)
      }
      // An outcome a POS was given is the journaled one.
      for (const life of [A, A2]) {
        const given = life?.outcomes.get(id)
        if (!given) continue
        expect(
          entry.outcome,
          `the POS got ${given.status}, the journal has no outcome: ${facts}`,
        ).toBeDefined()
        expect(entry.outcome!.status, facts).toBe(given.status)
      }
      checkOutcome(expect, planned, entry, outcome!, ledger, facts)
      // Connect REST: the transaction's whole notification list, as the fake shows it now.
      const requestId = entry.ids.requestId
      const shown =
        planned.account === 'ps' && typeof requestId === 'string'
          ? clouds.ps.terminals.transaction(planned.terminal, requestId).notifications
          : undefined
      checkEvents(expect, planned, outcome!, sessions, shown, facts)
    }
    // Nothing charged that no payment of the plan can account for.
    const planned = new Set(payments.map((p) => p.terminal))
    const strays = [
      ...clouds.ps.ledger.filter((e) => !planned.has(e.tid)),
      ...clouds.payroc.ledger.filter((e) => !planned.has(e.serialNumber ?? '')),
      ...clouds.sc.ledger.filter((e) => !planned.has(e.deviceId)),
    ]
    expect(strays, context()).toEqual([])
    return (
      `seed ${seed}: killed ${killedBy()}; ${A.sales.size}/${payments.length} sales told` +
      (A2 ? `, A2 resumed ${A2.resumed?.length ?? '(killed before recover() answered)'}` : '') +
      `, B resumed ${resumed.length}\n  ${lines.join('\n  ')}`
    )
  } finally {
    await B?.close().catch(() => {})
    await journal?.close?.().catch(() => {})
    for (const server of servers) await server.close().catch(() => {})
    for (const child of children) if (child.signal === null) process.kill(child.pid, 'SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
}

interface LedgerView {
  /** Payments that reached the acquirer (approved or not). */
  entries: number
  /** Money taken, net of reversals. */
  charges: number
  /** The charge, when there is one: amount and the provider's id of it. */
  charge?: { amount: number; id?: string; reference?: string }
}

function ledgerOf(
  clouds: {
    ps: ReturnType<typeof createPaymentsenseCloud>
    payroc: ReturnType<typeof createPayrocCloud>
    sc: ReturnType<typeof createSmartConnectCloud>
  },
  planned: PlannedPayment,
): LedgerView {
  if (planned.account === 'ps') {
    const rows = clouds.ps.ledger.filter((e) => e.tid === planned.terminal)
    const sales = rows.filter((e) => e.kind === 'sale')
    const approved = sales.filter((e) => e.result === 'SUCCESSFUL')
    const reversed = rows.filter((e) => e.kind === 'reversal' && e.result === 'SUCCESSFUL')
    const kept = approved.filter((s) => !reversed.some((r) => r.requestId === s.requestId))
    return {
      entries: sales.length,
      charges: approved.length - reversed.length,
      ...(kept.length === 1 && { charge: { amount: kept[0]!.amount, id: kept[0]!.requestId } }),
    }
  }
  if (planned.account === 'payroc') {
    const sales = clouds.payroc.ledger.filter(
      (e) => e.serialNumber === planned.terminal && e.kind === 'sale',
    )
    const approved = sales.filter((e) => e.result === 'approved' || e.result === 'partial')
    return {
      entries: sales.length,
      charges: approved.length,
      ...(approved.length === 1 && {
        charge: {
          amount: approved[0]!.authorizedAmount,
          ...(approved[0]!.paymentId !== undefined && { id: approved[0]!.paymentId }),
          ...(approved[0]!.orderId !== undefined && { reference: approved[0]!.orderId }),
        },
      }),
    }
  }
  const purchases = clouds.sc.ledger.filter(
    (e) => e.deviceId === planned.terminal && e.kind === 'purchase',
  )
  const accepted = purchases.filter((e) => e.result === 'ACCEPTED')
  return {
    entries: purchases.length,
    charges: accepted.length,
    ...(accepted.length === 1 && {
      charge: { amount: accepted[0]!.amount, id: accepted[0]!.transactionId },
    }),
  }
}

/** README, Journal and recovery (and each provider's section): the outcome against the ledger. */
function checkOutcome(
  expect: ExpectStatic,
  planned: PlannedPayment,
  entry: JournalEntry,
  outcome: Outcome,
  ledger: LedgerView,
  facts: string,
): void {
  expect(outcome.paymentId, facts).toBe(entry.paymentId)
  expect(outcome.reference, facts).toBe(planned.key)
  expect(
    ledger.entries,
    `the acquirer saw the payment more than once: ${facts}`,
  ).toBeLessThanOrEqual(1)
  expect(ledger.charges, `charged more than once: ${facts}`).toBeLessThanOrEqual(1)
  expect(ledger.charges, facts).toBeGreaterThanOrEqual(0)
  if (!maySendHaveLeft(entry)) {
    // "A payment whose journal has the intent but no `sending` record never sent its start ...
    // `recover()` settles it `failed` (`not-sent`) and sends nothing" (unless it had settled).
    if (!entry.outcome)
      expect(outcome, `journaled without sending: ${facts}`).toMatchObject({
        status: 'failed',
        reasonCode: 'not-sent',
      })
    expect(ledger.entries, `sent although the journal never had it sending: ${facts}`).toBe(0)
  }
  switch (outcome.status) {
    case 'approved': {
      expect(ledger.charges, `approved without a charge: ${facts}`).toBe(1)
      expect(ledger.charge?.amount, `charged another amount: ${facts}`).toBe(planned.amount)
      const approvedAmount = outcome.amounts.approved ?? outcome.amounts.total
      if (approvedAmount !== undefined) expect(approvedAmount, facts).toBe(planned.amount)
      const ids = outcome.providerIds
      const named =
        planned.account === 'ps'
          ? ids.requestId
          : planned.account === 'payroc'
            ? ids.paymentId
            : ids.transactionId
      if (named !== undefined)
        expect(ledger.charge?.id, `approved names another charge: ${facts}`).toBe(named)
      if (ledger.charge?.reference !== undefined)
        expect(ledger.charge.reference, facts).toBe(planned.key)
      break
    }
    case 'declined':
    case 'failed':
    case 'cancelled':
      expect(ledger.charges, `${outcome.status}, yet charged: ${facts}`).toBe(0)
      break
    case 'unknown': {
      // README, recovery table: Paymentsense REST and SmartConnect say `unknown` (`lost-start`) for
      // a start that never answered; Payroc replays a submit with its key and long-polls an id, and
      // is `unknown` only past retentionMs or after five minutes of refused replays, which this test
      // never reaches.
      const allowed = planned.account !== 'payroc' && !entry.started
      expect(allowed, `unknown where the README does not allow it: ${facts}`).toBe(true)
      expect(outcome.reconcile, `unknown without reconciliation facts: ${facts}`).toMatchObject({
        account: planned.account,
        terminal: planned.terminal,
        kind: 'sale',
        amount: planned.amount,
        currency: planned.currency,
        reference: planned.key,
        startedAt: entry.startedAt,
      })
      expect(outcome.reconcile!.why, facts).toEqual(expect.any(String))
      expect(outcome.reconcile!.check.length, facts).toBeGreaterThan(0)
      break
    }
    default:
      throw new Error(`unexpected status: ${facts}`)
  }
}

/**
 * README, Journal and recovery: events across real crashes. Each session is one process's POS
 * (A, the recovering child A2 when there is one, then B), with the `delivered` its process
 * recovered from.
 */
function checkEvents(
  expect: ExpectStatic,
  planned: PlannedPayment,
  outcome: Outcome,
  sessions: Session[],
  shown: readonly unknown[] | undefined,
  facts: string,
): void {
  const describe = (e: TakenEvent) => `${e.seq} ${sameEvent(e)}`
  const text =
    sessions
      .map(
        (s) =>
          `${s.who} (journal: taken up to ${s.from}) took ${s.events.map(describe).join(', ') || 'none'}`,
      )
      .join('; ') + `; ${facts}`
  /** seq → the event a POS took under it, in any process so far. */
  const bySeq = new Map<number, TakenEvent>()
  for (const session of sessions) {
    if (session.who === 'A')
      // Within one process: each event once, in order, seq 1, 2, 3...
      expect(
        session.events.map((e) => e.seq),
        text,
      ).toEqual(session.events.map((_, i) => i + 1))
    // After a recovery: nothing the journal says was taken comes again; seqs only grow.
    session.events.forEach((e, i) =>
      expect(
        e.seq,
        `${session.who}: seq went back or repeated a journaled take: ${text}`,
      ).toBeGreaterThan(i ? session.events[i - 1]!.seq : session.from),
    )
    // A seq taken before may come again only as the same event (taken before its cursor landed).
    for (const e of session.events) {
      const earlier = bySeq.get(e.seq)
      if (earlier)
        expect(sameEvent(e), `${session.who}: seq ${e.seq} given to another event: ${text}`).toBe(
          sameEvent(earlier),
        )
      else bySeq.set(e.seq, e)
    }
  }
  if (planned.account === 'ps' && outcome.status !== 'unknown' && sessions.at(-1)?.who === 'B') {
    // Connect REST repeats its whole list on every poll: nothing handed out and not taken is lost,
    // and the POS's seqs, across the processes, run 1..n (when B followed it to its end; a payment
    // that settled before a crash is not resumed, so what its POS had not taken is not shown again).
    const all = [...bySeq.keys()].sort((a, b) => a - b)
    expect(all, `events lost across the crash: ${text}`).toEqual(all.map((_, i) => i + 1))
    // Each notification of the transaction once, in order: none lost, none told twice.
    if (shown)
      expect(
        all.map((seq) => bySeq.get(seq)!.raw),
        `the POS's events across the crash are not the transaction's notifications (${shown.join(' ')}): ${text}`,
      ).toEqual(shown)
    if (outcome.status === 'approved' || outcome.status === 'declined')
      expect(
        [...bySeq.values()].map((e) => e.event),
        `the POS never got 'finished': ${text}`,
      ).toContain('finished')
  }
}

// ---- the rounds -------------------------------------------------------------------------------

describe('a real SIGKILL of the till process, then recover() from its journal file', () => {
  it.concurrent.for(SEEDS)('seed %i', { timeout: 90_000 }, async (seed, { expect }) => {
    const summary = await round(seed, expect)
    console.log(summary)
  })
})

/**
 * The orchestrator under load: 1,000 concurrent Paymentsense payments over 100 accounts of 10
 * terminals, each account a fake cloud on its own loopback server (so the fake's per-account
 * spacing rule applies per account). Three kinds of process, so that nothing measured is disturbed
 * by something else's work:
 *
 * - the fakes, spread over a few child processes: each stamps every request as it arrives, so
 *   cadence and spacing are measured where the provider would see them;
 * - the orchestrator alone in a plain `node` child running the built package (`dist`, as users run
 *   it; no TypeScript loader), so its peak RSS and CPU are the orchestrator's and its HTTP client's;
 * - this process, which only starts the others and collects their numbers.
 */
import { spawn, fork, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { systemClock } from '@tillkit/core'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { serve } from '@tillkit/simulator'

const DEFAULT_ACCOUNTS = 100
const TERMINALS = 10
/** Child processes hosting the fakes: one core is left to the orchestrator, at most four for the fakes. */
const SERVER_PROCESSES =
  Number(process.env.ORCHESTRATOR_BENCH_SERVERS) ||
  Math.min(4, Math.max(1, availableParallelism() - 1))
const API_KEY = 'bench-api-key'
const CADENCE_MS = 1_000
const SPACING_MS = 100
/** The fake's terminal step; the scenario (amount ending 09, a slow card) keeps each payment ~24 s. */
const STEP_MS = 400
const AMOUNT = 1209
const SERVER_FLAG = '--orchestrator-bench-server'
const FLOOR_FLAG = '--orchestrator-bench-floor-server'

export interface OrchestratorBenchResult {
  payments: number
  accounts: number
  /** Poll-to-poll gap of one payment at the fake, less the cadence: p50 and p99 of its absolute value. */
  cadenceErrorMs: { p50: number; p99: number; samples: number }
  /**
   * The p99 of the same by when the gap ended: in the first 2 s of polling (the thousand starts
   * still going out), the last 2 s (the payments settling), and in between.
   */
  cadenceP99ByPhaseMs: { start: number; steady: number; end: number }
  /** Send time minus due time inside the orchestrator (queueing behind the account's spacing, timer lateness). */
  dispatchDelayMs: { p50: number; p99: number }
  /** 429s the fakes gave for requests closer than 0.1 s on one account. */
  spacingViolations: number
  /** Smallest gap between two requests of one account, as the fakes saw them. */
  minGapMs: number
  duplicateEvents: number
  /** Events missing from a stream, compared with the final cumulative notification list. */
  missingEvents: number
  outcomes: Record<string, number>
  /** Charges in the fakes' ledgers: must equal the number of approved payments. */
  charges: number
  /** Of the orchestrator's process (plain node, built package). */
  peakRssMb: number
  baselineRssMb: number
  /** CPU time of the orchestrator's process per second of payment run time. */
  cpuMsPerPaymentSecond: number
  wallMs: number
  /** The margin the orchestrator was given; undefined: its default. */
  spacingMarginMs: number | undefined
  /** Event-loop stalls: the orchestrator's process (p99, max) and the fakes' (max). */
  eventLoopLagMs: {
    orchestratorP99: number
    orchestratorMax: number
    fakesP99: number
    fakesMax: number
  }
}

interface ServerStats {
  violations: number
  gaps: Gap[]
  minGapMs: number
  charges: number
  /** Longest event-loop stall of the fakes' process. */
  lagMaxMs: number
  lagP99Ms: number
}

interface ClientResult {
  delays: number[]
  duplicateEvents: number
  missingEvents: number
  outcomes: Record<string, number>
  peakRss: number
  baselineRss: number
  cpuMs: number
  paymentSeconds: number
  wallMs: number
  lagMs: { p99: number; max: number }
}

/** A gap between two arrivals of one series: when it ended (epoch ms) and how long it was. */
type Gap = [end: number, ms: number]

/** Gaps between consecutive arrivals of each series (one series per transaction polled). */
function gapsOf(series: Map<string, number[]>): Gap[] {
  const gaps: Gap[] = []
  for (const times of series.values())
    for (let i = 1; i < times.length; i++) gaps.push([times[i]!, times[i]! - times[i - 1]!])
  return gaps
}

/** How far poll-to-poll gaps are from the cadence: p50 and p99 of the absolute difference. */
function cadenceError(gaps: Gap[]): { p50: number; p99: number; samples: number } {
  const errors = gaps.map(([, ms]) => Math.abs(ms - CADENCE_MS)).sort((a, b) => a - b)
  return { p50: percentile(errors, 50), p99: percentile(errors, 99), samples: errors.length }
}

/** {@link cadenceError}'s p99 over the gaps that ended in the first 2 s, the last 2 s, and between. */
function cadenceP99ByPhase(gaps: Gap[]): { start: number; steady: number; end: number } {
  let first = Infinity
  let last = -Infinity
  for (const [end] of gaps) [first, last] = [Math.min(first, end), Math.max(last, end)]
  first += 2_000
  last -= 2_000
  const p99 = (keep: (end: number) => boolean) =>
    cadenceError(gaps.filter(([end]) => keep(end))).p99
  return {
    start: p99((end) => end < first),
    steady: p99((end) => end >= first && end <= last),
    end: p99((end) => end > last),
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN

export interface OrchestratorBenchOptions {
  /** Accounts of 10 terminals each, one payment per terminal. Default 100 (the goal's 1,000 payments). */
  accounts?: number
  /** Terminals per account (one payment each). Default 10: with a 1 s cadence and 0.1 s spacing, a full account. */
  terminals?: number
  /** The orchestrator's `spacingMarginMs`. Default: the orchestrator's own (0). */
  spacingMarginMs?: number
  /**
   * The HTTP client under the adapters: `node` (the clients' default on Node: core's `node:http`
   * fetch) or `platform` (the global fetch, given as `fetch`). Default `node`.
   */
  http?: 'node' | 'platform'
  /**
   * V8's settings for the orchestrator's process: `tuned` (the flags the orchestrator README
   * recommends for a process dedicated to payments, {@link TUNED_V8_FLAGS}) or V8's `default`.
   * Default `tuned`.
   */
  v8?: 'tuned' | 'default'
}

/**
 * Young generation at most 4 MB a semi-space, old generation 80 MB (the live data is about 30 MB),
 * and no allocation-site pretenuring: after the start-up burst (a thousand starts queued at once)
 * V8 decides that the request path's objects live long and allocates them straight into the old
 * generation, where they die by the megabyte; measured, that tripled the old-generation collections
 * and made single scavenges take up to 49 ms.
 */
export const TUNED_V8_FLAGS = [
  '--max-semi-space-size=4',
  '--max-old-space-size=80',
  '--no-allocation-site-pretenuring',
]

/** Fake-server child: accounts `from` to `to - 1`, each a fake on its own server. */
async function runServers(from: number, to: number, terminals: number): Promise<void> {
  const clouds: Array<ReturnType<typeof createFakeCloud>> = []
  const urls: string[] = []
  /** Arrival times of each transaction's polls. */
  const polls = new Map<string, number[]>()
  let violations = 0
  let minGapMs = Infinity
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  for (let a = from; a < to; a++) {
    const cloud = createFakeCloud({
      apiKeys: [API_KEY],
      clock: systemClock,
      stepMs: STEP_MS,
      requestSpacingMs: SPACING_MS,
      terminals: Array.from({ length: terminals }, (_, t) => ({ tid: `A${a}T${t}` })),
    })
    let last = -Infinity
    const server = await serve(async (request) => {
      const now = Date.now()
      minGapMs = Math.min(minGapMs, now - last)
      last = now
      const response = await cloud.fetch(request)
      if (response.status === 429) violations++
      const path = new URL(request.url).pathname
      if (request.method === 'GET' && path.includes('/transactions/')) {
        const times = polls.get(path) ?? []
        times.push(now)
        polls.set(path, times)
      }
      return response
    })
    clouds.push(cloud)
    urls.push(server.url)
  }
  process.send!({ type: 'ready', urls })
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stats') return
    const gaps = gapsOf(polls)
    const charges = clouds.reduce((n, cloud) => n + cloud.ledger.length, 0)
    const stats: ServerStats = {
      violations,
      gaps,
      minGapMs,
      charges,
      lagMaxMs: lag.max / 1e6,
      lagP99Ms: lag.percentile(99) / 1e6,
    }
    process.send!({ type: 'stats', stats }, () => process.exit(0))
  })
}

/**
 * The floor's server child: `accounts` bare `node:http` servers answering every request at once
 * with a poll-sized JSON body, stamping arrivals per account and path as the fakes do.
 */
async function runFloorServers(accounts: number): Promise<void> {
  const arrivals = new Map<string, number[]>()
  const body = JSON.stringify({
    requestId: '0'.repeat(36),
    notifications: ['TRANSACTION_STARTED', 'PRESENT_CARD', 'PIN_ENTRY', 'PLEASE_WAIT'],
    transactionType: 'SALE',
    amountBase: AMOUNT,
  })
  const ports: number[] = []
  for (let a = 0; a < accounts; a++) {
    const server = createServer((req, res) => {
      const key = `${a} ${req.url}`
      const times = arrivals.get(key) ?? []
      times.push(Date.now())
      arrivals.set(key, times)
      req.resume()
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    ports.push((server.address() as AddressInfo).port)
  }
  process.send!({ type: 'ready', ports })
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stats') return
    const gaps = gapsOf(arrivals)
    process.send!({ type: 'stats', gaps }, () => process.exit(0))
  })
}

const flag = process.argv.indexOf(SERVER_FLAG)
if (flag >= 0)
  await runServers(
    Number(process.argv[flag + 1]),
    Number(process.argv[flag + 2]),
    Number(process.argv[flag + 3]),
  )

if (process.argv.includes(FLOOR_FLAG))
  await runFloorServers(Number(process.argv[process.argv.indexOf(FLOOR_FLAG) + 1]))

/**
 * How the bare clients wait the spacing after an answer: `setTimeout` counts from the event loop's
 * cached time, which may be a millisecond or more behind, so its callback can run before `ms` have
 * really passed (and the fakes then answer 429). Checked against `performance.now()` and topped up,
 * as the orchestrator's timers are.
 */
const AFTER_SOURCE = String.raw`
const after = (ms, run) => {
  const due = performance.now() + ms
  const check = () => { const left = due - performance.now(); if (left > 0) setTimeout(check, Math.ceil(left)); else run() }
  setTimeout(check, ms)
}
`

/**
 * The floor's client, a plain `node` like the orchestrator's: per account, one request at a time
 * over a kept-alive `node:http` agent, round-robin over the account's terminals, each sent the
 * spacing after the previous answer (the orchestrator's rule), lanes started at the same
 * golden-ratio phases. No Fetch API, no client, no orchestrator: what this machine's loopback and
 * event loops cost by themselves.
 */
const FLOOR_CLIENT_SOURCE =
  AFTER_SOURCE +
  String.raw`
const { request, Agent } = await import('node:http')
process.once('message', ({ ports, terminals, spacingMs, durationMs }) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const end = Date.now() + durationMs
  let open = ports.length
  ports.forEach((port, a) => {
    let next = 0
    const send = () => {
      if (Date.now() > end) { if (--open === 0) process.send({ type: 'result' }, () => process.exit(0)); return }
      const path = '/pac/terminals/T' + (next++ % terminals) + '/transactions/0'
      request({ host: '127.0.0.1', port, path, agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => { JSON.parse(Buffer.concat(chunks).toString()); after(spacingMs, send) })
      }).end()
    }
    setTimeout(send, Math.floor(((a * 0.6180339887498949) % 1) * spacingMs))
  })
})
process.send({ type: 'ready' })
`

/**
 * The floor under (g)'s cadence error on this machine: the same accounts, terminals and spacing
 * rule (each request the spacing after the previous answer) with nothing but `node:http` on both
 * sides. On a full account a cycle is ten round trips plus ten timer turns longer than the
 * cadence, however cheap the code; this measures those on the machine the bench runs on.
 */
export async function cadenceFloor(
  options: { accounts?: number; terminals?: number; durationMs?: number } = {},
): Promise<{ p50: number; p99: number; samples: number }> {
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS
  const server = fork(fileURLToPath(import.meta.url), [FLOOR_FLAG, String(accounts)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const client = spawn(process.execPath, ['--input-type=module', '--eval', FLOOR_CLIENT_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  try {
    const { ports } = await ask<{ ports: number[] }>(server, 'ready')
    await ask(client, 'ready')
    await ask(client, 'result', {
      ports,
      terminals: options.terminals ?? TERMINALS,
      spacingMs: SPACING_MS,
      durationMs: options.durationMs ?? 20_000,
    })
    const { gaps } = await ask<{ gaps: Gap[] }>(server, 'stats', { type: 'stats' })
    return cadenceError(gaps)
  } finally {
    for (const child of [client, server]) if (child.exitCode === null) child.kill()
  }
}

/**
 * The floor with the fakes: a client as bare as the floor's (`node:http`, one request at a time per
 * account, each the spacing after the previous answer, round-robin over the terminals) that starts
 * a sale on every terminal of the real fake clouds and polls each to its end. What is left of the
 * cadence error is the fakes', the loopback's and the machine's, with no client code to speak of:
 * the orchestrator cannot do better than this on the machine the bench runs on.
 */
const BARE_CLIENT_SOURCE =
  AFTER_SOURCE +
  String.raw`
const { request, Agent } = await import('node:http')
process.once('message', ({ urls, terminals, amount, spacingMs, apiKey }) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const media = 'application/connect.v2+json'
  const headers = {
    authorization: 'Basic ' + Buffer.from('bench:' + apiKey).toString('base64'),
    'software-house-id': 'SWH', 'installer-id': 'INST', accept: media,
  }
  const outcomes = {}
  let open = urls.length
  urls.forEach((url, a) => {
    const { hostname, port } = new URL(url)
    const requestIds = new Map()
    const turns = Array.from({ length: terminals }, (_, t) => 'A' + a + 'T' + t)
    const send = () => {
      const tid = turns.shift()
      if (tid === undefined) {
        if (--open === 0) process.send({ type: 'result', outcomes }, () => process.exit(0))
        return
      }
      const id = requestIds.get(tid)
      const body = id ? undefined : JSON.stringify({ transactionType: 'SALE', amount, currency: 'GBP' })
      const path = '/pac/terminals/' + tid + '/transactions' + (id ? '/' + id : '')
      const options = { host: hostname, port, path, agent, method: id ? 'GET' : 'POST',
        headers: body ? { ...headers, 'content-type': media } : headers }
      request(options, (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString())
          if (res.statusCode >= 300) outcomes['http ' + res.statusCode] = (outcomes['http ' + res.statusCode] ?? 0) + 1
          if (!id && res.statusCode < 300) requestIds.set(tid, answer.requestId)
          if (id && answer.notifications?.includes('TRANSACTION_FINISHED')) {
            outcomes[answer.transactionResult] = (outcomes[answer.transactionResult] ?? 0) + 1
          } else turns.push(tid)
          after(spacingMs, send)
        })
      }).end(body)
    }
    setTimeout(send, Math.floor(((a * 0.6180339887498949) % 1) * spacingMs))
  })
})
process.send({ type: 'ready' })
`

/** Fake-server children for accounts 0 to `accounts - 1`, spread over {@link SERVER_PROCESSES}. */
async function startFakes(
  accounts: number,
  terminals: number,
): Promise<{ servers: ChildProcess[]; urls: string[] }> {
  const processes = Math.min(SERVER_PROCESSES, accounts)
  const per = Math.ceil(accounts / processes)
  const servers = Array.from({ length: processes }, (_, i) =>
    fork(
      fileURLToPath(import.meta.url),
      [SERVER_FLAG, String(i * per), String(Math.min(accounts, (i + 1) * per)), String(terminals)],
      {
        // ORCHESTRATOR_BENCH_SERVER_FLAGS: extra node flags for the fakes' processes.
        execArgv: [
          '--import',
          'tsx',
          ...(process.env.ORCHESTRATOR_BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
        ],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    ),
  )
  try {
    const ready = await Promise.all(servers.map((s) => ask<{ urls: string[] }>(s, 'ready')))
    return { servers, urls: ready.flatMap((r) => r.urls) }
  } catch (error) {
    await stopChildren(servers)
    throw error
  }
}

/** What each fakes' process saw. */
async function fakeStats(servers: ChildProcess[]): Promise<ServerStats[]> {
  const answers = await Promise.all(
    servers.map((s) => ask<{ stats: ServerStats }>(s, 'stats', { type: 'stats' })),
  )
  return answers.map((r) => r.stats)
}

/**
 * Waits for children that exit by themselves (a profile, if asked for, is written then); a child
 * still running after 10 s, or after a failure, is stopped.
 */
function stopChildren(children: ChildProcess[]): Promise<unknown> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          const timer = setTimeout(() => child.kill(), 10_000)
          child.once('exit', () => {
            clearTimeout(timer)
            done()
          })
        }),
    ),
  )
}

/**
 * (g) with the orchestrator replaced by {@link BARE_CLIENT_SOURCE}: the same fakes, accounts,
 * terminals, sale and spacing rule. Its cadence error is the part of (g)'s that no client removes.
 */
export async function fakesFloor(options: { accounts?: number; terminals?: number } = {}): Promise<{
  cadenceErrorMs: { p50: number; p99: number; samples: number }
  outcomes: Record<string, number>
  spacingViolations: number
}> {
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS
  const terminals = options.terminals ?? TERMINALS
  const { servers, urls } = await startFakes(accounts, terminals)
  const client = spawn(process.execPath, ['--input-type=module', '--eval', BARE_CLIENT_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  try {
    await ask(client, 'ready')
    const { outcomes } = await ask<{ outcomes: Record<string, number> }>(client, 'result', {
      urls,
      terminals,
      amount: AMOUNT,
      spacingMs: SPACING_MS,
      apiKey: API_KEY,
    })
    const stats = await fakeStats(servers)
    return {
      cadenceErrorMs: cadenceError(stats.flatMap((s) => s.gaps)),
      outcomes,
      spacingViolations: stats.reduce((n, s) => n + s.violations, 0),
    }
  } finally {
    await stopChildren([client, ...servers])
  }
}

/**
 * The orchestrator's side, run by a plain `node` (ES module source, no loader): it imports the
 * built package, runs every payment to its outcome with its events, and reports.
 */
const CLIENT_SOURCE = String.raw`
const { createOrchestrator } = await import(process.env.ORCHESTRATOR_URL)
const { paymentsenseAdapter } = await import(process.env.ORCHESTRATOR_PAYMENTSENSE_URL)
process.once('message', async ({ urls, terminals, amount, cadenceMs, spacingMs, margin, apiKey, http }) => {
  const accounts = {}
  // The clients' default (on Node, core's node:http fetch, one pool for the process), or the platform fetch.
  const fetch = http === 'node' ? undefined : globalThis.fetch
  urls.forEach((baseUrl, a) => {
    accounts['acct' + a] = paymentsenseAdapter({
      account: 'acct' + a, environment: 'test', baseUrl, apiKey,
      softwareHouseId: 'SWH', installerId: 'INST', cadenceMs, spacingMs, fetch,
    })
  })
  const delays = []
  const orchestrator = createOrchestrator({
    accounts,
    spacingMarginMs: margin,
    onDispatch: (d) => { if (d.request === 'poll') delays.push(d.sentAt - d.dueAt) },
  })
  const { monitorEventLoopDelay } = await import('node:perf_hooks')
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  const baselineRss = process.memoryUsage.rss()
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const runs = await Promise.all(urls.flatMap((_, a) => Array.from({ length: terminals }, async (_, t) => {
    const payment = await orchestrator.sale({
      account: 'acct' + a, terminal: 'A' + a + 'T' + t, amount, currency: 'GBP', reference: 'bench-' + a + '-' + t,
    })
    const begun = performance.now()
    const events = []
    const listening = (async () => { for await (const event of payment) events.push(event) })()
    const outcome = await payment.outcome
    await listening
    // Checked as each payment ends, as a POS would, so the run keeps only counts, not every event.
    const final = outcome.raw?.notifications ?? []
    return {
      status: outcome.status,
      duplicates: Math.max(0, events.length - final.length) + events.length - new Set(events.map((e) => e.seq)).size,
      missing: final.filter((value, i) => events[i]?.raw !== value).length,
      seconds: (performance.now() - begun) / 1000,
    }
  })))
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  // The kernel's own high-water mark (maxRSS, KiB): exact, and no sampling in the measured process.
  const peakRss = process.resourceUsage().maxRSS * 1024
  // Diagnosis: ORCHESTRATOR_BENCH_HEAP=<file> writes a heap snapshot of the finished run, and
  // ORCHESTRATOR_BENCH_MEMORY=1 prints the process's memory by V8 space.
  const v8 = await import('node:v8')
  if (process.env.ORCHESTRATOR_BENCH_HEAP) v8.writeHeapSnapshot(process.env.ORCHESTRATOR_BENCH_HEAP)
  if (process.env.ORCHESTRATOR_BENCH_MEMORY)
    console.error(process.memoryUsage(), v8.getHeapSpaceStatistics().map((s) => s.space_name + ' ' + (s.space_size / 2 ** 20).toFixed(1) + ' MB').join(', '))
  await orchestrator.close()
  let duplicateEvents = 0
  let missingEvents = 0
  const outcomes = {}
  for (const { status, duplicates, missing } of runs) {
    outcomes[status] = (outcomes[status] ?? 0) + 1
    duplicateEvents += duplicates
    missingEvents += missing
  }
  const paymentSeconds = runs.reduce((s, r) => s + r.seconds, 0)
  process.send({ type: 'result', result: {
    delays, duplicateEvents, missingEvents, outcomes, peakRss, baselineRss,
    cpuMs: (cpu.user + cpu.system) / 1000, paymentSeconds, wallMs,
    lagMs: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
  } }, () => process.exit(0))
})
process.send({ type: 'ready' })
`

function ask<T>(child: ChildProcess, type: string, request?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code})`))
    const onMessage = (message: { type: string } & Record<string, unknown>) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message as T)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    if (request) child.send(request)
  })
}

export async function orchestratorBench(
  options: OrchestratorBenchOptions = {},
): Promise<OrchestratorBenchResult> {
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS
  const spacingMarginMs = options.spacingMarginMs
  const terminals = options.terminals ?? TERMINALS
  const here = dirname(fileURLToPath(import.meta.url))
  const built = resolve(here, '../packages/orchestrator/dist/index.js')
  const adapter = resolve(here, '../packages/orchestrator/dist/paymentsense.js')
  for (const file of [built, adapter])
    if (!existsSync(file)) throw new Error(`run pnpm build first (${file} is missing)`)
  const { servers, urls } = await startFakes(accounts, terminals)
  // ORCHESTRATOR_BENCH_NODE_FLAGS: extra node flags for the orchestrator's process (e.g. --cpu-prof).
  const flags = [
    ...((options.v8 ?? 'tuned') === 'tuned' ? TUNED_V8_FLAGS : []),
    ...(process.env.ORCHESTRATOR_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
  ]
  const client = spawn(
    process.execPath,
    [...flags, '--input-type=module', '--eval', CLIENT_SOURCE],
    {
      env: {
        ...process.env,
        ORCHESTRATOR_URL: pathToFileURL(built).href,
        ORCHESTRATOR_PAYMENTSENSE_URL: pathToFileURL(adapter).href,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  try {
    await ask(client, 'ready')
    const { result } = await ask<{ result: ClientResult }>(client, 'result', {
      urls,
      terminals,
      amount: AMOUNT,
      cadenceMs: CADENCE_MS,
      spacingMs: SPACING_MS,
      margin: spacingMarginMs,
      apiKey: API_KEY,
      http: options.http ?? 'node',
    })
    const stats = await fakeStats(servers)
    const delays = result.delays.sort((a, b) => a - b)
    const gaps = stats.flatMap((s) => s.gaps)
    return {
      payments: Object.values(result.outcomes).reduce((n, k) => n + k, 0),
      accounts: urls.length,
      cadenceErrorMs: cadenceError(gaps),
      cadenceP99ByPhaseMs: cadenceP99ByPhase(gaps),
      dispatchDelayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99) },
      spacingViolations: stats.reduce((n, s) => n + s.violations, 0),
      minGapMs: Math.min(...stats.map((s) => s.minGapMs)),
      duplicateEvents: result.duplicateEvents,
      missingEvents: result.missingEvents,
      outcomes: result.outcomes,
      charges: stats.reduce((n, s) => n + s.charges, 0),
      peakRssMb: result.peakRss / 2 ** 20,
      baselineRssMb: result.baselineRss / 2 ** 20,
      cpuMsPerPaymentSecond: result.cpuMs / result.paymentSeconds,
      wallMs: result.wallMs,
      spacingMarginMs,
      eventLoopLagMs: {
        orchestratorP99: result.lagMs.p99,
        orchestratorMax: result.lagMs.max,
        fakesP99: Math.max(...stats.map((s) => s.lagP99Ms)),
        fakesMax: Math.max(...stats.map((s) => s.lagMaxMs)),
      },
    }
  } finally {
    await stopChildren([client, ...servers])
  }
}

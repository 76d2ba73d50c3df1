/**
 * `pnpm bench`: tillkit's performance goals, each measured against a baseline taken in the same run.
 * Run after `pnpm build` (the root script does it): the size benchmark reads the built packages.
 */
import { codegenTime } from './codegen-time.ts'
import { httpOverhead } from './http.ts'
import { cadenceFloor, fakesFloor, orchestratorBench } from './orchestrator.ts'
import { payrocPolling } from './payroc.ts'
import { bundleSize } from './size.ts'
import { websocketBench } from './websocket.ts'

interface Row {
  benchmark: string
  baseline: string
  measured: string
  ratio: string
  goal: string
  pass: boolean
}

const rows: Row[] = []
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`

const http = await httpOverhead()
rows.push({
  benchmark: `(a) typed client as installed, ${http.requestsPerSequence}-request POS cycle on loopback`,
  baseline: `hand-written platform fetch ${http.handWrittenMs.toFixed(2)} ms`,
  measured: `${http.typedMs.toFixed(2)} ms`,
  ratio: http.ratio.toFixed(3),
  goal: 'ratio ≤ 1.10',
  pass: http.ratio <= 1.1,
})

rows.push({
  benchmark: `(a') context: the typed client given the platform fetch, same cycle`,
  baseline: `hand-written platform fetch ${http.handWrittenMs.toFixed(2)} ms`,
  measured: `${http.typedOnPlatformMs.toFixed(2)} ms`,
  ratio: http.typedOnPlatformRatio.toFixed(3),
  goal: 'none (context for a)',
  pass: true,
})

rows.push({
  benchmark: `(a'') context: hand-written fetch + 30 s timeout signal, same cycle`,
  baseline: `hand-written platform fetch ${http.handWrittenMs.toFixed(2)} ms`,
  measured: `${http.timeoutMs.toFixed(2)} ms`,
  ratio: http.timeoutRatio.toFixed(3),
  goal: 'none (context for a)',
  pass: true,
})

const ours = await bundleSize('paymentsense')
const openapiFetch = await bundleSize('paymentsense', 'openapi-fetch')
rows.push({
  benchmark: '(b) @tillkit/paymentsense main entry, min+gzip, deps bundled',
  baseline: `openapi-fetch alone ${kb(openapiFetch.gzipped)}`,
  measured: kb(ours.gzipped),
  ratio: (ours.gzipped / openapiFetch.gzipped).toFixed(2),
  goal: '≤ 6.00 kB',
  pass: ours.gzipped <= 6 * 1024,
})

const codegen = codegenTime()
rows.push({
  benchmark: '(c) pnpm codegen, every schema, wall time',
  baseline: `runtime start-up ${(codegen.baselineMs / 1000).toFixed(2)} s`,
  measured: `${(codegen.codegenMs / 1000).toFixed(2)} s (compile cache off: ${(codegen.uncachedMs / 1000).toFixed(2)} s)`,
  ratio: (codegen.codegenMs / codegen.baselineMs).toFixed(2),
  goal: '≤ 3.00 s',
  pass: codegen.codegenMs <= 3000,
})

const socket = await websocketBench()
const ms = (value: number) => `${value.toFixed(3)} ms`
rows.push({
  benchmark: '(d) WebSocket notification latency, fake state change to handler, loopback ws',
  baseline: `bare ws + JSON.parse p99 ${ms(socket.bareLatency.p99Ms)}`,
  measured: `p50 ${ms(socket.latency.p50Ms)}, p99 ${ms(socket.latency.p99Ms)} (n=${socket.latency.samples})`,
  ratio: (socket.latency.p99Ms / socket.bareLatency.p99Ms).toFixed(2),
  goal: 'p99 ≤ 5 ms',
  pass: socket.latency.p99Ms <= 5,
})
rows.push({
  benchmark: '(e) WebSocket notification throughput, one connection, 16 terminals unpaced',
  baseline: `bare ws ${Math.round(socket.barePerSecond)}/s`,
  measured: `${Math.round(socket.perSecond)}/s`,
  ratio: (socket.perSecond / socket.barePerSecond).toFixed(2),
  goal: 'none (reported)',
  pass: true,
})

const payroc = await payrocPolling()
rows.push({
  benchmark: `(f) Payroc requests per completed sale under 60 s (${payroc.durationsMs.length} durations)`,
  baseline: `fixed 1 s polling mean ${payroc.fixedPollingMean.toFixed(1)}`,
  measured: `long-poll max ${payroc.longPollMax}, mean ${payroc.longPollMean.toFixed(1)}`,
  ratio: payroc.ratio.toFixed(1),
  goal: '≤ 3 requests',
  pass: payroc.longPollMax <= 3,
})

const floor = await cadenceFloor()
const o = await orchestratorBench()
const approved = o.outcomes.approved ?? 0
rows.push({
  benchmark: `(g) orchestrator: ${o.payments} Paymentsense payments, ${o.accounts} accounts x 10 terminals, loopback (the default node:http fetch, tuned V8 flags)`,
  baseline: `cadence 1 000 ms, spacing 100 ms; floor (bare node:http both sides, same rule) p50 ${floor.p50} / p99 ${floor.p99} ms`,
  measured:
    `cadence error p50 ${o.cadenceErrorMs.p50} / p99 ${o.cadenceErrorMs.p99} ms ` +
    `(p99 first 2 s ${o.cadenceP99ByPhaseMs.start}, steady ${o.cadenceP99ByPhaseMs.steady}, last 2 s ${o.cadenceP99ByPhaseMs.end}), ` +
    `${o.spacingViolations} spacing 429s (min gap ${o.minGapMs} ms), ${o.duplicateEvents} duplicate / ${o.missingEvents} missing events, ` +
    `${approved} approved / ${o.charges} charges, peak RSS ${o.peakRssMb.toFixed(0)} MB, ` +
    `CPU ${o.cpuMsPerPaymentSecond.toFixed(2)} ms/payment-s, event-loop lag p99 ${o.eventLoopLagMs.orchestratorP99.toFixed(0)} ms (fakes p99 ${o.eventLoopLagMs.fakesP99.toFixed(0)}, max ${o.eventLoopLagMs.fakesMax.toFixed(0)} ms)`,
  ratio: (o.cadenceErrorMs.p99 / floor.p99).toFixed(2),
  goal: 'p99 ≤ 50 ms, 0 violations, 0 duplicates, RSS ≤ 100 MB',
  pass:
    o.cadenceErrorMs.p99 <= 50 &&
    o.spacingViolations === 0 &&
    o.duplicateEvents === 0 &&
    o.missingEvents === 0 &&
    o.charges === approved &&
    o.peakRssMb <= 100,
})

// The same fakes and rule with no orchestrator: a bare node:http client polling in its place. What
// is left is the fakes', the loopback's and this machine's share of (g)'s cadence error.
const bare = await fakesFloor()
rows.push({
  benchmark:
    "(g') context: a bare node:http client in the orchestrator's place, same fakes, sale and rule",
  baseline: `(g): p50 ${o.cadenceErrorMs.p50} / p99 ${o.cadenceErrorMs.p99} ms`,
  measured:
    `cadence error p50 ${bare.cadenceErrorMs.p50} / p99 ${bare.cadenceErrorMs.p99} ms, ` +
    `${bare.spacingViolations} spacing 429s, outcomes ${Object.entries(bare.outcomes)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}`,
  ratio: (o.cadenceErrorMs.p99 / bare.cadenceErrorMs.p99).toFixed(2),
  goal: 'none (context for g)',
  pass: true,
})

// The same load with V8's defaults and the platform fetch: what a process gets untuned.
const untuned = await orchestratorBench({ v8: 'default', http: 'platform' })
rows.push({
  benchmark: "(g'') the same, platform fetch and V8's defaults",
  baseline: `(g): RSS ${o.peakRssMb.toFixed(0)} MB, CPU ${o.cpuMsPerPaymentSecond.toFixed(2)} ms/payment-s`,
  measured:
    `cadence error p50 ${untuned.cadenceErrorMs.p50} / p99 ${untuned.cadenceErrorMs.p99} ms, ` +
    `${untuned.spacingViolations} spacing 429s, peak RSS ${untuned.peakRssMb.toFixed(0)} MB, ` +
    `CPU ${untuned.cpuMsPerPaymentSecond.toFixed(2)} ms/payment-s`,
  ratio: (untuned.peakRssMb / o.peakRssMb).toFixed(2),
  goal: 'reported',
  pass: true,
})

const columns = ['benchmark', 'baseline', 'measured', 'ratio', 'goal'] as const
const table = rows.map((row) => [...columns.map((c) => row[c]), row.pass ? 'ok' : 'MISSED'])
const header = [...columns, 'result']
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)))
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(line(header))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const row of table) console.log(line(row))
if (rows.some((r) => !r.pass)) process.exitCode = 1

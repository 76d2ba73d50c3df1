import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createMemoryJournal, type Outcome } from '../src/index.js'
import { collect, drive, pass, recordingLogger } from './harness.js'
import {
  INSTRUCTION,
  payment,
  payrocSetup,
  requests,
  RESULT,
  SUBMIT,
  submitKeys,
} from './payroc-harness.js'

const API = /^\/v1\//

describe('Payroc fault runs: nothing charged twice, nothing lost', () => {
  it('a lost submit answer is replayed with the same key: one instruction, one charge, events once', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: SUBMIT }, times: 1 })
    const p = await s.orchestrator.sale(payment(4999))
    const events = collect(p)
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome.status).toBe('approved')
    const keys = submitKeys(s)
    expect(keys).toEqual([p.ids.idempotencyKey, p.ids.idempotencyKey])
    expect(requests(s.cloud, 'POST', SUBMIT).map((r) => [r.status, r.replayed])).toEqual([
      [undefined, undefined],
      [202, true],
    ])
    expect(s.cloud.instructions.list()).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(1)
    expect((await events.done).map((e) => e.raw)).toEqual(['inProgress', 'completed'])
  })

  it('a 5xx after the gateway made the instruction: the replay finds it, no second charge', async () => {
    const s = payrocSetup()
    let failed = false
    s.route(async (request, next) => {
      const response = await next(request)
      if (failed || request.method !== 'POST' || !SUBMIT.test(new URL(request.url).pathname))
        return response
      failed = true
      return new Response(null, { status: 502 })
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    expect(requests(s.cloud, 'POST', SUBMIT).map((r) => r.replayed)).toEqual([undefined, true])
    expect(s.cloud.instructions.list()).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a 5xx instead of the submit: the replay makes it (same key), once', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({
      kind: 'status',
      status: 503,
      match: { method: 'POST', path: SUBMIT },
      times: 2,
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    expect(submitKeys(s)).toEqual([
      p.ids.idempotencyKey,
      p.ids.idempotencyKey,
      p.ids.idempotencyKey,
    ])
    expect(requests(s.cloud, 'POST', SUBMIT).map((r) => r.status)).toEqual([503, 503, 202])
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a submit refused with 429 waits out Retry-After and is sent again with its key', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 2,
      match: { method: 'POST', path: SUBMIT },
      times: 2,
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    const submits = requests(s.cloud, 'POST', SUBMIT)
    expect(submits.map((r) => r.status)).toEqual([429, 429, 202])
    expect(submits[1]!.at - submits[0]!.at).toBeGreaterThanOrEqual(2_000)
    expect(submits[2]!.at - submits[1]!.at).toBeGreaterThanOrEqual(2_000)
    expect(new Set(submitKeys(s)).size).toBe(1)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a submit that never left (connection refused) is sent again; one charge', async () => {
    const s = payrocSetup()
    let refuse = 2
    s.route((request, next) => {
      if (request.method === 'POST' && SUBMIT.test(new URL(request.url).pathname) && refuse-- > 0)
        return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))
      return next(request)
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    expect(submitKeys(s)).toHaveLength(3)
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('no token (the identity service failing) means nothing was sent: the start is sent again', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({ kind: 'status', status: 503, match: { path: '/authorize' }, times: 1 })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    expect(requests(s.cloud, 'POST', /\/authorize$/).map((r) => r.status)).toEqual([503, 200])
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('lost, failed and hung instruction reads are read again with back-off; events stay exactly-once', async () => {
    const s = payrocSetup({ adapter: { pollTimeoutMs: 61_000 } })
    const read = { method: 'GET', path: INSTRUCTION }
    s.cloud.faults.add({ kind: 'lostResponse', match: read, times: 2 })
    s.cloud.faults.add({ kind: 'status', status: 503, match: read, times: 2 })
    s.cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: read, times: 1 })
    const p = await s.orchestrator.sale(payment(1206))
    const events = collect(p)
    const outcome = await drive(s.clock, p.outcome, 600_000, 250)
    expect(outcome.status).toBe('approved')
    expect((await events.done).map((e) => e.raw)).toEqual(['inProgress', 'completed'])
    const reads = requests(s.cloud, 'GET', INSTRUCTION)
    expect(reads.map((r) => r.status).slice(0, 5)).toEqual([
      undefined,
      undefined,
      503,
      503,
      undefined,
    ])
    const gaps = reads.slice(1, 5).map((r, i) => r.at - reads[i]!.endedAt)
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000])
    // The hung read was given up after its timeout and read again.
    expect(reads[5]!.at - reads[4]!.at).toBeGreaterThanOrEqual(61_000)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('lost and failed reads of the payment are read again; one charge', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'GET', path: RESULT }, times: 1 })
    s.cloud.faults.add({
      kind: 'status',
      status: 500,
      match: { method: 'GET', path: RESULT },
      times: 1,
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    expect(requests(s.cloud, 'GET', RESULT).map((r) => r.status)).toEqual([undefined, 500, 200])
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a 429 storm: the account pauses as asked, every payment completes once', async () => {
    const devices = Array.from({ length: 6 }, (_, i) => `PAXA920-000${i + 1}`)
    const s = payrocSetup({ adapter: { spacingMs: 100 } })
    s.cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 2,
      match: { path: API },
      times: 25,
    })
    const payments = await Promise.all(
      devices.map((terminal, i) => s.orchestrator.sale(payment(2500 + i * 100, { terminal }))),
    )
    const outcomes = await drive(s.clock, Promise.all(payments.map((p) => p.outcome)))
    expect(outcomes.map((o) => o.status)).toEqual(devices.map(() => 'approved'))
    const api = s.cloud.requests.filter((r) => API.test(r.path))
    expect(api.filter((r) => r.status === 429)).toHaveLength(25)
    // Retry-After: 2 s. After each 429 nothing of the account arrived for 2 s.
    for (const [i, r] of api.entries()) {
      const next = api[i + 1]
      if (r.status === 429 && next) expect(next.at - r.at).toBeGreaterThanOrEqual(2_000)
    }
    expect(s.cloud.ledger.map((e) => e.amount).sort()).toEqual(
      devices.map((_, i) => 2500 + i * 100),
    )
    expect(s.cloud.instructions.list()).toHaveLength(6)
  })

  it('a gateway that never takes the submit: unknown (expired) after retention, with the search to run', async () => {
    const s = payrocSetup({ adapter: { retentionMs: 60_000 } })
    s.cloud.faults.add({ kind: 'status', status: 503, match: { method: 'POST', path: SUBMIT } })
    const p = await s.orchestrator.sale(payment(4999))
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    expect(outcome.reconcile!.providerIds).toEqual({ idempotencyKey: p.ids.idempotencyKey })
    expect(outcome.reconcile!.check.join(' ')).toContain(
      'GET /payments?orderId=order-4999&processingTerminalId=1234001',
    )
    // Replayed with back-off until the first failure past retention, then never again.
    const submits = requests(s.cloud, 'POST', SUBMIT)
    expect(submits.length).toBeGreaterThan(3)
    expect(outcome.at - submits[0]!.at).toBeGreaterThanOrEqual(60_000)
    expect(submits.at(-1)!.endedAt).toBe(outcome.at)
    await pass(s.clock, 60_000, 1_000)
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(submits.length)
    expect(new Set(submitKeys(s)).size).toBe(1)
    expect(s.cloud.ledger).toHaveLength(0)
  })

  it('reads refused for good (403) three times settle unknown (unreadable)', async () => {
    const s = payrocSetup()
    const p = await s.orchestrator.sale(payment(4999))
    await pass(s.clock, 500)
    s.cloud.faults.add({ kind: 'status', status: 403, match: { method: 'GET' } })
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.check[0]).toMatch(/API key/)
    expect(outcome.reconcile!.check[1]).toContain(p.ids.instructionId)
    expect(requests(s.cloud, 'GET', INSTRUCTION).filter((r) => r.status === 403)).toHaveLength(3)
    // The device charges anyway: the unknown outcome is what keeps the POS from charging again.
    await pass(s.clock, 10_000, 1_000)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('an instruction briefly not found (404) is read again after a pause, not at the cadence', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({
      kind: 'status',
      status: 404,
      match: { method: 'GET', path: INSTRUCTION },
      times: 3,
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    const reads = requests(s.cloud, 'GET', INSTRUCTION)
    expect(reads.map((r) => r.status)).toEqual([404, 404, 404, 200])
    for (const [i, r] of reads.slice(1).entries())
      expect(r.at - reads[i]!.at).toBeGreaterThanOrEqual(5_000)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a payment briefly not found (404) is read again after a pause', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({
      kind: 'status',
      status: 404,
      match: { method: 'GET', path: RESULT },
      times: 2,
    })
    const p = await s.orchestrator.sale(payment(4999))
    expect((await drive(s.clock, p.outcome)).status).toBe('approved')
    const reads = requests(s.cloud, 'GET', RESULT)
    expect(reads.map((r) => r.status)).toEqual([404, 404, 200])
    expect(reads[2]!.at - reads[1]!.at).toBeGreaterThanOrEqual(5_000)
  })

  it('an instruction status Payroc does not define is a protocol fault: unknown (unreadable)', async () => {
    const s = payrocSetup()
    s.route(async (request, next) => {
      const response = await next(request)
      if (request.method !== 'GET' || !INSTRUCTION.test(new URL(request.url).pathname))
        return response
      return Response.json({ ...((await response.json()) as object), status: 'paused' })
    })
    const p = await s.orchestrator.sale(payment(4999))
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reason).toMatch(/unknown status/)
    expect(requests(s.cloud, 'GET', INSTRUCTION)).toHaveLength(3)
  })

  it('a completed instruction linking outside the API is not followed; unknown (unreadable)', async () => {
    const s = payrocSetup()
    s.route(async (request, next) => {
      const response = await next(request)
      if (request.method !== 'GET' || !INSTRUCTION.test(new URL(request.url).pathname))
        return response
      const body = (await response.json()) as { link?: { href: string } }
      if (body.link) body.link.href = body.link.href.replace('api.uat.payroc.com', 'evil.example')
      return Response.json(body)
    })
    const p = await s.orchestrator.sale(payment(4999))
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(s.sent.every((r) => !r.path.includes('evil'))).toBe(true)
    expect(requests(s.cloud, 'GET', RESULT)).toHaveLength(0)
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a completed instruction whose link carries the bearer token: the token stays out of the outcome and the logs', async () => {
    const { logger, logs } = recordingLogger()
    const s = payrocSetup({ orchestrator: { logger } })
    s.route(async (request, next) => {
      const response = await next(request)
      if (request.method !== 'GET' || !INSTRUCTION.test(new URL(request.url).pathname))
        return response
      const body = (await response.json()) as { link?: { href: string } }
      // A proxy rewriting links puts the caller's credential in the path.
      const token = request.headers.get('authorization')!.replace(/^Bearer /, '')
      if (body.link) body.link.href = `https://evil.example/v1/payments/${token}`
      return Response.json(body)
    })
    const p = await s.orchestrator.sale(payment(4999))
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(s.tokens.size).toBeGreaterThan(0)
    const shown = inspect([outcome, logs], { depth: 12 })
    for (const token of s.tokens) expect(shown).not.toContain(token)
  })

  it('a fleet under mixed faults, dropped mid-way and recovered: every sale charged exactly once', async () => {
    const devices = Array.from({ length: 8 }, (_, i) => `PAXA920-${String(i + 1).padStart(4, '0')}`)
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal }, adapter: { pollTimeoutMs: 61_000 } })
    s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: SUBMIT }, times: 3 })
    s.cloud.faults.add({
      kind: 'status',
      status: 502,
      match: { method: 'POST', path: SUBMIT },
      times: 2,
    })
    s.cloud.faults.add({
      kind: 'lostResponse',
      match: { method: 'GET', path: INSTRUCTION },
      times: 4,
    })
    s.cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET' }, times: 4 })
    s.cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 1,
      match: { path: API },
      times: 5,
    })
    // Every other sale ends in 06 (the slow card), so some are still running at the drop.
    const amounts = devices.map((_, i) => 1000 + i * 100 + (i % 2 ? 6 : 0))
    const first = await Promise.all(
      devices.map((terminal, i) => s.orchestrator.sale(payment(amounts[i]!, { terminal }))),
    )
    const settled: Outcome[] = []
    for (const p of first)
      void p.outcome.then(
        (o) => settled.push(o),
        () => {},
      )
    await pass(s.clock, 20_000, 250)
    await s.orchestrator.close()
    expect(settled.length).toBeGreaterThan(0)
    expect(settled.length).toBeLessThan(devices.length)

    const second = s.restart(journal)
    const resumed = await second.recover()
    expect(resumed.length).toBe(devices.length - settled.length)
    const rest = await drive(s.clock, Promise.all(resumed.map((p) => p.outcome)), 600_000, 250)
    const all = [...settled, ...rest]
    expect(all.map((o) => o.status)).toEqual(devices.map(() => 'approved'))
    expect(new Set(all.map((o) => o.paymentId)).size).toBe(devices.length)
    // The ledger: each order once, none missing, one instruction per sale.
    const orders = s.cloud.ledger.map((e) => e.orderId).sort()
    expect(orders).toEqual(amounts.map((a) => `order-${a}`).sort())
    expect(s.cloud.instructions.list()).toHaveLength(devices.length)
    expect(await journal.unfinished()).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { createMemoryJournal } from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { collect, crashAfter, drive, pass, tempJournals } from './harness.js'
import {
  INSTRUCTION,
  payment,
  payrocSetup,
  requests,
  RESULT,
  SUBMIT,
  submitKeys,
} from './payroc-harness.js'

const tempJournal = tempJournals('tillkit-payroc-')

describe('Payroc recovery from a journal left by a dropped orchestrator', () => {
  it('an instruction already known is long-polled again; events continue where they stopped', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    const p = await s.orchestrator.sale(payment(1206))
    const delivered = await crashAfter(s, p, 3_000, async () => {
      expect(p.ids.instructionId).toBeDefined()
    })
    expect(delivered.map((e) => e.raw)).toEqual(['inProgress'])

    const second = s.restart(journal)
    const [resumed, ...others] = await second.recover()
    expect(others).toHaveLength(0)
    expect(resumed).toMatchObject({ id: p.id, recovered: true, request: p.request })
    const after = collect(resumed!)
    const outcome = await drive(s.clock, resumed!.outcome, 600_000, 250)
    expect(outcome.status).toBe('approved')
    expect((await after.done).map((e) => [e.seq, e.type, e.raw])).toEqual([
      [2, 'finished', 'completed'],
    ])
    // Nothing was submitted again: the journaled instruction id was enough.
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
    expect(outcome.providerIds.instructionId).toBe(p.ids.instructionId)
    expect(s.cloud.ledger).toHaveLength(1)
    expect(await journal.unfinished()).toEqual([])
    expect(await s.restart(journal).recover()).toEqual([])
  })

  it('a submit whose answer never came is replayed with the same key and body, then long-polled (file journal)', async () => {
    const path = await tempJournal()
    const journal = await createFileJournal(path)
    const s = payrocSetup({ orchestrator: { journal } })
    // Payroc makes the instruction; its answer is still on the way when the process goes away.
    s.cloud.faults.add({
      kind: 'lostResponse',
      mode: 'hang',
      match: { method: 'POST', path: SUBMIT },
      times: 1,
    })
    const bodies: string[] = []
    s.route(async (request, next) => {
      if (request.method === 'POST' && SUBMIT.test(new URL(request.url).pathname))
        bodies.push(await request.clone().text())
      return next(request)
    })
    const p = await s.orchestrator.sale(payment(4999))
    await pass(s.clock, 300)
    expect(p.state).toBe('starting')
    await s.orchestrator.close()
    await journal.close?.()

    const reopened = await createFileJournal(path)
    const [entry] = await reopened.unfinished()
    expect(entry).toMatchObject({ paymentId: p.id, started: false })
    expect(Object.keys(entry!.ids)).toEqual(['idempotencyKey'])
    const [resumed] = await s.restart(reopened).recover()
    const events = collect(resumed!)
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome.status).toBe('approved')
    const keys = submitKeys(s)
    expect(keys).toEqual([entry!.ids.idempotencyKey, entry!.ids.idempotencyKey])
    expect(bodies[1]).toBe(bodies[0])
    expect(requests(s.cloud, 'POST', SUBMIT).map((r) => r.replayed)).toEqual([undefined, true])
    expect(s.cloud.instructions.list()).toHaveLength(1)
    expect(s.cloud.ledger).toHaveLength(1)
    expect((await events.done).map((e) => [e.seq, e.raw])).toEqual([
      [1, 'inProgress'],
      [2, 'completed'],
    ])
    await reopened.close?.()
  })

  it('a submit that never reached Payroc is made by the replay: one instruction, one charge', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    // The first process's submit is stuck before the gateway (a dead proxy, say).
    s.route((request, next) =>
      request.method === 'POST' && SUBMIT.test(new URL(request.url).pathname)
        ? new Promise<Response>(() => {})
        : next(request),
    )
    const p = await s.orchestrator.sale(payment(4999))
    await pass(s.clock, 300)
    await s.orchestrator.close()
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(0)
    s.route((request, next) => next(request))

    const [resumed] = await s.restart(journal).recover()
    expect((await drive(s.clock, resumed!.outcome)).status).toBe('approved')
    const submits = requests(s.cloud, 'POST', SUBMIT)
    expect(submits).toHaveLength(1)
    expect(submits[0]).toMatchObject({ status: 202, idempotencyKey: p.ids.idempotencyKey })
    expect(submits[0]!.replayed).toBeUndefined()
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a payment completed before the drop, not yet read, is read from the journaled paymentId', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    s.cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET', path: RESULT } })
    const p = await s.orchestrator.sale(payment(4999))
    const before = collect(p)
    await pass(s.clock, 8_000)
    expect(p.ids.paymentId).toBeDefined()
    await s.orchestrator.close()
    expect((await before.done).map((e) => e.raw)).toEqual(['inProgress', 'completed'])
    s.cloud.faults.clear()
    const sentBefore = s.cloud.requests.length

    const [resumed] = await s.restart(journal).recover()
    const after = collect(resumed!)
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      providerIds: { paymentId: p.ids.paymentId },
    })
    // A token for the new process, then one API request: the payment. No submit, no instruction
    // read, no repeated events.
    expect(s.cloud.requests.slice(sentBefore).map((r) => [r.method, r.path])).toEqual([
      ['POST', '/authorize'],
      ['GET', `/v1/payments/${p.ids.paymentId}`],
    ])
    expect(await after.done).toEqual([])
    expect(s.cloud.ledger).toHaveLength(1)
  })

  it('a referenced refund whose answer was lost in the drop is replayed by key: one refund', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    const sale = await drive(s.clock, (await s.orchestrator.sale(payment(5000))).outcome)
    const refunds = /\/v1\/payments\/[^/]+\/refunds$/
    s.cloud.faults.add({
      kind: 'lostResponse',
      mode: 'hang',
      match: { method: 'POST', path: refunds },
      times: 1,
    })
    const original = { paymentId: sale.providerIds.paymentId }
    const refund = await s.orchestrator.refund(payment(1500, { reference: 'ret-1', original }))
    await pass(s.clock, 300)
    await s.orchestrator.close()
    const [resumed] = await s.restart(journal).recover()
    expect(resumed!.id).toBe(refund.id)
    expect(await drive(s.clock, resumed!.outcome)).toMatchObject({
      status: 'approved',
      amounts: { approved: 1500 },
    })
    expect(requests(s.cloud, 'POST', refunds).map((r) => r.replayed)).toEqual([undefined, true])
    expect(s.cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([
      ['sale', 5000],
      ['refund', 1500],
    ])
  })

  it('a journaled Payroc payment without its key is never sent with a fresh one: unknown', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    await journal.append({
      type: 'intent',
      paymentId: 'hand-written',
      at: s.clock.now(),
      provider: 'payroc',
      request: { ...payment(4999), kind: 'sale' },
      ids: {},
    })
    const [resumed] = await s.restart(journal).recover()
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.why).toMatch(/idempotencyKey/)
    expect(s.cloud.requests).toHaveLength(0)
  })

  it('past retention, an instruction Payroc no longer shows is unknown (expired), with what to check', async () => {
    const journal = createMemoryJournal()
    const s = payrocSetup({ orchestrator: { journal } })
    const p = await s.orchestrator.sale(payment(1206))
    await pass(s.clock, 3_000)
    const { instructionId } = p.ids
    await s.orchestrator.close()
    await s.clock.advance(25 * 3_600_000)
    s.cloud.faults.add({ kind: 'status', status: 404, match: { method: 'GET', path: INSTRUCTION } })
    const [resumed] = await s.restart(journal).recover()
    const outcome = await drive(s.clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    expect(outcome.reconcile).toMatchObject({
      provider: 'payroc',
      amount: 1206,
      currency: 'USD',
      reference: 'order-1206',
      providerIds: { idempotencyKey: p.ids.idempotencyKey, instructionId },
      lastEvent: 'inProgress',
    })
    expect(outcome.reconcile!.check[1]).toContain(instructionId)
    expect(requests(s.cloud, 'GET', INSTRUCTION).filter((r) => r.status === 404)).toHaveLength(1)
    // The device did take the card meanwhile: exactly why an operator must reconcile.
    expect(s.cloud.ledger).toHaveLength(1)
  })
})

describe('a replay refused with a 4xx proves nothing of the first send', () => {
  /**
   * Every later request to `path` is refused with `status` before the gateway looks the key up;
   * with `hide`, the payment search finds nothing either.
   */
  const refuseFrom = (
    s: ReturnType<typeof payrocSetup>,
    path: RegExp,
    status: number,
    hide = false,
  ) => {
    let refused = 0
    s.route(async (request, next) => {
      const { pathname } = new URL(request.url)
      if (hide && request.method === 'GET' && pathname.endsWith('/payments'))
        return Response.json({ limit: 10, count: 0, hasMore: false, links: [], data: [] })
      if (request.method !== 'POST' || !path.test(pathname)) return next(request)
      refused++
      const problem = { type: 'about:blank', title: 'refused', status, detail: 'refused' }
      return Response.json(problem, {
        status,
        headers: { 'content-type': 'application/problem+json' },
      })
    })
    return () => refused
  }

  it.each([403, 404, 409])(
    'a payment whose first submit was made, its replay refused (%i): found by a search of its orderId, charged once',
    async (status) => {
      const s = payrocSetup()
      s.cloud.faults.add({
        kind: 'lostResponse',
        match: { method: 'POST', path: SUBMIT },
        times: 1,
      })
      const p = await s.orchestrator.sale(payment(4999))
      await pass(s.clock, 50)
      expect(s.cloud.instructions.list()).toHaveLength(1)
      const refused = refuseFrom(s, SUBMIT, status)
      const outcome = await drive(s.clock, p.outcome)
      expect(refused()).toBeGreaterThan(1)
      expect(outcome).toMatchObject({ status: 'approved', amounts: { approved: 4999 } })
      expect(outcome.providerIds.paymentId).toBe(s.cloud.ledger[0]!.paymentId)
      await pass(s.clock, 60_000)
      expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
      expect(s.cloud.ledger).toHaveLength(1)
    },
  )

  it('the replay refused and the search finding nothing for as long as a payment can take: unknown', async () => {
    const s = payrocSetup()
    s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: SUBMIT }, times: 1 })
    const p = await s.orchestrator.sale(payment(4999))
    await pass(s.clock, 50)
    refuseFrom(s, SUBMIT, 409, true)
    const started = s.clock.now()
    const outcome = await drive(s.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reconcile!.check.join(' ')).toMatch(/orderId=/)
    expect(outcome.at - started).toBeGreaterThanOrEqual(5 * 60_000)
    expect(requests(s.cloud, 'POST', SUBMIT)).toHaveLength(1)
  })

  it('a referenced refund whose first send went through: 409 on the replay settles unknown, refunded once', async () => {
    const s = payrocSetup()
    const sale = await drive(s.clock, (await s.orchestrator.sale(payment(5000))).outcome)
    const refunds = /\/v1\/payments\/[^/]+\/refunds$/
    s.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: refunds }, times: 1 })
    const original = { paymentId: sale.providerIds.paymentId }
    const refund = await s.orchestrator.refund(payment(5000, { reference: 'ret-1', original }))
    await pass(s.clock, 50)
    // Nothing is left to refund: a gateway that checks that before the key answers 409.
    refuseFrom(s, refunds, 409)
    const outcome = await drive(s.clock, refund.outcome)
    expect(outcome.status).toBe('unknown')
    expect(s.cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([
      ['sale', 5000],
      ['refund', 5000],
    ])
  })

  it('a referenced refund answered 408 (a gateway gave up waiting) is not failed: replayed by key, refunded once', async () => {
    const s = payrocSetup()
    const sale = await drive(s.clock, (await s.orchestrator.sale(payment(5000))).outcome)
    const refunds = /\/v1\/payments\/[^/]+\/refunds$/
    s.cloud.faults.add({
      kind: 'status',
      status: 408,
      match: { method: 'POST', path: refunds },
      times: 1,
    })
    const original = { paymentId: sale.providerIds.paymentId }
    const refund = await s.orchestrator.refund(payment(1500, { reference: 'ret-408', original }))
    expect(await drive(s.clock, refund.outcome)).toMatchObject({ status: 'approved' })
    expect(s.cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'refund'])
  })

  it('a first submit refused with a 4xx is still a definite failure: nothing was made', async () => {
    const s = payrocSetup()
    refuseFrom(s, SUBMIT, 409)
    const outcome = await drive(s.clock, (await s.orchestrator.sale(payment(4999))).outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    expect(s.cloud.instructions.list()).toHaveLength(0)
  })
})

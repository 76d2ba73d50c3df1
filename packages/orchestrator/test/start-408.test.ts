import { describe, expect, it } from 'vitest'
import { drive, pass, sale, setup } from './harness.js'
import { payment, payrocSetup, SUBMIT, submitKeys } from './payroc-harness.js'

/**
 * A 408 to a payment-starting request: a gateway may have passed it on before giving up, so, like a lost answer,
 * it is `unknown` (or, with an idempotency key, replayed), never `failed`.
 */
describe('a start answered 408 may have been taken', () => {
  it('Connect REST: a start answered 408 after Connect took it is unknown (lost-start), never failed or sent again', async () => {
    // A gateway that passed the start on and then gave up waiting: Connect has the transaction.
    let answered408 = false
    const { clock, cloud, orchestrator, seen } = setup({
      wire: async (request, next) => {
        const response = await next(request)
        if (request.method !== 'POST' || answered408) return response
        answered408 = true
        return new Response('{"userMessage":"Request Timeout"}', {
          status: 408,
          headers: { 'Content-Type': 'application/json' },
        })
      },
    })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    if (outcome.status === 'unknown') expect(outcome.reconcile.check.length).toBeGreaterThan(0)
    await pass(clock, 60_000)
    // Never sent again, and the terminal did take the money: `failed` would have been a lie.
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1250])
  })

  it('Payroc: a device submit answered 408 after Payroc made the instruction is replayed by its key: one charge', async () => {
    const s = payrocSetup()
    let answered408 = false
    s.route(async (request, next) => {
      const response = await next(request)
      if (request.method !== 'POST' || !SUBMIT.test(new URL(request.url).pathname) || answered408)
        return response
      answered408 = true
      return new Response('{"title":"Request Timeout"}', {
        status: 408,
        headers: { 'Content-Type': 'application/json' },
      })
    })
    const p = await s.orchestrator.sale(payment(1250))
    expect(await drive(s.clock, p.outcome)).toMatchObject({ status: 'approved' })
    const keys = submitKeys(s)
    expect(keys.length).toBeGreaterThanOrEqual(2)
    expect(new Set(keys).size).toBe(1)
    expect(s.cloud.instructions.list()).toHaveLength(1)
    expect(s.cloud.ledger.map((e) => `${e.kind} ${e.amount}`)).toEqual(['sale 1250'])
  })
})

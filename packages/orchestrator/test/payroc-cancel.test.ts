import { describe, expect, it } from 'vitest'
import { collect, drive, pass } from './harness.js'
import {
  DEVICE,
  INSTRUCTION,
  payment,
  payrocSetup,
  requests,
  SUBMIT,
  submitKeys,
} from './payroc-harness.js'

const DELETE_PATH = /\/payment-instructions\/[^/]+$/

describe('cancelling a Payroc payment (DELETE while the instruction is in progress)', () => {
  it('cancels a running instruction at once, even while a read is held; nothing charged', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const p = await orchestrator.sale(payment(1206))
    const events = collect(p)
    await pass(clock, 2_000)
    expect(requests(cloud, 'GET', INSTRUCTION).at(-1)!.status).toBeUndefined() // held
    const asked = clock.now()
    expect(await drive(clock, p.cancel())).toBe(true)
    const [del] = requests(cloud, 'DELETE', DELETE_PATH)
    expect(del).toMatchObject({ status: 204 })
    expect(del!.at - asked).toBeLessThanOrEqual(50)
    const outcome = await drive(clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'cancelled', reasonCode: 'cancelled' })
    // The held read was released by the cancel, not by the device's 92 s.
    expect(outcome.at - asked).toBeLessThan(2_000)
    expect((await events.done).map((e) => [e.type, e.raw])).toEqual([
      ['started', 'inProgress'],
      ['finished', 'canceled'],
    ])
    expect(cloud.instructions.list()[0]!.status).toBe('canceled')
    expect(cloud.ledger).toHaveLength(0)
    // Settled: a second cancel asks nothing.
    expect(await p.cancel()).toBe(false)
    expect(requests(cloud, 'DELETE', DELETE_PATH)).toHaveLength(1)
  })

  it('too late (409): the instruction had completed unseen; cancel resolves false and the sale is approved', async () => {
    const { clock, cloud, orchestrator } = payrocSetup({ adapter: { pollTimeoutMs: 61_000 } })
    // The read that would show `completed` never answers, so the orchestrator has not seen it.
    cloud.faults.add({
      kind: 'lostResponse',
      mode: 'hang',
      match: { method: 'GET', path: INSTRUCTION },
      times: 1,
    })
    const p = await orchestrator.sale(payment(4999))
    await pass(clock, 8_000)
    expect(cloud.instructions.list()[0]!.status).toBe('completed')
    expect(p.state).toBe('running')
    expect(await drive(clock, p.cancel())).toBe(false)
    expect(requests(cloud, 'DELETE', DELETE_PATH).map((r) => r.status)).toEqual([409])
    const outcome = await drive(clock, p.outcome)
    expect(outcome.status).toBe('approved')
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a cancel whose answer was lost is sent again; the 409 then shows it had worked', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'DELETE' }, times: 1 })
    const p = await orchestrator.sale(payment(1206))
    await pass(clock, 2_000)
    expect(await drive(clock, p.cancel())).toBe(true)
    expect(requests(cloud, 'DELETE', DELETE_PATH).map((r) => r.status)).toEqual([undefined, 409])
    expect((await drive(clock, p.outcome)).status).toBe('cancelled')
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a cancel asked while the submit is out is sent once it answers', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    cloud.faults.add({ kind: 'latency', ms: 1_500, match: { method: 'POST', path: SUBMIT } })
    const p = await orchestrator.sale(payment(4999))
    await pass(clock, 500)
    expect(p.state).toBe('starting')
    const cancelled = p.cancel()
    expect(await drive(clock, cancelled)).toBe(true)
    const [submit] = requests(cloud, 'POST', SUBMIT)
    const [del] = requests(cloud, 'DELETE', DELETE_PATH)
    expect(del!.at).toBeGreaterThanOrEqual(submit!.endedAt)
    expect((await drive(clock, p.outcome)).status).toBe('cancelled')
    expect(cloud.ledger).toHaveLength(0)
  })

  it('with only the key known (submit answer lost), the cancel replays the submit to name the instruction', async () => {
    const s = payrocSetup()
    const { clock, cloud, orchestrator } = s
    // The submit is processed but its answer lost; the first replay meets a 503.
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: SUBMIT }, times: 1 })
    cloud.faults.add({
      kind: 'status',
      status: 503,
      match: { method: 'POST', path: SUBMIT },
      times: 1,
    })
    const p = await orchestrator.sale(payment(1206))
    const events = collect(p)
    await pass(clock, 100)
    expect(p.ids.instructionId).toBeUndefined()
    expect(await drive(clock, p.cancel())).toBe(true)
    const submits = requests(cloud, 'POST', SUBMIT)
    expect(submits.map((r) => r.status)).toEqual([undefined, 503, 202])
    const keys = submitKeys(s)
    expect(keys).toEqual([keys[0], keys[0], keys[0]])
    expect(keys[0]).toBe(p.ids.idempotencyKey)
    expect(submits[2]!.replayed).toBe(true)
    const outcome = await drive(clock, p.outcome)
    expect(outcome.status).toBe('cancelled')
    expect(outcome.providerIds.instructionId).toBe(cloud.instructions.list()[0]!.id)
    expect(cloud.instructions.list()).toHaveLength(1)
    expect((await events.done).map((e) => e.raw)).toEqual(['inProgress', 'canceled'])
    expect(cloud.ledger).toHaveLength(0)
  })

  it('with only the key known and the replay refused, cancel rejects and the payment ends unknown, not failed', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    // 5xx: for all the POS can tell, the instruction may have been made.
    cloud.faults.add({
      kind: 'status',
      status: 503,
      match: { method: 'POST', path: SUBMIT },
      times: 2,
    })
    const p = await orchestrator.sale(payment(4999))
    await pass(clock, 100)
    cloud.devices.setActive(DEVICE, false)
    // The replay's 404 says nothing of the first send: no instruction id, nothing to DELETE.
    await expect(drive(clock, p.cancel())).rejects.toMatchObject({ status: 404 })
    expect(requests(cloud, 'DELETE', DELETE_PATH)).toHaveLength(0)
    const outcome = await drive(clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown' })
    expect(outcome.reconcile?.check.join(' ')).toMatch(/orderId=/)
    expect(cloud.instructions.list()).toHaveLength(0)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a refund instruction is cancelled the same way', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const refund = await orchestrator.refund(payment(1206))
    await pass(clock, 2_000)
    expect(await drive(clock, refund.cancel())).toBe(true)
    expect(requests(cloud, 'DELETE', /\/refund-instructions\/[^/]+$/)).toHaveLength(1)
    expect((await drive(clock, refund.outcome)).status).toBe('cancelled')
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a cancel the gateway refuses for good (403) rejects with its error, sent once', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    cloud.faults.add({ kind: 'status', status: 403, match: { method: 'DELETE' } })
    const p = await orchestrator.sale(payment(1206))
    await pass(clock, 2_000)
    const error = await drive(clock, p.cancel()).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'TillkitHttpError', status: 403 })
    expect(requests(cloud, 'DELETE', DELETE_PATH)).toHaveLength(1)
    // The payment carries on regardless.
    expect((await drive(clock, p.outcome, 600_000, 250)).status).toBe('approved')
  })

  it('a referenced refund cannot be cancelled: it is decided when it answers', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const sale = await drive(clock, (await orchestrator.sale(payment(5000))).outcome)
    const refunds = /\/v1\/payments\/[^/]+\/refunds$/
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: refunds }, times: 1 })
    cloud.faults.add({
      kind: 'status',
      status: 503,
      match: { method: 'POST', path: refunds },
      times: 1,
    })
    const refund = await orchestrator.refund(
      payment(1000, { reference: 'ret', original: { paymentId: sale.providerIds.paymentId } }),
    )
    await pass(clock, 100)
    expect(refund.state).toBe('running')
    expect(await drive(clock, refund.cancel())).toBe(false)
    expect(await drive(clock, refund.outcome)).toMatchObject({ status: 'approved' })
    expect(requests(cloud, 'POST', refunds).map((r) => [r.status, r.replayed])).toEqual([
      [undefined, undefined],
      [503, undefined],
      [201, true],
    ])
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'refund'])
  })
})

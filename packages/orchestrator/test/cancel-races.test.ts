/**
 * cancel() where it races something: a start still out (refused busy, or 429 with a long
 * Retry-After), a lost answer to the cancel itself, a provider that cannot cancel, another till's
 * payment on the same terminal. Each test names the rule it holds the orchestrator to.
 */
import { createManualClock } from '@tillkit/core'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { describe, expect, it } from 'vitest'
import { CancelOnTerminalError, createOrchestrator } from '../src/index.js'
import { paymentsenseWebSocketAdapter } from '../src/paymentsense.js'
import { drive, pass, sale, setup } from './harness.js'
import * as sc from './smartconnect-harness.js'
import { payment as payrocPayment, payrocSetup, requests } from './payroc-harness.js'

const KEY = 'cancel-races-key'

describe('cancel racing starts, lost answers and other tills', () => {
  // Expected: a WebSocket cancel stops only the payment it belongs to. Connect's cancelTransaction
  // "cancels whatever the terminal runs" (README, Paymentsense WebSocket; the adapter's own comment
  // at cancel()), so it may only go once the terminal is known to run *this* payment. A sale that
  // Connect refuses as busy (the terminal runs another till's payment) never ran: its cancel must
  // resolve false and leave the other till's payment alone (money safety: a cancel must never
  // stop, or be credited with, a payment it does not belong to).
  it("WS: cancelling a sale whose busy refusal is still on its way must not cancel another till's payment on the terminal", async () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, apiKeys: [KEY] })
    const Base = cloud.WebSocket
    // Answers from Connect reach this till 300 ms after Connect sent them (an ordinary round trip).
    class Slow extends Base {
      override addEventListener(type: string, listener: (event: any) => void): void {
        if (type !== 'message') return super.addEventListener(type, listener)
        super.addEventListener(type, (event) => {
          void clock.sleep(300).then(() => listener(event))
        })
      }
    }
    const adapter = (WebSocket: typeof Base) =>
      paymentsenseWebSocketAdapter({
        account: 'acme',
        environment: 'test',
        apiKey: KEY,
        softwareHouseId: 'SWH',
        installerId: 'INST',
        WebSocket,
        random: () => 0.5,
      })
    const otherTill = createOrchestrator({ accounts: { shop: adapter(Base) }, clock })
    const thisTill = createOrchestrator({ accounts: { shop: adapter(Slow) }, clock })
    const theirs = await otherTill.sale(sale(1209)) // slow card: terminal busy for a while
    await pass(clock, 1_000)
    const ours = await thisTill.sale(sale(1250, { reference: 'ours' }))
    await pass(clock, 10)
    const cancelled = ours.cancel()
    expect(await drive(clock, ours.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-busy',
    })
    expect(await drive(clock, cancelled)).toBe(false)
    // The other till's payment was never asked to stop.
    expect((await drive(clock, theirs.outcome)).status).toBe('approved')
    await otherTill.close()
    await thisTill.close()
  })

  // Expected: `cancel()` "resolves true when the provider took the cancel" (README, Payment API).
  // Here Connect took the DELETE and the terminal cancelled the sale (outcome `cancelled`, nothing
  // charged); only the DELETE's answer was lost. The POS must not be told the cancel failed (a
  // rejection) or came too late (false) for a payment its own cancel stopped: Payroc's adapter reads
  // the instruction for exactly this case (README: "an earlier cancel whose answer was lost").
  it('REST: a DELETE whose answer is lost, for a payment that then ends cancelled, resolves true', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const payment = await orchestrator.sale(sale(1209)) // slow card: time to cancel
    await pass(clock, 3_000)
    expect(payment.state).toBe('running')
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'DELETE' }, times: 1 })
    const cancelled = payment.cancel().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'cancelled' })
    expect(cloud.ledger).toHaveLength(0)
    expect(seen.filter((r) => r.method === 'DELETE').length).toBeGreaterThanOrEqual(1)
    expect(await drive(clock, cancelled)).toEqual({ value: true })
  })

  // Expected: a cancel asked while the start is out, whose start then comes back refused
  // unprocessed (429), ends the payment `cancelled` without sending it again (README, Payment API:
  // "came back refused unprocessed while the cancel waited for it: the payment then ends
  // `cancelled` without any further request"; SmartConnect section: "only a payment whose start has
  // not been sent yet, say one waiting out a 429, is cancelled, without sending it"). Here the POS
  // is told "cancel on the terminal" while nothing is on the terminal yet, and the orchestrator then
  // sends the sale to the terminal anyway, after the operator was asked to cancel it.
  it('SmartConnect: a cancel while the start is out, which then comes back 429, must not let the start be sent again', async () => {
    const { clock, cloud, orchestrator, seen } = await sc.setup()
    cloud.faults.add({ kind: 'latency', ms: 500, match: { method: 'POST' }, times: 1 })
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 2,
      match: { method: 'POST' },
      times: 1,
    })
    const payment = await orchestrator.sale(sc.sale(1250))
    await pass(clock, 100)
    expect(payment.state).toBe('starting')
    const cancelled = payment.cancel().then(
      (value) => value,
      (error: unknown) => (error instanceof CancelOnTerminalError ? 'cancel-on-terminal' : error),
    )
    const outcome = await drive(clock, payment.outcome)
    await pass(clock, 10_000)
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429])
    expect(cloud.ledger).toHaveLength(0)
    expect(outcome).toMatchObject({ status: 'cancelled', reasonCode: 'cancelled-before-start' })
    expect(await cancelled).toBe(true)
  })

  // Expected: as above, on Payroc, whose README says so outright: a cancel "resolves false unless it
  // shows canceled (an earlier cancel whose answer was lost)". Here the DELETE cancelled the
  // instruction (outcome `cancelled`, nothing charged) and only its answer was lost; the payment
  // settled from the released read before the DELETE timed out, and the core's urgent retry
  // (src/payment.ts, urgent) then rejects with the timeout instead of answering from the outcome.
  it('Payroc: a DELETE whose answer is lost, for a payment that then ends cancelled, resolves true', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const p = await orchestrator.sale(payrocPayment(1206))
    await pass(clock, 2_000)
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'DELETE' }, times: 1 })
    const cancelled = p.cancel().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
    expect(await drive(clock, p.outcome)).toMatchObject({ status: 'cancelled' })
    expect(cloud.instructions.list()[0]!.status).toBe('canceled')
    expect(cloud.ledger).toHaveLength(0)
    expect(requests(cloud, 'DELETE', /\/payment-instructions\//)).toHaveLength(1)
    expect(await drive(clock, cancelled)).toEqual({ value: true })
  })

  // Expected (README, Payment API, cancel()): "resolves true when ... the start ... came back refused
  // unprocessed while the cancel waited for it: the payment then ends `cancelled` without any further
  // request". The start came back 429 (unprocessed) while the cancel waited; because its
  // Retry-After reaches past the one-minute resend window, the core settles `failed`
  // (`rate-limited`) before looking at the waiting cancel, which then resolves false. Nothing was
  // charged either way, so this is the contract, not money: Payroc's path gives `cancelled`/true.
  it('REST: a cancel waiting on a start refused 429 with a long Retry-After ends cancelled and resolves true', async () => {
    const s = setup()
    s.cloud.faults.add({ kind: 'latency', ms: 500, match: { method: 'POST' }, times: 1 })
    s.cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 120,
      match: { method: 'POST' },
      times: 1,
    })
    const p = await s.orchestrator.sale(sale(1206))
    await pass(s.clock, 100)
    expect(p.state).toBe('starting')
    const cancelled = p.cancel()
    const outcome = await drive(s.clock, p.outcome)
    expect(s.seen.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 429'])
    expect(outcome).toMatchObject({ status: 'cancelled', reasonCode: 'cancelled-before-start' })
    expect(await drive(s.clock, cancelled)).toBe(true)
  })
})

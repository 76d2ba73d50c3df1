import { describe, expect, it } from 'vitest'
import type { PaymentEvent, SignatureRequiredEvent } from '../src/index.js'
import { collect, drive, flush, pass, sale, setup, TID } from './paymentsense-ws-harness.js'

/** The adapter's answers to Connect's signature questions, as sent. */
const signatureAnswers = (sent: ReturnType<typeof setup>['wire']['sent']) =>
  sent.filter((m) => m.method === undefined && m.result !== undefined).map((m) => m.result)

describe('paymentsense WebSocket adapter: signatures', () => {
  it('Connect asks; one signatureRequired event with the receipt; accept() answers on the socket', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1203))
    const seen: PaymentEvent[] = []
    const done = (async () => {
      for await (const event of payment) {
        seen.push(event)
        if (event.type === 'signatureRequired')
          expect(await (event as SignatureRequiredEvent).accept()).toBe(true)
      }
    })()
    const outcome = await drive(clock, payment.outcome)
    await done
    expect(outcome).toMatchObject({ status: 'approved', verification: 'signature' })
    const asked = seen.filter((e) => e.type === 'signatureRequired') as SignatureRequiredEvent[]
    expect(asked).toHaveLength(1)
    expect(asked[0]!.raw).toBe('SIGNATURE_VERIFICATION')
    expect(asked[0]!.receipt?.merchant?.length).toBeGreaterThan(0)
    // Connect's 79 s window (the fake's default) less 10 s.
    expect(asked[0]!.deadline - asked[0]!.at).toBe(69_000)
    expect(seen.map((e) => e.type)).toContain('signatureDone')
    expect(signatureAnswers(wire.sent)).toEqual([{ accepted: true }])
    expect(cloud.ledger.map((e) => `${e.kind} ${e.amount}`)).toEqual(['sale 1203'])
  })

  it('decline(): the terminal voids the payment; declined, voided, reversed in the ledger', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1203))
    const done = (async () => {
      for await (const event of payment)
        if (event.type === 'signatureRequired') await (event as SignatureRequiredEvent).decline()
    })()
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'declined',
      reasonCode: 'voided',
    })
    await done
    expect(signatureAnswers(wire.sent)).toEqual([{ accepted: false }])
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })

  it('nobody answers, default policy: declined at the deadline (69 s), not left to Connect', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1203))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'declined', reasonCode: 'voided' })
    const asked = (await events.done).find((e) => e.type === 'signatureRequired')!
    expect(outcome.at - asked.at).toBeGreaterThanOrEqual(69_000)
    expect(outcome.at - asked.at).toBeLessThan(79_000)
    expect(signatureAnswers(wire.sent)).toEqual([{ accepted: false }])
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })

  it("nobody answers, policy 'provider': nothing is sent and Connect accepts by itself", async () => {
    const { clock, cloud, orchestrator, wire } = setup({
      orchestrator: { signature: { whenUnanswered: 'provider' } },
    })
    const payment = await orchestrator.sale(sale(1203))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'approved', verification: 'signature' })
    const asked = (await events.done).find((e) => e.type === 'signatureRequired')!
    expect(outcome.at - asked.at).toBeGreaterThanOrEqual(79_000)
    expect(signatureAnswers(wire.sent)).toEqual([])
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it("nobody answers, policy 'accept': accepted at the deadline", async () => {
    const { clock, orchestrator, wire } = setup({
      orchestrator: { signature: { whenUnanswered: 'accept', answerWithinMs: 30_000 } },
    })
    const payment = await orchestrator.sale(sale(1203))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(signatureAnswers(wire.sent)).toEqual([{ accepted: true }])
  })

  it('a question lost with its connection cannot be answered: accept() rejects, the payment is unknown', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1203))
    let asked: SignatureRequiredEvent | undefined
    const done = (async () => {
      for await (const event of payment)
        if (event.type === 'signatureRequired') asked = event as SignatureRequiredEvent
    })()
    while (!asked) await pass(clock, 200)
    cloud.sockets.drop()
    await flush()
    await expect(asked.accept()).rejects.toThrow(/no signature question/)
    const outcome = await drive(clock, payment.outcome)
    await done
    expect(outcome.status).toBe('unknown')
    expect(signatureAnswers(wire.sent)).toEqual([])
    // Lost with the connection, the question went unanswered: Connect accepts it at its timeout,
    // so the sale stands. One sale: never a second.
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

describe('paymentsense WebSocket adapter: the policy and a refused cancel', () => {
  // Expected: with `whenUnanswered: 'decline'` "no unverified signature is accepted" (payment.ts
  // SignaturePolicy). FACTS §4 (Verify Signature): "If the EPoS does not answer within `timeout`,
  // the signature is automatically ACCEPTED." The core caps the policy's deadline at the provider's
  // window itself, `Math.min(policy.answerWithinMs, windowMs)` (payment.ts:645), with no margin: an
  // answerWithinMs of the window or more (2 min is accepted by the option check) sends the
  // decline exactly when Connect stops waiting. Connect has already accepted: the sale stands,
  // unverified, while the POS's accept()/decline() and the policy believe a decline was sent.
  it("policy 'decline' with answerWithinMs beyond Connect's window still declines an unjudged signature", async () => {
    const s = setup({
      orchestrator: { signature: { whenUnanswered: 'decline', answerWithinMs: 120_000 } },
    })
    const payment = await s.orchestrator.sale(sale(1203))
    const events = collect(payment)
    const outcome = await drive(s.clock, payment.outcome)
    const asked = (await events.done).find((e) => e.type === 'signatureRequired')!
    expect(signatureAnswers(s.wire.sent)).toEqual([{ accepted: false }])
    expect(outcome).toMatchObject({ status: 'declined', reasonCode: 'voided' })
    expect(s.cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
    // The deadline given to the POS must leave time for the answer to reach Connect.
    expect((asked as SignatureRequiredEvent).deadline - asked.at).toBeLessThan(79_000)
  })

  // Expected: a signature the POS accepts within Connect's window stands (FACTS §4: the EPoS's
  // `{accepted}` answers the question; unanswered it is ACCEPTED, never voided). A cancel that
  // comes too late (UNABLE_TO_CANCEL, FACTS §2.3) lets the transaction continue. In the WS fake,
  // the UNABLE_TO_CANCEL push makes Connect forget the open question (mock/ws/pac.ts:119-120, "any
  // later event means the terminal has moved past" it, which is not so here: the terminal still
  // waits for the decision). The POS's accept() then resolves true but Connect drops the answer,
  // the terminal's window runs out (SIGNATURE_VERIFICATION_TIMEOUT) and the sale is voided. The
  // REST fake keeps the same signature answerable after the refused cancel.
  it('a refused cancel during the signature question does not void a signature the POS then accepts', async () => {
    const s = setup()
    const payment = await s.orchestrator.sale(sale(1203))
    let asked: SignatureRequiredEvent | undefined
    const seen: PaymentEvent[] = []
    const done = (async () => {
      for await (const event of payment) {
        seen.push(event)
        if (event.type === 'signatureRequired') asked = event as SignatureRequiredEvent
      }
    })()
    while (!asked) await pass(s.clock, 200)
    expect(await drive(s.clock, payment.cancel())).toBe(false) // past the acquirer: too late
    await pass(s.clock, 2_000)
    expect(seen.map((e) => e.raw)).toContain('UNABLE_TO_CANCEL')
    expect(await asked.accept()).toBe(true)
    const outcome = await drive(s.clock, payment.outcome)
    await done
    expect(outcome).toMatchObject({ status: 'approved', verification: 'signature' })
    expect(s.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

describe('paymentsense WebSocket adapter: one question delivered twice', () => {
  it('the same signatureVerificationRequest frame (same JSON-RPC id) twice: one signatureRequired event', async () => {
    const holder: { Base?: new (url: string) => any } = {}
    // The fake's own socket, on which every signature question frame arrives twice.
    function Twice(url: string) {
      const socket = new holder.Base!(url)
      const add = socket.addEventListener.bind(socket)
      socket.addEventListener = (type: string, listener: (event: any) => void) => {
        if (type !== 'message') return add(type, listener)
        add(type, (event: MessageEvent) => {
          listener(event)
          if (String(event.data).includes('"signatureVerificationRequest"')) listener(event)
        })
      }
      return socket
    }
    const s = setup({ adapter: { WebSocket: Twice as never } })
    holder.Base = s.cloud.WebSocket
    const payment = await s.orchestrator.sale(sale(1203))
    const seen: PaymentEvent[] = []
    const done = (async () => {
      for await (const event of payment) {
        seen.push(event)
        if (event.type === 'signatureRequired')
          void (event as SignatureRequiredEvent).accept().catch(() => {})
      }
    })()
    await drive(s.clock, payment.outcome)
    await done
    expect(seen.filter((e) => e.type === 'signatureRequired')).toHaveLength(1)
  })
})

describe('paymentsense WebSocket adapter: cancel', () => {
  it('cancels a payment waiting for a slow card: cancelTransaction, the terminal agrees', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1209))
    const events = collect(payment)
    await pass(clock, 3_000)
    expect(await drive(clock, payment.cancel())).toBe(true)
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'cancelled',
    })
    expect((await events.done).map((e) => e.type)).toContain('cancelling')
    expect(wire.sent.filter((m) => m.method === 'cancelTransaction')).toEqual([
      expect.objectContaining({ params: { tid: TID } }),
    ])
    expect(cloud.ledger).toHaveLength(0)
  })

  it('too late: past the acquirer request the terminal says UNABLE_TO_CANCEL; false, approved', async () => {
    const { clock, cloud, orchestrator } = setup()
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    await pass(clock, 2_900)
    expect(await drive(clock, payment.cancel())).toBe(false)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect((await events.done).map((e) => e.type)).toEqual(
      expect.arrayContaining(['cancelling', 'cancelRefused']),
    )
    expect(cloud.ledger).toHaveLength(1)
  })

  it('Connect refuses the cancel (the terminal went off the network): false', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 2_000)
    cloud.terminals.setOnline(TID, false)
    expect(await drive(clock, payment.cancel())).toBe(false)
    expect(wire.sent.filter((m) => m.method === 'cancelTransaction')).toHaveLength(1)
    cloud.terminals.setOnline(TID, true)
    expect((await drive(clock, payment.outcome)).status).not.toBe('cancelled')
  })

  it('after its answer was lost a payment is not cancelled blindly: false, nothing sent', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 2_000)
    cloud.sockets.drop()
    await pass(clock, 100)
    expect(await drive(clock, payment.cancel())).toBe(false)
    expect(wire.sent.filter((m) => m.method === 'cancelTransaction')).toHaveLength(0)
    expect((await drive(clock, payment.outcome)).status).toBe('unknown')
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1209])
  })
})

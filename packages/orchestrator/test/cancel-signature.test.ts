import { describe, expect, it } from 'vitest'
import {
  CancelOnTerminalError,
  createOrchestrator,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { collect, drive, flush, pass, sale, setup, stubAdapter, TID } from './harness.js'

describe('cancel', () => {
  it('cancels a payment waiting for a slow card: DELETE ahead of polls, outcome cancelled', async () => {
    const { clock, cloud, orchestrator, seen, dispatched } = setup()
    const payment = await orchestrator.sale(sale(1209))
    const events = collect(payment)
    await pass(clock, 3_000)
    expect(payment.state).toBe('running')
    expect(await drive(clock, payment.cancel())).toBe(true)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'cancelled', reasonCode: 'cancelled' })
    const types = (await events.done).map((e) => e.type)
    expect(types).toContain('cancelling')
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([202])
    expect(dispatched.filter((d) => d.request === 'cancel')).toHaveLength(1)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a cancel goes ahead of polls already queued on the account', async () => {
    const terminals = ['T1', 'T2', 'T3', 'T4'].map((tid) => ({ tid, currency: 'GBP' as const }))
    // 400 ms spacing for four payments polled every second: the lane always has polls waiting.
    const { clock, orchestrator, dispatched } = setup({
      cloud: { terminals },
      adapter: { spacingMs: 400 },
    })
    const payments = await Promise.all(
      terminals.map(({ tid }) => orchestrator.sale({ ...sale(1209), terminal: tid })),
    )
    await pass(clock, 3_000)
    const before = dispatched.length
    const cancelled = payments[3]!.cancel()
    await pass(clock, 1_000)
    const after = dispatched.slice(before)
    expect(after[0]).toMatchObject({ request: 'cancel', paymentId: payments[3]!.id })
    // Polls that were due before the cancel was asked still went after it.
    const asked = after[0]!.dueAt
    expect(after.some((d) => d.request === 'poll' && d.dueAt < asked)).toBe(true)
    expect(await drive(clock, cancelled)).toBe(true)
    expect((await drive(clock, payments[3]!.outcome)).status).toBe('cancelled')
    for (const p of payments.slice(0, 3))
      expect((await drive(clock, p.outcome)).status).toBe('approved')
  })

  it('before the start request is sent, cancel needs no request: the payment never starts', async () => {
    const terminals = ['T1', 'T2'].map((tid) => ({ tid, currency: 'GBP' as const }))
    const { clock, cloud, orchestrator, seen } = setup({ cloud: { terminals } })
    const first = await orchestrator.sale({ ...sale(1250), terminal: 'T1' })
    const second = await orchestrator.sale({ ...sale(1250), terminal: 'T2' })
    await flush()
    // The first start went at once; the second waits for the account's 100 ms spacing.
    expect(second.state).toBe('queued')
    expect(await second.cancel()).toBe(true)
    const outcome = await second.outcome
    expect(outcome).toMatchObject({ status: 'cancelled', reasonCode: 'cancelled-before-start' })
    await drive(clock, first.outcome)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a cancel asked while the start is out is sent once the start answers', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    cloud.faults.add({ kind: 'latency', ms: 500, match: { method: 'POST' }, times: 1 })
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 100)
    expect(payment.state).toBe('starting')
    const cancelled = payment.cancel()
    expect(await drive(clock, cancelled)).toBe(true)
    expect((await drive(clock, payment.outcome)).status).toBe('cancelled')
    // The slow POST reached the fake late, so the DELETE right behind it met Connect's spacing rule
    // (429): the account paused and the cancel went again.
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([429, 202])
  })

  it.each([
    [
      'refused unprocessed (429)',
      () =>
        Response.json(
          { userMessage: 'slow down' },
          { status: 429, headers: { 'retry-after': '1' } },
        ),
    ],
    [
      'never sent (connection refused)',
      () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
      },
    ],
  ])(
    'a cancel asked while the start is out, which comes back %s: the start is not sent again; cancelled',
    async (_, answer) => {
      const s = setup()
      const reach = s.cloud.fetch
      let reached = 0
      s.cloud.fetch = async (request: Request) => {
        if (request.method !== 'POST') return reach(request)
        await s.clock.sleep(100)
        return answer()
      }
      const payment = await s.orchestrator.sale(sale(1250))
      await pass(s.clock, 50)
      expect(payment.state).toBe('starting')
      const cancelled = payment.cancel()
      expect(await drive(s.clock, payment.outcome)).toMatchObject({
        status: 'cancelled',
        reasonCode: 'cancelled-before-start',
      })
      expect(await cancelled).toBe(true)
      const starts = s.seen.filter((r) => r.method === 'POST').length
      s.cloud.fetch = (request: Request) => (request.method === 'POST' && reached++, reach(request))
      await pass(s.clock, 60_000)
      expect(s.seen.filter((r) => r.method === 'POST')).toHaveLength(starts)
      expect(reached).toBe(0)
      expect(s.seen.filter((r) => r.method === 'DELETE')).toHaveLength(0)
      expect(s.cloud.ledger).toHaveLength(0)
    },
  )

  it('past the acquirer request: Connect takes the cancel but the terminal cannot; approved', async () => {
    const { clock, cloud, orchestrator } = setup()
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    await pass(clock, 2_900)
    expect(await drive(clock, payment.cancel())).toBe(true)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const types = (await events.done).map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['cancelling', 'cancelRefused']))
    expect(await payment.cancel()).toBe(false)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('finished at the terminal before the POS saw it: Connect refuses (422), cancel resolves false', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const payment = await orchestrator.sale(sale(1250))
    // The fake finishes at 3.6 s; our next poll is due at 4 s.
    await pass(clock, 3_700)
    expect(payment.state).toBe('running')
    expect(await drive(clock, payment.cancel())).toBe(false)
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([422])
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(cloud.ledger).toHaveLength(1)
  })

  it('where the provider has no cancel, cancel() is a typed error and sends nothing', async () => {
    const adapter = stubAdapter({
      capabilities: {
        kinds: ['sale'],
        cancel: false,
        signature: 'terminal',
        findsLostStarts: false,
      },
      start: async () => ({ ids: { ref: 'r1' } }),
      poll: async () => ({}),
    })
    const { clock } = setup()
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale({ ...sale(100), account: 'a' })
    await flush()
    expect(payment.state).toBe('running')
    const error = await payment.cancel().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelOnTerminalError)
    expect((error as CancelOnTerminalError).message).toMatch(/cancel on the terminal/)
    await orchestrator.close()
  })
})

describe('signatures', () => {
  it('where the terminal judges signatures, a provider signatureRequired reaches the POS as signatureOnTerminal', async () => {
    const adapter = stubAdapter({
      capabilities: {
        kinds: ['sale'],
        cancel: true,
        signature: 'terminal',
        findsLostStarts: false,
      },
      start: async () => ({
        ids: { ref: 'r1' },
        notifications: [{ type: 'signatureRequired', raw: 'SIGN_ON_TERMINAL' }],
        outcome: { status: 'approved' },
      }),
    })
    const { clock } = setup()
    const orchestrator = createOrchestrator({ accounts: { a: adapter }, clock })
    const payment = await orchestrator.sale({ ...sale(100), account: 'a' })
    const events = collect(payment)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const seen = await events.done
    expect(seen.map((e) => [e.type, e.raw])).toEqual([['signatureOnTerminal', 'SIGN_ON_TERMINAL']])
    expect(seen[0]).not.toHaveProperty('accept')
    expect(adapter.calls).not.toContain('answerSignature')
    await orchestrator.close()
  })

  async function signatureSale(options: Parameters<typeof setup>[0] = {}) {
    const s = setup(options)
    const payment = await s.orchestrator.sale(sale(1203))
    const events = collect(payment)
    const until = async () => {
      for (let i = 0; i < 400; i++) {
        const found = events.list.find((e) => e.type === 'signatureRequired')
        if (found) return found as SignatureRequiredEvent
        await pass(s.clock, 50)
      }
      throw new Error('no signatureRequired event')
    }
    return { ...s, payment, events, signature: await until() }
  }

  it('accept: the PUT goes out at once and the sale approves', async () => {
    const { clock, cloud, payment, signature, seen, events } = await signatureSale()
    expect(signature.raw).toBe('SIGNATURE_VERIFICATION')
    expect(signature.deadline).toBe(signature.at + 70_000)
    expect(await drive(clock, signature.accept())).toBe(true)
    expect(await signature.decline()).toBe(false)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'approved', verification: 'signature' })
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([202])
    expect((await events.done).map((e) => e.type)).toContain('signatureDone')
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('decline: the terminal reverses the payment; outcome declined (voided)', async () => {
    const { clock, cloud, payment, signature } = await signatureSale()
    expect(await drive(clock, signature.decline())).toBe(true)
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'declined',
      reasonCode: 'voided',
    })
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })

  it('nobody answers: the default policy declines before the terminal window closes', async () => {
    const { clock, cloud, payment, signature, seen } = await signatureSale()
    await pass(clock, 69_000)
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(0)
    await pass(clock, 1_100)
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(1)
    expect(await signature.accept()).toBe(false)
    expect((await drive(clock, payment.outcome)).reasonCode).toBe('voided')
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })

  it('a policy of accept after 5 s answers for the POS', async () => {
    const { clock, payment, signature, seen } = await signatureSale({
      orchestrator: { signature: { answerWithinMs: 5_000, whenUnanswered: 'accept' } },
    })
    expect(signature.deadline - signature.at).toBe(5_000)
    await pass(clock, 5_200)
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(1)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
  })

  it("policy 'provider' sends nothing and the terminal's own rule applies", async () => {
    const { clock, payment, seen } = await signatureSale({
      orchestrator: { signature: { whenUnanswered: 'provider' } },
    })
    const outcome = await drive(clock, payment.outcome)
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(0)
    expect(outcome).toMatchObject({ status: 'declined', reasonCode: 'voided' })
  })

  it('a signature answer Connect refuses (window over) rejects the accept()', async () => {
    const { clock, cloud, signature } = await signatureSale()
    cloud.faults.add({ kind: 'status', status: 422, match: { method: 'PUT' }, times: 1 })
    const error = await drive(
      clock,
      signature.accept().catch((e: unknown) => e),
    )
    expect(error).toMatchObject({ name: 'TillkitHttpError', status: 422 })
  })

  /** A wire on which the next `times` signature PUTs cannot connect (nothing reaches Connect). */
  const refusingPuts = (times: number) => ({
    wire: (request: Request, next: (request: Request) => Promise<Response>) =>
      request.method === 'PUT' && times-- > 0
        ? Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))
        : next(request),
  })

  it('a signature answer that could not connect is sent again', async () => {
    const { clock, payment, signature, seen } = await signatureSale(refusingPuts(1))
    expect(await drive(clock, signature.accept())).toBe(true)
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([202])
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
  })

  it('an answer that never left after every attempt leaves the question open to the POS', async () => {
    const { clock, payment, signature, seen } = await signatureSale(refusingPuts(3))
    const error = await drive(
      clock,
      signature.accept().catch((e: unknown) => e),
    )
    expect(error).toMatchObject({ name: 'TillkitNetworkError', mayHaveReachedProvider: false })
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(0)
    // Nothing reached Connect: the operator answers again, well within the window.
    expect(await drive(clock, signature.accept())).toBe(true)
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([202])
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
  })

  it('...and to the policy, which still answers at the deadline when nobody does', async () => {
    const { clock, payment, signature, seen } = await signatureSale({
      ...refusingPuts(3),
      orchestrator: { signature: { answerWithinMs: 5_000, whenUnanswered: 'decline' } },
    })
    await drive(
      clock,
      signature.accept().catch(() => {}),
    )
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(0)
    await pass(clock, 5_200)
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([202])
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'declined',
      reasonCode: 'voided',
    })
  })

  it('a signature answer lost to a 503 is sent again', async () => {
    const { clock, cloud, payment, signature, seen } = await signatureSale()
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'PUT' }, times: 1 })
    expect(await drive(clock, signature.accept())).toBe(true)
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([503, 202])
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
  })
})

void TID

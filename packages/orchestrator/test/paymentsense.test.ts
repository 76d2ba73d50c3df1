import { describe, expect, it } from 'vitest'
import type { OutcomeStatus, PaymentEventType } from '../src/index.js'
import { ACCOUNT, collect, drive, sale, setup, TID } from './harness.js'

describe('a Paymentsense sale through the orchestrator', () => {
  it('approves, with every terminal notification delivered once, in order, mapped to the vocabulary', async () => {
    const { clock, cloud, orchestrator } = setup()
    const payment = await orchestrator.sale(sale(1250))
    expect(payment.provider).toBe('paymentsense')
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    const list = await events.done
    expect(outcome).toMatchObject({
      status: 'approved',
      paymentId: payment.id,
      provider: 'paymentsense',
      account: ACCOUNT,
      terminal: TID,
      kind: 'sale',
      reference: 'order-1250',
      currency: 'GBP',
      amounts: { requested: 1250, approved: 1250, cashback: 0, total: 1250 },
      entryMethod: 'chip',
      verification: 'pin',
    })
    expect(outcome.authCode).toMatch(/\S/)
    expect(outcome.maskedPan).toMatch(/\d{4}$/)
    expect(outcome.receipt?.merchant?.length).toBeGreaterThan(0)
    expect(outcome.receipt?.customer?.length).toBeGreaterThan(0)
    expect(outcome.raw).toMatchObject({ transactionResult: 'SUCCESSFUL' })
    expect(outcome.reconcile).toBeUndefined()
    const requestId = outcome.providerIds.requestId!
    expect(payment.ids).toEqual({ requestId })
    expect(list.map((e) => e.raw)).toEqual(
      cloud.terminals.transaction(TID, requestId).notifications,
    )
    expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1))
    expect(list.every((e) => e.paymentId === payment.id)).toBe(true)
    const types = list.map((e) => e.type)
    expect(types[0]).toBe('started')
    expect(types).toEqual(
      expect.arrayContaining(['presentCard', 'pinEntry', 'processing', 'authorised', 'removeCard']),
    )
    expect(types.at(-1)).toBe('finished')
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.result])).toEqual([
      ['sale', 1250, 'SUCCESSFUL'],
    ])
    expect(payment.state).toBe('settled')
    expect(orchestrator.running).toBe(0)
  })

  // Scenario by the last two digits of the amount (the fake's table).
  const cases: Array<[number, OutcomeStatus, string | undefined, number, PaymentEventType?]> = [
    [1201, 'approved', undefined, 1, 'presentCard'],
    [1202, 'approved', undefined, 1, 'presentCard'],
    [1204, 'declined', 'declined', 1, 'declined'],
    [1205, 'declined', 'declined', 0, 'declined'],
    [1206, 'cancelled', 'timed-out', 0, 'presentCard'],
    [1207, 'cancelled', 'cancelled', 0, 'presentCard'],
    [1208, 'failed', 'unsuccessful', 0, 'processing'],
    [1209, 'approved', undefined, 1, 'pinEntry'],
  ]
  it.each(cases)(
    'amount %i settles %s (%s) with %i ledger entries',
    async (amount, status, reasonCode, charged, seenType) => {
      const { clock, cloud, orchestrator } = setup()
      const payment = await orchestrator.sale(sale(amount))
      const events = collect(payment)
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      expect(cloud.ledger.filter((e) => e.amount === amount)).toHaveLength(charged)
      const types = (await events.done).map((e) => e.type)
      if (seenType) expect(types).toContain(seenType)
      expect(types.at(-1)).toBe('finished')
    },
  )

  it('contactless and device verification are read from the result', async () => {
    const { clock, orchestrator } = setup()
    const tap = await orchestrator.sale(sale(1201))
    expect(await drive(clock, tap.outcome)).toMatchObject({
      entryMethod: 'contactless',
      verification: 'none',
    })
    const phone = await orchestrator.sale(sale(1302))
    expect((await drive(clock, phone.outcome)).verification).toBe('device')
  })

  it('keeps polling through a terminal that drops off the network, then approves', async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    const payment = await orchestrator.sale(sale(1210))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect(seen.filter((r) => r.method === 'GET' && r.status === 404).length).toBeGreaterThan(20)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('runs refunds, pre-auths, completions and account verifications', async () => {
    const { clock, cloud, orchestrator } = setup()
    const refund = await orchestrator.refund(sale(500))
    expect((await drive(clock, refund.outcome)).status).toBe('approved')
    const hold = await orchestrator.preAuth(sale(4000))
    const held = await drive(clock, hold.outcome)
    expect(held).toMatchObject({ status: 'approved', kind: 'preAuth' })
    const complete = await orchestrator.completion(
      sale(3500, { authCode: held.authCode, preAuthAmount: 4000 }),
    )
    expect(await drive(clock, complete.outcome)).toMatchObject({
      status: 'approved',
      kind: 'completion',
    })
    const verify = await orchestrator.accountVerification({
      account: ACCOUNT,
      terminal: TID,
      currency: 'GBP',
      reference: 'verify-1',
    })
    const verified = await drive(clock, verify.outcome)
    expect(verified.status).toBe('approved')
    expect(verified.amounts.requested).toBeUndefined()
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['refund', 'pre-auth', 'completion'])
  })

  it("a busy or unreachable terminal fails the payment, in Connect's words, with nothing charged", async () => {
    const { clock, cloud, orchestrator } = setup()
    const first = await orchestrator.sale(sale(1209))
    const second = await orchestrator.sale({ ...sale(1250), reference: 'second' })
    const refused = await drive(clock, second.outcome)
    expect(refused).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    expect(refused.reason).toMatch(/busy/)
    expect(refused.providerIds).toEqual({})
    await drive(clock, first.outcome)
    cloud.terminals.setOnline(TID, false)
    const offline = await orchestrator.sale(sale(1250))
    expect(await drive(clock, offline.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-unavailable',
    })
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1209])
  })

  it('a wrong API key fails the start (401) without charging', async () => {
    const { clock, cloud, orchestrator } = setup({ adapter: { apiKey: 'wrong-key-123' } })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'unauthorised' })
    expect(JSON.stringify(outcome)).not.toContain('wrong-key-123')
    expect(cloud.ledger).toHaveLength(0)
  })
})

describe('values Connect never documented', () => {
  // A client must tolerate unknown values (FACTS §2): a notification or a result named like an
  // Object method is an `other` event and an unknown result, never a method looked up by mistake.
  it('a notification "toString" and a result "constructor": an other event, an unknown outcome', async () => {
    const { clock, orchestrator } = setup({
      wire: async (request, next) => {
        const response = await next(request)
        if (request.method !== 'GET' || !request.url.includes('/transactions/')) return response
        const body = (await response.json()) as Record<string, unknown> & {
          notifications: string[]
        }
        if (!body.notifications.includes('TRANSACTION_FINISHED')) return Response.json(body)
        body.notifications.splice(body.notifications.length - 1, 0, 'toString')
        return Response.json({ ...body, transactionResult: 'constructor' })
      },
    })
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('unknown')
    const odd = (await events.done).find((e) => e.raw === 'toString')
    expect(odd?.type).toBe('other')
  })
})

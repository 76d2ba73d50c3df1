import { describe, expect, it } from 'vitest'
import type { OutcomeStatus } from '../src/index.js'
import { collect, drive, pass, recordingJournal, recordingLogger } from './harness.js'
import {
  ACCOUNT,
  API_KEY,
  DEVICE,
  INSTRUCTION,
  payment,
  payrocSetup,
  PTID,
  requests,
  RESULT,
  SUBMIT,
} from './payroc-harness.js'

describe('a Payroc sale through the orchestrator', () => {
  it('approves: the instruction statuses as events, then the payment its link leads to', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const p = await orchestrator.sale(payment(4999))
    expect(p.provider).toBe('payroc')
    const events = collect(p)
    const outcome = await drive(clock, p.outcome)
    const list = await events.done
    expect(outcome).toMatchObject({
      status: 'approved',
      paymentId: p.id,
      provider: 'payroc',
      account: ACCOUNT,
      terminal: DEVICE,
      kind: 'sale',
      reference: 'order-4999',
      currency: 'USD',
      amounts: { requested: 4999, approved: 4999, total: 4999 },
      maskedPan: '453985******7062',
      cardScheme: 'Visa',
      entryMethod: 'chip',
    })
    expect(outcome.reasonCode).toBeUndefined()
    expect(outcome.authCode).toMatch(/^OK/)
    expect(outcome.raw).toMatchObject({ transactionResult: { responseCode: 'A', status: 'ready' } })
    expect(outcome.reconcile).toBeUndefined()

    // Ids: the key prepared before sending, the instruction, and the payment its link named.
    const [instruction] = cloud.instructions.list()
    const [charge] = cloud.ledger
    expect(outcome.providerIds).toEqual({
      idempotencyKey: requests(cloud, 'POST', SUBMIT)[0]!.idempotencyKey,
      instructionId: instruction!.id,
      paymentId: charge!.paymentId,
    })
    expect(p.ids).toEqual(outcome.providerIds)

    // Payroc's only notifications are the instruction's statuses, each delivered once.
    expect(list.map((e) => [e.type, e.raw, e.seq])).toEqual([
      ['started', 'inProgress', 1],
      ['finished', 'completed', 2],
    ])
    expect(list.every((e) => e.paymentId === p.id)).toBe(true)
    // The device judges signatures itself: nothing for the POS to answer.
    expect(list.some((e) => e.type === 'signatureRequired')).toBe(false)

    // Submit, one held read released when the device finished, the payment: three API requests.
    expect(cloud.requests.filter((r) => r.path.startsWith('/v1/')).map((r) => r.method)).toEqual([
      'POST',
      'GET',
      'GET',
    ])
    const [read] = requests(cloud, 'GET', INSTRUCTION)
    expect(read!.heldMs).toBeGreaterThan(4_000)
    expect(requests(cloud, 'GET', RESULT)[0]!.path).toBe(`/v1/payments/${charge!.paymentId}`)
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.result, e.orderId])).toEqual([
      ['sale', 4999, 'approved', 'order-4999'],
    ])
    expect(p.state).toBe('settled')
    expect(orchestrator.running).toBe(0)
  })

  // The fake's scenario by the amount's cents.
  const cases: Array<[number, OutcomeStatus, string | undefined, number, string]> = [
    [1201, 'declined', 'declined', 1, 'completed'],
    [1202, 'declined', 'declined', 1, 'completed'], // partial approval not accepted
    [1203, 'declined', 'referral', 1, 'completed'],
    [1204, 'failed', 'failure', 0, 'failure'],
    [1205, 'cancelled', 'cancelled', 0, 'canceled'],
    [1206, 'approved', undefined, 1, 'completed'], // the card after 90 s: more than one held read
    [1207, 'failed', 'failure', 0, 'failure'], // no card: the device gave up
  ]
  it.each(cases)(
    'amount %i settles %s (%s) with %i ledger entries',
    async (amount, status, reasonCode, charged, last) => {
      const { clock, cloud, orchestrator } = payrocSetup()
      const p = await orchestrator.sale(payment(amount))
      const events = collect(p)
      const outcome = await drive(clock, p.outcome, 600_000, 250)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      expect(cloud.ledger.filter((e) => e.amount === amount)).toHaveLength(charged)
      const list = await events.done
      expect(list.map((e) => [e.type, e.raw])).toEqual([
        ['started', 'inProgress'],
        ['finished', last],
      ])
      if (status === 'declined') expect(outcome.amounts.approved).toBe(0)
    },
  )

  it("a device failure carries Payroc's errorMessage; the slow card took two held reads", async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const failed = await orchestrator.sale(payment(1204))
    expect((await drive(clock, failed.outcome)).reason).toBe('The device could not read the card.')
    const slow = await orchestrator.sale(payment(1206))
    expect((await drive(clock, slow.outcome, 600_000, 250)).status).toBe('approved')
    const slowReads = requests(cloud, 'GET', INSTRUCTION).slice(-2)
    expect(slowReads.map((r) => r.heldMs)).toEqual([60_000, expect.any(Number)])
    // Back to back: the second read left as the first answered.
    expect(slowReads[1]!.at).toBe(slowReads[0]!.endedAt)
  })

  it('a partial approval (acceptPartialAmount) is approved for what the acquirer authorised', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const p = await orchestrator.sale(payment(3002, { extra: { acceptPartialAmount: true } }))
    const outcome = await drive(clock, p.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      reasonCode: 'partial',
      amounts: { requested: 3002, approved: 1501, total: 1501 },
    })
    expect(cloud.ledger.map((e) => [e.result, e.authorizedAmount])).toEqual([['partial', 1501]])
  })

  it('a partial approval that does not say how much claims no approved amount', async () => {
    const { clock, orchestrator, route } = payrocSetup()
    route(async (request, pass) => {
      const response = await pass(request)
      if (!/\/v1\/payments\//.test(new URL(request.url).pathname)) return response
      const body = (await response.json()) as { transactionResult: Record<string, unknown> }
      body.transactionResult.responseCode = 'P'
      delete body.transactionResult.authorizedAmount
      return Response.json(body)
    })
    const p = await orchestrator.sale(payment(4999, { extra: { acceptPartialAmount: true } }))
    const outcome = await drive(clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'approved', reasonCode: 'partial' })
    expect(outcome.amounts).toEqual({ requested: 4999 })
  })

  it('a result that is neither approval nor decline (E, deferred) is unknown, with what to read', async () => {
    const { clock, cloud, orchestrator, route } = payrocSetup()
    route(async (request, pass) => {
      const response = await pass(request)
      if (!/\/v1\/payments\//.test(new URL(request.url).pathname)) return response
      const body = (await response.json()) as { transactionResult: Record<string, unknown> }
      body.transactionResult.responseCode = 'E'
      return Response.json(body)
    })
    const p = await orchestrator.sale(payment(4999))
    const outcome = await drive(clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'unreadable' })
    expect(outcome.reason).toMatch(/response code E/)
    const paymentId = cloud.ledger[0]!.paymentId!
    expect(outcome.reconcile).toMatchObject({
      provider: 'payroc',
      terminal: DEVICE,
      amount: 4999,
      currency: 'USD',
      reference: 'order-4999',
      providerIds: { paymentId },
      lastEvent: 'completed',
    })
    expect(outcome.reconcile!.check.join(' ')).toContain(`GET /payments/${paymentId}`)
  })

  it('sends the options a POS may set, and a pre-auth without capture', async () => {
    const { clock, cloud, orchestrator, route } = payrocSetup()
    const bodies: unknown[] = []
    route(async (request, pass) => {
      if (request.method === 'POST' && SUBMIT.test(new URL(request.url).pathname))
        bodies.push(await request.clone().json())
      return pass(request)
    })
    const keyed = await orchestrator.sale(
      payment(2500, {
        extra: {
          operator: 'jo',
          entryMethod: 'manualEntry',
          processAsSale: true,
          description: 'two coffees',
        },
      }),
    )
    expect(await drive(clock, keyed.outcome)).toMatchObject({
      status: 'approved',
      entryMethod: 'keyed',
      raw: { transactionResult: { status: 'complete' } },
    })
    const hold = await orchestrator.preAuth(payment(8000))
    expect(await drive(clock, hold.outcome)).toMatchObject({
      status: 'approved',
      kind: 'preAuth',
      raw: { transactionResult: { type: 'preAuthorization', status: 'pending' } },
    })
    expect(bodies).toEqual([
      {
        processingTerminalId: PTID,
        order: { orderId: 'order-2500', amount: 2500, currency: 'USD', description: 'two coffees' },
        operator: 'jo',
        processAsSale: true,
        customizationOptions: { entryMethod: 'manualEntry' },
      },
      {
        processingTerminalId: PTID,
        order: { orderId: 'order-8000', amount: 8000, currency: 'USD' },
        autoCapture: false,
      },
    ])
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'pre-auth'])
  })

  it('a refund instruction runs on the device and ends on the refund its link leads to', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const refund = await orchestrator.refund(payment(700))
    const events = collect(refund)
    const outcome = await drive(clock, refund.outcome)
    const [entry] = cloud.ledger
    expect(entry).toMatchObject({ kind: 'refund', amount: 700, result: 'approved' })
    expect(outcome).toMatchObject({
      status: 'approved',
      kind: 'refund',
      amounts: { requested: 700, approved: 700 },
      providerIds: { refundId: entry!.refundId },
      raw: { transactionResult: { type: 'refund', authorizedAmount: -700 } },
    })
    expect(requests(cloud, 'GET', RESULT)[0]!.path).toBe(`/v1/refunds/${entry!.refundId}`)
    // Payroc requires a description on refunds: the POS's reference stands in.
    expect(cloud.instructions.list()[0]!.kind).toBe('refund')
    expect((await events.done).map((e) => e.raw)).toEqual(['inProgress', 'completed'])
  })

  it('a referenced refund of an earlier payment answers at once, at most what is left', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const sale = await drive(clock, (await orchestrator.sale(payment(5000))).outcome)
    const original = { paymentId: sale.providerIds.paymentId! }
    const part = await orchestrator.refund(
      payment(2000, { reference: 'ret-1', original, extra: { description: 'a cup broke' } }),
    )
    const refunded = await drive(clock, part.outcome)
    expect(refunded).toMatchObject({
      status: 'approved',
      amounts: { requested: 2000, approved: 2000 },
      raw: { responseCode: 'A', amount: 2000 },
    })
    expect(refunded.providerIds.refundId).toMatch(/\S/)
    // The sale's providerIds as they are (idempotencyKey and instructionId besides paymentId).
    expect(Object.keys(sale.providerIds).length).toBeGreaterThan(1)
    const tooMuch = await orchestrator.refund(
      payment(3001, { reference: 'ret-2', original: sale.providerIds }),
    )
    const refused = await drive(clock, tooMuch.outcome)
    expect(refused).toMatchObject({ status: 'failed', reasonCode: 'refused' })
    expect(refused.reason).toMatch(/3000 left/)
    expect(refused.providerIds).toEqual({ idempotencyKey: expect.any(String) })
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.paymentId])).toEqual([
      ['sale', 5000, original.paymentId],
      ['refund', 2000, original.paymentId],
    ])
    // No device step: no instruction for either refund, and nothing to cancel.
    expect(cloud.instructions.list()).toHaveLength(1)
    const unknown = await orchestrator.refund(
      payment(100, { reference: 'ret-3', original: { paymentId: 'NOSUCHPAYMENT' } }),
    )
    expect(await drive(clock, unknown.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'original-not-found',
    })
    const declined = await drive(clock, (await orchestrator.sale(payment(1201))).outcome)
    const notRefundable = await orchestrator.refund(
      payment(100, { reference: 'ret-4', original: { paymentId: declined.providerIds.paymentId } }),
    )
    expect(await drive(clock, notRefundable.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-refundable',
    })
    expect(cloud.ledger).toHaveLength(3)
  })
})

describe('starts the gateway refuses fail, in its words, with nothing charged', () => {
  it('a busy device (409), an unknown or deactivated one (404), a terminal it is not linked to (400)', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    const first = await orchestrator.sale(payment(1206))
    const busy = await orchestrator.sale(payment(1250, { reference: 'second' }))
    const refused = await drive(clock, busy.outcome)
    expect(refused).toMatchObject({ status: 'failed', reasonCode: 'terminal-busy' })
    expect(refused.reason).toMatch(/busy/)
    expect(refused.raw).toMatchObject({ status: 409 })
    await first.cancel()
    await drive(clock, first.outcome)

    const gone = await orchestrator.sale(payment(1250, { terminal: 'PAXA920-0012' }))
    expect(await drive(clock, gone.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-unavailable',
    })
    const wrong = payrocSetup({ adapter: { processingTerminalId: '999' } })
    const unlinked = await wrong.orchestrator.sale(payment(1250))
    const outcome = await drive(wrong.clock, unlinked.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'refused' })
    expect(outcome.reason).toMatch(/processingTerminalId/)
    expect([...cloud.ledger, ...wrong.cloud.ledger]).toHaveLength(0)
  })

  it('an API key the identity service refuses fails without any submit; a read-only key is forbidden', async () => {
    const bad = payrocSetup({ adapter: { apiKey: 'wrong-key-123' } })
    const p = await bad.orchestrator.sale(payment(1250))
    const outcome = await drive(bad.clock, p.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'unauthorised' })
    expect(JSON.stringify(outcome)).not.toContain('wrong-key-123')
    expect(requests(bad.cloud, 'POST', SUBMIT)).toHaveLength(0)

    const reader = payrocSetup({
      cloud: { readOnlyApiKeys: ['reader-key'] },
      adapter: { apiKey: 'reader-key' },
    })
    const q = await reader.orchestrator.sale(payment(1250))
    expect(await drive(reader.clock, q.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'forbidden',
    })
    expect(reader.cloud.ledger).toHaveLength(0)
  })

  it('a submit refused 401 even with a fresh token is unauthorised; nothing made', async () => {
    const { clock, cloud, orchestrator } = payrocSetup()
    cloud.faults.add({
      kind: 'status',
      status: 401,
      match: { method: 'POST', path: SUBMIT },
      times: 2,
    })
    const p = await orchestrator.sale(payment(1250))
    expect(await drive(clock, p.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'unauthorised',
    })
    expect(requests(cloud, 'POST', /\/authorize$/)).toHaveLength(2)
    expect(cloud.instructions.list()).toHaveLength(0)
  })
})

describe('a referenced refund the gateway does not approve', () => {
  const cases: Array<[string, OutcomeStatus, string]> = [
    ['D', 'declined', 'declined'],
    ['E', 'unknown', 'unreadable'],
  ]
  it.each(cases)('response code %s settles %s (%s)', async (code, status, reasonCode) => {
    const { clock, orchestrator, route } = payrocSetup()
    const sale = await drive(clock, (await orchestrator.sale(payment(5000))).outcome)
    route(async (request, pass) => {
      const response = await pass(request)
      if (!/\/refunds$/.test(new URL(request.url).pathname)) return response
      const body = (await response.json()) as Record<string, unknown>
      return Response.json({ ...body, responseCode: code, status: 'declined' }, { status: 201 })
    })
    const refund = await orchestrator.refund(
      payment(1000, { reference: 'ret', original: { paymentId: sale.providerIds.paymentId } }),
    )
    const outcome = await drive(clock, refund.outcome)
    expect(outcome).toMatchObject({ status, reasonCode, raw: { responseCode: code } })
    if (status === 'unknown') expect(outcome.reconcile!.check.join(' ')).toContain('GET /refunds/')
  })
})

describe('Payroc terminals', () => {
  it('lists every device across pages: active ones unknown (Payroc does not say busy), deactivated offline', async () => {
    const { orchestrator, cloud } = payrocSetup()
    const list = await orchestrator.terminals(ACCOUNT)
    expect(list).toHaveLength(12)
    expect(requests(cloud, 'GET', /\/v1\/devices$/).length).toBeGreaterThan(1)
    expect(list[0]).toMatchObject({
      account: ACCOUNT,
      provider: 'payroc',
      terminal: DEVICE,
      status: 'unknown',
      raw: { serialNumber: DEVICE },
    })
    expect(list.filter((t) => t.status === 'offline').map((t) => t.terminal)).toEqual([
      'PAXA920-0012',
    ])
    expect(await orchestrator.terminalStatus(ACCOUNT, 'PAXA920-0012')).toMatchObject({
      status: 'offline',
    })
    expect(await orchestrator.terminalStatus(ACCOUNT, 'NOPE-1')).toEqual({
      account: ACCOUNT,
      provider: 'payroc',
      terminal: 'NOPE-1',
      status: 'offline',
    })
  })

  it('configured devices and currencies are listed with their currencies', async () => {
    const { orchestrator } = payrocSetup({
      adapter: { devices: [{ serialNumber: DEVICE, currencies: ['CAD'] }], currencies: ['USD'] },
    })
    const list = await orchestrator.terminals(ACCOUNT)
    expect(list.find((t) => t.terminal === DEVICE)!.currencies).toEqual(['CAD'])
    expect(list.find((t) => t.terminal === 'PAXA920-0002')!.currencies).toEqual(['USD'])
  })
})

describe('secrets', () => {
  it('neither the API key nor a bearer token reaches outcomes, events, the journal or the logs', async () => {
    const { journal, records } = recordingJournal()
    const { logger, logs } = recordingLogger()
    const { clock, cloud, orchestrator, tokens } = payrocSetup({
      orchestrator: { journal, logger },
    })
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET' }, times: 2 })
    const p = await orchestrator.sale(payment(4999))
    const events = collect(p)
    // Every token dies mid-payment: the next request is refused and a new token fetched.
    await pass(clock, 500)
    cloud.identity.revokeAll()
    const outcome = await drive(clock, p.outcome)
    expect(outcome.status).toBe('approved')
    expect(tokens.size).toBeGreaterThan(0)
    const everything = JSON.stringify([outcome, await events.done, records, logs])
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of [API_KEY, ...tokens]) expect(everything).not.toContain(secret)
  })
})

import { describe, expect, it } from 'vitest'
import {
  CancelOnTerminalError,
  createMemoryJournal,
  type JournalRecord,
  type JournalStore,
  type OutcomeStatus,
  type Payment,
  type PaymentEventType,
} from '../src/index.js'
import { smartconnectAdapter } from '../src/smartconnect.js'
import { collect, drive, flush, pass } from './harness.js'
import { ACCOUNT, OTHER, registerFor, sale, setup, TID, tokenOf } from './smartconnect-harness.js'

describe('a SmartConnect sale through the orchestrator', () => {
  it('polls arrive at least the cadence apart: a slow poll (1.5 s in transit) does not bring the next closer', async () => {
    const { clock, cloud, orchestrator, seen } = await setup({ adapter: { cadenceMs: 2_000 } })
    cloud.faults.add({ kind: 'latency', ms: 1_500, match: { method: 'GET' }, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const gets = seen.filter((r) => r.method === 'GET')
    expect(gets.map((r) => r.status)).not.toContain(429)
    // Arrival of the slow one (sent at 2 s) at 3.5 s; the next is sent 2 s after its answer.
    expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(2_000)
    expect(gets.slice(1).every((r, i) => r.at - gets[i]!.at >= 2_000)).toBe(true)
  })

  it('approves: started, authorised, finished, each once with its raw value; polls every 3 s', async () => {
    const { clock, cloud, orchestrator, seen, polls } = await setup()
    const payment = await orchestrator.sale(sale(1250))
    expect(payment.provider).toBe('smartconnect')
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    const list = await events.done
    expect(outcome).toMatchObject({
      status: 'approved',
      paymentId: payment.id,
      provider: 'smartconnect',
      account: ACCOUNT,
      terminal: TID,
      kind: 'sale',
      reference: 'order-1250',
      currency: 'NZD',
      amounts: { requested: 1250, approved: 1250, gratuity: 0, total: 1250 },
      maskedPan: '....1881',
      cardScheme: 'VISA',
    })
    expect(outcome.reasonCode).toBeUndefined()
    expect(outcome.authCode).toMatch(/^\d+$/)
    expect(outcome.receipt?.customer).toEqual(outcome.receipt?.merchant)
    expect(outcome.receipt?.customer?.join('\n')).toMatch(/PURCHASE[\s\S]*ACCEPTED/)
    expect(outcome.raw).toMatchObject({
      transactionStatus: 'COMPLETED',
      data: { TransactionResult: 'OK-ACCEPTED', Result: 'OK' },
    })
    const { transactionId } = outcome.providerIds
    expect(outcome.providerIds).toEqual({ transactionId })
    expect(payment.ids).toEqual({ transactionId })
    expect(list.map((e) => [e.seq, e.type, e.raw])).toEqual([
      [1, 'started', 'PENDING'],
      [2, 'authorised', 'OK-ACCEPTED'],
      [3, 'finished', 'COMPLETED'],
    ])
    expect(list.every((e) => e.paymentId === payment.id)).toBe(true)
    // The start at 0, polls at 3 s (pending) and 6 s (completed at 4 s): fixed rate from the start.
    expect(seen.map((r) => [r.method, r.at, r.status])).toEqual([
      ['POST', 0, 200],
      ['GET', 3_000, 200],
      ['GET', 6_000, 200],
    ])
    expect(polls(transactionId!)).toHaveLength(2)
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.result, e.transactionId])).toEqual([
      ['purchase', 1250, 'ACCEPTED', transactionId],
    ])
    expect(payment.state).toBe('settled')
    expect(orchestrator.running).toBe(0)
  })

  it('polls at the cadence asked for, and never faster than SmartConnect allows', async () => {
    const { clock, orchestrator, seen } = await setup({
      adapter: { cadenceMs: 2_000 },
      cloud: { stepMs: 5_000 },
    })
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const gets = seen.filter((r) => r.method === 'GET')
    expect(gets.map((r) => r.at)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((s) => s * 1000))
    expect(gets.every((r) => r.status === 200)).toBe(true)
    expect(() =>
      smartconnectAdapter({
        environment: 'dev',
        currency: 'NZD',
        terminals: [{ terminal: TID, register: registerFor(TID) }],
        cadenceMs: 1_500,
      }),
    ).toThrow(/options.cadenceMs: must be an integer from 2000/)
  })

  // Scenario by the cents (the fake's table).
  const cases: Array<
    [number, OutcomeStatus, string | undefined, number, PaymentEventType[], RegExp | undefined]
  > = [
    [1305, 'declined', 'declined', 1, ['started', 'declined', 'finished'], /DECLINED/],
    [1307, 'cancelled', 'cancelled-on-terminal', 0, ['started', 'finished'], /CANCELLED/],
    [1308, 'failed', 'terminal-offline', 0, ['started', 'finished'], /UNREACHABLE/],
    [1310, 'failed', 'unavailable', 0, ['started', 'finished'], /UNAVAILABLE/],
    [
      1309,
      'approved',
      undefined,
      1,
      ['started', 'processing', 'authorised', 'finished'],
      /APPROVED/,
    ],
  ]
  it.each(cases)(
    'amount %i settles %s (%s) with %i ledger entries',
    async (amount, status, reasonCode, charged, types, reason) => {
      const { clock, cloud, orchestrator } = await setup()
      const payment = await orchestrator.sale(sale(amount))
      const events = collect(payment)
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      expect(outcome.reason).toMatch(reason!)
      expect(cloud.ledger.filter((e) => e.amount === amount)).toHaveLength(charged)
      expect((await events.done).map((e) => e.type)).toEqual(types)
      if (status !== 'approved') expect(outcome.amounts).toEqual({ requested: amount })
    },
  )

  it('a decline carries its reason only on the receipt, which the outcome keeps', async () => {
    const { clock, orchestrator } = await setup()
    const payment = await orchestrator.sale(sale(1305))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.receipt?.customer?.join('\n')).toMatch(/UNABLE TO PROCESS/)
    expect(outcome.authCode).toBeUndefined()
  })

  it('a delayed transaction tells once that it is still being worked on (raw OK-DELAYED)', async () => {
    const { clock, orchestrator, seen } = await setup()
    const payment = await orchestrator.sale(sale(1309))
    const events = collect(payment)
    await drive(clock, payment.outcome)
    const list = await events.done
    expect(list[1]).toMatchObject({ type: 'processing', raw: 'OK-DELAYED', seq: 2 })
    // Twenty seconds of delay were polled through without repeating the event.
    expect(seen.filter((r) => r.method === 'GET').length).toBeGreaterThan(6)
  })

  it('a delay reported by Result alone is passed on with that code', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    await flush()
    expect(payment.ids.transactionId).toBeDefined()
    // The cloud's answers about this transaction (started, not yet polled).
    cloud.faults.add({
      kind: 'status',
      status: 200,
      body: {
        transactionId: payment.ids.transactionId,
        transactionStatus: 'PENDING',
        data: { TransactionResult: '', Result: 'DELAYED-TRANSACTION' },
      },
      match: { method: 'GET' },
      times: 2,
    })
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect((await events.done).map((e) => [e.type, e.raw])).toEqual([
      ['started', 'PENDING'],
      ['processing', 'DELAYED-TRANSACTION'],
      ['authorised', 'OK-ACCEPTED'],
      ['finished', 'COMPLETED'],
    ])
  })

  it('codes that contradict each other are unknown, with reconciliation facts, though charged', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const payment = await orchestrator.sale(sale(1312))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'contradictory' })
    expect(outcome.reason).toMatch(/OK-ACCEPTED.*FAILED/)
    expect(outcome.reconcile).toMatchObject({
      provider: 'smartconnect',
      terminal: TID,
      amount: 1312,
      currency: 'NZD',
      reference: 'order-1312',
      providerIds: { transactionId: outcome.providerIds.transactionId },
      lastEvent: 'COMPLETED',
    })
    expect(outcome.reconcile!.check.join(' ')).toContain(outcome.providerIds.transactionId)
    expect((await events.done).map((e) => e.type)).toEqual(['started', 'finished'])
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1312])
  })

  it('a completed body with an unknown result fails; one without codes is unknown', async () => {
    const { clock, cloud, orchestrator } = await setup()
    /** Answers the next poll of `payment` (started, not yet polled) with a completed body. */
    const completeWith = async (payment: Payment, data: object) => {
      await flush()
      const { transactionId } = payment.ids
      expect(transactionId).toBeDefined()
      cloud.faults.add({
        kind: 'status',
        status: 200,
        body: { transactionId, transactionStatus: 'COMPLETED', data },
        match: { method: 'GET' },
        times: 1,
      })
    }
    const first = await orchestrator.sale(sale(1250))
    await completeWith(first, {
      TransactionResult: 'OK-REVERSED',
      Result: 'OK',
      ResultText: 'REVERSED',
    })
    expect(await drive(clock, first.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'failed',
      reason: 'REVERSED',
    })
    await pass(clock, 10_000)
    const second = await orchestrator.sale(sale(1260))
    await completeWith(second, { TransactionResult: '', Result: '' })
    const outcome = await drive(clock, second.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'missing-data' })
    expect(outcome.reason).toMatch(/\(blank\)/)
  })

  it('a poll answer about another transaction is never taken as this payment’s result', async () => {
    const { clock, cloud, orchestrator, polls } = await setup()
    cloud.faults.add({
      kind: 'status',
      status: 200,
      body: {
        transactionId: 'another-transaction',
        transactionStatus: 'COMPLETED',
        data: { TransactionResult: 'OK-DECLINED', Result: 'OK', ResultText: 'DECLINED' },
      },
      match: { method: 'GET' },
      times: 2,
    })
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    // Polled on past both: this transaction's own answer decides.
    expect(outcome).toMatchObject({ status: 'approved', amounts: { total: 1250 } })
    expect((await events.done).map((e) => e.type)).toEqual(['started', 'authorised', 'finished'])
    expect(polls(outcome.providerIds.transactionId!).length).toBeGreaterThanOrEqual(3)
  })

  it('a sale with cash out runs as Card.PurchasePlusCash, the cash inside the total', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const payment = await orchestrator.sale(sale(2000, { cashback: 500 }))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      amounts: { requested: 2000, approved: 2000, cashback: 500, total: 2500 },
    })
    const { transactionId } = outcome.providerIds
    expect(cloud.transactions.get(transactionId!)).toMatchObject({
      type: 'Card.PurchasePlusCash',
      fields: { AmountTotal: '2500', AmountCash: '500' },
    })
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.amountCash])).toEqual([
      ['purchase-plus-cash', 2500, 500],
    ])
  })

  it('runs refunds, and a pre-auth then its completion named by the pre-auth reference', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const refund = await orchestrator.refund(sale(700))
    expect(await drive(clock, refund.outcome)).toMatchObject({ status: 'approved', kind: 'refund' })
    const hold = await orchestrator.preAuth(sale(4000, { reference: 'room-12' }))
    const held = await drive(clock, hold.outcome)
    expect(held).toMatchObject({ status: 'approved', kind: 'preAuth' })
    expect(held.providerIds).toEqual({
      transactionId: held.providerIds.transactionId,
      transactionReference: 'room-12',
    })
    const complete = await orchestrator.completion(
      sale(3500, { reference: 'room-12-out', original: held.providerIds }),
    )
    expect(await drive(clock, complete.outcome)).toMatchObject({
      status: 'approved',
      kind: 'completion',
      amounts: { approved: 3500, total: 3500 },
    })
    // The same pre-auth cannot be completed twice: SmartConnect declines the second.
    const again = await orchestrator.completion(
      sale(3000, { reference: 'room-12-again', original: held.providerIds }),
    )
    expect((await drive(clock, again.outcome)).status).toBe('declined')
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.result, e.reference])).toEqual([
      ['refund', 700, 'ACCEPTED', undefined],
      ['authorise', 4000, 'ACCEPTED', 'room-12'],
      ['finalise', 3500, 'ACCEPTED', 'room-12'],
      ['finalise', 3000, 'DECLINED', 'room-12'],
    ])
  })

  it('runs payments on two terminals side by side, each through its own register', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const a = await orchestrator.sale(sale(1250))
    const b = await orchestrator.sale(sale(1350, { terminal: OTHER }))
    const [x, y] = await drive(clock, Promise.all([a.outcome, b.outcome]))
    expect([x.status, y.status]).toEqual(['approved', 'approved'])
    expect(cloud.ledger.map((e) => [e.deviceId, e.registerId, e.amount])).toEqual([
      [TID, registerFor(TID).id, 1250],
      [OTHER, registerFor(OTHER).id, 1350],
    ])
  })
})

describe('what SmartConnect cannot do from the POS', () => {
  it('cancel rejects with CancelOnTerminalError and sends nothing; the payment carries on', async () => {
    const { clock, cloud, orchestrator, seen } = await setup()
    const payment = await orchestrator.sale(sale(1250))
    await pass(clock, 1_000)
    expect(payment.state).toBe('running')
    const before = seen.length
    const error = await payment.cancel().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelOnTerminalError)
    expect((error as CancelOnTerminalError).provider).toBe('smartconnect')
    expect((error as Error).message).toMatch(/cancel on the terminal/)
    expect((error as CancelOnTerminalError).mayHaveReachedProvider).toBe(false)
    expect(seen).toHaveLength(before)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a payment whose start waits to be sent again is cancelled without sending it', async () => {
    const { clock, cloud, orchestrator, seen } = await setup()
    // The start is refused (rate-limited) and waits its Retry-After in the queue.
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 5, match: { method: 'POST' } })
    const payment = await orchestrator.sale(sale(1250))
    await pass(clock, 1_000)
    expect(payment.state).toBe('queued')
    expect(await payment.cancel()).toBe(true)
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'cancelled-before-start',
    })
    await pass(clock, 10_000)
    expect(seen.map((r) => [r.method, r.status])).toEqual([['POST', 429]])
    expect(cloud.ledger).toHaveLength(0)
  })

  it('cancelled on the terminal instead: the outcome says so and nothing is charged', async () => {
    const { clock, cloud, orchestrator } = await setup()
    cloud.terminals.setScenario(TID, 'cancel-on-terminal')
    const payment = await orchestrator.sale(sale(1250))
    await pass(clock, 1_000)
    await expect(payment.cancel()).rejects.toBeInstanceOf(CancelOnTerminalError)
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'cancelled-on-terminal',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('has no signature question: the terminal prompts on its own, so no signatureRequired event', async () => {
    const { clock, orchestrator } = await setup()
    const adapter = smartconnectAdapter({
      environment: 'dev',
      currency: 'NZD',
      terminals: [{ terminal: TID, register: registerFor(TID) }],
    })
    expect(adapter.capabilities).toMatchObject({ signature: 'terminal', cancel: false })
    expect(adapter.answerSignature).toBeUndefined()
    expect(adapter.cancel).toBeUndefined()
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    await drive(clock, payment.outcome)
    expect((await events.done).map((e) => e.type)).not.toContain('signatureRequired')
  })

  it('lists the configured terminals, in the account currency, without a request', async () => {
    const { orchestrator, seen } = await setup()
    expect(await orchestrator.terminals()).toEqual([
      {
        account: ACCOUNT,
        provider: 'smartconnect',
        terminal: TID,
        status: 'unknown',
        currencies: ['NZD'],
      },
      {
        account: ACCOUNT,
        provider: 'smartconnect',
        terminal: OTHER,
        status: 'unknown',
        currencies: ['NZD'],
      },
    ])
    expect(await orchestrator.terminalStatus(ACCOUNT, OTHER)).toMatchObject({
      terminal: OTHER,
      status: 'unknown',
    })
    await expect(orchestrator.terminalStatus(ACCOUNT, 'VT999')).rejects.toMatchObject({
      field: 'terminal',
    })
    expect(seen).toHaveLength(0)
  })
})

describe('refusals at the start fail the payment, in SmartConnect words, with nothing charged', () => {
  it('a busy terminal', async () => {
    const { clock, cloud, orchestrator } = await setup()
    const first = await orchestrator.sale(sale(1250))
    await pass(clock, 500)
    const second = await orchestrator.sale(sale(1350, { reference: 'second' }))
    const refused = await drive(clock, second.outcome)
    expect(refused).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-busy',
      reason: `Terminal ${TID} is busy`,
      providerIds: {},
      raw: { error: `Terminal ${TID} is busy` },
    })
    expect((await drive(clock, first.outcome)).status).toBe('approved')
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1250])
  })

  it('a register that is not paired', async () => {
    const { clock, cloud, orchestrator } = await setup({ unpaired: [OTHER] })
    const payment = await orchestrator.sale(sale(1250, { terminal: OTHER }))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-paired',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('any other 4xx', async () => {
    const { clock, cloud, orchestrator, seen } = await setup()
    cloud.faults.add({ kind: 'status', status: 403, match: { method: 'POST' }, times: 1 })
    const payment = await orchestrator.sale(sale(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'refused',
      reason: 'Injected fault: status 403',
    })
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    cloud.faults.add({
      kind: 'status',
      status: 409,
      body: 'conflict',
      match: { method: 'POST' },
      times: 1,
    })
    const second = await orchestrator.sale(sale(1250))
    expect(await drive(clock, second.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'refused',
      reason: 'SmartConnect refused the request (HTTP 409)',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('the adapter never sends a start through a register it does not have', async () => {
    const adapter = smartconnectAdapter({
      environment: 'dev',
      currency: 'NZD',
      terminals: [{ terminal: TID, register: registerFor(TID) }],
      fetch: () => Promise.reject(new Error('nothing may be sent')),
    })
    const ctx = {
      paymentId: 'p1',
      request: { ...sale(1250, { terminal: OTHER }), kind: 'sale' as const },
      ids: {},
      startedAt: 0,
      recovered: false,
      signal: new AbortController().signal,
      push: () => {},
    }
    await expect(adapter.start(ctx)).rejects.toMatchObject({ field: 'terminal' })
  })
})

describe('the polling URL is a secret', () => {
  it('its token is journaled for recovery but never in events, outcomes, ids or logs', async () => {
    const journal = createMemoryJournal()
    const { clock, orchestrator, logs } = await setup({
      orchestrator: { journal },
      cloud: { tokenLifetimeMs: 60_000 },
      adapter: { tokenLifetimeMs: 60_000 },
    })
    const approved = await orchestrator.sale(sale(1250))
    const events = collect(approved)
    const outcome = await drive(clock, approved.outcome)
    const entry = await journal.get(approved.id)
    const token = tokenOf(entry?.ids.pollingUrl)
    expect(entry?.ids.pollingUrl).toContain(outcome.providerIds.transactionId)
    // One that ends unknown (the token lapses), so reconciliation facts are written too.
    const lapsed = await orchestrator.sale(sale(1311))
    const unknown = await drive(clock, lapsed.outcome)
    expect(unknown).toMatchObject({ status: 'unknown', reasonCode: 'expired' })
    const lapsedToken = tokenOf((await journal.get(lapsed.id))?.ids.pollingUrl)
    const shown = JSON.stringify([
      await events.done,
      outcome,
      unknown,
      approved.ids,
      lapsed.ids,
      logs,
    ])
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of [token, lapsedToken]) expect(shown).not.toContain(secret)
    // The transport's log lines show the URL with its token redacted.
    expect(shown).not.toMatch(/merchantAccessToken=(?!\[REDACTED\])/)
    expect(shown).not.toContain('pollingUrl')
  })

  it('nor in a log line quoting it in another spelling (a custom store URL-encoding a record)', async () => {
    const memory = createMemoryJournal()
    let refused: JournalRecord | undefined
    // A journal behind an HTTP key-value service, whose errors name the request they made.
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type === 'ids' && record.started && !refused) {
          refused = record
          const url = `https://kv.internal/journal?record=${encodeURIComponent(JSON.stringify(record))}`
          throw new Error(`PUT ${url} failed: HTTP 507 Insufficient Storage`)
        }
        return memory.append(record)
      },
    }
    const { clock, orchestrator, logs } = await setup({ orchestrator: { journal } })
    const approved = await orchestrator.sale(sale(1250))
    expect((await drive(clock, approved.outcome)).status).toBe('approved')
    await orchestrator.close()
    const token = tokenOf(refused?.type === 'ids' ? refused.ids.pollingUrl : undefined)
    const failed = logs.filter((line) => line.msg === 'orchestrator: journal write failed')
    expect(failed).toHaveLength(1)
    expect(JSON.stringify(logs)).not.toContain(token)
    expect(JSON.stringify(logs)).not.toContain(encodeURIComponent(token))
  })

  it('a polling URL leaves the redactor once the outcome is in, also after a refused first try', async () => {
    const memory = createMemoryJournal()
    let refusedOnce = false
    let pollingUrl: string | undefined
    const journal: JournalStore = {
      ...memory,
      append: async (record) => {
        if (record.type === 'ids' && record.ids.pollingUrl) pollingUrl = record.ids.pollingUrl
        if (record.type === 'outcome' && !refusedOnce) {
          refusedOnce = true
          throw new Error('EIO: the store hiccuped')
        }
        return memory.append(record)
      },
    }
    const { clock, orchestrator } = await setup({ orchestrator: { journal } })
    const payment = await orchestrator.sale(sale(1250))
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    await pass(clock, 5_000)
    expect(refusedOnce).toBe(true)
    expect((await journal.get(payment.id))?.outcome?.status).toBe('approved')
    // Last resort, the redactor being private: a URL still registered is replaced whole; one that
    // left it is only cut at its token. A process running for weeks must not keep every URL.
    const redact = (payment as unknown as { host: { redact: (s: string) => string } }).host.redact
    expect(redact(pollingUrl!)).not.toBe('[REDACTED]')
  })
})

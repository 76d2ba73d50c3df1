import { createManualClock } from '@tillkit/core'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { describe, expect, it } from 'vitest'
import { paymentsenseWebSocketAdapter } from '../src/paymentsense.js'
import { collect, drive, flush, KEY, pass, sale, setup, TID } from './paymentsense-ws-harness.js'

describe('paymentsense WebSocket adapter: outcomes and events', () => {
  it('approves a sale: one sale request, the events once and in order, the result as outcome', async () => {
    const { clock, cloud, orchestrator, wire, payments } = setup()
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      provider: 'paymentsense',
      amounts: { requested: 1250, approved: 1250, total: 1250 },
      entryMethod: 'chip',
      verification: 'pin',
    })
    expect(outcome.authCode).toMatch(/\S/)
    expect(outcome.maskedPan).toMatch(/\d{4}$/)
    expect(outcome.receipt?.customer?.length).toBeGreaterThan(0)
    expect(outcome.providerIds.transactionId).toMatch(/\S/)
    const list = await events.done
    expect(list.map((e) => e.type)).toEqual([
      'started',
      'presentCard',
      'pinEntry',
      'processing',
      'processing',
      'processing',
      'processing',
      'authorised',
      'removeCard',
      'finished',
    ])
    expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1))
    expect(list[1]!.raw).toBe('INSERT_CARD')
    expect(payments()).toEqual(['sale'])
    expect(wire.sent.find((m) => m.method === 'sale')?.params).toEqual({
      tid: TID,
      currency: 'GBP',
      amount: 1250,
    })
    expect(cloud.ledger.map((e) => `${e.kind} ${e.amount} ${e.result}`)).toEqual([
      'sale 1250 SUCCESSFUL',
    ])
  })

  it('declined, cancelled (no card), failed (unsuccessful): each from the answer', async () => {
    const { clock, cloud, orchestrator } = setup()
    const cases: Array<[number, string, string]> = [
      [1204, 'declined', 'declined'],
      [1206, 'cancelled', 'timed-out'],
      [1207, 'cancelled', 'cancelled'],
      [1208, 'failed', 'unsuccessful'],
    ]
    for (const [amount, status, reasonCode] of cases) {
      const payment = await orchestrator.sale(sale(amount))
      const events = collect(payment)
      expect(await drive(clock, payment.outcome)).toMatchObject({ status, reasonCode })
      const types = (await events.done).map((e) => e.type)
      expect(types[0]).toBe('started')
      expect(types.at(-1)).toBe('finished')
      expect(types.filter((t) => t === 'finished')).toHaveLength(1)
    }
    expect(cloud.ledger.map((e) => `${e.amount} ${e.result}`)).toEqual(['1204 DECLINED'])
  })

  it('a terminal busy with another payment refuses the request: failed, nothing charged', async () => {
    const { clock, cloud, orchestrator } = setup()
    const first = await orchestrator.sale(sale(1209)) // slow card: the terminal stays busy
    await flush()
    const second = await orchestrator.sale(sale(1250, { reference: 'second' }))
    expect(await drive(clock, second.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-busy',
    })
    expect((await drive(clock, first.outcome)).status).toBe('approved')
    expect(cloud.ledger.map((e) => e.amount)).toEqual([1209])
  })

  it('an offline terminal refuses the request: failed, terminal-unavailable', async () => {
    const { clock, cloud, orchestrator } = setup()
    cloud.terminals.setOnline(TID, false)
    const payment = await orchestrator.sale(sale(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-unavailable',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('Connect refuses the request (currency of another terminal, unknown terminal): failed in its words', async () => {
    const { clock, cloud, orchestrator } = setup()
    const eur = await orchestrator.sale(sale(1250, { currency: 'EUR' }))
    expect(await drive(clock, eur.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'refused',
      reason: expect.stringMatching(/currency EUR does not match/),
    })
    const unknown = await orchestrator.sale(sale(1250, { terminal: '99999999' }))
    expect(await drive(clock, unknown.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'terminal-unavailable',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a request the socket would not send: failed, not-sent, nothing charged', async () => {
    const { clock, cloud, orchestrator } = setup({
      refuseSend: (frame) => frame.includes('"sale"'),
    })
    const payment = await orchestrator.sale(sale(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'not-sent',
    })
    expect(cloud.ledger).toHaveLength(0)
  })

  it('refund, pre-auth then completion, account verification: each its own method', async () => {
    const { clock, cloud, orchestrator, wire, payments } = setup()
    const refund = await orchestrator.refund(sale(500, { reference: 'r-1' }))
    expect((await drive(clock, refund.outcome)).status).toBe('approved')
    const preAuth = await orchestrator.preAuth(sale(4000, { reference: 'p-1' }))
    const held = await drive(clock, preAuth.outcome)
    expect(held.status).toBe('approved')
    const completion = await orchestrator.completion(
      sale(3500, { reference: 'c-1', authCode: held.authCode, preAuthAmount: 4000 }),
    )
    expect((await drive(clock, completion.outcome)).status).toBe('approved')
    const check = await orchestrator.accountVerification({
      account: 'shop',
      terminal: TID,
      currency: 'GBP',
      reference: 'v-1',
    })
    expect((await drive(clock, check.outcome)).status).toBe('approved')
    expect(payments()).toEqual(['refund', 'preAuth', 'completion', 'accountVerification'])
    expect(wire.sent.find((m) => m.method === 'completion')?.params).toEqual({
      tid: TID,
      currency: 'GBP',
      amount: 3500,
      authCode: held.authCode,
      amountPreAuthorisedTotal: 4000,
    })
    expect(wire.sent.find((m) => m.method === 'accountVerification')?.params).toMatchObject({
      amount: 0,
    })
    expect(cloud.ledger.map((e) => `${e.kind} ${e.amount}`)).toEqual([
      'refund 500',
      'pre-auth 4000',
      'completion 3500',
    ])
  })

  it('uses one connection for the account, and close() ends it', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    for (const amount of [1250, 1301]) {
      const payment = await orchestrator.sale(sale(amount))
      await drive(clock, payment.outcome)
    }
    expect(wire.urls).toHaveLength(1)
    expect(cloud.sockets.open).toHaveLength(1)
    await orchestrator.close()
    await flush()
    expect(cloud.sockets.open).toHaveLength(0)
  })

  it('lists terminals and reads one terminal over the socket', async () => {
    const { clock, cloud, orchestrator, wire } = setup()
    const listed = await drive(clock, orchestrator.terminals('shop'))
    expect(listed.map((t) => `${t.terminal} ${t.status}`)).toContain(`${TID} available`)
    const running = await orchestrator.sale(sale(1209))
    await flush()
    expect(await drive(clock, orchestrator.terminalStatus('shop', TID))).toMatchObject({
      terminal: TID,
      status: 'busy',
      currencies: ['GBP'],
    })
    cloud.terminals.setOnline('22160002', false)
    expect(await drive(clock, orchestrator.terminalStatus('shop', '22160002'))).toMatchObject({
      status: 'offline',
    })
    expect(wire.sent.map((m) => m.method)).toEqual(
      expect.arrayContaining(['connectedTerminals', 'terminalDetails']),
    )
    await drive(clock, running.outcome)
  })
})

describe('paymentsense WebSocket adapter: its connection', () => {
  const make = () => {
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, apiKeys: [KEY] })
    const adapter = paymentsenseWebSocketAdapter({
      account: 'acme',
      environment: 'test',
      apiKey: KEY,
      softwareHouseId: 'SWH',
      installerId: 'INST',
      WebSocket: cloud.WebSocket,
    })
    adapter.attach!({ clock, logger: console, secret: () => {} })
    return { clock, cloud, adapter }
  }

  it('closed while connecting: the connection is closed as it opens, the call rejects', async () => {
    const { clock, cloud, adapter } = make()
    const listing = adapter.listTerminals()
    await adapter.close!()
    await expect(drive(clock, listing)).rejects.toThrow(/closed while connecting/)
    await flush()
    expect(cloud.sockets.open).toHaveLength(0)
  })

  it('once closed, nothing opens again', async () => {
    const { clock, cloud, adapter } = make()
    expect((await drive(clock, adapter.listTerminals())).length).toBeGreaterThan(0)
    await adapter.close!()
    await expect(adapter.terminalStatus(TID)).rejects.toMatchObject({
      mayHaveReachedProvider: false,
    })
    await pass(clock, 1_000)
    expect(cloud.sockets.open).toHaveLength(0)
  })
})

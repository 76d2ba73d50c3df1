import { describe, expect, it } from 'vitest'
import { harness, pac, poll, runToEnd, sale, start } from './helpers.js'

const TID = '22160001'
const S = 'TRANSACTION_STARTED'
const F = 'TRANSACTION_FINISHED'

/** README.md:318-330: the scenario table, one row each: sequence, result, card, ledger. */
describe('README scenario table (paymentsense/README.md:318-330)', () => {
  it.each([
    [
      1250,
      'approve',
      [
        S,
        'INSERT_CARD',
        'PIN_ENTRY',
        'PLEASE_WAIT',
        'CONNECTING',
        'CONNECTION_MADE',
        'REQUEST_SENT',
        'APPROVED',
        'REMOVE_CARD',
        F,
      ],
      'SUCCESSFUL',
      'PIN',
      [['sale', 'SUCCESSFUL']],
    ],
    [
      1202,
      'approve-device',
      [
        S,
        'PRESENT_CARD',
        'PLEASE_WAIT',
        'CONNECTING',
        'CONNECTION_MADE',
        'REQUEST_SENT',
        'APPROVED',
        F,
      ],
      'SUCCESSFUL',
      'DEVICE',
      [['sale', 'SUCCESSFUL']],
    ],
    [
      1204,
      'decline',
      [
        S,
        'INSERT_CARD',
        'PIN_ENTRY',
        'PLEASE_WAIT',
        'CONNECTING',
        'CONNECTION_MADE',
        'REQUEST_SENT',
        'DECLINED',
        'REMOVE_CARD',
        F,
      ],
      'DECLINED',
      'PIN',
      [['sale', 'DECLINED']],
    ],
    [
      1205,
      'declined-by-card',
      [S, 'INSERT_CARD', 'PIN_ENTRY', 'DECLINED_BY_CARD', 'REMOVE_CARD', F],
      'DECLINED',
      'PIN',
      [],
    ],
    [1206, 'timeout', [S, 'INSERT_CARD', F], 'TIMED_OUT', 'UNKNOWN', []],
    [1207, 'cancelled-on-terminal', [S, 'INSERT_CARD', F], 'CANCELLED', 'UNKNOWN', []],
    [
      1208,
      'unsuccessful',
      [
        S,
        'INSERT_CARD',
        'PIN_ENTRY',
        'PLEASE_WAIT',
        'CONNECTING',
        'PROCESSING_ERROR',
        'REMOVE_CARD',
        F,
      ],
      'UNSUCCESSFUL',
      'PIN',
      [],
    ],
    [
      1209,
      'slow-card',
      [
        S,
        'INSERT_CARD',
        'PIN_ENTRY',
        'PLEASE_WAIT',
        'CONNECTING',
        'CONNECTION_MADE',
        'REQUEST_SENT',
        'APPROVED',
        'REMOVE_CARD',
        F,
      ],
      'SUCCESSFUL',
      'PIN',
      [['sale', 'SUCCESSFUL']],
    ],
    [
      1210,
      'offline-midway',
      [
        S,
        'INSERT_CARD',
        'PIN_ENTRY',
        'PLEASE_WAIT',
        'CONNECTING',
        'CONNECTION_MADE',
        'REQUEST_SENT',
        'APPROVED',
        'REMOVE_CARD',
        F,
      ],
      'SUCCESSFUL',
      'PIN',
      [['sale', 'SUCCESSFUL']],
    ],
  ] as const)(
    '%i pence (%s): notifications, result, CVM, ledger',
    async (amount, _s, notes, result, cvm, ledger) => {
      const h = harness()
      const id = await start(h, TID, sale(amount))
      let body: any
      for (let i = 0; i < 400; i++) {
        const p = await poll(h, TID, id)
        if (p.status === 200 && p.body.notifications.includes(F)) {
          body = p.body
          break
        }
        await h.clock.advance(400)
      }
      expect(body.notifications).toEqual(notes)
      expect(body.transactionResult).toBe(result)
      expect(body.cardHolderVerificationMethod).toBe(cvm)
      expect(h.cloud.ledger.map((e) => [e.kind, e.result])).toEqual(ledger)
      if (result === 'SUCCESSFUL') {
        expect(body.authCode).toMatch(/\S/)
        expect(h.cloud.ledger[0]!.authCode).toBe(body.authCode)
        expect(body.primaryAccountNumber).toMatch(/^\*+\d{4}$/)
        expect(h.cloud.ledger[0]!.amount).toBe(amount)
      }
    },
  )

  it('cancelled-on-terminal (…07): cancel pressed after 3 steps of waiting for the card: finished within 4 steps, before 5', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1207))
    await h.clock.advance(3 * 400)
    expect((await poll(h, TID, id)).body.notifications).not.toContain(F)
    await h.clock.advance(400)
    expect((await poll(h, TID, id)).body.transactionResult).toBe('CANCELLED')
  })

  it('offline-midway (…10): off the network for 30 s after REQUEST_SENT', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1210))
    await h.clock.advance(2_800)
    expect((await poll(h, TID, id)).status).toBe(404)
    await h.clock.advance(30_000 - 1)
    expect((await poll(h, TID, id)).status).toBe(404)
    await h.clock.advance(1)
    expect((await poll(h, TID, id)).status).toBe(200)
  })

  it('signatureTimeoutMs (default 80 s): the terminal waits exactly that long', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1203))
    await h.clock.advance(2_400)
    expect((await poll(h, TID, id)).body.notifications.at(-1)).toBe('SIGNATURE_VERIFICATION')
    await h.clock.advance(80_000 - 1)
    expect((await poll(h, TID, id)).body.notifications.at(-1)).toBe('SIGNATURE_VERIFICATION')
    await h.clock.advance(1)
    expect((await poll(h, TID, id)).body.notifications.at(-1)).toBe(
      'SIGNATURE_VERIFICATION_TIMEOUT',
    )
  })

  it('signatureTimeout accept: SUCCESSFUL, only the sale in the ledger', async () => {
    const h = harness({ signatureTimeout: 'accept' })
    const body = await runToEnd(h, TID, await start(h, TID, sale(1203)), 1_000)
    expect(body.transactionResult).toBe('SUCCESSFUL')
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('cashback is only granted on chip & PIN: device tap, signature and keyed get none', async () => {
    for (const [amount, extra] of [
      [1202, {}],
      [1250, { cardholderNotPresent: true }],
    ] as const) {
      const h = harness()
      const body = await runToEnd(
        h,
        TID,
        await start(h, TID, sale(amount, { amountCashback: 500, ...extra })),
      )
      expect(body.amountCashback).toBe(0)
      expect(h.cloud.ledger[0]!.amountCashback).toBe(0)
    }
    const h = harness({ signatureTimeout: 'accept' })
    const body = await runToEnd(
      h,
      TID,
      await start(h, TID, sale(1203, { amountCashback: 500 })),
      1_000,
    )
    expect(body.transactionResult).toBe('SUCCESSFUL')
    expect(body.amountCashback).toBe(0)
  })
})

describe('README options', () => {
  it('retentionHours default 24: a result answers 24 h less 1 ms after it finished, 404 at 24 h', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    // Polled on its steps: the poll that sees the end is at the step that finished it.
    await runToEnd(h, TID, id)
    await h.clock.advance(24 * 3_600_000 - 1)
    expect((await poll(h, TID, id)).status).toBe(200)
    await h.clock.advance(1)
    expect((await poll(h, TID, id)).status).toBe(404)
  })

  it('report results also expire after retentionHours', async () => {
    const h = harness({ retentionHours: 1 })
    const r = await h.call(
      pac('POST', `/pac/terminals/${TID}/reports`, { body: { reportType: 'X_BALANCE' } }),
    )
    expect(r.status).toBe(201)
    const read = () => h.call(pac('GET', `/pac/terminals/${TID}/reports/${r.body.requestId}`))
    // Three 400 ms steps; kept an hour from the last.
    await h.clock.advance(1_200 + 3_600_000 - 1)
    expect((await read()).status).toBe(200)
    await h.clock.advance(1)
    expect((await read()).status).toBe(404)
  })

  it('reports take 3 steps and end COMPLETE', async () => {
    const h = harness()
    const r = await h.call(
      pac('POST', `/pac/terminals/${TID}/reports`, { body: { reportType: 'X_BALANCE' } }),
    )
    await h.clock.advance(3 * 400 - 1)
    const during = await h.call(pac('GET', `/pac/terminals/${TID}/reports/${r.body.requestId}`))
    expect(during.body.reportResult).toBeUndefined()
    await h.clock.advance(1)
    const done = await h.call(pac('GET', `/pac/terminals/${TID}/reports/${r.body.requestId}`))
    expect(done.body.reportResult).toBe('COMPLETE')
  })

  it('default terminals: 22160001 and 22160002 GBP, 22160003 EUR, plus the six virtual TIDs', () => {
    const h = harness()
    const list = h.cloud.terminals.list().map((t: any) => [t.tid, t.currency])
    expect(list).toEqual(
      expect.arrayContaining([
        ['22160001', 'GBP'],
        ['22160002', 'GBP'],
        ['22160003', 'EUR'],
      ]),
    )
    expect(list).toHaveLength(9)
  })
})

describe('README faults', () => {
  it('status fault 503: not processed, nothing started', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'status', status: 503, times: 1 })
    const r = await h.call(pac('POST', `/pac/terminals/${TID}/transactions`, { body: sale(1000) }))
    expect(r.status).toBe(503)
    expect(h.cloud.terminals.get(TID).activeRequestId).toBeUndefined()
    await h.clock.advance(10_000)
    expect(h.cloud.ledger).toEqual([])
  })

  it('all matching latencies add up', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'latency', ms: 1_000 })
    h.cloud.faults.add({ kind: 'latency', ms: 2_000 })
    const before = h.clock.now()
    const p = h.call(pac('GET', `/pac/terminals`))
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    await h.clock.advance(2_999)
    let done = false
    void p.then(() => (done = true))
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    expect(done).toBe(false)
    await h.clock.advance(1)
    expect((await p).status).toBe(200)
    expect(h.clock.now() - before).toBe(3_000)
  })
})

describe('README: the WebSocket side runs the same scenarios and ledger (README.md:389-402)', () => {
  const flushAll = async () => {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r))
  }
  async function wsSale(amount: number, options: Record<string, unknown> = {}) {
    const { createManualClock } = await import('@tillkit/core')
    const { createFakeCloud } = await import('../../src/mock/index.js')
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, requestSpacingMs: 0, ...options })
    const socket = new cloud.WebSocket(
      'wss://acme.test.connect.paymentsense.cloud/pac?token=test-api-key&api-version=v1&software-house-id=SWH&installer-id=INST',
    )
    const messages: any[] = []
    const times: number[] = []
    socket.addEventListener('message', (e) => {
      messages.push(JSON.parse((e as MessageEvent).data as string))
      times.push(clock.now())
    })
    await flushAll()
    socket.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sale',
        params: { tid: TID, currency: 'GBP', amount },
      }),
    )
    await flushAll()
    for (let i = 0; i < 2_000 && !messages.some((m) => m.id === 1 && !m.method); i++) {
      await clock.advance(100)
      await flushAll()
    }
    const notes = messages
      .filter((m) => m.method === 'terminalNotification')
      .map((m) => m.params.notificationValue)
    cloud.sockets.drop()
    return { cloud, messages, times, notes, answer: messages.find((m) => m.id === 1 && !m.method) }
  }

  it.each([
    [1250, 'SUCCESSFUL', [['sale', 'SUCCESSFUL']]],
    [1204, 'DECLINED', [['sale', 'DECLINED']]],
    [1205, 'DECLINED', []],
    [1208, 'UNSUCCESSFUL', []],
    [1207, 'CANCELLED', []],
  ] as const)(
    'sale of %i over the socket ends %s with the same ledger',
    async (amount, result, ledger) => {
      const { cloud, answer, notes } = await wsSale(amount)
      expect(answer?.result?.transactionResult).toBe(result)
      expect(notes.at(-1)).toBe('TRANSACTION_FINISHED')
      expect(cloud.ledger.map((e) => [e.kind, e.result])).toEqual(ledger)
    },
  )

  it('socketSignatureTimeoutMs default: the terminal window less 1 s (79 s); Connect then accepts', async () => {
    const { cloud, answer, messages, times } = await wsSale(1203)
    const asked = messages.findIndex((m) => m.method === 'signatureVerificationRequest')
    expect(asked).toBeGreaterThan(-1)
    expect(messages[asked].params.timeout).toBe(79)
    const completed = messages.findIndex(
      (m) => m.params?.notificationValue === 'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
    )
    expect(times[completed]! - times[asked]!).toBeGreaterThanOrEqual(79_000)
    expect(times[completed]! - times[asked]!).toBeLessThan(80_000)
    expect(answer?.result?.transactionResult).toBe('SUCCESSFUL')
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

describe('README: more documented answers', () => {
  it('starting a report on an offline terminal is 422', async () => {
    const h = harness()
    h.cloud.terminals.setOnline(TID, false)
    const r = await h.call(
      pac('POST', `/pac/terminals/${TID}/reports`, { body: { reportType: 'X_BALANCE' } }),
    )
    expect(r.status).toBe(422)
  })

  it('the first matching status fault wins', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'status', status: 503 })
    h.cloud.faults.add({ kind: 'status', status: 429 })
    expect((await h.call(pac('GET', '/pac/terminals'))).status).toBe(503)
  })

  it('ledger entries carry cardSchemeName, transactionNumber and amountGratuity', async () => {
    const h = harness()
    const body = await runToEnd(h, TID, await start(h, TID, sale(1000)))
    expect(h.cloud.ledger[0]).toMatchObject({
      cardSchemeName: body.cardSchemeName,
      transactionNumber: body.transactionNumber,
      amountGratuity: 0,
    })
  })

  it('ACCOUNT_VERIFICATION is not listed; DUPLICATE charges nothing', async () => {
    const h = harness()
    await runToEnd(h, TID, await start(h, TID, sale(1000)))
    await runToEnd(
      h,
      TID,
      await start(h, TID, { transactionType: 'ACCOUNT_VERIFICATION', currency: 'GBP' }),
    )
    const dup = await runToEnd(h, TID, await start(h, TID, { transactionType: 'DUPLICATE' }))
    expect(Object.keys(dup.receiptLines)).toEqual(['CUSTOMER'])
    expect(h.cloud.ledger).toHaveLength(1)
  })
})

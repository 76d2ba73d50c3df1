import { describe, expect, it } from 'vitest'
import { OFFLINE_MS, CARD_TIMEOUT_MS, SLOW_CARD_MS } from '../../src/mock/index.js'
import { harness, pac, poll, runToEnd, sale, start, ORIGIN } from './helpers.js'

const TID = '22160001'

describe('transaction state machine', () => {
  it('approves chip & PIN step by step, revealing the result only once finished', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000, { amountCashback: 500 }))

    const first = await poll(h, TID, id)
    expect(first.status).toBe(200)
    expect(first.body).toEqual({
      location: `${ORIGIN}/pac/terminals/${TID}/transactions/${id}`,
      notifications: ['TRANSACTION_STARTED'],
    })

    const seen: string[][] = []
    for (let i = 0; i < 9; i++) {
      await h.clock.advance(400)
      const { body } = await poll(h, TID, id)
      seen.push(body.notifications)
      if (!body.notifications.includes('TRANSACTION_FINISHED')) {
        expect(Object.keys(body).sort()).toEqual(['location', 'notifications'])
      }
    }
    expect(seen.map((n) => n.at(-1))).toEqual([
      'INSERT_CARD',
      'PIN_ENTRY',
      'PLEASE_WAIT',
      'CONNECTING',
      'CONNECTION_MADE',
      'REQUEST_SENT',
      'APPROVED',
      'REMOVE_CARD',
      'TRANSACTION_FINISHED',
    ])
    // Cumulative: each poll repeats everything before.
    expect(seen[8]).toEqual(['TRANSACTION_STARTED', ...seen.map((n) => n.at(-1))])

    const { body } = await poll(h, TID, id)
    expect(body).toMatchObject({
      requestId: id,
      transactionType: 'SALE',
      transactionResult: 'SUCCESSFUL',
      currency: 'GBP',
      amountBase: 1000,
      amountCashback: 500,
      amountGratuity: 0,
      amountTotal: 1500,
      authCode: expect.stringMatching(/^\w{6}$/),
      cardSchemeName: 'VISA',
      applicationId: 'A0000000031010',
      applicationLabel: 'VISA CREDIT',
      cardHolderVerificationMethod: 'PIN',
      paymentMethod: 'ICC_CHIP',
      primaryAccountNumber: expect.stringMatching(/^\*+\d{4}$/),
      dateOfExpiry: expect.stringMatching(/^\d\d\/\d\d$/),
      transactionNumber: '0001',
      transactionTime: '2026-01-01T00:00:03',
      userMessage: 'Approved.',
    })
    expect(body.transactionId).toMatch(/^\d+$/)
    expect(body.receiptLines.MERCHANT.some((l: any) => l.value === 'MERCHANT COPY')).toBe(true)
    expect(body.receiptLines.CUSTOMER.every((l: any) => typeof l.value === 'string')).toBe(true)
    expect(h.cloud.ledger).toEqual([
      expect.objectContaining({
        seq: 1,
        at: Date.UTC(2026, 0, 1) + 2400,
        tid: TID,
        requestId: id,
        kind: 'sale',
        amount: 1000,
        amountCashback: 500,
        currency: 'GBP',
        authCode: body.authCode,
        result: 'SUCCESSFUL',
      }),
    ])
  })

  it('taps contactless without PIN or card removal, and grants no cashback', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1201, { amountCashback: 500 }))
    const body = await runToEnd(h, TID, id)
    expect(body.notifications).toEqual([
      'TRANSACTION_STARTED',
      'PRESENT_CARD',
      'PLEASE_WAIT',
      'CONNECTING',
      'CONNECTION_MADE',
      'REQUEST_SENT',
      'APPROVED',
      'TRANSACTION_FINISHED',
    ])
    expect(body).toMatchObject({
      paymentMethod: 'CONTACTLESS',
      cardHolderVerificationMethod: 'NONE',
      cardSchemeName: 'MASTERCARD',
      amountCashback: 0,
      amountTotal: 1201,
    })
  })

  it('verifies on the device for a wallet tap', async () => {
    const h = harness()
    const body = await runToEnd(h, TID, await start(h, TID, sale(502)))
    expect(body).toMatchObject({
      transactionResult: 'SUCCESSFUL',
      paymentMethod: 'CONTACTLESS',
      cardHolderVerificationMethod: 'DEVICE',
    })
  })

  it('keys the card in without a card prompt when the cardholder is not present', async () => {
    const h = harness()
    const body = await runToEnd(
      h,
      TID,
      await start(h, TID, sale(700, { cardholderNotPresent: true })),
    )
    expect(body.notifications).not.toContain('PRESENT_CARD')
    expect(body.notifications).not.toContain('INSERT_CARD')
    expect(body.notifications).not.toContain('REMOVE_CARD')
    expect(body).toMatchObject({ paymentMethod: 'KEYED', transactionResult: 'SUCCESSFUL' })
  })

  it.each([
    ['VCMINVLTIP0', undefined, 'TIMED_OUT', CARD_TIMEOUT_MS],
    [TID, 'cancelled-on-terminal', 'CANCELLED', 0],
    [TID, 'timeout', 'TIMED_OUT', CARD_TIMEOUT_MS],
  ] as const)(
    'a keyed sale on %s (%s) ends %s while waiting for the details, charging nothing',
    async (tid, scenario, result, atLeastMs) => {
      const h = harness()
      if (scenario) h.cloud.terminals.setScenario(tid, scenario)
      const started = h.clock.now()
      const id = await start(h, tid, sale(1250, { cardholderNotPresent: true }))
      const body = await runToEnd(h, tid, id, 1_000, 200)
      expect(body.transactionResult).toBe(result)
      expect(body.notifications).not.toContain('PRESENT_CARD')
      expect(h.clock.now() - started).toBeGreaterThanOrEqual(atLeastMs)
      expect(h.cloud.ledger).toHaveLength(0)
    },
  )

  it('a keyed sale whose details come slowly (slow-card) is approved after them', async () => {
    const h = harness()
    h.cloud.terminals.setScenario(TID, 'slow-card')
    const started = h.clock.now()
    const id = await start(h, TID, sale(1250, { cardholderNotPresent: true }))
    const body = await runToEnd(h, TID, id, 1_000, 200)
    expect(body).toMatchObject({ paymentMethod: 'KEYED', transactionResult: 'SUCCESSFUL' })
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(SLOW_CARD_MS)
  })

  it('records an acquirer decline in the ledger', async () => {
    const h = harness()
    const id = await start(h, TID, sale(904))
    const body = await runToEnd(h, TID, id)
    expect(body.notifications).toEqual(
      expect.arrayContaining(['REQUEST_SENT', 'DECLINED', 'REMOVE_CARD', 'TRANSACTION_FINISHED']),
    )
    expect(body.notifications).not.toContain('APPROVED')
    expect(body).toMatchObject({ transactionResult: 'DECLINED', authCode: '', amountBase: 904 })
    expect(body.receiptLines.CUSTOMER).toContainEqual({ type: 'BOX_DECLINE', value: 'DECLINED' })
    expect(h.cloud.ledger).toEqual([
      expect.objectContaining({ requestId: id, kind: 'sale', amount: 904, result: 'DECLINED' }),
    ])
    expect(h.cloud.ledger[0]!.authCode).toBeUndefined()
  })

  it('declines on the card itself without reaching the acquirer', async () => {
    const h = harness()
    const body = await runToEnd(h, TID, await start(h, TID, sale(305)))
    expect(body.notifications).toContain('DECLINED_BY_CARD')
    expect(body.notifications).not.toContain('REQUEST_SENT')
    expect(body.transactionResult).toBe('DECLINED')
    expect(h.cloud.ledger).toEqual([])
  })

  it('ends UNSUCCESSFUL on a processing error, charging nothing', async () => {
    const h = harness()
    const body = await runToEnd(h, TID, await start(h, TID, sale(1008)))
    expect(body.notifications).toEqual(
      expect.arrayContaining(['CONNECTING', 'PROCESSING_ERROR', 'TRANSACTION_FINISHED']),
    )
    expect(body.notifications).not.toContain('REQUEST_SENT')
    expect(body.transactionResult).toBe('UNSUCCESSFUL')
    expect(h.cloud.ledger).toEqual([])
  })

  it('times out when no card is presented', async () => {
    const h = harness()
    const id = await start(h, TID, sale(106))
    await h.clock.advance(400 + CARD_TIMEOUT_MS - 1)
    expect((await poll(h, TID, id)).body.notifications).toEqual([
      'TRANSACTION_STARTED',
      'INSERT_CARD',
    ])
    await h.clock.advance(1)
    const { body } = await poll(h, TID, id)
    expect(body.notifications).toEqual([
      'TRANSACTION_STARTED',
      'INSERT_CARD',
      'TRANSACTION_FINISHED',
    ])
    expect(body).toMatchObject({
      transactionResult: 'TIMED_OUT',
      paymentMethod: 'UNKNOWN',
      cardHolderVerificationMethod: 'UNKNOWN',
    })
    expect(body.primaryAccountNumber).toBeUndefined()
  })

  it('can be cancelled on the terminal by the cardholder', async () => {
    const h = harness()
    const body = await runToEnd(h, TID, await start(h, TID, sale(207)))
    expect(body.notifications).not.toContain('ATTEMPTING_CANCEL')
    expect(body.transactionResult).toBe('CANCELLED')
    expect(h.cloud.ledger).toEqual([])
  })

  it('waits long for a slow card, then approves', async () => {
    const h = harness()
    const id = await start(h, TID, sale(109))
    await h.clock.advance(400 + SLOW_CARD_MS - 1)
    expect((await poll(h, TID, id)).body.notifications.at(-1)).toBe('INSERT_CARD')
    const body = await runToEnd(h, TID, id)
    expect(body.transactionResult).toBe('SUCCESSFUL')
  })

  it('goes offline after the acquirer approved: 404 while away, then the result', async () => {
    const h = harness()
    const id = await start(h, TID, sale(2010))
    await h.clock.advance(2800) // REQUEST_SENT at 2400, offline from 2800
    expect(h.cloud.ledger).toHaveLength(1)
    const away = await poll(h, TID, id)
    expect(away.status).toBe(404)
    expect(away.body.userMessage).toMatch(/unavailable/)
    expect((await h.call(pac('GET', `/pac/terminals/${TID}`))).status).toBe(404)
    expect(h.cloud.terminals.get(TID)).toMatchObject({ online: false, status: 'BUSY' })
    await h.clock.advance(OFFLINE_MS)
    const back = await runToEnd(h, TID, id)
    expect(back.transactionResult).toBe('SUCCESSFUL')
    expect(h.cloud.ledger).toHaveLength(1)
  })

  it('a terminal pinned to a scenario ignores the amount', async () => {
    const h = harness({ terminals: [{ tid: 'T1', scenario: 'decline' }] })
    const body = await runToEnd(h, 'T1', await start(h, 'T1', sale(1000)))
    expect(body.transactionResult).toBe('DECLINED')
    h.cloud.terminals.setScenario('T1', undefined)
    await h.clock.advance(1)
    const again = await runToEnd(h, 'T1', await start(h, 'T1', sale(1000)))
    expect(again.transactionResult).toBe('SUCCESSFUL')
  })

  it.each([
    ['VCMINVLSIP0', 'SUCCESSFUL', 'PIN'],
    ['VCMINVLDIP0', 'DECLINED', 'PIN'],
    ['VCMINVLSCD0', 'SUCCESSFUL', 'DEVICE'],
    ['VCMINVLUIP0', 'UNSUCCESSFUL', 'PIN'],
    ['VCMINVLTIP0', 'TIMED_OUT', undefined],
    ['VCMINVLSIS0', 'VOID', 'SIGNATURE'], // nobody answers the signature request
  ])('virtual terminal %s ends %s', async (tid, result, cvm) => {
    const h = harness()
    const body = await runToEnd(h, tid, await start(h, tid, sale(1000)), 2000)
    expect(body.transactionResult).toBe(result)
    if (cvm) expect(body.cardHolderVerificationMethod).toBe(cvm)
  })

  it('keeps virtual behaviour for a listed virtual TID without a scenario', async () => {
    const h = harness({ terminals: [{ tid: 'VCMINVLDIP0' }] })
    expect(h.cloud.terminals.get('VCMINVLDIP0').scenario).toBe('decline')
  })

  it('refuses a second transaction while busy, and accepts one after the end', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    const busy = await h.call(
      pac('POST', `/pac/terminals/${TID}/transactions`, { body: sale(500) }),
    )
    expect(busy.status).toBe(422)
    expect(busy.body.userMessage).toMatch(/busy/)
    const report = await h.call(
      pac('POST', `/pac/terminals/${TID}/reports`, { body: { reportType: 'X_BALANCE' } }),
    )
    expect(report.status).toBe(422)
    await runToEnd(h, TID, id)
    expect(await start(h, TID, sale(500))).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers 404 for unknown terminals, unknown requests and requests of another terminal', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    expect((await poll(h, 'NOPE', id)).status).toBe(404)
    expect((await poll(h, TID, '00000000-0000-0000-0000-000000000000')).status).toBe(404)
    expect((await poll(h, '22160002', id)).status).toBe(404)
    const post = await h.call(pac('POST', '/pac/terminals/NOPE/transactions', { body: sale(1) }))
    expect(post.status).toBe(404)
    expect(post.body.userMessage).toMatch(/not found/)
  })

  it('refuses work on a disconnected terminal with 404', async () => {
    const h = harness()
    h.cloud.terminals.setOnline(TID, false)
    const post = await h.call(pac('POST', `/pac/terminals/${TID}/transactions`, { body: sale(1) }))
    expect(post.status).toBe(404)
    expect(post.body.userMessage).toMatch(/unavailable/)
    h.cloud.terminals.setOnline(TID, true)
    expect(await start(h, TID, sale(1000))).toBeTruthy()
  })

  it('forgets results after the retention period', async () => {
    const h = harness({ retentionHours: 2 })
    const id = await start(h, TID, sale(1000))
    await runToEnd(h, TID, id)
    await h.clock.advance(2 * 3_600_000 - 10_000)
    expect((await poll(h, TID, id)).status).toBe(200)
    await h.clock.advance(10_000)
    const gone = await poll(h, TID, id)
    expect(gone.status).toBe(404)
    expect(gone.body.userMessage).toMatch(/No transaction/)
    expect(h.cloud.ledger).toHaveLength(1)
  })

  it('counts retention from the end: a transaction longer than the retention stays found while it runs', async () => {
    // 0.0001 h is 360 ms, far less than a sale of 1 s steps; polled on its steps, the last poll
    // sees the step that finished it.
    const h = harness({ retentionHours: 0.0001, stepMs: 1_000 })
    const id = await start(h, TID, sale(1000))
    let body: any
    for (let i = 0; i < 50 && !body?.transactionResult; i++) {
      await h.clock.advance(1_000)
      const polled = await poll(h, TID, id)
      expect(polled.status).toBe(200)
      body = polled.body
      if (!body.transactionResult)
        expect((await h.call(pac('GET', `/pac/terminals/${TID}`))).body.status).toBe('BUSY')
    }
    expect(body.transactionResult).toBe('SUCCESSFUL')
    await h.clock.advance(359)
    expect((await poll(h, TID, id)).status).toBe(200)
    await h.clock.advance(1)
    expect((await poll(h, TID, id)).status).toBe(404)
  })

  it('runs to the end at once with stepMs 0 (except for waits on people)', async () => {
    const h = harness({ stepMs: 0 })
    const id = await start(h, TID, sale(1000))
    expect((await poll(h, TID, id)).body.transactionResult).toBe('SUCCESSFUL')
    const signature = await start(h, TID, sale(1003))
    expect((await poll(h, TID, signature)).body.notifications.at(-1)).toBe('SIGNATURE_VERIFICATION')
  })

  it('exposes the same view through the control API', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    await h.clock.advance(800)
    expect(h.cloud.terminals.transaction(TID, id).notifications).toEqual([
      'TRANSACTION_STARTED',
      'INSERT_CARD',
      'PIN_ENTRY',
    ])
    expect(h.cloud.terminals.get(TID)).toMatchObject({ status: 'BUSY', activeRequestId: id })
    expect(() => h.cloud.terminals.transaction(TID, 'nope')).toThrow(/No transaction/)
  })
})

describe('the ledger across terminals', () => {
  // README (The ledger): "`cloud.ledger` lists, in order, every request that reached the acquirer", and
  // (How time works) every step that fell due is replayed "stamped with its own time". Two tills: the sale on
  // 22160001 reaches the acquirer before the one on 22160002, so it must come first in the ledger, whichever
  // terminal the POS happens to poll first.
  it('the ledger is in the order the acquirer saw requests, across terminals', async () => {
    const h = harness()
    const first = await h.call(
      pac('POST', '/pac/terminals/22160001/transactions', { body: sale(1000) }),
    )
    expect(first.status).toBe(201)
    await h.clock.advance(1_000)
    const second = await h.call(
      pac('POST', '/pac/terminals/22160002/transactions', { body: sale(2000) }),
    )
    expect(second.status).toBe(201)
    await h.clock.advance(60_000)
    // The till on 22160002 polls its own terminal first.
    const poll = await h.call(
      pac('GET', `/pac/terminals/22160002/transactions/${second.body.requestId}`),
    )
    expect(poll.body.transactionResult).toBe('SUCCESSFUL')
    const ledger = h.cloud.ledger
    expect(ledger.map((e) => [e.tid, e.amount])).toEqual([
      ['22160001', 1000],
      ['22160002', 2000],
    ])
    const times = ledger.map((e) => e.at)
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })
})

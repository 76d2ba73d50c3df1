import { describe, expect, it } from 'vitest'
import { chooseScenario, SCENARIO_BY_CENTS, type LedgerKind } from '../../src/mock/index.js'
import { direct } from './helpers.js'

const purchase = (cents: number) => ({
  TransactionType: 'Card.Purchase',
  AmountTotal: String(cents),
})

describe('fake cloud: scenarios by cents', () => {
  it.each([
    [1200, 'OK-ACCEPTED', 'OK', 'APPROVED', 'ACCEPTED'],
    [1205, 'OK-DECLINED', 'OK', 'DECLINED', 'DECLINED'],
    [1207, 'CANCELLED', 'OK', 'CANCELLED', undefined],
    [1208, 'CANCELLED', 'FAILED-INTERFACE', 'TERMINAL UNREACHABLE', undefined],
    [1209, 'OK-ACCEPTED', 'OK', 'APPROVED', 'ACCEPTED'],
    [1210, 'OK-UNAVAILABLE', 'OK', 'SERVICE UNAVAILABLE', undefined],
    [1212, 'OK-ACCEPTED', 'FAILED', 'APPROVED', 'ACCEPTED'],
    [1299, 'OK-ACCEPTED', 'OK', 'APPROVED', 'ACCEPTED'],
  ])('%s cents ends %s / %s (%s); ledger: %s', async (cents, verdict, result, text, charged) => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl, transactionId } = await f.started(purchase(cents))
    const done = await f.finish(pollingUrl)
    expect(done.data).toMatchObject({
      TransactionResult: verdict,
      Result: result,
      ResultText: text,
    })
    expect(f.cloud.ledger.map((e) => [e.transactionId, e.result])).toEqual(
      charged ? [[transactionId, charged]] : [],
    )
  })

  it('a decline’s reason is printed on the receipt only', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(305))
    const { data } = await f.finish(pollingUrl)
    expect(data.Receipt).toContain('DECLINED')
    expect(data.Receipt).toContain('INSUFFICIENT FUNDS')
    expect(JSON.stringify({ ...data, Receipt: '' })).not.toContain('INSUFFICIENT')
    expect(data.AuthId).toBeUndefined()
  })

  it('an offline terminal sends no receipt', async () => {
    const f = direct()
    await f.pairWith()
    const { data } = await f.finish((await f.started(purchase(108))).pollingUrl)
    expect(data.Receipt).toBeUndefined()
  })

  it('delayed: PENDING with OK-DELAYED / DELAYED-TRANSACTION for delayedMs, then approved', async () => {
    const f = direct({ stepMs: 1000, delayedMs: 20_000 })
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(109))
    const at = async (ms: number) => {
      await f.clock.advance(ms)
      return (await (await f.poll(pollingUrl)).json()) as {
        transactionStatus: string
        data: Record<string, string>
      }
    }
    expect((await at(999)).data.TransactionResult).toBe('')
    expect((await at(2001)).data).toEqual({
      TransactionResult: 'OK-DELAYED',
      Result: 'DELAYED-TRANSACTION',
      ResultText: 'TRANSACTION DELAYED',
    })
    expect((await at(19_999)).transactionStatus).toBe('PENDING')
    expect(f.cloud.ledger).toHaveLength(0)
    const done = await at(2_001)
    expect(done.transactionStatus).toBe('COMPLETED')
    expect(done.data.TransactionResult).toBe('OK-ACCEPTED')
    expect(f.cloud.ledger[0]!.at - f.cloud.transactions.list()[0]!.createdAt).toBe(23_000)
  })

  it('no-answer: PENDING for good; the terminal takes new work after terminalTimeoutMs', async () => {
    const f = direct({ terminalTimeoutMs: 180_000 })
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(111))
    await f.clock.advance(179_999)
    expect(f.cloud.terminals.get('VT000001').activeTransactionId).toBeDefined()
    await f.clock.advance(1)
    expect(f.cloud.terminals.get('VT000001').activeTransactionId).toBeUndefined()
    const body = (await (await f.poll(pollingUrl)).json()) as { transactionStatus: string }
    expect(body.transactionStatus).toBe('PENDING')
    await f.clock.advance(720_000)
    expect((await f.poll(pollingUrl)).status).toBe(401)
  })

  it('an approved payment takes four steps; the acquirer sees it at the third', async () => {
    const f = direct({ stepMs: 500 })
    await f.pairWith()
    const { pollingUrl } = await f.started(purchase(100))
    const start = f.clock.now()
    await f.clock.advance(1499)
    expect(f.cloud.ledger).toHaveLength(0)
    await f.clock.advance(1)
    expect(f.cloud.ledger[0]!.at).toBe(start + 1500)
    await f.clock.advance(499)
    expect(
      ((await (await f.poll(pollingUrl)).json()) as { transactionStatus: string })
        .transactionStatus,
    ).toBe('PENDING')
    await f.clock.advance(2001)
    expect(
      ((await (await f.poll(pollingUrl)).json()) as { transactionStatus: string })
        .transactionStatus,
    ).toBe('COMPLETED')
  })

  it('chooseScenario: a pinned scenario wins; else the cents; else accept', () => {
    expect(chooseScenario('decline', 1200)).toBe('decline')
    expect(chooseScenario(undefined, 1205)).toBe('decline')
    expect(chooseScenario(undefined, 5)).toBe(SCENARIO_BY_CENTS['05'])
    expect(chooseScenario(undefined, 1234)).toBe('accept')
    expect(chooseScenario(undefined, undefined)).toBe('accept')
  })
})

describe('fake cloud: terminal control', () => {
  it('a pinned scenario overrides the cents until unpinned', async () => {
    const f = direct()
    await f.pairWith()
    f.cloud.terminals.setScenario('VT000001', 'decline')
    expect(f.cloud.terminals.get('VT000001').scenario).toBe('decline')
    const declined = await f.finish((await f.started(purchase(100))).pollingUrl)
    expect(declined.data.TransactionResult).toBe('OK-DECLINED')
    f.cloud.terminals.setScenario('VT000001', undefined)
    const approved = await f.finish((await f.started(purchase(100))).pollingUrl)
    expect(approved.data.TransactionResult).toBe('OK-ACCEPTED')
  })

  it('non-financial types ignore payment scenarios but not offline, unavailable or no-answer', async () => {
    const f = direct()
    await f.pairWith()
    f.cloud.terminals.setScenario('VT000001', 'decline')
    const status = await f.finish(
      (await f.started({ TransactionType: 'Terminal.GetStatus' })).pollingUrl,
    )
    expect(status.data.Result).toBe('OK')
    f.cloud.terminals.setScenario('VT000001', 'unavailable')
    const logon = await f.finish(
      (await f.started({ TransactionType: 'Acquirer.Logon' })).pollingUrl,
    )
    expect(logon.data.TransactionResult).toBe('OK-UNAVAILABLE')
  })

  it('an offline terminal ends every transaction CANCELLED / FAILED-INTERFACE, until back online', async () => {
    const f = direct()
    await f.pairWith()
    f.cloud.terminals.setOnline('VT000001', false)
    expect(f.cloud.terminals.get('VT000001').online).toBe(false)
    for (const fields of [purchase(100), { TransactionType: 'Acquirer.Logon' }]) {
      const done = await f.finish((await f.started(fields)).pollingUrl)
      expect(done.data).toMatchObject({
        TransactionResult: 'CANCELLED',
        Result: 'FAILED-INTERFACE',
      })
    }
    f.cloud.terminals.setOnline('VT000001', true)
    const done = await f.finish((await f.started(purchase(100))).pollingUrl)
    expect(done.data.TransactionResult).toBe('OK-ACCEPTED')
    expect(f.cloud.ledger).toHaveLength(1)
  })

  it('terminals can be added; a duplicate id or an unknown terminal throws', () => {
    const f = direct()
    expect(
      f.cloud.terminals.add({ deviceId: 'T9', scenario: 'decline', online: false }),
    ).toMatchObject({
      deviceId: 'T9',
      scenario: 'decline',
      online: false,
      registers: [],
    })
    expect(() => f.cloud.terminals.add({ deviceId: 'T9' })).toThrow('already exists')
    expect(() => f.cloud.terminals.get('nope')).toThrow('No terminal nope')
    expect(() => f.cloud.transactions.get('nope')).toThrow('No transaction nope')
  })
})

describe('fake cloud: the ledger', () => {
  it.each([
    [{ TransactionType: 'Card.Purchase', AmountTotal: '1000' }, 'purchase', 1000, 0],
    [{ TransactionType: 'Card.Refund', AmountTotal: '300' }, 'refund', 300, 0],
    [
      { TransactionType: 'Card.PurchasePlusCash', AmountTotal: '5000', AmountCash: '2000' },
      'purchase-plus-cash',
      5000,
      2000,
    ],
    [{ TransactionType: 'Card.CashAdvance', AmountTotal: '4000' }, 'cash-advance', 4000, 4000],
    [{ TransactionType: 'Card.Authorise', AmountAuth: '9000' }, 'authorise', 9000, 0],
    [{ TransactionType: 'QR.Merchant.Purchase', AmountTotal: '800' }, 'qr-purchase', 800, 0],
    [{ TransactionType: 'QR.Consumer.Purchase', AmountTotal: '900' }, 'qr-purchase', 900, 0],
    [{ TransactionType: 'QR.Refund', AmountTotal: '700' }, 'qr-refund', 700, 0],
  ] as Array<[Record<string, string>, LedgerKind, number, number]>)(
    '%j is recorded as %s',
    async (fields, kind, amount, amountCash) => {
      const f = direct()
      await f.pairWith()
      const { transactionId, pollingUrl } = await f.started(fields)
      const { data } = await f.finish(pollingUrl)
      expect(f.cloud.ledger).toEqual([
        {
          seq: 1,
          at: expect.any(Number),
          deviceId: 'VT000001',
          registerId: f.cloud.registers.list()[0]!.id,
          transactionId,
          kind,
          amount,
          amountCash,
          result: 'ACCEPTED',
          authId: data.AuthId,
          acquirerRef: data.AcquirerRef,
        },
      ])
      expect(data.AmountTotal).toBe(String(amount))
    },
  )

  it('entries are in time order across terminals, whenever they are read', async () => {
    const f = direct({ stepMs: 1000 })
    await f.pairWith('VT000001')
    const first = await f.started(purchase(100))
    await f.clock.advance(500)
    await f.pair(f.cloud.terminals.get('VT000002').pairingCode, {
      POSRegisterID: '0f8e2b6a-4c1d-4e3f-9a7b-5d2c8e1f4a60',
    })
    const second = await f.cloud.fetch(
      new Request('https://api-dev.smart-connect.cloud/POS/Transaction', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          POSRegisterID: '0f8e2b6a-4c1d-4e3f-9a7b-5d2c8e1f4a60',
          POSBusinessName: f.cloud.registers.list()[0]!.businessName,
          POSVendorName: f.cloud.registers.list()[0]!.vendorName,
          TransactionMode: 'ASYNC',
          TransactionType: 'Card.Purchase',
          AmountTotal: '200',
        }).toString(),
      }),
    )
    expect(second.status).toBe(200)
    // Terminal 2's poll runs first, long after both were charged.
    await f.clock.advance(60_000)
    expect(
      f.cloud.ledger.map((e) => [e.transactionId === first.transactionId, e.amount, e.seq]),
    ).toEqual([
      [true, 100, 1],
      [false, 200, 2],
    ])
  })
})

describe('fake cloud: pre-authorisation and finalise', () => {
  const authorise = (ref?: string) => ({
    TransactionType: 'Card.Authorise',
    AmountAuth: '10000',
    ...(ref && { TransactionReference: ref }),
  })
  const finalise = (ref: string, cents = 8000) => ({
    TransactionType: 'Card.Finalise',
    AmountFinal: String(cents),
    TransactionReference: ref,
  })

  it('finalises an authorisation named by its reference, once, for no more than authorised', async () => {
    const f = direct()
    await f.pairWith()
    await f.finish((await f.started(authorise('ROOM-12'))).pollingUrl)
    const over = await f.finish((await f.started(finalise('ROOM-12', 10_001))).pollingUrl)
    expect(over.data.TransactionResult).toBe('OK-DECLINED')
    const ok = await f.finish((await f.started(finalise('ROOM-12'))).pollingUrl)
    expect(ok.data.TransactionResult).toBe('OK-ACCEPTED')
    const again = await f.finish((await f.started(finalise('ROOM-12'))).pollingUrl)
    expect(again.data.TransactionResult).toBe('OK-DECLINED')
    const unknown = await f.finish((await f.started(finalise('ROOM-99'))).pollingUrl)
    expect(unknown.data.TransactionResult).toBe('OK-DECLINED')
    expect(f.cloud.ledger.map((e) => `${e.kind} ${e.result}`)).toEqual([
      'authorise ACCEPTED',
      'finalise DECLINED',
      'finalise ACCEPTED',
      'finalise DECLINED',
      'finalise DECLINED',
    ])
  })

  it('an authorisation without a reference is named by its AcquirerRef', async () => {
    const f = direct()
    await f.pairWith()
    const auth = await f.finish((await f.started(authorise())).pollingUrl)
    const done = await f.finish((await f.started(finalise(auth.data.AcquirerRef!))).pollingUrl)
    expect(done.data.TransactionResult).toBe('OK-ACCEPTED')
  })
})

describe('fake cloud: non-financial types', () => {
  it('logon, status and read card complete with Result OK and move no money', async () => {
    const f = direct()
    await f.pairWith()
    const logon = await f.finish(
      (await f.started({ TransactionType: 'Acquirer.Logon' })).pollingUrl,
    )
    expect(logon.data).toMatchObject({
      TransactionResult: 'OK-ACCEPTED',
      Result: 'OK',
      Function: 'Acquirer.Logon',
    })
    expect(logon.data.Receipt).toContain('LOGON')
    const status = await f.finish(
      (await f.started({ TransactionType: 'Terminal.GetStatus' })).pollingUrl,
    )
    expect(status.data).toMatchObject({ Result: 'OK', Status: 'READY' })
    expect(status.data.TransactionResult).toBeUndefined()
    const card = await f.finish(
      (await f.started({ TransactionType: 'Terminal.ReadCard' })).pollingUrl,
    )
    expect(card.data).toMatchObject({ Result: 'OK', CardPan: '....1881', CardType: 'VISA' })
    expect(card.data.AmountTotal).toBeUndefined()
    expect(f.cloud.ledger).toEqual([])
  })

  it('settlement inquiry totals this terminal’s accepted payments since the last cutover', async () => {
    const f = direct()
    await f.pairWith()
    for (const fields of [
      purchase(1000),
      purchase(2005),
      { TransactionType: 'QR.Merchant.Purchase', AmountTotal: '500' },
      { TransactionType: 'Card.Refund', AmountTotal: '300' },
    ])
      await f.finish((await f.started(fields)).pollingUrl)
    const inquiry = await f.finish(
      (await f.started({ TransactionType: 'Acquirer.Settlement.Inquiry', Date: '2026-01-01' }))
        .pollingUrl,
    )
    expect(inquiry.data.Receipt).toContain('SALES x2')
    expect(inquiry.data.Receipt).toContain('$15.00')
    expect(inquiry.data.Receipt).toContain('REFUNDS x1')
    expect(inquiry.data.AmountTotal).toBe('1200')
    await f.finish((await f.started({ TransactionType: 'Acquirer.Settlement.Cutover' })).pollingUrl)
    const after = await f.finish(
      (await f.started({ TransactionType: 'Acquirer.Settlement.Inquiry' })).pollingUrl,
    )
    expect(after.data.Receipt).toContain('SALES x0')
    expect(after.data.AmountTotal).toBe('0')
  })

  it('reprint and last-transaction result: failed before any payment, then about the last one', async () => {
    const f = direct()
    await f.pairWith()
    const none = await f.finish(
      (await f.started({ TransactionType: 'Journal.ReprintReceipt' })).pollingUrl,
    )
    expect(none.data).toMatchObject({ Result: 'FAILED', ResultText: 'NO TRANSACTION' })
    const noLast = await f.finish(
      (await f.started({ TransactionType: 'Journal.GetTransResult' })).pollingUrl,
    )
    expect(noLast.data.Result).toBe('FAILED')

    const paid = await f.started(purchase(1705))
    const receipt = (await f.finish(paid.pollingUrl)).data.Receipt!
    const reprint = await f.finish(
      (await f.started({ TransactionType: 'Journal.ReprintReceipt' })).pollingUrl,
    )
    expect(reprint.data.Receipt).toContain('REPRINT')
    expect(reprint.data.Receipt).toContain(receipt)
    const last = await f.finish(
      (await f.started({ TransactionType: 'Journal.GetTransResult' })).pollingUrl,
    )
    expect(last.data).toMatchObject({
      ReferenceId: paid.transactionId,
      TransactionResult: 'OK-DECLINED',
      Result: 'OK',
      AmountTotal: '1705',
      Receipt: receipt,
    })
  })
})

import { describe, expect, it } from 'vitest'
import { TillkitHttpError } from '@tillkit/core'
import {
  createSmartConnectClient,
  TRANSACTION_TYPES,
  type TransactionFields,
  type TransactionType,
  type WaitEvent,
} from '../src/index.js'
import { failure, harness, REGISTER } from './helpers.js'

/** Fields that make each type valid, and how the client reads its outcome from the fake. */
const EVERY_TYPE: Record<TransactionType, [fields: object, status: string]> = {
  'Card.Purchase': [{ AmountTotal: 1250 }, 'approved'],
  'Card.Refund': [{ AmountTotal: 500 }, 'approved'],
  'Card.PurchasePlusCash': [{ AmountTotal: 6000, AmountCash: 2000 }, 'approved'],
  'Card.CashAdvance': [{ AmountTotal: 4000 }, 'approved'],
  'Card.Authorise': [{ AmountAuth: 10000, TransactionReference: 'ROOM-7' }, 'approved'],
  'Card.Finalise': [{ AmountFinal: 8000, TransactionReference: 'ROOM-7' }, 'approved'],
  'QR.Merchant.Purchase': [{ AmountTotal: 990 }, 'approved'],
  'QR.Consumer.Purchase': [{ AmountTotal: 990 }, 'approved'],
  'QR.Refund': [{ AmountTotal: 990 }, 'approved'],
  'Acquirer.Logon': [{}, 'succeeded'],
  'Acquirer.Settlement.Inquiry': [{}, 'succeeded'],
  'Acquirer.Settlement.Cutover': [{}, 'succeeded'],
  'Journal.ReprintReceipt': [{}, 'succeeded'],
  'Journal.GetTransResult': [{}, 'succeeded'],
  'Terminal.GetStatus': [{}, 'succeeded'],
  'Terminal.ReadCard': [{}, 'succeeded'],
}

describe('client against the fake cloud: every transaction type', () => {
  it('runs each type in turn on one terminal, in the schema’s order', async () => {
    const h = harness()
    await h.pair()
    const seen: Array<[TransactionType, string]> = []
    for (const type of TRANSACTION_TYPES) {
      const [fields] = EVERY_TYPE[type]
      const outcome = await h.client.transact(type, fields as TransactionFields<typeof type>)
      expect(outcome.type).toBe(type)
      seen.push([type, outcome.status])
    }
    expect(seen).toEqual(TRANSACTION_TYPES.map((type) => [type, EVERY_TYPE[type][1]]))
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual([
      'purchase',
      'refund',
      'purchase-plus-cash',
      'cash-advance',
      'authorise',
      'finalise',
      'qr-purchase',
      'qr-purchase',
      'qr-refund',
    ])
  })

  it('non-financial answers keep what they report: status, the reported transaction, receipts', async () => {
    const h = harness()
    await h.pair()
    const sale = await h.client.transact('Card.Purchase', { AmountTotal: 2500 })
    const status = await h.client.transact('Terminal.GetStatus', undefined)
    expect(status).toMatchObject({ status: 'succeeded', terminalStatus: 'READY' })
    const last = await h.client.transact('Journal.GetTransResult', undefined)
    expect(last).toMatchObject({
      status: 'succeeded',
      referenceId: sale.transactionId,
      transactionResult: 'OK-ACCEPTED',
      amountTotal: 2500,
    })
    const reprint = await h.client.transact('Journal.ReprintReceipt', undefined)
    expect(reprint.receipt).toContain(sale.receipt)
    const card = await h.client.transact('Terminal.ReadCard', undefined)
    expect(card).toMatchObject({ cardPan: '....1881', cardType: 'VISA', accountType: 'CREDIT' })
  })
})

describe('client against the fake cloud: every outcome row', () => {
  it.each([
    [1200, 'approved', undefined, 'ACCEPTED'],
    [1205, 'declined', undefined, 'DECLINED'],
    [1207, 'cancelled', undefined, 'CANCELLED'],
    [1208, 'terminal-offline', undefined, undefined],
    [1209, 'approved', undefined, 'ACCEPTED'],
    [1210, 'unavailable', undefined, undefined],
    [1211, 'unknown', 'deadline', undefined],
    [1212, 'unknown', 'contradictory', 'ACCEPTED'],
  ])('%s cents → %s %s', async (cents, status, reason, printed) => {
    const h = harness()
    await h.pair()
    const outcome = await h.client.transact('Card.Purchase', { AmountTotal: cents })
    expect(outcome.status).toBe(status)
    expect(outcome.reason).toBe(reason)
    if (printed) expect(outcome.receipt).toContain(printed)
    else expect(outcome.receipt).toBeUndefined()
  })

  it('delayed: the wait reports pending, then delayed, and carries on to approved', async () => {
    const h = harness()
    await h.pair()
    const events: WaitEvent[] = []
    const outcome = await h.client.transact(
      'Card.Purchase',
      { AmountTotal: 4509 },
      { onEvent: (e) => void events.push(e) },
    )
    expect(outcome.status).toBe('approved')
    expect(events).toEqual([
      { type: 'status', status: 'pending' },
      { type: 'status', status: 'delayed' },
    ])
  })

  it('a decline carries no machine-readable reason: only the receipt says why', async () => {
    const h = harness()
    await h.pair()
    const outcome = await h.client.transact('Card.Purchase', { AmountTotal: 305 })
    expect(outcome).toMatchObject({ status: 'declined', resultText: 'DECLINED', result: 'OK' })
    expect(outcome.receipt).toContain('INSUFFICIENT FUNDS')
  })
})

describe('client against the fake cloud: refusals, recovery, expiry', () => {
  it('an unpaired register is refused (400), and so is a busy terminal', async () => {
    const h = harness()
    const unpaired = await failure<TillkitHttpError>(
      h.client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
    )
    expect(unpaired).toBeInstanceOf(TillkitHttpError)
    expect(unpaired.body).toEqual({ error: 'This register is not paired with a terminal' })
    await h.pair()
    await h.client.startTransaction('Card.Purchase', { AmountTotal: 100 })
    const busy = await failure<TillkitHttpError>(
      h.client.startTransaction('Card.Purchase', { AmountTotal: 100 }),
    )
    expect(busy.status).toBe(400)
    expect(busy.outcomeUnknown).toBe(false)
  })

  it('a pending transaction read back after a restart is followed by a new client', async () => {
    const h = harness()
    await h.pair()
    let stored = ''
    await h.client
      .transact(
        'Card.Purchase',
        { AmountTotal: 1900 },
        {
          onStarted: (pending) => {
            stored = JSON.stringify(pending)
            throw new Error('the till crashed')
          },
        },
      )
      .catch(() => {})
    const restarted = createSmartConnectClient({
      environment: 'dev',
      register: REGISTER,
      fetch: h.cloud.fetch,
      clock: h.clock,
    })
    const outcome = await restarted.waitForOutcome(JSON.parse(stored))
    expect(outcome).toMatchObject({ status: 'approved', amountTotal: 1900 })
    expect(h.cloud.ledger).toHaveLength(1)
  })

  it('resumed after the token lapsed (15 min): unknown, polling URL unusable (401), not failed', async () => {
    const h = harness()
    await h.pair()
    const pending = await h.client.startTransaction('Card.Purchase', { AmountTotal: 100 })
    await h.clock.advance(15 * 60_000)
    const outcome = await h.client.waitForOutcome(pending)
    expect(outcome).toMatchObject({
      status: 'unknown',
      reason: 'polling-url-unusable',
      httpStatus: 401,
    })
    // It was charged all the same: this is why unknown must be reconciled, never read as failed.
    expect(h.cloud.ledger.map((e) => e.result)).toEqual(['ACCEPTED'])
  })

  it('polling too soon meets the fake’s 429; the wait backs off and finishes', async () => {
    const h = harness()
    await h.pair()
    const pending = await h.client.startTransaction('Card.Purchase', { AmountTotal: 100 })
    expect((await h.client.poll(pending)).state).toBe('pending')
    expect(await h.client.poll(pending)).toMatchObject({
      state: 'retry',
      reason: 'rate-limited',
      retryAfterMs: 2000,
    })
    const events: WaitEvent[] = []
    const outcome = await h.client.waitForOutcome(pending, { onEvent: (e) => void events.push(e) })
    expect(outcome.status).toBe('approved')
    expect(events[0]).toEqual({
      type: 'retry',
      reason: 'rate-limited',
      delayMs: 6000,
      httpStatus: 429,
    })
  })
})

describe('the fake cloud: finalising an authorisation', () => {
  // README (Scenarios): "`Card.Finalise` goes through only against an accepted authorisation on the same
  // terminal named by its `TransactionReference` (or its `AcquirerRef`), once, for no more than was
  // authorised; otherwise it is declined." An authorisation finalised once under its AcquirerRef is
  // finalised: naming it again by its TransactionReference must be declined, and the ledger must hold
  // one accepted finalise, not two (the customer would be charged twice for one authorisation).
  it('an authorisation finalised by its AcquirerRef cannot be finalised again by its reference', async () => {
    const h = harness()
    await h.pair()
    const auth = await h.client.transact('Card.Authorise', {
      AmountAuth: 10_000,
      TransactionReference: 'ROOM-12',
    })
    expect(auth.status).toBe('approved')
    expect(auth.acquirerRef).toEqual(expect.any(String))
    const first = await h.client.transact('Card.Finalise', {
      AmountFinal: 8_000,
      TransactionReference: auth.acquirerRef!,
    })
    expect(first.status).toBe('approved')
    const second = await h.client.transact('Card.Finalise', {
      AmountFinal: 8_000,
      TransactionReference: 'ROOM-12',
    })
    expect(second.status).toBe('declined')
    expect(h.cloud.ledger.map((e) => `${e.kind} ${e.result}`)).toEqual([
      'authorise ACCEPTED',
      'finalise ACCEPTED',
      'finalise DECLINED',
    ])
  })
})

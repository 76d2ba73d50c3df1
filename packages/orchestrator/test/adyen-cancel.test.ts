import { TillkitNetworkError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createMemoryJournal, TillkitValidationError } from '../src/index.js'
import { adyenAdapter } from '../src/adyen.js'
import { collect, drive, pass } from './harness.js'
import { ACCOUNT, json, KEY, pay, POI, POI_2, setupAdyen } from './adyen-harness.js'

describe('cancelling an Adyen payment (Abort)', () => {
  it('a cancel while the first request is out, which then comes back refused unprocessed (429): not sent again', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    cloud.faults.add({ kind: 'latency', ms: 500, times: 1 })
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 1, times: 1 })
    const payment = await orchestrator.sale(pay(1250))
    await pass(clock, 100)
    expect(await drive(clock, payment.cancel())).toBe(true)
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'cancelled-before-start',
    })
    await pass(clock, 30_000)
    expect(sent('Payment')).toHaveLength(1)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('aborts while the terminal waits for the card: cancelled (aborted), nothing charged', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    // The slow card: 30 s before the card comes.
    const payment = await orchestrator.sale(pay(1213))
    const events = collect(payment)
    await pass(clock, 1_000)
    expect(payment.state).toBe('running')
    expect(await payment.cancel()).toBe(true)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'cancelled', reasonCode: 'aborted' })
    expect(outcome.at - (await events.done)[0]!.at).toBeLessThan(2_000)
    const [abort, ...more] = sent('Abort')
    expect(more).toEqual([])
    expect(abort!.about).toBe(payment.ids.serviceId)
    expect(abort!.serviceId).not.toBe(payment.ids.serviceId)
    expect((await events.done).map((e) => e.raw)).toEqual([
      'TENDER_CREATED',
      { Result: 'Failure', ErrorCondition: 'Aborted' },
    ])
    expect(cloud.ledger).toHaveLength(0)
    expect(await payment.cancel()).toBe(false)
  })

  it('a cancel asked for the moment the payment is started still reaches the terminal', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const payment = await orchestrator.sale(pay(1213))
    const cancelled = payment.cancel()
    expect(await drive(clock, cancelled)).toBe(true)
    expect((await drive(clock, payment.outcome)).status).toBe('cancelled')
    expect(sent('Payment')[0]!.at).toBeLessThanOrEqual(sent('Abort')[0]!.at)
    expect(cloud.ledger).toHaveLength(0)
  })

  it('too late (the acquirer has it): the abort is sent, the payment is approved', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const payment = await orchestrator.sale(pay(1250))
    // Card, PIN prompt, PIN: after 2 s the issuer has the payment.
    await pass(clock, 2_100)
    expect(await payment.cancel()).toBe(true)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(sent('Abort')).toHaveLength(1)
    expect(cloud.ledger.map((e) => e.result)).toEqual(['approved'])
  })

  it('an abort that cannot reach the terminal is tried again, then rejects; the payment is still found', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen()
    const payment = await orchestrator.sale(pay(1213))
    await pass(clock, 1_000)
    // The terminal drops off the cloud: the waiting answer becomes a Reject, and so does the abort.
    cloud.devices.setOnline(POI, false)
    await pass(clock, 100)
    const error = await drive(clock, payment.cancel()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect((error as Error).message).toMatch(/abort could not reach terminal/)
    expect(sent('Abort')).toHaveLength(3)
    // The terminal carried on and took the card; back online, TransactionStatus tells.
    await pass(clock, 60_000)
    expect(payment.state).toBe('running')
    cloud.devices.setOnline(POI, true)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect(sent('Payment')).toHaveLength(1)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a refund by reversal is aborted with the Reversal category', async () => {
    const { clock, cloud, orchestrator, sent } = setupAdyen({ cloud: { stepMs: 5_000 } })
    const sale = await drive(clock, (await orchestrator.sale(pay(1250))).outcome)
    const refund = await orchestrator.refund(
      pay(1250, { reference: 'refund-1', original: sale.providerIds }),
    )
    await pass(clock, 1_000)
    expect(await refund.cancel()).toBe(true)
    expect(await drive(clock, refund.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'aborted',
    })
    expect(sent('Abort')[0]!.about).toBe(refund.ids.serviceId)
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

describe('a reversal stopped before it is booked', () => {
  it("by Adyen's processing limit is cancelled (timed-out); by the terminal, cancelled", async () => {
    const { clock, cloud, orchestrator } = setupAdyen({
      cloud: {
        devices: [
          { poiId: POI, store: 'LONDON-1' },
          // So slow that the cloud's 150 s limit ends the reversal before the acquirer books it.
          { poiId: POI_2, store: 'LONDON-1', stepMs: 100_000 },
        ],
      },
      intercept: (message) => {
        const body = message.SaleToPOIRequest
        if (body.MessageHeader.MessageCategory !== 'Reversal' || body.MessageHeader.POIID !== POI)
          return undefined
        return json({
          SaleToPOIResponse: {
            MessageHeader: { ...body.MessageHeader, MessageType: 'Response' },
            ReversalResponse: {
              Response: { Result: 'Failure', ErrorCondition: 'Cancel' },
            },
          },
        })
      },
    })
    const sale = await drive(clock, (await orchestrator.sale(pay(1250))).outcome)
    const original = sale.providerIds
    const slow = await orchestrator.refund(
      pay(1250, { terminal: POI_2, reference: 'refund-1', original }),
    )
    expect(await drive(clock, slow.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'timed-out',
      reason: 'Communication timeout',
    })
    const stopped = await orchestrator.refund(pay(1250, { reference: 'refund-2', original }))
    expect(await drive(clock, stopped.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'cancelled',
    })
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

describe('bad input to Adyen is refused before anything is written or sent', () => {
  const configured = {
    terminals: [{ poiId: POI, currencies: ['EUR', 'GBP', 'JPY'] }, { poiId: POI_2 }],
  }
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['a currency outside ISO 4217', { currency: 'XYZ' }, 'currency'],
    ['more than nexo can carry', { amount: 10_000_000_000 }, 'amount'],
    ['more than nexo can carry in yen', { amount: 100_000_000, currency: 'JPY' }, 'amount'],
    ['a fractional amount', { amount: 12.5 }, 'amount'],
    ['a zero amount', { amount: 0 }, 'amount'],
    ['a completion auth code', { authCode: '123456' }, 'authCode'],
    [
      'an original on a sale',
      { original: { poiTransactionId: 'x', poiTimeStamp: 'y' } },
      'original',
    ],
    ['an option Adyen does not have', { extra: { tip: 100 } }, 'extra.tip'],
    ['an unknown account', { account: 'nope' }, 'account'],
    ['a terminal not configured', { terminal: 'P400Plus-999' }, 'terminal'],
    ['a currency the terminal does not take', { currency: 'USD' }, 'currency'],
  ]
  it.each(bad)('%s', async (_what, change, field) => {
    const journal = createMemoryJournal()
    const { orchestrator, seen } = setupAdyen({ adapter: configured, orchestrator: { journal } })
    const error = await orchestrator.sale(pay(1250, change)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe(field)
    expect(seen).toHaveLength(0)
    expect(await journal.unfinished()).toEqual([])
  })

  it('refund rules: cashback only on sales, an original needs both of its ids', async () => {
    const { orchestrator, seen } = setupAdyen()
    const field = async (promise: Promise<unknown>) =>
      ((await promise.catch((e: unknown) => e)) as TillkitValidationError).field
    expect(await field(orchestrator.refund(pay(100, { cashback: 10 })))).toBe('cashback')
    expect(
      await field(orchestrator.refund(pay(100, { original: { poiTransactionId: 'T.1' } }))),
    ).toBe('original.poiTimeStamp')
    expect(await field(orchestrator.preAuth(pay(100)))).toBe('kind')
    expect(await field(orchestrator.sale(pay(100, { cashback: -1 })))).toBe('cashback')
    expect(seen).toHaveLength(0)
  })

  it('a reference nexo cannot carry fails in validation, not at Adyen', async () => {
    const { orchestrator, seen } = setupAdyen()
    const error = await orchestrator.sale(pay(100, { reference: '' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(seen).toHaveLength(0)
  })

  it("the adapter's own options are checked when it is made", () => {
    const base = {
      apiKey: KEY,
      environment: 'test' as const,
      transport: 'device-api' as const,
      merchantAccount: 'TillkitShop',
      saleId: 'till-1',
    }
    const field = (more: Record<string, unknown>) => {
      try {
        adyenAdapter({ ...base, ...more } as Parameters<typeof adyenAdapter>[0])
      } catch (error) {
        return (error as TillkitValidationError).field
      }
      return undefined
    }
    expect(field({})).toBeUndefined()
    expect(field({ saleId: '' })).toBe('options.saleId')
    expect(field({ cadenceMs: 1_000 })).toBe('options.cadenceMs')
    expect(field({ retentionMs: 10 })).toBe('options.retentionMs')
    expect(field({ terminals: [{ poiId: POI, currencies: ['EURO'] }] })).toBe(
      'options.terminals[0].currencies[0]',
    )
    expect(field({ merchantAccount: undefined })).toBe('options.merchantAccount')
    expect(field({ apiKey: '' })).toBe('options.apiKey')
  })
})

describe('Adyen terminals through the orchestrator', () => {
  it('lists the connected terminals, and configured ones that are not as offline', async () => {
    const { cloud, orchestrator, seen } = setupAdyen({
      adapter: { terminals: [{ poiId: POI, currencies: ['EUR'] }, { poiId: 'P400Plus-404' }] },
    })
    cloud.devices.setOnline(POI_2, false)
    const list = await orchestrator.terminals(ACCOUNT)
    expect(list.map((t) => [t.terminal, t.status])).toEqual([
      [POI, 'available'],
      ['S1F2-100000003', 'available'],
      ['P400Plus-404', 'offline'],
    ])
    expect(list[0]).toMatchObject({ account: ACCOUNT, provider: 'adyen', currencies: ['EUR'] })
    expect(seen.map((r) => r.path)).toEqual(['/v1/merchants/TillkitShop/connectedDevices'])
  })

  it('lists one store only when told', async () => {
    const { orchestrator } = setupAdyen({ adapter: { store: 'PARIS-1' } })
    expect((await orchestrator.terminals(ACCOUNT)).map((t) => t.terminal)).toEqual([
      'S1F2-100000003',
    ])
  })

  it('reads one terminal status (device API), and over the legacy endpoints', async () => {
    const device = setupAdyen()
    expect((await device.orchestrator.terminalStatus(ACCOUNT, POI)).status).toBe('available')
    device.cloud.devices.setOnline(POI, false)
    expect(await device.orchestrator.terminalStatus(ACCOUNT, POI)).toMatchObject({
      status: 'offline',
      raw: { status: 'OFFLINE' },
    })
    const legacy = setupAdyen({ adapter: { transport: 'legacy' } })
    expect((await legacy.orchestrator.terminalStatus(ACCOUNT, POI)).status).toBe('available')
    legacy.cloud.devices.setOnline(POI, false)
    expect((await legacy.orchestrator.terminalStatus(ACCOUNT, POI)).status).toBe('offline')
    expect(legacy.seen.map((r) => r.path)).toEqual(['/connectedTerminals', '/connectedTerminals'])
  })

  it('with configured terminals, the status of another POIID is refused before any request', async () => {
    const { orchestrator, seen } = setupAdyen({
      adapter: { terminals: [{ poiId: POI, currencies: ['EUR'] }] },
    })
    await expect(orchestrator.terminalStatus(ACCOUNT, 'V400m-999')).rejects.toMatchObject({
      field: 'terminal',
    })
    expect(seen).toEqual([])
  })
})

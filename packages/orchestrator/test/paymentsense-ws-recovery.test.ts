import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  TillkitValidationError,
  type JournalStore,
  type Outcome,
  type PaymentEvent,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { paymentsenseWebSocketAdapter } from '../src/paymentsense.js'
import { refusal } from '../../core/test/helpers.js'
import { collect, drive, flush, KEY, pass, sale, setup, TID } from './paymentsense-ws-harness.js'

describe('paymentsense WebSocket adapter: recovery', () => {
  it('a payment left running by a dropped orchestrator: unknown once its terminal is free, never sent again', async () => {
    const { clock, cloud, orchestrator, restart, wire, payments } = setup()
    const payment = await orchestrator.sale(sale(1209)) // slow card
    const before = collect(payment)
    await pass(clock, 3_000)
    await orchestrator.close()
    const delivered = (await before.done).length
    expect(delivered).toBeGreaterThan(0)

    const next = restart()
    const [resumed] = await next.recover()
    expect(resumed!.id).toBe(payment.id)
    expect(resumed!.recovered).toBe(true)
    const after = collect(resumed!)
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start', terminal: TID })
    expect(outcome.reason).toMatch(/the process that sent it stopped before its answer came/)
    expect(outcome.reason).toMatch(/AVAILABLE again/)
    // The terminal finished the payment without anyone listening; the new process waited for it.
    expect(cloud.ledger.map((e) => `${e.kind} ${e.amount}`)).toEqual(['sale 1209'])
    expect(outcome.at).toBeGreaterThan(cloud.ledger[0]!.at)
    expect(outcome.reconcile!.check[0]).toMatch(/AVAILABLE \(terminalDetails\)/)
    expect(outcome.reconcile!.lastEvent).toBe('INSERT_CARD')
    // Nothing delivered twice: the recovered stream has no events of the first process.
    expect(await after.done).toEqual([])
    expect(payments()).toEqual(['sale'])
    expect(wire.urls).toHaveLength(2)
  })

  it('a payment whose start left but never answered before the drop: unknown at once, nothing sent', async () => {
    const inner = createMemoryJournal()
    // A journal that lost every record after the start left (as if the process died right then).
    const journal: JournalStore = {
      append: async (record) => {
        if (record.type === 'intent' || (record.type === 'ids' && record.sending))
          await inner.append(record)
      },
      unfinished: () => inner.unfinished(),
      get: (id) => inner.get(id),
    }
    const { clock, orchestrator, restart, wire } = setup({ orchestrator: { journal } })
    const payment = await orchestrator.sale(sale(1209))
    await pass(clock, 1_000)
    await orchestrator.close()
    const sentBefore = wire.sent.length
    const urlsBefore = wire.urls.length

    const [resumed] = await restart({ journal }).recover()
    expect(resumed!.id).toBe(payment.id)
    const outcome = await drive(clock, resumed!.outcome)
    expect(outcome).toMatchObject({ status: 'unknown', reasonCode: 'lost-start' })
    expect(outcome.reconcile!.check.join('\n')).toMatch(/duplicate request/)
    await flush()
    expect(wire.sent.length).toBe(sentBefore)
    expect(wire.urls.length).toBe(urlsBefore)
  })
})

describe('paymentsense WebSocket adapter: checks before anything is sent', () => {
  it('bad requests are refused with a typed error before the socket opens or the journal is written', async () => {
    const { orchestrator, wire, records } = setup({
      adapter: { terminals: [{ tid: TID, currency: 'GBP' }] },
    })
    const bad: Array<[Record<string, unknown>, string, string?]> = [
      [{ currency: 'USD' }, 'currency'],
      [{ amount: 100_000_000 }, 'amount'],
      [{ terminal: '99999999' }, 'terminal'],
      [{ extra: { tip: true } }, 'extra.tip'],
      [{ original: { requestId: 'x' } }, 'original'],
      [{ authCode: 'A1' }, 'authCode'],
    ]
    for (const [more, field] of bad)
      await expect(orchestrator.sale(sale(1250, more))).rejects.toMatchObject({ field })
    await expect(orchestrator.refund(sale(1250, { cashback: 100 }))).rejects.toMatchObject({
      field: 'cashback',
    })
    await expect(orchestrator.completion(sale(1250, { authCode: 'A1' }))).rejects.toMatchObject({
      field: 'preAuthAmount',
    })
    // The WebSocket pre-auth takes no cardholderNotPresent (REST would).
    await expect(
      orchestrator.preAuth(sale(1250, { extra: { cardholderNotPresent: true } })),
    ).rejects.toMatchObject({ field: 'extra.cardholderNotPresent' })
    await expect(orchestrator.sale(sale(1250, { currency: 'EUR' }))).rejects.toBeInstanceOf(
      TillkitValidationError,
    )
    await flush()
    expect(wire.urls).toEqual([])
    expect(wire.sent).toEqual([])
    expect(records).toEqual([])
  })

  it('a sale with cardholderNotPresent sends it', async () => {
    const { clock, orchestrator, wire } = setup()
    const payment = await orchestrator.sale(sale(1250, { extra: { cardholderNotPresent: true } }))
    expect((await drive(clock, payment.outcome)).entryMethod).toBe('keyed')
    expect(wire.sent.find((m) => m.method === 'sale')?.params).toMatchObject({
      cardholderNotPresent: true,
    })
  })

  it('bad adapter options fail at construction, naming the option and not the key', () => {
    const options = {
      account: 'acme',
      environment: 'test' as const,
      apiKey: 'construct-secret-1d2c',
      softwareHouseId: 'SWH',
      installerId: 'INST',
      WebSocket: class {} as never,
    }
    expect(() => paymentsenseWebSocketAdapter({ ...options, cadenceMs: 100 })).toThrow(
      expect.objectContaining({ field: 'options.cadenceMs' }),
    )
    expect(() => paymentsenseWebSocketAdapter({ ...options, account: 'bad host!' })).toThrow(
      expect.objectContaining({ field: 'options.account' }),
    )
    expect(() => paymentsenseWebSocketAdapter({ ...options, apiKey: '' })).toThrow(
      expect.objectContaining({ field: 'options.apiKey' }),
    )
    expect(() =>
      paymentsenseWebSocketAdapter({ ...options, paymentTimeoutMs: -1, apiKey: options.apiKey }),
    ).toThrow(/options\.paymentTimeoutMs/)
    const error = refusal(
      () => paymentsenseWebSocketAdapter({ ...options, account: 'bad host!' }),
      'options.account',
      options.apiKey,
    )
    expect(JSON.stringify(error)).not.toContain(options.apiKey)
  })
})

describe('paymentsense WebSocket adapter: the token never leaks', () => {
  it('not in events, outcomes, reconciliation facts, journal records, logs or errors', async () => {
    const { clock, cloud, orchestrator, records, logs, wire } = setup()
    const shown: unknown[] = []
    const runOne = async (amount: number) => {
      const payment = await orchestrator.sale(sale(amount))
      const events: PaymentEvent[] = []
      const done = (async () => {
        for await (const event of payment) {
          events.push(event)
          if (event.type === 'signatureRequired') await (event as SignatureRequiredEvent).accept()
        }
      })()
      const outcome: Outcome = await drive(clock, payment.outcome)
      await done
      shown.push(events, outcome, payment.ids)
      return outcome
    }
    expect((await runOne(1203)).status).toBe('approved')
    cloud.faults.add({ kind: 'dropConnection', notification: 'PIN_ENTRY', times: 1 })
    expect((await runOne(2500)).status).toBe('unknown')
    shown.push(await drive(clock, orchestrator.terminals('shop')))
    // The key really travelled: in the URL, and only there.
    expect(wire.urls.every((url) => url.includes(`token=${KEY}`))).toBe(true)
    const everything = JSON.stringify([shown, records, logs])
    expect(everything).not.toContain(KEY)
    expect(everything).toMatch(/token=\[REDACTED\]/) // the drop was logged, URL and all
  })

  it('a refused key: the payment fails unsent, and the reason does not show the key', async () => {
    const wrong = 'wrong-key-88e1a7b2'
    const { clock, cloud, orchestrator, logs, records } = setup({ adapter: { apiKey: wrong } })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({ status: 'failed', reasonCode: 'not-sent' })
    expect(outcome.reason).toMatch(/token=\[REDACTED\]/)
    expect(JSON.stringify([outcome, logs, records])).not.toContain(wrong)
    expect(cloud.ledger).toHaveLength(0)
  })
})

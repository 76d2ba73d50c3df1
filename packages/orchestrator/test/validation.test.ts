import { describe, expect, it } from 'vitest'
import { createMemoryJournal, TillkitValidationError, type PaymentRequest } from '../src/index.js'
import { paymentsenseAdapter } from '../src/paymentsense.js'
import { ACCOUNT, drive, sale, setup, TID } from './harness.js'

const base = { ...sale(1250), kind: 'sale' } as PaymentRequest

const bad: Array<[string, Partial<Record<keyof PaymentRequest, unknown>>, string, RegExp]> = [
  ['an unknown account', { account: 'nope' }, 'account', /must be one of shop/],
  ['an unknown kind', { kind: 'payout' }, 'kind', /must be one of/],
  ['no terminal', { terminal: '' }, 'terminal', /at least 1/],
  ['a zero amount', { amount: 0 }, 'amount', /integer from 1/],
  ['a fractional amount', { amount: 12.5 }, 'amount', /integer/],
  ['a string amount', { amount: '1250' }, 'amount', /integer/],
  ['a negative amount', { amount: -5 }, 'amount', /integer/],
  ['no amount on a sale', { amount: undefined }, 'amount', /integer/],
  ['a lower-case currency', { currency: 'gbp' }, 'currency', /must match/],
  ['a currency Connect does not take', { currency: 'USD' }, 'currency', /GBP, EUR/],
  ["an amount over Connect's limit", { amount: 100_000_000 }, 'amount', /99999999/],
  ['an empty reference', { reference: '' }, 'reference', /must match/],
  ['a reference with a newline', { reference: 'a\nb' }, 'reference', /must match/],
  ['a reference with a lone surrogate', { reference: 'a\uD800b' }, 'reference', /must match/],
  ['a reference over 64 characters', { reference: 'x'.repeat(65) }, 'reference', /must match/],
  ['cashback on a refund', { kind: 'refund', cashback: 100 }, 'cashback', /only allowed for sale/],
  ['too much cashback', { cashback: 10_001 }, 'cashback', /10000/],
  [
    'a completion without its auth code',
    { kind: 'completion', preAuthAmount: 2000 },
    'authCode',
    /required/,
  ],
  ['an auth code on a sale', { authCode: 'A1' }, 'authCode', /only allowed for completion/],
  ['an original payment', { original: { requestId: 'x' } }, 'original', /not referenced/],
  ['an unknown extra', { extra: { tip: 1 } }, 'extra.tip', /not an option/],
  ['a mis-spelt field', { cashBack: 500 } as object, 'cashBack', /is not a payment field/],
  [
    'a non-boolean extra',
    { extra: { cardholderNotPresent: 'yes' } },
    'extra.cardholderNotPresent',
    /boolean/,
  ],
]

describe('bad input is refused with a typed error before anything is written or sent', () => {
  it.each(bad)('%s', async (_name, change, field, rule) => {
    const journal = createMemoryJournal()
    const { orchestrator, seen } = setup({ orchestrator: { journal } })
    const error = await orchestrator
      .pay({ ...base, ...change } as PaymentRequest)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe(field)
    expect((error as TillkitValidationError).message).toMatch(rule)
    expect((error as TillkitValidationError).mayHaveReachedProvider).toBe(false)
    expect(seen).toHaveLength(0)
    expect(await journal.unfinished()).toEqual([])
  })

  it('with configured terminals, an unknown TID and a currency the terminal does not take', async () => {
    const { orchestrator, seen } = setup({
      adapter: { terminals: [{ tid: TID, currency: 'GBP' }] },
    })
    await expect(orchestrator.sale({ ...sale(1250), terminal: 'OTHER' })).rejects.toMatchObject({
      field: 'terminal',
      rule: `must be a terminal of account ${ACCOUNT}`,
    })
    await expect(orchestrator.sale({ ...sale(1250), currency: 'EUR' })).rejects.toMatchObject({
      field: 'currency',
      rule: `must be one of GBP on terminal ${TID}`,
    })
    expect(seen).toHaveLength(0)
  })

  it('with configured terminals, the status of another TID is refused before any request', async () => {
    const { clock, orchestrator, seen } = setup({
      adapter: { terminals: [{ tid: TID, currency: 'GBP' }] },
    })
    await expect(drive(clock, orchestrator.terminalStatus(ACCOUNT, 'OTHER'))).rejects.toMatchObject(
      {
        field: 'terminal',
        rule: `must be a terminal of account ${ACCOUNT}`,
      },
    )
    expect(seen).toHaveLength(0)
  })

  it('adapter options are checked when it is made', () => {
    const options = {
      account: 'acme',
      environment: 'test' as const,
      apiKey: 'test-api-key',
      softwareHouseId: 'SWH',
      installerId: 'INST',
    }
    expect(() => paymentsenseAdapter({ ...options, cadenceMs: 400 })).toThrow(/cadenceMs/)
    expect(() => paymentsenseAdapter({ ...options, cadenceMs: 2_500 })).toThrow(/cadenceMs/)
    expect(() => paymentsenseAdapter({ ...options, apiKey: '' })).toThrow(/apiKey/)
    expect(() =>
      paymentsenseAdapter({ ...options, terminals: [{ tid: 'X', currency: 'USD' as 'GBP' }] }),
    ).toThrow(/terminals\[0\]\.currency/)
    expect(() =>
      paymentsenseAdapter({ ...options, apiKey: 'super-secret-key', account: 'bad host!' }),
    ).toThrow(TillkitValidationError)
  })
})

describe('terminals through the orchestrator', () => {
  it("lists every account's terminals with status and currency", async () => {
    const { clock, orchestrator, dispatched } = setup()
    const list = await drive(clock, orchestrator.terminals())
    expect(list.find((t) => t.terminal === TID)).toMatchObject({
      account: ACCOUNT,
      provider: 'paymentsense',
      status: 'available',
      currencies: ['GBP'],
    })
    expect(list.find((t) => t.terminal === '22160003')?.currencies).toEqual(['EUR'])
    expect(dispatched.map((d) => d.request)).toEqual(['terminals'])
  })

  it("a listed terminal's currency is checked afterwards", async () => {
    const { clock, orchestrator } = setup()
    await drive(clock, orchestrator.terminals(ACCOUNT))
    await expect(orchestrator.sale({ ...sale(1250), terminal: '22160003' })).rejects.toMatchObject({
      field: 'currency',
    })
  })

  it("a status read that finds the terminal offline keeps the listing's currencies", async () => {
    const { clock, cloud, orchestrator, seen } = setup()
    await drive(clock, orchestrator.terminals(ACCOUNT))
    cloud.terminals.setOnline(TID, false)
    expect((await drive(clock, orchestrator.terminalStatus(ACCOUNT, TID))).status).toBe('offline')
    cloud.terminals.setOnline(TID, true)
    const before = seen.length
    await expect(orchestrator.sale({ ...sale(1250), currency: 'EUR' })).rejects.toMatchObject({
      field: 'currency',
    })
    expect(seen).toHaveLength(before)
  })

  it('status: busy while a payment runs, offline when unreachable', async () => {
    const { clock, cloud, orchestrator } = setup()
    const payment = await orchestrator.sale(sale(1209))
    expect((await drive(clock, orchestrator.terminalStatus(ACCOUNT, TID))).status).toBe('busy')
    await drive(clock, payment.outcome)
    expect((await drive(clock, orchestrator.terminalStatus(ACCOUNT, TID))).status).toBe('available')
    cloud.terminals.setOnline(TID, false)
    expect(await drive(clock, orchestrator.terminalStatus(ACCOUNT, TID))).toMatchObject({
      terminal: TID,
      status: 'offline',
    })
    await expect(orchestrator.terminalStatus('nope', TID)).rejects.toThrow(TillkitValidationError)
  })

  it('a listing failure rejects with the provider error', async () => {
    const { clock, cloud, orchestrator } = setup()
    cloud.faults.add({ kind: 'status', status: 500, times: 1 })
    await expect(drive(clock, orchestrator.terminals())).rejects.toMatchObject({ status: 500 })
  })
})

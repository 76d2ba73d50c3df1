import { describe, expect, it } from 'vitest'
import { TillkitValidationError, type AmountInput, type PaymentRequest } from '../src/index.js'
import { payrocAdapter } from '../src/payroc.js'
import { DEVICE, payment, payrocSetup } from './payroc-harness.js'

const sale: AmountInput = payment(1250)

/** [what, request (kind added), the field the error names] */
const bad: Array<[string, Partial<PaymentRequest> & Record<string, unknown>, string]> = [
  ['a zero amount', { kind: 'sale', amount: 0 }, 'amount'],
  ['a fractional amount', { kind: 'sale', amount: 12.5 }, 'amount'],
  ['a negative amount', { kind: 'sale', amount: -100 }, 'amount'],
  ['no amount', { kind: 'sale', amount: undefined }, 'amount'],
  ['a lower-case currency', { kind: 'sale', currency: 'usd' }, 'currency'],
  ['an unknown account', { kind: 'sale', account: 'elsewhere' }, 'account'],
  ['a completion (no capture through a device)', { kind: 'completion' }, 'kind'],
  ['an account verification', { kind: 'accountVerification' }, 'kind'],
  ['cash back', { kind: 'sale', cashback: 500 }, 'cashback'],
  ['an auth code outside a completion', { kind: 'sale', authCode: 'A1' }, 'authCode'],
  ['an original on a sale', { kind: 'sale', original: { paymentId: 'P1' } }, 'original'],
  ['an original without paymentId', { kind: 'refund', original: { saleId: 'x' } }, 'original'],
  [
    'an original with an id Payroc never gives',
    { kind: 'refund', original: { paymentId: 'P1', saleId: 'x' } },
    'original.saleId',
  ],
  ['an unknown option', { kind: 'sale', extra: { tip: 100 } }, 'extra.tip'],
  [
    'an option named like an Object method',
    { kind: 'sale', extra: { toString: true } },
    'extra.toString',
  ],
  [
    'acceptPartialAmount that is not a boolean',
    { kind: 'sale', extra: { acceptPartialAmount: 'yes' } },
    'extra.acceptPartialAmount',
  ],
  [
    'acceptPartialAmount on a refund',
    { kind: 'refund', extra: { acceptPartialAmount: true } },
    'extra.acceptPartialAmount',
  ],
  [
    'processAsSale on a pre-auth',
    { kind: 'preAuth', extra: { processAsSale: true } },
    'extra.processAsSale',
  ],
  ['an unknown entry method', { kind: 'sale', extra: { entryMethod: 'tap' } }, 'extra.entryMethod'],
  [
    'an entry method on a referenced refund',
    { kind: 'refund', original: { paymentId: 'P1' }, extra: { entryMethod: 'deviceRead' } },
    'extra.entryMethod',
  ],
  ['an empty operator', { kind: 'sale', extra: { operator: '' } }, 'extra.operator'],
  ['a reference with a control character', { kind: 'sale', reference: 'a\nb' }, 'reference'],
]

describe('bad input is refused before any request to Payroc (not even a token)', () => {
  it.each(bad)('%s', async (_what, change, field) => {
    const { cloud, orchestrator } = payrocSetup()
    const error = await orchestrator.pay({ ...sale, ...change } as PaymentRequest).catch((e) => e)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toBe(field)
    expect(cloud.requests).toHaveLength(0)
    expect(orchestrator.running).toBe(0)
  })

  it('configured devices and currencies: other devices, and currencies they do not take, are refused', async () => {
    const { cloud, orchestrator } = payrocSetup({
      adapter: {
        devices: [{ serialNumber: DEVICE, currencies: ['CAD'] }, { serialNumber: 'PAXA920-0002' }],
        currencies: ['USD'],
      },
    })
    const attempts: Array<[Partial<PaymentRequest>, string]> = [
      [{ terminal: 'PAXA920-0003' }, 'terminal'],
      [{ currency: 'USD' }, 'currency'],
      [{ terminal: 'PAXA920-0002', currency: 'EUR' }, 'currency'],
    ]
    for (const [change, field] of attempts) {
      const error = await orchestrator.sale({ ...sale, ...change }).catch((e) => e)
      expect(error).toBeInstanceOf(TillkitValidationError)
      expect((error as TillkitValidationError).field).toBe(field)
    }
    expect(cloud.requests).toHaveLength(0)
  })

  it('account currencies apply to devices not configured in advance', async () => {
    const { cloud, orchestrator } = payrocSetup({ adapter: { currencies: ['CAD'] } })
    const error = await orchestrator.sale(sale).catch((e) => e)
    expect((error as TillkitValidationError).field).toBe('currency')
    expect(cloud.requests).toHaveLength(0)
  })

  it('a device with no processing terminal (none for the account either) is refused', async () => {
    const { cloud, orchestrator } = payrocSetup({
      adapter: {
        processingTerminalId: undefined,
        devices: [{ serialNumber: DEVICE, processingTerminalId: '1234001' }],
      },
    })
    await expect(orchestrator.sale({ ...sale, terminal: 'PAXA920-0002' })).rejects.toMatchObject({
      field: 'terminal',
    })
    expect(cloud.requests).toHaveLength(0)
  })
})

describe('payrocAdapter options', () => {
  const base = { apiKey: 'k', environment: 'test' as const, processingTerminalId: '1' }
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a cadence over 10 s', { cadenceMs: 20_000 }, 'options.cadenceMs'],
    ['a negative spacing', { spacingMs: -1 }, 'options.spacingMs'],
    ['a retention under a minute', { retentionMs: 1_000 }, 'options.retentionMs'],
    [
      'no processing terminal at all',
      { processingTerminalId: undefined },
      'options.processingTerminalId',
    ],
    ['an empty processing terminal', { processingTerminalId: '' }, 'options.processingTerminalId'],
    ['a device without serial', { devices: [{}] }, 'options.devices[0].serialNumber'],
    [
      'a device without a terminal when the account has none',
      { processingTerminalId: undefined, devices: [{ serialNumber: 'D1' }] },
      'options.devices[0].processingTerminalId',
    ],
    ['an empty currency list', { currencies: [] }, 'options.currencies'],
    ['a currency that is not ISO 4217', { currencies: ['usd'] }, 'options.currencies[0]'],
    [
      "a device's bad currency",
      { devices: [{ serialNumber: 'D1', currencies: ['dollars'] }] },
      'options.devices[0].currencies[0]',
    ],
    ['no API key', { apiKey: '' }, 'options.apiKey'],
  ]
  it.each(cases)('%s is refused at construction', (_what, change, field) => {
    expect(() => payrocAdapter({ ...base, ...change } as never)).toThrow(
      expect.objectContaining({ field }),
    )
  })

  it('declares what the core must know: long-poll back to back, cancel, device-side signatures, lost starts found again', () => {
    const adapter = payrocAdapter({ ...base, cadenceMs: 0 })
    expect(adapter.provider).toBe('payroc')
    expect(adapter.capabilities).toEqual({
      kinds: ['sale', 'refund', 'preAuth'],
      cancel: true,
      signature: 'terminal',
      findsLostStarts: true,
    })
    expect(adapter.pacing).toMatchObject({ mode: 'back-to-back', cadenceMs: 0, spacingMs: 0 })
    expect(adapter.answerSignature).toBeUndefined()
    expect(adapter.secretIds ?? []).toEqual([])
    // A key is prepared per payment, before anything is journaled or sent.
    const a = adapter.prepare!({ ...sale, kind: 'sale' })
    const b = adapter.prepare!({ ...sale, kind: 'sale' })
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey)
  })
})

import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '@tillkit/core'
import { createAdyenClient, createNexo } from '../src/index.js'
import { harness, KEY, MERCHANT, POI } from './helpers.js'
import { hostileAmounts, refused } from '../../core/test/hostile.js'

const sale = { poiId: POI, amount: 1999, currency: 'EUR', transactionId: 'sale-1' }

describe('hostile options', () => {
  it('createAdyenClient refuses a 1 MB apiKey with a typed error, not a RangeError from the redactor', async () => {
    await refused(
      () =>
        createAdyenClient({
          apiKey: 'k'.repeat(1 << 20),
          environment: 'test',
          transport: 'legacy',
        }),
      'options.apiKey',
    )
  })

  it.each([
    ['a string', 'nope'],
    ['null', null],
    ['an empty object', {}],
  ])(
    'createAdyenClient refuses a clock that is %s, naming options.clock, before any request',
    async (_, clock) => {
      let sent = 0
      await refused(async () => {
        const adyen = createAdyenClient({
          apiKey: KEY,
          environment: 'test',
          transport: 'device-api',
          merchantAccount: MERCHANT,
          clock: clock as never,
          fetch: async () => (sent++, Response.json({ uniqueDeviceIds: [] })),
        })
        await adyen.connectedDevices()
      }, 'options.clock')
      expect(sent).toBe(0)
    },
  )

  it('createNexo refuses a random that is not a function, naming options.random', async () => {
    await refused(
      () => createNexo({ saleId: 'till-1', random: 0.5 as never }).payment(sale),
      'options.random',
    )
  })
})

describe('hostile calls', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'payment'],
    ['an empty object', {}],
  ])('sendAsync(%s) rejects with a typed error, not a TypeError', async (_, message) => {
    const { adyen, cloud } = harness()
    let error: unknown
    await adyen.sendAsync(message as never).catch((e) => (error = e))
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(cloud.ledger ?? []).toHaveLength(0)
  })

  it('payment(message, null) rejects with a typed error naming options, not a TypeError', async () => {
    const { adyen, nexo } = harness()
    await refused(() => adyen.payment(nexo.payment(sale), null as never), 'options')
  })

  it('a POIID with a lone surrogate is refused by the builder (not a URIError at payment)', async () => {
    const { adyen, nexo } = harness()
    await refused(
      async () => adyen.payment(nexo.payment({ ...sale, poiId: 'P400\ud800' })),
      'poiId',
    )
  })

  it('deviceStatus refuses a lone surrogate with a typed error naming deviceId', async () => {
    const { adyen } = harness()
    await refused(() => adyen.deviceStatus('V400\udc00'), 'deviceId')
  })

  it.each(['..', '.'])(
    'deviceStatus refuses the dot segment %j instead of requesting another path',
    async (id) => {
      const { adyen } = harness()
      await refused(() => adyen.deviceStatus(id), 'deviceId')
    },
  )

  it('connectedDevices refuses a store with a lone surrogate with a typed error', async () => {
    const { adyen } = harness()
    await refused(() => adyen.connectedDevices({ store: 'S\ud800' }), 'store')
  })
})

describe('nexo builder refuses hostile amounts', () => {
  it.each(hostileAmounts(1999))('amount as %s', async (_, amount) => {
    await refused(
      () => createNexo({ saleId: 'till-1' }).payment({ ...sale, amount } as never),
      'amount',
    )
  })
})

import { describe, expect, it } from 'vitest'
import { createSmartConnectClient } from '../src/index.js'
import { harness, REGISTER } from './helpers.js'
import { refused } from '../../core/test/hostile.js'

describe('hostile input to the SmartConnect client', () => {
  it.each([
    ['a string', 'nope'],
    ['null', null],
    ['an empty object', {}],
  ])(
    'createSmartConnectClient refuses a clock that is %s, naming options.clock',
    async (_, clock) => {
      await refused(
        () =>
          createSmartConnectClient({
            environment: 'dev',
            register: REGISTER,
            clock: clock as never,
          }),
        'options.clock',
      )
    },
  )

  it('pair refuses a pairing code with a lone surrogate with a typed error (not a URIError)', async () => {
    const { client } = harness()
    await refused(() => client.pair('12\ud80034'), 'pairingCode')
  })

  it.each(['..', '.'])(
    'pair refuses the dot segment %j instead of PUTting to another path',
    async (code) => {
      const { client } = harness()
      await refused(() => client.pair(code), 'pairingCode')
    },
  )

  it('startTransaction(…, options = null) rejects with a typed error and starts nothing', async () => {
    const { client, cloud, pair } = harness()
    await pair()
    const before = cloud.ledger.length
    await refused(
      () => client.startTransaction('Card.Purchase', { AmountTotal: 100 }, null as never),
      'options',
    )
    expect(cloud.ledger.length).toBe(before)
  })

  it('transact(…, options = null) rejects with a typed error and starts nothing', async () => {
    const { client, cloud, pair } = harness()
    await pair()
    const before = cloud.ledger.length
    await refused(
      () => client.transact('Card.Purchase', { AmountTotal: 100 }, null as never),
      'options',
    )
    expect(cloud.ledger.length).toBe(before)
  })
})

describe('hostile pairing store details are refused', () => {
  it.each([
    ['a number', 5],
    ['a BigInt', 5n],
    ['a Symbol', Symbol('s')],
    ['null', null],
    ['an array', ['a']],
    ['a Date', new Date(0)],
    ['a function', () => 'x'],
  ])('store.city as %s', async (_, city) => {
    const { client, cloud } = harness()
    const before = cloud.ledger.length
    await refused(() => client.pair('123456', { city } as never), 'store.city')
    expect(cloud.ledger.length).toBe(before)
  })
})

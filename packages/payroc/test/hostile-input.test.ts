import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '@tillkit/core'
import {
  cancelInstruction,
  createPayrocClient,
  findPayments,
  submitInstruction,
  waitForInstruction,
} from '../src/index.js'
import { sale, SERIAL, setup, TERMINAL } from './helpers.js'
import { refused } from '../../core/test/hostile.js'

describe('hostile options of createPayrocClient', () => {
  it('refuses a 1 MB apiKey with a typed error, not a RangeError from the redactor', async () => {
    await refused(
      () => createPayrocClient({ apiKey: 'k'.repeat(1 << 20), environment: 'test' }),
      'options.apiKey',
    )
  })

  it.each([
    ['a string', 'nope'],
    ['null', null],
    ['an empty object', {}],
  ])('refuses a clock that is %s, naming options.clock', async (_, clock) => {
    await refused(
      () => createPayrocClient({ apiKey: 'k', environment: 'test', clock: clock as never }),
      'options.clock',
    )
  })
})

describe('hostile calls', () => {
  it('submitInstruction(…, options = null) rejects with a typed error and sends nothing', async () => {
    const { client, cloud } = setup()
    await refused(
      () => submitInstruction(client, 'payment', SERIAL, sale(100), null as never),
      'options',
    )
    expect(cloud.requests).toHaveLength(0)
  })

  it('waitForInstruction(…, options = null) rejects with a typed error', async () => {
    const { client } = setup()
    await refused(() => waitForInstruction(client, 'payment', 'id-1', null as never), 'options')
  })

  it.each([
    ['waitForInstruction', (c: never) => waitForInstruction(c, 'payment', 'id\ud800')],
    ['cancelInstruction', (c: never) => cancelInstruction(c, 'payment', 'id\ud800')],
  ])(
    '%s refuses an id with a lone surrogate with a typed error (not a URIError)',
    async (_, call) => {
      const { client, cloud } = setup()
      let error: unknown
      await (call(client as never) as Promise<unknown>).catch((e) => (error = e))
      expect(error).toBeInstanceOf(TillkitValidationError)
      expect(cloud.requests).toHaveLength(0)
    },
  )

  it('findPayments refuses an orderId with a lone surrogate with a typed error naming it', async () => {
    const { client } = setup()
    await refused(async () => {
      for await (const _ of findPayments(client, {
        orderId: 'o\ud800',
        processingTerminalId: TERMINAL,
      }))
        break
    }, 'orderId')
  })

  it.each(['..', '.'])(
    'submitInstruction refuses the serial number %j instead of POSTing a payment to another path',
    async (serial) => {
      const { client, cloud } = setup()
      await refused(() => submitInstruction(client, 'payment', serial, sale(100)), 'serialNumber')
      expect(cloud.requests).toHaveLength(0)
    },
  )
})

describe('hostile amounts are refused before any request', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['1.5', 1.5],
    ['2**53', 2 ** 53],
    ['a numeric string', '100'],
    ['a BigInt', 100n],
    ['null', null],
    ['an array', [100]],
    ['a Date', new Date(100)],
    ['a function', () => 100],
  ])('order.amount as %s', async (_, amount) => {
    const { client, cloud } = setup()
    let error: unknown
    await submitInstruction(client, 'payment', SERIAL, sale(amount as never)).catch(
      (e) => (error = e),
    )
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).field).toMatch(/amount/)
    expect(cloud.requests).toHaveLength(0)
  })
})

import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { readExample, typecheckExamples } from '../../core/test/readme-examples.js'
import { createFakeCloud } from '../src/mock/index.js'
import { connectPaymentsense } from '../src/ws/index.js'

const ROOT_README = new URL('../../../README.md', import.meta.url)
const PACKAGE_DIR = new URL('..', import.meta.url).pathname.replace(/\/$/, '')

describe('README claims, checked against the code', () => {
  // The root README's two sales use this package; compiled here, as a user of it would (not run: they call the
  // real Connect).
  it('root README: the REST and WebSocket sales type-check against the public API', async () => {
    const examples = ['sale', 'sale-ws'].map((name) => ({
      ...readExample(ROOT_README, name),
      packageDir: PACKAGE_DIR,
    }))
    expect(await typecheckExamples(...examples)).toEqual([])
  })

  // README, WebSocket requests: "Unlike REST, `accountVerification` requires `amount` (0 to 99 999 999): pass
  // `amount: 0`, as no money moves." The client does not fill it in.
  it('WebSocket accountVerification: amount is required, 0 is taken and nothing is charged', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    const connection = await connectPaymentsense({
      account: 'acme',
      environment: 'test',
      apiKey: 'test-api-key',
      softwareHouseId: 'SWH',
      installerId: 'INST',
      integration: 'pac',
      WebSocket: cloud.WebSocket,
      clock,
    })
    try {
      const missing = await connection
        .request('accountVerification', { tid: '22160001', currency: 'GBP' } as never)
        .catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(TillkitValidationError)
      expect(missing).toMatchObject({ field: 'params.amount', mayHaveReachedProvider: false })
      const verified = await connection.request('accountVerification', {
        tid: '22160001',
        currency: 'GBP',
        amount: 0,
      })
      expect(verified).toMatchObject({ transactionResult: 'SUCCESSFUL', amountTotal: 0 })
      expect(cloud.ledger).toEqual([])
    } finally {
      await connection.close()
    }
  })
})

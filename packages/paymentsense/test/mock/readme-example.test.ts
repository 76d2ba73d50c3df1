import { createManualClock } from '@tillkit/core'
import { expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'

it('the README example works as written', async () => {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock })
  const headers = {
    authorization: `Basic ${btoa('till-1:test-api-key')}`,
    accept: 'application/connect.v2+json',
    'content-type': 'application/connect.v2+json',
    'software-house-id': 'SWH',
    'installer-id': 'INST',
  }
  const base = 'https://acme.test.connect.paymentsense.cloud/pac/terminals/22160001'
  const started = await cloud.fetch(
    new Request(`${base}/transactions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ transactionType: 'SALE', amount: 1250, currency: 'GBP' }),
    }),
  )
  expect(started.status).toBe(201)
  const { requestId } = await started.json()
  await clock.advance(5_000)
  const poll = await cloud.fetch(new Request(`${base}/transactions/${requestId}`, { headers }))
  expect((await poll.json()).transactionResult).toBe('SUCCESSFUL')
  expect(cloud.ledger).toEqual([
    expect.objectContaining({ seq: 1, kind: 'sale', amount: 1250, result: 'SUCCESSFUL' }),
  ])
})

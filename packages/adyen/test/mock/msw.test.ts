import { createManualClock } from '@tillkit/core'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAdyenClient, TillkitUnknownOutcomeError } from '../../src/index.js'
import { createFakeCloud } from '../../src/mock/index.js'
import { KEY, MERCHANT, POI } from '../helpers.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

function behindMsw(
  transport: 'device-api' | 'legacy',
  environment: 'test' | 'live',
  baseUrl?: string,
) {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock })
  server.use(...cloud.handlers(baseUrl))
  // No `fetch` option: the client uses the global fetch, which MSW intercepts.
  const adyen = createAdyenClient({
    apiKey: KEY,
    environment,
    region: 'AU',
    transport,
    merchantAccount: MERCHANT,
    clock,
    ...(baseUrl !== undefined && {
      baseUrl: transport === 'device-api' ? `${baseUrl}/v1` : baseUrl,
    }),
  })
  return { cloud, adyen, nexo: adyen.nexo({ saleId: 'msw' }) }
}

describe('through MSW and the real fetch', () => {
  it.each([
    ['device-api', 'test'],
    ['device-api', 'live'],
    ['legacy', 'test'],
    ['legacy', 'live'],
  ] as const)('%s, %s: a sale at the default hosts', async (transport, environment) => {
    const { adyen, nexo, cloud } = behindMsw(transport, environment)
    const outcome = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 1000, currency: 'AUD', transactionId: 'msw' }),
    )
    expect(outcome).toMatchObject({ status: 'approved', amount: 1000 })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('at a chosen base URL; a lost answer reaches the client as a network error', async () => {
    const { adyen, nexo, cloud } = behindMsw('device-api', 'test', 'https://adyen.proxy.example')
    expect(await adyen.connectedDevices()).toContain(POI)
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    const error = await adyen
      .payment(nexo.payment({ poiId: POI, amount: 1000, currency: 'EUR', transactionId: 'x' }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(cloud.ledger).toHaveLength(1)
  })
})

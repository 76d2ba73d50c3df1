import { createManualClock } from '@tillkit/core'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  approvalOf,
  createPayrocClient,
  retrieveResult,
  submitInstruction,
  TillkitNetworkError,
  waitForInstruction,
} from '../../src/index.js'
import { createFakeCloud, DEFAULT_BASE_URL } from '../../src/mock/index.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const sale = {
  processingTerminalId: '1234001',
  order: { orderId: 'msw-1', amount: 2500, currency: 'USD' },
}

describe('through MSW and the real fetch', () => {
  it.each(['test', 'live'] as const)(
    'the %s hosts: a client without a fetch option runs a whole sale',
    async (environment) => {
      const clock = createManualClock({ autoAdvance: true })
      const cloud = createFakeCloud({ clock })
      server.use(...cloud.handlers())
      const client = createPayrocClient({ apiKey: 'test-api-key', environment, clock })
      const { id } = await submitInstruction(client, 'payment', 'PAXA920-0001', sale)
      const done = await waitForInstruction(client, 'payment', id)
      const payment = await retrieveResult(client, 'payment', done)
      expect(approvalOf(payment).approved).toBe(true)
      const host = environment === 'test' ? 'api.uat.payroc.com' : 'api.payroc.com'
      expect(done.link?.href).toMatch(`https://${host}/v1/payments/`)
      expect(cloud.ledger).toHaveLength(1)
      expect(DEFAULT_BASE_URL).toBe('https://*.payroc.com')
    },
  )

  it('other base URLs, several at once (identity and API on different hosts)', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    server.use(...cloud.handlers('http://api.local:4010', 'http://identity.local:4011'))
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      baseUrl: 'http://api.local:4010/v1',
      identityUrl: 'http://identity.local:4011',
      clock,
    })
    const { data } = await client.api.GET('/devices')
    expect(data?.count).toBe(10)
    expect(cloud.requests.map((r) => r.path)).toEqual(['/authorize', '/v1/devices'])
  })

  it('a lost response reaches the client as a network error', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    server.use(...cloud.handlers())
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      clock,
      retry: false,
    })
    await client.api.GET('/devices')
    cloud.faults.add({ kind: 'lostResponse', match: { path: '/v1/devices' } })
    await expect(client.api.GET('/devices')).rejects.toBeInstanceOf(TillkitNetworkError)
  })
})

/**
 * A POS with a browser front end calls SmartConnect's fake straight from the page: the fake must let it,
 * whichever way it is served (cloud.fetch, MSW, a port).
 */
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE, direct, IDENTITY } from '../../smartconnect/test/mock/helpers.js'
import { serve } from '../src/index.js'

const ORIGIN = 'https://till.example'
const PREFLIGHT = {
  origin: ORIGIN,
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'content-type',
}

const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }))
afterAll(() => msw.close())

type Send = (url: string, init?: RequestInit) => Promise<Response>

/** The same fake three ways; `base` is where its `/POS` hangs from for that way. */
async function ways(
  run: (send: Send, base: string, f: ReturnType<typeof direct>) => Promise<void>,
) {
  {
    const f = direct()
    await run((url, init) => f.cloud.fetch(url, init), BASE.replace(/\/POS$/, ''), f)
  }
  {
    const f = direct()
    msw.resetHandlers(...f.cloud.handlers())
    await run((url, init) => fetch(url, init), BASE.replace(/\/POS$/, ''), f)
  }
  {
    const f = direct()
    const server = await serve(f.cloud.fetch)
    try {
      await run((url, init) => fetch(url, init), server.url, f)
    } finally {
      await server.close()
    }
  }
}

describe('SmartConnect fake: browser front ends (CORS)', () => {
  // FACTS §1 "CORS": the endpoints take cross-origin calls from a browser.
  it('answers a preflight on each route with 204 and the route’s method, on every way of serving', async () => {
    await ways(async (send, base, f) => {
      const code = f.cloud.terminals.get('VT000001').pairingCode
      for (const [path, method] of [
        [`/POS/Pairing/${code}`, 'PUT'],
        ['/POS/Transaction', 'POST'],
        ['/pos/transaction/00000000-0000-0000-0000-000000000000', 'GET'],
      ] as const) {
        const response = await send(`${base}${path}`, {
          method: 'OPTIONS',
          headers: { ...PREFLIGHT, 'access-control-request-method': method },
        })
        expect(response.status, path).toBe(204)
        expect(response.headers.get('access-control-allow-origin')).toBe('*')
        expect(response.headers.get('access-control-allow-methods')).toContain(method)
        expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
          'content-type',
        )
      }
      // Nothing is paired or started by a preflight.
      expect(f.cloud.registers.list()).toEqual([])
      // Only the fake's own paths: others stay 404.
      expect((await send(`${base}/POS/Nothing`, { method: 'OPTIONS' })).status).toBe(404)
    })
  })

  // FACTS §1 "CORS" with §5 (a client honours Retry-After): a page can read every answer, the
  // 429's Retry-After included.
  it('lets any origin read its answers, refusals and Retry-After included', async () => {
    await ways(async (send, base, f) => {
      const code = f.cloud.terminals.get('VT000001').pairingCode
      const paired = await send(`${base}/POS/Pairing/${code}`, {
        method: 'PUT',
        headers: { origin: ORIGIN },
        body: new URLSearchParams({ ...IDENTITY, POSRegisterName: 'Web till' }),
      })
      expect(paired.status).toBe(200)
      expect(paired.headers.get('access-control-allow-origin')).toBe('*')
      const start = (amount: string) =>
        send(`${base}/POS/Transaction`, {
          method: 'POST',
          headers: { origin: ORIGIN },
          body: new URLSearchParams({
            ...IDENTITY,
            TransactionMode: 'ASYNC',
            TransactionType: 'Card.Purchase',
            AmountTotal: amount,
          }),
        })
      const started = await start('1000')
      expect(started.headers.get('access-control-allow-origin')).toBe('*')
      const refused = await start('1000') // busy
      expect(refused.status).toBe(400)
      expect(refused.headers.get('access-control-allow-origin')).toBe('*')
      const url = ((await started.json()) as { data: { PollingUrl: string } }).data.PollingUrl
      expect((await send(url)).status).toBe(200)
      const tooSoon = await send(url)
      expect(tooSoon.status).toBe(429)
      expect(tooSoon.headers.get('access-control-allow-origin')).toBe('*')
      expect(tooSoon.headers.get('access-control-expose-headers')?.toLowerCase()).toContain(
        'retry-after',
      )
    })
  })
})

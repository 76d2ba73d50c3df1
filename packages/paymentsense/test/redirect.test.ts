import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentsenseClient } from '../src/index.js'

/** A loopback server that answers every payment POST with a 307 to another path, counting requests. */
let server: Server
let base: string
const seen: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with credentials' : ''}`)
    req.resume()
    if (req.url?.endsWith('/transactions'))
      return void res.writeHead(307, { location: '/elsewhere/transactions' }).end()
    res.writeHead(201, { 'content-type': 'application/connect.v2+json' })
    res.end(JSON.stringify({ requestId: 'r1', location: '/x' }))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((done) => server.close(() => done())))

describe('a redirect answer', () => {
  it('is not followed: the payment is not sent again, elsewhere, with the credentials', async () => {
    const connect = createPaymentsenseClient({
      account: 'acme',
      environment: 'test',
      baseUrl: base,
      apiKey: 'redirect-test-key',
      softwareHouseId: 'SWH',
      installerId: 'INST',
    })
    const error = await connect.pac
      .POST('/pac/terminals/{tid}/transactions', {
        params: { path: { tid: '22160001' } },
        body: { transactionType: 'SALE', amount: 1250, currency: 'GBP' },
      })
      .then((result) => connect.transport.ok(result))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'TillkitHttpError', status: 307 })
    expect(seen).toEqual(['POST /pac/terminals/22160001/transactions with credentials'])
  })
})

import { createManualClock } from '@tillkit/core'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { API_KEY, pac, sale } from './helpers.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const TID = '22160001'
const START = `/pac/terminals/${TID}/transactions`

function cloudBehindMsw(baseUrl?: string) {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock })
  server.use(...cloud.handlers(baseUrl))
  return { cloud, clock }
}

describe('through MSW and the real fetch', () => {
  it('runs a sale end to end, with request spacing enforced', async () => {
    const { clock, cloud } = cloudBehindMsw()
    const started = await fetch(pac('POST', START, { body: sale(1000) }))
    expect(started.status).toBe(201)
    const { requestId, location } = await started.json()

    const tooSoon = await fetch(pac('GET', `${START}/${requestId}`))
    expect(tooSoon.status).toBe(429)

    let body: any
    for (let i = 0; i < 20; i++) {
      await clock.advance(400)
      body = await (await fetch(pac('GET', new URL(location).pathname))).json()
      if (body.notifications.includes('TRANSACTION_FINISHED')) break
    }
    expect(body.transactionResult).toBe('SUCCESSFUL')
    expect(cloud.ledger).toHaveLength(1)
  })

  it('serves the live host and any account by default', async () => {
    cloudBehindMsw()
    for (const origin of [
      'https://acme.connect.paymentsense.cloud',
      'https://bistro.test.connect.paymentsense.cloud',
    ]) {
      const response = await fetch(pac('GET', '/pac/terminals', { origin }))
      expect(response.status).toBe(200)
      expect((await response.json()).terminals[0].location).toBe(`${origin}/pac/terminals/${TID}`)
    }
  })

  it('keeps provider errors intact', async () => {
    cloudBehindMsw()
    const response = await fetch(
      pac('GET', '/pac/terminals', { headers: { authorization: 'Basic eDp5' } }),
    )
    expect(response.status).toBe(401)
    const body = await response.json()
    expect(body.userMessage).toBeTruthy()
    expect(JSON.stringify(body)).not.toContain(API_KEY)
  })

  it('turns a reset into a network error, after the cloud processed the request', async () => {
    const { cloud, clock } = cloudBehindMsw()
    cloud.faults.add({ kind: 'lostResponse', mode: 'reset', times: 1 })
    await expect(fetch(pac('POST', START, { body: sale(1000) }))).rejects.toThrow(TypeError)
    await clock.advance(10_000)
    expect(cloud.ledger).toHaveLength(1)
    expect(cloud.terminals.get(TID).status).toBe('AVAILABLE')
  })

  it('a hanging response waits for the client to abort', async () => {
    const { cloud } = cloudBehindMsw()
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    const controller = new AbortController()
    const answer = fetch(pac('POST', START, { body: sale(1000), signal: controller.signal }))
    let settled = false
    answer.then(
      () => (settled = true),
      () => (settled = true),
    )
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(cloud.terminals.get(TID).status).toBe('BUSY') // the transaction did start
    expect(settled).toBe(false)
    controller.abort()
    await expect(answer).rejects.toThrow(/abort/i)
    expect(cloud.terminals.get(TID).status).toBe('BUSY')
  })

  it('mounts on a custom base URL only', async () => {
    cloudBehindMsw('http://127.0.0.1:4010/')
    const local = await fetch(pac('GET', '/pac/terminals', { origin: 'http://127.0.0.1:4010' }))
    expect(local.status).toBe(200)
    await expect(fetch(pac('GET', '/pac/terminals'))).rejects.toThrow()
  })
})

describe('without msw installed', () => {
  afterEach(() => {
    vi.doUnmock('msw')
    vi.resetModules()
  })

  it('still serves cloud.fetch; only handlers() explains what is missing', async () => {
    vi.resetModules()
    vi.doMock('msw', () => {
      throw new Error("Cannot find package 'msw'")
    })
    const { createFakeCloud: create } = await import('../../src/mock/index.js')
    const cloud = create({ clock: createManualClock(), requestSpacingMs: 0 })
    expect((await cloud.fetch(pac('GET', '/pac/terminals'))).status).toBe(200)
    expect(() => cloud.handlers()).toThrow(/optional peer dependency "msw"/)
  })
})

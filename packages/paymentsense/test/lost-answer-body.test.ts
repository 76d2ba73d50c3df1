import { describe, expect, it } from 'vitest'
import { createManualClock, isTillkitError, type ManualClock } from '@tillkit/core'
import { createPaymentsenseClient } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'

const API_KEY = 'ps_test_body_key_1234'
const tid = '22160001'

/** Like undici: the 201's headers arrive, then the body is cut (a reset) or stalls; an abort errors the body. */
function cutBody(mode: 'reset' | 'stall') {
  return async (request: Request): Promise<Response> => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"requestId":"'))
        request.signal.addEventListener('abort', () => controller.error(request.signal.reason))
        if (mode === 'reset')
          queueMicrotask(() =>
            controller.error(
              new TypeError('terminated', {
                cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
              }),
            ),
          )
      },
    })
    return new Response(body, { status: 201, headers: { 'content-type': 'application/json' } })
  }
}

const sale = {
  params: { path: { tid } },
  body: { transactionType: 'SALE' as const, amount: 2500, currency: 'GBP' as const },
}

/** A sale through a client sending with `fetch`, on the test's clock. */
function postSale(fetch: (request: Request) => Promise<Response>, clock: ManualClock) {
  const connect = createPaymentsenseClient({
    account: 'acme',
    environment: 'test',
    apiKey: API_KEY,
    softwareHouseId: 'SWH',
    installerId: 'INST',
    fetch,
    clock,
    timeoutMs: 5_000,
  })
  return connect.pac.POST('/pac/terminals/{tid}/transactions', sale)
}

describe('a payment POST whose 201 body is lost', () => {
  it('a reset while reading the body is a typed unknown outcome, not a raw error', async () => {
    const error = await postSale(cutBody('reset'), createManualClock({ autoAdvance: true })).catch(
      (e: unknown) => e,
    )
    // The sale was accepted (201) and may be running: the caller must be told the outcome is unknown.
    expect(isTillkitError(error)).toBe(true)
    expect(error).toMatchObject({ outcomeUnknown: true })
  })

  it('a body that stalls after the 201 headers times out at timeoutMs', async () => {
    const clock = createManualClock()
    let settled: unknown = 'pending'
    postSale(cutBody('stall'), clock).then(
      (r) => (settled = r),
      (e: unknown) => (settled = e),
    )
    for (let i = 0; i < 20; i++) {
      await clock.advance(1_000)
      await new Promise<void>((r) => setImmediate(r))
    }
    expect(settled).not.toBe('pending')
    expect(settled).toMatchObject({ outcomeUnknown: true })
  })
})

describe('a payment POST whose 201 body is not JSON', () => {
  it('is a typed error whose outcome is open, quoting nothing of the body', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock, apiKeys: [API_KEY] })
    // A proxy that cuts the cloud's answer short: the sale was taken all the same.
    const fetch = async (request: Request) => {
      const answer = await cloud.fetch(request)
      const text = await answer.text()
      return new Response(text.slice(0, 10), { status: answer.status, headers: answer.headers })
    }
    const error = await postSale(fetch, clock).catch((e: unknown) => e)
    await clock.advance(60_000)
    expect(cloud.ledger.filter((e) => e.kind === 'sale')).toHaveLength(1)
    expect(error).toMatchObject({
      name: 'TillkitProtocolError',
      fault: 'malformed',
      outcomeUnknown: true,
      message: 'POST /pac/terminals/{tid}/transactions: the answer is not JSON',
    })
    expect((error as Error).cause).toBeUndefined()
  })
})

import {
  TillkitHttpError,
  TillkitNetworkError,
  TillkitUnknownOutcomeError,
  createManualClock,
} from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createAdyenClient, type PendingRequest } from '../src/index.js'
import { busy, drive, harness, POI } from './helpers.js'

/** The unknown outcome a call rejected with. */
async function unknown(
  call: Promise<unknown>,
): Promise<TillkitUnknownOutcomeError<PendingRequest>> {
  const error = await call.then(
    () => expect.unreachable('it resolved'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
  return error as TillkitUnknownOutcomeError<PendingRequest>
}

const sale = { poiId: POI, amount: 2500, currency: 'EUR', transactionId: 'order-77' }

describe('the unknown-outcome recipe: a lost /sync answer, then TransactionStatus', () => {
  it('lost after the terminal finished: TransactionStatus finds it processed, with the original response', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'lostResponse', times: 1, match: { path: /\/sync$/ } })
    const message = nexo.payment(sale)
    const error = await unknown(adyen.payment(message))
    expect(error.reason).toBe('connection lost')
    expect(error.operation).toBe('payment')
    expect(error.known).toEqual({
      saleId: 'till-1',
      serviceId: message.SaleToPOIRequest.MessageHeader.ServiceID,
      poiId: POI,
      category: 'Payment',
      transactionId: 'order-77',
      amount: 2500,
      currency: 'EUR',
    })
    // The cause travels redacted: a copy of the network error.
    expect((error.cause as Error).name).toBe('TillkitNetworkError')
    // The payment did happen.
    expect(cloud.ledger).toHaveLength(1)

    const status = await adyen.waitForTransactionStatus(nexo, error.known)
    expect(status).toMatchObject({
      status: 'processed',
      payment: { status: 'approved', amount: 2500, currency: 'EUR' },
      reversal: undefined,
    })
    if (status.status !== 'processed') throw new Error('unreachable')
    expect(status.payment?.status === 'approved' && status.payment.poiTransaction).toEqual(
      cloud.ledger[0] && {
        TransactionID: cloud.ledger[0].poiTransactionId,
        TimeStamp: expect.any(String),
      },
    )
    // Nothing was paid twice.
    expect(cloud.ledger).toHaveLength(1)
  })

  it('cut while the terminal works: in progress, asked again until processed', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    cloud.faults.add({ kind: 'dropConnection', afterMs: 1_000, times: 1 })
    const payment = unknown(adyen.payment(nexo.payment(sale)))
    await busy(cloud, POI)
    await clock.advance(1_000)
    const error = await payment
    expect(error.reason).toBe('connection lost')
    expect(cloud.ledger).toHaveLength(0)

    const once = await adyen.transactionStatus(
      nexo.transactionStatus({ poiId: POI, statusOf: error.known.serviceId }),
    )
    expect(once).toMatchObject({ status: 'in-progress' })

    const started = clock.now()
    const final = await drive(
      clock,
      adyen.waitForTransactionStatus(nexo, error.known, { intervalMs: 1_000 }),
      250,
    )
    // Still running at +0 s and +1 s; processed at +2 s (the terminal finished at 2.5 s from the start).
    expect(clock.now() - started).toBe(2_000)
    expect(final).toMatchObject({
      status: 'processed',
      payment: { status: 'approved', amount: 2500 },
    })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('refused by the cloud with a 5xx before reaching the terminal: not found, so paying again is safe', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 503, times: 1 })
    const error = await unknown(adyen.payment(nexo.payment(sale)))
    expect(error.reason).toBe('HTTP 503')
    expect((error.cause as TillkitHttpError).status).toBe(503)
    const status = await adyen.waitForTransactionStatus(nexo, error.known)
    expect(status.status).toBe('not-found')
    // A new payment (new ServiceID) is the right move now.
    expect(await adyen.payment(nexo.payment(sale))).toMatchObject({ status: 'approved' })
    expect(cloud.ledger).toHaveLength(1)
  })

  it('no answer within the client timeout (a hung connection): unknown, then processed', async () => {
    const { adyen, nexo, cloud, clock } = harness()
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    const started = clock.now()
    const error = await unknown(adyen.payment(nexo.payment(sale)))
    expect(error.reason).toBe('no answer in time')
    // The payment timeout outlasts Adyen's 150 s limit.
    expect(clock.now() - started).toBe(180_000)
    expect(await adyen.waitForTransactionStatus(nexo, error.known)).toMatchObject({
      status: 'processed',
    })
  })

  it('the caller gives up (abort signal): unknown, the payment carries on', async () => {
    const { adyen, nexo, cloud, clock } = harness({ autoAdvance: false })
    const controller = new AbortController()
    const payment = unknown(adyen.payment(nexo.payment(sale), { signal: controller.signal }))
    await busy(cloud, POI)
    controller.abort()
    const error = await payment
    expect(error.reason).toBe('aborted')
    await clock.advance(5_000)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('an answer that is not a payment response counts as unknown too', async () => {
    const { adyen, nexo, cloud } = harness()
    for (const body of [
      'not json',
      '{"SaleToPOIResponse":{"MessageHeader":{}}}',
      '{"other":1}',
      '',
    ])
      cloud.faults.add({ kind: 'status', status: 200, body, times: 1 })
    for (let i = 0; i < 4; i++) {
      const error = await unknown(adyen.payment(nexo.payment(sale)))
      expect(error.reason).toBe('unreadable answer')
    }
    expect(cloud.ledger).toHaveLength(0)
  })

  it('a response to another request (ServiceID mismatch) is not taken as this one', async () => {
    const { adyen, nexo, cloud } = harness()
    const other = nexo.payment(sale)
    const answer = await cloud.fetch(
      new Request(
        `https://device-api-test.adyen.com/v1/merchants/TillkitShop/devices/${POI}/sync`,
        {
          method: 'POST',
          headers: { 'x-api-key': 'test-api-key' },
          body: JSON.stringify(other),
        },
      ),
    )
    cloud.faults.add({ kind: 'status', status: 200, body: await answer.text(), times: 1 })
    const error = await unknown(adyen.payment(nexo.payment(sale)))
    expect((error.cause as Error).message).toBe("The answer's ServiceID is not the request's")
  })

  it('a request that certainly never left is not an unknown outcome', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
    const adyen = createAdyenClient({
      apiKey: 'k',
      environment: 'test',
      transport: 'device-api',
      merchantAccount: 'M',
      clock,
      retry: false,
      fetch: () => Promise.reject(refused),
    })
    const nexo = adyen.nexo({ saleId: 's' })
    const error = await adyen.payment(nexo.payment(sale)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect((error as TillkitNetworkError).mayHaveReachedProvider).toBe(false)
  })

  it('a 4xx is a definite refusal, not an unknown outcome', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 403, times: 1 })
    const error = await adyen.payment(nexo.payment(sale)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect((error as TillkitHttpError).outcomeUnknown).toBe(false)
  })
})

describe('waitForTransactionStatus', () => {
  it('gives up after maxWaitMs and returns the last in-progress answer', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'dropConnection', afterMs: 1_000, times: 1 })
    const error = await unknown(
      adyen.payment(nexo.payment({ ...sale, amount: 2011 })), // no card: runs 120 s
    )
    const status = await adyen.waitForTransactionStatus(nexo, error.known, {
      intervalMs: 10_000,
      maxWaitMs: 30_000,
    })
    expect(status.status).toBe('in-progress')
  })

  it('maxWaitMs is steady time: a wall clock stepped back an hour mid-wait does not stretch it', async () => {
    let stepped = false
    const { adyen, nexo, cloud, clock } = harness({
      between: async (request, fake) => {
        if (!stepped && (await request.clone().text()).includes('TransactionStatusRequest')) {
          stepped = true
          clock.step(-3_600_000)
        }
        return fake.fetch(request)
      },
    })
    cloud.faults.add({ kind: 'dropConnection', afterMs: 1_000, times: 1 })
    const error = await unknown(
      adyen.payment(nexo.payment({ ...sale, amount: 2011 })), // no card: runs 120 s
    )
    const began = clock.monotonic()
    const status = await adyen.waitForTransactionStatus(nexo, error.known, {
      intervalMs: 10_000,
      maxWaitMs: 30_000,
    })
    expect(stepped).toBe(true)
    expect(clock.monotonic() - began).toBeLessThanOrEqual(30_000)
    expect(status.status).toBe('in-progress')
  })

  it('keeps asking through transient failures (5xx, 408, unreadable, reset), and rethrows the last one at the deadline', async () => {
    const { adyen, nexo, cloud } = harness()
    const target = { poiId: POI, serviceId: 'NEVER' }
    cloud.faults.add({ kind: 'status', status: 502, times: 1 })
    cloud.faults.add({ kind: 'status', status: 408, times: 1 })
    cloud.faults.add({ kind: 'status', status: 200, body: 'garbage', times: 1 })
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    expect(await adyen.waitForTransactionStatus(nexo, target, { intervalMs: 1_000 })).toMatchObject(
      {
        status: 'not-found',
      },
    )
    cloud.faults.add({ kind: 'status', status: 502 })
    const error = await adyen
      .waitForTransactionStatus(nexo, target, { intervalMs: 1_000, maxWaitMs: 3_000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
  })

  it('stops at once on a refusal that would only repeat itself', async () => {
    const { adyen, nexo, cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 401 })
    const error = await adyen
      .waitForTransactionStatus(nexo, { poiId: POI, serviceId: 'X' })
      .catch((e: unknown) => e)
    expect((error as TillkitHttpError).status).toBe(401)
    expect(cloud.faults.active).toHaveLength(1)
  })

  it('checks its options', async () => {
    const { adyen, nexo } = harness()
    await expect(
      adyen.waitForTransactionStatus(nexo, { poiId: POI, serviceId: 'X' }, { intervalMs: 10 }),
    ).rejects.toThrow('options.intervalMs: must be an integer from 1000 to 120000')
  })
})

describe('a TransactionStatus answer about another payment', () => {
  it('is refused, never read as the payment asked about', async () => {
    // A proxy (or a terminal confusing two requests) answers with another payment's repeated response.
    let swap = false
    const { adyen, nexo } = harness({
      between: async (request, cloud) => {
        const asking = (await request.clone().text()).includes('TransactionStatusRequest')
        const answer = await cloud.fetch(request)
        if (!swap || !asking) return answer
        const body = await answer.json()
        const status = body.SaleToPOIResponse.TransactionStatusResponse
        status.RepeatedMessageResponse.MessageHeader.ServiceID = 'other'
        if (status.MessageReference) status.MessageReference.ServiceID = 'other'
        return Response.json(body)
      },
    })
    const message = nexo.payment(sale)
    await adyen.payment(message)
    const ask = () =>
      adyen.transactionStatus(
        nexo.transactionStatus({
          poiId: POI,
          statusOf: message.SaleToPOIRequest.MessageHeader.ServiceID,
        }),
      )
    expect(await ask()).toMatchObject({ status: 'processed' })
    swap = true
    await expect(ask()).rejects.toMatchObject({
      name: 'TillkitProtocolError',
      message: expect.stringMatching(/ServiceID is not the request's/),
    })
  })
})

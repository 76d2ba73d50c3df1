import { describe, expect, it } from 'vitest'
import {
  createManualClock,
  TillkitAbortedError,
  TillkitValidationError,
  type ManualClock,
} from '@tillkit/core'
import { fakeFetch, json, status, undiciError, type Step } from '../../core/test/helpers.js'
import {
  createSmartConnectClient,
  MAX_BACKOFF_MS,
  type PendingTransaction,
  type WaitEvent,
} from '../src/index.js'
import { REGISTER } from './helpers.js'

const START = Date.UTC(2026, 0, 1)
const PENDING: PendingTransaction = {
  transactionId: 'tx-1',
  type: 'Card.Purchase',
  pollingUrl: 'https://api-dev.smart-connect.cloud/pos/transaction/tx-1?merchantAccessToken=tok',
  startedAt: START,
}
const pending = (data: object = { TransactionResult: '', Result: '' }) =>
  json({ transactionId: 'tx-1', transactionStatus: 'PENDING', data })
const delayed = pending({ TransactionResult: 'OK-DELAYED', Result: 'DELAYED-TRANSACTION' })
const approved = json({
  transactionId: 'tx-1',
  transactionStatus: 'COMPLETED',
  data: { TransactionResult: 'OK-ACCEPTED', Result: 'OK', AmountTotal: '1250' },
})
/** A body stream that fails when read, as when the connection drops mid-answer. */
const brokenBody = () =>
  new ReadableStream({
    pull: (controller) => controller.error(new TypeError('terminated')),
  })
const tooMany = (retryAfter?: string) =>
  json({ error: 'Too many requests' }, 429, retryAfter ? { 'retry-after': retryAfter } : {})

const unreachable = (): never => {
  throw new Error('expected a rejection')
}

function setup(...steps: Step[]) {
  const clock: ManualClock = createManualClock({ start: START, autoAdvance: true })
  const fake = fakeFetch(clock, ...steps)
  const client = createSmartConnectClient({
    environment: 'dev',
    register: REGISTER,
    fetch: fake.fetch,
    clock,
    timeoutMs: 10_000,
  })
  const events: WaitEvent[] = []
  const onEvent = (event: WaitEvent) => void events.push(event)
  /** Gaps between consecutive polls, in ms. */
  const gaps = () => fake.calls.slice(1).map((call, i) => call.at - fake.calls[i]!.at)
  return { clock, client, calls: fake.calls, events, onEvent, gaps }
}

describe('waitForOutcome: cadence', () => {
  it('polls every 3 s by default, measured from the previous answer, until the outcome is final', async () => {
    const { client, calls, gaps, events, onEvent } = setup(pending(), pending(), approved)
    const outcome = await client.waitForOutcome(PENDING, { onEvent })
    expect(outcome).toMatchObject({ status: 'approved', amountTotal: 1250, transactionId: 'tx-1' })
    expect(calls).toHaveLength(3)
    expect(calls[0]!.at).toBe(START)
    expect(gaps()).toEqual([3000, 3000])
    expect(calls.every((c) => c.request.redirect === 'manual' && c.request.method === 'GET')).toBe(
      true,
    )
    expect(calls[0]!.request.url).toBe(PENDING.pollingUrl)
    // The status is reported once, not on every poll.
    expect(events).toEqual([{ type: 'status', status: 'pending' }])
  })

  it('takes an interval of 2 s or more, and refuses a faster one before polling', async () => {
    const { client, calls, gaps } = setup(pending(), approved)
    await client.waitForOutcome(PENDING, { intervalMs: 2000 })
    expect(gaps()).toEqual([2000])
    const error = await client
      .waitForOutcome(PENDING, { intervalMs: 1999 })
      .then(unreachable, (e: unknown) => e as TillkitValidationError)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(error.field).toBe('intervalMs')
    expect(calls).toHaveLength(2)
  })

  it('reports pending, then delayed, then goes on to the final outcome', async () => {
    const { client, events, onEvent } = setup(pending(), delayed, delayed, approved)
    const outcome = await client.waitForOutcome(PENDING, { onEvent })
    expect(outcome.status).toBe('approved')
    expect(events).toEqual([
      { type: 'status', status: 'pending' },
      { type: 'status', status: 'delayed' },
    ])
  })
})

describe('waitForOutcome: 429 back-off', () => {
  it('doubles the wait from the cadence on each 429, capped at 30 s, and resets after a reading', async () => {
    const { client, gaps, events, onEvent } = setup(
      tooMany(),
      tooMany(),
      tooMany(),
      tooMany(),
      pending(),
      tooMany(),
      approved,
    )
    await client.waitForOutcome(PENDING, { onEvent })
    expect(gaps()).toEqual([6000, 12000, 24000, MAX_BACKOFF_MS, 3000, 6000])
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', reason: 'rate-limited', delayMs: 6000, httpStatus: 429 },
      { type: 'retry', reason: 'rate-limited', delayMs: 12000, httpStatus: 429 },
      { type: 'retry', reason: 'rate-limited', delayMs: 24000, httpStatus: 429 },
      { type: 'retry', reason: 'rate-limited', delayMs: 30000, httpStatus: 429 },
      { type: 'retry', reason: 'rate-limited', delayMs: 6000, httpStatus: 429 },
    ])
  })

  it('honours a longer Retry-After, past the cap too: polling earlier would only be refused again', async () => {
    const { client, gaps } = setup(tooMany('10'), tooMany('120'), approved)
    await client.waitForOutcome(PENDING, { deadlineMs: 300_000 })
    expect(gaps()).toEqual([10_000, 120_000])
  })

  it('a shorter Retry-After does not shorten the back-off', async () => {
    const { client, gaps } = setup(tooMany('1'), approved)
    await client.waitForOutcome(PENDING)
    expect(gaps()).toEqual([6000])
  })

  it('one poll() reports the 429 and its Retry-After without waiting', async () => {
    const { client, calls } = setup(tooMany('4'))
    expect(await client.poll(PENDING)).toEqual({
      state: 'retry',
      reason: 'rate-limited',
      httpStatus: 429,
      retryAfterMs: 4000,
    })
    expect(calls).toHaveLength(1)
  })
})

describe('waitForOutcome: unknown outcomes', () => {
  it.each([401, 403, 404, 410])(
    'a %s on the polling URL ends the wait at once: unknown, the URL unusable',
    async (code) => {
      const { client, calls } = setup(pending(), json({ error: 'Token expired' }, code), approved)
      const outcome = await client.waitForOutcome(PENDING)
      expect(outcome).toMatchObject({
        status: 'unknown',
        reason: 'polling-url-unusable',
        httpStatus: code,
        transactionId: 'tx-1',
        type: 'Card.Purchase',
      })
      // What was last seen is kept for reconciling.
      expect(outcome.raw?.transactionStatus).toBe('PENDING')
      expect(calls).toHaveLength(2)
    },
  )

  it('the deadline passing is unknown, not failed; no poll starts after it', async () => {
    const { client, calls, clock } = setup(pending())
    const outcome = await client.waitForOutcome(PENDING, { deadlineMs: 10_000 })
    expect(outcome).toMatchObject({ status: 'unknown', reason: 'deadline' })
    expect(outcome.raw?.transactionStatus).toBe('PENDING')
    // Polls at 0, 3, 6 and 9 s; the next would start at 12 s, past the deadline.
    expect(calls.map((c) => c.at - START)).toEqual([0, 3000, 6000, 9000])
    expect(clock.now() - START).toBe(9000)
  })

  it('the default deadline is 5 minutes after the start', async () => {
    const { client, calls } = setup(pending())
    const outcome = await client.waitForOutcome(PENDING)
    expect(outcome.reason).toBe('deadline')
    expect(calls.at(-1)!.at - START).toBeLessThanOrEqual(300_000)
    expect(calls.at(-1)!.at - START).toBeGreaterThan(300_000 - 3000)
  })

  it('a transaction resumed after its deadline is still polled once', async () => {
    const { client, calls, clock } = setup(approved)
    await clock.advance(400_000)
    expect((await client.waitForOutcome(PENDING)).status).toBe('approved')
    const stale = setup(pending())
    await stale.clock.advance(400_000)
    expect(await stale.client.waitForOutcome(PENDING)).toMatchObject({ reason: 'deadline' })
    expect(calls).toHaveLength(1)
    expect(stale.calls).toHaveLength(1)
  })

  it('a deadline past the token’s life is refused', async () => {
    const { client } = setup(approved)
    const error = await client
      .waitForOutcome(PENDING, { deadlineMs: 900_001 })
      .then(unreachable, (e: unknown) => e as TillkitValidationError)
    expect(error.field).toBe('deadlineMs')
  })
})

describe('waitForOutcome: transient trouble keeps polling', () => {
  it.each([
    ['a 5xx', status(503), 'server-error', 503],
    ['a 408', status(408), 'server-error', 408],
    ['a 400', json({ error: 'Bad request' }, 400), 'unexpected-status', 400],
    [
      'a redirect, not followed',
      new Response(null, { status: 302, headers: { location: 'https://x.example/' } }),
      'unexpected-status',
      302,
    ],
    ['a connection reset', undiciError('ECONNRESET'), 'network', undefined],
    // Read inside the request's attempt: a lost answer, like a reset.
    [
      'a body that breaks off',
      () => new Response(brokenBody(), { status: 200 }),
      'network',
      undefined,
    ],
    [
      'a body that is not JSON',
      new Response('<html>gateway</html>', { status: 200 }),
      'malformed',
      undefined,
    ],
    ['an empty body', new Response('', { status: 200 }), 'malformed', undefined],
    ['a JSON array', json([1, 2]), 'malformed', undefined],
    ['an unknown status', json({ transactionStatus: 'WORKING' }), 'malformed', undefined],
    [
      'data of the wrong shape',
      json({ transactionStatus: 'COMPLETED', data: 'OK' }),
      'malformed',
      undefined,
    ],
  ])('%s: a retry after the cadence, then the outcome', async (_, step, reason, httpStatus) => {
    const { client, gaps, events, onEvent } = setup(step, approved)
    const outcome = await client.waitForOutcome(PENDING, { onEvent })
    expect(outcome.status).toBe('approved')
    expect(gaps()).toEqual([3000])
    expect(events).toEqual([
      { type: 'retry', reason, delayMs: 3000, ...(httpStatus && { httpStatus }) },
    ])
  })

  it('a poll that times out is retried', async () => {
    const { client, calls, events, onEvent } = setup('hang', approved)
    expect((await client.waitForOutcome(PENDING, { onEvent })).status).toBe('approved')
    expect(events[0]).toMatchObject({ type: 'retry', reason: 'timeout' })
    // The 10 s timeout, then the 3 s cadence.
    expect(calls[1]!.at - calls[0]!.at).toBe(13_000)
  })
})

describe('waitForOutcome: stopping and bad input', () => {
  it('an abort while waiting rejects with TillkitAbortedError (outcome unknown) and stops polling', async () => {
    const controller = new AbortController()
    const { client, calls } = setup(pending())
    const wait = client.waitForOutcome(PENDING, {
      signal: controller.signal,
      onEvent: () => controller.abort(),
    })
    const error = await wait.then(unreachable, (e: unknown) => e as TillkitAbortedError)
    expect(error).toBeInstanceOf(TillkitAbortedError)
    expect(error.outcomeUnknown).toBe(true)
    expect(calls).toHaveLength(1)
  })

  it('an abort during a poll rejects too', async () => {
    const controller = new AbortController()
    const { client } = setup((request) => {
      controller.abort()
      return new Promise<Response>((_, reject) => reject(request.signal.reason))
    })
    await expect(
      client.waitForOutcome(PENDING, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(TillkitAbortedError)
  })

  it.each([
    ['pending', null],
    ['pending.transactionId', { ...PENDING, transactionId: '' }],
    ['pending.type', { ...PENDING, type: 'Card.Sale' }],
    ['pending.startedAt', { ...PENDING, startedAt: 'yesterday' }],
    ['pending.pollingUrl', { ...PENDING, pollingUrl: 42 }],
    [
      'pending.pollingUrl',
      { ...PENDING, pollingUrl: '/pos/transaction/tx-1?merchantAccessToken=tok' },
    ],
    [
      'pending.pollingUrl',
      {
        ...PENDING,
        pollingUrl:
          'http://api-dev.smart-connect.cloud/pos/transaction/tx-1?merchantAccessToken=tok',
      },
    ],
  ])('a bad %s is refused before polling', async (field, bad) => {
    const { client, calls } = setup(approved)
    const error = await client
      .waitForOutcome(bad as PendingTransaction)
      .then(unreachable, (e: unknown) => e as TillkitValidationError)
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(error.field).toBe(field)
    expect(String(error)).not.toContain('tok')
    expect(calls).toHaveLength(0)
  })

  it('a plain-http polling URL is accepted when it shares the base URL’s origin (a local fake)', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const fake = fakeFetch(clock, approved)
    const client = createSmartConnectClient({
      environment: 'dev',
      register: REGISTER,
      baseUrl: 'http://127.0.0.1:8123/POS',
      fetch: fake.fetch,
      clock,
    })
    const local = {
      ...PENDING,
      pollingUrl: 'http://127.0.0.1:8123/pos/transaction/tx-1?merchantAccessToken=t',
    }
    expect((await client.waitForOutcome(local)).status).toBe('approved')
  })
})

describe('waitForOutcome: an answer about another transaction', () => {
  const foreign = (data: object) =>
    json({ transactionId: 'tx-OTHER', transactionStatus: 'COMPLETED', data })

  it('is not taken as this payment’s outcome: a malformed retry, then this transaction’s own answer', async () => {
    const { client, calls, events, onEvent } = setup(
      foreign({ TransactionResult: 'OK-ACCEPTED', Result: 'OK', AmountTotal: '99999' }),
      json({
        transactionId: 'tx-1',
        transactionStatus: 'COMPLETED',
        data: { TransactionResult: 'OK-DECLINED', Result: 'OK' },
      }),
    )
    const outcome = await client.waitForOutcome(PENDING, { onEvent })
    expect(outcome).toMatchObject({ status: 'declined', transactionId: 'tx-1' })
    expect(outcome.amountTotal).toBeUndefined()
    expect(calls).toHaveLength(2)
    expect(events).toEqual([{ type: 'retry', reason: 'malformed', delayMs: 3000 }])
  })

  it('one poll reads it as a retry, never as final', async () => {
    const { client } = setup(foreign({ TransactionResult: 'OK-ACCEPTED', Result: 'OK' }))
    expect(await client.poll(PENDING)).toEqual({ state: 'retry', reason: 'malformed' })
  })

  it('only ever foreign answers end at the deadline as unknown, not with their result', async () => {
    const { client } = setup(foreign({ TransactionResult: 'OK-ACCEPTED', Result: 'OK' }))
    const outcome = await client.waitForOutcome(PENDING, { deadlineMs: 10_000 })
    expect(outcome).toMatchObject({ status: 'unknown', reason: 'deadline', transactionId: 'tx-1' })
    expect(outcome.raw).toBeUndefined()
  })
})

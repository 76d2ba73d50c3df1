import { describe, expect, it } from 'vitest'
import type { PaymentContext } from '../src/adapter.js'
import { TillkitValidationError, type PaymentRequest } from '../src/index.js'
import { paymentsenseAdapter } from '../src/paymentsense.js'
import { smartconnectAdapter } from '../src/smartconnect.js'
import { registerFor } from './smartconnect-harness.js'

/**
 * The orchestrator never calls these adapters without the ids they need, so these guards are only
 * reached by a caller driving an adapter directly: they must refuse before any request leaves.
 */

const context = (request: Partial<PaymentRequest>, ids: Record<string, string> = {}) =>
  ({
    paymentId: 'p-1',
    request: {
      kind: 'sale',
      account: 'a',
      terminal: 'T1',
      amount: 100,
      currency: 'GBP',
      reference: 'r',
      ...request,
    },
    ids,
    startedAt: 0,
    recovered: false,
    signal: new AbortController().signal,
    push() {},
  }) as PaymentContext

const fieldOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TillkitValidationError)
  return (error as TillkitValidationError).field
}

describe('adapter calls without the ids they need', () => {
  it('paymentsense: poll, cancel and a signature answer need the requestId; nothing is sent', async () => {
    const sent: string[] = []
    const adapter = paymentsenseAdapter({
      account: 'acme',
      environment: 'test',
      apiKey: 'guard-key',
      softwareHouseId: 'SWH',
      installerId: 'INST',
      fetch: async (request: Request) => {
        sent.push(request.url)
        return new Response('{}', { status: 500 })
      },
    })
    const ctx = context({ terminal: '22160001' })
    expect(await fieldOf(adapter.poll(ctx))).toBe('ids.requestId')
    expect(await fieldOf(adapter.cancel!(ctx))).toBe('ids.requestId')
    expect(await fieldOf(adapter.answerSignature!(ctx, true))).toBe('ids.requestId')
    expect(sent).toEqual([])
  })

  it('smartconnect: a poll needs the polling URL, a start a configured terminal; nothing is sent', async () => {
    const sent: string[] = []
    const adapter = smartconnectAdapter({
      environment: 'dev',
      currency: 'NZD',
      terminals: [{ terminal: 'VT000001', register: registerFor('VT000001') }],
      fetch: async (request: Request) => {
        sent.push(request.url)
        return new Response('{}', { status: 500 })
      },
    })
    const request = { terminal: 'VT000001', currency: 'NZD' }
    expect(await fieldOf(adapter.poll(context(request, { transactionId: 'T-1' })))).toBe('ids')
    expect(await fieldOf(adapter.poll(context(request, { pollingUrl: 'https://x/y' })))).toBe('ids')
    expect(await fieldOf(adapter.start(context({ ...request, terminal: 'VT000009' })))).toBe(
      'terminal',
    )
    expect(sent).toEqual([])
  })
})

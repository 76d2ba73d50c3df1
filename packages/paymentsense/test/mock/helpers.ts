import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'

export const ORIGIN = 'https://acme.test.connect.paymentsense.cloud'
export const API_KEY = 'test-api-key'
export const PAC_MEDIA = 'application/connect.v2+json'
export const PAT_MEDIA = 'application/connect.v1+json'

export interface RequestOptions {
  body?: unknown
  headers?: Record<string, string | undefined>
  origin?: string
  signal?: AbortSignal
}

function build(media: string, epos: boolean) {
  return (method: string, path: string, options: RequestOptions = {}): Request => {
    const headers: Record<string, string | undefined> = {
      authorization: `Basic ${btoa(`till-1:${API_KEY}`)}`,
      accept: media,
      ...(epos && { 'software-house-id': 'SWH1', 'installer-id': 'INST1' }),
      ...(options.body !== undefined && { 'content-type': media }),
      ...options.headers,
    }
    const defined = Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)
    return new Request(`${options.origin ?? ORIGIN}${path}`, {
      method,
      headers: defined,
      ...(options.body !== undefined && {
        body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      }),
      ...(options.signal && { signal: options.signal }),
    })
  }
}

/** An authenticated pay-at-counter v2 request (headers overridable; `undefined` removes one). */
export const pac = build(PAC_MEDIA, true)
/** An authenticated pay-at-table v1 request. */
export const pat = build(PAT_MEDIA, false)

export interface Harness {
  cloud: FakeCloud
  clock: ManualClock
  /** `cloud.fetch` returning status and parsed JSON body. */
  call(request: Request): Promise<{ status: number; body: any; headers: Headers }>
}

/** A fake cloud on a manual clock; request spacing off unless asked for. */
export function harness(options: FakeCloudOptions = {}): Harness {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, requestSpacingMs: 0, ...options })
  return {
    cloud,
    clock,
    async call(request) {
      const response = await cloud.fetch(request)
      const text = await response.text()
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      }
    },
  }
}

/** Starts a transaction and returns its requestId (asserting the 201). */
export async function start(h: Harness, tid: string, body: unknown): Promise<string> {
  const { status, body: answer } = await h.call(
    pac('POST', `/pac/terminals/${tid}/transactions`, { body }),
  )
  if (status !== 201) throw new Error(`start failed: ${status} ${JSON.stringify(answer)}`)
  return answer.requestId
}

export async function poll(h: Harness, tid: string, requestId: string) {
  return h.call(pac('GET', `/pac/terminals/${tid}/transactions/${requestId}`))
}

/** Advances the clock step by step until the transaction has finished; returns the last body. */
export async function runToEnd(
  h: Harness,
  tid: string,
  requestId: string,
  stepMs = 400,
  limit = 1000,
) {
  for (let i = 0; i < limit; i++) {
    const { status, body } = await poll(h, tid, requestId)
    if (status === 200 && body.notifications.includes('TRANSACTION_FINISHED')) return body
    await h.clock.advance(stepMs)
  }
  throw new Error('transaction did not finish')
}

export const sale = (amount: number, extra: Record<string, unknown> = {}) => ({
  transactionType: 'SALE',
  amount,
  currency: 'GBP',
  ...extra,
})

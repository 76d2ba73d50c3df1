import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'

export const API = 'https://api.uat.payroc.com/v1'
export const IDENTITY = 'https://identity.uat.payroc.com'
export const SERIAL = 'PAXA920-0001'
export const TERMINAL = '1234001'

export interface Call {
  status: number
  body: any
  headers: Headers
}

export interface Harness {
  cloud: FakeCloud
  clock: ManualClock
  /** A new token (for the default key, also used by later calls from then on). */
  token(apiKey?: string): Promise<string>
  /** An API request with a bearer token (headers overridable; `undefined` removes one). */
  call(
    method: string,
    path: string,
    options?: {
      body?: unknown
      headers?: Record<string, string | undefined>
      key?: string
      token?: string
      signal?: AbortSignal
    },
  ): Promise<Call>
  /** Starts `call` without awaiting it (for held reads). */
  start(method: string, path: string, options?: Parameters<Harness['call']>[2]): Promise<Call>
}

export async function read(response: Response): Promise<Call> {
  const text = await response.text()
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  }
}

/** A fake cloud on a manual clock that only moves when told (held reads stay held). */
export function harness(options: FakeCloudOptions = {}): Harness {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, ...options })
  let cached: string | undefined
  const token = async (apiKey = 'test-api-key') => {
    const answer = await read(
      await cloud.fetch(`${IDENTITY}/authorize`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey },
      }),
    )
    if (answer.status !== 200) throw new Error(`authorize: ${answer.status}`)
    const value = answer.body.access_token as string
    // The newest default token is what later calls use.
    if (apiKey === 'test-api-key') cached = value
    return value
  }
  const start: Harness['start'] = async (method, path, options = {}) => {
    const bearer = options.token ?? (cached ??= await token())
    const headers: Record<string, string | undefined> = {
      authorization: `Bearer ${bearer}`,
      accept: 'application/json',
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(method === 'POST' && { 'idempotency-key': options.key ?? crypto.randomUUID() }),
      ...options.headers,
    }
    const defined = Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)
    return read(
      await cloud.fetch(`${API}${path}`, {
        method,
        headers: defined,
        ...(options.body !== undefined && {
          body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
        }),
        ...(options.signal && { signal: options.signal }),
      }),
    )
  }
  return { cloud, clock, token, call: start, start }
}

export const sale = (amount: number, extra: Record<string, unknown> = {}) => ({
  processingTerminalId: TERMINAL,
  order: { orderId: `order-${amount}`, amount, currency: 'USD' },
  ...extra,
})

/** Submits a payment instruction and returns its id (asserting the 202). */
export async function submit(
  h: Harness,
  amount: number,
  serial = SERIAL,
  extra = {},
): Promise<string> {
  const answer = await h.call('POST', `/devices/${serial}/payment-instructions`, {
    body: sale(amount, extra),
  })
  if (answer.status !== 202)
    throw new Error(`submit: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body.paymentInstructionId
}

/** Lets pending promise jobs and immediates run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r))
}

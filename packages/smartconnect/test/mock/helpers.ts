import { expect } from 'vitest'
import { createManualClock, type ManualClock } from '@tillkit/core'
import { validateTransactionResult } from '../../src/generated/transaction-result.validate.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../../src/mock/index.js'
import { formRequest, REGISTER } from '../helpers.js'

export const BASE = 'https://api-dev.smart-connect.cloud/POS'

/** The register identity as form fields. */
export const IDENTITY = {
  POSRegisterID: REGISTER.id,
  POSBusinessName: REGISTER.businessName,
  POSVendorName: REGISTER.vendorName,
}

export interface Direct {
  clock: ManualClock
  cloud: FakeCloud
  /** PUT /Pairing/{code} with the register's fields (overridable). */
  pair(code: string, fields?: Record<string, string>): Promise<Response>
  /** Pairs REGISTER with a terminal by its current code, expecting success. */
  pairWith(deviceId?: string): Promise<void>
  /** POST /Transaction with the identity, ASYNC and `fields`. */
  start(fields: Record<string, string>): Promise<Response>
  /** Starts and returns the polling URL, expecting success. */
  started(fields: Record<string, string>): Promise<{ transactionId: string; pollingUrl: string }>
  /** GET a polling URL; a 200 body is checked against the schema. */
  poll(url: string): Promise<Response>
  /** Polls `url` (2 s apart, waiting out a 429) until COMPLETED; returns the body. */
  finish(url: string): Promise<PollBody>
}

export interface PollBody {
  transactionId: string
  transactionStatus: 'PENDING' | 'COMPLETED'
  deviceId: string
  data: Record<string, string>
}

/** The fake driven over HTTP directly (no client), on a manual clock that moves only when told. */
export function direct(options: FakeCloudOptions = {}): Direct {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, ...options })
  const pair = (code: string, fields: Record<string, string> = {}) =>
    cloud.fetch(
      formRequest('PUT', `${BASE}/Pairing/${encodeURIComponent(code)}`, {
        ...IDENTITY,
        POSRegisterName: REGISTER.name,
        ...fields,
      }),
    )
  const start = (fields: Record<string, string>) =>
    cloud.fetch(
      formRequest('POST', `${BASE}/Transaction`, {
        ...IDENTITY,
        TransactionMode: 'ASYNC',
        ...fields,
      }),
    )
  const poll = async (url: string) => {
    const response = await cloud.fetch(url)
    if (response.status === 200) {
      const body: unknown = await response.clone().json()
      // Every body the fake sends must fit the schema the client is generated from.
      expect(
        validateTransactionResult(body),
        JSON.stringify(validateTransactionResult.errors),
      ).toBe(true)
    }
    return response
  }
  return {
    clock,
    cloud,
    pair,
    async pairWith(deviceId = 'VT000001') {
      const response = await pair(cloud.terminals.get(deviceId).pairingCode)
      expect(response.status).toBe(200)
    },
    start,
    async started(fields) {
      const response = await start(fields)
      const body = (await response.json()) as {
        transactionId: string
        data: { PollingUrl: string }
      }
      expect(response.status, JSON.stringify(body)).toBe(200)
      return { transactionId: body.transactionId, pollingUrl: body.data.PollingUrl }
    },
    poll,
    async finish(url) {
      for (let i = 0; i < 1000; i++) {
        const response = await poll(url)
        if (response.status === 429) {
          await clock.advance(Number(response.headers.get('retry-after')) * 1000)
          continue
        }
        expect(response.status).toBe(200)
        const body = (await response.json()) as PollBody
        if (body.transactionStatus === 'COMPLETED') return body
        await clock.advance(2000)
      }
      throw new Error('never completed')
    },
  }
}

export const errorOf = async (response: Response) =>
  ((await response.json()) as { error: string }).error

import { createManualClock, type ManualClock } from '@tillkit/core'
import {
  createSmartConnectClient,
  type RegisterOptions,
  type SmartConnectClient,
  type SmartConnectClientOptions,
} from '../src/index.js'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../src/mock/index.js'

export const REGISTER: RegisterOptions = {
  id: '7d0c1f5e-8a44-4f1b-9a53-2f0e6f1d9c11',
  name: 'Front till',
  businessName: 'Corner Toys',
  vendorName: 'TillkitPOS',
}

export interface Harness {
  clock: ManualClock
  cloud: FakeCloud
  client: SmartConnectClient
  /** Pairs the register with `deviceId` through the client. */
  pair(deviceId?: string): Promise<void>
}

/** A fake cloud and a client on one manual clock (auto-advancing: waits take no real time). */
export function harness(
  options: { cloud?: FakeCloudOptions; client?: Partial<SmartConnectClientOptions> } = {},
): Harness {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, ...options.cloud })
  const client = createSmartConnectClient({
    environment: 'dev',
    register: REGISTER,
    fetch: cloud.fetch,
    clock,
    ...options.client,
  })
  return {
    clock,
    cloud,
    client,
    pair: (deviceId = 'VT000001') => client.pair(cloud.terminals.get(deviceId).pairingCode),
  }
}

/** A form-encoded request to the fake. */
export function formRequest(
  method: string,
  url: string,
  fields: Record<string, string>,
  contentType = 'application/x-www-form-urlencoded',
): Request {
  return new Request(url, {
    method,
    headers: { 'content-type': contentType },
    body: new URLSearchParams(fields).toString(),
  })
}

/** The rejection of `attempt`, which must reject. */
export async function failure<E>(attempt: Promise<unknown>): Promise<E> {
  return attempt.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error as E,
  )
}

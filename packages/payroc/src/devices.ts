import { checkCallOptions } from '@tillkit/core'
import type { PayrocClient } from './client.js'
import type { components, operations } from './generated/cloud-v1.js'
import { walkPages } from './pages.js'

export type Device = components['schemas']['Device']
/** Filters and page size; `after` starts the walk past a cursor. Walking backwards (`before`) is not offered. */
export type DeviceQuery = Omit<
  NonNullable<operations['listDevices']['parameters']['query']>,
  'before'
>

/**
 * Every device matching `query`, page after page, by the `after` cursor of each page's `next` link (see
 * {@link walkPages}). `query` is checked at the call, before anything is sent.
 */
export function listDevices(
  client: PayrocClient,
  query: DeviceQuery = {},
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Device, void, undefined> {
  checkCallOptions(options)
  return walkPages(client, 'GET /devices', query, options)
}

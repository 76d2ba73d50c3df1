import { TillkitProtocolError } from '@tillkit/core'
import type { PayrocClient } from './client.js'
import type { components, operations } from './generated/cloud-v1.js'

export type Device = components['schemas']['Device']
/** Filters and page size; `after` starts the walk past a cursor. Walking backwards (`before`) is not offered. */
export type DeviceQuery = Omit<
  NonNullable<operations['listDevices']['parameters']['query']>,
  'before'
>

/**
 * Every device matching `query`, page after page: each page's `next` link gives the cursor of the following one.
 * Only the cursor is taken from the link (the request stays on the client's own API base). A page that says there
 * is more without a usable next link, or a cursor that comes round again, is a protocol error rather than an
 * endless loop.
 */
export async function* listDevices(
  client: PayrocClient,
  query: DeviceQuery = {},
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Device, void, undefined> {
  const seen = new Set<string>()
  let after = query.after
  for (;;) {
    const page = client.transport.ok(
      await client.api.GET('/devices', {
        params: { query: { ...query, ...(after !== undefined && { after }) } },
        signal: options.signal,
      }),
    )
    yield* page.data
    if (!page.hasMore) return
    const next = page.links?.find((link) => link.rel === 'next')?.href
    let cursor: string | null = null
    try {
      cursor =
        next === undefined ? null : new URL(next, `${client.baseUrl}/`).searchParams.get('after')
    } catch {
      // An unreadable link is reported below like a missing one.
    }
    if (!cursor || seen.has(cursor))
      throw new TillkitProtocolError(
        'unexpected',
        cursor
          ? 'GET /devices returned a cursor it had already returned'
          : 'GET /devices said hasMore without a next link carrying an after cursor',
        { details: { next } },
      )
    seen.add(cursor)
    after = cursor
  }
}

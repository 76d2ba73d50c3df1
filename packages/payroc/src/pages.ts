import {
  checkFields,
  TillkitProtocolError,
  TillkitValidationError,
  type Rules,
} from '@tillkit/core'
import type { PayrocClient } from './client.js'
import type { components } from './generated/cloud-v1.js'
import { QUERY_RULES } from './rules.js'

/** The envelope every list of the gateway shares (`DeviceList`, `PaymentList`). */
export interface Page<T> {
  hasMore?: boolean
  links?: components['schemas']['Link'][]
  data: T[]
}

/** A list the helpers walk forwards, keyed like the query rules. */
export type PagedOperation = 'GET /devices' | 'GET /payments'

/**
 * Checks `query` now, before anything is sent (an object; only the operation's parameters, `before` excepted: the
 * walk goes forwards; each value by the operation's rules), then returns the walk over every item of every page,
 * each page read with `GET` (`signal` aborts it), starting past the cursor `after`.
 *
 * Each page's `next` link gives the cursor of the following one. Only the cursor is taken from the link (the
 * request stays on the client's own API base). A page that says there is more without a usable next link, or a
 * cursor that comes round again, is a protocol error rather than an endless loop.
 */
export function walkPages<T>(
  client: PayrocClient,
  operation: PagedOperation,
  query: { after?: string },
  { signal, field = 'query' }: { signal?: AbortSignal | undefined; field?: string } = {},
): AsyncGenerator<T, void, undefined> {
  checkQuery(operation, query, field)
  const path = operation.slice('GET '.length) as '/devices' | '/payments'
  const read = async (page: { after?: string }) =>
    client.transport.ok(
      await client.api.GET(path, { params: { query: page as never }, signal }),
    ) as unknown as Page<T>
  return walk(client, operation, query, read)
}

function checkQuery(operation: PagedOperation, query: unknown, field: string): void {
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw new TillkitValidationError(field, 'must be an object')
  const rules: Rules = QUERY_RULES[operation]!
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && (!Object.hasOwn(rules, name) || name === 'before'))
      throw new TillkitValidationError(
        name,
        name === 'before'
          ? 'is not taken: the walk goes forwards (start past a cursor with after)'
          : `is not a parameter of ${operation}`,
      )
  checkFields(query as Record<string, unknown>, rules)
}

async function* walk<T, Q extends { after?: string }>(
  client: PayrocClient,
  operation: PagedOperation,
  query: Q,
  read: (query: Q) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>()
  let after = query.after
  for (;;) {
    const page = await read({ ...query, ...(after !== undefined && { after }) })
    if (!Array.isArray(page?.data))
      throw new TillkitProtocolError('invalid', `${operation} answered a page without a data list`)
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
          ? `${operation} returned a cursor it had already returned`
          : `${operation} said hasMore without a next link carrying an after cursor`,
        { details: { next } },
      )
    seen.add(cursor)
    after = cursor
  }
}

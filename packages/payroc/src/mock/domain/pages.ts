import type { Link } from '../types.js'
import { invalid } from './errors.js'

export interface PageRequest {
  limit: number
  before?: string
  after?: string
}

/** One page of a list, in the envelope every list of the gateway shares. */
export interface PageOf<T> {
  limit: number
  count: number
  hasMore: boolean
  links: Link[]
  data: T[]
}

/**
 * One page of `items` (already filtered, in list order). Cursors are item ids (`idOf`): `after` walks forwards,
 * `before` backwards; a cursor not in the list is a 400 naming it. `hasMore` means more in the direction of
 * travel; `links` holds `previous` and `next` when there are items that way, `link(query)` making each href from
 * its cursor query (`after=…`).
 */
export function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  page: PageRequest,
  link: (query: string) => string,
): PageOf<T> {
  const position = (cursor: string, name: string) => {
    const index = items.findIndex((item) => idOf(item) === cursor)
    return index >= 0 ? index : invalid(name, 'is not a cursor of this list')
  }
  const backwards = page.before !== undefined
  let start = 0
  let end = items.length
  if (page.after !== undefined) start = position(page.after, 'after') + 1
  if (backwards) {
    end = position(page.before!, 'before')
    start = Math.max(0, end - page.limit)
  } else end = Math.min(items.length, start + page.limit)
  const data = items.slice(start, end)
  const links: Link[] = []
  const first = data[0]
  const last = data.at(-1)
  if (start > 0 && first)
    links.push({ rel: 'previous', method: 'GET', href: link(`before=${idOf(first)}`) })
  if (end < items.length && last)
    links.push({ rel: 'next', method: 'GET', href: link(`after=${idOf(last)}`) })
  return {
    limit: page.limit,
    count: data.length,
    hasMore: backwards ? start > 0 : end < items.length,
    links,
    data,
  }
}

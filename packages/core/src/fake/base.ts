/**
 * Base URLs of a fake's MSW handlers: which URLs one takes (`underBase`), and the path prefix it
 * takes off a request before the fake routes it (`http://proxy.test/connect/pac/terminals` is the
 * fake's `/pac/terminals` under the base `http://proxy.test/connect`), remembered so the fake's
 * absolute links (`location`, polling URLs) lead back through the prefix (`baseOf`).
 */

/** `text` as a pattern: its own characters, `*` any run of characters but `/`. */
const pattern = (text: string): string =>
  text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/]*')

/**
 * The URLs under `baseUrl`, whose `*` stands for any run of characters but `/`: so
 * `https://*.example.com` takes every host of that domain, and never another host's URL whose path
 * happens to name one (`https://proxy.test/to/api.example.com/...`), which MSW's own `*` (any
 * characters) would. A base with a path takes the URLs under that path (`http://proxy.test/api`
 * takes `http://proxy.test/api/x`, not `http://proxy.test/apix`).
 */
export function underBase(baseUrl: string): RegExp {
  return new RegExp(`^${pattern(baseUrl.replace(/\/+$/, ''))}(?:/.*)?$`)
}

/**
 * The path prefix of `baseUrl` (`/connect` in `http://proxy.test/connect/`) as a pattern for the
 * front of a request's path, `*` standing for a run of characters but `/`; undefined when there is
 * none, and the fake routes requests as they are. The prefix ends where one of the fake's own
 * first path segments (`roots`) begins: `http://localhost:4010/v1`, the base a client with its own
 * `/v1` in `baseUrl` names, has none, and `http://proxy.test/payroc/v1` has `/payroc`.
 */
export function basePath(baseUrl: string, roots: readonly string[] = []): RegExp | undefined {
  const base = baseUrl.replace(/\/+$/, '')
  const authority = base.indexOf('://')
  const at = authority < 0 ? -1 : base.indexOf('/', authority + 3)
  if (at < 0) return undefined
  const segments = base.slice(at + 1).split('/')
  const own = segments.findIndex((segment) => roots.includes(segment))
  const prefix = segments.slice(0, own < 0 ? undefined : own)
  return prefix.length ? new RegExp(`^/${pattern(prefix.join('/'))}(?=/|$)`) : undefined
}

/**
 * `url` with the front of its path that `prefix` (from {@link basePath}) matches taken off (`/`
 * when nothing is left), query and fragment kept; `base` is the origin and the prefix taken, where
 * the fake's own paths hang from for this URL.
 */
export function stripBasePath(url: string | URL, prefix: RegExp): { url: URL; base: string } {
  const stripped = new URL(url)
  const taken = prefix.exec(stripped.pathname)?.[0] ?? ''
  const base = stripped.origin + taken
  stripped.pathname = stripped.pathname.slice(taken.length) || '/'
  return { url: stripped, base }
}

/**
 * Requests made by {@link unprefixed}: the base their links hang from, and the path the client
 * sent, prefix and all.
 */
const SENT = new WeakMap<Request, { base: string; path: string }>()

/**
 * `request` as the fake routes it, the base's path prefix taken off its URL (see
 * {@link stripBasePath}): method, headers, body (streamed, not read), signal, redirect mode and
 * credentials kept. {@link baseOf} answers the prefixed base for it, {@link pathOf} the path sent.
 */
export function unprefixed(request: Request, prefix: RegExp): Request {
  const { url, base } = stripBasePath(request.url, prefix)
  const stripped = new Request(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    redirect: request.redirect,
    credentials: request.credentials,
    integrity: request.integrity,
    referrerPolicy: request.referrerPolicy,
    // Not `cache` (`only-if-cached` needs the mode, which no init may set) nor `keepalive` (refused
    // with a streamed body): neither means anything to a fake. A streamed body needs `duplex`
    // (Node's fetch), which the DOM typings do not know yet.
    ...(request.body && { duplex: 'half' }),
  } as RequestInit)
  SENT.set(stripped, { base, path: new URL(request.url).pathname })
  return stripped
}

/**
 * Where the fake's own paths hang from for `request`: its origin, with the path prefix an MSW
 * handler took off (`http://proxy.test/connect`). A fake builds its absolute links on it, so a
 * `location` or polling URL it answers leads back through the same base as the request came.
 */
export function baseOf(request: Request): string {
  return SENT.get(request)?.base ?? new URL(request.url).origin
}

/**
 * The path of `request` as the client sent it, the prefix an MSW handler took off included
 * (`/connect/pac/terminals`), without the query: what a fake echoes in a body (a problem's
 * `instance`) names the resource the client asked for, not the fake's own path for it.
 */
export function pathOf(request: Request): string {
  return SENT.get(request)?.path ?? new URL(request.url).pathname
}

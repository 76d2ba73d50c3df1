/**
 * What every fake's MSW-equivalence test checks alike: a fake behind MSW (`cloud.handlers()` and
 * the global fetch) must answer as `cloud.fetch` does.
 */
import { http as mswHttp, HttpResponse as MswResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { TillkitError } from '../src/errors.js'

/**
 * The MSW server a fake's handlers are mounted on, listening for the test file (an unhandled
 * request is an error) and emptied after each test.
 */
export function listeningServer(): ReturnType<typeof setupServer> {
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  return server
}

/** The two ways a request reaches a fake. */
export type Route = 'cloud.fetch' | 'msw'
export const ROUTES: readonly Route[] = ['cloud.fetch', 'msw']

/**
 * What a call gave, to compare across routes: an openapi-fetch result by its status, data and error;
 * a TillkitError by its kind; anything else as it is. `mask` blanks what differs by design (ids).
 */
export async function observe(
  run: () => Promise<unknown>,
  mask: (value: unknown) => unknown = (value) => value,
): Promise<unknown> {
  try {
    const result = await run()
    if (result && typeof result === 'object' && 'response' in result) {
      const r = result as { response: Response; data?: unknown; error?: unknown }
      return mask({ status: r.response.status, data: r.data, error: r.error })
    }
    return mask(result)
  } catch (e) {
    if (!(e instanceof TillkitError)) return { thrown: String(e) }
    const x = e as unknown as { status?: number; reason?: string; body?: unknown }
    return mask({
      thrown: e.name,
      code: e.code,
      outcomeUnknown: e.outcomeUnknown,
      status: x.status,
      reason: x.reason,
      body: x.body,
    })
  }
}

/** The part of a fake cloud these checks use. */
export interface RoutedFake {
  fetch(request: Request): Promise<Response>
  handlers(): readonly unknown[]
  faults: {
    add(fault: { kind: 'status'; status: number; times?: number }): unknown
    readonly active: readonly unknown[]
  }
}

/** The part of an MSW server these checks use (`setupServer()`). */
export interface Interceptor {
  use(...handlers: never[]): void
  resetHandlers(): void
}

/** Runs `scenario` once per route (the server's handlers reset after each) and expects the same result. */
export async function sameOnBothRoutes(
  server: Interceptor,
  scenario: (route: Route) => Promise<unknown>,
): Promise<void> {
  const seen: unknown[] = []
  for (const route of ROUTES) {
    seen.push(await scenario(route))
    server.resetHandlers()
  }
  expect(seen[1]).toEqual(seen[0])
}

/**
 * A redirect status fault (307): the same redirect on both routes when the caller does not follow
 * it; followed by an app's own fetch, the request leaves the fake for the `Location` (no second
 * request to the fake, such as one to `/null`). `requests` are raw requests to the fake, by name.
 */
export function redirectFaultTests(
  server: Interceptor,
  make: () => RoutedFake,
  requests: Record<string, () => Request>,
): void {
  it.each(Object.keys(requests))(
    '%s: a 307 fault is the same redirect on both routes (redirect: manual)',
    async (name) => {
      const seen: unknown[] = []
      for (const route of ['cloud.fetch', 'msw'] as const) {
        const cloud = make()
        if (route === 'msw') server.use(...(cloud.handlers() as never[]))
        cloud.faults.add({ kind: 'status', status: 307, times: 1 })
        // A second fault that only a second request to the fake would use up.
        cloud.faults.add({ kind: 'status', status: 418, times: 1 })
        const send = route === 'msw' ? fetch : cloud.fetch
        const answer = await send(new Request(requests[name]!(), { redirect: 'manual' })).then(
          (r) => [r.status, r.headers.get('location')],
          (e: unknown) => `rejected: ${String(e)}`,
        )
        seen.push({ answer, faultsLeft: cloud.faults.active.length })
        server.resetHandlers()
      }
      expect(seen[0]).toEqual({ answer: [307, 'https://redirect.invalid/'], faultsLeft: 1 })
      expect(seen[1]).toEqual(seen[0])
    },
  )

  it('followed by an app\'s own fetch, it leaves the fake for its Location: no request to "/null"', async () => {
    const cloud = make()
    server.use(...(cloud.handlers() as never[]))
    cloud.faults.add({ kind: 'status', status: 307, times: 1 })
    cloud.faults.add({ kind: 'status', status: 418, times: 1 })
    // The Location (https://redirect.invalid/) is no fake's: MSW refuses it (onUnhandledRequest).
    await expect(fetch(Object.values(requests)[0]!())).rejects.toThrow()
    expect(cloud.faults.active).toHaveLength(1)
    server.resetHandlers()
  })
}

/** Sends a request to a path under the base (`/pac/terminals`) or a link, as `fetch` takes its init. */
export type SendUnder = (path: string, init?: RequestInit) => Promise<Response>

/** The part of a fake cloud the base path checks use. */
export interface BasedFake {
  fetch(request: Request): Promise<Response>
  handlers(baseUrl?: string): readonly unknown[]
}

/**
 * A base with a path prefix (a POS reaching the cloud through its own proxy at
 * `http://proxy.test/connect`): `scenario` drives a fresh fake by paths under the base and returns
 * what it saw, absolute links included (it gets the fake too, for what a test reads off it). Through MSW under a prefixed base (literal or with a `*`)
 * it must see what `cloud.fetch` gives at a bare origin, each base masked; a request beside the
 * prefix is not the fake's. `path` is one the fake answers.
 */
export function basePathTests<F extends BasedFake>(
  server: Interceptor,
  make: () => F,
  scenario: (send: SendUnder, cloud: F) => Promise<unknown>,
  path: string,
): void {
  const run = async (cloud: F, base: string, send: (request: Request) => Promise<Response>) => {
    // An absolute URL (a link the fake answered) is sent as it is.
    const seen = await scenario(
      (p, init) => send(new Request(/^\w+:/.test(p) ? p : base + p, init)),
      cloud,
    )
    return JSON.parse(JSON.stringify(seen ?? null).replaceAll(base, '<base>'))
  }

  it.each([
    ['http://proxy.test/connect', 'http://proxy.test/connect'],
    ['http://proxy.test/*/connect/', 'http://proxy.test/eu/connect'],
  ])(
    'a base with a path (%s): answers as at the root, links lead back through it',
    async (base, at) => {
      const direct = make()
      const expected = await run(direct, 'https://root.test', (r) => direct.fetch(r))
      const cloud = make()
      server.use(...(cloud.handlers(base) as never[]))
      expect(await run(cloud, at, (r) => fetch(r))).toEqual(expected)
      server.resetHandlers()
    },
  )

  it('a base with a path takes nothing beside it', async () => {
    const cloud = make()
    server.use(mswHttp.all('*', () => MswResponse.text('not the fake', { status: 299 })) as never)
    server.use(...(cloud.handlers('http://proxy.test/connect') as never[]))
    for (const url of [`http://proxy.test/connectx${path}`, `http://proxy.test${path}`])
      expect(await (await fetch(url)).text()).toBe('not the fake')
    server.resetHandlers()
  })
}

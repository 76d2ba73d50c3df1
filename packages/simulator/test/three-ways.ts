/**
 * One fake cloud served three ways — `cloud.fetch`, MSW (`cloud.handlers()` + the global fetch)
 * and a real port (`serve(cloud.fetch)`) — answering the same raw requests, as a POS's own HTTP
 * code would send them. Shared by the `*-three-ways` tests, one per provider.
 */
import { http, passthrough, type RequestHandler, type WebSocketHandler } from 'msw'
import type { SetupServer } from 'msw/node'
import { expect } from 'vitest'
import { serve } from '../src/index.js'

export type Way = 'cloud.fetch' | 'msw' | 'port'

export interface Probe {
  method: string
  /**
   * Under the origin; or made from the texts of the earlier answers (the origin in them written
   * `<origin>`, nothing masked), as a POS follows a link it was given: `<origin>/v1/...` is sent
   * to the way's origin, and shown masked.
   */
  path: string | ((earlier: readonly string[]) => string)
  /** Added to (a string) or taken from (null) the base headers. */
  headers?: Record<string, string | null>
  body?: string
}

/** Sends a request to a path under the origin, the way being compared (`cloud.fetch`, MSW or the port). */
export type Send = (path: string, init?: RequestInit) => Promise<Response>

export interface ThreeWays {
  /** The listening MSW server of the test file (`listeningServer()`). */
  server: SetupServer
  /** A fresh cloud for each way. */
  cloud: () => {
    fetch(request: Request): Promise<Response>
    handlers(): Array<RequestHandler | WebSocketHandler>
  }
  /** Where `cloud.fetch` and MSW take requests. */
  origin: string
  probes: readonly Probe[]
  /**
   * Sent with every probe (credentials). A function gets them from the fresh cloud first, sent the
   * same way as the probes (a bearer token from the fake's identity endpoint).
   */
  headers: Record<string, string> | ((send: Send) => Promise<Record<string, string>>)
  /** Masks what differs from run to run (ids, times) in an answer's text. */
  mask?: (text: string) => string
}

/** Headers that are part of an answer where present: which methods a path takes, where to go. */
const HEADERS = ['allow', 'location', 'retry-after']

/**
 * Each probe's answer (`status content-type [header: value…] body`, the origin masked) or
 * `threw …`, one line per probe, sent one way. A probe unanswered within 5 s is a `threw`, so a
 * hang fails the comparison.
 */
export async function answers(way: Way, setup: ThreeWays): Promise<string[]> {
  const cloud = setup.cloud()
  let origin = setup.origin
  let stop = async () => {}
  if (way === 'msw') setup.server.use(...cloud.handlers())
  if (way === 'port') {
    const running = await serve((request) => cloud.fetch(request))
    origin = running.url
    // The listening MSW server lets the real socket through (a RegExp: MSW's string patterns
    // decode the path, and a probe's path may not be decodable).
    const loopback = new RegExp(`^${origin.replace(/[.:/]/g, '\\$&')}/`)
    setup.server.use(http.all(loopback, () => passthrough()))
    stop = () => running.close()
  }
  const send: Send = (path, init) =>
    way === 'cloud.fetch'
      ? cloud.fetch(new Request(origin + path, init))
      : fetch(origin + path, init)
  const seen: string[] = []
  /** Each answer's text so far, the origin written `<origin>`. */
  const texts: string[] = []
  const mask = setup.mask ?? String
  try {
    const base = typeof setup.headers === 'function' ? await setup.headers(send) : setup.headers
    for (const probe of setup.probes) {
      const headers = new Headers(base)
      for (const [name, value] of Object.entries(probe.headers ?? {}))
        if (value === null) headers.delete(name)
        else headers.set(name, value)
      const init: RequestInit = {
        method: probe.method,
        headers,
        ...(probe.body !== undefined && { body: probe.body }),
      }
      const path = typeof probe.path === 'string' ? probe.path : probe.path(texts)
      let line: string
      let text = ''
      let timer: NodeJS.Timeout | undefined
      try {
        const sent = send(path.replaceAll('<origin>', ''), init)
        const hung = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000)
        })
        const response = await Promise.race([sent, hung])
        text = (await response.text()).replaceAll(origin, '<origin>')
        const extra = HEADERS.filter((name) => response.headers.has(name))
          .map((name) => ` ${name}: ${response.headers.get(name)!.replaceAll(origin, '<origin>')}`)
          .join('')
        line = `${response.status} ${response.headers.get('content-type')}${extra} ${mask(text)}`
      } catch (error) {
        line = `threw ${String(error)}`
      } finally {
        clearTimeout(timer)
      }
      texts.push(text)
      const at = typeof probe.path === 'string' ? path : mask(path)
      seen.push(`${probe.method} ${at} ${probe.body ?? ''} → ${line}`)
    }
  } finally {
    await stop()
    setup.server.resetHandlers()
  }
  return seen
}

/** Asserts the three ways answered every probe alike, and none with a crash, a hang or a 5xx. */
export async function expectAlike(setup: ThreeWays): Promise<void> {
  const [direct, msw, port] = [
    await answers('cloud.fetch', setup),
    await answers('msw', setup),
    await answers('port', setup),
  ]
  expect(msw).toEqual(direct)
  expect(port).toEqual(direct)
  for (const line of direct) expect(line).not.toMatch(/→ (threw|5\d\d)/)
}

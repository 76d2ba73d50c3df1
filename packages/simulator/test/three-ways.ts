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
  path: string
  /** Added to (a string) or taken from (null) the base headers. */
  headers?: Record<string, string | null>
  body?: string
}

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
  /** Sent with every probe (credentials). */
  headers: Record<string, string>
  /** Masks what differs from run to run (ids, times) in an answer's text. */
  mask?: (text: string) => string
}

/**
 * Each probe's answer (`status content-type body`, the origin masked) or `threw …`, one line per
 * probe, sent one way. A probe unanswered within 5 s is a `threw`, so a hang fails the comparison.
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
  const seen: string[] = []
  try {
    for (const probe of setup.probes) {
      const headers = new Headers(setup.headers)
      for (const [name, value] of Object.entries(probe.headers ?? {}))
        if (value === null) headers.delete(name)
        else headers.set(name, value)
      const init: RequestInit = {
        method: probe.method,
        headers,
        ...(probe.body !== undefined && { body: probe.body }),
      }
      const url = origin + probe.path
      let line: string
      let timer: NodeJS.Timeout | undefined
      try {
        const sent = way === 'cloud.fetch' ? cloud.fetch(new Request(url, init)) : fetch(url, init)
        const hung = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000)
        })
        const response = await Promise.race([sent, hung])
        const text = (setup.mask ?? String)((await response.text()).replaceAll(origin, '<origin>'))
        line = `${response.status} ${response.headers.get('content-type')} ${text}`
      } catch (error) {
        line = `threw ${String(error)}`
      } finally {
        clearTimeout(timer)
      }
      seen.push(`${probe.method} ${probe.path} ${probe.body ?? ''} → ${line}`)
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

/**
 * The same raw requests (a POS's own HTTP code, not our client) through the three
 * ways of serving the fake: `cloud.fetch`, MSW (`cloud.handlers()` + the global fetch) and a real
 * port (`@tillkit/simulator`'s `serve(cloud.fetch)`). Each must answer alike, crash nowhere.
 */
import { createManualClock } from '@tillkit/core'
import { http, passthrough } from 'msw'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { listeningServer } from '../../core/test/msw-equivalence.js'
import { API_KEY, PAC_MEDIA, PAT_MEDIA } from '../../paymentsense/test/mock/helpers.js'
import { serve } from '../src/index.js'

const server = listeningServer()
const ORIGIN = 'https://acme.test.connect.paymentsense.cloud'
type Way = 'cloud.fetch' | 'msw' | 'port'
const WAYS: readonly Way[] = ['cloud.fetch', 'msw', 'port']

interface Probe {
  method: string
  path: string
  headers?: Record<string, string | null>
  body?: string
}

const PAC = { accept: PAC_MEDIA, 'software-house-id': 'SWH', 'installer-id': 'INST' }
const PAT = { accept: PAT_MEDIA }
const sale = '{"transactionType":"SALE","amount":1000,"currency":"GBP"}'

const PROBES: Probe[] = [
  { method: 'HEAD', path: '/pac/terminals', headers: PAC },
  { method: 'HEAD', path: '/pac/terminals/22160001', headers: PAC },
  { method: 'HEAD', path: '/pat/tables', headers: PAT },
  { method: 'HEAD', path: '/nowhere', headers: PAC },
  { method: 'OPTIONS', path: '/pac/terminals', headers: PAC },
  { method: 'GET', path: '/pac/terminals/', headers: PAC },
  { method: 'GET', path: '/pac/terminals/%32%32160001?x=1', headers: PAC },
  { method: 'GET', path: '/pac/terminals/%E0%A4%A', headers: PAC },
  { method: 'GET', path: '/pac/terminals', headers: { ...PAC, accept: null } },
  { method: 'GET', path: '/pac/terminals', headers: { ...PAC, 'installer-id': '' } },
  { method: 'POST', path: '/pac/terminals/22160001/transactions', headers: PAC, body: sale },
  {
    method: 'POST',
    path: '/pac/terminals/22160002/transactions',
    headers: { ...PAC, 'content-type': `${PAC_MEDIA}; charset=utf-8` },
    body: '{"transactionType":"SALE","amount":1e400,"currency":"GBP"}',
  },
  {
    method: 'POST',
    path: '/pac/terminals/22160002/transactions',
    headers: { ...PAC, 'content-type': PAC_MEDIA },
    body: '[]',
  },
  {
    method: 'PUT',
    path: '/pat/tables',
    headers: { ...PAT, 'content-type': PAT_MEDIA },
    body: '{"tableName":"\\ud800","amount":1,"currency":"GBP"}',
  },
  {
    method: 'PUT',
    path: '/pat/tables',
    headers: { ...PAT, 'content-type': PAT_MEDIA },
    body: '{"tableName":"café/7","amount":100,"currency":"GBP"}',
  },
  { method: 'GET', path: '/pat/tables/caf%C3%A9%2F7', headers: PAT },
  { method: 'HEAD', path: '/pat/tables/caf%C3%A9%2F7', headers: PAT },
]

/** Each probe's status, media type and body text (origin and ids masked), sent one way. */
async function answers(way: Way): Promise<string[]> {
  const cloud = createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 })
  let origin = ORIGIN
  let stop = async () => {}
  if (way === 'msw') server.use(...cloud.handlers())
  if (way === 'port') {
    const running = await serve(cloud.fetch)
    origin = running.url
    // The listening MSW server lets the real socket through (a RegExp: MSW's string patterns
    // decode the path, and one probe's path is not decodable).
    const loopback = new RegExp(`^${origin.replace(/[.:/]/g, '\\$&')}/`)
    server.use(http.all(loopback, () => passthrough()))
    stop = () => running.close()
  }
  const seen: string[] = []
  try {
    for (const probe of PROBES) {
      const headers = new Headers({ authorization: `Basic ${btoa(`pos:${API_KEY}`)}` })
      for (const [name, value] of Object.entries(probe.headers ?? {}))
        if (value !== null) headers.set(name, value)
      const init: RequestInit = {
        method: probe.method,
        headers,
        ...(probe.body !== undefined && { body: probe.body }),
      }
      const url = origin + probe.path
      let line: string
      try {
        const response =
          way === 'cloud.fetch' ? await cloud.fetch(new Request(url, init)) : await fetch(url, init)
        const text = (await response.text())
          .replaceAll(origin, '<origin>')
          .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<id>')
        line = `${response.status} ${response.headers.get('content-type')} ${text}`
      } catch (error) {
        line = `threw ${String(error)}`
      }
      seen.push(`${probe.method} ${probe.path} → ${line}`)
    }
  } finally {
    await stop()
    server.resetHandlers()
  }
  return seen
}

describe('Paymentsense fake: cloud.fetch, MSW and a real port answer alike', () => {
  it('the same raw requests get the same answers, none a crash or a 500', async () => {
    const seen: string[][] = []
    for (const way of WAYS) seen.push(await answers(way))
    const [direct, msw, port] = seen as [string[], string[], string[]]
    expect(msw).toEqual(direct)
    expect(port).toEqual(direct)
    for (const line of direct) expect(line).not.toMatch(/→ (threw|5\d\d)/)
  })

  it('a HEAD answer has no body, however it is served (a port never sends one)', async () => {
    const cloud = createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 })
    const response = await cloud.fetch(
      new Request(`${ORIGIN}/pac/terminals`, {
        method: 'HEAD',
        headers: { authorization: `Basic ${btoa(`pos:${API_KEY}`)}`, ...PAC },
      }),
    )
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET')
    expect(response.body).toBeNull()
    expect(await response.text()).toBe('')
  })
})

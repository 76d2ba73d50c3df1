/**
 * The same raw requests (a POS's own HTTP code, not our client) through the three
 * ways of serving the fake: `cloud.fetch`, MSW (`cloud.handlers()` + the global fetch) and a real
 * port (`@tillkit/simulator`'s `serve(cloud.fetch)`). Each must answer alike, crash nowhere.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { listeningServer } from '../../core/test/msw-equivalence.js'
import { API_KEY, PAC_MEDIA, PAT_MEDIA } from '../../paymentsense/test/mock/helpers.js'
import { expectAlike, type Probe } from './three-ways.js'

const server = listeningServer()
const ORIGIN = 'https://acme.test.connect.paymentsense.cloud'

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

describe('Paymentsense fake: cloud.fetch, MSW and a real port answer alike', () => {
  it('the same raw requests get the same answers, none a crash, a hang or a 500', async () => {
    await expectAlike({
      server,
      cloud: () => createFakeCloud({ clock: createManualClock(), requestSpacingMs: 0 }),
      origin: ORIGIN,
      probes: PROBES,
      headers: { authorization: `Basic ${btoa(`pos:${API_KEY}`)}` },
      mask: (text) => text.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<id>'),
    })
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

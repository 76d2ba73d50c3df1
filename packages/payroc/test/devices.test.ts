import { describe, expect, it } from 'vitest'
import { createManualClock } from '@tillkit/core'
import {
  createPayrocClient,
  listDevices,
  TillkitProtocolError,
  TillkitValidationError,
  type Device,
  type DeviceQuery,
} from '../src/index.js'
import { seen, setup } from './helpers.js'

async function all(iterable: AsyncIterable<Device>) {
  const out: Device[] = []
  for await (const device of iterable) out.push(device)
  return out
}

/** A client over a scripted /devices: each call answers the next page. */
function scripted(pages: object[]) {
  const queries: string[] = []
  const client = createPayrocClient({
    apiKey: 'k-123456',
    environment: 'test',
    clock: createManualClock({ autoAdvance: true }),
    fetch: async (request) => {
      if (request.url.endsWith('/authorize'))
        return Response.json({ access_token: 't', expires_in: 60 })
      queries.push(new URL(request.url).search)
      return Response.json(pages.shift())
    },
  })
  return { client, queries }
}

const device = (n: number) => ({ deviceId: `d${n}`, serialNumber: `S${n}` })

describe('listDevices', () => {
  it('walks every page of the fake (12 devices, pages of 10: two requests)', async () => {
    const { cloud, client } = setup()
    const devices = await all(listDevices(client))
    expect(devices.map((d) => d.serialNumber)).toEqual(
      cloud.devices.list().map((d) => d.serialNumber),
    )
    expect(seen(cloud)).toEqual(['POST /authorize', 'GET /v1/devices', 'GET /v1/devices'])
  })

  it('keeps filters and page size on every page', async () => {
    const { cloud, client } = setup()
    const active = await all(listDevices(client, { active: true, limit: 4 }))
    expect(active).toHaveLength(11)
    expect(cloud.requests.slice(1).map((r) => r.path)).toHaveLength(3)
    expect(await all(listDevices(client, { model: 'paxA80' }))).toEqual([
      expect.objectContaining({ serialNumber: 'PAXA80-0011' }),
    ])
  })

  it('can start past a cursor and stop early (a for-await break sends nothing more)', async () => {
    const { cloud, client } = setup()
    const rest = await all(listDevices(client, { after: 'dev_000010' }))
    expect(rest.map((d) => d.serialNumber)).toEqual(['PAXA80-0011', 'PAXA920-0012'])
    const before = cloud.requests.length
    for await (const d of listDevices(client, { limit: 2 }))
      if (d.serialNumber === 'PAXA920-0001') break
    expect(cloud.requests.length - before).toBe(1)
  })

  it.each<[string, unknown, string]>([
    ['limit 0', { limit: 0 }, 'limit'],
    ['active as text', { active: 'yes' }, 'active'],
    ['a misspelt filter', { serial: 'PAXA920-0001' }, 'serial'],
    ['before (the walk goes forwards)', { before: 'dev_000002' }, 'before'],
  ])('%s is refused at the call, before anything is sent', (_, query, field) => {
    const { cloud, client } = setup()
    expect(() => listDevices(client, query as DeviceQuery)).toThrow(
      expect.objectContaining({ name: TillkitValidationError.name, field }),
    )
    expect(cloud.requests).toEqual([])
  })

  it('takes only the cursor from the next link: the request stays on the client base', async () => {
    const { client, queries } = scripted([
      {
        hasMore: true,
        links: [{ rel: 'next', method: 'GET', href: 'https://elsewhere.example/x?after=d1' }],
        data: [device(1)],
      },
      { hasMore: false, data: [device(2)] },
    ])
    expect((await all(listDevices(client))).map((d) => d.deviceId)).toEqual(['d1', 'd2'])
    expect(queries).toEqual(['', '?after=d1'])
  })

  it.each([
    ['no next link', { hasMore: true, data: [device(1)] }],
    [
      'a next link without after',
      {
        hasMore: true,
        links: [{ rel: 'next', method: 'GET', href: '/v1/devices?limit=1' }],
        data: [],
      },
    ],
    [
      'an unreadable next link',
      { hasMore: true, links: [{ rel: 'next', method: 'GET', href: 'http://[' }], data: [] },
    ],
  ])('hasMore with %s is a protocol error', async (_, page) => {
    const { client } = scripted([page])
    await expect(all(listDevices(client))).rejects.toBeInstanceOf(TillkitProtocolError)
  })

  it('a cursor that comes round again is a protocol error, not an endless walk', async () => {
    const next = {
      hasMore: true,
      links: [{ rel: 'next', method: 'GET', href: '/v1/devices?after=d1' }],
    }
    const { client, queries } = scripted([
      { ...next, data: [device(1)] },
      { ...next, data: [device(2)] },
    ])
    await expect(all(listDevices(client))).rejects.toThrow(/already returned/)
    expect(queries).toHaveLength(2)
  })
})

import { describe, expect, it } from 'vitest'
import { API, harness } from './helpers.js'

const serials = (body: any) => body.data.map((d: { serialNumber: string }) => d.serialNumber)

describe('GET /devices', () => {
  it('pages of 10 by default, with a next link carrying the after cursor and the filters', async () => {
    const h = harness()
    const first = (await h.call('GET', '/devices')).body
    expect(first).toMatchObject({ limit: 10, count: 10, hasMore: true })
    expect(first.data[0]).toEqual({
      deviceId: 'dev_000001',
      serialNumber: 'PAXA920-0001',
      ksi: expect.any(String),
      tender: 'creditDebit',
      deviceType: { model: 'paxA920', manufacturer: 'PAX' },
      createdDate: '2026-01-01T00:00:00.000Z',
    })
    expect(first.links).toEqual([
      { rel: 'next', method: 'GET', href: `${API}/devices?limit=10&after=dev_000010` },
    ])
    const second = (await h.call('GET', '/devices?after=dev_000010')).body
    expect(second).toMatchObject({ count: 2, hasMore: false })
    expect(serials(second)).toEqual(['PAXA80-0011', 'PAXA920-0012'])
    expect(second.data[1].deactivatedDate).toBe('2026-01-01T00:00:00.000Z')
    expect(second.links).toEqual([
      { rel: 'previous', method: 'GET', href: `${API}/devices?limit=10&before=dev_000011` },
    ])
  })

  it('walks backwards with before; more means more in that direction', async () => {
    const h = harness()
    const page = (await h.call('GET', '/devices?limit=3&before=dev_000005')).body
    expect(serials(page)).toEqual(['PAXA920-0002', 'PAXA920-0003', 'PAXA920-0004'])
    expect(page.hasMore).toBe(true)
    expect(page.links.map((l: { rel: string }) => l.rel)).toEqual(['previous', 'next'])
    const start = (await h.call('GET', '/devices?limit=3&before=dev_000002')).body
    expect(serials(start)).toEqual(['PAXA920-0001'])
    expect(start.hasMore).toBe(false)
  })

  it('filters by active, model, serial number and ksi, keeping them in the links', async () => {
    const h = harness()
    expect(serials((await h.call('GET', '/devices?active=false')).body)).toEqual(['PAXA920-0012'])
    expect(serials((await h.call('GET', '/devices?model=paxA80')).body)).toEqual(['PAXA80-0011'])
    const one = (await h.call('GET', '/devices?serialNumber=PAXA920-0003')).body
    expect(serials(one)).toEqual(['PAXA920-0003'])
    const byKsi = (await h.call('GET', `/devices?ksi=${one.data[0].ksi}`)).body
    expect(serials(byKsi)).toEqual(['PAXA920-0003'])
    const active = (await h.call('GET', '/devices?active=true&limit=4')).body
    expect(active.links[0].href).toBe(`${API}/devices?active=true&limit=4&after=dev_000004`)
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=x', 'limit'],
    ['active=yes', 'active'],
    ['after=dev_000001&before=dev_000005', 'before'],
    ['after=nope', 'after'],
    ['before=nope', 'before'],
  ])('400 for %s', async (query, parameter) => {
    const h = harness()
    const answer = await h.call('GET', `/devices?${query}`)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([expect.objectContaining({ parameter })])
  })
})

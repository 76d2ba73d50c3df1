import { describe, expect, it } from 'vitest'
import { DEFAULT_TERMINALS } from '../../src/mock/index.js'
import { harness, ORIGIN, pac, sale, start } from './helpers.js'

const list = async (h: ReturnType<typeof harness>, query = '') => {
  const { status, body } = await h.call(pac('GET', `/pac/terminals${query}`))
  expect(status).toBe(200)
  return body.terminals as { tid: string; status: string; currency: string; location: string }[]
}

describe('terminals', () => {
  it('lists the default terminals, the six virtual TIDs included', async () => {
    const h = harness()
    const terminals = await list(h)
    expect(terminals.map((t) => t.tid)).toEqual(DEFAULT_TERMINALS.map((t) => t.tid))
    expect(terminals.map((t) => t.tid)).toEqual(
      expect.arrayContaining([
        'VCMINVLSIP0',
        'VCMINVLDIP0',
        'VCMINVLSCD0',
        'VCMINVLSIS0',
        'VCMINVLUIP0',
        'VCMINVLTIP0',
      ]),
    )
    expect(terminals[0]).toEqual({
      tid: '22160001',
      status: 'AVAILABLE',
      currency: 'GBP',
      location: `${ORIGIN}/pac/terminals/22160001`,
    })
  })

  it('filters by status and currency, and leaves disconnected terminals out', async () => {
    const h = harness({
      terminals: [
        { tid: 'A', currency: 'GBP' },
        { tid: 'B', currency: 'EUR' },
        { tid: 'C', currency: 'GBP', online: false },
      ],
    })
    await start(h, 'A', sale(100))
    expect((await list(h)).map((t) => t.tid)).toEqual(['A', 'B'])
    expect((await list(h, '?status=BUSY')).map((t) => t.tid)).toEqual(['A'])
    expect((await list(h, '?status=AVAILABLE')).map((t) => t.tid)).toEqual(['B'])
    expect((await list(h, '?currency=EUR')).map((t) => t.tid)).toEqual(['B'])
    expect((await list(h, '?currency=GBP&status=AVAILABLE')).map((t) => t.tid)).toEqual([])
    h.cloud.terminals.setOnline('C', true)
    expect((await list(h, '?currency=GBP&status=AVAILABLE')).map((t) => t.tid)).toEqual(['C'])
  })

  it('refuses unknown filter values with 422', async () => {
    const h = harness()
    expect((await h.call(pac('GET', '/pac/terminals?status=IDLE'))).status).toBe(422)
    expect((await h.call(pac('GET', '/pac/terminals?currency=USD'))).status).toBe(422)
  })

  it('reads one terminal; unknown or disconnected ones are 404', async () => {
    const h = harness({ terminals: [{ tid: 'A' }, { tid: 'B', online: false }] })
    const one = await h.call(pac('GET', '/pac/terminals/A'))
    expect(one.body).toMatchObject({ tid: 'A', status: 'AVAILABLE', currency: 'GBP' })
    await start(h, 'A', sale(100))
    expect((await h.call(pac('GET', '/pac/terminals/A'))).body.status).toBe('BUSY')
    expect((await h.call(pac('GET', '/pac/terminals/B'))).status).toBe(404)
    const missing = await h.call(pac('GET', '/pac/terminals/Z'))
    expect(missing.status).toBe(404)
    expect(missing.body.userMessage).toMatch(/not found/)
  })

  it('lets tests add and inspect terminals', async () => {
    const h = harness({ terminals: [] })
    expect(await list(h)).toEqual([])
    expect(h.cloud.terminals.add({ tid: 'N', currency: 'EUR', scenario: 'decline' })).toEqual({
      tid: 'N',
      currency: 'EUR',
      scenario: 'decline',
      online: true,
      status: 'AVAILABLE',
      activeRequestId: undefined,
    })
    expect(() => h.cloud.terminals.add({ tid: 'N' })).toThrow(/already exists/)
    expect(h.cloud.terminals.list().map((t) => t.tid)).toEqual(['N'])
    expect(() => h.cloud.terminals.get('nope')).toThrow(/not found/)
  })
})

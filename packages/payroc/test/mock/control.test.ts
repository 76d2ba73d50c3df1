import { describe, expect, it } from 'vitest'
import { createFakeCloud, DEFAULT_DEVICES } from '../../src/mock/index.js'
import { harness, submit } from './helpers.js'

describe('control surfaces', () => {
  it('devices: list, get, add, pin a scenario, deactivate and reactivate', async () => {
    const h = harness()
    expect(h.cloud.devices.list()).toHaveLength(DEFAULT_DEVICES.length)
    expect(h.cloud.devices.get('PAXA920-0012').active).toBe(false)
    const added = h.cloud.devices.add({
      serialNumber: 'NEW-1',
      processingTerminalId: '7777001',
      model: 'paxA80',
    })
    expect(added).toEqual({
      serialNumber: 'NEW-1',
      deviceId: 'dev_000013',
      processingTerminalId: '7777001',
      model: 'paxA80',
      scenario: undefined,
      active: true,
      busyWith: undefined,
    })
    expect(() => h.cloud.devices.add({ serialNumber: 'NEW-1' })).toThrow(/already exists/)
    h.cloud.devices.setScenario('PAXA920-0001', 'decline')
    const id = await submit(h, 4999)
    expect(h.cloud.devices.get('PAXA920-0001').busyWith).toBe(id)
    await h.clock.advance(6_000)
    expect(h.cloud.devices.get('PAXA920-0001').busyWith).toBeUndefined()
    expect(h.cloud.ledger.map((e) => e.result)).toEqual(['declined'])
    h.cloud.devices.setScenario('PAXA920-0001', undefined)
    h.cloud.devices.setActive('PAXA920-0001', false)
    expect(
      (
        await h.call('POST', '/devices/PAXA920-0001/payment-instructions', {
          body: {
            processingTerminalId: '1234001',
            order: { orderId: 'x', amount: 1, currency: 'USD' },
          },
        })
      ).status,
    ).toBe(404)
    h.cloud.devices.setActive('PAXA920-0001', true)
    expect(await submit(h, 4999)).toEqual(expect.any(String))
  })

  it('instructions: list and get, brought up to the clock', async () => {
    const h = harness()
    const id = await submit(h, 4999)
    expect(h.cloud.instructions.get(id)).toEqual({
      kind: 'payment',
      id,
      serialNumber: 'PAXA920-0001',
      scenario: 'approve',
      status: 'inProgress',
      createdAt: h.clock.now(),
      plannedEndAt: h.clock.now() + 6_000,
    })
    await h.clock.advance(6_000)
    expect(h.cloud.instructions.list()).toEqual([
      expect.objectContaining({
        id,
        status: 'completed',
        endedAt: h.clock.now(),
        resultId: expect.any(String),
      }),
    ])
    expect(() => h.cloud.instructions.get('nope')).toThrow(/No instruction/)
  })

  it('timings are configurable; the default clock is the system clock', async () => {
    const h = harness({ timings: { cardMs: 100, authMs: 50 } })
    const id = await submit(h, 4999)
    expect(h.cloud.instructions.get(id).plannedEndAt - h.clock.now()).toBe(150)
    const real = createFakeCloud()
    expect(Math.abs(real.clock.now() - Date.now())).toBeLessThan(1_000)
  })
})

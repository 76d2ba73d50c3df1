import { describe, expect, it } from 'vitest'
import {
  cancelInstruction,
  submitInstruction,
  TillkitHttpError,
  waitForInstruction,
} from '../src/index.js'
import { sale, SERIAL, setup, until } from './helpers.js'

const deletes = (cloud: ReturnType<typeof setup>['cloud']) =>
  cloud.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)

describe('cancelInstruction and its races', () => {
  it('cancels while a read is held: the waiting POS sees canceled at once; nothing charged', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const waiting = waitForInstruction(client, 'payment', id)
    await until(() => cloud.requests.some((r) => r.method === 'GET'))
    await clock.advance(20_000)
    expect(await cancelInstruction(client, 'payment', id)).toEqual({ canceled: true })
    expect(await waiting).toMatchObject({ status: 'canceled' })
    const read = cloud.requests.find((r) => r.method === 'GET' && r.path.includes('instructions'))
    expect(read!.heldMs).toBe(20_000)
    await clock.advance(100_000)
    expect(cloud.ledger).toEqual([])
  })

  it('a cancel arriving the instant the device completes loses: 409, and the completed instruction comes back', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4999))
    await clock.advance(6_000)
    const result = await cancelInstruction(client, 'payment', id)
    expect(result).toMatchObject({ canceled: false, instruction: { status: 'completed' } })
    expect(result.instruction?.link?.href).toMatch(/\/payments\//)
    expect(deletes(cloud)).toEqual([409])
    expect(cloud.ledger).toHaveLength(1)
  })

  it('one millisecond earlier the cancel wins and nothing is charged', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4999))
    await clock.advance(5_999)
    expect(await cancelInstruction(client, 'payment', id)).toEqual({ canceled: true })
    await clock.advance(10_000)
    expect(cloud.ledger).toEqual([])
  })

  it('after a failure the cancel is too late and says so', async () => {
    const { client } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(1004))
    await waitForInstruction(client, 'payment', id)
    expect(await cancelInstruction(client, 'payment', id)).toMatchObject({
      canceled: false,
      instruction: { status: 'failure' },
    })
  })

  it('two cancels at once: one 204, one 409, and both report the instruction canceled', async () => {
    const { cloud, client } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const [a, b] = await Promise.all([
      cancelInstruction(client, 'payment', id),
      cancelInstruction(client, 'payment', id),
    ])
    expect(deletes(cloud).sort()).toEqual([204, 409])
    expect([a!.canceled, b!.canceled]).toEqual([true, true])
    expect([a, b].find((r) => r!.instruction)?.instruction?.status).toBe('canceled')
  })

  it('a cancel whose answer was lost is sent again; the 409 and a read show it took effect', async () => {
    const { cloud, client } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'DELETE' }, times: 1 })
    const result = await cancelInstruction(client, 'payment', id)
    expect(result).toMatchObject({ canceled: true, instruction: { status: 'canceled' } })
    expect(deletes(cloud)).toEqual([undefined, 409])
  })

  it('a cancel that met a 5xx is sent again; a second 5xx is thrown', async () => {
    const { cloud, client } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    cloud.faults.add({ kind: 'status', status: 502, match: { method: 'DELETE' }, times: 1 })
    expect(await cancelInstruction(client, 'payment', id)).toEqual({ canceled: true })
    const other = await submitInstruction(client, 'payment', 'PAXA920-0002', sale(4906))
    cloud.faults.add({ kind: 'status', status: 500, match: { method: 'DELETE' } })
    const error = await cancelInstruction(client, 'payment', other.id).catch((e) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error.status).toBe(500)
    expect(deletes(cloud)).toEqual([502, 204, 500, 500])
  })

  it('a 4xx other than 409 is thrown as is, and not repeated', async () => {
    const { cloud, client } = setup()
    const error = await cancelInstruction(client, 'refund', 'nope').catch((e) => e)
    expect(error).toMatchObject({ name: 'TillkitHttpError', status: 404 })
    expect(deletes(cloud)).toEqual([404])
  })

  it('a caller abort is not repeated', async () => {
    const { cloud, client } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'DELETE' } })
    const controller = new AbortController()
    const cancel = cancelInstruction(client, 'payment', id, { signal: controller.signal })
    await until(() => cloud.requests.some((r) => r.method === 'DELETE'))
    controller.abort()
    await expect(cancel).rejects.toMatchObject({ name: 'TillkitAbortedError' })
    expect(cloud.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1)
  })

  it('refund and signature instructions cancel the same way', async () => {
    const { cloud, client } = setup({ autoAdvance: false })
    const refund = await submitInstruction(client, 'refund', SERIAL, {
      processingTerminalId: '1234001',
      order: { orderId: 'r', amount: 100, currency: 'USD', description: 'x' },
    })
    const signature = await submitInstruction(client, 'signature', 'PAXA920-0002', {
      processingTerminalId: '1234001',
    })
    expect(await cancelInstruction(client, 'refund', refund.id)).toEqual({ canceled: true })
    expect(await cancelInstruction(client, 'signature', signature.id)).toEqual({ canceled: true })
    expect(cloud.instructions.list().map((i) => i.status)).toEqual(['canceled', 'canceled'])
  })
})

/** Problem documents carry the fields Payroc's types require for each status, injected faults included. */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { listeningServer } from '../../../core/test/msw-equivalence.js'
import { harness, sale, SERIAL } from './helpers.js'

const server = listeningServer()

describe('problem documents', () => {
  // FACTS §7: a 500 body is a problem document with type, title, status and detail [V:sdk types].
  it('an injected 500 answers a problem document (nothing is done)', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 500, match: { method: 'POST' }, times: 1 })
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(100),
    })
    expect(answer.status).toBe(500)
    expect(answer.headers.get('content-type')).toBe('application/json')
    expect(answer.body).toEqual({
      type: expect.any(String),
      title: expect.any(String),
      status: 500,
      detail: expect.any(String),
    })
    expect(h.cloud.instructions.list()).toEqual([])
  })

  it('a 500 fault with its own body keeps it', async () => {
    const h = harness()
    await h.token()
    h.cloud.faults.add({ kind: 'status', status: 500, body: { oops: true }, times: 1 })
    expect((await h.call('GET', '/devices')).body).toEqual({ oops: true })
  })

  // FACTS §7: a 409's `errors` items have parameter, detail and message [V:sdk types].
  it('a 409 for a reused Idempotency-Key names the header with parameter, detail and message', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const path = `/devices/${SERIAL}/payment-instructions`
    expect((await h.call('POST', path, { body: sale(100), key })).status).toBe(202)
    const answer = await h.call('POST', path, { body: sale(200), key })
    expect(answer.status).toBe(409)
    expect(answer.body.errors).toEqual([
      { parameter: 'Idempotency-Key', detail: expect.any(String), message: expect.any(String) },
    ])
  })
})

describe('behind a path prefix (a POS that reaches the gateway through its own proxy)', () => {
  it.each([
    ['http://proxy.test/payroc', 'http://proxy.test/payroc'],
    ['http://proxy.test/*/payroc/', 'http://proxy.test/eu/payroc'],
    ['https://*.payroc.com', 'https://api.uat.payroc.com'],
  ])('handlers(%s), sent to %s: instance and a 404 name the path as sent', async (base, at) => {
    const cloud = createFakeCloud({ clock: createManualClock() })
    server.use(...cloud.handlers(base))
    const prefix = new URL(at).pathname.replace(/\/$/, '')
    const auth = await fetch(`${at}/authorize`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-api-key' },
    })
    const bearer = { authorization: `Bearer ${(await auth.json()).access_token}` }
    const submit = (body: unknown, key: string) =>
      fetch(`${at}/v1/devices/${SERIAL}/payment-instructions`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      })
    const key = crypto.randomUUID()
    const submitted = await submit(sale(100), key)
    expect(submitted.status).toBe(202)
    const { paymentInstructionId: id } = await submitted.json()

    const reused = await submit(sale(200), key)
    const busy = await submit(sale(300), crypto.randomUUID())
    expect(await reused.json()).toMatchObject({
      status: 409,
      instance: `${prefix}/v1/devices/${SERIAL}/payment-instructions`,
    })
    expect(await busy.json()).toMatchObject({
      status: 409,
      instance: `${prefix}/v1/devices/${SERIAL}/payment-instructions`,
      link: { href: `${at}/v1/payment-instructions/${id}` },
    })
    const cancel = () =>
      fetch(`${at}/v1/payment-instructions/${id}`, { method: 'DELETE', headers: bearer })
    expect((await cancel()).status).toBe(204)
    expect(await (await cancel()).json()).toMatchObject({
      status: 409,
      instance: `${prefix}/v1/payment-instructions/${id}`,
    })
    for (const path of ['/v1/nothing?x=1', '/nothing'])
      expect(await (await fetch(`${at}${path}`, { headers: bearer })).json()).toMatchObject({
        status: 404,
        detail: `No such resource: ${prefix}${path.replace(/\?.*/, '')}.`,
      })
  })
})

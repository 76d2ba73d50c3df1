import { describe, expect, it } from 'vitest'
import { paymentBodyRefusals, refund } from '../helpers.js'
import { API, harness, IDENTITY, read, sale, SERIAL, submit } from './helpers.js'

const problem = (status: number) =>
  expect.objectContaining({
    type: expect.stringMatching(/^urn:tillkit:fake-payroc:/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  })

describe('identity', () => {
  it('issues a bearer token for a known API key', async () => {
    const { cloud } = harness({ tokenLifetimeSeconds: 900 })
    const answer = await read(
      await cloud.fetch(`${IDENTITY}/authorize`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-api-key' },
      }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^tk_[0-9a-f]{32}$/),
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'payroc-cloud',
    })
    expect(cloud.identity.issued).toBe(1)
  })

  it.each([
    ['no key', {}],
    ['an unknown key', { 'x-api-key': 'nope' }],
  ])('answers 401 with a problem for %s', async (_, headers) => {
    const { cloud } = harness()
    const answer = await read(
      await cloud.fetch(`${IDENTITY}/authorize`, { method: 'POST', headers }),
    )
    expect(answer.status).toBe(401)
    expect(answer.body).toEqual(problem(401))
    expect(cloud.identity.issued).toBe(0)
  })

  it('answers 405 to anything but POST', async () => {
    const { cloud } = harness()
    const answer = await read(await cloud.fetch(`${IDENTITY}/authorize`))
    expect(answer.status).toBe(405)
    expect(answer.headers.get('allow')).toBe('POST')
  })
})

describe('what every API request goes through', () => {
  it.each([
    ['no Authorization header', { authorization: undefined }],
    ['an unknown token', { authorization: 'Bearer tk_unknown' }],
    ['Basic instead of Bearer', { authorization: `Basic ${btoa('a:b')}` }],
  ])('401 for %s', async (_, headers) => {
    const h = harness()
    const answer = await h.call('GET', '/devices', { headers })
    expect(answer.status).toBe(401)
    expect(answer.body).toEqual(problem(401))
  })

  it('401 once a token has expired, by the clock', async () => {
    const h = harness({ tokenLifetimeSeconds: 60 })
    const token = await h.token()
    expect((await h.call('GET', '/devices', { token })).status).toBe(200)
    await h.clock.advance(59_999)
    expect((await h.call('GET', '/devices', { token })).status).toBe(200)
    await h.clock.advance(1)
    const answer = await h.call('GET', '/devices', { token })
    expect(answer.status).toBe(401)
    expect(answer.body.detail).toMatch(/expired/)
  })

  it('401 for every token after revokeAll; a new token works', async () => {
    const h = harness()
    const token = await h.token()
    h.cloud.identity.revokeAll()
    expect((await h.call('GET', '/devices', { token })).status).toBe(401)
    expect((await h.call('GET', '/devices', { token: await h.token() })).status).toBe(200)
  })

  it('403 for writes with a read-only key; reads still work', async () => {
    const h = harness({ readOnlyApiKeys: ['reader-key'] })
    const token = await h.token('reader-key')
    const post = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      token,
      body: sale(100),
    })
    expect(post.status).toBe(403)
    expect(post.body).toEqual(problem(403))
    const id = await submit(h, 100)
    expect((await h.call('DELETE', `/payment-instructions/${id}`, { token })).status).toBe(403)
    expect((await h.call('GET', '/devices', { token })).status).toBe(200)
    expect(h.cloud.instructions.get(id).status).toBe('inProgress')
  })

  it('406 when Accept rules out JSON; */* and a missing Accept are fine', async () => {
    const h = harness()
    const refused = await h.call('GET', '/devices', { headers: { accept: 'text/html' } })
    expect(refused.status).toBe(406)
    expect(refused.body).toEqual(problem(406))
    expect((await h.call('GET', '/devices', { headers: { accept: '*/*' } })).status).toBe(200)
    expect((await h.call('GET', '/devices', { headers: { accept: undefined } })).status).toBe(200)
  })

  it('415 for a body not sent as application/json', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(100),
      headers: { 'content-type': 'text/plain' },
    })
    expect(answer.status).toBe(415)
    expect(answer.body).toEqual(problem(415))
  })

  it('400 for a body that is not JSON', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: '{oops',
    })
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([expect.objectContaining({ parameter: 'body' })])
  })

  it.each([
    ['missing', undefined, 'required'],
    ['not a UUID v4', 'not-a-uuid', 'must be a UUID v4'],
  ])('400 when the Idempotency-Key is %s', async (_, key, message) => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(100),
      headers: { 'idempotency-key': key },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([{ parameter: 'Idempotency-Key', message }])
    expect(h.cloud.instructions.list()).toEqual([])
  })

  it.each([
    ['order.amount', sale(0)],
    ['order.currency', { ...sale(100), order: { orderId: 'o', amount: 100, currency: 'usd' } }],
    ['processingTerminalId', { order: sale(100).order }],
    ['order', { processingTerminalId: '1234001' }],
    ['body', [1, 2]],
  ])('400 naming %s when a body rule is broken', async (parameter, body) => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, { body })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual(problem(400))
    expect(answer.body.errors).toEqual([expect.objectContaining({ parameter })])
  })

  it.each(paymentBodyRefusals)(
    '400 naming %s: the nested parts of a payment are checked by the client rules',
    async (parameter, body) => {
      const h = harness()
      const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, { body })
      expect(answer.status).toBe(400)
      expect(answer.body.errors).toEqual([expect.objectContaining({ parameter })])
      expect(h.cloud.instructions.list()).toEqual([])
    },
  )

  it.each([
    ['order.dateTime', { ...refund(1), order: { ...refund(1).order, dateTime: 'yesterday' } }],
    ['ipAddress.type', { ...refund(1), ipAddress: { type: 'ipv5', value: '1.2.3.4' } }],
  ])('400 naming %s on a refund instruction', async (parameter, body) => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/refund-instructions`, { body })
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([expect.objectContaining({ parameter })])
  })

  it('an empty operator and a merchant-initiated agreement with standing instructions are taken (202)', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: {
        ...sale(100),
        operator: '',
        order: { ...sale(100).order, standingInstructions: { sequence: 'first' } },
        credentialOnFile: { mitAgreement: 'installment' },
      },
    })
    expect(answer.status).toBe(202)
  })

  it('400 when the instruction names a terminal the device is not linked to', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(100, { processingTerminalId: '9999999' }),
    })
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ parameter: 'processingTerminalId' }),
    ])
  })

  it('404 for unknown paths, devices, instructions and resources; an instruction id is not a payment id', async () => {
    const h = harness()
    const id = await submit(h, 100)
    for (const [method, path, body] of [
      ['GET', '/nothing-here'],
      ['POST', '/devices/NOPE-1/payment-instructions', sale(100)],
      ['GET', '/payment-instructions/unknown'],
      ['GET', `/refund-instructions/${id}`],
      ['DELETE', '/signature-instructions/unknown'],
      ['GET', `/payments/${id}`],
      ['GET', '/refunds/unknown'],
      ['GET', '/signatures/unknown'],
    ] as const) {
      const answer = await h.call(method, path, { ...(body && { body }) })
      expect(answer.status, `${method} ${path}`).toBe(404)
      expect(answer.body).toEqual(problem(404))
    }
    const outside = await read(await h.cloud.fetch('https://api.uat.payroc.com/v2/devices'))
    expect(outside.status).toBe(404)
  })

  it('405 with Allow for a known path and the wrong method', async () => {
    const h = harness()
    const answer = await h.call('POST', '/devices', { body: {} })
    expect(answer.status).toBe(405)
    expect(answer.headers.get('allow')).toBe('GET')
  })

  it('404 for a deactivated device; 409 (with a link to what it is doing) for a busy one', async () => {
    const h = harness()
    const deactivated = await h.call('POST', '/devices/PAXA920-0012/payment-instructions', {
      body: sale(100),
    })
    expect(deactivated.status).toBe(404)
    expect(deactivated.body.resource).toBe('device PAXA920-0012')
    const first = await submit(h, 100)
    const busy = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: sale(200),
    })
    expect(busy.status).toBe(409)
    expect(busy.body).toEqual(problem(409))
    expect(busy.body.link).toEqual({
      rel: 'self',
      method: 'GET',
      href: `${API}/payment-instructions/${first}`,
    })
    expect(busy.body.instance).toBe(`/v1/devices/${SERIAL}/payment-instructions`)
    // Another device is free, and this one is free again once the first instruction ends.
    expect(await submit(h, 300, 'PAXA920-0002')).toEqual(expect.any(String))
    await h.clock.advance(6_000)
    expect(await submit(h, 400)).toEqual(expect.any(String))
  })
})

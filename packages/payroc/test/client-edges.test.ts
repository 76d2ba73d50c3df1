import { describe, expect, it } from 'vitest'
import { findPayments, listDevices, submitInstruction, waitForInstruction } from '../src/index.js'
import { sale, SERIAL, setup, until } from './helpers.js'

describe('Payroc client at its edges: given keys, aborts, missing parameters, odd names', () => {
  // Expected: a caller's signal that fires while waitForInstruction spaces its reads (minIntervalMs) rejects
  // with TillkitAbortedError. README "What the calls reject with": "TillkitAbortedError | your signal fired".
  it('an abort during the spacing between reads is a TillkitAbortedError', async () => {
    const { cloud, client, clock } = setup({ autoAdvance: false, cloud: { holdMs: 0 } })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4999)) // 6 s
    const controller = new AbortController()
    const waiting = waitForInstruction(client, 'payment', id, {
      minIntervalMs: 5_000,
      signal: controller.signal,
    }).catch((e) => e)
    // The first read answers at once (no hold): the loop now sleeps out the rest of the 5 s.
    await until(() => cloud.requests.some((r) => r.method === 'GET' && r.status === 200))
    await clock.advance(1_000)
    controller.abort()
    const error = await waiting
    expect(error).toMatchObject({ name: 'TillkitAbortedError' })
  })

  // Expected: a filter the search does not take is refused, naming it, before anything is sent.
  // README "Finding payments": "a filter the search does not take ... is a TillkitValidationError naming it".
  it('a filter named like an Object.prototype member (constructor) is refused, nothing sent', async () => {
    const { cloud, client } = setup()
    // Checked at the call (README: "filters is checked at the call, before anything is sent").
    expect(() => findPayments(client, { constructor: 'x' } as never)).toThrow(
      expect.objectContaining({ name: 'TillkitValidationError', field: 'constructor' }),
    )
    expect(cloud.requests).toEqual([])
  })

  // Same rule for listDevices (README "Devices": "The query is checked when listDevices is called").
  it('a device query key like toString is refused, nothing sent', async () => {
    const { cloud, client } = setup()
    let error: unknown
    try {
      const walk = listDevices(client, { toString: 'x' } as never)
      await walk.next()
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'TillkitValidationError', field: 'toString' })
    expect(cloud.requests).toEqual([])
  })

  // Expected: the caller's signal stops a call promptly, also while the client is still getting its token.
  // README "What the calls reject with": "TillkitAbortedError | your signal fired"; README "Finding payments":
  // "opts.signal stops the walk".
  it('an abort while the token request hangs ends the call at once', async () => {
    const { cloud, client } = setup({ autoAdvance: false })
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { path: '/authorize' } })
    const controller = new AbortController()
    let settled: unknown
    void client.api.GET('/devices', { signal: controller.signal }).then(
      (r) => (settled = r),
      (e) => (settled = e),
    )
    await until(() => cloud.requests.some((r) => r.path === '/authorize'))
    controller.abort()
    // No clock time passes: an abort needs none.
    await until(() => settled !== undefined, 200).catch(() => {})
    expect(settled).toMatchObject({ name: 'TillkitAbortedError' })
  })

  // Expected: a path parameter left out is refused before anything is sent.
  // README "Checked before sending": "Path parameters must be non-empty strings" and "nothing is sent, not even a
  // token request".
  it('a missing path parameter is refused, nothing sent', async () => {
    const { cloud, client } = setup()
    const call = client.api.DELETE('/payment-instructions/{paymentInstructionId}', {
      params: { path: {} },
    } as never)
    const outcome = await call.then(
      (r) => r,
      (e) => e,
    )
    expect(outcome).toMatchObject({ name: 'TillkitValidationError', field: 'paymentInstructionId' })
    expect(cloud.requests).toEqual([])
  })

  // Expected: a body that cannot even be serialised never left the client, so it is not an unknown outcome
  // (README "When the answer to a submit is lost": unknown outcome only when "the instruction may exist on the
  // device"; DESIGN: "A request that may have reached the provider but whose response was lost is an unknown
  // outcome"). Here nothing was sent, yet the POS is told to replay the key.
  it('a submit whose body cannot be serialised is not reported as an unknown outcome', async () => {
    const { cloud, client } = setup()
    const body = { ...sale(100), customer: { referenceNumber: 1n } } as never
    const error = await submitInstruction(client, 'payment', SERIAL, body).catch((e) => e)
    expect(cloud.requests.filter((r) => r.path.includes('instructions'))).toEqual([])
    expect(error.name).not.toBe('TillkitUnknownOutcomeError')
    expect(error.outcomeUnknown).toBe(false)
  })

  // Expected: once an attempt of a submit may have reached the gateway (its answer was lost), the call can only end
  // as a TillkitUnknownOutcomeError carrying the key. README "When the answer to a submit is lost": "a retry is
  // refused after an earlier attempt may have got through ... submitInstruction rejects with a
  // TillkitUnknownOutcomeError"; DESIGN: "never a failure".
  it('a lost submit answer, then a 401 whose token renewal fails: still an unknown outcome', async () => {
    const { cloud } = setup()
    let submits = 0
    let identityDown = false
    const flaky = async (request: Request) => {
      if (request.url.endsWith('/authorize') && identityDown)
        return Response.json(
          { type: 'about:blank', title: 'Unavailable', status: 503, detail: 'down' },
          { status: 503 },
        )
      if (request.url.endsWith('/payment-instructions') && submits++ === 0) {
        await cloud.fetch(request) // the instruction is created on the device...
        cloud.identity.revokeAll() // ...the token is revoked meanwhile...
        identityDown = true // ...and the identity service is down
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
      }
      return cloud.fetch(request)
    }
    const { client } = setup({ client: { fetch: flaky } })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(4999)).catch((e) => e)
    expect(cloud.instructions.list()).toHaveLength(1) // the device is taking the card
    expect(error).toMatchObject({
      name: 'TillkitUnknownOutcomeError',
      known: { idempotencyKey: expect.any(String) },
    })
  })

  // Expected: an Idempotency-Key the caller gives is the one sent; a fresh key is only made when none is given.
  // README "Idempotency keys": "The client makes a new one per call unless you pass ..." and the replay rule
  // "Submit again with the same idempotencyKey" (FACTS §6: reuse the same key to retry). openapi-fetch's typed
  // per-request `headers` option (and a lower-case `idempotency-key` in params.header) is silently overridden by a
  // fresh key, so a replay meant to be recognised creates a second instruction.
  it('a caller-given key in the request headers is not replaced by a fresh one', async () => {
    const { cloud, client } = setup()
    const key = crypto.randomUUID()
    await client.api.POST('/devices/{serialNumber}/signature-instructions', {
      params: { path: { serialNumber: SERIAL } },
      headers: { 'Idempotency-Key': key },
      body: { processingTerminalId: '1234001' },
    })
    const posts = cloud.requests.filter((r) => r.path.endsWith('signature-instructions'))
    expect(posts.map((r) => r.idempotencyKey)).toEqual([key])
  })
})

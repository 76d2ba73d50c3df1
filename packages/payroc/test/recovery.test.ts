import { describe, expect, it } from 'vitest'
import {
  submitInstruction,
  TillkitHttpError,
  TillkitUnknownOutcomeError,
  waitForInstruction,
  type SubmitKnown,
} from '../src/index.js'
import { refund, sale, SERIAL, setup } from './helpers.js'

const posts = (cloud: ReturnType<typeof setup>['cloud']) =>
  cloud.requests
    .filter((r) => r.method === 'POST' && r.path !== '/authorize')
    .map((r) => ({ status: r.status, key: r.idempotencyKey, replayed: r.replayed ?? false }))

describe('a lost submit answer', () => {
  it('is replayed by the transport with the same key and body: one instruction, one charge', async () => {
    const { cloud, client } = setup()
    cloud.faults.add({
      kind: 'lostResponse',
      match: { method: 'POST', path: /instructions$/ },
      times: 1,
    })
    const submitted = await submitInstruction(client, 'payment', SERIAL, sale(4999))
    const [lost, replay] = posts(cloud)
    expect(lost).toEqual({ status: undefined, key: submitted.idempotencyKey, replayed: false })
    expect(replay).toEqual({ status: 202, key: submitted.idempotencyKey, replayed: true })
    expect(cloud.instructions.list().map((i) => i.id)).toEqual([submitted.id])
    await waitForInstruction(client, 'payment', submitted.id)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('the same after a timeout (the answer never came)', async () => {
    const { cloud, client } = setup({ client: { timeoutMs: 5_000 } })
    cloud.faults.add({
      kind: 'lostResponse',
      mode: 'hang',
      match: { method: 'POST', path: /instructions$/ },
      times: 1,
    })
    const submitted = await submitInstruction(client, 'payment', SERIAL, sale(4999))
    expect(posts(cloud).map((p) => p.replayed)).toEqual([false, true])
    expect(cloud.instructions.list()).toHaveLength(1)
    expect(submitted.instruction.status).toBe('inProgress')
  })

  it('when every attempt is lost: an unknown outcome carrying the key; replaying it finds the instruction', async () => {
    const { cloud, client } = setup({ client: { retry: false } })
    const removeFault = cloud.faults.add({
      kind: 'lostResponse',
      match: { method: 'POST', path: /instructions$/ },
    })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(4999)).catch((e) => e)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    expect(error).toMatchObject({
      operation: 'paymentInstruction',
      reason: 'network',
      outcomeUnknown: true,
    })
    const known = error.known as SubmitKnown
    expect(known).toEqual({
      kind: 'payment',
      serialNumber: SERIAL,
      idempotencyKey: expect.any(String),
      orderId: 'order-4999',
      amount: 4999,
    })
    // The device is working on it: a new key would be refused as busy, or worse, charge twice later.
    expect(cloud.instructions.list()).toHaveLength(1)
    removeFault()
    const replayed = await submitInstruction(client, 'payment', SERIAL, sale(4999), {
      idempotencyKey: known.idempotencyKey,
    })
    expect(replayed.id).toBe(cloud.instructions.list()[0]!.id)
    expect(posts(cloud).at(-1)).toMatchObject({ status: 202, replayed: true })
    await waitForInstruction(client, 'payment', replayed.id)
    expect(cloud.ledger).toHaveLength(1)
  })

  it('a timeout with retries off is an unknown outcome with reason timeout', async () => {
    const { cloud, client } = setup({ client: { retry: false, timeoutMs: 1_000 } })
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { path: /instructions$/ } })
    const error = await submitInstruction(client, 'refund', SERIAL, refund(700)).catch((e) => e)
    expect(error).toMatchObject({ name: 'TillkitUnknownOutcomeError', reason: 'timeout' })
    expect(error.known).toMatchObject({ kind: 'refund', orderId: 'refund-700', amount: 700 })
  })

  it('a 5xx is retried with the same key; a lasting one is an unknown outcome (reason server error)', async () => {
    const { cloud, client } = setup()
    cloud.faults.add({ kind: 'status', status: 503, match: { path: /instructions$/ }, times: 1 })
    await submitInstruction(client, 'payment', SERIAL, sale(4999))
    expect(posts(cloud).map((p) => p.status)).toEqual([503, 202])
    cloud.faults.add({ kind: 'status', status: 500, match: { path: /instructions$/ } })
    const error = await submitInstruction(client, 'signature', 'PAXA920-0002', {
      processingTerminalId: '1234001',
    }).catch((e) => e)
    expect(error).toMatchObject({ name: 'TillkitUnknownOutcomeError', reason: 'server error' })
    expect(error.known).toEqual({
      kind: 'signature',
      serialNumber: 'PAXA920-0002',
      idempotencyKey: expect.any(String),
    })
  })

  it('a 429 is retried after Retry-After', async () => {
    const { cloud, client } = setup()
    cloud.faults.add({
      kind: 'status',
      status: 429,
      retryAfter: 2,
      match: { path: /instructions$/ },
      times: 1,
    })
    await submitInstruction(client, 'payment', SERIAL, sale(4999))
    const [refused, accepted] = cloud.requests.filter((r) => r.path.endsWith('instructions'))
    expect(refused!.status).toBe(429)
    expect(accepted!.at - refused!.at).toBe(2_000)
  })

  it('a definite refusal is not an unknown outcome: 400, busy 409, key reused with another body 409', async () => {
    const { client } = setup()
    const badTerminal = await submitInstruction(
      client,
      'payment',
      SERIAL,
      sale(1, { processingTerminalId: '42' }),
    ).catch((e) => e)
    expect(badTerminal).toBeInstanceOf(TillkitHttpError)
    expect(badTerminal).toMatchObject({ status: 400, outcomeUnknown: false })
    const first = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const busy = await submitInstruction(client, 'payment', SERIAL, sale(200)).catch((e) => e)
    expect(busy).toMatchObject({ status: 409, outcomeUnknown: false })
    const reused = await submitInstruction(client, 'payment', SERIAL, sale(4907), {
      idempotencyKey: first.idempotencyKey,
    }).catch((e) => e)
    expect(reused).toMatchObject({ status: 409 })
    expect(reused.body.errors).toEqual([expect.objectContaining({ parameter: 'Idempotency-Key' })])
  })

  it('a 2xx without an instruction id, or with an empty body: accepted but unreadable, an unknown outcome', async () => {
    for (const body of [
      { status: 'inProgress' },
      { paymentInstructionId: 'x', status: 'odd' },
      '',
    ]) {
      const { cloud, client } = setup()
      cloud.faults.add({ kind: 'status', status: 202, body, match: { path: /instructions$/ } })
      const error = await submitInstruction(client, 'payment', SERIAL, sale(1)).catch((e) => e)
      expect(error).toMatchObject({
        name: 'TillkitUnknownOutcomeError',
        reason: 'unreadable answer',
        known: { idempotencyKey: expect.any(String) },
      })
    }
  })

  it('a 2xx whose body breaks off: a lost answer, an unknown outcome', async () => {
    const { cloud } = setup()
    const broken = async (request: Request) => {
      const answer = await cloud.fetch(request)
      if (!request.url.endsWith('instructions')) return answer
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"paymentInstructionId":"'))
          controller.error(new TypeError('terminated'))
        },
      })
      return new Response(stream, { status: 202, headers: answer.headers })
    }
    const { client } = setup({ client: { fetch: broken } })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(1)).catch((e) => e)
    expect(error).toMatchObject({
      name: 'TillkitUnknownOutcomeError',
      reason: 'network',
      known: { idempotencyKey: expect.any(String) },
    })
  })

  it('a first answer lost, then a refusal (409) of the retry: unknown, never a plain refusal', async () => {
    const { cloud } = setup()
    let submits = 0
    const flaky = async (request: Request) => {
      if (!request.url.endsWith('instructions')) return cloud.fetch(request)
      if (submits++ === 0) {
        await cloud.fetch(request)
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
      }
      return Response.json(
        { type: 'about:blank', title: 'Conflict', status: 409, detail: 'busy' },
        { status: 409 },
      )
    }
    const { client } = setup({ client: { fetch: flaky } })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(1)).catch((e) => e)
    expect(submits).toBe(2)
    expect(error).toMatchObject({
      name: 'TillkitUnknownOutcomeError',
      known: { idempotencyKey: expect.any(String) },
      cause: { status: 409, earlierMayHaveActed: true },
    })
  })

  it('a 2xx whose body is not JSON: accepted but unreadable, so an unknown outcome (replay to learn the id)', async () => {
    const { cloud, client } = setup()
    cloud.faults.add({
      kind: 'status',
      status: 202,
      body: '<html>ok</html>',
      match: { path: /instructions$/ },
      times: 1,
    })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(1)).catch((e) => e)
    expect(error).toMatchObject({ name: 'TillkitUnknownOutcomeError', reason: 'unreadable answer' })
  })
})

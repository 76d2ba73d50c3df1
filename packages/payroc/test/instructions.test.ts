import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '@tillkit/core'
import {
  approvalOf,
  createPayrocClient,
  retrieveResult,
  submitInstruction,
  TillkitHttpError,
  TillkitProtocolError,
  TillkitTimeoutError,
  TillkitValidationError,
  waitForInstruction,
  type Instruction,
} from '../src/index.js'
import { sale, SERIAL, setup, TERMINAL } from './helpers.js'
import { createFakeCloud } from '../src/mock/index.js'

const reads = (cloud: ReturnType<typeof setup>['cloud']) =>
  cloud.requests.filter((r) => r.method === 'GET' && r.path.includes('-instructions/'))

describe('waitForInstruction: the long-poll contract', () => {
  it('a 92 s payment takes two reads: held 60 s, then 32 s; each sent only after the previous answered', async () => {
    const { cloud, client } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const statuses: string[] = []
    const done = await waitForInstruction(client, 'payment', id, {
      onStatus: (i) => void statuses.push(i.status),
    })
    expect(done.status).toBe('completed')
    expect(statuses).toEqual(['inProgress', 'completed'])
    const [first, second] = reads(cloud)
    expect([first!.heldMs, second!.heldMs]).toEqual([60_000, 32_000])
    expect(second!.at).toBeGreaterThanOrEqual(first!.endedAt)
    expect(reads(cloud)).toHaveLength(2)
  })

  it('reads use the long poll timeout (90 s), not the 30 s one: a 85 s hold is not cut short', async () => {
    const { cloud, client } = setup({ cloud: { holdMs: 85_000 } })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    expect((await waitForInstruction(client, 'payment', id)).status).toBe('completed')
    expect(reads(cloud).map((r) => r.heldMs)).toEqual([85_000, 7_000])
  })

  it('a hold longer than pollTimeoutMs times out (and is retried, since a read is safe to repeat)', async () => {
    const { cloud, client } = setup({
      cloud: { holdMs: 80_000, timings: { slowCardMs: 1_000_000 } },
      client: { pollTimeoutMs: 70_000, retry: { maxAttempts: 2 } },
    })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const error = await waitForInstruction(client, 'payment', id).catch((e) => e)
    expect(error).toBeInstanceOf(TillkitTimeoutError)
    expect(error.timeoutMs).toBe(70_000)
    expect(reads(cloud)).toHaveLength(2)
  })

  it('if the gateway answered at once, reads would still be at least minIntervalMs apart', async () => {
    const { cloud, client } = setup({ cloud: { holdMs: 0 } })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4999)) // 6 s
    await waitForInstruction(client, 'payment', id, { minIntervalMs: 2_000 })
    const times = reads(cloud).map((r) => r.at)
    expect(times.length).toBe(4)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(2_000)
  })

  it('reads are spaced on steady time: a wall clock stepped back an hour does not stall them', async () => {
    const clock = createManualClock({ autoAdvance: true })
    // The provider's clock is not the POS's: the fake keeps steady time.
    const cloud = createFakeCloud({ clock: { ...clock, now: () => clock.monotonic() }, holdMs: 0 })
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      fetch: cloud.fetch,
      clock,
    })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4999)) // 6 s
    const began = clock.monotonic()
    let stepped = false
    await waitForInstruction(client, 'payment', id, {
      minIntervalMs: 2_000,
      onStatus: () => void (stepped ||= (clock.step(-3_600_000), true)),
    })
    expect(clock.monotonic() - began).toBeLessThanOrEqual(8_000)
  })

  it('failure carries errorMessage; canceled on the device; both final', async () => {
    const { client } = setup()
    const failed = await submitInstruction(client, 'payment', SERIAL, sale(1004))
    expect(await waitForInstruction(client, 'payment', failed.id)).toMatchObject({
      status: 'failure',
      errorMessage: 'The device could not read the card.',
    })
    const canceled = await submitInstruction(client, 'payment', SERIAL, sale(1005))
    expect((await waitForInstruction(client, 'payment', canceled.id)).status).toBe('canceled')
  })

  it('an unknown instruction is a 404 TillkitHttpError with the problem body', async () => {
    const { client } = setup()
    const error = await waitForInstruction(client, 'payment', 'nope').catch((e) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error).toMatchObject({ status: 404, outcomeUnknown: false })
    expect(error.body).toMatchObject({ status: 404, title: 'Not found' })
  })

  it('an answer outside the four statuses is a protocol error, not an endless loop', async () => {
    const client = createPayrocClient({
      apiKey: 'k-123456',
      environment: 'test',
      clock: createManualClock({ autoAdvance: true }),
      fetch: async (r) =>
        r.url.endsWith('/authorize')
          ? Response.json({ access_token: 't', expires_in: 3600 })
          : Response.json({ status: 'approved', paymentInstructionId: 'x' }),
    })
    await expect(waitForInstruction(client, 'payment', 'x')).rejects.toBeInstanceOf(
      TillkitProtocolError,
    )
  })

  it('a signal stops the wait', async () => {
    const { client, clock } = setup({ autoAdvance: false })
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(4906))
    const controller = new AbortController()
    const waiting = waitForInstruction(client, 'payment', id, { signal: controller.signal })
    await clock.advance(10_000)
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'TillkitAbortedError' })
  })

  it('bad arguments are refused before anything is sent', async () => {
    const { cloud, client } = setup()
    await expect(
      waitForInstruction(client, 'payment', 'x', { minIntervalMs: -1 }),
    ).rejects.toMatchObject({
      field: 'minIntervalMs',
    })
    await expect(waitForInstruction(client, 'cheque' as 'payment', 'x')).rejects.toMatchObject({
      field: 'kind',
    })
    await expect(waitForInstruction(client, 'payment', '')).rejects.toBeInstanceOf(
      TillkitValidationError,
    )
    await expect(
      submitInstruction(client, 'payment', SERIAL, sale(1), { idempotencyKey: 'abc' }),
    ).rejects.toMatchObject({ field: 'idempotencyKey' })
    expect(cloud.requests).toEqual([])
  })
})

describe('retrieveResult: following the completed link', () => {
  it('is refused for an instruction that did not complete', async () => {
    const { client } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(1004))
    const failed = await waitForInstruction(client, 'payment', id)
    await expect(retrieveResult(client, 'payment', failed)).rejects.toMatchObject({
      name: 'TillkitValidationError',
      field: 'instruction.status',
    })
  })

  const completed = (href: unknown) =>
    ({
      status: 'completed',
      paymentInstructionId: 'i',
      link: { rel: 'payment', method: 'GET', href },
    }) as Instruction<'payment'>

  it.each([
    ['another host', 'https://evil.example/v1/payments/P1'],
    ['outside the API base', 'https://api.uat.payroc.com/v2/payments/P1'],
    ['the wrong kind of result', 'https://api.uat.payroc.com/v1/refunds/R1'],
    ['no href', undefined],
    ['a malformed id', 'https://api.uat.payroc.com/v1/payments/%zz'],
  ])('a link to %s is not followed (the token would go with it)', async (_, href) => {
    const { cloud, client } = setup()
    await expect(retrieveResult(client, 'payment', completed(href))).rejects.toBeInstanceOf(
      TillkitProtocolError,
    )
    expect(cloud.requests).toEqual([])
  })

  it('a link that carries the bearer token: the error shows the link with the token redacted', async () => {
    const tokens: string[] = []
    const { client, cloud } = setup({
      client: {
        fetch: (request: Request) => {
          const auth = request.headers.get('authorization')
          if (auth) tokens.push(auth.replace(/^Bearer /, ''))
          return cloud.fetch(request)
        },
      },
    })
    await client.api.GET('/devices')
    const token = tokens.at(-1)!
    // A proxy rewriting links puts the caller's credential in the path.
    const error = await retrieveResult(
      client,
      'payment',
      completed(`https://evil.example/v1/payments/${token}`),
    ).then(
      () => expect.unreachable(),
      (e: unknown) => e as TillkitProtocolError,
    )
    expect(error).toBeInstanceOf(TillkitProtocolError)
    expect(error.details).toEqual({ href: 'https://evil.example/v1/payments/[REDACTED]' })
    expect(inspect(error, { depth: 8 }) + JSON.stringify(error)).not.toContain(token)
  })

  it('a relative link under the base is followed', async () => {
    const { client } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(2500))
    const done = await waitForInstruction(client, 'payment', id)
    const relative = { ...done, link: { ...done.link!, href: new URL(done.link!.href).pathname } }
    expect((await retrieveResult(client, 'payment', relative)).order.amount).toBe(2500)
  })
})

describe('approvalOf', () => {
  async function result(amount: number, extra = {}) {
    const { client } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(amount, extra))
    return retrieveResult(client, 'payment', await waitForInstruction(client, 'payment', id))
  }

  it('approved in full', async () => {
    expect(approvalOf(await result(2500))).toMatchObject({
      approved: true,
      partial: false,
      outstandingAmount: 0,
    })
  })

  it('declined and referral are not approvals; the whole amount is outstanding', async () => {
    for (const amount of [2501, 2503])
      expect(approvalOf(await result(amount))).toMatchObject({
        approved: false,
        partial: false,
        authorizedAmount: 0,
        outstandingAmount: amount,
      })
  })

  it('a partial approval surfaces the authorised and outstanding amounts', async () => {
    const payment = await result(2502, {
      order: { orderId: 'p', amount: 2502, currency: 'USD', acceptPartialAmount: true },
    })
    expect(approvalOf(payment)).toMatchObject({
      approved: true,
      partial: true,
      requestedAmount: 2502,
      authorizedAmount: 1251,
      outstandingAmount: 1251,
      responseCode: 'P',
    })
  })

  it('a partial approval that does not say how much claims no amount', async () => {
    const partly = approvalOf({
      order: { orderId: 'o', amount: 4999, currency: 'USD' },
      transactionResult: { status: 'ready', responseCode: 'P' },
    } as Parameters<typeof approvalOf>[0])
    expect(partly).toMatchObject({ approved: true, partial: true, requestedAmount: 4999 })
    expect(partly.authorizedAmount).toBeUndefined()
    expect(partly.outstandingAmount).toBeUndefined()
    // An approval in full (A) without the amount is for the whole order.
    expect(
      approvalOf({
        order: { orderId: 'o', amount: 4999, currency: 'USD' },
        transactionResult: { status: 'ready', responseCode: 'A' },
      } as Parameters<typeof approvalOf>[0]),
    ).toMatchObject({ partial: false, authorizedAmount: 4999, outstandingAmount: 0 })
  })

  it('a pre-authorisation (pending) is an approval', async () => {
    expect(approvalOf(await result(2500, { autoCapture: false }))).toMatchObject({
      approved: true,
      status: 'pending',
    })
  })

  it('A with a status that is no approval (a reversal) is not approved; a lower amount with A is partial', () => {
    const base = { order: { orderId: 'o', amount: 1000, currency: 'USD' } }
    expect(
      approvalOf({
        ...base,
        transactionResult: { status: 'reversal', responseCode: 'A', authorizedAmount: 0 },
      }).approved,
    ).toBe(false)
    expect(
      approvalOf({
        ...base,
        transactionResult: { status: 'complete', responseCode: 'A', authorizedAmount: 400 },
      }),
    ).toMatchObject({ approved: true, partial: true, outstandingAmount: 600 })
    expect(
      approvalOf({ ...base, transactionResult: { status: 'ready', responseCode: 'A' } })
        .authorizedAmount,
    ).toBe(1000)
  })

  it('refuses something without a transactionResult', () => {
    expect(() => approvalOf({} as never)).toThrow(TillkitValidationError)
  })

  it('signature results carry the terminal they were captured for', async () => {
    const { client } = setup()
    const { id } = await submitInstruction(client, 'signature', SERIAL, {
      processingTerminalId: TERMINAL,
    })
    const signature = await retrieveResult(
      client,
      'signature',
      await waitForInstruction(client, 'signature', id),
    )
    expect(signature.processingTerminalId).toBe(TERMINAL)
  })
})

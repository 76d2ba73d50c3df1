import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createManualClock, isTillkitError } from '@tillkit/core'
import {
  cancelInstruction,
  createPayrocClient,
  retrieveResult,
  submitInstruction,
  waitForInstruction,
  type Instruction,
} from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { captureLogger, sale, SERIAL } from './helpers.js'

/**
 * One unique API key per run, and every token the fake hands out, driven through every kind of failure the client
 * reports. Nothing a caller can see (message, String, stack, JSON, inspect, cause, `known`, log lines) may hold one.
 */
describe('the API key and the bearer tokens never leak', () => {
  it('through errors, their causes and log lines', async () => {
    const key = `pk_${crypto.randomUUID()}/+=`
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock, apiKeys: [key] })
    const tokens: string[] = []
    const fetch = async (request: Request) => {
      const response = await cloud.fetch(request)
      if (request.url.endsWith('/authorize') && response.ok)
        tokens.push((await response.clone().json()).access_token)
      return response
    }
    const { lines, logger } = captureLogger()
    const client = createPayrocClient({
      apiKey: key,
      environment: 'test',
      fetch,
      clock,
      logger,
      timeoutMs: 1_000,
      retry: { maxAttempts: 2 },
    })
    const errors: unknown[] = []
    const capture = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable(),
        (e) => errors.push(e),
      )

    // A first token, then a 401 that renews it (logged).
    await client.api.GET('/devices')
    cloud.identity.revokeAll()
    await client.api.GET('/devices')
    const echo = () => ({
      detail: `you sent ${key} (${encodeURIComponent(key)}, ${btoa(key)}) and Bearer ${tokens.at(-1)}`,
      token: tokens.at(-1),
    })
    // HTTP errors whose bodies echo the key and the token.
    cloud.faults.add({
      kind: 'status',
      status: 400,
      body: echo(),
      match: { path: '/v1/devices' },
      times: 1,
    })
    await capture((async () => client.transport.ok(await client.api.GET('/devices')))())
    // Unknown outcomes: a lasting 5xx echoing secrets, lost answers, timeouts.
    cloud.faults.add({
      kind: 'status',
      status: 500,
      body: echo(),
      match: { path: /instructions$/ },
      times: 2,
    })
    await capture(submitInstruction(client, 'payment', SERIAL, sale(100)))
    cloud.faults.add({ kind: 'lostResponse', match: { path: /instructions$/ }, times: 2 })
    await capture(submitInstruction(client, 'payment', SERIAL, sale(100)))
    cloud.faults.add({
      kind: 'lostResponse',
      mode: 'hang',
      match: { path: /instructions$/ },
      times: 2,
    })
    await capture(submitInstruction(client, 'payment', SERIAL, sale(100)))
    // A cancel that fails twice, a 404 read, a link that is not followed.
    cloud.faults.add({
      kind: 'status',
      status: 502,
      body: echo(),
      match: { method: 'DELETE' },
      times: 2,
    })
    await capture(cancelInstruction(client, 'payment', 'x'))
    await capture(waitForInstruction(client, 'payment', `missing-${tokens.at(-1)}`))
    const leaky = {
      status: 'completed',
      paymentInstructionId: 'i',
      link: {
        rel: 'x',
        method: 'GET',
        href: `https://evil.example/?access_token=${tokens.at(-1)}`,
      },
    }
    await capture(retrieveResult(client, 'payment', leaky as Instruction<'payment'>))
    // Token failures: identity down (echoing the key), then a wrong key altogether.
    cloud.identity.revokeAll()
    cloud.faults.add({
      kind: 'status',
      status: 503,
      body: echo(),
      match: { path: '/authorize' },
      times: 2,
    })
    await capture(client.api.GET('/devices'))
    const wrong = createPayrocClient({
      apiKey: `${key}-wrong`,
      environment: 'test',
      fetch,
      clock,
      logger,
    })
    await capture(wrong.api.GET('/devices'))

    expect(errors.map((e) => (e as { name: string }).name)).toEqual([
      'TillkitHttpError',
      'TillkitUnknownOutcomeError',
      'TillkitUnknownOutcomeError',
      'TillkitUnknownOutcomeError',
      'TillkitHttpError',
      'TillkitHttpError',
      'TillkitProtocolError',
      'PayrocTokenError',
      'PayrocTokenError',
    ])
    for (const error of errors) {
      expect(isTillkitError(error)).toBe(true)
      client.transport.logger.error({ err: error }, `failed: ${String(error)}`)
    }
    expect(tokens).toHaveLength(2)
    const forbidden = [key, encodeURIComponent(key), btoa(key), ...tokens]
    const outputs: string[] = []
    for (const error of errors as Array<Error & { known?: unknown; body?: unknown }>) {
      outputs.push(
        JSON.stringify(error),
        String(error),
        String(error.stack),
        inspect(error, { depth: 10 }),
      )
      const cause = error.cause as Error | undefined
      if (cause)
        outputs.push(
          JSON.stringify(cause),
          String(cause),
          String(cause.stack),
          inspect(cause, { depth: 10 }),
        )
    }
    for (const line of lines)
      outputs.push(JSON.stringify(line), String(line.msg), inspect(line.obj, { depth: 10 }))
    expect(lines.some((l) => l.msg === 'payroc token refused: renewing')).toBe(true)
    // The checks can fail: the secrets were really in play.
    const raw = JSON.stringify({ echo: echo(), key, tokens })
    for (const secret of forbidden) expect(raw).toContain(secret)
    for (const output of outputs)
      for (const secret of forbidden) expect(output, output).not.toContain(secret)
  })
})

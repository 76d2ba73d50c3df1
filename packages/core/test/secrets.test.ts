import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../src/clock.js'
import { isTillkitError, type TillkitError } from '../src/errors.js'
import { uuid } from '../src/ids.js'
import { createTransport } from '../src/transport.js'
import { assertString } from '../src/validate.js'
import { captureLogger, fakeFetch, json, undiciError } from './helpers.js'

/**
 * One unique key per run, with characters that URL encoding changes, driven through every error
 * type. Nothing a caller can see (message, String, stack, JSON, inspect, cause, logs) may hold it.
 */
describe('secrets never leak', () => {
  const key = `sk_test_${uuid()}/+=`
  const basic = btoa(`pos-1:${key}`)
  const bearer = `tok_${uuid().replaceAll('-', '')}`
  const forbidden = [key, basic, btoa(key), encodeURIComponent(key), bearer]

  it('through errors, their causes and log lines', async () => {
    expect(encodeURIComponent(key)).not.toBe(key)
    const clock = createManualClock({ autoAdvance: true })
    const { lines, logger } = captureLogger()
    const leakyBody = {
      message: `invalid key ${key}`,
      echoed: { authorization: `Basic ${basic}`, note: `Bearer ${bearer}` },
      url: `https://pos.test/x?apiKey=${encodeURIComponent(key)}`,
    }
    // The last attempt is aborted by its caller while in flight.
    const ac = new AbortController()
    const abortInFlight = (request: Request) =>
      new Promise<Response>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason))
        ac.abort(new Error(`cancelled while using ${key}`))
      })
    const fake = fakeFetch(
      clock,
      json(leakyBody, 401),
      'hang',
      undiciError('ECONNRESET', `socket closed after "Authorization: Basic ${basic}" for ${key}`),
      undiciError('ECONNRESET', `upstream said: Authorization: Bearer ${bearer}`),
      abortInFlight,
    )
    const transport = createTransport({
      clock,
      fetch: fake.fetch,
      logger,
      secrets: [key],
      timeoutMs: 1_000,
      retry: false,
    })
    const headers = { Authorization: `Basic ${basic}` }
    const url = `https://pos.test/pac/${encodeURIComponent(key)}?token=${key}&merchantAccessToken=${bearer}`
    const errors: unknown[] = []
    const capture = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable(),
        (e) => errors.push(e),
      )

    // Validation of a secret option.
    await capture(
      (async () => assertString('apiKey', key, { secret: true, pattern: /^sk_live_/ }))(),
    )
    // HTTP error, key echoed in the body and the URL.
    const response = await transport.fetch(new Request(url, { headers }))
    await capture((async () => transport.ok({ error: await response.json(), response }))())
    // Timeout.
    await capture(transport.fetch(new Request(url, { method: 'POST', body: key, headers })))
    // Network error whose cause carries the key and a Basic header built from it.
    await capture(transport.fetch(new Request(url, { method: 'POST', headers })))
    // Bearer token, in the header and echoed by the cause.
    const bearerHeaders = { Authorization: `Bearer ${bearer}` }
    await capture(transport.fetch(new Request(url, { method: 'POST', headers: bearerHeaders })))
    // Caller abort whose reason holds the key.
    await capture(transport.fetch(new Request(url, { headers, signal: ac.signal })))

    expect(errors.map((e) => (e as TillkitError).code)).toEqual([
      'VALIDATION',
      'HTTP',
      'TIMEOUT',
      'NETWORK',
      'NETWORK',
      'ABORTED',
    ])
    for (const error of errors) {
      expect(isTillkitError(error)).toBe(true)
      transport.logger.error({ err: error }, `request failed: ${String(error)}`)
    }

    const outputs: string[] = []
    for (const error of errors as TillkitError[]) {
      outputs.push(JSON.stringify(error), String(error), String(error.stack), inspect(error))
      const cause = error.cause as Error | undefined
      if (cause)
        outputs.push(JSON.stringify(cause), String(cause), String(cause.stack), inspect(cause))
    }
    for (const line of lines)
      outputs.push(JSON.stringify(line), String(line.msg), inspect(line.obj))
    expect(lines.length).toBeGreaterThan(errors.length)

    // The checks must be able to fail: the raw inputs do contain every form.
    const raw = JSON.stringify({ key, leakyBody, url, headers, bearerHeaders })
    for (const secret of forbidden) expect(raw).toContain(secret)
    for (const output of outputs)
      for (const secret of forbidden) expect(output, output).not.toContain(secret)
  })
})

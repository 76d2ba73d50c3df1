import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createManualClock, isTillkitError, type TillkitError } from '@tillkit/core'
import { captureLogger } from '../../core/test/helpers.js'
import { createSmartConnectClient, type PendingTransaction } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { failure, REGISTER } from './helpers.js'

/**
 * The polling URL carries the transaction's access token. Drive the client through every way a
 * poll or a start can go (answers, 429, 5xx, 401, lost responses, timeouts, aborts, bad input) with
 * a logger attached, and scan every log line and error for the token.
 */
describe('the polling token never leaks', () => {
  it('through logs, errors, their causes and outcomes', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    const { lines, logger } = captureLogger()
    const client = createSmartConnectClient({
      environment: 'dev',
      register: REGISTER,
      fetch: cloud.fetch,
      clock,
      logger,
      timeoutMs: 5_000,
    })
    const errors: unknown[] = []
    const outcomes: unknown[] = []
    const capture = async (attempt: Promise<unknown>) => errors.push(await failure(attempt))

    await client.pair(cloud.terminals.get('VT000001').pairingCode)
    const pending = await client.startTransaction('Card.Purchase', { AmountTotal: 1250 })
    const token = new URL(pending.pollingUrl).searchParams.get('merchantAccessToken')!
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    const forbidden = [token, pending.pollingUrl]

    // Polls that meet a 429, a 500, a lost response, a hang (timeout), then the outcome.
    await client.poll(pending)
    await client.poll(pending)
    const poll = { method: 'GET', path: /\/transaction\// }
    cloud.faults.add({ kind: 'status', status: 500, match: poll, times: 1 })
    cloud.faults.add({ kind: 'lostResponse', match: poll, times: 1 })
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: poll, times: 1 })
    outcomes.push(await client.waitForOutcome(pending, { onEvent: (e) => void outcomes.push(e) }))

    // The token lapses: 401, unknown outcome.
    const late = await client.startTransaction('Card.Purchase', { AmountTotal: 1250 })
    forbidden.push(new URL(late.pollingUrl).searchParams.get('merchantAccessToken')!)
    await clock.advance(900_000)
    outcomes.push(await client.waitForOutcome(late))

    // A start whose answer echoes a polling URL in a 5xx body; a start whose answer is lost.
    cloud.faults.add({
      kind: 'status',
      status: 502,
      body: { error: `upstream failed for ${pending.pollingUrl}` },
      match: { method: 'POST' },
      times: 1,
    })
    await capture(client.startTransaction('Card.Purchase', { AmountTotal: 100 }))
    cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, times: 1 })
    await capture(client.startTransaction('Terminal.GetStatus'))

    // Bad input holding the URL, and waits stopped by an abort.
    const plainHttp: PendingTransaction = {
      ...pending,
      pollingUrl: pending.pollingUrl.replace('https:', 'http:'),
    }
    await capture(client.waitForOutcome(plainHttp))
    await capture(client.poll({ ...pending, type: 'Nope' as 'Card.Purchase' }))
    await capture(client.waitForOutcome({ ...pending, pollingUrl: `not a url ${token}` }))
    const stop = new AbortController()
    stop.abort(new Error(`stopped while polling ${pending.pollingUrl}`))
    await capture(client.waitForOutcome(pending, { signal: stop.signal }))

    expect(errors.map((e) => (e as TillkitError).code)).toEqual([
      'UNKNOWN_OUTCOME',
      'UNKNOWN_OUTCOME',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'ABORTED',
    ])
    for (const error of errors) {
      expect(isTillkitError(error)).toBe(true)
      client.transport.logger.error({ err: error }, `failed: ${String(error)}`)
    }

    const outputs: string[] = []
    const scan = (value: unknown) => {
      outputs.push(JSON.stringify(value) ?? '', inspect(value, { depth: 10 }))
      if (value instanceof Error) outputs.push(String(value), String(value.stack))
    }
    for (const error of errors as TillkitError[]) {
      scan(error)
      if (error.cause) scan(error.cause)
      if (error.cause instanceof Error && error.cause.cause) scan(error.cause.cause)
    }
    for (const line of lines) scan(line)
    // Outcomes hold what the cloud said, never the URL.
    for (const outcome of outcomes) scan(outcome)

    // The scan can fail: the logs did record the polls (their URLs, redacted), and the inputs hold the token.
    expect(lines.filter((l) => l.msg === 'tillkit attempt').length).toBeGreaterThan(8)
    expect(JSON.stringify(lines)).toContain('merchantAccessToken=[REDACTED]')
    expect(JSON.stringify({ pending, plainHttp })).toContain(token)
    for (const output of outputs)
      for (const secret of forbidden) expect(output, output).not.toContain(secret)
  })
})

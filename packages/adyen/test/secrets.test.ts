import { inspect } from 'node:util'
import { createManualClock, TillkitError, type TillkitHttpError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { captureLogger } from '../../core/test/helpers.js'
import { createAdyenClient } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { POI } from './helpers.js'

/**
 * One unique API key per run, with characters URL encoding changes, driven through every kind of failure the
 * client reports. Nothing a caller can see (errors, their causes, JSON, inspect, stack, logs) may hold it.
 */
describe('the API key never leaks', () => {
  it('through errors, unknown outcomes and log lines', async () => {
    const key = `AQE_${crypto.randomUUID()}/+=`
    const forbidden = [key, encodeURIComponent(key), btoa(key)]
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock, apiKeys: [key] })
    const { lines, logger } = captureLogger()
    const adyen = createAdyenClient({
      apiKey: key,
      environment: 'test',
      transport: 'device-api',
      merchantAccount: 'TillkitShop',
      fetch: cloud.fetch,
      clock,
      logger,
    })
    const nexo = adyen.nexo({ saleId: 'till' })
    const sale = () =>
      nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 't' })
    const errors: unknown[] = []
    const capture = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable(),
        (e) => errors.push(e),
      )

    // The cloud echoes the key in an error body, in a 5xx body, and drops or hangs answers.
    cloud.faults.add({
      kind: 'status',
      status: 403,
      body: { detail: `key ${key} refused`, apiKey: key },
      times: 1,
    })
    await capture(adyen.payment(sale()))
    cloud.faults.add({
      kind: 'status',
      status: 502,
      body: `upstream said X-API-Key: ${key}`,
      times: 1,
    })
    await capture(adyen.payment(sale()))
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    await capture(adyen.payment(sale()))
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    await capture(adyen.transactionStatus(nexo.transactionStatus({ poiId: POI })))
    cloud.faults.add({ kind: 'status', status: 200, body: `{"echo":"${key}"}`, times: 1 })
    await capture(adyen.payment(sale()))
    // A bad option next to the key, and the key where an id belongs (it ends up in the URL).
    await capture(
      (async () =>
        createAdyenClient({
          apiKey: key,
          environment: 'test',
          transport: 'device-api',
          merchantAccount: '',
        }))(),
    )
    await capture(adyen.deviceStatus(key))

    expect(errors.map((e) => (e as TillkitError).code)).toEqual([
      'HTTP',
      'UNKNOWN_OUTCOME',
      'UNKNOWN_OUTCOME',
      'TIMEOUT',
      'UNKNOWN_OUTCOME',
      'VALIDATION',
      'HTTP',
    ])
    expect(JSON.stringify((errors[0] as TillkitHttpError).body)).toContain('[REDACTED]')
    for (const error of errors) adyen.logger.error({ err: error }, `failed: ${String(error)}`)

    const outputs: string[] = []
    const show = (e: unknown) => [
      JSON.stringify(e),
      String(e),
      String((e as Error).stack),
      inspect(e, { depth: 8 }),
    ]
    for (const error of errors) {
      outputs.push(...show(error))
      for (let cause = (error as Error).cause; cause; cause = (cause as Error).cause)
        outputs.push(...show(cause))
    }
    for (const line of lines)
      outputs.push(JSON.stringify(line), String(line.msg), inspect(line.obj, { depth: 8 }))
    expect(lines.length).toBeGreaterThan(errors.length)
    for (const output of outputs)
      for (const secret of forbidden) expect(output, output).not.toContain(secret)
    expect(errors.every((e) => e instanceof TillkitError)).toBe(true)
  })

  it('through a 2xx answer that is not JSON and echoes a short key (a SyntaxError quotes short bodies whole)', async () => {
    const key = `sk_${crypto.randomUUID().slice(0, 13)}`
    const adyen = createAdyenClient({
      apiKey: key,
      environment: 'test',
      transport: 'device-api',
      merchantAccount: 'TillkitShop',
      // A gateway in front of Adyen answers 200 with the key it was sent, as plain text.
      fetch: async (request) => new Response(request.headers.get('x-api-key')),
      clock: createManualClock({ autoAdvance: true }),
    })
    const nexo = adyen.nexo({ saleId: 'till' })
    const error = await adyen.transactionStatus(nexo.transactionStatus({ poiId: POI })).then(
      () => expect.unreachable(),
      (e: unknown) => e as Error,
    )
    expect(error.name).toBe('TillkitProtocolError')
    const seen = [JSON.stringify(error), String(error.stack), inspect(error, { depth: 8 })]
    for (const output of seen) expect(output).not.toContain(key)
  })
})

/**
 * A misspelt option (`timeout` for `timeoutMs`) is refused when the client is made, naming it and
 * never quoting its value, before anything is sent (not even a token request); every option the
 * type documents is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createPayrocClient, type PayrocClientOptions } from '../src/index.js'
import { captureLogger, unknownName } from '../../core/test/helpers.js'

/** What a misspelt `apiKey` would hold: it must appear in no error. */
const SECRET = `pr_live_${crypto.randomUUID()}`

/** A fetch that issues tokens and records every request, token requests included. */
function recorder() {
  const sent: Request[] = []
  const fetch = async (request: Request) => {
    sent.push(request)
    return request.url.endsWith('/authorize')
      ? Response.json({ access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 })
      : Response.json({ data: [] })
  }
  return { sent, fetch }
}

const REQUIRED = { apiKey: `pr_test_${crypto.randomUUID()}`, environment: 'test' } as const

describe('createPayrocClient', () => {
  it.each(['timeout', 'apikey', 'pollTimeout', 'identityURL', 'secrets'])(
    'refuses the unknown name %s, sending nothing',
    (name) => {
      const { sent, fetch } = recorder()
      const options = { ...REQUIRED, fetch, [name]: SECRET } as PayrocClientOptions
      const error = unknownName(() => createPayrocClient(options), `options.${name}`, SECRET)
      expect(error.rule).toContain('pollTimeoutMs')
      expect(sent).toHaveLength(0)
    },
  )

  it('takes every option of its type', async () => {
    const { sent, fetch } = recorder()
    const every: Required<PayrocClientOptions> = {
      ...REQUIRED,
      baseUrl: 'https://api.proxy.example/v1',
      identityUrl: 'https://identity.proxy.example',
      fetch,
      logger: captureLogger().logger,
      timeoutMs: 5_000,
      pollTimeoutMs: 90_000,
      retry: { maxAttempts: 2 },
      clock: createManualClock({ autoAdvance: true }),
    }
    const client = createPayrocClient(every)
    await client.api.GET('/devices', {})
    expect(sent.map((r) => r.url)).toEqual([
      'https://identity.proxy.example/authorize',
      'https://api.proxy.example/v1/devices',
    ])
  })
})

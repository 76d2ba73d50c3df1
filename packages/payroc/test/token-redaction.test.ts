/**
 * The client keeps its latest two distinct bearer tokens registered with its redactors: an identity
 * service that hands the same token out twice does not push the one before out early.
 */
import { createManualClock, REDACTED } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createPayrocClient } from '../src/index.js'

describe('bearer token redaction', () => {
  it('the token before the current one stays a secret when the identity service repeated it', async () => {
    const clock = createManualClock()
    const issued = ['tok-AAAA-1111-aaaa', 'tok-AAAA-1111-aaaa', 'tok-BBBB-2222-bbbb']
    const client = createPayrocClient({
      apiKey: 'test-api-key',
      environment: 'test',
      clock,
      retry: false,
      fetch: async (request) => {
        if (new URL(request.url).pathname.endsWith('/authorize'))
          return Response.json({
            access_token: issued.shift(),
            token_type: 'Bearer',
            expires_in: 3600,
          })
        return Response.json({ data: [] })
      },
    })
    for (let i = 0; i < 3; i++) {
      await client.api.GET('/devices').catch(() => {})
      await clock.advance(3_600_000)
    }
    expect(issued).toEqual([])
    // B is current, A the one before it.
    const text = 'echoed tok-AAAA-1111-aaaa and tok-BBBB-2222-bbbb'
    expect(client.transport.redact(text)).toBe(`echoed ${REDACTED} and ${REDACTED}`)
  })
})

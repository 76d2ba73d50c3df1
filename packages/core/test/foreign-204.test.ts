import { describe, expect, it } from 'vitest'
import { createManualClock } from '../src/clock.js'
import { createTransport } from '../src/transport.js'

/**
 * readBody now takes any Fetch implementation's response, "a bodiless 204 included" (changeset
 * core-edges). node-fetch (the usual pairing with https-proxy-agent) gives a 204 or 304 a body
 * stream that is empty but not null. readBody then reads it and builds an in-memory copy with those
 * (zero) bytes, which the Response constructor refuses for a null-body status: the answered POST
 * becomes a TillkitNetworkError "may have reached the provider" (an unknown outcome), and an
 * idempotent request is sent again.
 */
class NodeFetchLikeResponse {
  readonly headers = new Headers()
  readonly body = new ReadableStream({ start: (c) => c.close() })
  readonly bodyUsed = false
  readonly url = 'https://pos.test/pac/terminals/T1/transactions/r1/cancel'
  readonly redirected = false
  readonly statusText = 'No Content'
  constructor(readonly status = 204) {}
  get ok() {
    return this.status >= 200 && this.status < 300
  }
  async arrayBuffer() {
    return new ArrayBuffer(0)
  }
  async text() {
    return ''
  }
}

describe('a foreign 204 whose body is an empty stream', () => {
  it('is an answer, returned once', async () => {
    const clock = createManualClock({ autoAdvance: true })
    let calls = 0
    const fetch = async (_request: Request) => {
      calls++
      return new NodeFetchLikeResponse() as unknown as Response
    }
    const transport = createTransport({ clock, fetch })
    const outcome = await transport
      .fetch('https://pos.test/pac/terminals/T1/transactions/r1/cancel', {
        method: 'POST',
        body: '{}',
      })
      .then(
        (response) => ({ status: response.status }),
        (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
      )
    expect(outcome).toEqual({ status: 204 })
    expect(calls).toBe(1)
  })

  it('an idempotent GET answered 204 is not sent again', async () => {
    const clock = createManualClock({ autoAdvance: true })
    let calls = 0
    const fetch = async (_request: Request) => {
      calls++
      return new NodeFetchLikeResponse(204) as unknown as Response
    }
    const transport = createTransport({ clock, fetch, retry: { baseDelayMs: 1 } })
    await transport.fetch('https://pos.test/pac/terminals').catch(() => undefined)
    expect(calls).toBe(1)
  })
})

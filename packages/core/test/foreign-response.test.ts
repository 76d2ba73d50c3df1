import { describe, expect, it } from 'vitest'
import { createManualClock } from '../src/clock.js'
import { TillkitNetworkError } from '../src/errors.js'
import { createTransport } from '../src/transport.js'

/**
 * A custom fetch from another Fetch implementation (the `undici` package with a ProxyAgent, the
 * usual way to reach a provider through a proxy on Node) resolves with that implementation's own
 * Response class: a real answer, but not `instanceof` the global Response. A bodiless answer (a 204
 * to a cancel, a HEAD, whether its body is null or an empty stream) is still an answer: the
 * transport must hand it back, not treat it as a failure.
 */
class ForeignResponse {
  readonly headers = new Headers()
  readonly bodyUsed = false
  readonly url = 'https://pos.test/pac/terminals/T1/transactions/r1/cancel'
  readonly redirected = false
  readonly type = 'basic'
  constructor(
    readonly status = 204,
    readonly statusText = 'No Content',
    /** node-fetch gives a 204 or 304 an empty stream, not null. */
    readonly body: ReadableStream | null = null,
  ) {}
  get ok() {
    return this.status >= 200 && this.status < 300
  }
  async text() {
    return ''
  }
  async arrayBuffer() {
    return new ArrayBuffer(0)
  }
  async json(): Promise<unknown> {
    throw new SyntaxError('Unexpected end of JSON input')
  }
  clone() {
    return new ForeignResponse(this.status, this.statusText, this.body)
  }
}

describe('a custom fetch resolving with another implementation’s Response', () => {
  it('a bodiless 204 to a POST is returned once, not retried as a failure', async () => {
    const clock = createManualClock({ autoAdvance: true })
    let calls = 0
    const fetch = async (_request: Request) => {
      calls++
      return new ForeignResponse() as unknown as Response
    }
    const transport = createTransport({ clock, fetch })
    const outcome = await transport
      .fetch('https://pos.test/pac/terminals/T1/transactions/r1/cancel', {
        method: 'POST',
        body: '{}',
      })
      .then(
        (response) => ({ status: response.status }),
        (error: unknown) => ({ rejected: error }),
      )
    // A POST without idempotency key that was answered must never be sent again.
    expect(calls).toBe(1)
    expect(outcome).toEqual({ status: 204 })
  })

  it('a foreign answer with a body is read, and one without status or headers is no answer', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const withBody = Object.assign(new ForeignResponse(200, 'OK'), {
      body: new Response('{"ok":true}').body,
      arrayBuffer: () => new Response('{"ok":true}').arrayBuffer(),
    })
    const read = createTransport({ clock, fetch: async () => withBody as unknown as Response })
    const response = await read.fetch('https://pos.test/pac/terminals')
    expect([response.status, await response.json()]).toEqual([200, { ok: true }])
    // Not a response: the fetch broke after it was called, so the POST may have reached the provider.
    let calls = 0
    const junk = createTransport({
      clock,
      fetch: async () => (calls++, { body: null }) as unknown as Response,
    })
    const error = await junk
      .fetch('https://pos.test/pac/terminals/T1/transactions', { method: 'POST', body: '{}' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect(error).toMatchObject({ mayHaveReachedProvider: true })
    expect(calls).toBe(1)
  })

  describe('a 204 whose body is an empty stream, as node-fetch gives it', () => {
    const emptyStream = () => new ReadableStream({ start: (c) => c.close() })
    const counting = () => {
      const seen = { calls: 0 }
      const fetch = async (_request: Request) => {
        seen.calls++
        return new ForeignResponse(204, 'No Content', emptyStream()) as unknown as Response
      }
      return {
        seen,
        transport: createTransport({
          clock: createManualClock({ autoAdvance: true }),
          fetch,
          retry: { baseDelayMs: 1 },
        }),
      }
    }

    it('is an answer to a POST, returned once', async () => {
      const { seen, transport } = counting()
      const response = await transport.fetch(
        'https://pos.test/pac/terminals/T1/transactions/r1/cancel',
        {
          method: 'POST',
          body: '{}',
        },
      )
      expect(response.status).toBe(204)
      expect(seen.calls).toBe(1)
    })

    it('is an answer to a GET, not sent again', async () => {
      const { seen, transport } = counting()
      expect((await transport.fetch('https://pos.test/pac/terminals')).status).toBe(204)
      expect(seen.calls).toBe(1)
    })
  })
})

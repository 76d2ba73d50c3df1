import { describe, expect, it } from 'vitest'
import { createManualClock } from '../src/clock.js'
import { isTillkitError } from '../src/errors.js'
import { createDraftTransport, createTransport, RequestDraft } from '../src/transport.js'
import { fakeFetch, json } from './helpers.js'

/**
 * Requests that cannot leave the process (a URL that does not parse, a scheme no HTTP client
 * speaks): bad input, refused with a typed, redacted error before any network call, and never an
 * unknown outcome.
 */
describe('a request that cannot be sent', () => {
  it('createTransport: an unparseable URL is a TillkitError whose message hides the token', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const fake = fakeFetch(clock, json({}))
    const transport = createTransport({ clock, fetch: fake.fetch, retry: false })
    const error = await transport
      .fetch('http://[pos.test/poll?merchantAccessToken=mat-5ecret-77', { method: 'GET' })
      .catch((e: unknown) => e)
    expect(fake.calls).toHaveLength(0)
    expect(String((error as Error).message)).not.toContain('mat-5ecret-77')
    expect(isTillkitError(error)).toBe(true)
  })

  it("draft transport, core's default fetch: a POST to an unparseable URL never reached the provider", async () => {
    const transport = createDraftTransport({ retry: false })
    const draft = new RequestDraft('http://[pos.test/pac/terminals/T1/transactions', {
      method: 'POST',
      body: '{"amount":100}',
    })
    const error = await transport.fetch(draft).catch((e: unknown) => e)
    expect(isTillkitError(error)).toBe(true)
    expect(error).toMatchObject({ mayHaveReachedProvider: false, outcomeUnknown: false })
  })

  it("draft transport, core's default fetch: a POST to an unsupported scheme never reached the provider", async () => {
    const transport = createDraftTransport({ retry: false })
    const draft = new RequestDraft('ftp://pos.test/pac/terminals/T1/transactions', {
      method: 'POST',
      body: '{"amount":100}',
    })
    const error = await transport.fetch(draft).catch((e: unknown) => e)
    expect(isTillkitError(error)).toBe(true)
    expect(error).toMatchObject({ mayHaveReachedProvider: false, outcomeUnknown: false })
  })

  it('createTransport: another scheme, or a method or header fetch refuses, is a validation error naming no secret', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const fake = fakeFetch(clock, json({}))
    const transport = createTransport({ clock, fetch: fake.fetch, secrets: ['sk_live_9q8w7e'] })
    const refusal = (input: string, init?: RequestInit) =>
      transport.fetch(input, init).catch((e: unknown) => e)
    expect(await refusal('ftp://pos.test/pac/terminals')).toMatchObject({
      field: 'url',
      rule: 'must be an http or https URL',
      mayHaveReachedProvider: false,
    })
    expect(await refusal('/pac/terminals')).toMatchObject({ field: 'url' })
    const header = await refusal('https://pos.test/pac/terminals', {
      headers: { 'x-api-key': 'sk_live_9q8w7e\u0000' },
    })
    expect(header).toMatchObject({ field: 'request', mayHaveReachedProvider: false })
    expect(String((header as Error).message)).not.toContain('sk_live')
    expect(await refusal('https://pos.test/pac/terminals', { method: 'CONNECT' })).toMatchObject({
      field: 'request',
    })
    expect(fake.calls).toHaveLength(0)
  })
})

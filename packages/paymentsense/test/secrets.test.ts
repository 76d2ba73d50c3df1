import { inspect } from 'node:util'
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createPaymentsenseClient } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'

const options = (apiKey: string, fetch: (request: Request) => Promise<Response>) => ({
  account: 'acme',
  environment: 'test' as const,
  apiKey,
  softwareHouseId: 'SWH',
  installerId: 'INST',
  fetch,
  clock: createManualClock({ autoAdvance: true }),
  retry: false as const,
})

describe('an API key with ISO-8859-1 letters', () => {
  const key = () => `sk_révîew_${crypto.randomUUID().replaceAll('-', '')}`

  it('stays out of an HTTP error whose body echoes the Basic credentials without the scheme', async () => {
    const apiKey = key()
    let sent = ''
    // Connect (or a gateway) refuses the credentials and quotes them back, base64 as received.
    const fetch = async (request: Request) => {
      sent = (request.headers.get('authorization') ?? '').replace(/^Basic /, '')
      return Response.json({ message: 'invalid credentials', credentials: sent }, { status: 401 })
    }
    const client = createPaymentsenseClient(options(apiKey, fetch))
    const error = await client.pac
      .GET('/pac/terminals', {})
      .then((result) => client.transport.ok(result))
      .then(
        () => expect.unreachable(),
        (e: unknown) => e as Error,
      )
    expect(error.name).toBe('TillkitHttpError')
    expect(sent).not.toBe('')
    const seen = [String(error), String(error.stack), JSON.stringify(error), inspect(error)]
    for (const output of seen) expect(output).not.toContain(sent)
  })

  it('is sent in UTF-8, as the fake cloud reads it: the key is accepted', async () => {
    const apiKey = key()
    const cloud = createFakeCloud({ apiKeys: [apiKey], terminals: [{ tid: 'T1' }] })
    const client = createPaymentsenseClient(options(apiKey, cloud.fetch))
    const { terminals } = client.transport.ok(await client.pac.GET('/pac/terminals', {}))
    expect(terminals.map((t) => t.tid)).toEqual(['T1'])
  })
})

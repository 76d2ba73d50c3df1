import createClient from 'openapi-fetch'
import { describe, expect, it } from 'vitest'
import { TillkitValidationError } from '../src/errors.js'
import { guardClient, type CallInit } from '../src/guard.js'
import { createRedactor } from '../src/redact.js'
import { createDraftTransport, RequestDraft } from '../src/transport.js'

type IdParams = { query?: never; header?: never; path: { id: string }; cookie?: never }
interface Paths {
  '/things/{id}': {
    parameters: IdParams
    get: {
      parameters: IdParams
      responses: { 200: { content: { 'application/json': { id: string } } } }
    }
    post: {
      parameters: IdParams
      requestBody: { content: { 'application/json': { amount: number } } }
      responses: { 201: { content: { 'application/json': { id: string } } } }
    }
  }
}

/**
 * An openapi-fetch client built as the provider clients build theirs (drafts through a core
 * transport), over a fetch that records requests and answers with `body`.
 */
function guarded(body: string, status = 200) {
  const sent: Request[] = []
  const calls: Array<[string, string]> = []
  const transport = createDraftTransport({
    retry: false,
    fetch: async (request: Request) => {
      sent.push(request)
      return new Response(body, { status, headers: { 'content-type': 'application/json' } })
    },
  })
  const client = createClient<Paths>({
    baseUrl: 'https://provider.test',
    fetch: transport.fetch as unknown as typeof fetch,
    Request: RequestDraft as unknown as typeof Request,
  })
  const before = (method: string, path: string, init: CallInit): CallInit => {
    calls.push([method, path])
    if ((init?.body as { amount?: number } | undefined)?.amount === 0)
      throw new TillkitValidationError('amount', 'must be positive')
    return { ...init, headers: { 'x-checked': method } }
  }
  const redact = createRedactor(['sk_guard_secret'])
  return { client: guardClient(client, before, redact), raw: client, sent, calls }
}

describe('guardClient', () => {
  it('runs every method and request() through the check, and sends what it returns', async () => {
    const { client, sent, calls } = guarded('{"id":"t1"}')
    const params = { path: { id: 't1' } }
    expect((await client.GET('/things/{id}', { params })).data).toEqual({ id: 't1' })
    await client.request('post', '/things/{id}', { params, body: { amount: 5 } })
    type Loose = (path: string, init: object) => Promise<unknown>
    for (const method of ['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const)
      await (client[method] as Loose)('/things/{id}', { params })
    // Checked too, though the platform then refuses to build a TRACE request: nothing is sent.
    await expect((client.TRACE as Loose)('/things/{id}', { params })).rejects.toMatchObject({
      name: 'TillkitNetworkError',
      mayHaveReachedProvider: false,
    })
    expect(calls.map(([method]) => method)).toEqual([
      'GET',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'HEAD',
      'OPTIONS',
      'TRACE',
    ])
    expect(sent.map((r) => r.headers.get('x-checked'))).toEqual(calls.map(([m]) => m).slice(0, -1))
  })

  it('sends nothing when the check refuses, by any way of calling', async () => {
    const { client, sent } = guarded('{"id":"t1"}', 201)
    const init = { params: { path: { id: 't1' } }, body: { amount: 0 } }
    await expect(client.POST('/things/{id}', init)).rejects.toBeInstanceOf(TillkitValidationError)
    await expect(client.request('post', '/things/{id}', init)).rejects.toBeInstanceOf(
      TillkitValidationError,
    )
    expect(sent).toHaveLength(0)
  })

  it('makes an answer that is not JSON a malformed protocol error with an open outcome', async () => {
    const { client, sent } = guarded('{"id":"sk_guard_secret', 201)
    const error = await client
      .POST('/things/{id}', { params: { path: { id: 't1' } }, body: { amount: 5 } })
      .catch((e: unknown) => e)
    expect(sent).toHaveLength(1)
    expect(error).toMatchObject({
      name: 'TillkitProtocolError',
      fault: 'malformed',
      mayHaveReachedProvider: true,
      outcomeUnknown: true,
      message: 'POST /things/{id}: the answer is not JSON',
    })
    // The parser's message quotes the body: it is not kept.
    expect((error as Error).cause).toBeUndefined()
    expect(JSON.stringify(error)).not.toContain('sk_guard_secret')
  })

  it('request() with a method outside the list is checked too, and fails as a rejection', async () => {
    const { client, sent, calls } = guarded('{}')
    type Loose = (method: string, path: string, init?: object) => Promise<unknown>
    const call = (client.request as unknown as Loose)('query', '/things/{id}', {
      params: { path: { id: 't1' } },
    })
    expect(call).toBeInstanceOf(Promise)
    await call.catch(() => {})
    expect(calls).toEqual([['QUERY', '/things/{id}']])
    expect(sent.map((r) => r.method)).toEqual(['QUERY'])
  })

  it('passes a SyntaxError thrown before anything was sent on as it is (no answer to doubt)', async () => {
    const { client, raw, sent } = guarded('{}')
    raw.use({
      onRequest: () => {
        throw new SyntaxError('a bad template in a logging middleware')
      },
    })
    const error = await client
      .POST('/things/{id}', { params: { path: { id: 't1' } }, body: { amount: 5 } })
      .catch((e: unknown) => e)
    expect(sent).toHaveLength(0)
    expect(error).toBeInstanceOf(SyntaxError)
  })

  it('passes any other failure on as it is', async () => {
    const failure = new Error('offline')
    const client = guardClient(
      createClient<Paths>({
        baseUrl: 'https://provider.test',
        fetch: () => Promise.reject(failure),
      }),
      (_method, _path, init) => init,
      createRedactor(),
    )
    await expect(client.GET('/things/{id}', { params: { path: { id: 't1' } } })).rejects.toBe(
      failure,
    )
  })
})

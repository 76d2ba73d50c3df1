import { describe, expect, it } from 'vitest'
import {
  isTillkitError,
  TillkitAbortedError,
  TillkitError,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitProtocolError,
  TillkitRpcError,
  TillkitTimeoutError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
} from '../src/errors.js'
import { createRedactor, REDACTED } from '../src/redact.js'

const http = (status: number) =>
  new TillkitHttpError({ status, body: { message: 'nope' }, method: 'POST', url: 'https://h/x' })

describe('error classes', () => {
  it('carry code, name and provenance', () => {
    const cases: Array<[TillkitError, string, string, boolean]> = [
      [
        new TillkitValidationError('amount', 'must be positive'),
        'VALIDATION',
        'TillkitValidationError',
        false,
      ],
      [http(404), 'HTTP', 'TillkitHttpError', true],
      [new TillkitTimeoutError('slow', 1_000), 'TIMEOUT', 'TillkitTimeoutError', true],
      [new TillkitNetworkError('refused', false), 'NETWORK', 'TillkitNetworkError', false],
      [new TillkitAbortedError('stop', true), 'ABORTED', 'TillkitAbortedError', true],
    ]
    for (const [error, code, name, reached] of cases) {
      expect(error).toBeInstanceOf(TillkitError)
      expect(error).toBeInstanceOf(Error)
      expect(isTillkitError(error)).toBe(true)
      expect(error.code).toBe(code)
      expect(error.name).toBe(name)
      expect(String(error)).toMatch(new RegExp(`^${name}: `))
      expect(error.stack?.split('\n')[0]).toBe(`${name}: ${error.message}`)
      expect(error.mayHaveReachedProvider).toBe(reached)
    }
  })

  it('isTillkitError rejects anything else', () => {
    expect(isTillkitError(new Error('x'))).toBe(false)
    expect(isTillkitError({ code: 'HTTP', mayHaveReachedProvider: true })).toBe(false)
    expect(isTillkitError(undefined)).toBe(false)
  })

  it('outcomeUnknown: only when the provider may have acted and gave no definite answer', () => {
    expect(http(400).outcomeUnknown).toBe(false)
    expect(http(429).outcomeUnknown).toBe(false)
    expect(http(500).outcomeUnknown).toBe(true)
    expect(http(503).outcomeUnknown).toBe(true)
    // A gateway's 408 may come after it passed the request on.
    expect(http(408).outcomeUnknown).toBe(true)
    const afterLost = new TillkitHttpError({
      status: 409,
      body: undefined,
      method: 'POST',
      url: 'https://x.test/',
      earlierMayHaveActed: true,
    })
    expect(afterLost).toMatchObject({ outcomeUnknown: true, earlierMayHaveActed: true })
    expect(new TillkitTimeoutError('t', 1).outcomeUnknown).toBe(true)
    expect(new TillkitNetworkError('n', true).outcomeUnknown).toBe(true)
    expect(new TillkitNetworkError('n', false).outcomeUnknown).toBe(false)
    expect(new TillkitAbortedError('a', false).outcomeUnknown).toBe(false)
    expect(new TillkitValidationError('f', 'r').outcomeUnknown).toBe(false)
  })

  it('validation errors name field and rule', () => {
    const e = new TillkitValidationError('body', 'is required')
    expect(e.message).toBe('body: is required')
    expect([e.field, e.rule]).toEqual(['body', 'is required'])
    expect(new TillkitValidationError('amount', 'must be odd', '2').message).toBe(
      'amount: must be odd (received 2)',
    )
  })

  it('http errors carry status, body, method, url, retryAfterMs, all redacted', () => {
    const redact = createRedactor(['sekrit-key'])
    const e = new TillkitHttpError({
      status: 401,
      body: { error: 'bad key sekrit-key' },
      method: 'GET',
      url: 'https://h/t?token=abc',
      retryAfterMs: 2_000,
      redact,
    })
    expect(e.status).toBe(401)
    expect(e.body).toEqual({ error: `bad key ${REDACTED}` })
    expect(e.url).toBe(`https://h/t?token=${REDACTED}`)
    expect(e.method).toBe('GET')
    expect(e.retryAfterMs).toBe(2_000)
    expect(e.message).toBe(`GET https://h/t?token=${REDACTED} failed with HTTP 401`)
    expect(http(500).message).toBe('POST https://h/x failed with HTTP 500')
    const bare = new TillkitHttpError({ status: 502, body: undefined, method: 'GET', url: 'u' })
    expect(bare.message).toBe('GET u failed with HTTP 502')
    expect('retryAfterMs' in bare && bare.retryAfterMs !== undefined).toBe(false)
  })

  it('redacts message and cause at construction, even without a redactor (patterns)', () => {
    const cause = Object.assign(new Error('sent Authorization: Basic dXNlcjprZXk='), {
      code: 'ECONNRESET',
    })
    const e = new TillkitNetworkError('GET https://u:p@h/?apiKey=zzz failed', true, { cause })
    expect(e.message).toBe(`GET https://${REDACTED}@h/?apiKey=${REDACTED} failed`)
    const copy = e.cause as Error & { code?: string }
    expect(copy).not.toBe(cause)
    expect(copy.message).toBe(`sent Authorization: Basic ${REDACTED}`)
    expect(copy.code).toBe('ECONNRESET')
    expect(copy.stack).not.toContain('dXNlcjprZXk=')
    expect(e.stack).not.toContain('zzz')
  })

  it('uses the given redactor for registered secrets', () => {
    const redact = createRedactor(['my-api-key'])
    const e = new TillkitTimeoutError('GET /my-api-key timed out', 5, {
      cause: 'raw my-api-key',
      redact,
    })
    expect(e.message).toBe(`GET /${REDACTED} timed out`)
    expect(e.cause).toBe(`raw ${REDACTED}`)
    expect(e.timeoutMs).toBe(5)
  })

  it('serialise to JSON with name, message, fields and outcomeUnknown', () => {
    expect(JSON.parse(JSON.stringify(http(503)))).toEqual({
      name: 'TillkitHttpError',
      message: 'POST https://h/x failed with HTTP 503',
      code: 'HTTP',
      mayHaveReachedProvider: true,
      outcomeUnknown: true,
      status: 503,
      body: { message: 'nope' },
      method: 'POST',
      url: 'https://h/x',
    })
    expect(JSON.parse(JSON.stringify(new TillkitValidationError('f', 'r')))).toMatchObject({
      field: 'f',
      rule: 'r',
      outcomeUnknown: false,
    })
  })
})

describe('unknown outcome, protocol and RPC errors', () => {
  it('an unknown outcome says what was asked, why the answer is missing and what is known, redacted', () => {
    const redact = createRedactor(['key-1234'])
    const cause = new TillkitNetworkError('wss://h/pac?token=key-1234 dropped', true, { redact })
    const e = new TillkitUnknownOutcomeError('sale on T1: the connection dropped', {
      operation: 'sale',
      reason: 'disconnected',
      known: { tid: 'T1', amount: 1200, note: 'seen key-1234' },
      cause,
      redact,
    })
    expect([e.code, e.name, e.operation, e.reason]).toEqual([
      'UNKNOWN_OUTCOME',
      'TillkitUnknownOutcomeError',
      'sale',
      'disconnected',
    ])
    expect(e).toBeInstanceOf(TillkitError)
    expect(e.mayHaveReachedProvider).toBe(true)
    expect(e.outcomeUnknown).toBe(true)
    expect(e.known).toEqual({ tid: 'T1', amount: 1200, note: `seen ${REDACTED}` })
    expect(JSON.stringify(e)).not.toContain('key-1234')
    expect(String((e.cause as Error).message)).toBe(`wss://h/pac?token=${REDACTED} dropped`)
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({
      outcomeUnknown: true,
      known: { amount: 1200 },
    })
  })

  it('a protocol error has a fault label, redacted details, and no outcome to doubt', () => {
    const plain = new TillkitProtocolError('malformed', 'not JSON')
    expect('details' in plain).toBe(false)
    const e = new TillkitProtocolError('invalid', 'bad result ?token=abc', {
      details: { method: 'sale', text: 'wss://x/pac?token=abc' },
    })
    expect([e.code, e.name, e.fault]).toEqual(['PROTOCOL', 'TillkitProtocolError', 'invalid'])
    expect(e.message).toBe(`bad result ?token=${REDACTED}`)
    expect(e.details).toEqual({ method: 'sale', text: `wss://x/pac?token=${REDACTED}` })
    expect([e.mayHaveReachedProvider, e.outcomeUnknown]).toEqual([false, false])
    // The answer to a request of ours: the provider may have acted on the request.
    const answer = new TillkitProtocolError('malformed', 'not JSON', {
      mayHaveReachedProvider: true,
    })
    expect([answer.mayHaveReachedProvider, answer.outcomeUnknown]).toEqual([true, true])
  })

  it('an RPC error carries the error object; only an internal error leaves the outcome open', () => {
    const redact = createRedactor(['key-1234'])
    const busy = new TillkitRpcError({
      rpcCode: -32001,
      rpcMessage: 'Terminal busy key-1234',
      data: { why: 'key-1234' },
      method: 'sale',
      redact,
    })
    expect([busy.code, busy.name, busy.rpcCode, busy.method]).toEqual([
      'RPC',
      'TillkitRpcError',
      -32001,
      'sale',
    ])
    expect(busy.message).toBe(`sale failed with JSON-RPC error -32001: Terminal busy ${REDACTED}`)
    expect(busy.rpcMessage).toBe(`Terminal busy ${REDACTED}`)
    expect(busy.data).toEqual({ why: REDACTED })
    expect([busy.mayHaveReachedProvider, busy.outcomeUnknown]).toEqual([true, false])
    const internal = new TillkitRpcError({ rpcCode: -32603, rpcMessage: 'oops' })
    expect(internal.message).toBe('JSON-RPC error -32603: oops')
    expect(internal.outcomeUnknown).toBe(true)
    expect('data' in internal || 'method' in internal).toBe(false)
  })
})

describe('two copies of core side by side (a provider package with its own, older core)', () => {
  /** The same module loaded again: another copy of every class, as a second installed version would be. */
  const otherCopy = async (): Promise<typeof import('../src/errors.js')> => {
    const url = new URL('../src/errors.ts?another-copy', import.meta.url).href
    return import(/* @vite-ignore */ url)
  }

  it('instanceof knows the other copy’s errors by their code, and only by it', async () => {
    const other = await otherCopy()
    expect(other.TillkitHttpError).not.toBe(TillkitHttpError)
    const e = new other.TillkitHttpError({
      status: 429,
      body: null,
      method: 'GET',
      url: 'https://h/x',
    })
    expect(e instanceof TillkitHttpError).toBe(true)
    expect(e instanceof TillkitError).toBe(true)
    expect(isTillkitError(e)).toBe(true)
    expect(e instanceof TillkitTimeoutError).toBe(false)
    expect(e instanceof TillkitValidationError).toBe(false)
    const lost = new other.TillkitUnknownOutcomeError('lost', {
      operation: 'sale',
      reason: 'x',
      known: {},
    })
    expect(lost instanceof TillkitUnknownOutcomeError).toBe(true)
    expect(http(500) instanceof other.TillkitHttpError).toBe(true)
    // Neither copy is mistaken for anything else.
    expect(new Error('x') instanceof TillkitError).toBe(false)
    expect({ code: 'HTTP' } instanceof TillkitHttpError).toBe(false)
    expect((null as unknown) instanceof TillkitError).toBe(false)
  })

  it('a subclass made outside core is not guessed from the code it inherits', async () => {
    const other = await otherCopy()
    class CancelOnTerminal extends TillkitValidationError {}
    expect(new other.TillkitValidationError('f', 'r') instanceof CancelOnTerminal).toBe(false)
    expect(new CancelOnTerminal('f', 'r') instanceof other.TillkitValidationError).toBe(true)
    expect(new CancelOnTerminal('f', 'r') instanceof CancelOnTerminal).toBe(true)
  })

  it('the mark is on the prototype: not in JSON, keys or a spread', async () => {
    const e = http(503)
    expect(Object.getOwnPropertySymbols(e)).toEqual([])
    expect(Object.keys({ ...e })).not.toContain('mark')
    expect(JSON.parse(JSON.stringify(e))).toEqual(JSON.parse(JSON.stringify(http(503))))
  })
})

import { describe, expect, it } from 'vitest'
import { base64, createRedactor, REDACTED } from '../src/redact.js'

const KEY = 'sk_test_Zx9/+Qw=&é'

describe('redactor on strings', () => {
  it('removes a registered secret and its base64 and URL-encoded forms', () => {
    const redact = createRedactor([KEY])
    const b64 = Buffer.from(KEY).toString('base64')
    const enc = encodeURIComponent(KEY)
    expect(enc).not.toBe(KEY)
    const out = redact(`raw ${KEY} b64 ${b64} url ${enc}`)
    expect(out).toBe(`raw ${REDACTED} b64 ${REDACTED} url ${REDACTED}`)
  })

  it('forgets a removed secret, in all its forms, and keeps the others', () => {
    const redact = createRedactor([KEY])
    redact.add('token-one-1234')
    redact.add('token-two-5678')
    redact.remove('token-one-1234')
    const b64 = Buffer.from('token-one-1234').toString('base64')
    expect(redact(`token-one-1234 ${b64} token-two-5678 ${KEY}`)).toBe(
      `token-one-1234 ${b64} ${REDACTED} ${REDACTED}`,
    )
    // Removing what was never added changes nothing.
    redact.remove('never-added')
    expect(redact('token-two-5678')).toBe(REDACTED)
  })

  it('finds the key inside any base64 text, whatever precedes it', () => {
    const redact = createRedactor([KEY])
    for (const user of ['', 'a', 'ab', 'abc', 'pos-1']) {
      const b64 = Buffer.from(`${user}:${KEY}`).toString('base64')
      // No Basic prefix here, so only the literal forms can catch it.
      const out = redact(`credential=${b64}`)
      expect(out).toContain(REDACTED)
      expect(out).not.toContain(b64)
    }
  })

  it('removes Basic and Bearer credentials anywhere, any case', () => {
    const redact = createRedactor()
    expect(redact('Authorization: Basic dXNlcjpwYXNz')).toBe(`Authorization: Basic ${REDACTED}`)
    expect(redact('{"authorization":"bearer eyJ.abc-_~+/=="}')).toBe(
      `{"authorization":"bearer ${REDACTED}"}`,
    )
    expect(redact('curl -H "Authorization: Bearer tok123" x')).toBe(
      `curl -H "Authorization: Bearer ${REDACTED}" x`,
    )
  })

  it('hides a Basic header built from a registered key whole, not in pieces', () => {
    // Each base64 alignment of the key used to be replaced first, leaving e.g. `[REDACTED][REDACTED]YQ==`.
    for (const key of ['sk_test_1234a', 'sk_test_12345a', 'sk_test_123456a']) {
      const redact = createRedactor([key])
      expect(redact(`Authorization: Basic ${btoa(`tillkit:${key}`)}`)).toBe(
        `Authorization: Basic ${REDACTED}`,
      )
    }
  })

  it('removes credential query values and keeps the other parameters', () => {
    const redact = createRedactor()
    expect(redact('https://h/p?token=abc&x=1')).toBe(`https://h/p?token=${REDACTED}&x=1`)
    const names = ['merchantAccessToken', 'ACCESS_TOKEN', 'apiKey', 'api_key', 'Key', 'TOKEN']
    // Any parameter whose name ends in `token` is a credential (refresh_token, id_token...).
    for (const name of [...names, 'refresh_token', 'idToken'])
      expect(redact(`https://h/p?a=1&${name}=s3cr3t#frag`)).toBe(
        `https://h/p?a=1&${name}=${REDACTED}#frag`,
      )
    expect(redact('/poll?monkey=1&keys=2&tokens=3&token_type=x')).toBe(
      '/poll?monkey=1&keys=2&tokens=3&token_type=x',
    )
  })

  it('removes them first in a query string without its ? (a form body, URLSearchParams)', () => {
    const redact = createRedactor()
    expect(redact('token=tok-4f1a9c&api-version=v1')).toBe(`token=${REDACTED}&api-version=v1`)
    expect(redact('merchantAccessToken=mat-77b2e0&x=1')).toBe(`merchantAccessToken=${REDACTED}&x=1`)
    const form = new URLSearchParams({ token: 'tok-4f1a9c', 'api-version': 'v1' })
    expect(redact.value({ query: form.toString() })).toEqual({
      query: `token=${REDACTED}&api-version=v1`,
    })
    // Only at the very start: a word ending in "token" inside text is not a parameter.
    expect(redact('the token=part of a sentence')).toBe('the token=part of a sentence')
  })

  it('removes a registered key whole even where a pattern would stop early', () => {
    const key = 'k3y&with é and spaces'
    const redact = createRedactor([key])
    const out = redact(`GET /pac?token=${key} Authorization: Bearer ${key}`)
    expect(out).not.toContain('with')
    expect(out).not.toContain('spaces')
    expect(out).toBe('GET /pac?token=[REDACTED] Authorization: Bearer [REDACTED]')
  })

  it('removes userinfo from URLs', () => {
    const redact = createRedactor()
    expect(redact('GET https://user:pa55@host.test/x failed')).toBe(
      `GET https://${REDACTED}@host.test/x failed`,
    )
    expect(redact('wss://tok@host.test')).toBe(`wss://${REDACTED}@host.test`)
    expect(redact('mail me at a@b.test')).toBe('mail me at a@b.test')
  })

  it('removes a longer secret whole when it contains a shorter one', () => {
    const redact = createRedactor(['abcd', 'abcdefgh'])
    expect(redact('x abcdefgh y')).toBe(`x ${REDACTED} y`)
  })

  it('add ignores missing and short secrets, and works after creation', () => {
    const redact = createRedactor()
    redact.add(undefined)
    redact.add('')
    redact.add('abc')
    expect(redact('abc')).toBe('abc')
    redact.add('late-secret')
    expect(redact('is late-secret')).toBe(`is ${REDACTED}`)
  })

  it('is idempotent', () => {
    const redact = createRedactor([KEY])
    const once = redact(`Bearer x ?token=${KEY} https://u:p@h`)
    expect(redact(once)).toBe(once)
  })
})

describe('redactor.value', () => {
  const redact = createRedactor(['hunter22'])

  it('redacts strings deep inside objects and arrays without touching the input', () => {
    const input = { a: 'hunter22', n: 1, list: ['x hunter22', { deep: 'hunter22' }], ok: true }
    expect(redact.value(input)).toEqual({
      a: REDACTED,
      n: 1,
      list: [`x ${REDACTED}`, { deep: REDACTED }],
      ok: true,
    })
    expect(input.a).toBe('hunter22')
  })

  it('replaces credential headers whole, in records and in Headers', () => {
    const record = {
      Authorization: 'Digest whatever',
      'x-api-key': 'k',
      'API-Key': 'k',
      cookie: 'a=b',
      'Set-Cookie': ['a=b'],
      'Proxy-Authorization': 'x',
      accept: 'application/json',
    }
    const out = redact.value({ headers: record })
    expect(out.headers).toEqual({
      Authorization: REDACTED,
      'x-api-key': REDACTED,
      'API-Key': REDACTED,
      cookie: REDACTED,
      'Set-Cookie': REDACTED,
      'Proxy-Authorization': REDACTED,
      accept: 'application/json',
    })
    const headers = redact.value(new Headers({ authorization: 'Basic abc', 'x-trace': 'hunter22' }))
    expect(headers).toBeInstanceOf(Headers)
    expect(headers.get('authorization')).toBe(REDACTED)
    expect(headers.get('x-trace')).toBe(REDACTED)
  })

  it('returns a redacted copy of an Error, with its cause chain', () => {
    const inner = Object.assign(new Error('inner hunter22'), { code: 'ECONNRESET' })
    const outer = new TypeError('outer hunter22', { cause: inner })
    const copy = redact.value(outer)
    expect(copy).not.toBe(outer)
    expect(copy.name).toBe('TypeError')
    expect(copy.message).toBe(`outer ${REDACTED}`)
    expect(copy.stack).not.toContain('hunter22')
    expect(copy.stack).toContain('outer [REDACTED]')
    const cause = copy.cause as Error & { code?: string }
    expect(cause.message).toBe(`inner ${REDACTED}`)
    expect(cause.code).toBe('ECONNRESET')
    expect(outer.message).toBe('outer hunter22')
  })

  it('turns URLs into redacted strings, keeps Dates and primitives', () => {
    const date = new Date(0)
    const out = redact.value({ u: new URL('https://h/p?token=abc'), date, n: null, b: 1n })
    expect(out).toEqual({ u: `https://h/p?token=${REDACTED}`, date, n: null, b: 1n })
  })

  it('copies class instances as plain own fields, so getters and inspect hooks cannot leak', () => {
    class Holder {
      visible = 'hunter22'
      get hidden() {
        return 'hunter22-in-getter'
      }
    }
    const out = redact.value({ h: new Holder(), r: new Request('https://h/?token=x') })
    expect(out.h).toEqual({ visible: REDACTED })
    expect(Object.getPrototypeOf(out.h)).toBe(Object.prototype)
    expect(JSON.stringify(out)).not.toContain('hunter22')
  })

  it('keeps holes in arrays and cuts an Error whose cause chain comes back to it', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(redact.value(['hunter22', , 3])).toEqual([REDACTED, , 3])
    const error = new Error('loop hunter22')
    error.cause = error
    const copy = redact.value(error)
    expect(copy.message).toBe(`loop ${REDACTED}`)
    expect(copy.cause).toBe('[Circular]')
  })

  it('keeps a field named __proto__ as a field of the copy, not its prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "hunter22"}, "ok": 1}') as object
    const out = redact.value(parsed) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect('polluted' in out).toBe(false)
    expect(Object.keys(out)).toEqual(['__proto__', 'ok'])
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"polluted":"${REDACTED}"},"ok":1}`)
  })

  it('cuts cycles but copies an object shared by two branches twice', () => {
    const shared = { s: 'hunter22' }
    const cyclic: Record<string, unknown> = { shared, again: shared }
    cyclic.self = cyclic
    expect(redact.value(cyclic)).toEqual({
      shared: { s: REDACTED },
      again: { s: REDACTED },
      self: '[Circular]',
    })
  })
})

describe('base64', () => {
  it('matches Buffer for short and long inputs (built in chunks: a 1 MB key does not overflow the stack)', () => {
    for (const size of [0, 1, 2, 3, 100, 1_000_000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 256)
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'))
    }
    const key = 'k'.repeat(1_000_000)
    expect(createRedactor([key])(`x ${key} y`)).toBe('x [REDACTED] y')
  })

  it('takes a secret with a lone surrogate (no URL spelling of it exists) without throwing', () => {
    const secret = 'sk_\ud800_lone_surrogate'
    expect(createRedactor([secret])(`x ${secret} y`)).toBe('x [REDACTED] y')
  })
})

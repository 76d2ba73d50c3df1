/** What every secret is replaced with. */
export const REDACTED = '[REDACTED]'

/** Removes secrets from strings and from anything about to be logged or attached to an error. */
export interface Redactor {
  /** Redacts one string. */
  (text: string): string
  /**
   * Deep-redacts a value: strings inside plain objects, arrays, Errors (returned as redacted copies)
   * and Headers. Values under credential header names are replaced whole. Other class instances
   * become plain copies of their own fields, so nothing hides behind a custom `inspect` or getter.
   */
  value<T>(v: T): T
  /** Registers a literal secret; ignored when missing or shorter than 4 characters. */
  add(secret: string | undefined): void
  /** Forgets a secret `add` registered (one that can no longer appear, as an expired token). */
  remove(secret: string): void
}

/** Header names whose values are credentials (`Proxy-Authorization`, `X-API-Key`, `Set-Cookie`...). */
const SECRET_NAMES = 'authorization|api-key|cookie'
const SECRET_HEADERS = new RegExp(`(?:${SECRET_NAMES})$`, 'i')

/**
 * Fixed patterns, applied after the literal secrets. Group 1 is the label that stays; the rest is the
 * value. The auth pattern also takes in markers the literals left, so a key inside a Basic header
 * reads `Basic [REDACTED]`, not `Basic [REDACTED][REDACTED]YQ==`.
 */
const PATTERNS = [
  // HTTP auth credentials wherever they appear: headers, curl lines, error messages.
  /(\b(?:basic|bearer)\s+)[\w.~+/[\]-]+=*/gi,
  // Credential headers written out (`X-API-Key: …`, `cookie=…`, quoted as in JSON, a Map's `=>`, a
  // raw header list's `","`): the value after any Basic or Bearer, which the pattern above took, to
  // the end of the line, a quote or an `&` (a cookie's pairs go with it). Not after a word and a
  // space, or inside one: prose (`card authorization: declined`) and `preAuthorization` keep theirs.
  new RegExp(
    `((?<![a-z]\\s?)(?:${SECRET_NAMES})["']?\\s*(?:=>|[:=,])\\s*["']?(?:(?:basic|bearer)\\s+)?)[^"'&<\\r\\n]+`,
    'gi',
  ),
  // Credential-carrying query parameters (token, merchantAccessToken, access_token, apiKey, api_key,
  // key), also after `&amp;`, and first in a query string without its `?` (a form body, `URLSearchParams`).
  /((?:^|[?&;])(?:\w*token|api_?key|key)=)[^&#\s"'<>]*/gi,
  // userinfo in URLs: https://user:pass@host
  /(\/\/)[^/\s@?#]+(?=@)/g,
]

/** What any text a pattern can match holds: most text (receipt lines, ids, amounts) skips them all. */
const MAYBE = new RegExp(`basic|bearer|[=@]|${SECRET_NAMES}`, 'i')

/**
 * The spellings a secret can take on the wire. Base64 is also taken of the whole 3-byte groups at
 * each of the three alignments, so a key is found inside any base64 text that embeds it, such as
 * `Basic base64(user:key)`. Forms shorter than 4 characters are dropped by the caller.
 */
function spellings(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret)
  const b64 = (from: number, to = bytes.length - ((bytes.length - from) % 3)) =>
    base64(bytes.subarray(from, to))
  let encoded = secret
  try {
    encoded = encodeURIComponent(secret)
  } catch {
    // A lone surrogate: no URL can carry it, so it has no URL spelling.
  }
  return [secret, encoded, b64(0, bytes.length), b64(0), b64(1), b64(2)]
}

/** Base64 of bytes, in chunks: spreading a long array into one call overflows the stack. */
export function base64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function createRedactor(secrets: Array<string | undefined> = []): Redactor {
  /** Longest first, so a secret that contains another is removed whole. */
  let literals: string[] = []

  const redact = ((text: string): string => {
    let out = String(text)
    // Literals first: a registered key is removed whole, whatever characters it holds.
    for (const s of literals) out = out.replaceAll(s, REDACTED)
    if (MAYBE.test(out)) for (const re of PATTERNS) out = out.replace(re, `$1${REDACTED}`)
    return out
  }) as Redactor

  /** `path` holds the objects being copied above this one: a shared object is copied twice, a cycle cut. */
  const deep = (v: unknown, path: object[]): unknown => {
    if (typeof v == 'string' || v instanceof URL) return redact(v as string)
    if (typeof v != 'object' || !v || v instanceof Date) return v
    if (path.includes(v)) return '[Circular]'
    path.push(v)
    let out: unknown
    if (Array.isArray(v)) out = v.map((x) => deep(x, path))
    else {
      const isHeaders = v instanceof Headers
      const copy: Record<string, unknown> = {}
      for (const k of isHeaders ? v.keys() : Object.keys(v)) {
        const x = SECRET_HEADERS.test(k)
          ? REDACTED
          : deep(isHeaders ? v.get(k) : (v as Record<string, unknown>)[k], path)
        // A field named __proto__ (JSON.parse makes them) stays a field, not the copy's prototype.
        if (k == '__proto__')
          Object.defineProperty(copy, k, {
            value: x,
            enumerable: true,
            writable: true,
            configurable: true,
          })
        else copy[k] = x
      }
      out = isHeaders ? new Headers(copy as Record<string, string>) : copy
      // An Error stays an Error: its own fields as above, plus name, message, stack and cause.
      if (v instanceof Error)
        out = Object.assign(
          new Error(
            redact(v.message),
            v.cause === undefined ? undefined : { cause: deep(v.cause, path) },
          ),
          copy,
          { name: v.name, stack: redact(v.stack!) },
        )
    }
    path.pop()
    return out
  }

  redact.value = (v) => deep(v, []) as typeof v
  const known = new Set<string>()
  const update = () => {
    literals = [...new Set([...known].flatMap(spellings))]
      .filter((s) => s.length >= 4)
      .sort((a, b) => b.length - a.length)
  }
  redact.add = (secret) => {
    if (!(secret?.length! >= 4) || known.has(secret!)) return
    known.add(secret!)
    update()
  }
  redact.remove = (secret) => {
    if (known.delete(secret)) update()
  }
  secrets.forEach(redact.add)
  return redact
}

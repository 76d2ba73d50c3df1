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
}

const SECRET_HEADERS = /^(authorization|proxy-authorization|x-api-key|api-key|cookie|set-cookie)$/i

/** Fixed patterns, applied after the literal secrets; each keeps its label and hides the value. */
const PATTERNS: Array<[RegExp, string]> = [
  // HTTP auth credentials wherever they appear: headers, curl lines, error messages.
  [/\b(basic|bearer)\s+[\w.~+/-]+=*/gi, `$1 ${REDACTED}`],
  // Credential-carrying query parameters (also after `&amp;`).
  [
    /([?&;](?:token|merchantAccessToken|access_token|apiKey|api_key|key)=)[^&#\s"'<>]*/gi,
    `$1${REDACTED}`,
  ],
  // userinfo in URLs: https://user:pass@host
  [/\b([a-z][\w+.-]*:\/\/)[^/\s@?#]+@/gi, `$1${REDACTED}@`],
]

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))

/**
 * The spellings a secret can take on the wire. Base64 is taken at the three byte alignments, so a
 * key is also found inside any base64 text that embeds it, such as `Basic base64(user:key)`.
 */
function spellings(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret)
  const forms = [secret, encodeURIComponent(secret), b64(bytes)]
  for (let skip = 0; skip < 3; skip++) {
    const whole = bytes.length - skip - ((bytes.length - skip) % 3)
    if (whole >= 3) forms.push(b64(bytes.subarray(skip, skip + whole)))
  }
  return forms
}

export function createRedactor(secrets: Array<string | undefined> = []): Redactor {
  const literals = new Set<string>()

  const redact = ((text: string): string => {
    let out = String(text)
    // Longest first, so a secret that contains another is removed whole.
    for (const s of [...literals].sort((a, b) => b.length - a.length))
      out = out.split(s).join(REDACTED)
    for (const [re, to] of PATTERNS) out = out.replace(re, to)
    return out
  }) as Redactor

  /** `path` holds the objects being copied above this one: a shared object is copied twice, a cycle cut. */
  const deep = (v: unknown, path: Set<object>): unknown => {
    if (typeof v === 'string') return redact(v)
    if (typeof v !== 'object' || v === null || v instanceof Date) return v
    if (path.has(v)) return '[Circular]'
    path.add(v)
    const out = copy(v, path)
    path.delete(v)
    return out
  }

  const copy = (v: object, path: Set<object>): unknown => {
    if (v instanceof Error) {
      const c: Error & { code?: unknown } = new Error(redact(v.message))
      c.name = v.name
      c.stack = redact(String(v.stack))
      if ('code' in v) c.code = v.code
      if (v.cause !== undefined) c.cause = deep(v.cause, path)
      return c
    }
    if (v instanceof URL) return redact(v.href)
    if (Array.isArray(v)) return v.map((x) => deep(x, path))
    const isHeaders = v instanceof Headers
    const safe = (isHeaders ? [...v] : Object.entries(v)).map(([k, x]): [string, unknown] => [
      k,
      SECRET_HEADERS.test(k) ? REDACTED : deep(x, path),
    ])
    return isHeaders ? new Headers(safe as Array<[string, string]>) : Object.fromEntries(safe)
  }

  redact.value = <T>(v: T): T => deep(v, new Set()) as T
  redact.add = (secret) => {
    if (typeof secret === 'string' && secret.length >= 4)
      for (const form of spellings(secret)) if (form.length >= 4) literals.add(form)
  }
  secrets.forEach(redact.add)
  return redact
}

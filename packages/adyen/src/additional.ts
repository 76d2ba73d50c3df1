/**
 * Adyen packs details into strings in two ways: form-encoded key-value pairs (`AdditionalResponse`,
 * `EventDetails`, display texts, receipt lines) or, for `AdditionalResponse`, base64 of a JSON object. These
 * readers never throw: a detail string is for insight, and a payment's outcome must not fail on it.
 */

/** `a=1&b=x+y%21` as `{ a: '1', b: 'x y!' }`; a repeated key keeps its first value, a bad escape stays as sent. */
export function parseFormEncoded(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of text.split('&')) {
    if (!pair) continue
    const at = pair.indexOf('=')
    const key = decode(at < 0 ? pair : pair.slice(0, at))
    if (key && !Object.hasOwn(out, key)) out[key] = at < 0 ? '' : decode(pair.slice(at + 1))
  }
  return out
}

function decode(text: string): string {
  const spaced = text.replaceAll('+', ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    return spaced
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * `Response.AdditionalResponse` as flat string pairs, whichever way it was packed. Base64 JSON is recognised by
 * its alphabet and by decoding to a JSON object; its `additionalData` object (if any) is merged in, other nested
 * values are kept as JSON text. Anything else is read as form-encoded.
 */
export function parseAdditionalResponse(text: string | undefined): Record<string, string> {
  if (!text) return {}
  const json = BASE64.test(text) ? fromBase64Json(text) : undefined
  if (!json) return parseFormEncoded(text)
  const out: Record<string, string> = {}
  const put = (key: string, value: unknown) => {
    if (Object.hasOwn(out, key) || value === null || value === undefined) return
    out[key] = typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
  const { additionalData, ...rest } = json
  if (isRecord(additionalData))
    for (const [key, value] of Object.entries(additionalData)) put(key, value)
  else put('additionalData', additionalData)
  for (const [key, value] of Object.entries(rest)) put(key, value)
  return out
}

function fromBase64Json(text: string): Record<string, unknown> | undefined {
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Form-encodes pairs the way Adyen writes them (spaces as `+`). */
export function formEncode(pairs: Record<string, string | number | boolean>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${encode(k)}=${encode(String(v))}`)
    .join('&')
}

const encode = (text: string) => encodeURIComponent(text).replaceAll('%20', '+')

/** JSON pointers (RFC 6901) as they appear in `$ref` fragments and in our error messages. */

function escapeToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

function unescapeToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~')
}

export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${escapeToken(String(token))}`).join('')
}

/**
 * Whether a local reference such as `#/components/schemas/Terminal` (or `#`, the whole document)
 * points at something in `document`. The fragment is URI-encoded (`%7B` for `{`), so it is
 * percent-decoded before the tokens are unescaped.
 */
export function resolvesLocally(document: unknown, ref: `#${string}`): boolean {
  let fragment: string
  try {
    fragment = decodeURIComponent(ref.slice(1))
  } catch {
    return false
  }
  if (fragment === '') return true
  let node: unknown = document
  for (const raw of fragment.slice(1).split('/')) {
    // RFC 6901 allows only `~0` and `~1`; any other `~` makes the pointer invalid.
    if (/~(?![01])/.test(raw)) return false
    const token = unescapeToken(raw)
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= node.length) return false
      node = node[Number(token)]
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token]
    } else {
      return false
    }
  }
  return true
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Why a `$ref` fragment (the part after `#`, still percent-encoded) cannot be followed in
 * `document`, or `undefined` when it resolves. Only JSON pointers (`/...`, or empty for the whole
 * document) are supported: a plain-name anchor (`#Name`, declared by `$anchor` or an `$id` of
 * `#Name`) is refused, as json-schema-to-typescript cannot follow one and Ajv's strict mode does
 * not know `$anchor`. `inFile` names the file for a reference into another one.
 */
export function fragmentProblem(
  document: unknown,
  fragment: string,
  inFile?: string,
): string | undefined {
  if (fragment !== '' && !fragment.startsWith('/')) {
    return 'names an anchor; anchors are not supported: use a JSON pointer (#/...) instead'
  }
  if (resolvesLocally(document, `#${fragment}`)) return undefined
  return inFile === undefined ? 'does not resolve' : `does not resolve in ${inFile}`
}

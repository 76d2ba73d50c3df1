import type { Clock } from '@tillkit/core'

/**
 * What the cloud checks before any operation: HTTP Basic credentials, the version media types,
 * the EPoS identification headers (pay at counter) and request spacing.
 */

/** HTTP Basic with any username; the password must be one of the configured API keys. */
function isAuthorised(header: string | null, apiKeys: readonly string[]): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')
  if (!match) return false
  let decoded: string
  try {
    const bytes = Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0))
    decoded = new TextDecoder().decode(bytes)
  } catch {
    return false
  }
  const colon = decoded.indexOf(':')
  return colon >= 0 && apiKeys.includes(decoded.slice(colon + 1))
}

/**
 * {@link isAuthorised} for one cloud, remembering its answer for the last few `Authorization`
 * values: a POS sends the same one on every request, and decoding it each time is a tenth of what
 * the fake spends on a poll.
 */
export function authoriser(apiKeys: readonly string[]): (request: Request) => boolean {
  const known = new Map<string, boolean>()
  return (request) => {
    const header = request.headers.get('authorization') ?? ''
    let answer = known.get(header)
    if (answer === undefined) {
      answer = isAuthorised(header, apiKeys)
      if (known.size >= 16) known.delete(known.keys().next().value!)
      known.set(header, answer)
    }
    return answer
  }
}

const essence = (value: string) => value.split(';')[0]!.trim().toLowerCase()

/** A media range weighted `q=0`: "not acceptable" (RFC 9110, 12.4.2), however it is written. */
const REFUSED = /;\s*q\s*=\s*0(?:\.0{0,3})?\s*(?:;|$)/i

/**
 * Whether `Accept` asks for exactly this version. A missing Accept (or a wildcard) would select
 * the cloud's default version (reportedly v0), which this fake does not serve; the version listed
 * with `q=0` is one the client refuses.
 */
export function acceptsMedia(request: Request, media: string): boolean {
  const accept = request.headers.get('accept') ?? ''
  return accept.split(',').some((part) => essence(part) === media && !REFUSED.test(part))
}

export function hasContentType(request: Request, media: string): boolean {
  return essence(request.headers.get('content-type') ?? '') === media
}

/** Pay-at-counter v2 needs both EPoS identification headers. */
export function missingEposHeaders(request: Request): string[] {
  return ['Software-House-Id', 'Installer-Id'].filter((name) => !request.headers.get(name)?.trim())
}

/** The account a request belongs to: the first label of the host name. */
export function accountOf(url: URL): string {
  return url.hostname.split('.')[0] ?? url.hostname
}

/**
 * Per-account minimum gap between requests. A request closer than `spacingMs` to the previous
 * admitted request of the same account is refused (and does not move the window).
 */
export class RequestSpacing {
  private readonly last = new Map<string, number>()

  constructor(
    private readonly clock: Clock,
    private readonly spacingMs: number,
  ) {}

  admit(account: string): boolean {
    if (this.spacingMs <= 0) return true
    const now = this.clock.now()
    const previous = this.last.get(account)
    if (previous !== undefined && now - previous < this.spacingMs) return false
    this.last.set(account, now)
    return true
  }
}

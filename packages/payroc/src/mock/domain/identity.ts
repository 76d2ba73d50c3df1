import { refuse } from './errors.js'

/** What a token may do: `read` tokens (from read-only keys) get 403 on every POST and DELETE. */
export type Scope = 'full' | 'read'

interface IssuedToken {
  scope: Scope
  expiresAt: number
  revoked: boolean
}

/** The identity service: API keys in, bearer tokens out, and the check every API request goes through. */
export class Identity {
  private readonly tokens = new Map<string, IssuedToken>()
  private count = 0

  constructor(
    private readonly keys: ReadonlyMap<string, Scope>,
    readonly lifetimeSeconds: number,
  ) {}

  /** A new token for a known key, or a 401 refusal. */
  issue(apiKey: string | null, now: number): { token: string; scope: Scope } {
    const scope = apiKey === null ? undefined : this.keys.get(apiKey)
    if (!scope) return refuse('unauthorized', 'The API key is missing or not valid.')
    const token = `tk_${crypto.randomUUID().replaceAll('-', '')}`
    this.tokens.set(token, { scope, expiresAt: now + this.lifetimeSeconds * 1000, revoked: false })
    this.count++
    return { token, scope }
  }

  /** The scope of a valid token; a 401 refusal otherwise. */
  check(authorization: string | null, now: number): Scope {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]
    const issued = token === undefined ? undefined : this.tokens.get(token)
    if (!issued || issued.revoked)
      return refuse('unauthorized', 'A valid bearer token is required.')
    if (now >= issued.expiresAt) return refuse('unauthorized', 'The bearer token has expired.')
    return issued.scope
  }

  /** Every token issued so far stops working at once (as if they had all expired). */
  revokeAll(): void {
    for (const issued of this.tokens.values()) issued.revoked = true
  }

  get issued(): number {
    return this.count
  }
}

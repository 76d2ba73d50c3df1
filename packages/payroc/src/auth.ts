import { steady, TillkitError, TillkitHttpError, type Clock, type Redactor } from '@tillkit/core'

/**
 * The bearer token could not be obtained, so the API request that needed it was never sent. `code` is the code of
 * the token request's own failure (`HTTP`, `TIMEOUT`, `NETWORK`, `PROTOCOL`...), which is kept as `cause`.
 */
export class PayrocTokenError extends TillkitError {
  /** The identity service's status, when it answered. */
  declare readonly status?: number

  constructor(cause: TillkitError, redact: Redactor) {
    super(
      cause.code,
      `Payroc identity: no bearer token (${cause.message}); the request was not sent`,
      false,
      { cause, redact },
    )
    this.name = 'PayrocTokenError'
    if (cause instanceof TillkitHttpError) this.status = cause.status
  }
}

export interface IssuedToken {
  value: string
  /** From `expires_in`. */
  lifetimeMs: number
}

interface CachedToken {
  value: string
  /** When to stop using it and fetch the next one: before it expires, so no request carries a dying token. */
  renewAt: number
}

/**
 * One bearer token per client: fetched on first use, reused until shortly before it expires, then replaced.
 * Requests that need a token while one is being fetched wait for that same fetch, so a burst of requests makes
 * one token request.
 */
export class TokenSource {
  private current: CachedToken | undefined
  private pending: Promise<CachedToken> | undefined

  /** Token ages are steady time: a wall-clock step keeps no token past its renewal. */
  private readonly now: () => number

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    clock: Clock,
    /** How long before expiry the token is replaced (capped at half its lifetime). */
    private readonly marginMs: number,
  ) {
    this.now = steady(clock)
  }

  async get(): Promise<string> {
    const cached = this.current
    if (cached && this.now() < cached.renewAt) return cached.value
    return (await this.fetch()).value
  }

  /**
   * A token the gateway refused (401): fetch another, unless a newer one already replaced it (then that one is
   * used, so concurrent refusals make one token request).
   */
  async renew(refused: string): Promise<string> {
    if (this.current?.value === refused) this.current = undefined
    return this.get()
  }

  private fetch(): Promise<CachedToken> {
    this.pending ??= (async () => {
      // Timed from the request, not the answer: the token's life began at most this early.
      const asked = this.now()
      try {
        const { value, lifetimeMs } = await this.issue()
        const margin = Math.min(this.marginMs, lifetimeMs / 2)
        this.current = { value, renewAt: asked + lifetimeMs - margin }
        return this.current
      } finally {
        this.pending = undefined
      }
    })()
    return this.pending
  }
}

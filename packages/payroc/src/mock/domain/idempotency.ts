import { refuse } from './errors.js'

export interface StoredAnswer {
  status: number
  body: unknown
}

interface Entry {
  /** Method, path and the exact body text: a replay must match all three. */
  fingerprint: string
  answer: StoredAnswer
}

/**
 * Idempotency keys of successful POSTs. The same key with the same request gets the stored answer again and nothing
 * is done twice; the same key with anything else is a 409. Failed requests are not stored, so their key may be
 * used again.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>()

  /** The stored answer for a replay, undefined for a new key; a 409 refusal for a key reused differently. */
  lookup(key: string, fingerprint: string): StoredAnswer | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.fingerprint !== fingerprint)
      return refuse(
        'conflict',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
        {
          // A 409's field errors carry all three of parameter, detail and message.
          errors: [
            {
              parameter: 'Idempotency-Key',
              detail: 'already used with a different request',
              message: 'already used with a different request',
            },
          ],
        },
      )
    return entry.answer
  }

  remember(key: string, fingerprint: string, answer: StoredAnswer): void {
    this.entries.set(key, { fingerprint, answer })
  }

  get size(): number {
    return this.entries.size
  }
}

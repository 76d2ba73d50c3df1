/** A random (v4) UUID, e.g. for idempotency keys and request ids. */
export function uuid(): string {
  return crypto.randomUUID()
}

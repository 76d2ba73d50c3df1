/** JSON-RPC 2.0 helpers the client needs; nothing here knows Connect's methods. */

/** Largest JSON-RPC id Connect accepts. */
export const MAX_ID = 999_999

export const RpcCode = {
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** tillkit's placeholder for Connect's "connection discontinued" (see the error-message schema). */
  ConnectionDiscontinued: -32004,
} as const

export function isMessageId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_ID
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * The id after `last` (999999 wraps to 0) that `taken` does not hold. The caller keeps fewer ids taken than there
 * are ids, so the search ends.
 */
export function nextFreeId(last: number, taken: (id: number) => boolean): number {
  let id = last
  do id = id >= MAX_ID ? 0 : id + 1
  while (taken(id))
  return id
}

const encoder = new TextEncoder()

/** Whether `text` takes more than `max` bytes in UTF-8, counting the bytes only when the length cannot tell. */
export function exceedsBytes(text: string, max: number): boolean {
  // A UTF-16 unit takes one to three bytes (a surrogate pair, two units, takes four).
  if (text.length > max) return true
  if (text.length * 3 <= max) return false
  return encoder.encode(text).length > max
}

export interface ErrorReply {
  jsonrpc: '2.0'
  id: number
  error: { code: number; message: string }
}

export const errorReply = (id: number, code: number, message: string): ErrorReply => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
})

import type { ErrorMessage } from '../../generated/websocket/error-message.js'
import type { RefusalKind } from '../domain/errors.js'

/**
 * JSON-RPC 2.0 plumbing shared by the WebSocket integrations: reading an inbound text into a
 * request or a response, and building error messages. Nothing here knows Connect's methods.
 */

/** Error codes the fake sends; the Connect ones are tillkit placeholders (error-message schema). */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  TerminalBusy: -32001,
  TerminalUnavailable: -32002,
  UnknownTerminal: -32003,
  ConnectionDiscontinued: -32004,
} as const

/**
 * How a model refusal reads on the socket. Pay at counter only meets the first five kinds;
 * `exists` and `locked` (tables) are listed so the table stays total.
 */
export const REFUSAL_CODE: Record<RefusalKind, number> = {
  'not-found': RpcCode.UnknownTerminal,
  unavailable: RpcCode.TerminalUnavailable,
  busy: RpcCode.TerminalBusy,
  invalid: RpcCode.InvalidParams,
  'conflict-state': RpcCode.InvalidParams,
  exists: RpcCode.InvalidParams,
  locked: RpcCode.TerminalBusy,
}

export type MessageId = number

/** What one inbound text turned out to be. */
export type Inbound =
  | { kind: 'request'; id: MessageId; method: string; message: Record<string, unknown> }
  | { kind: 'response'; id: MessageId | null; message: Record<string, unknown> }
  | { kind: 'error-reply'; id: MessageId | null; error: unknown }
  | { kind: 'invalid'; code: number; id: MessageId | null; reason: string }

export function isMessageId(value: unknown): value is MessageId {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 999_999
}

/**
 * Sorts an inbound text without judging its params: requests carry `method`, answers to our own
 * requests carry `result`, refusals of them carry `error`. Anything else is refused with the
 * standard code, echoing the id when one can be read.
 */
export function readInbound(text: string): Inbound {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'invalid', code: RpcCode.ParseError, id: null, reason: 'Parse error: not JSON.' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const reason = Array.isArray(value)
      ? 'Invalid request: batches are not supported.'
      : 'Invalid request: a message must be a JSON object.'
    return { kind: 'invalid', code: RpcCode.InvalidRequest, id: null, reason }
  }
  const message = value as Record<string, unknown>
  const id = isMessageId(message.id) ? message.id : null
  const invalid = (reason: string): Inbound => ({
    kind: 'invalid',
    code: RpcCode.InvalidRequest,
    id,
    reason: `Invalid request: ${reason}`,
  })
  if (message.jsonrpc !== '2.0') return invalid('jsonrpc must be "2.0".')
  if ('method' in message) {
    if (typeof message.method !== 'string') return invalid('method must be a string.')
    if (id === null) return invalid('id must be an integer from 0 to 999999.')
    return { kind: 'request', id, method: message.method, message }
  }
  if ('error' in message) return { kind: 'error-reply', id, error: message.error }
  if ('result' in message) return { kind: 'response', id, message }
  return invalid('a message needs a method, a result or an error.')
}

export function errorMessage(id: MessageId | null, code: number, message: string): ErrorMessage {
  return { jsonrpc: '2.0', id, error: { code, message } }
}

import {
  FaultList,
  invalidFault,
  withFaults,
  type Counted,
  type HttpFault,
  type WithFaultsOptions,
} from '@tillkit/core/fake'
import { mediaFor } from './http/respond.js'

export type {
  FaultMatch,
  HttpFault,
  LatencyFault,
  LostResponseFault,
  StatusFault,
} from '@tillkit/core/fake'

/**
 * WebSocket: ends connections abruptly (no close frame, code 1006 at the EPoS) at the moment the
 * fake is about to send a message, so the message is lost with the connection. With
 * `notification`, only when that terminal notification is next; otherwise on the next message.
 * `cloud.sockets.drop()` drops at once instead.
 */
export interface DropConnectionFault extends Counted {
  kind: 'dropConnection'
  notification?: string
}

/** WebSocket: every terminal notification is sent twice in a row. */
export interface DuplicateNotificationsFault extends Counted {
  kind: 'duplicateNotifications'
}

/**
 * WebSocket: a notification is held back and sent right after the next message (or after
 * `holdMs` of the cloud's clock if nothing follows), so the EPoS sees the two swapped.
 */
export interface ReorderNotificationsFault extends Counted {
  kind: 'reorderNotifications'
  /** Default 1 000. */
  holdMs?: number
}

/** WebSocket: protocol pings are skipped (each skipped ping uses one of `times`). */
export interface MissingPingsFault extends Counted {
  kind: 'missingPings'
}

/** WebSocket: each ping comes `delayMs` late (each late ping uses one of `times`). */
export interface SlowPingsFault extends Counted {
  kind: 'slowPings'
  delayMs: number
}

export type SocketFault =
  | DropConnectionFault
  | DuplicateNotificationsFault
  | ReorderNotificationsFault
  | MissingPingsFault
  | SlowPingsFault
export type Fault = HttpFault | SocketFault

/** The fake's faults: core's HTTP kinds plus the WebSocket ones above. */
export type ConnectFaults = FaultList<SocketFault>

export function connectFaults(): ConnectFaults {
  return new FaultList<SocketFault>((fault) => {
    switch (fault.kind) {
      case 'reorderNotifications':
        if (fault.holdMs !== undefined && !(fault.holdMs > 0))
          invalidFault('holdMs must be above 0')
        return
      case 'slowPings':
        if (!(fault.delayMs > 0)) invalidFault('delayMs must be above 0')
        return
      case 'dropConnection':
      case 'duplicateNotifications':
      case 'missingPings':
        return
      default:
        invalidFault(`unknown kind ${(fault as { kind: unknown }).kind}`)
    }
  })
}

/** Status faults without a body answer in Connect's error shape and media type. */
const ERROR_SHAPE: WithFaultsOptions = {
  errorBody: (status, request) => ({
    body: { userMessage: `Injected fault: status ${status}.` },
    contentType: mediaFor(new URL(request.url).pathname),
  }),
  contentType: (request) => mediaFor(new URL(request.url).pathname),
}

export const withConnectFaults = (
  handler: (request: Request) => Promise<Response>,
  faults: ConnectFaults,
  clock: Parameters<typeof withFaults>[2],
) => withFaults(handler, faults, clock, ERROR_SHAPE)

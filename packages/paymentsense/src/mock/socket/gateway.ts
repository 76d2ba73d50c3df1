import type { Clock } from '@tillkit/core'
import type { SocketAcceptance, SocketLink, SocketPeer } from '@tillkit/core/fake'
import type { ConnectModel } from '../domain/model.js'
import type { ConnectFaults } from '../faults.js'
import { createConnectSession, type ConnectSessionOptions } from '../ws/session.js'
import { errorMessage, RpcCode } from '../ws/jsonrpc.js'

export type { SocketAcceptance, SocketLink, SocketPeer } from '@tillkit/core/fake'

export interface SocketGatewayOptions {
  apiKeys: readonly string[]
  clock: Clock
  faults: ConnectFaults
  /** Default 30 000; 0 turns pings off. */
  pingIntervalMs: number
  /** Connect's own signature window, passed to each session. */
  signatureTimeoutMs?: number
}

/** The only API version the fake speaks; Connect's WebSocket API has v1 and a deprecated v0. */
const API_VERSION = 'v1'

/** Close code and reason sent to a pay-at-table connection that a newer one replaced. */
export const DISCONTINUED = { code: 4000, reason: 'Connection discontinued' } as const

type Integration = ConnectSessionOptions['integration']

/** Inspection and control of the fake's open WebSocket connections. */
export interface SocketControl {
  /** Connections open now, oldest first. */
  readonly open: readonly { integration: Integration; since: number }[]
  /** Ends every open connection (or those of one integration) without a close frame. */
  drop(integration?: Integration): number
}

interface Connection {
  integration: Integration
  since: number
  peer: SocketPeer
  end(): void
}

/**
 * The WebSocket side of the fake cloud, free of any transport: checks the handshake URL like
 * Connect (path, `token`, `api-version`, EPoS ids), opens a JSON-RPC session per connection,
 * applies socket faults to what the session sends, and pings each peer on the cloud's clock.
 * Pay at table keeps one connection per account: a newer one discontinues the older.
 */
export function createSocketGateway(model: ConnectModel, options: SocketGatewayOptions) {
  const { clock, faults } = options
  const connections: Connection[] = []

  const accept = (url: string | URL, peer: SocketPeer): SocketAcceptance => {
    const parsed = new URL(url)
    const integration = parsed.pathname.replace(/\/+$/, '').slice(1)
    if (integration !== 'pac' && integration !== 'pat') {
      return { ok: false, status: 404, reason: 'Not found: the path must be /pac or /pat.' }
    }
    const query = parsed.searchParams
    const token = query.get('token')
    if (token === null || !options.apiKeys.includes(token)) {
      return { ok: false, status: 401, reason: 'Unauthorised: check the token.' }
    }
    const version = query.get('api-version')
    if (version !== API_VERSION) {
      return { ok: false, status: 400, reason: `api-version must be ${API_VERSION}.` }
    }
    for (const name of ['software-house-id', 'installer-id']) {
      if (!query.get(name)) return { ok: false, status: 400, reason: `${name} is required.` }
    }
    if (integration === 'pat') {
      for (const older of connections.filter((c) => c.integration === 'pat')) discontinue(older)
    }
    return { ok: true, link: open(integration, peer, query.has('final-pos-receipt-request')) }
  }

  const discontinue = (connection: Connection) => {
    connection.peer.send(
      JSON.stringify(errorMessage(null, RpcCode.ConnectionDiscontinued, `${DISCONTINUED.reason}.`)),
    )
    connection.peer.close(DISCONTINUED.code, DISCONTINUED.reason)
    connection.end()
  }

  const open = (integration: Integration, peer: SocketPeer, finalReceipts: boolean): SocketLink => {
    let ended = false
    let held: { text: string; cancel: () => void } | undefined
    let cancelPing: (() => void) | undefined

    const deliver = (text: string) => {
      if (!ended) peer.send(text)
    }
    const release = () => {
      const waiting = held
      held = undefined
      if (!waiting) return
      waiting.cancel()
      deliver(waiting.text)
    }

    /** Every frame the session sends passes the socket faults here. */
    const send = (text: string) => {
      if (ended) return
      const notification = notificationValue(text)
      const drop = faults.takeKind(
        'dropConnection',
        (fault) => fault.notification === undefined || fault.notification === notification,
      )
      if (drop) {
        peer.drop()
        connection.end()
        return
      }
      if (notification === undefined) {
        deliver(text)
        return release()
      }
      const copies = faults.takeKind('duplicateNotifications') ? 2 : 1
      if (!held) {
        const reorder = faults.takeKind('reorderNotifications')
        if (reorder) {
          held = { text, cancel: clock.schedule(reorder.holdMs ?? 1_000, release) }
          return
        }
      }
      for (let i = 0; i < copies; i++) deliver(text)
      release()
    }

    const session = createConnectSession(model, {
      integration,
      clock,
      send,
      ...(options.signatureTimeoutMs !== undefined && {
        signatureTimeoutMs: options.signatureTimeoutMs,
      }),
      ...(finalReceipts && { finalPosReceiptRequest: true }),
    })

    const ping = () => {
      const late = faults.takeKind('slowPings')?.delayMs ?? 0
      cancelPing = clock.schedule(options.pingIntervalMs + late, () => {
        if (ended) return
        if (!faults.takeKind('missingPings')) peer.ping?.()
        ping()
      })
    }
    if (options.pingIntervalMs > 0 && peer.ping) ping()

    const connection: Connection = {
      integration,
      since: clock.now(),
      peer,
      end() {
        if (ended) return
        ended = true
        cancelPing?.()
        held?.cancel()
        held = undefined
        session.close()
        connections.splice(connections.indexOf(connection), 1)
      },
    }
    connections.push(connection)

    return {
      receive: (text) => {
        if (!ended) session.receive(text)
      },
      closed: () => connection.end(),
    }
  }

  const control: SocketControl = {
    get open() {
      return connections.map(({ integration, since }) => ({ integration, since }))
    },
    drop(integration) {
      const victims = connections.filter((c) => !integration || c.integration === integration)
      for (const connection of victims) {
        connection.peer.drop()
        connection.end()
      }
      return victims.length
    },
  }

  return { accept, control }
}

export type SocketGateway = ReturnType<typeof createSocketGateway>

/** The notification value of an outbound terminal notification, else undefined. */
function notificationValue(text: string): string | undefined {
  // Only notifications are reordered or duplicated; a cheap test first spares most parses.
  if (!text.includes('"terminalNotification"')) return undefined
  const message = JSON.parse(text) as { method?: unknown; params?: { notificationValue?: unknown } }
  const value = message.params?.notificationValue
  return message.method === 'terminalNotification' && typeof value === 'string' ? value : undefined
}

/**
 * The WebSocket side of a fake cloud, as transport adapters see it: an adapter (in-process, MSW,
 * the simulator's `ws` server) asks the fake to accept a handshake URL with a peer it can write to,
 * and feeds the accepted link the frames it receives. The fake never touches a socket itself.
 */

/** The POS end of one WebSocket. */
export interface SocketPeer {
  /** One text frame to the POS. */
  send(text: string): void
  /** A clean close, with a close frame. */
  close(code: number, reason: string): void
  /** Ends the connection without a close frame, as a network failure would (the POS sees 1006). */
  drop(): void
  /** A protocol-level ping, where the transport has one. */
  ping?(): void
}

/** What the adapter calls back into for an accepted connection. */
export interface SocketLink {
  /** One text frame from the POS. */
  receive(text: string): void
  /** The connection is gone, whichever side ended it. Idempotent. */
  closed(): void
}

/** The handshake outcome: an HTTP status and reason when refused (before any upgrade). */
export type SocketAcceptance =
  { ok: true; link: SocketLink } | { ok: false; status: number; reason: string }

/** A fake cloud's handshake, e.g. the Paymentsense fake's `cloud.acceptSocket`. */
export type SocketAcceptor = (url: string, peer: SocketPeer) => SocketAcceptance

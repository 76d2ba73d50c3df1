import type { SocketGateway, SocketLink } from './gateway.js'

/** `CloseEvent` is not a global before Node 23; this carries the same fields. */
export class SocketCloseEvent extends Event {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean
  constructor(init: { code: number; reason: string; wasClean: boolean }) {
    super('close')
    this.code = init.code
    this.reason = init.reason
    this.wasClean = init.wasClean
  }
}

type Handler = ((event: Event) => void) | null

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/** The constructor `cloud.WebSocket` is: a WHATWG WebSocket wired to one fake cloud. */
export type InProcessWebSocketClass = ReturnType<typeof createInProcessWebSocket>

/**
 * A WebSocket class (the browser API) connected in-process to the fake cloud's gateway: no
 * network, every event delivered as a microtask in order, so tests on a manual clock stay exact.
 * A refused handshake fires `error` then `close` (1006) without `open`, like a browser seeing a
 * 401. It also speaks the one `ws` extra the clients use: `on('ping', listener)`.
 */
export function createInProcessWebSocket(gateway: SocketGateway) {
  return class FakeCloudWebSocket extends EventTarget {
    static readonly CONNECTING = CONNECTING
    static readonly OPEN = OPEN
    static readonly CLOSING = CLOSING
    static readonly CLOSED = CLOSED
    readonly CONNECTING = CONNECTING
    readonly OPEN = OPEN
    readonly CLOSING = CLOSING
    readonly CLOSED = CLOSED

    readonly url: string
    readonly protocol = ''
    readonly extensions = ''
    readonly bufferedAmount = 0
    binaryType: 'blob' | 'arraybuffer' = 'blob'
    readyState: number = CONNECTING
    onopen: Handler = null
    onmessage: Handler = null
    onclose: Handler = null
    onerror: Handler = null

    #link: SocketLink | undefined
    #pingListeners = new Set<() => void>()

    constructor(url: string | URL, _protocols?: string | string[]) {
      super()
      this.url = String(url)
      queueMicrotask(() => this.#handshake())
    }

    /** `ws`-style listener for protocol pings (the browser API has none). */
    on(event: 'ping', listener: () => void): this {
      if (event === 'ping') this.#pingListeners.add(listener)
      return this
    }

    off(event: 'ping', listener: () => void): this {
      if (event === 'ping') this.#pingListeners.delete(listener)
      return this
    }

    send(data: unknown): void {
      if (this.readyState === CONNECTING) {
        throw new DOMException('The connection is not open yet.', 'InvalidStateError')
      }
      if (this.readyState !== OPEN) return
      if (typeof data !== 'string') {
        // Connect speaks text frames only.
        this.#serverClose(1003, 'Binary frames are not supported.')
        return
      }
      queueMicrotask(() => this.#link?.receive(data))
    }

    close(code?: number, reason = ''): void {
      if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw new DOMException(`Close code ${code} is not allowed.`, 'InvalidAccessError')
      }
      if (this.readyState === CLOSING || this.readyState === CLOSED) return
      const wasOpen = this.readyState === OPEN
      this.readyState = CLOSING
      queueMicrotask(() => {
        this.#link?.closed()
        this.#finish({ code: wasOpen ? (code ?? 1005) : 1006, reason, wasClean: wasOpen })
      })
    }

    #handshake(): void {
      if (this.readyState !== CONNECTING) return
      const acceptance = gateway.accept(this.url, {
        send: (text) =>
          queueMicrotask(() => {
            if (this.readyState === OPEN || this.readyState === CLOSING) {
              this.#emit(new MessageEvent('message', { data: text }))
            }
          }),
        close: (code, reason) => this.#serverClose(code, reason),
        drop: () => {
          this.readyState = CLOSING
          queueMicrotask(() => this.#finish({ code: 1006, reason: '', wasClean: false }))
        },
        ping: () =>
          queueMicrotask(() => {
            if (this.readyState === OPEN) for (const listener of this.#pingListeners) listener()
          }),
      })
      if (!acceptance.ok) {
        this.readyState = CLOSED
        this.#emit(new Event('error'))
        this.#emit(new SocketCloseEvent({ code: 1006, reason: '', wasClean: false }))
        return
      }
      this.#link = acceptance.link
      this.readyState = OPEN
      this.#emit(new Event('open'))
    }

    #serverClose(code: number, reason: string): void {
      if (this.readyState === CLOSED) return
      this.readyState = CLOSING
      queueMicrotask(() => {
        this.#link?.closed()
        this.#finish({ code, reason, wasClean: true })
      })
    }

    #finish(init: { code: number; reason: string; wasClean: boolean }): void {
      if (this.readyState === CLOSED) return
      this.readyState = CLOSED
      this.#link?.closed()
      this.#link = undefined
      this.#emit(new SocketCloseEvent(init))
    }

    #emit(event: Event): void {
      this.dispatchEvent(event)
      const handler = this[`on${event.type}` as 'onopen']
      handler?.call(this, event)
    }
  }
}

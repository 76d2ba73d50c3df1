import { IN_MEMORY, located } from './markers.js'

/**
 * A `Response` whose body is already in memory: a string or bytes, as a fake cloud answers or as
 * `createNodeFetch` has read off the socket. `text()`, `json()` and `arrayBuffer()` read it
 * directly; the web stream behind `body` (and `blob()`, `formData()`) is made only when asked for,
 * by handing the body to a platform Response. The platform makes that stream for every body it is
 * given, about 20 µs and a dozen objects a response: at a thousand responses a second, most of what
 * the garbage collector does. It is a real `Response`: `instanceof` holds, and status, headers and
 * the rest are the platform's own. Reads behave as the platform's (once only, a BOM dropped, a
 * SyntaxError for bad JSON), tested side by side with it.
 */
export class BufferedResponse extends Response {
  #content: string | Uint8Array<ArrayBuffer> | null
  /** No body at all (a 204, a HEAD answer): every read gives nothing, as often as asked. */
  readonly #none: boolean
  #used = false
  /** The platform Response holding the same body, once a stream was asked for. */
  #streamed: Response | undefined

  constructor(body: string | Uint8Array<ArrayBuffer> | null, init: ResponseInit = {}) {
    super(null, init)
    // As the platform: a status that cannot carry a body (204, 205, 304; 101 and 103 never get
    // this far) refuses one, rather than failing later where the body is read.
    if (body !== null && (this.status === 204 || this.status === 205 || this.status === 304))
      throw new TypeError(`Response constructor: Invalid response status code ${this.status}`)
    this.#content = body
    this.#none = body === null
  }

  override text(): Promise<string> {
    return this.#streamed ? this.#streamed.text() : this.#take(textOf)
  }

  override json(): Promise<any> {
    return this.#streamed ? this.#streamed.json() : this.#take((body) => JSON.parse(textOf(body)))
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.#streamed ? this.#streamed.arrayBuffer() : this.#take(bufferOf)
  }

  override blob(): Promise<Blob> {
    return settle(() => this.#stream().blob())
  }

  override formData(): Promise<FormData> {
    return settle(() => this.#stream().formData())
  }

  override clone(): Response {
    if (!this.#streamed && this.#used)
      throw new TypeError('Response.clone: Body has already been consumed.')
    // Where the answer came from goes with it, as on the platform's clone.
    const copy = this.#streamed?.clone() ?? new BufferedResponse(this.#content, this)
    return located(copy, this.url, this.redirected)
  }

  /** Reads the body once, as the platform does: a second read is a TypeError. */
  #take<T>(read: (body: string | Uint8Array) => T): Promise<T> {
    return settle(() => {
      if (this.#none) return Promise.resolve(read(''))
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read')
      this.#used = true
      const body = this.#content!
      this.#content = null
      return Promise.resolve(read(body))
    })
  }

  /** The platform Response for the same body (made once), for the stream-based readers. */
  #stream(): Response {
    if (this.#streamed) return this.#streamed
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read')
    this.#streamed = new Response(this.#content, this)
    this.#content = null
    return this.#streamed
  }

  static {
    // `body` and `bodyUsed` are accessors on Response.prototype: replaced here, on the subclass.
    // A body already read by text(), json() or arrayBuffer() reads as null (the platform keeps
    // its spent stream there).
    Object.defineProperties(BufferedResponse.prototype, {
      [IN_MEMORY]: { value: true },
      body: {
        get(this: BufferedResponse) {
          if (this.#streamed) return this.#streamed.body
          return this.#none || this.#used ? null : this.#stream().body
        },
      },
      bodyUsed: {
        get(this: BufferedResponse) {
          return this.#streamed ? this.#streamed.bodyUsed : this.#used
        },
      },
    })
  }
}

/**
 * A fake cloud's JSON answer, as a {@link BufferedResponse}: `body` serialized, with
 * `content-type: application/json` unless `headers` name another; `undefined` for no body.
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  if (body === undefined) return new BufferedResponse(null, { status, headers })
  return new BufferedResponse(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** UTF-8 as fetch decodes it: a leading byte-order mark is dropped. */
const decoder = new TextDecoder()
const encoder = new TextEncoder()

function textOf(body: string | Uint8Array): string {
  if (typeof body !== 'string') return decoder.decode(body)
  return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body
}

/** A fresh ArrayBuffer of exactly the body's bytes (never a view of a shared pool). */
function bufferOf(body: string | Uint8Array): ArrayBuffer {
  if (typeof body === 'string') return encoder.encode(body).buffer as ArrayBuffer
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
}

/** A reader's throw as a rejection, as the platform reports it. */
function settle<T>(read: () => Promise<T>): Promise<T> {
  try {
    return read()
  } catch (error) {
    return Promise.reject(error)
  }
}

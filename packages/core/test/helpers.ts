import type { Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { expect, vi } from 'vitest'
import { createManualClock, type Clock } from '../src/clock.js'
import { TillkitValidationError } from '../src/errors.js'
import { createTransport, type TransportOptions } from '../src/transport.js'

/** One scripted answer of the fake fetch. */
export type Step =
  | Response
  | Error
  /** Never answers, rejects when the request's signal aborts (like undici). */
  | 'hang'
  /** Never answers and ignores aborts (a broken fetch). */
  | 'ignore'
  | ((request: Request) => Response | Promise<Response>)

export interface Call {
  request: Request
  /** Clock time the fetch was called at. */
  at: number
}

/** A fetch that records every request and answers from a script; the last step repeats. */
export function fakeFetch(clock: Clock, ...steps: Step[]) {
  const calls: Call[] = []
  const fetch = async (request: Request): Promise<Response> => {
    calls.push({ request, at: clock.now() })
    const step = steps.length > 1 ? steps.shift()! : steps[0]
    if (step === undefined) throw new Error('fake fetch: no step scripted')
    if (step === 'ignore') return new Promise<Response>(() => {})
    if (step === 'hang')
      return new Promise<Response>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason))
      })
    if (step instanceof Error) throw step
    if (typeof step === 'function') return step(request)
    return step.clone()
  }
  return { fetch, calls }
}

/** An error shaped like undici's: `TypeError: fetch failed` with the socket error as cause. */
/** The scripted transports' start: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1)

/** A transport on an auto-advancing manual clock with a scripted fetch; jitter fixed at 0.5. */
export function scriptedTransport(steps: Step[], options: Omit<TransportOptions, 'fetch'> = {}) {
  const clock = createManualClock({ start: T0, autoAdvance: true })
  const fake = fakeFetch(clock, ...steps)
  const transport = createTransport({ clock, random: () => 0.5, ...options, fetch: fake.fetch })
  return { clock, transport, calls: fake.calls, at: () => fake.calls.map((c) => c.at - T0) }
}

export function undiciError(code: string, message = `connect ${code} 10.0.0.1:443`): TypeError {
  const cause = Object.assign(new Error(message), { code })
  return new TypeError('fetch failed', { cause })
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

export const status = (code: number, headers: Record<string, string> = {}) =>
  new Response(code === 204 ? null : `status ${code}`, { status: code, headers })

/** Lets pending promise jobs and immediates run, until `done()` or the tries run out. */
export async function until(done: () => boolean, tries = 50): Promise<void> {
  for (let i = 0; i < tries && !done(); i++) await new Promise<void>((r) => setImmediate(r))
  if (!done()) throw new Error('until: condition never became true')
}

export interface Line {
  level: string
  obj: object
  msg?: string
}

/** A logger that keeps every call, pino-style. */
export function captureLogger() {
  const lines: Line[] = []
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg })
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  }
}

/** Runs `attempt`, which must throw an instance of `type`, and returns what it threw. */
export function thrown<E>(attempt: () => unknown, type: abstract new (...a: never[]) => E): E {
  try {
    attempt()
  } catch (error) {
    expect(error).toBeInstanceOf(type)
    return error as E
  }
  throw new Error(`expected ${type.name} to be thrown`)
}

/**
 * The validation error `attempt` throws, checked for what every refusal of bad input promises: it
 * names `field`, says nothing reached the provider, and does not quote `secret`.
 */
export function refusal(attempt: () => unknown, field: string, secret: string) {
  const error = thrown(attempt, TillkitValidationError)
  expect(error.field).toBe(field)
  expect(error.mayHaveReachedProvider).toBe(false)
  expect(String(error)).not.toContain(secret)
  return error
}

/**
 * The refusal of an option name nobody knows (a misspelling): a {@link refusal} naming `field` as
 * unknown, with `secret` (the value it was given) neither in its message nor in its JSON.
 */
export function unknownName(attempt: () => unknown, field: string, secret: string) {
  const error = refusal(attempt, field, secret)
  expect(error.rule).toMatch(/^is not a known name \(known: /)
  expect(JSON.stringify(error)).not.toContain(secret)
  return error
}

/** As {@link unknownName}, for a call that rejects (a client method) rather than throws. */
export async function unknownNameOf(call: () => Promise<unknown>, field: string, secret: string) {
  let error: unknown
  let threw = false
  try {
    await call()
  } catch (caught) {
    ;[error, threw] = [caught, true]
  }
  return unknownName(
    () => {
      if (threw) throw error
    },
    field,
    secret,
  )
}

/**
 * What a caller sees of answers made by `answer(path)`, read the ways callers read them (twice,
 * cloned, as bytes, as a stream, as a blob, bad JSON, no body): compare two makers side by side.
 * `/bom` is `\ufeff{"a":"é"}`, `/bad` is `{oops`, `/none` a 204 without a body.
 */
export async function readings(answer: (path: '/bom' | '/bad' | '/none') => Promise<Response>) {
  const settled = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.constructor.name }),
    )
  const twice = await answer('/bom')
  const first = await twice.text()
  const again = await settled(twice.text())
  const copy = await answer('/bom')
  const copied = copy.clone()
  const bytes = new Uint8Array(await copy.arrayBuffer())
  const streamed = await answer('/bom')
  const fromStream = await new Response(streamed.body).text()
  const none = await answer('/none')
  return {
    first,
    again,
    usedAfterText: twice.bodyUsed,
    cloneAfterRead: await settled((async () => twice.clone())()),
    json: await copied.json(),
    bytes: [...bytes],
    fromStream,
    usedAfterStream: streamed.bodyUsed,
    textAfterStream: await settled(streamed.text()),
    bad: await settled((await answer('/bad')).json()),
    blob: await (await (await answer('/bom')).blob()).text(),
    none: [none.status, await none.text(), await none.text(), none.bodyUsed, none.body],
  }
}

/** Starts `server` on a free loopback port and resolves with its base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Stops a loopback server, kept-alive connections included. */
export function stop(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((done) => server.close(() => done()))
}

/**
 * Another copy of core, as a second installed version of @tillkit/core would be: the module
 * registry is reset, so every module (markers, errors, transport, node fetch) is loaded again. The
 * errors' test loads one module again (a query on its URL); a fetch of one copy handed to the
 * transport of the other needs the whole graph twice.
 */
export async function anotherCore() {
  vi.resetModules()
  const [transport, node, markers, buffered, guard, errors] = await Promise.all([
    import('../src/transport.js'),
    import('../src/node.js'),
    import('../src/markers.js'),
    import('../src/buffered-response.js'),
    import('../src/guard.js'),
    import('../src/errors.js'),
  ])
  return { ...transport, ...node, ...markers, ...buffered, ...guard, ...errors }
}

/** A loopback port with nothing listening: connecting to it is refused. */
export function refusedPort(): Promise<number> {
  return new Promise<number>((done) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => done(port))
    })
  })
}

import { createManualClock } from '@tillkit/core'
import { createPaymentsenseClient, type PaymentsenseClient } from '@tillkit/paymentsense'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { serve } from '@tillkit/simulator'

const TID = '22160001'
const API_KEY = 'bench-api-key'

/** One POS cycle: look at terminals, start a sale, poll it three times, cancel it. */
type Sequence = () => Promise<void>

function typedSequence(client: PaymentsenseClient): Sequence {
  const { pac, transport } = client
  const path = { tid: TID }
  return async () => {
    transport.ok(await pac.GET('/pac/terminals'))
    transport.ok(await pac.GET('/pac/terminals/{tid}', { params: { path } }))
    const { requestId } = transport.ok(
      await pac.POST('/pac/terminals/{tid}/transactions', {
        params: { path },
        body: { transactionType: 'SALE', amount: 1250, currency: 'GBP' },
      }),
    )
    const tx = { params: { path: { tid: TID, requestId } } }
    for (let i = 0; i < 3; i++)
      transport.ok(await pac.GET('/pac/terminals/{tid}/transactions/{requestId}', tx))
    transport.ok(await pac.DELETE('/pac/terminals/{tid}/transactions/{requestId}', tx))
  }
}

/**
 * The same requests written by hand with `fetch`: what an integrator would write without tillkit. With
 * `withTimeout`, each request also carries a 30 s AbortController timeout, as every tillkit attempt does: the
 * price of being able to cancel a hung request, measured on its own.
 */
function handWrittenSequence(baseUrl: string, withTimeout = false): Sequence {
  const headers = {
    Authorization: `Basic ${btoa(`pos:${API_KEY}`)}`,
    Accept: 'application/connect.v2+json',
    'Software-House-Id': 'SWH',
    'Installer-Id': 'INST',
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const controller = withTimeout ? new AbortController() : undefined
    const timer = controller && setTimeout(() => controller.abort(), 30_000)
    const response = await fetch(`${baseUrl}${path}`, {
      signal: controller?.signal,
      method,
      headers: body ? { ...headers, 'Content-Type': 'application/connect.v2+json' } : headers,
      body: body ? JSON.stringify(body) : undefined,
    })
    clearTimeout(timer)
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`)
    const text = await response.text()
    return text ? JSON.parse(text) : undefined
  }
  return async () => {
    await call('GET', '/pac/terminals')
    await call('GET', `/pac/terminals/${TID}`)
    const { requestId } = await call('POST', `/pac/terminals/${TID}/transactions`, {
      transactionType: 'SALE',
      amount: 1250,
      currency: 'GBP',
    })
    for (let i = 0; i < 3; i++) await call('GET', `/pac/terminals/${TID}/transactions/${requestId}`)
    await call('DELETE', `/pac/terminals/${TID}/transactions/${requestId}`)
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export interface HttpResult {
  handWrittenMs: number
  /** The client as installed: on Node, core's node:http fetch. */
  typedMs: number
  ratio: number
  /** The same client given the platform fetch (`fetch: globalThis.fetch`). */
  typedOnPlatformMs: number
  typedOnPlatformRatio: number
  /** Hand-written fetch plus a per-request timeout, against plain hand-written fetch. */
  timeoutMs: number
  timeoutRatio: number
  requestsPerSequence: number
}

/**
 * Typed client vs hand-written fetch, same requests, same loopback server hosting the fake cloud. Rounds alternate
 * the order of the variants so none always runs on a warmer process; the result is the median round.
 */
export async function httpOverhead({
  rounds = 40,
  perRound = 15,
  warmup = 60,
} = {}): Promise<HttpResult> {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, requestSpacingMs: 0, apiKeys: [API_KEY] })
  const server = await serve(cloud.fetch)
  try {
    const options = {
      account: 'bench',
      environment: 'test',
      baseUrl: server.url,
      apiKey: API_KEY,
      softwareHouseId: 'SWH',
      installerId: 'INST',
      minIntervalMs: 0,
    } as const
    const variants = {
      // As installed: on Node, the client sends through core's node:http fetch.
      typed: typedSequence(createPaymentsenseClient(options)),
      // The same client told to use the platform fetch, as the hand-written code does.
      typedOnPlatform: typedSequence(
        createPaymentsenseClient({ ...options, fetch: globalThis.fetch }),
      ),
      handWritten: handWrittenSequence(server.url),
      withTimeout: handWrittenSequence(server.url, true),
    }
    type Name = keyof typeof variants
    const times = Object.fromEntries(
      Object.keys(variants).map((name) => [name, []]),
    ) as unknown as Record<Name, number[]>
    const run = async (sequence: Sequence, n: number) => {
      let busy = 0
      for (let i = 0; i < n; i++) {
        const started = performance.now()
        await sequence()
        busy += performance.now() - started
        // Let the cancelled sale finish on the fake's clock so the terminal is free again (not timed).
        await clock.advance(120_000)
      }
      return busy / n
    }
    const names = Object.keys(variants) as Name[]
    for (const name of names) await run(variants[name], warmup)
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no variant always runs first (or last) in a round.
      const order = names.map((_, i) => names[(i + r) % names.length]!)
      for (const name of order) times[name].push(await run(variants[name], perRound))
    }
    // Ratios are taken round by round, each variant against the baseline measured beside it in the
    // same round, then the median: a burst of load from elsewhere on the machine slows one round's
    // variants alike, where medians of each variant's times would each pick a different round.
    const ratios = (name: Name) => median(times[name].map((ms, r) => ms / times.handWritten[r]!))
    return {
      typedMs: median(times.typed),
      handWrittenMs: median(times.handWritten),
      ratio: ratios('typed'),
      typedOnPlatformMs: median(times.typedOnPlatform),
      typedOnPlatformRatio: ratios('typedOnPlatform'),
      timeoutMs: median(times.withTimeout),
      timeoutRatio: ratios('withTimeout'),
      requestsPerSequence: 7,
    }
  } finally {
    await server.close()
  }
}

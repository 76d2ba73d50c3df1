/**
 * The options of a call (`{ signal }` and the call's own) and of core's own factories (transport,
 * node fetch, manual clock) refuse a misspelt name, naming it and never quoting its value, before
 * anything is sent; every name their types document is taken.
 */
import { describe, expect, it } from 'vitest'
import { createManualClock, type ManualClockOptions } from '../src/clock.js'
import { createNodeFetch, type NodeFetchOptions } from '../src/node.js'
import { createTransport, type TransportOptions } from '../src/transport.js'
import { checkCallOptions } from '../src/validate.js'
import { captureLogger, refusal, unknownName } from './helpers.js'

const SECRET = `sk_live_${crypto.randomUUID()}`

/** A fetch that records every request. */
function recorder() {
  const sent: Request[] = []
  const fetch = async (request: Request) => (sent.push(request), new Response('ok'))
  return { sent, fetch }
}

describe('checkCallOptions', () => {
  it('takes no options, and knows `signal` in every call', () => {
    expect(() => checkCallOptions(undefined)).not.toThrow()
    expect(() => checkCallOptions({})).not.toThrow()
    expect(() => checkCallOptions({ signal: new AbortController().signal })).not.toThrow()
    expect(() => checkCallOptions({ signal: undefined, intervalMs: 5 }, RULES)).not.toThrow()
  })

  it('refuses an unknown name, listing the call’s names and `signal`, without its value', () => {
    const error = unknownName(
      () => checkCallOptions({ interval: SECRET }, RULES),
      'options.interval',
      SECRET,
    )
    expect(error.rule).toBe('is not a known name (known: intervalMs, signal)')
    unknownName(() => checkCallOptions({ signl: SECRET }), 'options.signl', SECRET)
  })

  it('checks only the names (the call checks the values), in an object', () => {
    expect(() => checkCallOptions({ intervalMs: -1 }, RULES)).not.toThrow()
    for (const options of [null, [], 'k'])
      expect(refusal(() => checkCallOptions(options), 'options', SECRET).rule).toBe(
        'must be an object',
      )
  })
})
/** The names of a call's own options (rules would do as well). */
const RULES = { intervalMs: 1 }

describe('createTransport', () => {
  it.each([
    ['timeout', { timeout: SECRET }, 'options.timeout'],
    ['secret', { secret: SECRET }, 'options.secret'],
    ['a retry name', { retry: { maxAttempt: SECRET } }, 'options.retry.maxAttempt'],
  ])('refuses the unknown name %s, sending nothing', async (_name, extra, field) => {
    const { sent, fetch } = recorder()
    const options = { fetch, ...extra } as TransportOptions
    unknownName(() => createTransport(options), field, SECRET)
    expect(sent).toHaveLength(0)
  })

  it('takes every option of its type', async () => {
    const { sent, fetch } = recorder()
    const every: Required<TransportOptions> = {
      fetch,
      timeoutMs: 5_000,
      retry: { maxAttempts: 2 },
      minIntervalMs: 0,
      clock: createManualClock({ autoAdvance: true }),
      random: () => 0.5,
      logger: captureLogger().logger,
      secrets: [SECRET],
      isIdempotent: () => true,
    }
    await createTransport(every).fetch('https://pos.test/ping')
    expect(sent).toHaveLength(1)
    expect(() => createTransport()).not.toThrow()
  })
})

describe('createNodeFetch', () => {
  it('refuses an unknown name', () => {
    unknownName(
      () => createNodeFetch({ maxSocket: SECRET } as NodeFetchOptions),
      'options.maxSocket',
      SECRET,
    )
  })

  it('takes every option of its type', () => {
    const every: Required<NodeFetchOptions> = { maxSockets: 2, idleMs: 1_000 }
    createNodeFetch(every).close()
  })
})

describe('createManualClock', () => {
  it('refuses an unknown name', () => {
    unknownName(
      () => createManualClock({ autoadvance: SECRET } as ManualClockOptions),
      'options.autoadvance',
      SECRET,
    )
  })

  it('takes every option of its type', () => {
    const every: Required<ManualClockOptions> = { start: 5, autoAdvance: false }
    expect(createManualClock(every).now()).toBe(5)
  })
})

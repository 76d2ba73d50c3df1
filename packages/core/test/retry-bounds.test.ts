import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../src/transport.js'
import { captureLogger, json, scriptedTransport, status, T0 } from './helpers.js'

const URL_ = 'https://pos.test/pac/terminals'
const setup = scriptedTransport

describe('total-time bound', () => {
  it('starts no retry after maxElapsedMs, even when request spacing would push it later', async () => {
    // 503 at 0; backoff 50 ms fits the 500 ms budget, but the spacing slot is at 1 000 ms.
    const { transport, at } = setup([status(503), json({})], {
      minIntervalMs: 1_000,
      retry: { baseDelayMs: 100, maxElapsedMs: 500 },
    })
    await transport.fetch(new Request(URL_))
    // "No retry starts later than this many ms after the call began."
    expect(at().filter((t) => t > 500)).toEqual([])
  })

  it('starts no retry after maxElapsedMs when another call takes the slot during the backoff', async () => {
    // A: 503 at 0, retry due at 50 (slot 300, within the 500 ms budget). B, called at 10, takes
    // the slot at 300, which pushes A's retry to 600: A ends with its 503 instead.
    const { clock, transport, at } = setup([status(503), json({})], {
      minIntervalMs: 300,
      retry: { baseDelayMs: 100, maxElapsedMs: 500 },
    })
    const a = transport.fetch(new Request(URL_))
    const b = clock.sleep(10).then(() => transport.fetch(new Request(URL_)))
    expect((await a).status).toBe(503)
    expect((await b).status).toBe(200)
    expect(at()).toEqual([0, 300])
  })

  it('logs a retry as it is sent, so none that the budget drops after the backoff', async () => {
    // As above: A's retry is due at 50, but B takes the slot during the backoff and A ends.
    const { lines, logger } = captureLogger()
    const { clock, transport } = setup([status(503), json({})], {
      logger,
      minIntervalMs: 300,
      retry: { baseDelayMs: 100, maxElapsedMs: 500 },
    })
    const a = transport.fetch(new Request(URL_))
    const b = clock.sleep(10).then(() => transport.fetch(new Request(URL_)))
    expect([(await a).status, (await b).status]).toEqual([503, 200])
    const said = () => lines.map((l) => [l.level, l.msg, (l.obj as { attempt: number }).attempt])
    // A's one attempt and B's: no "tillkit retry", for no retry was sent.
    expect(said()).toEqual([
      ['debug', 'tillkit attempt', 1],
      ['debug', 'tillkit attempt', 1],
    ])

    // Alone, A's retry goes: the warning comes with it, when its backoff is over.
    lines.length = 0
    // The clock time of each warning (the clock is the transport's own).
    const warned: number[] = []
    let now = () => NaN
    const alone = setup([status(503), json({})], {
      logger: {
        ...logger,
        warn: (obj: object, msg?: string) => (warned.push(now()), logger.warn(obj, msg)),
      },
      minIntervalMs: 300,
      retry: { baseDelayMs: 100, maxElapsedMs: 500 },
    })
    now = () => alone.clock.now() - T0
    expect((await alone.transport.fetch(new Request(URL_))).status).toBe(200)
    expect(said()).toEqual([
      ['debug', 'tillkit attempt', 1],
      ['warn', 'tillkit retry', 1],
      ['debug', 'tillkit attempt', 2],
    ])
    expect(lines[1]!.obj).toEqual({
      method: 'GET',
      url: URL_,
      attempt: 1,
      reason: 503,
      delayMs: 50,
    })
    // Backoff 50 ms, then the spacing slot at 300: the retry, and its warning, go at 300.
    expect(alone.at()).toEqual([0, 300])
    expect(warned).toEqual([300])
  })
})

describe('Retry-After edge values', () => {
  it('ignores garbage that only looks like a date to a lenient parser', () => {
    // None of these is delay-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime).
    for (const value of ['garbage 12', 'wait 3', 'retry in 5', 'x 2030'])
      expect(parseRetryAfter(value, T0), value).toBeUndefined()
  })

  it('falls back to jittered backoff on a garbage Retry-After instead of retrying at once', async () => {
    const { transport, at } = setup([status(503, { 'Retry-After': 'garbage 12' }), json({})], {
      retry: { baseDelayMs: 1_000 },
    })
    expect((await transport.fetch(new Request(URL_))).status).toBe(200)
    // random 0.5 x 1 000 ms.
    expect(at()).toEqual([0, 500])
  })

  it('reads the RFC 850 form, its two-digit year at most 50 years ahead', () => {
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:05 GMT', T0)).toBe(5_000)
    // 2076 is 50 years ahead, 2077 more: that is 1977, long past.
    expect(parseRetryAfter('Friday, 01-Jan-76 00:00:05 GMT', T0)).toBe(
      Date.UTC(2076, 0, 1, 0, 0, 5) - T0,
    )
    expect(parseRetryAfter('Saturday, 01-Jan-77 00:00:05 GMT', T0)).toBe(0)
  })

  it('refuses what the grammar does not allow: a day or time that does not exist, another case or zone', () => {
    for (const value of [
      'Wed, 31 Jun 2026 00:00:00 GMT',
      'Thu, 01 Jan 2026 24:00:00 GMT',
      'Thu, 01 Jan 2026 00:60:00 GMT',
      'thu, 01 jan 2026 00:00:05 gmt',
      'Thu, 01 Jan 2026 00:00:05 UTC',
      'Thu, 01 Jan 2026 00:00:05 +0000',
      'Thu, 1 Jan 2026 00:00:05 GMT',
      'Thursday, 01 Jan 2026 00:00:05 GMT',
      'Thu Jan 1 00:00:05 2026',
      '2026-01-01T00:00:05Z',
    ])
      expect(parseRetryAfter(value, T0), value).toBeUndefined()
    expect(parseRetryAfter('Thu Jan 15 00:00:05 2026', T0)).toBe(14 * 86_400_000 + 5_000)
  })

  it('reads the asctime HTTP-date form as GMT whatever the local time zone', () => {
    // RFC 9110 5.6.7: recipients must accept all three HTTP-date forms; all are UTC.
    const saved = process.env.TZ
    try {
      for (const zone of ['America/New_York', 'Australia/Sydney']) {
        process.env.TZ = zone
        expect(parseRetryAfter('Thu Jan  1 00:00:05 2026', T0), zone).toBe(5_000)
      }
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })
})

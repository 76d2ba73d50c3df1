import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock, steady, systemClock, type Clock } from '../src/clock.js'

describe('createManualClock', () => {
  it('starts at the given time, or 2026-01-01 by default', () => {
    expect(createManualClock().now()).toBe(Date.UTC(2026, 0, 1))
    expect(createManualClock({ start: 5 }).now()).toBe(5)
  })

  it('advance wakes sleepers that are due, in deadline order, and moves time', async () => {
    const clock = createManualClock({ start: 0 })
    const woken: string[] = []
    void clock.sleep(300).then(() => woken.push(`c@${clock.now()}`))
    void clock.sleep(100).then(() => woken.push(`a@${clock.now()}`))
    void clock.sleep(200).then(() => woken.push(`b@${clock.now()}`))
    expect(clock.pending).toBe(3)
    await clock.advance(250)
    expect(woken).toEqual(['a@100', 'b@200'])
    expect(clock.now()).toBe(250)
    expect(clock.pending).toBe(1)
    await clock.advance(50)
    expect(woken).toEqual(['a@100', 'b@200', 'c@300'])
    expect(clock.pending).toBe(0)
  })

  it('advance also wakes sleepers that a woken task starts on the way', async () => {
    const clock = createManualClock({ start: 0 })
    const woken: number[] = []
    void clock.sleep(100).then(async () => {
      woken.push(clock.now())
      await clock.sleep(100)
      woken.push(clock.now())
    })
    await clock.advance(500)
    expect(woken).toEqual([100, 200])
  })

  it('runNext jumps to the next deadline, and reports false when nobody sleeps', async () => {
    const clock = createManualClock({ start: 0 })
    let done = false
    void clock.sleep(1_000).then(() => (done = true))
    expect(await clock.runNext()).toBe(true)
    expect(done).toBe(true)
    expect(clock.now()).toBe(1_000)
    expect(await clock.runNext()).toBe(false)
    expect(clock.now()).toBe(1_000)
  })

  it('an aborted sleep rejects with the reason and leaves the queue', async () => {
    const clock = createManualClock({ start: 0 })
    const ac = new AbortController()
    const sleeping = clock.sleep(1_000, ac.signal)
    expect(clock.pending).toBe(1)
    ac.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    expect(clock.pending).toBe(0)
  })

  it('a sleep on an already aborted signal rejects at once with an AbortError by default', async () => {
    const clock = createManualClock()
    const ac = new AbortController()
    ac.abort()
    await expect(clock.sleep(10, ac.signal)).rejects.toMatchObject({ name: 'AbortError' })
    expect(clock.pending).toBe(0)
  })

  it('autoAdvance jumps to the earliest deadline whenever the loop is idle', async () => {
    const clock = createManualClock({ start: 0, autoAdvance: true })
    const seen: number[] = []
    const task = async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(60_000)
        seen.push(clock.now())
      }
    }
    await task()
    expect(seen).toEqual([60_000, 120_000, 180_000])
  })

  it('autoAdvance wakes concurrent sleepers in deadline order', async () => {
    const clock = createManualClock({ start: 0, autoAdvance: true })
    const order: number[] = []
    await Promise.all([
      clock.sleep(300).then(() => order.push(300)),
      clock.sleep(100).then(() => order.push(100)),
      clock.sleep(200).then(() => order.push(200)),
    ])
    expect(order).toEqual([100, 200, 300])
    expect(clock.now()).toBe(300)
  })
})

describe('wall time and steady time', () => {
  it('step moves the wall clock only: steady time and the sleepers on it stay put', async () => {
    const clock = createManualClock({ start: 10_000 })
    const woken: Array<[number, number]> = []
    void clock.sleep(1_000).then(() => woken.push([clock.now(), clock.monotonic()]))
    clock.step(-3_600_000)
    expect([clock.now(), clock.monotonic()]).toEqual([10_000 - 3_600_000, 10_000])
    await clock.advance(999)
    expect(woken).toEqual([])
    await clock.advance(1)
    expect(woken).toEqual([[11_000 - 3_600_000, 11_000]])
    clock.step(3_600_500)
    expect(clock.now() - clock.monotonic()).toBe(500)
  })

  it('steady reads monotonic() where the clock has one, now() where it has not', () => {
    const wall: Clock = { now: () => 5, sleep: systemClock.sleep, schedule: systemClock.schedule }
    expect(steady(wall)()).toBe(5)
    expect(steady({ ...wall, monotonic: () => 7 })()).toBe(7)
    // The system clock measures waits on performance.now(), which a wall-clock step does not move.
    const before = performance.now()
    const read = steady(systemClock)()
    expect(read).toBeGreaterThanOrEqual(before)
    expect(read).toBeLessThanOrEqual(performance.now())
  })
})

describe('same deadline', () => {
  it('sleepers due at the same time wake in the order they went to sleep, with every way of moving time', async () => {
    for (const move of ['advance', 'runNext', 'auto'] as const) {
      const clock = createManualClock({ start: 0, autoAdvance: move === 'auto' })
      const woken: string[] = []
      const sleeps = ['a', 'b', 'c'].map((name) => clock.sleep(100).then(() => woken.push(name)))
      void clock.sleep(50).then(() => woken.push('early'))
      if (move === 'advance') await clock.advance(100)
      if (move === 'runNext') while (await clock.runNext());
      await Promise.all(sleeps)
      expect(woken, move).toEqual(['early', 'a', 'b', 'c'])
    }
  })
})

describe('schedule', () => {
  it('a manual clock runs a scheduled callback when time reaches it, and never after cancel', async () => {
    const clock = createManualClock({ start: 0 })
    const fired: string[] = []
    clock.schedule(100, () => fired.push('a'))
    const cancel = clock.schedule(50, () => fired.push('cancelled'))
    clock.schedule(200, () => fired.push('b'))
    cancel()
    expect(clock.pending).toBe(2)
    await clock.advance(150)
    expect(fired).toEqual(['a'])
    await clock.advance(100)
    expect(fired).toEqual(['a', 'b'])
    expect(clock.pending).toBe(0)
  })

  it('autoAdvance fires scheduled callbacks too', async () => {
    const clock = createManualClock({ start: 0, autoAdvance: true })
    const at = await new Promise<number>((resolve) =>
      clock.schedule(30_000, () => resolve(clock.now())),
    )
    expect(at).toBe(30_000)
  })

  it('the system clock fires on a real timer and cancel clears it', () => {
    vi.useFakeTimers()
    try {
      const fired: string[] = []
      systemClock.schedule(10, () => fired.push('kept'))
      const cancel = systemClock.schedule(10, () => fired.push('cancelled'))
      cancel()
      vi.advanceTimersByTime(10)
      expect(fired).toEqual(['kept'])
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reads Date.now and sleeps on real timers', async () => {
    vi.useFakeTimers({ now: 1_000 })
    expect(systemClock.now()).toBe(1_000)
    let done = false
    void systemClock.sleep(500).then(() => (done = true))
    await vi.advanceTimersByTimeAsync(499)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toBe(true)
  })

  it('clears its timer when aborted', async () => {
    vi.useFakeTimers()
    const ac = new AbortController()
    const sleeping = systemClock.sleep(10_000, ac.signal)
    expect(vi.getTimerCount()).toBe(1)
    ac.abort(new Error('cancelled'))
    await expect(sleeping).rejects.toThrow('cancelled')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects at once when the signal is already aborted', async () => {
    vi.useFakeTimers()
    await expect(systemClock.sleep(10, AbortSignal.abort(new Error('early')))).rejects.toThrow(
      'early',
    )
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('systemClock: delays longer than one timer takes (2^31 - 1 ms)', () => {
  const MAX = 2 ** 31 - 1

  afterEach(() => {
    vi.useRealTimers()
  })

  it('schedule waits the whole delay instead of firing at once', () => {
    vi.useFakeTimers()
    const fired: number[] = []
    const start = Date.now()
    systemClock.schedule(2 * MAX + 5, () => fired.push(Date.now() - start))
    vi.advanceTimersByTime(1)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(2 * MAX + 3)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual([2 * MAX + 5])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a delay of exactly 2^31 - 1 ms is one timer, and fires on time', () => {
    vi.useFakeTimers()
    let fired = false
    systemClock.schedule(MAX, () => (fired = true))
    vi.advanceTimersByTime(MAX - 1)
    expect(fired).toBe(false)
    vi.advanceTimersByTime(1)
    expect(fired).toBe(true)
  })

  it('cancel works before and after the first link of a long delay has run', () => {
    vi.useFakeTimers()
    const fired: string[] = []
    const early = systemClock.schedule(MAX + 10, () => fired.push('early'))
    const late = systemClock.schedule(MAX + 10, () => fired.push('late'))
    early()
    vi.advanceTimersByTime(MAX + 1)
    expect(vi.getTimerCount()).toBe(1)
    late()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(2 * MAX)
    expect(fired).toEqual([])
  })

  it('sleep waits a long delay too, and an abort clears the armed link', async () => {
    vi.useFakeTimers()
    let done = false
    void systemClock.sleep(MAX + 1_000).then(() => (done = true))
    await vi.advanceTimersByTimeAsync(MAX + 999)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toBe(true)

    const ac = new AbortController()
    const sleeping = systemClock.sleep(MAX + 1_000, ac.signal)
    await vi.advanceTimersByTimeAsync(MAX + 1)
    ac.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    expect(vi.getTimerCount()).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import type { Fault } from '../../src/mock/index.js'
import { harness, pac, poll, runToEnd, sale } from './helpers.js'

const TID = '22160001'
const START = `/pac/terminals/${TID}/transactions`

/** Tracks a promise's settlement without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false }
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  )
  return state
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

describe('faults', () => {
  it('latency delays the answer on the cloud clock', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'latency', ms: 5_000 })
    h.cloud.faults.add({ kind: 'latency', ms: 1_000, match: { method: 'GET' } })
    const answer = track(h.cloud.fetch(pac('GET', '/pac/terminals')))
    await h.clock.advance(5_999)
    await flush()
    expect(answer.settled).toBe(false)
    await h.clock.advance(1)
    await flush()
    expect((answer.value as Response).status).toBe(200)
  })

  it('latency is cut short when the request is aborted', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'latency', ms: 5_000 })
    const controller = new AbortController()
    const answer = h.cloud.fetch(pac('POST', START, { body: sale(100), signal: controller.signal }))
    controller.abort(new Error('gave up'))
    await expect(answer).rejects.toThrow('gave up')
    expect(h.cloud.terminals.get(TID).status).toBe('AVAILABLE')
  })

  it('status answers without processing, with a default or given body and Retry-After', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'status', status: 503, match: { path: START }, times: 1 })
    const failed = await h.call(pac('POST', START, { body: sale(100) }))
    expect(failed.status).toBe(503)
    expect(failed.body).toBeUndefined()
    expect(h.cloud.terminals.get(TID).status).toBe('AVAILABLE')

    h.cloud.faults.add({ kind: 'status', status: 429, retryAfter: 2, times: 1 })
    const limited = await h.call(pac('GET', '/pac/terminals'))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(limited.body.userMessage).toMatch(/429/)

    h.cloud.faults.add({ kind: 'status', status: 500, body: { oops: true }, times: 1 })
    expect((await h.call(pac('GET', '/pac/terminals'))).body).toEqual({ oops: true })
    h.cloud.faults.add({ kind: 'status', status: 502, body: 'Bad gateway', times: 1 })
    const text = await h.cloud.fetch(pac('GET', '/pac/terminals'))
    expect(await text.text()).toBe('Bad gateway')

    expect((await h.call(pac('POST', START, { body: sale(100) }))).status).toBe(201)
    expect(h.cloud.faults.active).toEqual([])
  })

  it('a reset response still starts the transaction, which is charged exactly once', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: START }, times: 1 })
    const error = await h.cloud.fetch(pac('POST', START, { body: sale(1000) })).catch((e) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('fetch failed')
    expect(error.cause.code).toBe('ECONNRESET')

    const terminal = await h.call(pac('GET', `/pac/terminals/${TID}`))
    expect(terminal.body.status).toBe('BUSY')
    const { activeRequestId } = h.cloud.terminals.get(TID)
    expect(activeRequestId).toBeDefined()
    const body = await runToEnd(h, TID, activeRequestId!)
    expect(body.transactionResult).toBe('SUCCESSFUL')
    await h.clock.advance(60_000)
    expect(h.cloud.ledger).toHaveLength(1)
    expect(h.cloud.ledger[0]).toMatchObject({ requestId: activeRequestId, amount: 1000 })
  })

  it('a hanging response never settles until the request is aborted', async () => {
    const h = harness()
    h.cloud.faults.add({ kind: 'lostResponse', mode: 'hang', times: 1 })
    const controller = new AbortController()
    const answer = track(
      h.cloud.fetch(pac('POST', START, { body: sale(1000), signal: controller.signal })),
    )
    await flush() // the cloud reads the body and starts the transaction now
    await h.clock.advance(600_000)
    await flush()
    expect(answer.settled).toBe(false)
    expect(h.cloud.terminals.get(TID).activeRequestId).toBeUndefined() // long finished meanwhile
    expect(h.cloud.ledger).toHaveLength(1)
    controller.abort()
    await flush()
    expect(answer.error).toBeInstanceOf(DOMException)
    expect((answer.error as DOMException).name).toBe('AbortError')
  })

  it('a lost poll response does not disturb the transaction', async () => {
    const h = harness()
    const id = (await h.call(pac('POST', START, { body: sale(1000) }))).body.requestId
    h.cloud.faults.add({
      kind: 'lostResponse',
      match: { path: /\/transactions\/[^/]+$/ },
      times: 2,
    })
    await expect(poll(h, TID, id)).rejects.toThrow('fetch failed')
    await expect(poll(h, TID, id)).rejects.toThrow('fetch failed')
    expect((await poll(h, TID, id)).status).toBe(200)
  })

  it('matches by method and path, and can be removed or cleared', async () => {
    const h = harness()
    const remove = h.cloud.faults.add({
      kind: 'status',
      status: 500,
      match: { method: 'get', path: '/pac/terminals' },
    })
    expect((await h.call(pac('GET', '/pac/terminals'))).status).toBe(500)
    expect((await h.call(pac('GET', `/pac/terminals/${TID}`))).status).toBe(200)
    expect((await h.call(pac('POST', START, { body: sale(100) }))).status).toBe(201)
    remove()
    expect((await h.call(pac('GET', '/pac/terminals'))).status).toBe(200)

    h.cloud.faults.add({ kind: 'status', status: 500 })
    h.cloud.faults.add({ kind: 'status', status: 502 })
    expect((await h.call(pac('GET', '/pac/terminals'))).status).toBe(500) // first one wins
    expect(h.cloud.faults.active).toHaveLength(2)
    h.cloud.faults.clear()
    expect((await h.call(pac('GET', '/pac/terminals'))).status).toBe(200)
  })

  it.each<[string, unknown]>([
    ['an unknown kind', { kind: 'explode' }],
    ['a negative latency', { kind: 'latency', ms: -1 }],
    ['a bad status', { kind: 'status', status: 99 }],
    ['a bad mode', { kind: 'lostResponse', mode: 'drop' }],
    ['zero times', { kind: 'status', status: 500, times: 0 }],
  ])('refuses %s', (_, fault) => {
    const h = harness()
    expect(() => h.cloud.faults.add(fault as Fault)).toThrow(TypeError)
  })
})

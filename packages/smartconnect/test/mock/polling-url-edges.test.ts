import { describe, expect, it } from 'vitest'
import { direct, errorOf } from './helpers.js'

describe('fake cloud: polling URLs', () => {
  // FACTS §1 "Path casing" (paths appear case-insensitive) and the README ("Paths are matched under
  // /POS without regard to case"): the id in the path is a UUID, whose case means nothing.
  it('reaches the transaction whatever the case of the id in its path', async () => {
    const f = direct()
    await f.pairWith()
    const { transactionId, pollingUrl } = await f.started({
      TransactionType: 'Card.Purchase',
      AmountTotal: '1000',
    })
    const upper = pollingUrl.replace(transactionId, transactionId.toUpperCase())
    const response = await f.poll(upper)
    expect(response.status, await response.clone().text()).toBe(200)
    expect(((await response.json()) as { transactionId: string }).transactionId).toBe(transactionId)
  })

  // FACTS §5 (429 for polls faster than allowed): the refusal names the spacing the fake enforces,
  // not a fixed 2 s, when minPollIntervalMs is set otherwise.
  it('says in its 429 how far apart polls must be, as configured', async () => {
    const f = direct({ minPollIntervalMs: 5_000 })
    await f.pairWith()
    const { pollingUrl } = await f.started({
      TransactionType: 'Card.Purchase',
      AmountTotal: '1000',
    })
    expect((await f.poll(pollingUrl)).status).toBe(200)
    await f.clock.advance(2_500)
    const response = await f.poll(pollingUrl)
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('3')
    const error = await errorOf(response)
    expect(error).toContain('5 seconds')
    expect(error).not.toContain('2 seconds')
  })
})

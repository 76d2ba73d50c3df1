import { describe, expect, it } from 'vitest'
import { formRequest } from '../helpers.js'
import { BASE, direct, errorOf, IDENTITY } from './helpers.js'

describe('fake cloud: starting a transaction', () => {
  // FACTS §3: leaving TransactionMode out is not an error at SmartConnect, it picks the old
  // synchronous mode. The fake has no such mode and refuses, but must not claim the field is
  // required (a POS team would "fix" the wrong thing), and must start nothing.
  it('refuses a start without TransactionMode as the synchronous mode it lacks, not as a missing field', async () => {
    const f = direct()
    await f.pairWith()
    const response = await f.cloud.fetch(
      formRequest('POST', `${BASE}/Transaction`, {
        ...IDENTITY,
        TransactionType: 'Card.Purchase',
        AmountTotal: '1000',
      }),
    )
    expect(response.status).toBe(400)
    const error = await errorOf(response)
    expect(error).not.toMatch(/required/i)
    expect(error).toMatch(/synchronous/i)
    expect(f.cloud.transactions.list()).toEqual([])
  })
})

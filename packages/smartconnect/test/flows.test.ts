import { describe, expect, it } from 'vitest'
import { harness } from './helpers.js'

describe('client against the fake cloud', () => {
  it('pairs, then runs a purchase to an approved outcome with its receipt', async () => {
    const h = harness()
    await h.pair()
    const pending = await h.client.startTransaction('Card.Purchase', { AmountTotal: 1250 })
    const outcome = await h.client.waitForOutcome(pending)
    expect(outcome.status).toBe('approved')
    expect(outcome.amountTotal).toBe(1250)
    expect(outcome.receipt).toContain('ACCEPTED')
    expect(h.cloud.ledger).toHaveLength(1)
  })
})

import { describe, expect, it } from 'vitest'
import { TillkitAbortedError, TillkitValidationError } from '@tillkit/core'
import { failure, harness } from './helpers.js'

describe('transact: options checked first, and a stopped wait leaves the outcome open', () => {
  // Bad wait options are refused with a TillkitValidationError before anything is sent, so no
  // transaction starts on the terminal. README "Starting a transaction": "Before anything is sent,
  // the client refuses with a TillkitValidationError"; failed-start table: "bad input |
  // TillkitValidationError | nothing sent"; waitForOutcome options: intervalMs "at least 2 000",
  // deadlineMs within the token's life (900 000).
  it.each([
    ['intervalMs', { intervalMs: 500 }],
    ['deadlineMs', { deadlineMs: 1_000_000 }],
    ['onEvent', { onEvent: 'log' }],
    ['onStarted', { onStarted: true }],
  ])('refuses a bad %s before starting the payment', async (field, options) => {
    const h = harness()
    await h.pair()
    const error = await failure<TillkitValidationError>(
      h.client.transact('Card.Purchase', { AmountTotal: 1250 }, options as never),
    )
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect(error.field).toBe(field)
    // Nothing may have been sent: no transaction on the cloud, nothing reaching the acquirer.
    await h.clock.advance(10_000)
    expect(h.cloud.transactions.list()).toHaveLength(0)
    expect(h.cloud.ledger).toHaveLength(0)
  })

  // Expected: once transact has started the payment, stopping the wait through `signal` rejects with a
  // TillkitAbortedError whose outcome is open (mayHaveReachedProvider / outcomeUnknown true): the
  // payment is running. README waitForOutcome `signal`: "stops waiting (TillkitAbortedError); the
  // transaction goes on"; DESIGN "Provider clients": a request that may have reached the provider is an
  // unknown outcome, never a failure. (An abort while sleeping between polls already gives true.)
  it('an abort after the start (before the first poll) still says the payment may be running', async () => {
    const h = harness()
    await h.pair()
    const controller = new AbortController()
    const error = await failure<TillkitAbortedError>(
      h.client.transact(
        'Card.Purchase',
        { AmountTotal: 1250 },
        { signal: controller.signal, onStarted: () => controller.abort() },
      ),
    )
    expect(error).toBeInstanceOf(TillkitAbortedError)
    expect(h.cloud.transactions.list()).toHaveLength(1) // it did start
    expect(error.mayHaveReachedProvider).toBe(true)
    expect(error.outcomeUnknown).toBe(true)
  })
})

describe('reading a journal query', () => {
  // Expected: Journal.GetTransResult that answered (Result OK, ReferenceId naming the reported
  // payment) reads `succeeded`, whatever TransactionResult the reported payment had.
  // README outcome table, non-financial column: "for these types Result `OK` is success, whatever
  // TransactionResult says (a journal query reports another transaction's)"; FACTS §4 "Non-financial
  // ops: success = Result == "OK"". Today a query about a cancelled payment reads `cancelled`
  // (and one about an OK-UNAVAILABLE payment reads `unavailable`), as if the query itself had been.
  it('a GetTransResult reporting a cancelled payment is a successful query, not a cancelled one', async () => {
    const h = harness()
    await h.pair()
    const payment = await h.client.transact('Card.Purchase', { AmountTotal: 1007 }) // cancel-on-terminal
    expect(payment.status).toBe('cancelled')
    const query = await h.client.transact('Journal.GetTransResult', undefined)
    expect(query.referenceId).toBe(payment.transactionId)
    expect(query.result).toBe('OK')
    expect(query.status).toBe('succeeded')
  })
})

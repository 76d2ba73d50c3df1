import { describe, expect, it } from 'vitest'
import { createConnectSession } from '../../src/mock/ws/index.js'
import { harnessPerTest, type Message } from './ws-harness.js'

const harness = harnessPerTest()

const CHIP_AND_PIN = [
  'TRANSACTION_STARTED',
  'INSERT_CARD',
  'PIN_ENTRY',
  'PLEASE_WAIT',
  'CONNECTING',
  'CONNECTION_MADE',
  'REQUEST_SENT',
  'APPROVED',
  'REMOVE_CARD',
  'TRANSACTION_FINISHED',
]

describe('WebSocket pay at counter: perform transaction', () => {
  it('pushes each notification when it happens, then answers with the payment', async () => {
    const h = harness()
    const start = h.clock.now()
    const id = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    // Only the first step is due at once; nothing is answered yet.
    expect(h.notifications()).toEqual(['TRANSACTION_STARTED'])
    expect(h.answerTo(id)).toBeUndefined()
    expect(h.clock.pending).toBe(1)

    await h.settle()
    expect(h.notifications()).toEqual(CHIP_AND_PIN)
    // Stamped with the clock time of their step: one step (100 ms) apart.
    expect(h.times).toEqual([...CHIP_AND_PIN.map((_, i) => start + i * 100), start + 900])
    expect(h.sent.at(-2)).toEqual({
      jsonrpc: '2.0',
      method: 'terminalNotification',
      params: { notificationValue: 'TRANSACTION_FINISHED', tid: 'T1' },
    })
    expect(h.sent.at(-1)).toMatchObject({
      jsonrpc: '2.0',
      id,
      result: {
        tid: 'T1',
        transactionType: 'SALE',
        transactionResult: 'SUCCESSFUL',
        currency: 'GBP',
        amountBase: 1000,
        amountTotal: 1000,
        cardholderVerificationMethod: 'PIN',
        paymentMethod: 'ICC_CHIP',
        authCode: 'A00001',
        userMessage: 'Approved.',
      },
    })
    expect(h.model.ledger.entries).toHaveLength(1)
    expect(h.clock.pending).toBe(0)
  })

  it('answers a declined payment with its result, not an error', async () => {
    const h = harness()
    const id = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1004 })
    await h.settle()
    expect(h.answerTo(id)?.result).toMatchObject({ transactionResult: 'DECLINED', authCode: '' })
    expect(h.notifications()).toContain('DECLINED')
  })

  it('runs refunds, pre-auths, completions and account verifications by method', async () => {
    const h = harness()
    const refund = h.request('refund', { tid: 'T1', currency: 'GBP', amount: 250 })
    await h.settle()
    const preAuth = h.request('preAuth', { tid: 'T1', currency: 'GBP', amount: 5000 })
    await h.settle()
    const authCode = h.answerTo(preAuth)?.result.authCode as string
    const completion = h.request('completion', {
      tid: 'T1',
      currency: 'GBP',
      amount: 4500,
      authCode,
      amountPreAuthorisedTotal: 5000,
    })
    await h.settle()
    const verification = h.request('accountVerification', { tid: 'T1', currency: 'GBP', amount: 0 })
    await h.settle()

    const results = [refund, preAuth, completion, verification].map((id) => h.answerTo(id)?.result)
    expect(results.map((r) => [r.transactionType, r.transactionResult, r.amountBase])).toEqual([
      ['REFUND', 'SUCCESSFUL', 250],
      ['PRE_AUTH', 'SUCCESSFUL', 5000],
      ['COMPLETION', 'SUCCESSFUL', 4500],
      ['ACCOUNT_VERIFICATION', 'SUCCESSFUL', 0],
    ])
    expect(results[2].authCode).toBe(authCode)
    // The shared ledger saw every money-moving request, and nothing for the verification.
    expect(h.model.ledger.entries.map((e) => e.kind)).toEqual(['refund', 'pre-auth', 'completion'])
  })

  it('completes without a pre-authorised total, which the socket’s completion may leave out', async () => {
    const h = harness()
    const preAuth = h.request('preAuth', { tid: 'T1', currency: 'GBP', amount: 5000 })
    await h.settle()
    const authCode = h.answerTo(preAuth)?.result.authCode as string
    const complete = (amount: number) => {
      const id = h.request('completion', { tid: 'T1', currency: 'GBP', amount, authCode })
      return h.settle().then(() => h.answerTo(id)?.result.transactionResult)
    }
    // Still no more than the card has reserved.
    expect(await complete(5200)).toBe('DECLINED')
    expect(await complete(5000)).toBe('SUCCESSFUL')
  })

  it('fills the payment with empty fields when no card was read', async () => {
    const h = harness()
    const id = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1006 })
    await h.settle()
    expect(h.answerTo(id)?.result).toMatchObject({
      transactionResult: 'TIMED_OUT',
      applicationId: '',
      primaryAccountNumber: '',
      cardholderVerificationMethod: 'UNKNOWN',
      paymentMethod: 'UNKNOWN',
    })
  })
})

describe('WebSocket pay at counter: cancel', () => {
  it('acknowledges a cancel, notifies its progress and answers CANCELLED', async () => {
    const h = harness()
    const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    await h.clock.runNext() // INSERT_CARD
    const cancel = h.request('cancelTransaction', { tid: 'T1' })
    expect(h.answerTo(cancel)).toEqual({ jsonrpc: '2.0', id: cancel, result: 'cancelling' })
    await h.settle()
    expect(h.notifications()).toEqual([
      'TRANSACTION_STARTED',
      'INSERT_CARD',
      'ATTEMPTING_CANCEL',
      // The card step already due goes first; then the terminal stops and returns the card.
      'PIN_ENTRY',
      'CANCELLING',
      'REMOVE_CARD',
      'TRANSACTION_FINISHED',
    ])
    expect(h.answerTo(sale)?.result).toMatchObject({ transactionResult: 'CANCELLED' })
  })

  it('is too late once the request reached the acquirer', async () => {
    const h = harness()
    const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    await h.runUntil(() => h.notifications().includes('REQUEST_SENT'))
    h.request('cancelTransaction', { tid: 'T1' })
    await h.settle()
    expect(h.notifications()).toContain('UNABLE_TO_CANCEL')
    expect(h.answerTo(sale)?.result.transactionResult).toBe('SUCCESSFUL')
  })

  it('cancels from another connection; only the owner gets the notifications', async () => {
    const owner = harness()
    const other: Message[] = []
    const second = createConnectSession(owner.model, {
      integration: 'pac',
      clock: owner.clock,
      send: (text) => other.push(JSON.parse(text) as Message),
    })
    const sale = owner.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    second.receive(
      JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'cancelTransaction', params: { tid: 'T1' } }),
    )
    await owner.settle()
    expect(other).toEqual([{ jsonrpc: '2.0', id: 9, result: 'cancelling' }])
    expect(owner.answerTo(sale)?.result.transactionResult).toBe('CANCELLED')
    second.close()
  })
})

describe('WebSocket pay at counter: duplicate and report', () => {
  it('duplicates the last transaction with the customer copy only', async () => {
    const h = harness()
    const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    await h.settle()
    const duplicate = h.request('duplicate', { tid: 'T1' })
    await h.settle()
    const original = h.answerTo(sale)?.result
    const copy = h.answerTo(duplicate)?.result
    expect(copy.transactionId).toBe(original.transactionId)
    expect(copy.transactionResult).toBe('SUCCESSFUL')
    expect(Object.keys(copy.receiptLines)).toEqual(['CUSTOMER'])
    expect(copy.receiptLines.CUSTOMER).toEqual(original.receiptLines.CUSTOMER)
  })

  it('answers a duplicate with nothing to copy as UNSUCCESSFUL', async () => {
    const h = harness()
    const duplicate = h.request('duplicate', { tid: 'T2' })
    await h.settle()
    expect(h.answerTo(duplicate)?.result).toMatchObject({
      tid: 'T2',
      transactionResult: 'UNSUCCESSFUL',
    })
  })

  it('answers a report once printed, with balances and banking always present', async () => {
    const h = harness()
    h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    await h.settle()
    const before = h.sent.length
    const balance = h.request('report', { tid: 'T1', reportType: 'X_BALANCE' })
    expect(h.answerTo(balance)).toBeUndefined()
    await h.settle()
    const banking = h.request('report', { tid: 'T1', reportType: 'BANKING' })
    await h.settle()
    // Reports push no terminal notifications: just the two responses.
    expect(h.sent.slice(before).map((m) => m.id)).toEqual([balance, banking])
    expect(h.answerTo(balance)?.result).toMatchObject({
      tid: 'T1',
      reportType: 'X_BALANCE',
      reportResult: 'COMPLETE',
      balances: { totalSalesCount: 1, totalSalesAmount: 1000 },
      banking: {},
    })
    const bankingReport = h.answerTo(banking)?.result
    expect(bankingReport.balances).toEqual({})
    expect(Object.keys(bankingReport.banking)).not.toHaveLength(0)
  })
})

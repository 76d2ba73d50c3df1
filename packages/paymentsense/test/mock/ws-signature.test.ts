import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { ConnectModel } from '../../src/mock/domain/model.js'
import { createConnectSession, type ConnectSession } from '../../src/mock/ws/index.js'
import { harnessPerTest, type Message, SETTINGS, TERMINALS } from './ws-harness.js'
import { wsHarness } from './ws-harness.js'

const harness = harnessPerTest()

/** Starts a signature-scenario sale (pence 03) and runs until Connect asks the question. */
async function atQuestion(options?: Parameters<typeof wsHarness>[0]) {
  const h = harness(options)
  const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1003 })
  await h.runUntil(() => h.questions().length > 0)
  const question = h.questions()[0]!
  const askedAt = h.times[h.sent.indexOf(question)]!
  return { h, sale, question, askedAt }
}

const answer = (id: unknown, accepted: unknown) => ({ jsonrpc: '2.0', id, result: { accepted } })

describe('WebSocket pay at counter: signature verification', () => {
  it('asks with its own id, the timeout and the merchant copy', async () => {
    const { h, question } = await atQuestion()
    expect(h.notifications().at(-1)).toBe('SIGNATURE_VERIFICATION')
    expect(question).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      method: 'signatureVerificationRequest',
      params: {
        timeout: 9, // seconds: the terminal's 10 s window less one
        tid: 'T1',
        authCode: 'A00001',
        cardholderVerificationMethod: 'SIGNATURE',
        transactionType: 'SALE',
      },
    })
    const lines = question.params.receiptLines
    expect(Object.keys(lines)).toEqual(['MERCHANT'])
    expect(lines.MERCHANT.map((l: { value: string }) => l.value)).toContain(
      'SIGNATURE ____________________',
    )
  })

  it('routes an acceptance to the terminal, which completes the payment', async () => {
    const { h, sale, question, askedAt } = await atQuestion()
    await h.clock.advance(2_000)
    h.send(answer(question.id, true))
    await h.settle()
    const after = h.notifications().slice(h.notifications().indexOf('SIGNATURE_VERIFICATION'))
    expect(after).toEqual([
      'SIGNATURE_VERIFICATION',
      'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
      'APPROVED',
      'REMOVE_CARD',
      'TRANSACTION_FINISHED',
    ])
    // The answer woke the terminal at once, not at the end of its window.
    const completedAt =
      h.times[
        h.sent.findIndex(
          (m) => m.params?.notificationValue === 'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
        )
      ]
    expect(completedAt).toBe(askedAt + 2_000)
    expect(h.answerTo(sale)?.result.transactionResult).toBe('SUCCESSFUL')
  })

  it('routes a refusal: the terminal reverses the payment and answers VOID', async () => {
    const { h, sale, question } = await atQuestion()
    h.send(answer(question.id, false))
    await h.settle()
    expect(h.answerTo(sale)?.result.transactionResult).toBe('VOID')
    expect(h.model.ledger.entries.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })

  it('accepts by itself when the EPoS stays silent for the timeout', async () => {
    // The terminal's own policy would void: Connect's auto-accept must come first.
    const { h, sale, askedAt } = await atQuestion({ signatureTimeoutMs: 4_000 })
    expect(h.questions()[0]!.params.timeout).toBe(4)
    await h.settle()
    const completed = h.sent.findIndex(
      (m) => m.params?.notificationValue === 'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
    )
    expect(h.times[completed]).toBe(askedAt + 4_000)
    expect(h.answerTo(sale)?.result.transactionResult).toBe('SUCCESSFUL')
  })

  it('treats an error reply as silence', async () => {
    const { h, sale, question } = await atQuestion()
    const before = h.sent.length
    h.send({ jsonrpc: '2.0', id: question.id, error: { code: -32603, message: 'till busy' } })
    expect(h.sent).toHaveLength(before)
    await h.settle()
    expect(h.answerTo(sale)?.result.transactionResult).toBe('SUCCESSFUL')
  })

  it('refuses an answer nobody asked for, including one after the timeout', async () => {
    const { h, question } = await atQuestion()
    h.send(answer(77, true))
    h.send({ jsonrpc: '2.0', result: { accepted: true } })
    await h.settle()
    h.send(answer(question.id, false))
    const errors = h.sent.filter((m) => 'error' in m)
    expect(errors).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'No request with id 77 awaits an answer.' },
      },
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'No request with id null awaits an answer.' },
      },
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: `No request with id ${question.id} awaits an answer.` },
      },
    ])
  })

  it('refuses a malformed decision and keeps the question open', async () => {
    const { h, sale, question } = await atQuestion()
    h.send(answer(question.id, 'yes'))
    expect(h.sent.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32602,
        message: 'Invalid signature decision: result.accepted must be boolean.',
      },
    })
    h.send(answer(question.id, false))
    await h.settle()
    expect(h.answerTo(sale)?.result.transactionResult).toBe('VOID')
  })

  it('reports a decision the terminal cannot take, then lets the terminal time out', async () => {
    const { h, sale, question } = await atQuestion()
    h.model.terminal('T1', h.clock.now()).connected = false
    h.send(answer(question.id, true))
    expect(h.sent.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32002, message: 'Terminal T1 is unavailable.' },
    })
    await h.settle()
    // No decision reached the terminal: its own 'void' policy applies.
    expect(h.notifications()).toContain('SIGNATURE_VERIFICATION_TIMEOUT')
    expect(h.answerTo(sale)?.result.transactionResult).toBe('VOID')
  })

  it('reports an auto-acceptance the terminal cannot take', async () => {
    const { h, sale } = await atQuestion()
    h.model.terminal('T1', h.clock.now()).connected = false
    await h.settle()
    expect(h.sent.filter((m) => 'error' in m)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32002, message: 'Terminal T1 is unavailable.' } },
    ])
    expect(h.answerTo(sale)?.result.transactionResult).toBe('VOID')
  })
  it('forgets the question when the terminal moves on without it', async () => {
    const { h, sale, question, askedAt } = await atQuestion()
    // Another front-end (a REST poll, say) brings the terminal past its own 10 s window.
    h.model.terminal('T1', askedAt + 10_000)
    expect(h.notifications().at(-1)).toBe('SIGNATURE_VERIFICATION_TIMEOUT')
    h.send(answer(question.id, true))
    expect(h.sent.at(-1)?.error).toEqual({
      code: -32600,
      message: `No request with id ${question.id} awaits an answer.`,
    })
    await h.settle()
    expect(h.answerTo(sale)?.result.transactionResult).toBe('VOID')
  })

  it('keeps other terminals running while a question is open', async () => {
    const h = harness()
    const signed = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1003 })
    const other = h.request('sale', { tid: 'T2', currency: 'EUR', amount: 700 })
    await h.runUntil(() => h.questions().length > 0)
    await h.runUntil(() => h.answerTo(other) !== undefined)
    // T2 finished while T1's question stayed open: T1 still waits for the decision.
    const lastOf = (tid: string) =>
      h.sent.filter((m) => m.params?.tid === tid && 'notificationValue' in m.params).at(-1)
    expect(lastOf('T1')?.params.notificationValue).toBe('SIGNATURE_VERIFICATION')
    expect(h.sent.filter((m) => m.params?.tid === 'T2').at(-1)?.params.notificationValue).toBe(
      'TRANSACTION_FINISHED',
    )
    h.send(answer(h.questions()[0]!.id, true))
    await h.settle()
    expect(h.answerTo(signed)?.result.transactionResult).toBe('SUCCESSFUL')
    expect(h.answerTo(other)?.result).toMatchObject({ tid: 'T2', currency: 'EUR' })
  })
})

describe('WebSocket pay at counter: close', () => {
  it('stops sending and leaves nothing asleep on the clock', async () => {
    const h = harness()
    h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    await h.clock.runNext()
    expect(h.clock.pending).toBe(1)
    const sentBefore = h.sent.length
    h.session.close()
    h.session.close() // twice is harmless
    expect(h.clock.pending).toBe(0)
    h.request('connectedTerminals')
    await h.clock.advance(60_000)
    expect(h.sent).toHaveLength(sentBefore)
    // The terminal itself carries on, as a real one would (the model runs lazily: ask it).
    expect(h.model.terminal('T1', h.clock.now()).lastTransaction?.outcome).toMatchObject({
      transactionResult: 'SUCCESSFUL',
    })
    expect(h.sent).toHaveLength(sentBefore)
  })

  it('on close, an open signature question is accepted at its deadline: a lost connection is no answer', async () => {
    const { h, question, askedAt } = await atQuestion()
    const sentBefore = h.sent.length
    h.session.close()
    // Played lazily by the model, as the terminal's own window is: no timer is left behind.
    expect(h.clock.pending).toBe(0)
    // An answer after the close is not taken (nothing reads it), and nothing is sent.
    h.send(answer(question.id, false))
    expect(h.sent).toHaveLength(sentBefore)
    await h.clock.advance(question.params.timeout * 1_000 - (h.clock.now() - askedAt) - 1)
    expect(h.model.terminal('T1', h.clock.now()).lastTransaction?.outcome).toBeUndefined()
    await h.clock.advance(60_000)
    expect(h.model.terminal('T1', h.clock.now()).lastTransaction?.outcome).toMatchObject({
      transactionResult: 'SUCCESSFUL',
    })
    expect(h.model.ledger.entries.map((e) => e.kind)).toEqual(['sale'])
    expect(h.sent).toHaveLength(sentBefore)
  })
  it('sends nothing more once the transport closes the session mid-message', async () => {
    const clock = createManualClock()
    const received: Message[] = []
    const session: ConnectSession = createConnectSession(new ConnectModel(SETTINGS, TERMINALS), {
      integration: 'pac',
      clock,
      send(text) {
        const message = JSON.parse(text) as Message
        received.push(message)
        // The socket drops as the terminal reports the signature step.
        if (message.params?.notificationValue === 'SIGNATURE_VERIFICATION') session.close()
      },
    })
    session.receive(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sale',
        params: { tid: 'T1', currency: 'GBP', amount: 1003 },
      }),
    )
    while (await clock.runNext());
    expect(received.at(-1)?.params.notificationValue).toBe('SIGNATURE_VERIFICATION')
    expect(received.some((m) => m.method === 'signatureVerificationRequest')).toBe(false)
    expect(clock.pending).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import { harness, pac, poll, runToEnd, sale, start, type Harness } from './helpers.js'

const TID = '22160001'
const SIGNATURE_AT = 2400 // SIGNATURE_VERIFICATION is notified 2.4 s after the POST

const putSignature = (h: Harness, id: string, body: unknown) =>
  h.call(pac('PUT', `/pac/terminals/${TID}/transactions/${id}/signature`, { body }))

async function awaitingSignature(h: Harness): Promise<string> {
  const id = await start(h, TID, sale(2503))
  await h.clock.advance(SIGNATURE_AT)
  const { body } = await poll(h, TID, id)
  expect(body.notifications.at(-1)).toBe('SIGNATURE_VERIFICATION')
  expect(body.notifications).toContain('REQUEST_SENT')
  return id
}

describe('signature verification', () => {
  it('completes SUCCESSFUL when the EPoS accepts', async () => {
    const h = harness()
    const id = await awaitingSignature(h)
    await h.clock.advance(5_000)
    expect((await putSignature(h, id, { accepted: true })).status).toBe(202)
    const body = await runToEnd(h, TID, id)
    expect(body.notifications.slice(-5)).toEqual([
      'SIGNATURE_VERIFICATION',
      'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
      'APPROVED',
      'REMOVE_CARD',
      'TRANSACTION_FINISHED',
    ])
    expect(body).toMatchObject({
      transactionResult: 'SUCCESSFUL',
      cardHolderVerificationMethod: 'SIGNATURE',
      amountTotal: 2503,
    })
    expect(body.receiptLines.MERCHANT.some((l: any) => /SIGNATURE/.test(l.value))).toBe(true)
    expect(h.cloud.ledger.map((e) => [e.kind, e.result])).toEqual([['sale', 'SUCCESSFUL']])
  })

  it('reverses the payment when the EPoS declines', async () => {
    const h = harness()
    const id = await awaitingSignature(h)
    expect((await putSignature(h, id, { accepted: false })).status).toBe(202)
    const body = await runToEnd(h, TID, id)
    expect(body.notifications).toContain('SIGNATURE_VERIFICATION_PROCESS_COMPLETED')
    expect(body.notifications).not.toContain('APPROVED')
    expect(body.transactionResult).toBe('VOID')
    expect(body.userMessage).toMatch(/declined/)
    expect(body.receiptLines.CUSTOMER).toContainEqual({
      type: 'BOX_VOID',
      value: 'TRANSACTION VOID',
    })
    expect(h.cloud.ledger.map((e) => [e.kind, e.requestId, e.amount])).toEqual([
      ['sale', id, 2503],
      ['reversal', id, 2503],
    ])
  })

  it('times out and voids by default when nobody answers', async () => {
    const h = harness()
    const id = await awaitingSignature(h)
    await h.clock.advance(80_000 - 1)
    expect((await poll(h, TID, id)).body.notifications.at(-1)).toBe('SIGNATURE_VERIFICATION')
    await h.clock.advance(1)
    expect((await poll(h, TID, id)).body.notifications.at(-1)).toBe(
      'SIGNATURE_VERIFICATION_TIMEOUT',
    )
    const body = await runToEnd(h, TID, id)
    expect(body.transactionResult).toBe('VOID')
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })

  it('accepts on timeout when configured so', async () => {
    const h = harness({ signatureTimeout: 'accept', signatureTimeoutMs: 10_000 })
    const id = await awaitingSignature(h)
    await h.clock.advance(10_000)
    const body = await runToEnd(h, TID, id)
    expect(body.notifications).toContain('SIGNATURE_VERIFICATION_TIMEOUT')
    expect(body.transactionResult).toBe('SUCCESSFUL')
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('refuses a decision that comes too late', async () => {
    const h = harness()
    const id = await awaitingSignature(h)
    await h.clock.advance(80_000)
    const late = await putSignature(h, id, { accepted: true })
    expect(late.status).toBe(422)
    expect(late.body.userMessage).toMatch(/waits 80 seconds/)
    expect((await runToEnd(h, TID, id)).transactionResult).toBe('VOID')
  })

  it('refuses a decision when none is awaited (before, twice, after the end)', async () => {
    const h = harness()
    const id = await start(h, TID, sale(2503))
    const early = await putSignature(h, id, { accepted: true })
    expect(early.status).toBe(422)
    expect(early.body.userMessage).toMatch(/not waiting/)
    await h.clock.advance(SIGNATURE_AT)
    expect((await putSignature(h, id, { accepted: true })).status).toBe(202)
    expect((await putSignature(h, id, { accepted: false })).status).toBe(422)
    await runToEnd(h, TID, id)
    expect((await putSignature(h, id, { accepted: true })).status).toBe(422)
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('validates the decision body and the request id', async () => {
    const h = harness()
    const id = await awaitingSignature(h)
    for (const body of [{}, { accepted: 'yes' }, { accepted: true, extra: 1 }, [true]]) {
      const answer = await putSignature(h, id, body)
      expect(answer.status).toBe(422)
      expect(answer.body.userMessage).toBeTruthy()
    }
    const unknown = await h.call(
      pac('PUT', `/pac/terminals/${TID}/transactions/nope/signature`, { body: { accepted: true } }),
    )
    expect(unknown.status).toBe(404)
  })
})

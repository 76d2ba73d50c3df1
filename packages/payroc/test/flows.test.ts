import { describe, expect, it } from 'vitest'
import { approvalOf, retrieveResult, submitInstruction, waitForInstruction } from '../src/index.js'
import { SIGNATURE_PNG_BASE64 } from '../src/mock/index.js'
import { refund, sale, SERIAL, seen, setup, TERMINAL } from './helpers.js'

describe('a sale, a refund and a signature, end to end against the fake', () => {
  it('a sale: one token, the submit, one held read, the payment; the ledger shows one approved charge', async () => {
    const { cloud, client } = setup()
    const submitted = await submitInstruction(client, 'payment', SERIAL, sale(4999))
    expect(submitted.instruction.status).toBe('inProgress')
    const done = await waitForInstruction(client, 'payment', submitted.id)
    expect(done.status).toBe('completed')
    const payment = await retrieveResult(client, 'payment', done)
    expect(approvalOf(payment)).toMatchObject({
      approved: true,
      partial: false,
      requestedAmount: 4999,
      authorizedAmount: 4999,
      responseCode: 'A',
      status: 'ready',
    })
    expect(seen(cloud)).toEqual([
      'POST /authorize',
      `POST /v1/devices/${SERIAL}/payment-instructions`,
      `GET /v1/payment-instructions/${submitted.id}`,
      `GET /v1/payments/${payment.paymentId}`,
    ])
    expect(cloud.ledger).toEqual([
      expect.objectContaining({
        kind: 'sale',
        amount: 4999,
        authorizedAmount: 4999,
        result: 'approved',
        paymentId: payment.paymentId,
        instructionId: submitted.id,
      }),
    ])
  })

  it('a refund instruction pays back on the device: a negative authorised amount, a refund in the ledger', async () => {
    const { cloud, client } = setup()
    const { id } = await submitInstruction(client, 'refund', SERIAL, refund(1500))
    const done = await waitForInstruction(client, 'refund', id)
    const result = await retrieveResult(client, 'refund', done)
    expect(result.transactionResult).toMatchObject({ type: 'refund', authorizedAmount: -1500 })
    expect(approvalOf(result)).toMatchObject({ approved: true, authorizedAmount: 1500 })
    expect(cloud.ledger.map((e) => [e.kind, e.amount, e.result])).toEqual([
      ['refund', 1500, 'approved'],
    ])
  })

  it('a signature instruction leads to a PNG image', async () => {
    const { cloud, client } = setup()
    const { id } = await submitInstruction(client, 'signature', SERIAL, {
      processingTerminalId: TERMINAL,
    })
    const done = await waitForInstruction(client, 'signature', id)
    const signature = await retrieveResult(client, 'signature', done)
    expect(signature.contentType).toBe('image/png')
    expect(signature.signature).toBe(SIGNATURE_PNG_BASE64)
    const bytes = Uint8Array.from(atob(signature.signature), (c) => c.charCodeAt(0))
    expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG')
    expect(signature.createdOn).toBe('2026-01-01')
    expect(cloud.ledger).toEqual([])
  })
})

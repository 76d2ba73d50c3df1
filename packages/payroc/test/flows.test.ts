import { describe, expect, it } from 'vitest'
import {
  approvalOf,
  retrieveResult,
  submitInstruction,
  TillkitHttpError,
  waitForInstruction,
} from '../src/index.js'
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

describe('payments through the typed client', () => {
  async function paid(amount: number) {
    const setupResult = setup()
    const { client } = setupResult
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(amount))
    const payment = await retrieveResult(
      client,
      'payment',
      await waitForInstruction(client, 'payment', id),
    )
    return { ...setupResult, paymentId: payment.paymentId }
  }

  it('a referenced refund and a reversal, each with its own idempotency key, both in the ledger', async () => {
    const { client, cloud, paymentId } = await paid(5000)
    const params = { params: { path: { paymentId } } }
    const refunded = client.transport.ok(
      await client.api.POST('/payments/{paymentId}/refunds', {
        ...params,
        body: { amount: 1000, description: 'a cup came back' },
      }),
    )
    expect(refunded).toMatchObject({ amount: 1000, responseCode: 'A' })
    const refund = client.transport.ok(
      await client.api.GET('/refunds/{refundId}', {
        params: { path: { refundId: refunded.refundId } },
      }),
    )
    expect(refund.transactionResult.authorizedAmount).toBe(-1000)
    const reversed = client.transport.ok(
      await client.api.POST('/payments/{paymentId}/reverse', { ...params, body: {} }),
    )
    // The 4 000 left was reversed; the 1 000 refunded stays authorised (the refund is a transaction of its own).
    expect(reversed.transactionResult).toMatchObject({ status: 'reversal', authorizedAmount: 1000 })
    expect(cloud.ledger.map((e) => `${e.kind} ${e.amount}`)).toEqual([
      'sale 5000',
      'refund 1000',
      'reversal 4000',
    ])
    const keys = cloud.requests.filter((r) => r.idempotencyKey).map((r) => r.idempotencyKey)
    expect(new Set(keys).size).toBe(3)
  })

  it('refusals arrive as TillkitHttpError with the problem body: 409 once nothing is left', async () => {
    const { client, paymentId } = await paid(5000)
    const params = { params: { path: { paymentId } } }
    client.transport.ok(
      await client.api.POST('/payments/{paymentId}/reverse', { ...params, body: {} }),
    )
    const again = await client.api.POST('/payments/{paymentId}/reverse', { ...params, body: {} })
    expect(() => client.transport.ok(again)).toThrow(TillkitHttpError)
    expect(again.error).toMatchObject({ status: 409, link: { rel: 'payment' } })
    const over = await client.api.POST('/payments/{paymentId}/refunds', {
      ...params,
      body: { amount: 1, description: 'x' },
    })
    expect(over.response.status).toBe(409)
  })

  it('a read-only key gets 403 on writes, through the client too', async () => {
    const { client } = setup({
      cloud: { readOnlyApiKeys: ['reader'] },
      client: { apiKey: 'reader' },
    })
    const error = await submitInstruction(client, 'payment', SERIAL, sale(100)).catch((e) => e)
    expect(error).toMatchObject({ name: 'TillkitHttpError', status: 403, outcomeUnknown: false })
    expect((await client.api.GET('/devices')).response.status).toBe(200)
  })
})

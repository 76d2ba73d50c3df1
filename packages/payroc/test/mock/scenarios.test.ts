import { describe, expect, it } from 'vitest'
import { chooseScenario, SCENARIO_BY_CENTS, SCENARIOS } from '../../src/mock/index.js'
import { harness, SERIAL, submit } from './helpers.js'

/** Runs one payment to its end on the fake and reports what a POS and the acquirer would see. */
async function run(amount: number, extra = {}) {
  const h = harness()
  const id = await submit(h, amount, SERIAL, extra)
  await h.clock.advance(200_000)
  const instruction = (await h.call('GET', `/payment-instructions/${id}`)).body
  const info = h.cloud.instructions.get(id)
  const paymentId = info.resultId
  const payment = paymentId ? (await h.call('GET', `/payments/${paymentId}`)).body : undefined
  return { instruction, info, payment, ledger: h.cloud.ledger, h }
}

describe('scenarios by the amount in cents', () => {
  it('the table maps every listed ending to a scenario and the rest to approve', () => {
    expect(Object.values(SCENARIO_BY_CENTS).sort()).toEqual(
      SCENARIOS.filter((s) => s !== 'approve').sort(),
    )
    expect(chooseScenario(undefined, 1234)).toBe('approve')
    expect(chooseScenario(undefined, 101)).toBe('decline')
    expect(chooseScenario('referral', 101)).toBe('referral')
    expect(chooseScenario(undefined, undefined)).toBe('approve')
  })

  it('approve: completed after 6 s, full amount, ready, in the ledger', async () => {
    const { instruction, info, payment, ledger } = await run(4999)
    expect(instruction.status).toBe('completed')
    expect(info.endedAt! - info.createdAt).toBe(6_000)
    expect(payment.transactionResult).toMatchObject({
      type: 'sale',
      status: 'ready',
      responseCode: 'A',
      authorizedAmount: 4999,
      currency: 'USD',
      approvalCode: expect.any(String),
    })
    expect(payment.supportedOperations).toEqual(['refund', 'fullyReverse', 'partiallyReverse'])
    expect(payment.card).toMatchObject({
      type: 'Visa',
      entryMethod: 'icc',
      cardNumber: '453985******7062',
    })
    expect(ledger).toEqual([
      expect.objectContaining({
        kind: 'sale',
        amount: 4999,
        authorizedAmount: 4999,
        result: 'approved',
        at: info.endedAt,
      }),
    ])
  })

  it('decline (…01): completed, response D, status declined, no operations, in the ledger as declined', async () => {
    const { instruction, payment, ledger } = await run(1001)
    expect(instruction.status).toBe('completed')
    expect(payment.transactionResult).toMatchObject({
      status: 'declined',
      responseCode: 'D',
      authorizedAmount: 0,
    })
    expect(payment.transactionResult.approvalCode).toBeUndefined()
    expect(payment.supportedOperations).toEqual([])
    expect(ledger.map((e) => e.result)).toEqual(['declined'])
  })

  it('partial (…02): half the amount when the order accepts partial amounts, else declined', async () => {
    const accepted = await run(1002, {
      order: { orderId: 'p', amount: 1002, currency: 'USD', acceptPartialAmount: true },
    })
    expect(accepted.payment.transactionResult).toMatchObject({
      responseCode: 'P',
      status: 'ready',
      authorizedAmount: 501,
    })
    expect(accepted.ledger.map((e) => [e.result, e.authorizedAmount])).toEqual([['partial', 501]])
    const refused = await run(1002)
    expect(refused.payment.transactionResult).toMatchObject({
      responseCode: 'D',
      status: 'declined',
    })
  })

  it('referral (…03): response R, status referral', async () => {
    const { payment, ledger } = await run(1003)
    expect(payment.transactionResult).toMatchObject({
      responseCode: 'R',
      status: 'referral',
      authorizedAmount: 0,
    })
    expect(ledger.map((e) => e.result)).toEqual(['referral'])
  })

  it('device failure (…04): failure with errorMessage after 4 s, nothing charged, no link onward', async () => {
    const { instruction, info, ledger } = await run(1004)
    expect(instruction).toMatchObject({
      status: 'failure',
      errorMessage: 'The device could not read the card.',
    })
    expect(instruction.link.rel).toBe('self')
    expect(info.endedAt! - info.createdAt).toBe(4_000)
    expect(info.resultId).toBeUndefined()
    expect(ledger).toEqual([])
  })

  it('canceled on the device (…05): canceled after 4 s, no errorMessage, nothing charged', async () => {
    const { instruction, info, ledger } = await run(1005)
    expect(instruction.status).toBe('canceled')
    expect(instruction.errorMessage).toBeUndefined()
    expect(info.endedAt! - info.createdAt).toBe(4_000)
    expect(ledger).toEqual([])
  })

  it('slow card (…06): completed after 92 s, approved', async () => {
    const { info, payment } = await run(1006)
    expect(info.endedAt! - info.createdAt).toBe(92_000)
    expect(payment.transactionResult.responseCode).toBe('A')
  })

  it('device timeout (…07): failure after 120 s, nothing charged', async () => {
    const { instruction, info, ledger } = await run(1007)
    expect(instruction).toMatchObject({
      status: 'failure',
      errorMessage: expect.stringMatching(/timed out/),
    })
    expect(info.endedAt! - info.createdAt).toBe(120_000)
    expect(ledger).toEqual([])
  })

  it('a pinned device scenario wins over the amount', async () => {
    const h = harness({ devices: [{ serialNumber: 'D1', scenario: 'decline' }] })
    const id = await submit(h, 4999, 'D1')
    await h.clock.advance(6_000)
    expect(h.cloud.ledger.map((e) => e.result)).toEqual(['declined'])
    expect(h.cloud.instructions.get(id).scenario).toBe('decline')
  })

  it('autoCapture false is a pre-authorisation (pending, capture or reverse); processAsSale settles at once', async () => {
    const preAuth = await run(2500, { autoCapture: false })
    expect(preAuth.payment.transactionResult).toMatchObject({
      type: 'preAuthorization',
      status: 'pending',
      responseCode: 'A',
    })
    expect(preAuth.payment.supportedOperations).toEqual(['capture', 'fullyReverse'])
    expect(preAuth.ledger.map((e) => e.kind)).toEqual(['pre-auth'])
    const settled = await run(2500, { processAsSale: true, autoCapture: false })
    expect(settled.payment.transactionResult).toMatchObject({ type: 'sale', status: 'complete' })
    expect(settled.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('manual entry shows as a keyed card; operator and description are kept', async () => {
    const { payment } = await run(2500, {
      operator: 'Jane',
      customizationOptions: { entryMethod: 'manualEntry' },
      order: { orderId: 'k', amount: 2500, currency: 'USD', description: 'two coffees' },
    })
    expect(payment.card.entryMethod).toBe('keyed')
    expect(payment.operator).toBe('Jane')
    expect(payment.order).toMatchObject({
      orderId: 'k',
      description: 'two coffees',
      dateTime: '2026-01-01T00:00:00.000Z',
    })
  })

  it('refund instructions follow the cents too: …01 declines the refund', async () => {
    const h = harness()
    const answer = await h.call('POST', `/devices/${SERIAL}/refund-instructions`, {
      body: {
        processingTerminalId: '1234001',
        order: { orderId: 'r', amount: 701, currency: 'USD', description: 'broken' },
      },
    })
    await h.clock.advance(6_000)
    const { resultId } = h.cloud.instructions.get(answer.body.refundInstructionId)
    const result = (await h.call('GET', `/refunds/${resultId}`)).body
    expect(result.transactionResult).toMatchObject({
      type: 'refund',
      responseCode: 'D',
      authorizedAmount: 0,
    })
    expect(h.cloud.ledger.map((e) => [e.kind, e.result])).toEqual([['refund', 'declined']])
  })

  it('signature instructions ignore amounts; a device pinned to device-failure fails them', async () => {
    const h = harness({ devices: [{ serialNumber: 'S1', scenario: 'device-failure' }] })
    const answer = await h.call('POST', '/devices/S1/signature-instructions', {
      body: { processingTerminalId: '1234001' },
    })
    await h.clock.advance(4_000)
    const read = await h.call(
      'GET',
      `/signature-instructions/${answer.body.signatureInstructionId}`,
    )
    expect(read.body).toMatchObject({ status: 'failure', errorMessage: expect.any(String) })
  })
})

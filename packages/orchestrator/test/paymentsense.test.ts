import { describe, expect, it } from 'vitest'
import { collect, drive, sale, setup } from './harness.js'

describe('a Paymentsense sale through the orchestrator', () => {
  it('approves, with every terminal notification delivered once, in order', async () => {
    const { clock, cloud, orchestrator } = setup()
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    const list = await events.done
    expect(outcome.status).toBe('approved')
    expect(outcome.amounts).toMatchObject({ requested: 1250, approved: 1250, total: 1250 })
    expect(list.map((e) => e.raw)).toEqual(
      cloud.terminals.transaction('22160001', outcome.providerIds.requestId!).notifications,
    )
    expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1))
    expect(cloud.ledger).toHaveLength(1)
  })
})

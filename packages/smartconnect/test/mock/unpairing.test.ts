import { describe, expect, it } from 'vitest'
import { REGISTER } from '../helpers.js'
import { direct, errorOf } from './helpers.js'

describe('fake cloud: unpairing on the terminal', () => {
  // FACTS §2: there is no unpair call; unpairing happens on the terminal. A test must be able to do
  // that to the fake's terminal, and the register's next start is then refused.
  it('terminals.unpair forgets the terminal’s registers; they can pair again', async () => {
    const f = direct()
    await f.pairWith('VT000001')
    expect(f.cloud.terminals.unpair('VT000001')).toEqual([REGISTER.id])
    expect(f.cloud.terminals.get('VT000001').registers).toEqual([])
    expect(f.cloud.registers.get(REGISTER.id)).toBeUndefined()
    const refused = await f.start({ TransactionType: 'Card.Purchase', AmountTotal: '1000' })
    expect(refused.status).toBe(400)
    expect(await errorOf(refused)).toMatch(/not paired/)
    expect(f.cloud.transactions.list()).toEqual([])
    await f.pairWith('VT000001')
    expect((await f.start({ TransactionType: 'Card.Purchase', AmountTotal: '1000' })).status).toBe(
      200,
    )
  })

  it('unpairs one register only when named, and leaves other terminals alone', async () => {
    const f = direct()
    const other = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'
    await f.pairWith('VT000001')
    expect(
      (await f.pair(f.cloud.terminals.get('VT000001').pairingCode, { POSRegisterID: other }))
        .status,
    ).toBe(200)
    expect(f.cloud.terminals.unpair('VT000001', other)).toEqual([other])
    expect(f.cloud.terminals.get('VT000001').registers).toEqual([REGISTER.id])
    // A register paired elsewhere is not this terminal's to unpair.
    expect(f.cloud.terminals.unpair('VT000002', REGISTER.id)).toEqual([])
    expect(f.cloud.registers.get(REGISTER.id)?.deviceId).toBe('VT000001')
    expect(() => f.cloud.terminals.unpair('NOPE')).toThrow(/NOPE/)
  })
})

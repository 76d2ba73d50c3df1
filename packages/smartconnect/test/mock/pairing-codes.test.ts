import { TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { REGISTER } from '../helpers.js'
import { direct } from './helpers.js'

/** The first code the fake makes up (its sequence is fixed). */
const FIRST_MADE_UP = createFakeCloud({ terminals: [{ deviceId: 'X' }] }).terminals.get(
  'X',
).pairingCode

describe('fake cloud: pairing codes are one terminal’s each', () => {
  // FACTS §2: the operator types the code the terminal shows, and the register pairs with that
  // terminal. Two terminals showing one code would pair a test's register with whichever comes
  // first, silently: the setup is refused instead, naming the option.
  it('refuses two configured terminals with the same code', () => {
    let error: unknown
    try {
      createFakeCloud({
        terminals: [
          { deviceId: 'LANE-1', pairingCode: 'SAME01' },
          { deviceId: 'LANE-2', pairingCode: 'SAME01' },
        ],
      })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TillkitValidationError)
    expect((error as TillkitValidationError).message).toContain('options.terminals[1].pairingCode')
  })

  it('refuses terminals.add with a code another terminal shows', () => {
    const cloud = createFakeCloud({ terminals: [{ deviceId: 'LANE-1', pairingCode: 'SAME01' }] })
    expect(() => cloud.terminals.add({ deviceId: 'LANE-2', pairingCode: 'SAME01' })).toThrow(
      /config\.pairingCode/,
    )
    expect(cloud.terminals.list().map((t) => t.deviceId)).toEqual(['LANE-1'])
  })

  it('never makes up a code another terminal shows', async () => {
    const f = direct({
      terminals: [{ deviceId: 'LANE-1', pairingCode: FIRST_MADE_UP }, { deviceId: 'LANE-2' }],
    })
    const codes = () => f.cloud.terminals.list().map((t) => t.pairingCode)
    expect(new Set(codes()).size).toBe(2)
    // And a new code shown later is not one in use either.
    for (let i = 0; i < 5; i++) f.cloud.terminals.showPairingCode('LANE-2')
    expect(new Set(codes()).size).toBe(2)
    // So pairing with LANE-2's code lands on LANE-2.
    await f.pairWith('LANE-2')
    expect(f.cloud.registers.get(REGISTER.id)?.deviceId).toBe('LANE-2')
  })
})

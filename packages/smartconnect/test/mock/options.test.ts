import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { fakeOptionTests } from '../../../core/test/fake-options.js'

describe('createFakeCloud options', () =>
  fakeOptionTests(
    createFakeCloud,
    [
      ['options that are no object', null, 'options'],
      ['a misspelt option', { minPollIntervalMS: 0 }, 'options.minPollIntervalMS'],
      ['a negative step', { stepMs: -1 }, 'options.stepMs'],
      ['a NaN step', { stepMs: NaN }, 'options.stepMs'],
      ['a negative poll interval', { minPollIntervalMs: -5 }, 'options.minPollIntervalMs'],
      ['a token life of 0', { tokenLifetimeMs: 0 }, 'options.tokenLifetimeMs'],
      ['a merchant without name', { merchant: { id: '1' } }, 'options.merchant.name'],
      ['terminals that are no array', { terminals: 'VT1' }, 'options.terminals'],
      [
        'a device id given twice',
        { terminals: [{ deviceId: 'VT1' }, { deviceId: 'VT1' }] },
        'options.terminals[1].deviceId',
      ],
      [
        'a misspelt terminal field',
        { terminals: [{ deviceId: 'VT1', pairingcode: 'x' }] },
        'options.terminals[0].pairingcode',
      ],
      [
        'an unknown scenario',
        { terminals: [{ deviceId: 'VT1', scenario: 'approve' }] },
        'options.terminals[0].scenario',
      ],
    ],
    [
      ['no options', undefined],
      [
        'every option',
        {
          terminals: [
            { deviceId: 'VT1', pairingCode: 'ABC123', scenario: 'decline', online: false },
          ],
          clock: createManualClock(),
          stepMs: 0,
          delayedMs: 0,
          terminalTimeoutMs: 1,
          minPollIntervalMs: 0,
          tokenLifetimeMs: 60_000,
          merchant: { id: '1', name: 'Shop' },
        },
      ],
    ],
  ))

it('cloud.terminals.add checks the config by the same rules', () => {
  expect(() => createFakeCloud().terminals.add({ deviceId: 'VT9', online: 1 } as never)).toThrow(
    expect.objectContaining({ constructor: TillkitValidationError, field: 'config.online' }),
  )
})

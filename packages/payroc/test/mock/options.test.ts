import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { fakeOptionTests } from '../../../core/test/fake-options.js'

describe('createFakeCloud options', () =>
  fakeOptionTests(
    createFakeCloud,
    [
      ['options that are no object', [], 'options'],
      ['a misspelt option', { holdMS: 0 }, 'options.holdMS'],
      ['a negative hold', { holdMs: -1 }, 'options.holdMs'],
      ['a NaN hold', { holdMs: NaN }, 'options.holdMs'],
      ['a token lifetime of 0', { tokenLifetimeSeconds: 0 }, 'options.tokenLifetimeSeconds'],
      ['apiKeys that are no array', { apiKeys: 'test-api-key' }, 'options.apiKeys'],
      [
        'a read-only key that is also full',
        { readOnlyApiKeys: ['test-api-key'] },
        'options.readOnlyApiKeys[0]',
      ],
      ['a misspelt timing', { timings: { cardMS: 1 } }, 'options.timings.cardMS'],
      ['a negative timing', { timings: { authMs: -1 } }, 'options.timings.authMs'],
      [
        'a serial number given twice',
        { devices: [{ serialNumber: 'A' }, { serialNumber: 'A' }] },
        'options.devices[1].serialNumber',
      ],
      [
        'a misspelt device field',
        { devices: [{ serialNumber: 'A', actve: false }] },
        'options.devices[0].actve',
      ],
      [
        'an unknown scenario',
        { devices: [{ serialNumber: 'A', scenario: 'nope' }] },
        'options.devices[0].scenario',
      ],
    ],
    [
      ['no options', undefined],
      [
        'every option',
        {
          apiKeys: ['k1'],
          readOnlyApiKeys: ['r1'],
          devices: [
            {
              serialNumber: 'A',
              processingTerminalId: '1',
              model: 'paxA80',
              scenario: 'decline',
              active: false,
            },
          ],
          clock: createManualClock(),
          timings: { cardMs: 0, authMs: 0 },
          holdMs: 0,
          tokenLifetimeSeconds: 60,
        },
      ],
    ],
  ))

it('cloud.devices.add checks the config by the same rules', () => {
  expect(() => createFakeCloud().devices.add({ serialNumber: 'A', active: 'no' } as never)).toThrow(
    expect.objectContaining({ constructor: TillkitValidationError, field: 'config.active' }),
  )
})

import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { fakeOptionTests } from '../../../core/test/fake-options.js'

describe('createFakeCloud options', () =>
  fakeOptionTests(
    createFakeCloud,
    [
      ['options that are no object', 42, 'options'],
      ['a misspelt option', { setpMs: 100 }, 'options.setpMs'],
      ['a negative retention', { retentionHours: -1 }, 'options.retentionHours'],
      ['a NaN retention', { retentionHours: NaN }, 'options.retentionHours'],
      ['a negative step', { stepMs: -1 }, 'options.stepMs'],
      ['apiKeys that are no array', { apiKeys: 'test-api-key' }, 'options.apiKeys'],
      [
        'an API key config without key',
        { apiKeys: [{ merchantAccounts: ['A'] }] },
        'options.apiKeys[0].key',
      ],
      [
        'a misspelt API key field',
        { apiKeys: [{ key: 'k', merchantAccount: 'A' }] },
        'options.apiKeys[0].merchantAccount',
      ],
      [
        'merchant accounts that are no array',
        { merchantAccounts: 'TillkitShop' },
        'options.merchantAccounts',
      ],
      [
        'a poiId given twice',
        { devices: [{ poiId: 'P400Plus-1' }, { poiId: 'P400Plus-1' }] },
        'options.devices[1].poiId',
      ],
      [
        'a device step',
        { devices: [{ poiId: 'P400Plus-1', stepMs: -1 }] },
        'options.devices[0].stepMs',
      ],
      [
        'an unknown scenario',
        { devices: [{ poiId: 'P400Plus-1', scenario: 'nope' }] },
        'options.devices[0].scenario',
      ],
      [
        'a device format',
        { devices: [{ poiId: 'P400Plus-1', additionalResponse: 'json' }] },
        'options.devices[0].additionalResponse',
      ],
      ['a fetch that is no function', { fetch: 'https://hooks.test' }, 'options.fetch'],
    ],
    [
      ['no options', undefined],
      [
        'every option',
        {
          apiKeys: [
            'k1',
            { key: 'k2', merchantAccounts: ['TillkitShop'], cloudDeviceApiRole: false },
          ],
          merchantAccounts: ['TillkitShop'],
          devices: [
            {
              poiId: 'P400Plus-1',
              merchantAccount: 'TillkitShop',
              store: 'S',
              online: true,
              scenario: 'refused',
              additionalResponse: 'base64',
              stepMs: 0,
            },
          ],
          clock: createManualClock(),
          stepMs: 0,
          retentionHours: 0.25,
          fetch: async () => new Response(null),
        },
      ],
    ],
  ))

it('cloud.devices.add checks the config by the same rules', () => {
  expect(() => createFakeCloud().devices.add({ poiId: '' })).toThrow(
    expect.objectContaining({ constructor: TillkitValidationError, field: 'config.poiId' }),
  )
})

import { createManualClock, TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createFakeCloud } from '../../src/mock/index.js'
import { fakeOptionTests } from '../../../core/test/fake-options.js'

describe('createFakeCloud options', () =>
  fakeOptionTests(
    createFakeCloud,
    [
      ['options that are no object', 'fast', 'options'],
      ['a misspelt option', { retentionHour: 1 }, 'options.retentionHour'],
      ['a negative retention', { retentionHours: -1 }, 'options.retentionHours'],
      ['a NaN retention', { retentionHours: NaN }, 'options.retentionHours'],
      ['a zero retention', { retentionHours: 0 }, 'options.retentionHours'],
      ['a negative step', { stepMs: -1 }, 'options.stepMs'],
      ['a fractional step', { stepMs: 0.5 }, 'options.stepMs'],
      ['a negative request spacing', { requestSpacingMs: -5 }, 'options.requestSpacingMs'],
      ['apiKeys that are no array', { apiKeys: 'test-api-key' }, 'options.apiKeys'],
      ['an empty API key', { apiKeys: [''] }, 'options.apiKeys[0]'],
      ['terminals that are no array', { terminals: {} }, 'options.terminals'],
      [
        'a tid given twice',
        { terminals: [{ tid: '1' }, { tid: '2' }, { tid: '1' }] },
        'options.terminals[2].tid',
      ],
      ['a terminal without tid', { terminals: [{ currency: 'GBP' }] }, 'options.terminals[0].tid'],
      [
        'a terminal currency',
        { terminals: [{ tid: '1', currency: 'USD' }] },
        'options.terminals[0].currency',
      ],
      [
        'a misspelt terminal field',
        { terminals: [{ tid: '1', scenaro: 'decline' }] },
        'options.terminals[0].scenaro',
      ],
      [
        'an unknown scenario',
        { terminals: [{ tid: '1', scenario: 'approved' }] },
        'options.terminals[0].scenario',
      ],
      [
        'a table the API refuses',
        { tables: [{ tableName: 'T1', amount: -1, currency: 'GBP' }] },
        'options.tables[0]',
      ],
      [
        'a table given twice',
        { tables: [1, 2].map(() => ({ tableName: 'T1', amount: 100, currency: 'GBP' })) },
        'options.tables[1]',
      ],
      ['a signature timeout action', { signatureTimeout: 'decline' }, 'options.signatureTimeout'],
      ['a clock that is not one', { clock: Date }, 'options.clock'],
      ['a negative ping interval', { pingIntervalMs: -1 }, 'options.pingIntervalMs'],
      [
        'a fractional socket signature timeout',
        { socketSignatureTimeoutMs: 1.5 },
        'options.socketSignatureTimeoutMs',
      ],
    ],
    [
      ['no options', undefined],
      [
        'every option',
        {
          apiKeys: ['k1', 'k2'],
          terminals: [{ tid: '1', currency: 'EUR', scenario: 'decline', online: false }],
          tables: [{ tableName: 'T1', amount: 100, currency: 'GBP', waiterIds: ['w1'] }],
          clock: createManualClock(),
          stepMs: 0,
          requestSpacingMs: 0,
          retentionHours: 0.5,
          signatureTimeoutMs: 10_000,
          signatureTimeout: 'accept',
          socketSignatureTimeoutMs: 5_000,
          pingIntervalMs: 0,
        },
      ],
      ['a key left undefined (as a spread leaves it)', { stepMs: undefined }],
    ],
  ))

it('cloud.terminals.add checks the config by the same rules', () => {
  expect(() => createFakeCloud().terminals.add({ tid: '1', scenaro: 'decline' } as never)).toThrow(
    expect.objectContaining({ constructor: TillkitValidationError, field: 'config.scenaro' }),
  )
})

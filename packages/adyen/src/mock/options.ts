import {
  allOf,
  bool,
  clockLike,
  distinct,
  exactFields,
  fn,
  list,
  oneOf,
  optional,
  segment,
  text,
  type Check,
  type Rules,
} from '@tillkit/core'
import { durationMs, retentionHours } from '@tillkit/core/fake'
import { SCENARIOS } from './scenarios.js'

/** One device of `options.devices` (also what `cloud.devices.add` takes). */
export const DEVICE_RULES: Rules = {
  // Both sit in the device API's paths.
  poiId: segment,
  merchantAccount: optional(segment),
  store: optional(text),
  online: optional(bool),
  scenario: optional(oneOf(SCENARIOS)),
  additionalResponse: optional(oneOf(['form', 'base64'])),
  stepMs: durationMs,
}

/** An API key: the key itself (every merchant account), or its config. */
const apiKey: Check = (field, value, object) =>
  typeof value === 'string'
    ? text(field, value, object)
    : exactFields(
        {
          key: text,
          merchantAccounts: optional(list(segment, 'must be an array of merchant accounts')),
          cloudDeviceApiRole: optional(bool),
        },
        'must be a key or { key, merchantAccounts?, cloudDeviceApiRole? }',
      )(field, value, object)

/**
 * `createFakeCloud`'s options, by core's rules: a bad value or an unknown name is a
 * TillkitValidationError naming the option, at construction.
 */
export const OPTION_RULES: Rules = {
  apiKeys: optional(list(apiKey, 'must be an array of API keys')),
  merchantAccounts: optional(list(segment, 'must be an array of merchant accounts')),
  devices: optional(
    allOf(list(exactFields(DEVICE_RULES), 'must be an array of devices'), distinct('poiId')),
  ),
  clock: optional(clockLike),
  // 0: every step not waiting for a person happens at once.
  stepMs: durationMs,
  // Hours, fractions allowed.
  retentionHours,
  fetch: optional(fn),
}

import {
  allOf,
  bool,
  checkOptions,
  clockLike,
  distinct,
  exactFields,
  fn,
  int,
  list,
  number,
  oneOf,
  optional,
  segment,
  text,
  type Check,
  type Rules,
} from '@tillkit/core'
import { SCENARIOS } from './scenarios.js'

/** A day: the longest terminal step the fake takes. */
const DAY_MS = 86_400_000

/** One device of `options.devices` (also what `cloud.devices.add` takes). */
export const DEVICE_RULES: Rules = {
  // Both sit in the device API's paths.
  poiId: segment,
  merchantAccount: optional(segment),
  store: optional(text),
  online: optional(bool),
  scenario: optional(oneOf(SCENARIOS)),
  additionalResponse: optional(oneOf(['form', 'base64'])),
  stepMs: optional(int(0, DAY_MS)),
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
const OPTION_RULES: Rules = {
  apiKeys: optional(list(apiKey, 'must be an array of API keys')),
  merchantAccounts: optional(list(segment, 'must be an array of merchant accounts')),
  devices: optional(
    allOf(list(exactFields(DEVICE_RULES), 'must be an array of devices'), distinct('poiId')),
  ),
  clock: optional(clockLike),
  // 0: every step not waiting for a person happens at once.
  stepMs: optional(int(0, DAY_MS)),
  // Hours, fractions allowed.
  retentionHours: optional(
    number(Number.MIN_VALUE, 8_760, 'must be a number of hours above 0, at most 8760'),
  ),
  fetch: optional(fn),
}

export function checkCloudOptions(options: unknown): void {
  checkOptions(options, OPTION_RULES)
}

import {
  allOf,
  bool,
  clockLike,
  distinct,
  exactFields,
  int,
  list,
  oneOf,
  optional,
  segment,
  text,
  TillkitValidationError,
  type Check,
  type Rules,
} from '@tillkit/core'
import { durationMs } from '@tillkit/core/fake'
import { SCENARIOS } from './scenarios.js'

/** One device of `options.devices` (also what `cloud.devices.add` takes). */
export const DEVICE_RULES: Rules = {
  // In the API's paths (`/devices/{serialNumber}/payment-instructions`).
  serialNumber: segment,
  processingTerminalId: optional(text),
  model: optional(text),
  scenario: optional(oneOf(SCENARIOS)),
  active: optional(bool),
}

const keys = list(text, 'must be an array of API keys')

/** Read-only keys: none also a full key, which would win (the key would not be read-only). */
const readOnlyKeys: Check = (field, value, options) => {
  keys(field, value, options)
  const full = (options.apiKeys as readonly string[] | undefined) ?? ['test-api-key']
  ;(value as string[]).forEach((key, i) => {
    if (full.includes(key))
      throw new TillkitValidationError(`${field}[${i}]`, 'is also in options.apiKeys (a full key)')
  })
}

/**
 * `createFakeCloud`'s options, by core's rules: a bad value or an unknown name is a
 * TillkitValidationError naming the option, at construction.
 */
export const OPTION_RULES: Rules = {
  apiKeys: optional(keys),
  readOnlyApiKeys: optional(readOnlyKeys),
  devices: optional(
    allOf(list(exactFields(DEVICE_RULES), 'must be an array of devices'), distinct('serialNumber')),
  ),
  clock: optional(clockLike),
  timings: optional(
    exactFields({
      cardMs: durationMs,
      authMs: durationMs,
      slowCardMs: durationMs,
      deviceTimeoutMs: durationMs,
    }),
  ),
  // 0: an instruction read is answered at once.
  holdMs: durationMs,
  tokenLifetimeSeconds: optional(int(1, 31_536_000)),
}

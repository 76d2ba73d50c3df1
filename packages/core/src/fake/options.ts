import { int, number, optional, type Check } from '../validate.js'

/** The longest wait a fake's timing options take: a day. */
export const DAY_MS = 86_400_000

/** A fake's timing option, in whole ms: 0 (at once) to a day. */
export const durationMs: Check = optional(int(0, DAY_MS))

/** A fake's data retention, in hours above 0 (fractions allowed), a year at most. */
export const retentionHours: Check = optional(
  number(Number.MIN_VALUE, 8_760, 'must be a number of hours above 0, at most 8760'),
)

import { TillkitValidationError } from './errors.js'

function fail(field: string, rule: string, value: unknown, secret?: boolean): never {
  // A short description of the offending value (long strings are cut; objects by their type).
  const t = typeof value
  throw new TillkitValidationError(
    field,
    rule,
    secret
      ? undefined
      : t == 'string'
        ? JSON.stringify((value as string).slice(0, 40))
        : (t == 'object' && value) || t == 'function'
          ? t
          : String(value),
  )
}

export function assertInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
    fail(field, `must be an integer from ${min} to ${max}`, value)
}

export function assertOneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) fail(field, `must be one of ${allowed.join(', ')}`, value)
}

export interface StringRules {
  minLength?: number
  maxLength?: number
  pattern?: RegExp
  /** The rule reported when `pattern` fails, in words (default `must match <pattern>`). */
  patternRule?: string
  /** The value is a credential: never quote it in the error. */
  secret?: boolean
}

export function assertString(
  field: string,
  value: unknown,
  opts: StringRules = {},
): asserts value is string {
  const { minLength = 0, maxLength = Infinity, pattern, patternRule, secret } = opts
  if (typeof value != 'string') fail(field, 'must be a string', value, secret)
  if (value.length < minLength)
    fail(field, `must be at least ${minLength} characters long`, value, secret)
  if (value.length > maxLength)
    fail(field, `must be at most ${maxLength} characters long`, value, secret)
  // lastIndex is reset so a /g or /y pattern gives the same answer every call.
  if (pattern && ((pattern.lastIndex = 0), !pattern.test(value)))
    fail(field, patternRule ?? `must match ${pattern}`, value, secret)
}

/** An object (options, a body): not null, not an array. */
export function assertObject(field: string, value: unknown): asserts value is object {
  if (typeof value != 'object' || !value || Array.isArray(value))
    fail(field, 'must be an object', value)
}

export function assertBoolean(field: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(field, 'must be a boolean', value)
}

/** For fields that must be left out in this context; `reason` is the rule, e.g. `only allowed for SALE`. */
export function assertAbsent(field: string, value: unknown, reason: string): void {
  if (value !== undefined) fail(field, reason, value)
}

/**
 * Checks one field's value (and may look at the rest of `object`); throws a TillkitValidationError
 * naming the field and the rule.
 */
export type Check = (field: string, value: unknown, object: Record<string, unknown>) => void
/** Field name to check, applied in this order. */
export type Rules = Record<string, Check>

export const int =
  (min: number, max: number): Check =>
  (field, value) =>
    assertInteger(field, value, min, max)
export const oneOf =
  (allowed: readonly string[]): Check =>
  (field, value) =>
    assertOneOf(field, value, allowed)
export const string =
  (rules: StringRules): Check =>
  (field, value) =>
    assertString(field, value, rules)
export const text = string({ minLength: 1 })
export const bool: Check = (field, value) => assertBoolean(field, value)
export const absent =
  (reason: string): Check =>
  (field, value) =>
    assertAbsent(field, value, reason)
/** Applies `check` only when the field is present. */
export const optional =
  (check: Check): Check =>
  (field, value, object) =>
    value === undefined || check(field, value, object)

/** Applies each rule to the field of that name in `object`, in order; `prefix` is put before field names. */
export function checkFields(object: Record<string, unknown>, rules: Rules, prefix = ''): void {
  for (const [field, check] of Object.entries(rules)) check(prefix + field, object[field], object)
}

/** An object whose fields pass `rules` (reported as `field.name`); `rule` when it is no object. */
export const fields =
  (rules: Rules, rule = 'must be an object'): Check =>
  (field, value) => {
    if (typeof value != 'object' || !value || Array.isArray(value)) fail(field, rule, value)
    checkFields(value as Record<string, unknown>, rules, `${field}.`)
  }

/** An array whose every item passes `item` (reported as `field[i]`); `rule` when it is no array. */
export const list =
  (item: Check, rule = 'must be an array'): Check =>
  (field, value, object) => {
    if (!Array.isArray(value)) fail(field, rule, value)
    value.forEach((v, i) => item(`${field}[${i}]`, v, object))
  }

/** A finite number within `[min, max]` (a fraction allowed); `rule` says it in other words. */
export const number =
  (min: number, max: number, rule = `must be a number from ${min} to ${max}`): Check =>
  (field, value) => {
    if (typeof value != 'number' || !(value >= min && value <= max)) fail(field, rule, value)
  }

/** Every check in turn on the same field (a list's items, then what holds across them). */
export const allOf =
  (...checks: Check[]): Check =>
  (field, value, object) =>
    checks.forEach((check) => check(field, value, object))

/**
 * An array (checked by {@link list} first) in which no two items have the same `key`: a terminal
 * id given twice is reported at the second, as `field[i].key`.
 */
export const distinct =
  (key: string): Check =>
  (field, value) => {
    const seen = new Map<unknown, number>()
    ;(value as Record<string, unknown>[]).forEach((item, i) => {
      const id = item[key]
      // An optional key some items leave out: absent values do not clash.
      if (id === undefined) return
      const first = seen.get(id)
      if (first !== undefined)
        fail(`${field}[${i}].${key}`, `is also ${field}[${first}].${key}`, id)
      seen.set(id, i)
    })
  }

/**
 * Refuses a field of `object` that `known` (rules, or any object with the names as keys) does not
 * name, reported as `prefix + name` with the names it knows: a misspelt option (`retentionHour`)
 * fails instead of being silently ignored.
 */
export function assertKnownFields(object: object, known: object, prefix = ''): void {
  for (const name of Object.keys(object)) {
    if (!Object.hasOwn(known, name))
      fail(
        prefix + name,
        `is not a known name (known: ${Object.keys(known).join(', ')})`,
        // Not quoted: a misspelt `apiKey` holds a secret, and the name alone is what is wrong.
        undefined,
        true,
      )
  }
}

/** As {@link fields}, and no field that `rules` does not name (see {@link assertKnownFields}). */
export const exactFields =
  (rules: Rules, rule = 'must be an object'): Check =>
  (field, value, object) => {
    fields(rules, rule)(field, value, object)
    assertKnownFields(value as object, rules, `${field}.`)
  }

/**
 * A whole options object, as a fake cloud's `createFakeCloud(options)` takes it: undefined (all
 * defaults) or an object with no name `rules` does not know, each field passing its rule (reported
 * as `options.name`), at construction rather than as odd behaviour later.
 */
export function checkOptions(
  options: unknown,
  rules: Rules,
  field = 'options',
  known: object = rules,
): void {
  if (options === undefined) return
  assertObject(field, options)
  assertKnownFields(options, known, `${field}.`)
  checkFields(options as Record<string, unknown>, rules, `${field}.`)
}

/**
 * A client's options, as its factory takes them: as {@link checkOptions}, but they must be given,
 * and the names of `more` (options checked later, such as the host's) are known too, though not
 * checked here. Called before anything is sent.
 */
export function checkClientOptions(options: unknown, rules: Rules, ...more: Rules[]): void {
  assertObject('options', options)
  checkOptions(options, rules, 'options', Object.assign({}, rules, ...more))
}

/**
 * A call's options, as a client method takes them: undefined (none) or an object with no name but
 * those of `names` (any object with the names as keys: rules, or a `satisfies Record<keyof T, 1>`
 * list) and `signal`, which every call takes. Only the names: the call checks the values. Called
 * before anything is sent.
 */
export function checkCallOptions(options: unknown, names: object = {}): void {
  checkOptions(options, {}, 'options', { ...names, signal: 1 })
}

/** A function (a custom `fetch`). */
export const fn: Check = (field, value) => {
  if (typeof value != 'function') fail(field, 'must be a function', value)
}

/** A lone UTF-16 surrogate: no URL, header or JSON text can carry it as it is. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const wellFormed = (field: string, value: unknown): void => {
  assertString(field, value, { minLength: 1 })
  if (LONE_SURROGATE.test(value))
    fail(field, 'must be well-formed Unicode (no lone surrogate)', value)
}

/** Non-empty text put in a URL (a query value): well-formed Unicode, which `encodeURIComponent` takes. */
export const urlText: Check = (field, value) => wellFormed(field, value)

/**
 * A value put in a URL path as one segment (an id): non-empty, well-formed, and not `.` or `..`,
 * which a URL resolves to another path (`/terminals/../transactions` is `/transactions`).
 */
export const segment: Check = (field, value) => {
  wellFormed(field, value)
  if (value === '.' || value === '..') fail(field, 'must not be . or .. (a path segment)', value)
}

/** A clock (`now`, `schedule`, `sleep`), as `systemClock` and `createManualClock()` are. */
export const clockLike: Check = (field, value) => {
  const c = value as Record<string, unknown> | null
  if (
    typeof c != 'object' ||
    !c ||
    ['now', 'schedule', 'sleep'].some((k) => typeof c[k] != 'function')
  )
    fail(field, 'must be a clock (now, schedule and sleep functions)', value)
}

/** An RFC 3339 date-time with its offset (`2026-01-01T12:00:00Z`), naming a real day and time. */
export const dateTime: Check = (field, value) => {
  assertString(field, value, { pattern: DATE_TIME })
  if (Number.isNaN(parseDateTime(value))) fail(field, 'must be a valid date-time', value)
}

/**
 * An RFC 3339 date-time with its offset as epoch ms; NaN for anything else, including a day or time
 * that does not exist (30 February, hour 24), which Date.parse rolls over to the next.
 */
export function parseDateTime(value: string): number {
  const at = DATE_TIME.test(value) ? Date.parse(value) : NaN
  // The day and time as written must read back as they are.
  const local = value.slice(0, 19)
  return Number.isNaN(at) || !new Date(`${local}Z`).toISOString().startsWith(local) ? NaN : at
}
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/**
 * Printable ISO-8859-1 without surrounding whitespace: what `Headers`, `node:http` and `btoa` take
 * as it is. A control character or one above U+00FF makes them throw, and whitespace around a
 * header value is dropped on the way.
 */
const HEADER_VALUE = /^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/

/**
 * A value sent in an HTTP header (an id, an API key): at most 8 192 characters (servers refuse
 * longer headers); `secret` keeps it out of the error.
 */
export const header = (secret?: boolean): Check =>
  string({
    minLength: 1,
    maxLength: 8_192,
    pattern: HEADER_VALUE,
    patternRule:
      'must be printable ISO-8859-1 text without spaces around it (an HTTP header value)',
    secret,
  })

const RETRY_RULES: Rules = {
  maxAttempts: optional(int(1, 100)),
  baseDelayMs: optional(int(0, 600_000)),
  maxDelayMs: optional(int(0, 3_600_000)),
  maxElapsedMs: optional(int(0, 86_400_000)),
  retryOnStatus: optional(list(int(100, 599), 'must be an array of HTTP statuses')),
}
const RETRY_POLICY = exactFields(RETRY_RULES, 'must be false or an object')

/** A transport's `retry`: `false`, or a policy of known names, its bounds integers in range. */
export const retryPolicy: Check = (field, value, object) =>
  value === false || RETRY_POLICY(field, value, object)

/** The options a client hands on to its transport, checked alike by every client. */
export const TRANSPORT_RULES = {
  timeoutMs: optional(int(1, 600_000)),
  fetch: optional(fn),
  retry: optional(retryPolicy),
  clock: optional(clockLike),
  // Taken as it is: safeLogger makes missing methods no-ops and ignores a logger that throws.
  logger: () => {},
} satisfies Rules

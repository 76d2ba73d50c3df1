import { assertInteger, TillkitProtocolError, TillkitValidationError } from '@tillkit/core'

/**
 * ISO 4217 minor-unit exponents of the currencies in circulation (list one, 2025): how many decimals a
 * currency's amounts have. Nexo amounts are decimal major units while tillkit's public amounts are integer minor
 * units, so every conversion goes through this table. Codes without minor units (gold, SDR, test codes) are left
 * out on purpose: they cannot be paid at a terminal.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, 0 | 2 | 3 | 4>> = Object.freeze({
  ...each(0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'),
  ...each(3, 'BHD IQD JOD KWD LYD OMR TND'),
  ...each(4, 'CLF UYW'),
  ...each(
    2,
    `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
     CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
     GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA
     MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR
     RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD
     TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`,
  ),
})

function each<E extends number>(exponent: E, codes: string): Record<string, E> {
  return Object.fromEntries(
    codes
      .split(/\s+/)
      .filter(Boolean)
      .map((code) => [code, exponent]),
  )
}

/** Nexo's largest amount, 99 999 999.999999 in major units: the integer part never has more than 8 digits. */
const MAX_INTEGER_DIGITS = 8

/** The currency's exponent, or undefined for a code outside the table (`toString` included). */
const exponentOf = (currency: unknown): 0 | 2 | 3 | 4 | undefined =>
  typeof currency === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, currency)
    ? CURRENCY_EXPONENTS[currency]
    : undefined

/** The currency's exponent; a code outside the table is a TillkitValidationError on `field`. */
export function currencyExponent(currency: unknown, field = 'currency'): 0 | 2 | 3 | 4 {
  const exponent = exponentOf(currency)
  if (exponent === undefined) {
    throw new TillkitValidationError(
      field,
      'must be an ISO 4217 currency code with minor units, e.g. EUR',
      typeof currency === 'string' ? JSON.stringify(currency.slice(0, 10)) : typeof currency,
    )
  }
  return exponent
}

/** The largest amount in minor units that nexo can carry in this currency (99 999 999.99 EUR is 9 999 999 999). */
export function maxMinorAmount(currency: string): number {
  return 10 ** (MAX_INTEGER_DIGITS + currencyExponent(currency)) - 1
}

/**
 * Minor units to the decimal major units nexo carries: 1050 EUR -> 10.5, 1200 JPY -> 1200, 1234 BHD -> 1.234.
 * Exact: the decimal is written digit by digit, then read once as a number. Every amount in range has at most
 * 15 significant digits, so JSON writes that number back as the same decimal, never as 10.499999….
 */
export function toMajorUnits(minor: number, currency: string, field = 'amount'): number {
  return Number(toDecimalText(minor, currency, field))
}

/** Minor units as the decimal text of major units with every decimal written: 1050 EUR -> `10.50`. */
export function toDecimalText(minor: number, currency: string, field = 'amount'): string {
  const exponent = currencyExponent(currency)
  assertInteger(field, minor, 0, maxMinorAmount(currency))
  const digits = String(minor).padStart(exponent + 1, '0')
  return exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits
}

/**
 * Decimal major units as received (a JSON number) to minor units: 10.5 EUR -> 1050. Exact: it works on the number's
 * shortest decimal spelling, never multiplies floats. A value with more decimals than the currency has, a negative
 * or an out-of-range one, or a currency without known minor units, cannot be a real amount: a TillkitProtocolError
 * naming `field`.
 */
export function toMinorUnits(major: number, currency: string, field = 'amount'): number {
  // Received data: a currency without known minor units is an answer we cannot read, not bad input.
  const exponent = exponentOf(currency)
  if (exponent === undefined)
    throw unreadable(
      field,
      major,
      currency,
      `is in ${JSON.stringify(String(currency).slice(0, 10))}, not an ISO 4217 currency with minor units`,
    )
  const spelled = decimalDigits(major)
  const fraction = spelled?.fraction.replace(/0+$/, '')
  if (!spelled || fraction === undefined || fraction.length > exponent)
    throw unreadable(
      field,
      major,
      currency,
      `is not an amount in ${currency} (${exponent} decimals)`,
    )
  const integer = spelled.integer.replace(/^0+(?=\d)/, '')
  if (integer.length > MAX_INTEGER_DIGITS)
    throw unreadable(field, major, currency, 'is larger than nexo allows')
  return Number(integer + fraction.padEnd(exponent, '0'))
}

function unreadable(field: string, value: number, currency: string, rule: string) {
  return new TillkitProtocolError('invalid', `${field} ${String(value)} ${rule}`, {
    details: { field, value, currency },
  })
}

/**
 * The integer and fraction digits of a finite non-negative number, from its shortest spelling (which may be
 * exponential: 1e-7, 1.5e+21). Undefined for anything else.
 */
function decimalDigits(value: number): { integer: string; fraction: string } | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value))
  if (!match) return undefined
  const [, whole = '', decimals = '', exp = '0'] = match
  const digits = whole + decimals
  const point = whole.length + Number(exp)
  if (point <= 0) return { integer: '0', fraction: '0'.repeat(-point) + digits }
  if (point >= digits.length) return { integer: digits.padEnd(point, '0'), fraction: '' }
  return { integer: digits.slice(0, point), fraction: digits.slice(point) }
}

/**
 * Do our SmartConnect schemas (smartconnect.openapi.yaml, transaction-result.schema.yaml),
 * the fake cloud and the client's request rules state the facts of the shared SmartConnect fact
 * sheet? Each test checks one fact (or one table of facts); the `FACTS:<line>` prefix names the line
 * of the fact sheet it comes from.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import {
  createManualClock,
  TillkitHttpError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
} from '@tillkit/core'
import { createSmartConnectClient } from '../src/client.js'
import { checkTransaction } from '../src/rules.js'
import { readPollBody } from '../src/outcome.js'
import { TRANSACTION_TYPES } from '../src/types.js'
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_POLL_INTERVAL_MS,
  MAX_BACKOFF_MS,
  MIN_POLL_INTERVAL_MS,
  POLLING_TOKEN_LIFETIME_MS,
} from '../src/poll.js'
import { REGISTER, harness } from './helpers.js'
import { direct, IDENTITY, BASE } from './mock/helpers.js'
import {
  inline,
  isUnverified,
  operation as schemaOperation,
  propertiesOf as schemaPropertiesOf,
  requiredOf as schemaRequiredOf,
  resolve,
  sorted,
  withFiles,
  type Doc,
} from '../../core/test/schema-facts.js'

const load = (file: string): Doc =>
  YAML.parse(
    readFileSync(new URL(`../../../schemas/smartconnect/${file}`, import.meta.url), 'utf8'),
  )
const SC: Doc = load('smartconnect.openapi.yaml')
const RESULT: Doc = load('transaction-result.schema.yaml')
const FORM = 'application/x-www-form-urlencoded'
const JSON_MEDIA = 'application/json'

// ---- reading the schema (shared helpers, on this schema) ------------------------------------

// The start and poll answers point at the result document.
withFiles(SC, { './transaction-result.schema.yaml': RESULT })
const schemaOf = (name: string): Doc => SC.components.schemas[name]
const propertiesOf = (node: Doc) => schemaPropertiesOf(SC, node)
const requiredOf = (node: Doc) => schemaRequiredOf(SC, node)
const operation = (method: string, path: string) => schemaOperation(SC, method, path)
const responsesOf = (method: string, path: string): Record<string, Doc> =>
  operation(method, path).responses

const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  formats: {
    uri: /^[a-z][a-z0-9+.-]*:\S*$/i,
    uuid: /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
  },
})
const validator = (node: Doc) => ajv.compile(inline(SC, node))

const PAIR = '/Pairing/{pairingCode}'
const START = '/Transaction'
const POLL = '/transaction/{transactionId}'

// ---- 1. operations, statuses, media types --------------------------------------------------

describe('operations, statuses and media types (FACTS §1-§4)', () => {
  it('FACTS:25,41,77,120: exactly three operations — pairing, start, poll (no cancel, no unpair, no query by id)', () => {
    const ops = Object.entries(SC.paths).flatMap(([path, item]: [string, Doc]) =>
      Object.keys(item)
        .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(sorted(ops)).toEqual(sorted([`PUT ${PAIR}`, `POST ${START}`, `GET ${POLL}`]))
  })

  it.each([
    ['36-37', 'PUT', PAIR, ['200', '400']],
    ['67,73-75', 'POST', START, ['200', '400', '429', '408', '5XX']],
    ['106-108', 'GET', POLL, ['200', '400', '401', '403', '404', '410', '429', '5XX']],
  ] as const)('FACTS:%s %s %s declares the statuses of the fact', (_l, method, path, codes) => {
    expect(Object.keys(responsesOf(method, path))).toEqual(expect.arrayContaining([...codes]))
  })

  it('FACTS:37: pairing statuses other than 200/400 are UNKNOWN: only an x-unverified default covers them', () => {
    const r = responsesOf('PUT', PAIR)
    expect(sorted(Object.keys(r))).toEqual(sorted(['200', '400', 'default']))
    expect(isUnverified(r.default)).toBe(true)
  })

  it('FACTS:20: pairing and start take application/x-www-form-urlencoded bodies, required', () => {
    for (const [method, path, schema] of [
      ['PUT', PAIR, 'PairingRequest'],
      ['POST', START, 'TransactionRequest'],
    ] as const) {
      const body = operation(method, path).requestBody
      expect(body.required).toBe(true)
      expect(Object.keys(body.content)).toEqual([FORM])
      expect(body.content[FORM].schema.$ref).toBe(`#/components/schemas/${schema}`)
    }
  })

  it('FACTS:21: every answer is application/json', () => {
    const answers = Object.values(SC.paths).flatMap((item: Doc) =>
      Object.values(item).flatMap((op: Doc) =>
        Object.values(op.responses ?? {}).flatMap((r: Doc) => Object.keys(r.content ?? {})),
      ),
    )
    expect(new Set(answers)).toEqual(new Set([JSON_MEDIA]))
  })

  it.each([
    ['36', 'PUT', PAIR, '400'],
    ['73', 'POST', START, '400'],
    ['73', 'POST', START, '429'],
    ['106', 'GET', POLL, '400'],
    ['106', 'GET', POLL, '429'],
    ['106-107', 'GET', POLL, '401'],
  ] as const)('FACTS:%s %s %s %s carries {"error": string}', (_l, method, path, code) => {
    const schema = resolve(SC, responsesOf(method, path)[code].content[JSON_MEDIA].schema)
    expect(schema.required).toEqual(['error'])
    expect(schema.properties.error.type).toBe('string')
  })

  it('FACTS:36: pairing 200 is {"result": "success"}', () => {
    const s = resolve(SC, responsesOf('PUT', PAIR)['200'].content[JSON_MEDIA].schema)
    expect(s.required).toEqual(['result'])
    expect(s.properties.result.enum ?? [s.properties.result.const]).toEqual(['success'])
  })

  it('FACTS:67-71: start answers 200 with transactionId, transactionStatus PENDING and data.PollingUrl', () => {
    const s = resolve(SC, responsesOf('POST', START)['200'].content[JSON_MEDIA].schema)
    expect(sorted(s.required)).toEqual(sorted(['transactionId', 'transactionStatus', 'data']))
    expect(s.properties.data.required).toEqual(['PollingUrl'])
    const status = s.properties.transactionStatus
    expect(status.enum ?? (status.const !== undefined ? [status.const] : undefined)).toEqual([
      'PENDING',
    ])
  })

  it('FACTS:77,79-80: the poll answer is the transaction-result schema', () => {
    expect(responsesOf('GET', POLL)['200'].content[JSON_MEDIA].schema.$ref).toBe(
      './transaction-result.schema.yaml',
    )
  })
})

// ---- 2. environments, auth ----------------------------------------------------------------

describe('environments and auth (FACTS §1)', () => {
  it('FACTS:15-16,18: dev and production hosts, https, /POS base; client BASE_URLS agree', () => {
    expect(SC.servers.map((s: Doc) => s.url).sort()).toEqual(
      ['https://api-dev.smart-connect.cloud/POS', 'https://api.smart-connect.cloud/POS'].sort(),
    )
    const dev = createSmartConnectClient({ environment: 'dev', register: REGISTER })
    const prod = createSmartConnectClient({ environment: 'production', register: REGISTER })
    expect([dev.baseUrl, prod.baseUrl].sort()).toEqual(SC.servers.map((s: Doc) => s.url).sort())
  })

  it('FACTS:19: no API key or credential header: no security scheme, no header parameters', () => {
    expect(SC.security).toBeUndefined()
    expect(SC.components.securitySchemes).toBeUndefined()
    const headers = Object.values(SC.paths).flatMap((item: Doc) =>
      Object.values(item).flatMap((op: Doc) =>
        (op.parameters ?? []).filter((p: Doc) => p.in === 'header'),
      ),
    )
    expect(headers).toEqual([])
  })

  it('FACTS:19: the poll carries merchantAccessToken as a required query parameter', () => {
    const p = operation('GET', POLL).parameters.find((x: Doc) => x.name === 'merchantAccessToken')
    expect(p).toMatchObject({ in: 'query', required: true })
  })

  it('FACTS:17: path casing (/POS vs /pos) is marked x-unverified (inferred); the fake accepts both', async () => {
    expect(isUnverified(SC['x-tillkit-path-casing'])).toBe(true)
    const d = direct()
    await d.pairWith()
    const started = await d.started({ TransactionType: 'Terminal.GetStatus' })
    expect(new URL(started.pollingUrl).pathname.startsWith('/pos/transaction/')).toBe(true)
    const upper = started.pollingUrl.replace('/pos/transaction/', '/POS/transaction/')
    expect((await d.poll(upper)).status).toBe(200)
  })
})

// ---- 3. request fields ----------------------------------------------------------------------

describe('request fields (FACTS §2-§3)', () => {
  it('FACTS:28-34: pairing fields: POSRegisterID, POSRegisterName, POSBusinessName, POSVendorName required; store metadata optional', () => {
    const s = schemaOf('PairingRequest')
    expect(sorted(requiredOf(s))).toEqual(
      sorted(['POSRegisterID', 'POSRegisterName', 'POSBusinessName', 'POSVendorName']),
    )
    expect(Object.keys(propertiesOf(s))).toEqual(
      expect.arrayContaining([
        'Contact Name',
        'Address',
        'City',
        'State',
        'ZipCode',
        'Email',
        'Phone',
      ]),
    )
  })

  it('FACTS:30: POSRegisterID is a UUID — the schema states the format (format uuid or a UUID pattern)', () => {
    const id = propertiesOf(schemaOf('RegisterIdentity')).POSRegisterID
    const check = validator(id)
    expect({
      example: check('7444ae07-dc63-e49c-33e3-59a7c108cc80'),
      notUuid: check('till-1'),
    }).toEqual({
      example: true,
      notUuid: false,
    })
  })

  it('FACTS:43-45: every start carries the register triple, TransactionMode (ASYNC only) and TransactionType', () => {
    const common = schemaOf('TransactionCommon')
    expect(requiredOf(common)).toEqual(
      expect.arrayContaining([
        'POSRegisterID',
        'POSBusinessName',
        'POSVendorName',
        'TransactionMode',
      ]),
    )
    expect(propertiesOf(common).TransactionMode.enum).toEqual(['ASYNC'])
    expect(Object.keys(propertiesOf(common))).toEqual(
      expect.arrayContaining(['SaleData', 'PosNotificationCallbackUrl']),
    )
    for (const variant of schemaOf('TransactionRequest').oneOf)
      expect(requiredOf(variant), variant.$ref).toContain('TransactionType')
  })

  it('FACTS:45-46: PosNotificationCallbackUrl payload UNKNOWN: marked x-unverified', () => {
    expect(
      isUnverified(propertiesOf(schemaOf('TransactionCommon')).PosNotificationCallbackUrl),
    ).toBe(true)
  })

  it('FACTS:51-62: TransactionType has exactly the 16 values; the client list agrees', () => {
    const values = [
      'Card.Purchase',
      'Card.Refund',
      'Card.PurchasePlusCash',
      'Card.CashAdvance',
      'Card.Authorise',
      'Card.Finalise',
      'QR.Merchant.Purchase',
      'QR.Consumer.Purchase',
      'QR.Refund',
      'Acquirer.Logon',
      'Acquirer.Settlement.Inquiry',
      'Acquirer.Settlement.Cutover',
      'Journal.ReprintReceipt',
      'Journal.GetTransResult',
      'Terminal.GetStatus',
      'Terminal.ReadCard',
    ]
    expect(sorted(schemaOf('TransactionType').enum)).toEqual(sorted(values))
    expect(sorted(TRANSACTION_TYPES)).toEqual(sorted(values))
    expect(sorted(Object.keys(schemaOf('TransactionRequest').discriminator.mapping))).toEqual(
      sorted(values),
    )
  })

  const variant = (type: string) =>
    schemaOf('TransactionRequest').discriminator.mapping[type] as string
  it.each([
    ['53', 'Card.Purchase', ['AmountTotal']],
    ['54', 'Card.Refund', ['AmountTotal']],
    ['55', 'Card.PurchasePlusCash', ['AmountTotal', 'AmountCash']],
    ['56', 'Card.CashAdvance', ['AmountTotal']],
    ['57', 'Card.Authorise', ['AmountAuth']],
    ['58', 'Card.Finalise', ['AmountFinal', 'TransactionReference']],
    ['59', 'QR.Merchant.Purchase', ['AmountTotal']],
    ['59', 'QR.Consumer.Purchase', ['AmountTotal']],
    ['59', 'QR.Refund', ['AmountTotal']],
  ] as const)('FACTS:%s %s requires %j', (_l, type, fields) => {
    const s = resolve(SC, { $ref: variant(type) })
    expect(requiredOf(s)).toEqual(expect.arrayContaining([...fields]))
  })

  it('FACTS:57: Card.Authorise takes an optional TransactionReference; FACTS:60 Settlement.Inquiry an optional Date', () => {
    expect(Object.keys(propertiesOf({ $ref: variant('Card.Authorise') }))).toContain(
      'TransactionReference',
    )
    expect(requiredOf({ $ref: variant('Card.Authorise') })).not.toContain('TransactionReference')
    expect(Object.keys(propertiesOf({ $ref: variant('Acquirer.Settlement.Inquiry') }))).toContain(
      'Date',
    )
  })

  it('FACTS:46,53: amounts are positive integer cents as decimal strings', () => {
    const check = validator(schemaOf('Amount'))
    expect(['100', 100, '0', 0, '-5', '1.50', '01', ''].map((v) => check(v))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ])
  })
})

// ---- 4. poll body ----------------------------------------------------------------------------

describe('poll body (FACTS §4)', () => {
  it('FACTS:79-80: envelope fields; transactionStatus is PENDING | COMPLETED', () => {
    expect(Object.keys(RESULT.properties)).toEqual(
      expect.arrayContaining([
        'transactionId',
        'transactionTimeStamp',
        'merchantId',
        'deviceId',
        'transactionStatus',
        'data',
      ]),
    )
    expect(sorted(RESULT.properties.transactionStatus.enum)).toEqual(['COMPLETED', 'PENDING'])
  })

  it('FACTS:82-88: data has every field of the fact', () => {
    const data = RESULT.properties.data.anyOf.find((s: Doc) => s.type === 'object')
    expect(Object.keys(data.properties)).toEqual(
      expect.arrayContaining([
        'PosVendor',
        'PosRegisterID',
        'PosBusinessName',
        'AmountTotal',
        'DeviceID',
        'Function',
        'Merchant',
        'Company',
        'RequestId',
        'TransactionResult',
        'Result',
        'ResultText',
        'AuthId',
        'AcquirerRef',
        'TerminalRef',
        'CardPan',
        'CardType',
        'AccountType',
        'AmountSurcharge',
        'AmountTip',
        'Timestamp',
        'Receipt',
        'RequestTimestamp',
        'ResponseTimestamp',
        'Status',
        'ReferenceId',
      ]),
    )
  })

  it('FACTS:88: amounts arrive as strings or numbers: both validate', () => {
    const check = ajv.compile(inline(SC, RESULT))
    for (const AmountTotal of ['1000', 1000])
      expect(
        check({ transactionStatus: 'COMPLETED', data: { AmountTotal } }),
        String(AmountTotal),
      ).toBe(true)
  })

  it('FACTS:79: transactionTimeStamp example (18 digits) validates', () => {
    const check = ajv.compile(inline(SC, RESULT))
    expect(
      check({ transactionStatus: 'PENDING', transactionTimeStamp: '201809182353193193' }),
    ).toBe(true)
  })

  it('FACTS:95,100: OK-DELAYED (3P enum comments) and OK-UNAVAILABLE (Result unknown) are in TransactionResult, marked x-unverified', () => {
    const data = RESULT.properties.data.anyOf.find((s: Doc) => s.type === 'object')
    expect(data.properties.TransactionResult.description).toMatch(/OK-DELAYED/)
    expect(data.properties.TransactionResult.description).toMatch(/OK-UNAVAILABLE/)
    expect(isUnverified(data.properties.TransactionResult)).toBe(true)
  })

  it('FACTS:85: AccountType examples beyond the fact (only CREDIT is on record) are marked x-unverified', () => {
    const data = RESULT.properties.data.anyOf.find((s: Doc) => s.type === 'object')
    const accountType = data.properties.AccountType
    const extraExamples = /CHEQUE|SAVINGS/.test(accountType.description ?? '')
    expect(!extraExamples || isUnverified(accountType)).toBe(true)
  })
})

// ---- 5. outcome mapping (client) -------------------------------------------------------------

describe('outcome mapping: the client reads the codes as the fact table does (FACTS:90-104)', () => {
  const body = (status: string, data?: Record<string, string>) => ({
    transactionId: 't1',
    transactionStatus: status,
    ...(data !== undefined && { data }),
  })
  const read = (b: unknown, type = 'Card.Purchase') => {
    const r = readPollBody(b, type as any, 't1')
    if (r.state === 'final') return r.outcome.status
    if (r.state === 'pending') return r.delayed ? 'pending-delayed' : 'pending'
    return r.state
  }
  it.each([
    ['94', 'PENDING', { TransactionResult: '', Result: '' }, 'Card.Purchase', 'pending'],
    ['94', 'PENDING', undefined, 'Card.Purchase', 'pending'],
    [
      '95',
      'PENDING',
      { TransactionResult: 'OK-DELAYED', Result: 'DELAYED-TRANSACTION' },
      'Card.Purchase',
      'pending-delayed',
    ],
    [
      '96',
      'COMPLETED',
      { TransactionResult: 'OK-ACCEPTED', Result: 'OK' },
      'Card.Purchase',
      'approved',
    ],
    [
      '97',
      'COMPLETED',
      { TransactionResult: 'OK-DECLINED', Result: 'OK' },
      'Card.Purchase',
      'declined',
    ],
    [
      '98',
      'COMPLETED',
      { TransactionResult: 'CANCELLED', Result: 'FAILED-INTERFACE' },
      'Card.Purchase',
      'terminal-offline',
    ],
    [
      '99',
      'COMPLETED',
      { TransactionResult: 'CANCELLED', Result: 'OK' },
      'Card.Purchase',
      'cancelled',
    ],
    [
      '100',
      'COMPLETED',
      { TransactionResult: 'OK-UNAVAILABLE', Result: '' },
      'Card.Purchase',
      'unavailable',
    ],
    [
      '101',
      'COMPLETED',
      { TransactionResult: 'OK-ACCEPTED', Result: 'FAILED' },
      'Card.Purchase',
      'unknown',
    ],
    [
      '101',
      'COMPLETED',
      { TransactionResult: 'OK-DECLINED', Result: 'FAILED' },
      'Card.Refund',
      'unknown',
    ],
    [
      '102',
      'COMPLETED',
      { TransactionResult: 'SOMETHING-ELSE', Result: 'OK' },
      'Card.Purchase',
      'failed',
    ],
    ['102', 'COMPLETED', undefined, 'Card.Purchase', 'unknown'],
    [
      '103-104',
      'COMPLETED',
      { TransactionResult: 'OK-ACCEPTED', Result: 'OK' },
      'Acquirer.Logon',
      'succeeded',
    ],
    ['103', 'COMPLETED', { Result: 'OK', Status: 'READY' }, 'Terminal.GetStatus', 'succeeded'],
  ] as const)('FACTS:%s %s %j (%s) reads as %s', (_l, status, data, type, expected) => {
    expect(read(body(status, data as any), type)).toBe(expected)
  })
})

// ---- 6. timing, retention ---------------------------------------------------------------------

describe('timing and retention (FACTS §5)', () => {
  const t = SC['x-tillkit-timing']
  it('FACTS:111,113-114: schema timing, client constants agree (2 s min, 3 s default, 30 s cap, 3 min terminal, 5 min give-up, 15 min token)', () => {
    expect({
      min: t.pollIntervalMs.min,
      suggested: t.pollIntervalMs.suggested,
      cap: t.backoffCapMs,
      terminal: t.terminalTimeoutMs,
      giveUp: t.giveUpAfterMs,
      token: t.pollingTokenLifetimeMs,
    }).toEqual({
      min: MIN_POLL_INTERVAL_MS,
      suggested: DEFAULT_POLL_INTERVAL_MS,
      cap: MAX_BACKOFF_MS,
      terminal: 180_000,
      giveUp: DEFAULT_DEADLINE_MS,
      token: POLLING_TOKEN_LIFETIME_MS,
    })
    expect([
      MIN_POLL_INTERVAL_MS,
      DEFAULT_POLL_INTERVAL_MS,
      MAX_BACKOFF_MS,
      DEFAULT_DEADLINE_MS,
      POLLING_TOKEN_LIFETIME_MS,
    ]).toEqual([2_000, 3_000, 30_000, 300_000, 900_000])
  })

  it('FACTS:116: record retention ~180 days (inferred) is stated in x-tillkit-timing and marked x-unverified', () => {
    const entry = Object.entries(t).find(([key]) => /retention/i.test(key))?.[1] as Doc
    expect(entry, 'a retention entry').toBeDefined()
    expect(isUnverified(entry)).toBe(true)
  })

  it('FACTS:111: the fake answers 429 (with Retry-After) to a poll less than 2 s after the last', async () => {
    const d = direct()
    await d.pairWith()
    const { pollingUrl } = await d.started({
      TransactionType: 'Card.Purchase',
      AmountTotal: '1000',
    })
    expect((await d.poll(pollingUrl)).status).toBe(200)
    await d.clock.advance(1_999)
    const fast = await d.poll(pollingUrl)
    expect(fast.status).toBe(429)
    expect(fast.headers.get('retry-after')).not.toBeNull()
    await d.clock.advance(1)
    expect((await d.poll(pollingUrl)).status).toBe(200)
  })

  it('FACTS:106-107,114: the fake answers 401 "Token expired" 15 min after the start', async () => {
    const d = direct()
    await d.pairWith()
    const { pollingUrl } = await d.started({
      TransactionType: 'Card.Purchase',
      AmountTotal: '1000',
    })
    await d.clock.advance(900_000 - 1)
    expect((await d.poll(pollingUrl)).status).toBe(200)
    await d.clock.advance(1)
    const lapsed = await d.poll(pollingUrl)
    expect(lapsed.status).toBe(401)
    expect((await lapsed.json()).error).toBe('Token expired')
  })
})

// ---- 7. x-unverified marks --------------------------------------------------------------------

describe('x-unverified marks (verified facts not marked)', () => {
  it.each([
    ['pairRegister', () => operation('PUT', PAIR)],
    ['startTransaction', () => operation('POST', START)],
    ['pollTransaction', () => operation('GET', POLL)],
    ['RegisterIdentity', () => schemaOf('RegisterIdentity')],
    ['PairingRequest', () => schemaOf('PairingRequest')],
    ['TransactionCommon', () => schemaOf('TransactionCommon')],
    ['TransactionType', () => schemaOf('TransactionType')],
    ['TransactionStarted', () => schemaOf('TransactionStarted')],
    ['ErrorBody', () => schemaOf('ErrorBody')],
    ['poll 404', () => responsesOf('GET', POLL)['404']],
    ['x-tillkit-timing', () => SC['x-tillkit-timing']],
    ['transaction-result (root)', () => RESULT],
  ] as const)('FACTS:15-116 %s (V:doc / V:yort) is not marked x-unverified', (_w, node) => {
    expect(isUnverified(node())).toBe(false)
  })
})

// ---- 8. request rules: schema, client and fake agree -------------------------------------------

const schemaAcceptsStart = (() => {
  const check = validator(schemaOf('TransactionRequest'))
  return (fields: Record<string, unknown>) =>
    check({ ...IDENTITY, TransactionMode: 'ASYNC', ...fields })
})()
const clientAcceptsStart = ({ TransactionType, ...fields }: Record<string, unknown>) => {
  try {
    checkTransaction(TransactionType, fields)
    return true
  } catch (error) {
    if (error instanceof TillkitValidationError) return false
    throw error
  }
}
async function fakeAcceptsStart(fields: Record<string, unknown>): Promise<boolean> {
  const d = direct()
  await d.pairWith()
  const r = await d.start(
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
  )
  if (r.status !== 200 && r.status !== 400) throw new Error(`unexpected ${r.status}`)
  return r.status === 200
}

describe('request rules: schema, client rules and fake agree (FACTS §3)', () => {
  const CASES: Array<[string, string, Record<string, unknown>, boolean]> = [
    [
      '53',
      'Card.Purchase 1000 (digits)',
      { TransactionType: 'Card.Purchase', AmountTotal: '1000' },
      true,
    ],
    [
      '53',
      'Card.Purchase 0 is refused',
      { TransactionType: 'Card.Purchase', AmountTotal: '0' },
      false,
    ],
    [
      '53',
      'Card.Purchase 10.00 is refused',
      { TransactionType: 'Card.Purchase', AmountTotal: '10.00' },
      false,
    ],
    [
      '53',
      'Card.Purchase without AmountTotal is refused',
      { TransactionType: 'Card.Purchase' },
      false,
    ],
    [
      '54',
      'Card.Refund -100 is refused (positive even for a refund)',
      { TransactionType: 'Card.Refund', AmountTotal: '-100' },
      false,
    ],
    // No maximum is documented, but the client's 99 999 999 guard against wrong units stays: the schema now states it
    // as our own bound (Amount's `not`, x-unverified) and the fake applies it too, so all three refuse.
    [
      '53',
      'Card.Purchase 100000000 cents is refused (our x-unverified guard)',
      { TransactionType: 'Card.Purchase', AmountTotal: '100000000' },
      false,
    ],
    [
      '55',
      'Card.PurchasePlusCash without AmountCash is refused',
      { TransactionType: 'Card.PurchasePlusCash', AmountTotal: '2000' },
      false,
    ],
    [
      '57',
      'Card.Authorise with AmountAuth',
      { TransactionType: 'Card.Authorise', AmountAuth: '500' },
      true,
    ],
    [
      '58',
      'Card.Finalise without TransactionReference is refused',
      { TransactionType: 'Card.Finalise', AmountFinal: '500' },
      false,
    ],
    [
      '58',
      'Card.Finalise with AmountFinal and TransactionReference',
      { TransactionType: 'Card.Finalise', AmountFinal: '500', TransactionReference: 'R1' },
      true,
    ],
    ['60', 'Acquirer.Logon with no fields', { TransactionType: 'Acquirer.Logon' }, true],
    [
      '60',
      'Acquirer.Settlement.Inquiry with Date',
      { TransactionType: 'Acquirer.Settlement.Inquiry', Date: '20260101' },
      true,
    ],
    [
      '49-62',
      'an unknown TransactionType is refused',
      { TransactionType: 'Card.Void', AmountTotal: '100' },
      false,
    ],
    [
      '45',
      'SaleData that is not a JSON document is refused',
      { TransactionType: 'Card.Purchase', AmountTotal: '100', SaleData: 'not json' },
      false,
    ],
    // FACTS:53 lists only AmountTotal for Card.Purchase; nothing says another type's field is valid there. Refusing it
    // stays (a cash-out the terminal would not give), now stated by the schema (propertyNames, x-unverified).
    [
      '53,55',
      'Card.Purchase with AmountCash (a field of another type) is refused (our x-unverified rule)',
      { TransactionType: 'Card.Purchase', AmountTotal: '100', AmountCash: '50' },
      false,
    ],
  ]
  it.each(CASES)(
    'FACTS:%s start: %s (schema, client rules and fake agree)',
    async (_l, _n, fields, valid) => {
      expect({
        schema: schemaAcceptsStart(fields),
        client: clientAcceptsStart(fields),
        fake: await fakeAcceptsStart(fields),
      }).toEqual({ schema: valid, client: valid, fake: valid })
    },
  )

  it('FACTS:30: a POSRegisterID that is not a UUID is refused (schema, client and fake agree)', async () => {
    const schema = validator(schemaOf('PairingRequest'))({
      ...IDENTITY,
      POSRegisterID: 'till-1',
      POSRegisterName: 'Front',
    })
    let client = true
    try {
      createSmartConnectClient({ environment: 'dev', register: { ...REGISTER, id: 'till-1' } })
    } catch (error) {
      if (!(error instanceof TillkitValidationError)) throw error
      client = false
    }
    const d = direct()
    const fake =
      (await d.pair(d.cloud.terminals.get('VT000001').pairingCode, { POSRegisterID: 'till-1' }))
        .status === 200
    expect({ schema, client, fake }).toEqual({ schema: false, client: false, fake: false })
  })

  /** The client's verdict on a pairing input: refused before sending (validation) or sent. */
  async function clientPairs(code: string, store: Record<string, string> = {}): Promise<boolean> {
    const h = harness()
    try {
      await h.client.pair(code, store)
      return true
    } catch (error) {
      return !(error instanceof TillkitValidationError)
    }
  }
  it.each([
    ['26', 'pairing code "12345678"', '12345678', {}, true],
    ['26', 'pairing code with a space (URL-encoded in the path)', '1234 5678', {}, true],
    ['26', 'pairing code of 65 characters', '1'.repeat(65), {}, true],
    ['34', 'a 300-character Address', '12345678', { address: 'x'.repeat(300) }, true],
  ] as const)(
    'FACTS:%s pairing input %s: schema and client agree',
    async (_l, _n, code, store, valid) => {
      const param = operation('PUT', PAIR).parameters.find((p: Doc) => p.name === 'pairingCode')
      const address = (store as Record<string, string>).address
      const body = { ...IDENTITY, POSRegisterName: 'Front', ...(address && { Address: address }) }
      const schema = validator(param.schema)(code) && validator(schemaOf('PairingRequest'))(body)
      expect({ schema, client: await clientPairs(code, store) }).toEqual({
        schema: valid,
        client: valid,
      })
    },
  )
})

// ---- 9. fake statuses vs declared responses ----------------------------------------------------

describe('fake cloud: statuses and bodies vs the declared responses (FACTS §2-§4)', () => {
  const check = (
    method: string,
    path: string,
    status: number,
    body: unknown,
  ): string | undefined => {
    const responses = responsesOf(method, path)
    const declared =
      responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default
    if (!declared) return `${status} undeclared`
    const schema = declared.content?.[JSON_MEDIA]?.schema
    if (schema && !ajv.compile(inline(SC, schema))(body))
      return `${status} body ${JSON.stringify(body)}`
    return undefined
  }
  const run = async (
    method: string,
    path: string,
    calls: Array<[string, () => Promise<Response>]>,
  ) => {
    const problems: string[] = []
    const seen = new Set<number>()
    for (const [why, call] of calls) {
      const r = await call()
      seen.add(r.status)
      const p = check(method, path, r.status, await r.json())
      if (p) problems.push(`${why}: ${p}`)
    }
    return { problems, seen }
  }

  it('FACTS:36-37 pairing: the fake answers 200 {"result":"success"} or 400 {"error"} only ("Invalid pairing code" for an unknown code)', async () => {
    const d = direct()
    const code = d.cloud.terminals.get('VT000001').pairingCode
    const unknown = await d.pair('NOPE-0000')
    expect(await unknown.clone().json()).toEqual({ error: 'Invalid pairing code' })
    const { problems, seen } = await run('PUT', PAIR, [
      ['valid', () => d.pair(code)],
      ['unknown code', () => d.pair('NOPE-0000')],
      ['no POSVendorName', () => d.pair(code, { POSVendorName: '' })],
      [
        'JSON body',
        () =>
          d.cloud.fetch(
            new Request(`${BASE}/Pairing/${code}`, {
              method: 'PUT',
              headers: { 'content-type': JSON_MEDIA },
              body: '{}',
            }),
          ),
      ],
    ])
    expect(problems).toEqual([])
    expect(sorted([...seen].map(String))).toEqual(['200', '400'])
  })

  it('FACTS:67-75 start: every status the fake answers is declared, with the declared body', async () => {
    const d = direct()
    const unpaired = await run('POST', START, [
      ['not paired', () => d.start({ TransactionType: 'Card.Purchase', AmountTotal: '100' })],
    ])
    await d.pairWith()
    const { problems, seen } = await run('POST', START, [
      ['valid', () => d.start({ TransactionType: 'Card.Purchase', AmountTotal: '100' })],
      ['busy', () => d.start({ TransactionType: 'Card.Purchase', AmountTotal: '100' })],
      ['bad amount', () => d.start({ TransactionType: 'Card.Purchase', AmountTotal: '0' })],
      ['no TransactionType', () => d.start({})],
    ])
    expect([...unpaired.problems, ...problems]).toEqual([])
    expect(seen.has(200)).toBe(true)
  })

  it('FACTS:106-108 poll: every status the fake answers (200, too fast, bad token, unknown id, lapsed) is declared, with the declared body', async () => {
    const d = direct()
    await d.pairWith()
    const { pollingUrl, transactionId } = await d.started({
      TransactionType: 'Card.Purchase',
      AmountTotal: '100',
    })
    const url = new URL(pollingUrl)
    const withToken = (token: string) => `${url.origin}${url.pathname}?merchantAccessToken=${token}`
    const { problems, seen } = await run('GET', POLL, [
      ['valid', () => d.cloud.fetch(pollingUrl)],
      ['too fast', () => d.cloud.fetch(pollingUrl)],
      ['bad token', () => d.cloud.fetch(withToken('nope'))],
      ['unknown id', () => d.cloud.fetch(pollingUrl.replace(transactionId, 'nope'))],
      ['lapsed', async () => (await d.clock.advance(900_000), d.cloud.fetch(pollingUrl))],
    ])
    expect(problems).toEqual([])
    expect(sorted([...seen].map(String))).toEqual(['200', '401', '404', '429'])
  })
})

// ---- 10. client: what each HTTP status means -----------------------------------------------------

describe('client reading of HTTP statuses (FACTS:73-75, 106-108)', () => {
  const clientAnswering = (status: number, body: unknown = { error: 'x' }) =>
    createSmartConnectClient({
      environment: 'dev',
      register: REGISTER,
      clock: createManualClock({ autoAdvance: true }),
      fetch: async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_MEDIA } }),
    })

  it.each([
    ['73', 400, 'refused'],
    ['73', 429, 'refused'],
    ['73-75', 408, 'unknown'],
    ['73-75', 503, 'unknown'],
  ] as const)('FACTS:%s start answered %i: %s', async (_l, status, expected) => {
    const error = await clientAnswering(status)
      .startTransaction('Card.Purchase', { AmountTotal: 100 })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(
      error instanceof TillkitUnknownOutcomeError
        ? 'unknown'
        : error instanceof TillkitHttpError
          ? 'refused'
          : String(error),
    ).toBe(expected)
  })

  it.each([
    ['107-108', 401, 'unknown'],
    ['108', 403, 'unknown'],
    ['108', 404, 'unknown'],
    ['108', 410, 'unknown'],
    ['111', 429, 'retry'],
    ['108', 503, 'retry'],
  ] as const)('FACTS:%s poll answered %i: %s', async (_l, status, expected) => {
    const client = clientAnswering(status)
    const result = await client.poll({
      transactionId: 't1',
      type: 'Card.Purchase',
      pollingUrl: 'https://api-dev.smart-connect.cloud/pos/transaction/t1?merchantAccessToken=abc',
      startedAt: 0,
    })
    expect(result.state === 'final' ? result.outcome.status : result.state).toBe(expected)
  })
})

/**
 * Do our Connect REST schemas (pac v2, pat v1), the fake cloud and the client's request
 * rules state the facts of the shared Paymentsense fact sheet? Each test checks one fact; the
 * `FACTS:<line>` prefix names the line of the fact sheet it comes from.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { checkFields, createManualClock } from '@tillkit/core'
import { createPaymentsenseClient } from '../src/index.js'
import { BODY_RULES } from '../src/rules.js'
import {
  CURRENCIES,
  MAX_AMOUNT,
  MAX_CASHBACK,
  REPORT_TYPES,
  TRANSACTION_TYPES,
} from '../src/limits.js'
import {
  enumOf,
  inline,
  isUnverified,
  mediaTypes,
  operation,
  parametersOf,
  pointer,
  propertiesOf,
  requiredOf,
  resolve,
  responsesOf,
  schemaOf,
  sorted,
  type Doc,
} from '../../core/test/schema-facts.js'
import { harness, pac, pat, type Harness, type RequestOptions } from './mock/helpers.js'

const loadSchema = (file: string): Doc =>
  YAML.parse(
    readFileSync(new URL(`../../../schemas/paymentsense/${file}`, import.meta.url), 'utf8'),
  )
const PAC: Doc = loadSchema('pac-v2.openapi.yaml')
const PAT: Doc = loadSchema('pat-v1.openapi.yaml')

// ---- the transaction request: one branch per transactionType ---------------------------------

/** The seven fields of a transaction request (FACTS:59-69). */
const TX_FIELDS = [
  'transactionType',
  'currency',
  'amount',
  'amountCashback',
  'cardholderNotPresent',
  'authCode',
  'amountPreAuthorisedTotal',
]

/** The types that move money: they need an amount and a currency (our inference, FACTS:59). */
const MONEY_MOVING = ['SALE', 'REFUND', 'PRE_AUTH', 'COMPLETION']

/** TransactionRequest's `oneOf` branches, resolved, by the transactionType each one's `const` names. */
const TX_BRANCHES: Record<string, Doc> = Object.fromEntries(
  (schemaOf(PAC, 'TransactionRequest').oneOf ?? []).map((member: Doc) => {
    const branch = resolve(PAC, member)
    return [branch?.properties?.transactionType?.const, branch]
  }),
)

/** The fields a branch takes: declared, and not refused with a `false` schema. */
const takes = (branch: Doc): string[] =>
  Object.entries(propertiesOf(PAC, branch))
    .filter(([, schema]) => schema !== false)
    .map(([field]) => field)

/** The fields a branch refuses: declared with a `false` schema. */
const refuses = (branch: Doc): string[] =>
  Object.entries(propertiesOf(PAC, branch))
    .filter(([, schema]) => schema === false)
    .map(([field]) => field)

/**
 * A transaction request field as the branches taking it share it: `use`, the node every such branch
 * writes, and `definition`, the schema its `$ref` names, one step only (so its own description and
 * marks are read, not those of what it refers to in turn). Throws when no branch takes the field or
 * when two branches write it differently.
 */
function txField(field: string): { use: Doc; definition: Doc } {
  const uses = Object.values(TX_BRANCHES)
    .map((branch) => propertiesOf(PAC, branch)[field])
    .filter((schema) => schema !== undefined && schema !== false)
  const forms = [...new Set(uses.map((use) => JSON.stringify(use)))]
  if (forms.length !== 1) throw new Error(`${field} is written ${forms.length} ways: ${forms}`)
  const use = uses[0]
  return { use, definition: typeof use.$ref === 'string' ? pointer(PAC, use.$ref) : use }
}

const V2 = 'application/connect.v2+json'
const V1 = 'application/connect.v1+json'

// ---- the operations of the fact sheet ------------------------------------------------------

interface OpFact {
  line: number
  method: string
  path: string
  success: string
  errors: string[]
  /** Success body schema, when the fact names one. */
  body?: string
  request?: string
}

const PAC_OPS: OpFact[] = [
  {
    line: 41,
    method: 'GET',
    path: '/pac/terminals',
    success: '200',
    errors: ['401', '422', '500'],
    body: 'TerminalList',
  },
  {
    line: 42,
    method: 'GET',
    path: '/pac/terminals/{tid}',
    success: '200',
    errors: ['401', '404', '422', '500'],
    body: 'Terminal',
  },
  {
    line: 43,
    method: 'POST',
    path: '/pac/terminals/{tid}/transactions',
    success: '201',
    errors: ['401', '404', '422', '500'],
    body: 'RequestLocation',
    request: 'TransactionRequest',
  },
  {
    line: 44,
    method: 'GET',
    path: '/pac/terminals/{tid}/transactions/{requestId}',
    success: '200',
    errors: ['401', '404', '422', '500'],
    body: 'Transaction',
  },
  {
    line: 45,
    method: 'DELETE',
    path: '/pac/terminals/{tid}/transactions/{requestId}',
    success: '202',
    errors: ['401', '404', '422', '500'],
  },
  {
    line: 46,
    method: 'PUT',
    path: '/pac/terminals/{tid}/transactions/{requestId}/signature',
    success: '202',
    errors: ['401', '404', '422', '500'],
    request: 'SignatureRequest',
  },
  {
    line: 47,
    method: 'POST',
    path: '/pac/terminals/{tid}/reports',
    success: '201',
    errors: ['401', '422', '500'],
    body: 'RequestLocation',
    request: 'ReportRequest',
  },
  {
    line: 48,
    method: 'GET',
    path: '/pac/terminals/{tid}/reports/{requestId}',
    success: '200',
    errors: ['401', '404', '422', '500'],
    body: 'ReportResponse',
  },
]

const PAT_OPS: OpFact[] = [
  {
    line: 190,
    method: 'GET',
    path: '/pat/tables',
    success: '200',
    errors: ['401', '500'],
    body: 'TableList',
  },
  {
    line: 191,
    method: 'PUT',
    path: '/pat/tables',
    success: '201',
    errors: ['409', '422'],
    body: 'TableCreated',
    request: 'TableCreation',
  },
  {
    line: 192,
    method: 'GET',
    path: '/pat/tables/{tableName}',
    success: '200',
    errors: ['404'],
    body: 'Table',
  },
  {
    line: 193,
    method: 'DELETE',
    path: '/pat/tables/{tableName}',
    success: '204',
    errors: ['404', '422'],
    request: 'TableDeletion',
  },
  {
    line: 194,
    method: 'PUT',
    path: '/pat/tables/{tableName}/amount',
    success: '204',
    errors: ['404', '422', '423'],
    request: 'TableAmountUpdate',
  },
  {
    line: 195,
    method: 'PUT',
    path: '/pat/tables/{tableName}/lock',
    success: '204',
    errors: ['404', '422', '423'],
    request: 'TableLockUpdate',
  },
  {
    line: 196,
    method: 'PUT',
    path: '/pat/tables/{tableName}/receipt',
    success: '204',
    errors: ['404', '422', '423'],
    request: 'TableReceiptUpdate',
  },
  {
    line: 197,
    method: 'PUT',
    path: '/pat/tables/{tableName}/waiterids',
    success: '204',
    errors: ['404', '422', '423'],
    request: 'TableWaiterIdsUpdate',
  },
  {
    line: 198,
    method: 'GET',
    path: '/pat/reports',
    success: '200',
    errors: ['401'],
    body: 'PatReportList',
  },
  {
    line: 199,
    method: 'GET',
    path: '/pat/reports/{reportId}',
    success: '200',
    errors: ['404'],
    body: 'PatReport',
  },
]

/**
 * The v1 spec declares 401 and 500 on every /pat operation (the fact table abbreviates them), so
 * these are not counted as additions needing `x-unverified`.
 */
const PAT_GENERAL = ['401', '500']

// ---- 1. operations and status codes -------------------------------------------------------

describe('status codes per operation (FACTS §2 table, §5 table)', () => {
  it('FACTS:39 the pac schema has exactly the 8 operations, the pat schema exactly the 10', () => {
    const ops = (doc: Doc) =>
      sorted(
        Object.entries(doc.paths).flatMap(([path, item]: [string, Doc]) =>
          Object.keys(item)
            .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
            .map((m) => `${m.toUpperCase()} ${path}`),
        ),
      )
    expect(ops(PAC)).toEqual(sorted(PAC_OPS.map((o) => `${o.method} ${o.path}`)))
    expect(ops(PAT)).toEqual(sorted(PAT_OPS.map((o) => `${o.method} ${o.path}`)))
  })

  const ALL_OPS = [
    ...PAC_OPS.map((o) => [o.line, o.method, o.path, PAC, o] as const),
    ...PAT_OPS.map((o) => [o.line, o.method, o.path, PAT, o] as const),
  ]

  it.each(ALL_OPS)(
    'FACTS:%i %s %s declares the success and every error status of the fact',
    (_l, _m, _p, doc, fact) => {
      const declared = Object.keys(responsesOf(doc, fact.method, fact.path))
      expect(declared).toEqual(expect.arrayContaining([fact.success, ...fact.errors]))
      // the success code is the only 2xx
      expect(declared.filter((c) => c.startsWith('2'))).toEqual([fact.success])
    },
  )

  it.each(ALL_OPS)(
    'FACTS:%i %s %s: a status beyond the fact is marked x-unverified',
    (_l, _m, _p, doc, fact) => {
      const general = doc === PAT ? PAT_GENERAL : []
      const extra = Object.entries(responsesOf(doc, fact.method, fact.path))
        .filter(([code]) => code !== fact.success && !fact.errors.includes(code))
        .filter(([code]) => !general.includes(code))
        .filter(([, r]) => !isUnverified(r.ref) && !isUnverified(r.body))
        .map(([code]) => code)
      expect(extra).toEqual([])
    },
  )

  it.each(PAC_OPS.filter((o) => o.body).map((o) => [o.line, o.method, o.path, o.success, o.body!]))(
    'FACTS:%i %s %s answers %s with %s in application/connect.v2+json',
    (_line, method, path, success, body) => {
      const r = responsesOf(PAC, method, path)[success]!.body
      expect(Object.keys(r.content)).toEqual([V2])
      expect(r.content[V2].schema.$ref).toBe(`#/components/schemas/${body}`)
    },
  )

  it.each(PAT_OPS.filter((o) => o.body).map((o) => [o.line, o.method, o.path, o.success, o.body!]))(
    'FACTS:%i %s %s answers %s with %s in application/connect.v1+json',
    (_line, method, path, success, body) => {
      const r = responsesOf(PAT, method, path)[success]!.body
      expect(Object.keys(r.content)).toEqual([V1])
      expect(r.content[V1].schema.$ref).toBe(`#/components/schemas/${body}`)
    },
  )

  it.each([
    [45, 'DELETE', '/pac/terminals/{tid}/transactions/{requestId}', '202'],
    [46, 'PUT', '/pac/terminals/{tid}/transactions/{requestId}/signature', '202'],
  ])('FACTS:%i %s %s answers %s with an empty body', (_l, method, path, code) => {
    expect(responsesOf(PAC, method, path)[code]!.body.content).toBeUndefined()
  })

  it.each(PAT_OPS.filter((o) => o.success === '204').map((o) => [o.line, o.method, o.path]))(
    'FACTS:%i %s %s answers 204 with an empty body',
    (_l, method, path) => {
      expect(responsesOf(PAT, method, path)['204']!.body.content).toBeUndefined()
    },
  )

  it.each(
    [...PAC_OPS, ...PAT_OPS]
      .filter((o) => o.request)
      .map((o) => [o.line, o.method, o.path, o.request!]),
  )('FACTS:%i %s %s takes a required %s body', (_l, method, path, request) => {
    const doc = path.startsWith('/pac') ? PAC : PAT
    const media = doc === PAC ? V2 : V1
    const body = operation(doc, method, path).requestBody
    expect(body.required).toBe(true)
    expect(Object.keys(body.content)).toEqual([media])
    expect(body.content[media].schema.$ref).toBe(`#/components/schemas/${request}`)
  })

  it('FACTS:41 listTerminals filters by status AVAILABLE|BUSY and currency GBP|EUR', () => {
    const params = parametersOf(PAC, 'GET', '/pac/terminals').filter((p) => p.in === 'query')
    const byName = Object.fromEntries(params.map((p) => [p.name, p]))
    expect(enumOf(PAC, byName.status.schema)).toEqual(['AVAILABLE', 'BUSY'])
    expect(enumOf(PAC, byName.currency.schema)).toEqual(['GBP', 'EUR'])
  })

  it('FACTS:190,192 listTables takes locked (boolean) and currency; getTable takes receipt (boolean)', () => {
    const q = (method: string, path: string) =>
      Object.fromEntries(
        parametersOf(PAT, method, path)
          .filter((p) => p.in === 'query')
          .map((p) => [p.name, resolve(PAT, p.schema)]),
      )
    const list = q('GET', '/pat/tables')
    expect(list.locked.type).toBe('boolean')
    expect(list.currency.enum).toEqual(['GBP', 'EUR'])
    expect(q('GET', '/pat/tables/{tableName}').receipt.type).toBe('boolean')
  })
})

// ---- 2. headers, versioning, errors --------------------------------------------------------

describe('headers, media-type versioning and error bodies (FACTS §1, §2.2)', () => {
  it.each(PAC_OPS.map((o) => [o.line, o.method, o.path]))(
    'FACTS:24-25 %i %s %s declares Software-House-Id and Installer-Id as required header parameters (verified, not x-unverified)',
    (_l, method, path) => {
      const headers = parametersOf(PAC, method, path).filter((p) => p.in === 'header')
      for (const name of ['Software-House-Id', 'Installer-Id']) {
        const p = headers.find((h) => h.name === name)
        expect(p, name).toBeDefined()
        expect(p.required, name).toBe(true)
        expect(isUnverified(p), name).toBe(false)
      }
    },
  )

  it.each(PAT_OPS.map((o) => [o.line, o.method, o.path]))(
    'FACTS:26 %i %s %s declares Software-House-Id and Installer-Id as header parameters, x-unverified (v1 does not document them)',
    (_l, method, path) => {
      const headers = parametersOf(PAT, method, path).filter((p) => p.in === 'header')
      for (const name of ['Software-House-Id', 'Installer-Id']) {
        const p = headers.find((h) => h.name === name)
        expect(p, name).toBeDefined()
        expect(isUnverified(p), name).toBe(true)
      }
    },
  )

  it('FACTS:22 every pac body (request and response) uses application/connect.v2+json only', () => {
    expect(sorted(mediaTypes(PAC))).toEqual([V2])
  })

  it('FACTS:22 every pat body (request and response) uses application/connect.v1+json only', () => {
    expect(sorted(mediaTypes(PAT))).toEqual([V1])
  })

  it('FACTS:19-21 both schemas: test and live hosts per account, HTTP Basic auth', () => {
    for (const doc of [PAC, PAT]) {
      expect(doc.servers.map((s: Doc) => s.url)).toEqual([
        'https://{account}.test.connect.paymentsense.cloud',
        'https://{account}.connect.paymentsense.cloud',
      ])
      const schemes = Object.values(doc.components.securitySchemes) as Doc[]
      expect(schemes).toEqual([expect.objectContaining({ type: 'http', scheme: 'basic' })])
      expect(doc.security).toEqual([{ connectBasic: [] }])
    }
  })

  it.each(PAC_OPS.map((o) => [o.line, o.method, o.path]))(
    'FACTS:105-106 %i %s %s: 401/404/422 carry { userMessage: string }, 500 has no body',
    (_l, method, path) => {
      for (const [code, r] of Object.entries(responsesOf(PAC, method, path))) {
        if (['401', '404', '422'].includes(code)) {
          const schema = resolve(PAC, r.body.content[V2].schema)
          expect(schema.properties.userMessage.type, code).toBe('string')
        }
        if (code === '500') expect(r.body.content, code).toBeUndefined()
      }
    },
  )

  it('FACTS:105 pac ErrorBody is verified (no x-unverified); pat ErrorBody is x-unverified (no v1 error body in the facts)', () => {
    expect(isUnverified(schemaOf(PAC, 'ErrorBody'))).toBe(false)
    expect(isUnverified(schemaOf(PAT, 'ErrorBody'))).toBe(true)
  })
})

// ---- 3. request and response bodies: fields and enums --------------------------------------

interface FieldFact {
  line: number
  doc: Doc
  schema: string
  properties: string[]
  required?: string[]
}

const FIELD_FACTS: FieldFact[] = [
  {
    line: 75,
    doc: PAC,
    schema: 'SignatureRequest',
    properties: ['accepted'],
    required: ['accepted'],
  },
  { line: 76, doc: PAC, schema: 'ReportRequest', properties: ['reportType'] },
  { line: 80, doc: PAC, schema: 'RequestLocation', properties: ['requestId', 'location'] },
  {
    line: 82,
    doc: PAC,
    schema: 'Terminal',
    properties: ['tid', 'status', 'currency', 'location'],
    required: ['tid', 'status', 'currency', 'location'],
  },
  { line: 41, doc: PAC, schema: 'TerminalList', properties: ['terminals'] },
  {
    line: 84,
    doc: PAC,
    schema: 'Transaction',
    properties: [
      'amountBase',
      'amountCashback',
      'amountGratuity',
      'amountTotal',
      'applicationId',
      'applicationLabel',
      'authCode',
      'cardSchemeName',
      'cardHolderVerificationMethod',
      'currency',
      'dateOfExpiry',
      'dateOfStart',
      'location',
      'notifications',
      'paymentMethod',
      'primaryAccountNumber',
      'primaryAccountNumberSequence',
      'receiptLines',
      'requestId',
      'transactionId',
      'transactionNumber',
      'transactionResult',
      'transactionTime',
      'transactionType',
      'userMessage',
    ],
    required: ['location', 'notifications'],
  },
  {
    line: 96,
    doc: PAC,
    schema: 'ReceiptLine',
    properties: ['type', 'format', 'value'],
    required: ['value'],
  },
  {
    line: 99,
    doc: PAC,
    schema: 'ReportResponse',
    properties: [
      'requestId',
      'location',
      'notifications',
      'tid',
      'reportType',
      'reportResult',
      'reportTime',
      'reportLines',
      'balances',
      'banking',
    ],
    required: ['requestId', 'location', 'notifications'],
  },
  {
    line: 100,
    doc: PAC,
    schema: 'Balances',
    properties: ['totalsSince', 'issuerTotals', 'waiterTotals'],
  },
  {
    line: 102,
    doc: PAC,
    schema: 'AcquirerBanking',
    properties: [
      'currency',
      'currentSessionTotals',
      'previousSessionTotals',
      'currentSessionIssuerTotals',
      'previousSessionIssuerTotals',
      'currentSessionTransactionNumbers',
      'previousSessionTransactionNumbers',
    ],
  },
  { line: 105, doc: PAC, schema: 'ErrorBody', properties: ['userMessage'] },
  {
    line: 191,
    doc: PAT,
    schema: 'TableCreation',
    properties: ['tableName', 'amount', 'currency', 'receipt', 'waiterIds'],
    required: ['tableName', 'amount', 'currency'],
  },
  {
    line: 191,
    doc: PAT,
    schema: 'TableCreated',
    properties: ['location', 'tableName'],
    required: ['location', 'tableName'],
  },
  {
    line: 193,
    doc: PAT,
    schema: 'TableDeletion',
    properties: ['lastKnownAmount', 'lastKnownPaidAmount'],
    required: ['lastKnownAmount', 'lastKnownPaidAmount'],
  },
  {
    line: 194,
    doc: PAT,
    schema: 'TableAmountUpdate',
    properties: ['lastKnownAmount', 'lastKnownPaidAmount', 'newAmount'],
    required: ['lastKnownAmount', 'lastKnownPaidAmount', 'newAmount'],
  },
  {
    line: 195,
    doc: PAT,
    schema: 'TableLockUpdate',
    properties: ['lastKnownAmount', 'lastKnownPaidAmount', 'locked', 'lockedBy', 'override'],
    required: ['lastKnownAmount', 'lastKnownPaidAmount', 'locked'],
  },
  {
    line: 196,
    doc: PAT,
    schema: 'TableReceiptUpdate',
    properties: ['lastKnownAmount', 'lastKnownPaidAmount', 'newReceipt'],
    required: ['lastKnownAmount', 'lastKnownPaidAmount', 'newReceipt'],
  },
  {
    line: 197,
    doc: PAT,
    schema: 'TableWaiterIdsUpdate',
    properties: ['lastKnownAmount', 'lastKnownPaidAmount', 'newWaiterIds'],
    required: ['lastKnownAmount', 'lastKnownPaidAmount', 'newWaiterIds'],
  },
  { line: 190, doc: PAT, schema: 'TableList', properties: ['tables'] },
  { line: 198, doc: PAT, schema: 'PatReportList', properties: ['reports'] },
  {
    line: 201,
    doc: PAT,
    schema: 'Table',
    properties: [
      'tableName',
      'amount',
      'amountCashback',
      'amountGratuity',
      'amountPaid',
      'payments',
      'locked',
      'lockedBy',
      'waiterIds',
      'receipt',
    ],
  },
  {
    line: 202,
    doc: PAT,
    schema: 'TablePayment',
    properties: [
      'amountPaid',
      'amountCashback',
      'amountGratuity',
      'authCode',
      'currency',
      'cardSchemeName',
      'paymentId',
      'paymentMethod',
      'time',
    ],
  },
]

describe('fields of each body (FACTS §2.1, §2.2, §5)', () => {
  it('FACTS:59 pac TransactionRequest: every branch lists the fields of the fact (taken, or refused as `false`), and the branches together take them all', () => {
    expect(Object.keys(TX_BRANCHES).length).toBeGreaterThan(0)
    for (const [type, branch] of Object.entries(TX_BRANCHES))
      expect(sorted(Object.keys(propertiesOf(PAC, branch))), type).toEqual(sorted(TX_FIELDS))
    const taken = new Set(Object.values(TX_BRANCHES).flatMap(takes))
    expect(sorted(taken)).toEqual(sorted(TX_FIELDS))
  })

  it.each(FIELD_FACTS.map((f) => [f.line, f.doc === PAC ? 'pac' : 'pat', f.schema, f]))(
    'FACTS:%i %s %s has the fields (and required list) of the fact',
    (_l, _d, name, fact) => {
      const s = schemaOf(fact.doc, name)
      expect(s, name).toBeDefined()
      expect(Object.keys(propertiesOf(fact.doc, s))).toEqual(
        expect.arrayContaining(fact.properties),
      )
      if (fact.required)
        expect(requiredOf(fact.doc, s)).toEqual(expect.arrayContaining(fact.required))
    },
  )
})

describe('TransactionRequest: one branch per transaction type (FACTS §2.1)', () => {
  it('FACTS:63 is a oneOf discriminated by transactionType, with one branch for each RequestTransactionType and no other', () => {
    const union = schemaOf(PAC, 'TransactionRequest')
    const types = enumOf(PAC, schemaOf(PAC, 'RequestTransactionType'))
    expect(union.discriminator.propertyName).toBe('transactionType')
    const mapping: Record<string, string> = union.discriminator.mapping
    expect(sorted(Object.keys(mapping))).toEqual(sorted(types))
    // The oneOf lists exactly the mapped schemas, each once.
    const members = union.oneOf.map((member: Doc) => member.$ref)
    expect(members).toHaveLength(types.length)
    expect(sorted(members)).toEqual(sorted(Object.values(mapping)))
    // Each mapped branch takes only its own type, and is the branch the const names.
    for (const [type, ref] of Object.entries(mapping)) {
      const branch = pointer(PAC, ref)
      expect(branch.properties.transactionType, type).toEqual({ const: type })
      expect(TX_BRANCHES[type], type).toBe(branch)
      expect(requiredOf(PAC, branch), type).toContain('transactionType')
    }
    expect(sorted(Object.keys(TX_BRANCHES))).toEqual(sorted(types))
  })

  // Per type: the fields required, the fields taken but optional, and the fields refused.
  const RULES: Array<[string, string, { required: string[]; optional: string[] }]> = [
    [
      '65-69',
      'SALE',
      {
        required: ['transactionType', 'amount', 'currency'],
        optional: ['amountCashback', 'cardholderNotPresent'],
      },
    ],
    [
      '65-69',
      'REFUND',
      { required: ['transactionType', 'amount', 'currency'], optional: ['cardholderNotPresent'] },
    ],
    ['65-69', 'DUPLICATE', { required: ['transactionType'], optional: ['currency'] }],
    [
      '65-69',
      'PRE_AUTH',
      { required: ['transactionType', 'amount', 'currency'], optional: ['cardholderNotPresent'] },
    ],
    [
      '65-69',
      'COMPLETION',
      {
        required: ['transactionType', 'amount', 'currency', 'authCode', 'amountPreAuthorisedTotal'],
        optional: ['cardholderNotPresent'],
      },
    ],
    [
      '65-69',
      'ACCOUNT_VERIFICATION',
      {
        required: ['transactionType'],
        optional: ['currency', 'amount', 'cardholderNotPresent'],
      },
    ],
  ]

  it.each(RULES)(
    'FACTS:%s the %s branch requires, takes and refuses the fields of its rules',
    (_l, type, { required, optional }) => {
      const branch = TX_BRANCHES[type]
      expect(branch, type).toBeDefined()
      expect(sorted(requiredOf(PAC, branch))).toEqual(sorted(required))
      expect(sorted(takes(branch))).toEqual(sorted([...required, ...optional]))
      expect(sorted(refuses(branch))).toEqual(
        sorted(TX_FIELDS.filter((field) => ![...required, ...optional].includes(field))),
      )
    },
  )

  it('FACTS:64-69 each field is defined once: every branch taking it refers to the same schema by a bare $ref', () => {
    for (const field of TX_FIELDS.filter((f) => f !== 'transactionType')) {
      const { use, definition } = txField(field)
      expect(Object.keys(use), field).toEqual(['$ref'])
      expect(definition, field).toBeDefined()
    }
  })
})

interface EnumFact {
  line: number
  doc: Doc
  where: string
  node: (doc: Doc) => Doc
  values: string[]
}

const pacProp = (schema: string, prop: string) => (doc: Doc) =>
  propertiesOf(doc, schemaOf(doc, schema))[prop]

const ENUM_FACTS: EnumFact[] = [
  {
    line: 63,
    doc: PAC,
    where: 'RequestTransactionType',
    node: (doc) => schemaOf(doc, 'RequestTransactionType'),
    values: ['SALE', 'REFUND', 'DUPLICATE', 'PRE_AUTH', 'COMPLETION', 'ACCOUNT_VERIFICATION'],
  },
  {
    line: 63,
    doc: PAC,
    where: "TransactionRequest.transactionType (the branches' consts)",
    node: () => ({
      enum: Object.values(TX_BRANCHES).map((branch) => branch.properties.transactionType.const),
    }),
    values: ['SALE', 'REFUND', 'DUPLICATE', 'PRE_AUTH', 'COMPLETION', 'ACCOUNT_VERIFICATION'],
  },
  {
    line: 64,
    doc: PAC,
    where: 'TransactionRequest.currency',
    node: () => txField('currency').use,
    values: ['GBP', 'EUR'],
  },
  {
    line: 76,
    doc: PAC,
    where: 'ReportRequest.reportType',
    node: pacProp('ReportRequest', 'reportType'),
    values: ['END_OF_DAY', 'BANKING', 'X_BALANCE', 'Z_BALANCE'],
  },
  {
    line: 82,
    doc: PAC,
    where: 'Terminal.status',
    node: pacProp('Terminal', 'status'),
    values: ['AVAILABLE', 'BUSY'],
  },
  {
    line: 82,
    doc: PAC,
    where: 'Terminal.currency',
    node: pacProp('Terminal', 'currency'),
    values: ['GBP', 'EUR'],
  },
  {
    line: 88,
    doc: PAC,
    where: 'Transaction.cardHolderVerificationMethod',
    node: pacProp('Transaction', 'cardHolderVerificationMethod'),
    values: ['UNKNOWN', 'NONE', 'PIN', 'SIGNATURE', 'DEVICE'],
  },
  {
    line: 89,
    doc: PAC,
    where: 'Transaction.paymentMethod',
    node: pacProp('Transaction', 'paymentMethod'),
    values: ['UNKNOWN', 'KEYED', 'SWIPED', 'ICC_CHIP', 'CONTACTLESS'],
  },
  {
    line: 93,
    doc: PAC,
    where: 'Transaction.transactionType',
    node: pacProp('Transaction', 'transactionType'),
    values: [
      'LOGON',
      'REFUND',
      'REFUND_REVERSAL',
      'SALE',
      'SALE_REVERSAL',
      'PRE_AUTH',
      'COMPLETION',
      'ACCOUNT_VERIFICATION',
    ],
  },
  {
    line: 96,
    doc: PAC,
    where: 'ReceiptLine.type',
    node: pacProp('ReceiptLine', 'type'),
    values: [
      'TEXT',
      'BOX_DECLINE',
      'BOX_VOID',
      'CARRIAGE_RETURN',
      'LINE_SEPARATOR_SINGLE',
      'LINE_SEPARATOR_DOUBLE',
      'TICKET_FEED',
    ],
  },
  {
    line: 97,
    doc: PAC,
    where: 'ReceiptLine.format[]',
    node: (d) => resolve(d, pacProp('ReceiptLine', 'format')(d)).items,
    values: ['BOLD', 'DOUBLE_HEIGHT', 'DOUBLE_WIDTH'],
  },
  {
    line: 99,
    doc: PAC,
    where: 'ReportResponse.notifications[]',
    node: (d) => resolve(d, pacProp('ReportResponse', 'notifications')(d)).items,
    values: ['REPORT_STARTED', 'REPORT_FINISHED'],
  },
  {
    line: 100,
    doc: PAC,
    where: 'ReportResponse.reportResult',
    node: pacProp('ReportResponse', 'reportResult'),
    values: ['TIMED_OUT', 'COMPLETE'],
  },
  {
    line: 100,
    doc: PAC,
    where: 'ReportResponse.reportType',
    node: pacProp('ReportResponse', 'reportType'),
    values: ['END_OF_DAY', 'BANKING', 'X_BALANCE', 'Z_BALANCE'],
  },
  {
    line: 110,
    doc: PAC,
    where: 'Transaction.notifications[]',
    node: (d) => resolve(d, pacProp('Transaction', 'notifications')(d)).items,
    values: [
      'APPROVED',
      'ATTEMPTING_CANCEL',
      'BAD_SWIPE',
      'CANCELLING',
      'CARD_ERROR',
      'CARD_EXPIRED',
      'CARD_NOT_SUPPORTED',
      'CONNECTING',
      'CONNECTION_MADE',
      'DECLINED',
      'DECLINED_BY_CARD',
      'INSERT_CARD',
      'PIN_ENTRY',
      'PLEASE_WAIT',
      'PRESENT_CARD',
      'PRESENT_ONLY_ONE_CARD',
      'PROCESSING_ERROR',
      'REMOVE_CARD',
      'RETRYING',
      'REQUEST_SENT',
      'RE_PRESENT_CARD',
      'SIGNATURE_VERIFICATION',
      'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
      'SIGNATURE_VERIFICATION_PROCESS_COULD_NOT_BE_COMPLETED',
      'SIGNATURE_VERIFICATION_IN_PROGRESS',
      'SIGNATURE_VERIFICATION_TIMEOUT',
      'TRANSACTION_FINISHED',
      'TRANSACTION_STARTED',
      'UNABLE_TO_CANCEL',
    ],
  },
  {
    line: 128,
    doc: PAC,
    where: 'Transaction.transactionResult',
    node: pacProp('Transaction', 'transactionResult'),
    values: ['SUCCESSFUL', 'DECLINED', 'VOID', 'UNSUCCESSFUL', 'CANCELLED', 'TIMED_OUT'],
  },
  {
    line: 191,
    doc: PAT,
    where: 'TableCreation.currency',
    node: pacProp('TableCreation', 'currency'),
    values: ['GBP', 'EUR'],
  },
  {
    line: 202,
    doc: PAT,
    where: 'TablePayment.paymentMethod',
    node: pacProp('TablePayment', 'paymentMethod'),
    values: ['UNKNOWN', 'KEYED', 'SWIPED', 'ICC_CHIP', 'CONTACTLESS'],
  },
  {
    line: 202,
    doc: PAT,
    where: 'TablePayment.currency',
    node: pacProp('TablePayment', 'currency'),
    values: ['GBP', 'EUR'],
  },
]

describe('enum values (FACTS §2.1-§2.3, §5)', () => {
  it.each(ENUM_FACTS.map((f) => [f.line, f.where, f]))(
    'FACTS:%i %s has exactly the values of the fact',
    (_l, _w, fact) => {
      expect(sorted(enumOf(fact.doc, fact.node(fact.doc)))).toEqual(sorted(fact.values))
    },
  )
})

describe('types, ranges and formats (FACTS §2.1, §2.2)', () => {
  const tr = (prop: string) => resolve(PAC, txField(prop).use)
  const tx = (prop: string) => resolve(PAC, pacProp('Transaction', prop)(PAC))

  it('FACTS:65 TransactionRequest.amount is an integer 1..99,999,999', () => {
    expect(tr('amount')).toMatchObject({ type: 'integer', minimum: 1, maximum: 99_999_999 })
  })
  it('FACTS:66 TransactionRequest.amountCashback is an integer 0..10,000', () => {
    expect(tr('amountCashback')).toMatchObject({ type: 'integer', minimum: 0, maximum: 10_000 })
  })
  it('FACTS:67-68 cardholderNotPresent is a boolean, authCode a string', () => {
    expect(tr('cardholderNotPresent').type).toBe('boolean')
    expect(tr('authCode').type).toBe('string')
  })
  it('FACTS:69 TransactionRequest.amountPreAuthorisedTotal is an integer 1..99,999,999', () => {
    expect(tr('amountPreAuthorisedTotal')).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 99_999_999,
    })
  })
  it('FACTS:80 RequestLocation: requestId is a UUID string, location a URI', () => {
    const p = propertiesOf(PAC, schemaOf(PAC, 'RequestLocation'))
    expect(p.requestId).toMatchObject({ type: 'string', format: 'uuid' })
    expect(p.location).toMatchObject({ type: 'string', format: 'uri' })
  })
  it('FACTS:86 Transaction amounts are int32 integers', () => {
    for (const f of ['amountBase', 'amountCashback', 'amountGratuity', 'amountTotal']) {
      expect(tx(f), f).toMatchObject({ type: 'integer', format: 'int32' })
    }
  })
  it('FACTS:88-92 dateOfExpiry/dateOfStart take MM/YY and transactionTime YYYY-MM-DDThh:mm:ss', () => {
    for (const f of ['dateOfExpiry', 'dateOfStart']) {
      expect(new RegExp(tx(f).pattern).test('12/29'), f).toBe(true)
      expect(new RegExp(tx(f).pattern).test('2029-12'), f).toBe(false)
    }
    expect(new RegExp(tx('transactionTime').pattern).test('2026-01-31T12:00:00')).toBe(true)
    expect(new RegExp(tx('transactionTime').pattern).test('2026-01-31T12:00:00Z')).toBe(false)
  })
})

// ---- 4. x-unverified marks ------------------------------------------------------------------

interface MarkFact {
  line: string
  what: string
  node: () => Doc
  unverified: boolean
}

const pacOp = (method: string, path: string) => () => operation(PAC, method, path)

const MARK_FACTS: MarkFact[] = [
  // inferred / unknown / third-party: must be marked
  {
    line: '122',
    what: 'pac 80 s signature window (v1 text, 3P)',
    node: () => PAC['x-tillkit-timing'].signatureDecisionWindowMs,
    unverified: true,
  },
  {
    line: '124',
    what: 'pac verifySignature (REST timeout behaviour UNKNOWN)',
    node: pacOp('PUT', '/pac/terminals/{tid}/transactions/{requestId}/signature'),
    unverified: true,
  },
  {
    line: '125-126',
    what: 'pac cancelTransaction (notification sequence INF)',
    node: pacOp('DELETE', '/pac/terminals/{tid}/transactions/{requestId}'),
    unverified: true,
  },
  {
    line: '128-129',
    what: 'pac TransactionResult (only SUCCESSFUL took money: INF)',
    node: () => schemaOf(PAC, 'TransactionResult'),
    unverified: true,
  },
  {
    line: '90-91',
    what: 'pac Transaction.receiptLines inner keys (UNKNOWN)',
    node: () => schemaOf(PAC, 'ReceiptCopies'),
    unverified: true,
  },
  {
    line: '115-116',
    what: 'pac Notification values outside the v2 enum (3P)',
    node: () => schemaOf(PAC, 'Notification'),
    unverified: true,
  },
  {
    line: '59',
    what: 'pac TransactionRequest required list (spec has none)',
    node: () => schemaOf(PAC, 'TransactionRequest'),
    unverified: true,
  },
  {
    line: '76',
    what: 'pac ReportRequest required reportType (spec has none)',
    node: () => schemaOf(PAC, 'ReportRequest'),
    unverified: true,
  },
  {
    line: '136-137',
    what: 'pac request spacing (status on violation UNKNOWN)',
    node: () => PAC['x-tillkit-timing'].requestSpacingMs,
    unverified: true,
  },
  {
    line: '136-137',
    what: 'pat request spacing (status on violation UNKNOWN)',
    node: () => PAT['x-tillkit-timing'].requestSpacingMs,
    unverified: true,
  },
  {
    line: '138-139',
    what: 'pac data retention hours (UNKNOWN)',
    node: () => PAC['x-tillkit-timing'].dataRetention,
    unverified: true,
  },
  // verified: must not be marked
  {
    line: '134',
    what: 'pac poll interval (V:doc)',
    node: () => PAC['x-tillkit-timing'].pollIntervalMs,
    unverified: false,
  },
  {
    line: '134',
    what: 'pat poll interval (V:doc)',
    node: () => PAT['x-tillkit-timing'].pollIntervalMs,
    unverified: false,
  },
  {
    line: '41',
    what: 'pac listTerminals',
    node: pacOp('GET', '/pac/terminals'),
    unverified: false,
  },
  {
    line: '44',
    what: 'pac getTransaction',
    node: pacOp('GET', '/pac/terminals/{tid}/transactions/{requestId}'),
    unverified: false,
  },
  {
    line: '47',
    what: 'pac startReport',
    node: pacOp('POST', '/pac/terminals/{tid}/reports'),
    unverified: false,
  },
  {
    line: '48',
    what: 'pac getReport',
    node: pacOp('GET', '/pac/terminals/{tid}/reports/{requestId}'),
    unverified: false,
  },
  ...[
    'Currency',
    'RequestTransactionType',
    'TerminalStatus',
    'Terminal',
    'Transaction',
    'TransactionType',
    'CardholderVerificationMethod',
    'PaymentMethod',
    'ReceiptLine',
    'ReceiptLineType',
    'ReceiptLineFormat',
    'SignatureRequest',
    'ReportType',
    'ReportNotification',
    'ReportResult',
    'ReportResponse',
    'Balances',
    'AcquirerBanking',
  ].map((name): MarkFact => ({
    line: '57-106',
    what: `pac ${name} (V:spec)`,
    node: () => schemaOf(PAC, name),
    unverified: false,
  })),
  ...['amount', 'amountCashback', 'authCode', 'amountPreAuthorisedTotal'].map((prop): MarkFact => ({
    line: '63-69',
    what: `pac TransactionRequest.${prop} (V:spec)`,
    node: () => txField(prop).definition,
    unverified: false,
  })),
  ...TRANSACTION_TYPES.map((type): MarkFact => ({
    line: '63-69',
    what: `pac TransactionRequest.transactionType of the ${type} branch (V:spec)`,
    node: () => TX_BRANCHES[type]?.properties.transactionType,
    unverified: false,
  })),
  {
    line: '68-69',
    what: 'pac TransactionRequest COMPLETION rule, the COMPLETION branch requiring both pre-auth fields (V:spec)',
    node: () => TX_BRANCHES.COMPLETION,
    unverified: false,
  },
  ...TRANSACTION_TYPES.filter((type) => type !== 'COMPLETION').map((type): MarkFact => ({
    line: '68-69',
    what: `pac TransactionRequest COMPLETION rule, the ${type} branch refusing the pre-auth fields (V:spec)`,
    node: () => TX_BRANCHES[type],
    unverified: false,
  })),
  {
    line: '66',
    what: 'pac TransactionRequest cashback-SALE-only rule, the SALE branch taking amountCashback (V:spec)',
    node: () => TX_BRANCHES.SALE,
    unverified: false,
  },
  {
    line: '139-140',
    what: 'pat 3-day report window (V:spec)',
    node: () => ({
      'x-unverified':
        typeof PAT['x-tillkit-timing'].reportListWindowDays === 'object' &&
        PAT['x-tillkit-timing'].reportListWindowDays['x-unverified'],
    }),
    unverified: false,
  },
  ...[
    'Currency',
    'PaymentMethod',
    'TablePayment',
    'Table',
    'TableList',
    'TableCreation',
    'TableCreated',
    'TableGuard',
    'TableAmountUpdate',
    'TableLockUpdate',
    'TableReceiptUpdate',
    'TableWaiterIdsUpdate',
  ].map((name): MarkFact => ({
    line: '186-204',
    what: `pat ${name} (V:spec)`,
    node: () => schemaOf(PAT, name),
    unverified: false,
  })),
  ...PAT_OPS.map((o): MarkFact => ({
    line: String(o.line),
    what: `pat ${o.method} ${o.path} (V:spec)`,
    node: () => operation(PAT, o.method, o.path),
    unverified: false,
  })),
]

describe('x-unverified marks (inferred/unknown marked, verified not)', () => {
  it.each(MARK_FACTS.map((f) => [f.line, f.what, f.unverified ? 'is' : 'is not', f]))(
    'FACTS:%s %s %s marked x-unverified',
    (_l, _w, _is, fact) => {
      const node = fact.node()
      expect(node, fact.what).toBeDefined()
      expect(isUnverified(node)).toBe(fact.unverified)
      if (fact.unverified) expect(typeof node['x-unverified-reason']).toBe('string')
    },
  )

  // ---- inferred statements in operation and field descriptions ----

  it("FACTS:64: TransactionRequest.currency says it should be the terminal's, marked unverified (inferred; the fake refuses another with 422)", () => {
    const currency = txField('currency').definition
    expect(isUnverified(currency)).toBe(true)
    expect(typeof currency['x-unverified-reason']).toBe('string')
    expect(String(currency.description ?? '')).toMatch(/terminal/i)
  })

  it('FACTS:59: the required fields the spec does not list (transactionType; amount and currency of SALE, REFUND, PRE_AUTH, COMPLETION) are marked unverified on TransactionRequest', () => {
    const union = schemaOf(PAC, 'TransactionRequest')
    expect(isUnverified(union)).toBe(true)
    const reason = String(union['x-unverified-reason'])
    for (const word of ['transactionType', 'amount', 'currency', ...MONEY_MOVING])
      expect(reason, word).toContain(word)
    // Those branches require them: the inference the mark speaks of.
    for (const type of MONEY_MOVING)
      expect(requiredOf(PAC, TX_BRANCHES[type]), type).toEqual(
        expect.arrayContaining(['transactionType', 'amount', 'currency']),
      )
  })

  it('FACTS:141: startTransaction\'s "no idempotency key" is marked unverified (inferred)', () => {
    const op = operation(PAC, 'POST', '/pac/terminals/{tid}/transactions')
    expect(op.description).toMatch(/idempotency/i)
    expect(isUnverified(op)).toBe(true)
  })

  it("FACTS:142: getTerminal's recovery after a lost start (check for BUSY) is marked unverified (inferred)", () => {
    const op = operation(PAC, 'GET', '/pac/terminals/{tid}')
    expect(op.description).toMatch(/lost/i)
    expect(isUnverified(op)).toBe(true)
  })
})

// ---- 5. limits, client rules, fake and schema agree on the request rules --------------------

describe('request rules: schema, client rules and fake agree (FACTS §2.1)', () => {
  it('FACTS:63-69,76 limits.ts: amounts 1..99,999,999, cashback ..10,000, currencies, transaction and report types', () => {
    expect(MAX_AMOUNT).toBe(99_999_999)
    expect(MAX_CASHBACK).toBe(10_000)
    expect([...CURRENCIES]).toEqual(enumOf(PAC, schemaOf(PAC, 'Currency')))
    expect([...TRANSACTION_TYPES]).toEqual(enumOf(PAC, schemaOf(PAC, 'RequestTransactionType')))
    expect([...REPORT_TYPES]).toEqual(enumOf(PAC, schemaOf(PAC, 'ReportType')))
  })

  const ajv = new Ajv2020({ strict: false, allErrors: true })
  const schemaAccepts = (name: string) => {
    const validate = ajv.compile(inline(PAC, schemaOf(PAC, name)))
    return (body: unknown) => validate(body)
  }
  const txSchema = schemaAccepts('TransactionRequest')
  const reportSchema = schemaAccepts('ReportRequest')
  const signatureSchema = schemaAccepts('SignatureRequest')

  const clientAccepts = (key: string, body: Record<string, unknown>) => {
    try {
      checkFields(body, BODY_RULES[key]!)
      return true
    } catch {
      return false
    }
  }

  /** On a fresh GBP terminal: 201 means accepted, 422 refused. */
  async function fakeAccepts(path: string, body: unknown): Promise<boolean> {
    const h = harness()
    const { status } = await h.call(pac('POST', path, { body }))
    if (status !== 201 && status !== 422) throw new Error(`unexpected ${status}`)
    return status === 201
  }

  const GBP = { currency: 'GBP' }
  const TX_CASES: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['65', 'SALE amount 1 is valid', { transactionType: 'SALE', amount: 1, ...GBP }, true],
    [
      '65',
      'SALE amount 99,999,999 is valid',
      { transactionType: 'SALE', amount: 99_999_999, ...GBP },
      true,
    ],
    ['65', 'SALE amount 0 is refused', { transactionType: 'SALE', amount: 0, ...GBP }, false],
    [
      '65',
      'SALE amount 100,000,000 is refused',
      { transactionType: 'SALE', amount: 100_000_000, ...GBP },
      false,
    ],
    [
      '65',
      'SALE amount 1.5 (not integer pence) is refused',
      { transactionType: 'SALE', amount: 1.5, ...GBP },
      false,
    ],
    [
      '65',
      'DUPLICATE with an amount is refused',
      { transactionType: 'DUPLICATE', amount: 100 },
      false,
    ],
    [
      '66',
      'SALE cashback 0 is valid',
      { transactionType: 'SALE', amount: 100, amountCashback: 0, ...GBP },
      true,
    ],
    [
      '66',
      'SALE cashback 10,000 is valid',
      { transactionType: 'SALE', amount: 100, amountCashback: 10_000, ...GBP },
      true,
    ],
    [
      '66',
      'SALE cashback 10,001 is refused',
      { transactionType: 'SALE', amount: 100, amountCashback: 10_001, ...GBP },
      false,
    ],
    [
      '66',
      'REFUND with cashback is refused (SALE only)',
      { transactionType: 'REFUND', amount: 100, amountCashback: 0, ...GBP },
      false,
    ],
    [
      '66',
      'PRE_AUTH with cashback is refused (SALE only)',
      { transactionType: 'PRE_AUTH', amount: 100, amountCashback: 50, ...GBP },
      false,
    ],
    [
      '68-69',
      'COMPLETION with authCode and amountPreAuthorisedTotal is valid',
      {
        transactionType: 'COMPLETION',
        amount: 100,
        authCode: 'ABC123',
        amountPreAuthorisedTotal: 100,
        ...GBP,
      },
      true,
    ],
    [
      '68',
      'COMPLETION without authCode is refused',
      { transactionType: 'COMPLETION', amount: 100, amountPreAuthorisedTotal: 100, ...GBP },
      false,
    ],
    [
      '69',
      'COMPLETION without amountPreAuthorisedTotal is refused',
      { transactionType: 'COMPLETION', amount: 100, authCode: 'ABC123', ...GBP },
      false,
    ],
    [
      '69',
      'COMPLETION amountPreAuthorisedTotal 100,000,000 is refused',
      {
        transactionType: 'COMPLETION',
        amount: 100,
        authCode: 'ABC123',
        amountPreAuthorisedTotal: 100_000_000,
        ...GBP,
      },
      false,
    ],
    [
      '68',
      'SALE with authCode is refused (COMPLETION only)',
      { transactionType: 'SALE', amount: 100, authCode: 'ABC123', ...GBP },
      false,
    ],
    [
      '69',
      'REFUND with amountPreAuthorisedTotal is refused (COMPLETION only)',
      { transactionType: 'REFUND', amount: 100, amountPreAuthorisedTotal: 100, ...GBP },
      false,
    ],
    ['72', 'DUPLICATE alone (spec example) is valid', { transactionType: 'DUPLICATE' }, true],
    [
      '72',
      'ACCOUNT_VERIFICATION alone (spec example) is valid',
      { transactionType: 'ACCOUNT_VERIFICATION' },
      true,
    ],
    [
      '71',
      'the spec SALE example is valid',
      {
        transactionType: 'SALE',
        amount: 100,
        amountCashback: 50,
        currency: 'GBP',
        cardholderNotPresent: true,
      },
      true,
    ],
    [
      '63',
      'transactionType outside the enum is refused',
      { transactionType: 'VOID', amount: 100, ...GBP },
      false,
    ],
    [
      '64',
      'currency outside GBP|EUR is refused',
      { transactionType: 'SALE', amount: 100, currency: 'USD' },
      false,
    ],
  ]

  it.each(TX_CASES)(
    'FACTS:%s transaction request: %s (schema, client rules and fake agree)',
    async (_l, _n, body, valid) => {
      const verdicts = {
        schema: txSchema(body),
        client: clientAccepts('POST /pac/terminals/{tid}/transactions', body),
        fake: await fakeAccepts('/pac/terminals/22160001/transactions', body),
      }
      expect(verdicts).toEqual({ schema: valid, client: valid, fake: valid })
    },
  )

  it.each([
    ['76', 'X_BALANCE', true],
    ['76', 'END_OF_DAY', true],
    ['76', 'DAILY', false],
  ] as const)(
    'FACTS:%s report request reportType %s valid=%s (schema, client rules and fake agree)',
    async (_l, reportType, valid) => {
      const body = { reportType }
      expect({
        schema: reportSchema(body),
        client: clientAccepts('POST /pac/terminals/{tid}/reports', body),
        fake: await fakeAccepts('/pac/terminals/22160001/reports', body),
      }).toEqual({ schema: valid, client: valid, fake: valid })
    },
  )

  it.each([
    ['75', { accepted: true }, true],
    ['75', { accepted: 'yes' }, false],
    ['75', {}, false],
  ] as const)(
    'FACTS:%s signature request %j valid=%s (schema and client rules agree)',
    (_l, body, valid) => {
      expect({
        schema: signatureSchema(body),
        client: clientAccepts(
          'PUT /pac/terminals/{tid}/transactions/{requestId}/signature',
          body as Record<string, unknown>,
        ),
      }).toEqual({ schema: valid, client: valid })
    },
  )

  it.each([
    ['196', 'PUT /pat/tables/{tableName}/receipt', 'newReceipt'],
    ['197', 'PUT /pat/tables/{tableName}/waiterids', 'newWaiterIds'],
    ['194', 'PUT /pat/tables/{tableName}/amount', 'newAmount'],
    ['195', 'PUT /pat/tables/{tableName}/lock', 'locked'],
  ])('FACTS:%s client rules for %s refuse a body without the required %s', (_l, key, _field) => {
    expect(clientAccepts(key, { lastKnownAmount: 100, lastKnownPaidAmount: 0 })).toBe(false)
  })

  it('FACTS:191 client rules for PUT /pat/tables refuse a body without tableName, amount or currency', () => {
    const full = { tableName: 'T1', amount: 100, currency: 'GBP' }
    expect(clientAccepts('PUT /pat/tables', full)).toBe(true)
    for (const field of ['tableName', 'amount', 'currency']) {
      const { [field]: _dropped, ...rest } = full as Record<string, unknown>
      expect(clientAccepts('PUT /pat/tables', rest), field).toBe(false)
    }
  })
})

// ---- 6. the client sends the versioned media types and the headers -------------------------

describe('client requests (FACTS:22, 24-25)', () => {
  async function sent(api: 'pac' | 'pat') {
    const requests: Request[] = []
    const client = createPaymentsenseClient({
      account: 'mysite',
      environment: 'test',
      apiKey: 'k',
      softwareHouseId: 'SWH-1',
      installerId: 'INST-1',
      minIntervalMs: 0,
      retry: false,
      clock: createManualClock({ autoAdvance: true }),
      fetch: async (request) => {
        requests.push(request)
        return new Response(null, { status: 204 })
      },
    })
    if (api === 'pac') {
      await client.pac.PUT('/pac/terminals/{tid}/transactions/{requestId}/signature', {
        params: { path: { tid: 'T', requestId: '00000000-0000-4000-8000-000000000000' } },
        body: { accepted: true },
      })
    } else {
      await client.pat.PUT('/pat/tables/{tableName}/lock', {
        params: { path: { tableName: 'T1' } },
        body: { lastKnownAmount: 1, lastKnownPaidAmount: 0, locked: true },
      })
    }
    return requests[0]!.headers
  }

  it('FACTS:22,24-25 pac requests carry Accept/Content-Type application/connect.v2+json and both EPoS headers', async () => {
    const h = await sent('pac')
    expect(h.get('accept')).toBe(V2)
    expect(h.get('content-type')).toBe(V2)
    expect(h.get('software-house-id')).toBe('SWH-1')
    expect(h.get('installer-id')).toBe('INST-1')
  })

  it('FACTS:22 pat requests carry Accept/Content-Type application/connect.v1+json', async () => {
    const h = await sent('pat')
    expect(h.get('accept')).toBe(V1)
    expect(h.get('content-type')).toBe(V1)
  })
})

// ---- 7. status codes the fake answers vs the schema's declared responses --------------------

interface FakeOp {
  method: string
  path: string
  /** Concrete URL path, given the context. */
  url: (c: Ctx) => string
  body?: unknown
  /** Requests that make the fake refuse (unknown resource, bad input, busy, locked, …). */
  refusals: (c: Ctx) => Array<{ url: string; body?: unknown }>
}

interface Ctx {
  h: Harness
  txId: string
  reportId: string
}

const TID = '22160001'
const GUARD = { lastKnownAmount: 1000, lastKnownPaidAmount: 0 }
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

const FAKE_OPS: FakeOp[] = [
  {
    method: 'GET',
    path: '/pac/terminals',
    url: () => '/pac/terminals',
    refusals: () => [{ url: '/pac/terminals?status=IDLE' }, { url: '/pac/terminals?currency=USD' }],
  },
  {
    method: 'GET',
    path: '/pac/terminals/{tid}',
    url: () => `/pac/terminals/${TID}`,
    refusals: () => [{ url: '/pac/terminals/NOPE' }],
  },
  {
    method: 'POST',
    path: '/pac/terminals/{tid}/transactions',
    url: () => '/pac/terminals/VCMINVLSIP0/transactions',
    body: { transactionType: 'SALE', amount: 100, currency: 'GBP' },
    refusals: () => [
      {
        url: '/pac/terminals/NOPE/transactions',
        body: { transactionType: 'SALE', amount: 100, currency: 'GBP' },
      },
      {
        url: `/pac/terminals/${TID}/transactions`,
        body: { transactionType: 'SALE', amount: 100, currency: 'GBP' },
      }, // busy
      {
        url: '/pac/terminals/22160003/transactions',
        body: { transactionType: 'SALE', amount: 0, currency: 'EUR' },
      },
    ],
  },
  {
    method: 'GET',
    path: '/pac/terminals/{tid}/transactions/{requestId}',
    url: (c) => `/pac/terminals/${TID}/transactions/${c.txId}`,
    refusals: () => [
      { url: `/pac/terminals/${TID}/transactions/${UNKNOWN_ID}` },
      { url: `/pac/terminals/NOPE/transactions/${UNKNOWN_ID}` },
    ],
  },
  {
    method: 'PUT',
    path: '/pac/terminals/{tid}/transactions/{requestId}/signature',
    url: (c) => `/pac/terminals/${TID}/transactions/${c.txId}/signature`,
    body: { accepted: true },
    refusals: () => [
      {
        url: `/pac/terminals/${TID}/transactions/${UNKNOWN_ID}/signature`,
        body: { accepted: true },
      },
    ],
  },
  {
    method: 'DELETE',
    path: '/pac/terminals/{tid}/transactions/{requestId}',
    url: (c) => `/pac/terminals/${TID}/transactions/${c.txId}`,
    refusals: () => [{ url: `/pac/terminals/${TID}/transactions/${UNKNOWN_ID}` }],
  },
  {
    method: 'POST',
    path: '/pac/terminals/{tid}/reports',
    url: () => '/pac/terminals/22160003/reports',
    body: { reportType: 'X_BALANCE' },
    refusals: () => [
      { url: '/pac/terminals/NOPE/reports', body: { reportType: 'X_BALANCE' } },
      { url: '/pac/terminals/22160002/reports', body: { reportType: 'DAILY' } },
    ],
  },
  {
    method: 'GET',
    path: '/pac/terminals/{tid}/reports/{requestId}',
    url: (c) => `/pac/terminals/22160002/reports/${c.reportId}`,
    refusals: () => [{ url: `/pac/terminals/22160002/reports/${UNKNOWN_ID}` }],
  },
  {
    method: 'GET',
    path: '/pat/tables',
    url: () => '/pat/tables',
    refusals: () => [{ url: '/pat/tables?locked=maybe' }],
  },
  {
    method: 'PUT',
    path: '/pat/tables',
    url: () => '/pat/tables',
    body: { tableName: 'NEW', amount: 500, currency: 'GBP' },
    refusals: () => [
      { url: '/pat/tables', body: { tableName: 'T1', amount: 500, currency: 'GBP' } },
      { url: '/pat/tables', body: { tableName: 'X' } },
    ],
  },
  {
    method: 'GET',
    path: '/pat/tables/{tableName}',
    url: () => '/pat/tables/T1?receipt=true',
    refusals: () => [{ url: '/pat/tables/NOPE' }, { url: '/pat/tables/T1?receipt=maybe' }],
  },
  {
    method: 'PUT',
    path: '/pat/tables/{tableName}/amount',
    url: () => '/pat/tables/T1/amount',
    body: { ...GUARD, newAmount: 1000 },
    refusals: () => [
      { url: '/pat/tables/NOPE/amount', body: { ...GUARD, newAmount: 1 } },
      { url: '/pat/tables/T1/amount', body: { ...GUARD, lastKnownAmount: 7, newAmount: 1 } },
      { url: '/pat/tables/TL/amount', body: { ...GUARD, newAmount: 1 } },
    ],
  },
  {
    method: 'PUT',
    path: '/pat/tables/{tableName}/lock',
    url: () => '/pat/tables/T1/lock',
    body: { ...GUARD, locked: false },
    refusals: () => [
      { url: '/pat/tables/NOPE/lock', body: { ...GUARD, locked: true } },
      { url: '/pat/tables/TL/lock', body: { ...GUARD, locked: true } },
    ],
  },
  {
    method: 'PUT',
    path: '/pat/tables/{tableName}/receipt',
    url: () => '/pat/tables/T1/receipt',
    body: { ...GUARD, newReceipt: [{ value: 'x' }] },
    refusals: () => [
      { url: '/pat/tables/NOPE/receipt', body: { ...GUARD, newReceipt: [] } },
      { url: '/pat/tables/TL/receipt', body: { ...GUARD, newReceipt: [] } },
    ],
  },
  {
    method: 'PUT',
    path: '/pat/tables/{tableName}/waiterids',
    url: () => '/pat/tables/T1/waiterids',
    body: { ...GUARD, newWaiterIds: ['W1'] },
    refusals: () => [
      { url: '/pat/tables/NOPE/waiterids', body: { ...GUARD, newWaiterIds: [] } },
      { url: '/pat/tables/TL/waiterids', body: { ...GUARD, newWaiterIds: [] } },
    ],
  },
  {
    method: 'DELETE',
    path: '/pat/tables/{tableName}',
    url: () => '/pat/tables/TD',
    body: GUARD,
    refusals: () => [
      { url: '/pat/tables/NOPE', body: GUARD },
      { url: '/pat/tables/TL', body: GUARD },
      { url: '/pat/tables/T1', body: { ...GUARD, lastKnownPaidAmount: 5 } },
    ],
  },
  { method: 'GET', path: '/pat/reports', url: () => '/pat/reports', refusals: () => [] },
  {
    method: 'GET',
    path: '/pat/reports/{reportId}',
    url: () => `/pat/reports/${UNKNOWN_ID}`,
    refusals: () => [],
  },
]

async function fakeContext(options: Parameters<typeof harness>[0] = {}): Promise<Ctx> {
  const h = harness({
    tables: [
      { tableName: 'T1', amount: 1000, currency: 'GBP' },
      { tableName: 'TD', amount: 1000, currency: 'GBP' },
      { tableName: 'TL', amount: 1000, currency: 'GBP' },
    ],
    ...options,
  })
  h.cloud.tables.lock('TL', TID)
  const started = await h.call(
    pac('POST', `/pac/terminals/${TID}/transactions`, {
      body: { transactionType: 'SALE', amount: 100, currency: 'GBP' },
    }),
  )
  const report = await h.call(
    pac('POST', '/pac/terminals/22160002/reports', { body: { reportType: 'BANKING' } }),
  )
  return { h, txId: started.body.requestId, reportId: report.body.requestId }
}

const requestFor = (op: FakeOp, url: string, options: RequestOptions = {}) =>
  (op.path.startsWith('/pac') ? pac : pat)(op.method, url, options)

describe('fake cloud status codes vs declared responses', () => {
  it.each(FAKE_OPS.map((op) => [`${op.method} ${op.path}`, op]))(
    '%s: every status the fake answers (success, 401, bad JSON, missing EPoS headers, refusals) is declared',
    async (_name, op) => {
      const c = await fakeContext()
      const doc = op.path.startsWith('/pac') ? PAC : PAT
      const media = doc === PAC ? V2 : V1
      const seen = new Map<number, string>()
      const record = async (why: string, request: Request) => {
        const r = await c.h.cloud.fetch(request)
        if (r.status !== 204 && r.status !== 202) {
          expect(r.headers.get('content-type'), `${why} content-type`).toBe(media)
          if (r.status >= 400) expect(typeof (await r.json()).userMessage, why).toBe('string')
        }
        if (!seen.has(r.status)) seen.set(r.status, why)
      }
      const body = op.body
      await record(
        'no auth',
        requestFor(op, op.url(c), {
          ...(body !== undefined && { body }),
          headers: { authorization: undefined },
        }),
      )
      if (body !== undefined)
        await record('bad JSON', requestFor(op, op.url(c), { body: '{not json' }))
      if (doc === PAC)
        await record(
          'no Software-House-Id',
          requestFor(op, op.url(c), {
            ...(body !== undefined && { body }),
            headers: { 'software-house-id': undefined },
          }),
        )
      for (const refusal of op.refusals(c))
        await record(
          `refusal ${refusal.url}`,
          requestFor(op, refusal.url, refusal.body !== undefined ? { body: refusal.body } : {}),
        )
      await record('valid', requestFor(op, op.url(c), body !== undefined ? { body } : {}))
      const declared = Object.keys(responsesOf(doc, op.method, op.path))
      const undeclared = [...seen]
        .filter(([status]) => !declared.includes(String(status)))
        .map(([s, why]) => `${s} (${why})`)
      expect(undeclared).toEqual([])
    },
  )

  it('FACTS:22-23: the fake answers 406 to a missing or other-version Accept on every operation, and every operation declares it, marked unverified', async () => {
    const c = await fakeContext()
    const undeclared: string[] = []
    for (const op of FAKE_OPS) {
      for (const accept of [undefined, 'application/json']) {
        const r = await c.h.cloud.fetch(
          requestFor(op, op.url(c), {
            ...(op.body !== undefined && { body: op.body }),
            headers: { accept },
          }),
        )
        expect(r.status, `${op.method} ${op.path} accept=${accept}`).toBe(406)
      }
      const doc = op.path.startsWith('/pac') ? PAC : PAT
      const r406 = responsesOf(doc, op.method, op.path)['406']
      if (!r406 || !(isUnverified(r406.ref) || isUnverified(r406.body)))
        undeclared.push(`${op.method} ${op.path}`)
    }
    expect(undeclared).toEqual([])
  })

  it('FACTS:136-137: the fake answers 429 to requests closer than 0.1 s on every operation, and every operation declares it, marked unverified', async () => {
    const c = await fakeContext()
    const clock = createManualClock()
    const spaced = harness({
      clock,
      requestSpacingMs: 100,
      tables: [
        { tableName: 'T1', amount: 1000, currency: 'GBP' },
        { tableName: 'TD', amount: 1000, currency: 'GBP' },
      ],
    })
    const undeclared: string[] = []
    for (const op of FAKE_OPS) {
      await clock.advance(1000)
      await spaced.cloud.fetch(pac('GET', '/pac/terminals'))
      const r = await spaced.cloud.fetch(
        requestFor(op, op.url(c), op.body !== undefined ? { body: op.body } : {}),
      )
      expect(r.status, `${op.method} ${op.path}`).toBe(429)
      const doc = op.path.startsWith('/pac') ? PAC : PAT
      const r429 = responsesOf(doc, op.method, op.path)['429']
      if (!r429 || !(isUnverified(r429.ref) || isUnverified(r429.body)))
        undeclared.push(`${op.method} ${op.path}`)
    }
    expect(undeclared).toEqual([])
  })
})

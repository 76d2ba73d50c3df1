/**
 * Do our Payroc Cloud schemas (cloud-v1, identity), the fake cloud and the client's request
 * rules state the facts of the shared Payroc fact sheet? Each test checks one fact (or one table of
 * facts); the `FACTS:<line>` prefix names the line of the fact sheet it comes from.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { checkFields } from '@tillkit/core'
import { BODY_RULES, QUERY_RULES } from '../src/rules.js'
import {
  ENTRY_METHODS,
  INSTRUCTION_STATUSES,
  LONG_POLL_HOLD_MS,
  POLL_TIMEOUT_MS,
  TOKEN_REFRESH_MARGIN_MS,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  UUID_V4,
} from '../src/limits.js'
import { approvalOf } from '../src/approval.js'
import { harness, IDENTITY, API, SERIAL, TERMINAL, read, type Harness } from './mock/helpers.js'
import {
  enumOf,
  inline,
  isUnverified,
  mediaTypes,
  operation,
  parametersOf,
  propertiesOf,
  requiredOf,
  resolve,
  responsesOf,
  schemaOf,
  sorted,
  type Doc,
} from '../../core/test/schema-facts.js'

const loadSchema = (file: string): Doc =>
  YAML.parse(readFileSync(new URL(`../../../schemas/payroc/${file}`, import.meta.url), 'utf8'))
const CLOUD: Doc = loadSchema('cloud-v1.openapi.yaml')
const ID: Doc = loadSchema('identity.openapi.yaml')
const JSON_MEDIA = 'application/json'

const prop = (schema: string, name: string) => propertiesOf(CLOUD, schemaOf(CLOUD, schema))[name]

/** Ajv with the formats the schemas use, checked by pattern (ajv-formats is not installed). */
const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  formats: {
    'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i,
    date: /^\d{4}-\d{2}-\d{2}$/,
    uri: /^[a-z][a-z0-9+.-]*:\S*$/i,
  },
})
const validator = (doc: Doc, node: Doc) => ajv.compile(inline(doc, node))

// ---- 1. operations and status codes -------------------------------------------------------

interface OpFact {
  line: number
  method: string
  path: string
  success: string
  /** Error statuses the fact sheet states (empty: none stated). */
  errors: string[]
  body?: string
  request?: string
}

const CLOUD_ERRORS = ['400', '401', '403', '404', '406', '500']
const OPS: OpFact[] = [
  {
    line: 32,
    method: 'POST',
    path: '/devices/{serialNumber}/payment-instructions',
    success: '202',
    errors: [...CLOUD_ERRORS, '409', '415'],
    body: 'PaymentInstruction',
    request: 'PaymentInstructionRequest',
  },
  {
    line: 33,
    method: 'GET',
    path: '/payment-instructions/{paymentInstructionId}',
    success: '200',
    errors: CLOUD_ERRORS,
    body: 'PaymentInstruction',
  },
  {
    line: 34,
    method: 'DELETE',
    path: '/payment-instructions/{paymentInstructionId}',
    success: '204',
    errors: [...CLOUD_ERRORS, '409'],
  },
  {
    line: 35,
    method: 'POST',
    path: '/devices/{serialNumber}/refund-instructions',
    success: '202',
    errors: [...CLOUD_ERRORS, '409', '415'],
    body: 'RefundInstruction',
    request: 'RefundInstructionRequest',
  },
  {
    line: 36,
    method: 'GET',
    path: '/refund-instructions/{refundInstructionId}',
    success: '200',
    errors: CLOUD_ERRORS,
    body: 'RefundInstruction',
  },
  {
    line: 36,
    method: 'DELETE',
    path: '/refund-instructions/{refundInstructionId}',
    success: '204',
    errors: [...CLOUD_ERRORS, '409'],
  },
  {
    line: 37,
    method: 'POST',
    path: '/devices/{serialNumber}/signature-instructions',
    success: '202',
    errors: [...CLOUD_ERRORS, '409', '415'],
    body: 'SignatureInstruction',
    request: 'SignatureInstructionRequest',
  },
  {
    line: 38,
    method: 'GET',
    path: '/signature-instructions/{signatureInstructionId}',
    success: '200',
    errors: CLOUD_ERRORS,
    body: 'SignatureInstruction',
  },
  {
    line: 38,
    method: 'DELETE',
    path: '/signature-instructions/{signatureInstructionId}',
    success: '204',
    errors: [...CLOUD_ERRORS, '409'],
  },
  {
    line: 39,
    method: 'GET',
    path: '/payments/{paymentId}',
    success: '200',
    errors: [],
    body: 'RetrievedPayment',
  },
  { line: 40, method: 'GET', path: '/refunds/{refundId}', success: '200', errors: [] },
  {
    line: 41,
    method: 'GET',
    path: '/signatures/{signatureId}',
    success: '200',
    errors: [],
    body: 'Signature',
  },
  {
    line: 42,
    method: 'POST',
    path: '/payments/{paymentId}/refunds',
    success: '201',
    errors: [],
    request: 'ReferencedRefundRequest',
  },
  {
    line: 43,
    method: 'POST',
    path: '/payments/{paymentId}/reverse',
    success: '200',
    errors: [],
    request: 'ReversalRequest',
  },
  {
    line: 44,
    method: 'GET',
    path: '/devices',
    success: '200',
    errors: [],
    body: 'DeviceList',
  },
]
/** The payment search, known only from the inferred recovery recipe. */
const SEARCH: OpFact = {
  line: 119,
  method: 'GET',
  path: '/payments',
  success: '200',
  errors: [],
  body: 'PaymentList',
}
const ALL_OPS = [...OPS, SEARCH]
const opRow = (o: OpFact) => [o.line, o.method, o.path, o] as const

describe('operations and status codes (FACTS §2)', () => {
  it('FACTS:28-44,119: the cloud schema has exactly the operations of the fact sheet (plus the inferred payment search)', () => {
    const ops = sorted(
      Object.entries(CLOUD.paths).flatMap(([path, item]: [string, Doc]) =>
        Object.keys(item)
          .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
          .map((m) => `${m.toUpperCase()} ${path}`),
      ),
    )
    expect(ops).toEqual(sorted(ALL_OPS.map((o) => `${o.method} ${o.path}`)))
  })

  it.each(ALL_OPS.map(opRow))(
    'FACTS:%i %s %s declares the success status of the fact (the only 2xx) and every error status of the fact',
    (_l, method, path, fact) => {
      const declared = Object.keys(responsesOf(CLOUD, method, path))
      expect(declared).toEqual(expect.arrayContaining([fact.success, ...fact.errors]))
      expect(declared.filter((c) => c.startsWith('2'))).toEqual([fact.success])
    },
  )

  it.each(ALL_OPS.map(opRow))(
    'FACTS:%i,46 %s %s: an error status the fact sheet does not state is marked x-unverified (on the response or the operation)',
    (_l, method, path, fact) => {
      const op = operation(CLOUD, method, path)
      const extra = Object.entries(responsesOf(CLOUD, method, path))
        .filter(([code]) => code !== fact.success && !fact.errors.includes(code))
        .filter(([, r]) => !isUnverified(r.ref) && !isUnverified(r.body) && !isUnverified(op))
        .map(([code]) => code)
      expect(extra).toEqual([])
    },
  )

  it.each(ALL_OPS.filter((o) => o.body).map((o) => [o.line, o.method, o.path, o.success, o.body!]))(
    'FACTS:%i %s %s answers %s with %s in application/json',
    (_l, method, path, success, body) => {
      const r = responsesOf(CLOUD, method, path)[success]!.body
      expect(Object.keys(r.content)).toEqual([JSON_MEDIA])
      expect(r.content[JSON_MEDIA].schema.$ref).toBe(`#/components/schemas/${body}`)
    },
  )

  it.each(OPS.filter((o) => o.success === '204').map((o) => [o.line, o.method, o.path]))(
    'FACTS:%i %s %s answers 204 with an empty body',
    (_l, method, path) => {
      expect(responsesOf(CLOUD, method, path)['204']!.body.content).toBeUndefined()
    },
  )

  it.each(OPS.filter((o) => o.request).map((o) => [o.line, o.method, o.path, o.request!]))(
    'FACTS:25,%i %s %s takes a required %s body in application/json',
    (_l, method, path, request) => {
      const body = operation(CLOUD, method, path).requestBody
      expect(body.required).toBe(true)
      expect(Object.keys(body.content)).toEqual([JSON_MEDIA])
      expect(body.content[JSON_MEDIA].schema.$ref).toBe(`#/components/schemas/${request}`)
    },
  )

  it('FACTS:32,35,37,46-47: the submit status 202 is marked the same way on all three instruction kinds (same evidence for each)', () => {
    const marks = Object.fromEntries(
      ['payment', 'refund', 'signature'].map((kind) => [
        kind,
        isUnverified(
          responsesOf(CLOUD, 'POST', `/devices/{serialNumber}/${kind}-instructions`)['202']!.ref,
        ),
      ]),
    )
    expect(new Set(Object.values(marks)).size, JSON.stringify(marks)).toBe(1)
  })

  it('FACTS:44: GET /devices takes serialNumber, ksi, model, active, limit, before, after; limit defaults to 10', () => {
    const q = Object.fromEntries(
      parametersOf(CLOUD, 'GET', '/devices')
        .filter((p) => p.in === 'query')
        .map((p) => [p.name, resolve(CLOUD, p.schema)]),
    )
    expect(sorted(Object.keys(q))).toEqual(
      sorted(['serialNumber', 'ksi', 'model', 'active', 'limit', 'before', 'after']),
    )
    expect(q.active.type).toBe('boolean')
    expect(q.limit.type).toBe('integer')
    expect(q.limit.default).toBe(10)
  })

  it('FACTS:120-121: GET /payments takes the filters of the recovery recipe, and is marked x-unverified (inferred)', () => {
    const names = parametersOf(CLOUD, 'GET', '/payments')
      .filter((p) => p.in === 'query')
      .map((p) => p.name)
    expect(sorted(names)).toEqual(
      sorted([
        'first6',
        'last4',
        'cardholderName',
        'orderId',
        'operator',
        'dateFrom',
        'dateTo',
        'status',
        'type',
        'processingTerminalId',
        'limit',
        'before',
        'after',
      ]),
    )
    expect(isUnverified(operation(CLOUD, 'GET', '/payments'))).toBe(true)
  })
})

// ---- 2. environments, auth, headers ---------------------------------------------------------

describe('environments, auth and headers (FACTS §1)', () => {
  it('FACTS:17-18: API hosts per environment (UAT, live)', () => {
    expect(CLOUD.servers.map((s: Doc) => s.url).sort()).toEqual(
      ['https://api.uat.payroc.com/v1', 'https://api.payroc.com/v1'].sort(),
    )
  })

  it('FACTS:19: identity hosts per environment (UAT, live)', () => {
    expect(ID.servers.map((s: Doc) => s.url).sort()).toEqual(
      ['https://identity.uat.payroc.com', 'https://identity.payroc.com'].sort(),
    )
  })

  it('FACTS:22: every API operation uses the bearer scheme (no operation overrides security)', () => {
    expect(CLOUD.security).toEqual([{ bearer: [] }])
    expect(CLOUD.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    })
    const overriding = ALL_OPS.filter((o) => operation(CLOUD, o.method, o.path).security)
    expect(overriding).toEqual([])
  })

  it('FACTS:20: the token call is POST /authorize with the x-api-key header and no body', () => {
    expect(Object.keys(ID.paths)).toEqual(['/authorize'])
    expect(Object.keys(ID.paths['/authorize'])).toEqual(['post'])
    expect(operation(ID, 'POST', '/authorize').requestBody).toBeUndefined()
    expect(ID.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    })
    expect(ID.security).toEqual([{ apiKey: [] }])
  })

  it('FACTS:21: the token answer has access_token, token_type, expires_in (required) and scope (optional)', () => {
    const t = schemaOf(ID, 'TokenResponse')
    expect(sorted(Object.keys(t.properties))).toEqual(
      sorted(['access_token', 'token_type', 'expires_in', 'scope']),
    )
    expect(sorted(t.required)).toEqual(sorted(['access_token', 'token_type', 'expires_in']))
    expect(t.properties.access_token.type).toBe('string')
    expect(t.properties.token_type.type).toBe('string')
    expect(['number', 'integer']).toContain(t.properties.expires_in.type)
    expect(
      operation(ID, 'POST', '/authorize').responses['200'].content[JSON_MEDIA].schema.$ref,
    ).toBe('#/components/schemas/TokenResponse')
  })

  it('FACTS:23: token errors are not modelled by the SDK, so the identity 401 is marked x-unverified', () => {
    const r401 = operation(ID, 'POST', '/authorize').responses['401']
    expect(isUnverified(r401)).toBe(true)
    expect(typeof r401['x-unverified-reason']).toBe('string')
  })

  it('FACTS:21-22: the client renews the token 2 min before expiry; the fake issues 3600 s tokens', async () => {
    expect(TOKEN_REFRESH_MARGIN_MS).toBe(120_000)
    const h = harness()
    const answer = await read(
      await h.cloud.fetch(`${IDENTITY}/authorize`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-api-key' },
      }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 })
    expect(validator(ID, schemaOf(ID, 'TokenResponse'))(answer.body)).toBe(true)
  })

  it('FACTS:24: Idempotency-Key is a required header on exactly the five money-moving POSTs, never on GET or DELETE', () => {
    const withKey = ALL_OPS.filter((o) =>
      parametersOf(CLOUD, o.method, o.path).some(
        (p) => p.in === 'header' && p.name === 'Idempotency-Key' && p.required === true,
      ),
    ).map((o) => `${o.method} ${o.path}`)
    expect(sorted(withKey)).toEqual(
      sorted([
        'POST /devices/{serialNumber}/payment-instructions',
        'POST /devices/{serialNumber}/refund-instructions',
        'POST /devices/{serialNumber}/signature-instructions',
        'POST /payments/{paymentId}/refunds',
        'POST /payments/{paymentId}/reverse',
      ]),
    )
  })

  it.each([
    ['0b6f6f2e-4a5b-4c1d-8e2f-3a4b5c6d7e8f', true],
    ['0B6F6F2E-4A5B-4C1D-9E2F-3A4B5C6D7E8F', true],
    ['0b6f6f2e-4a5b-1c1d-8e2f-3a4b5c6d7e8f', false], // version 1
    ['0b6f6f2e-4a5b-4c1d-ce2f-3a4b5c6d7e8f', false], // wrong variant
    ['not-a-uuid', false],
  ] as const)(
    'FACTS:24: Idempotency-Key %s is a UUID v4: %s (schema and client agree)',
    (key, valid) => {
      const param = parametersOf(
        CLOUD,
        'POST',
        '/devices/{serialNumber}/payment-instructions',
      ).find((p) => p.name === 'Idempotency-Key')
      const schema = new RegExp(resolve(CLOUD, param.schema).pattern).test(key)
      expect({ schema, client: UUID_V4.test(key) }).toEqual({ schema: valid, client: valid })
    },
  )

  it('FACTS:25-26,125-131: every body of both schemas is application/json', () => {
    expect(sorted(mediaTypes(CLOUD))).toEqual([JSON_MEDIA])
    expect(sorted(mediaTypes(ID))).toEqual([JSON_MEDIA])
  })
})

// ---- 3. bodies: fields, required lists, enums, types ----------------------------------------

interface FieldFact {
  line: string
  doc: Doc
  schema: string
  node?: () => Doc
  properties: string[]
  required?: string[]
}

const FIELD_FACTS: FieldFact[] = [
  {
    line: '51-62',
    doc: CLOUD,
    schema: 'PaymentInstructionRequest',
    properties: [
      'processingTerminalId',
      'order',
      'operator',
      'customer',
      'ipAddress',
      'credentialOnFile',
      'customizationOptions',
      'autoCapture',
      'processAsSale',
    ],
    required: ['processingTerminalId', 'order'],
  },
  {
    line: '57',
    doc: CLOUD,
    schema: 'Customer',
    properties: [
      'firstName',
      'lastName',
      'dateOfBirth',
      'referenceNumber',
      'billingAddress',
      'shippingAddress',
      'contactMethods',
      'notificationLanguage',
    ],
  },
  { line: '58', doc: CLOUD, schema: 'IpAddress', properties: ['type', 'value'] },
  {
    line: '59',
    doc: CLOUD,
    schema: 'CredentialOnFile',
    properties: ['externalVault', 'tokenize', 'secureTokenId', 'mitAgreement'],
  },
  {
    line: '60',
    doc: CLOUD,
    schema: 'CustomizationOptions',
    properties: ['entryMethod', 'ebtDetails', 'closedLoopOptions'],
  },
  {
    line: '60',
    doc: CLOUD,
    schema: 'CustomizationOptions.ebtDetails',
    node: () => prop('CustomizationOptions', 'ebtDetails'),
    properties: ['benefitCategory', 'withdrawal'],
    required: ['benefitCategory'],
  },
  {
    line: '64-68',
    doc: CLOUD,
    schema: 'PaymentInstructionOrder',
    properties: [
      'orderId',
      'amount',
      'currency',
      'dateTime',
      'description',
      'breakdown',
      'acceptPartialAmount',
    ],
    required: ['orderId', 'amount', 'currency'],
  },
  {
    line: '65-68',
    doc: CLOUD,
    schema: 'Breakdown',
    properties: ['subtotal', 'cashbackAmount', 'tip', 'surcharge', 'dualPricing', 'taxes'],
    required: ['subtotal'],
  },
  {
    line: '66',
    doc: CLOUD,
    schema: 'Tip',
    properties: ['type', 'mode', 'amount', 'percentage'],
    required: ['type'],
  },
  {
    line: '66-67',
    doc: CLOUD,
    schema: 'Surcharge',
    properties: ['bypass', 'amount', 'percentage'],
  },
  {
    line: '67',
    doc: CLOUD,
    schema: 'DualPricing',
    properties: ['offered', 'choiceRate', 'alternativeTender'],
    required: ['offered'],
  },
  {
    line: '68',
    doc: CLOUD,
    schema: 'TaxRate',
    properties: ['type', 'rate', 'name'],
    required: ['type', 'rate', 'name'],
  },
  {
    line: '71-72',
    doc: CLOUD,
    schema: 'RefundInstructionRequest',
    properties: [
      'processingTerminalId',
      'order',
      'operator',
      'customer',
      'ipAddress',
      'customizationOptions',
    ],
    required: ['processingTerminalId', 'order'],
  },
  {
    line: '71-72',
    doc: CLOUD,
    schema: 'RefundInstructionOrder',
    properties: ['orderId', 'amount', 'currency', 'description'],
    required: ['orderId', 'amount', 'currency', 'description'],
  },
  {
    line: '74',
    doc: CLOUD,
    schema: 'SignatureInstructionRequest',
    properties: ['processingTerminalId'],
    required: ['processingTerminalId'],
  },
  ...(['payment', 'refund', 'signature'] as const).map((kind): FieldFact => ({
    line: '78-79',
    doc: CLOUD,
    schema: `${kind[0]!.toUpperCase()}${kind.slice(1)}Instruction`,
    properties: ['status', `${kind}InstructionId`, 'errorMessage', 'link'],
    required: [`${kind}InstructionId`],
  })),
  {
    line: '78-79',
    doc: CLOUD,
    schema: 'Link',
    properties: ['rel', 'method', 'href'],
    required: ['rel', 'method', 'href'],
  },
  {
    line: '90-96',
    doc: CLOUD,
    schema: 'RetrievedPayment',
    properties: [
      'paymentId',
      'processingTerminalId',
      'operator',
      'order',
      'customer',
      'card',
      'refunds',
      'supportedOperations',
      'transactionResult',
      'customFields',
    ],
    required: ['paymentId', 'processingTerminalId', 'order', 'card', 'transactionResult'],
  },
  {
    line: '91',
    doc: CLOUD,
    schema: 'PaymentOrder',
    properties: ['breakdown', 'dccOffer', 'standingInstructions'],
  },
  {
    line: '92-94',
    doc: CLOUD,
    schema: 'RetrievedCard',
    properties: [
      'type',
      'cardNumber',
      'expiryDate',
      'entryMethod',
      'cardholderName',
      'cardholderSignature',
      'secureToken',
      'securityChecks',
      'emvTags',
      'balances',
    ],
    required: ['type', 'cardNumber', 'expiryDate'],
  },
  {
    line: '97-101',
    doc: CLOUD,
    schema: 'TransactionResult',
    properties: [
      'status',
      'responseCode',
      'type',
      'ebtType',
      'approvalCode',
      'authorizedAmount',
      'currency',
      'responseMessage',
      'processorResponseCode',
      'cardSchemeReferenceId',
    ],
    required: ['status', 'responseCode'],
  },
  {
    line: '41',
    doc: CLOUD,
    schema: 'Signature',
    properties: ['signatureId', 'processingTerminalId', 'createdOn', 'contentType', 'signature'],
  },
  {
    line: '43',
    doc: CLOUD,
    schema: 'ReversalRequest',
    properties: ['operator', 'amount'],
    required: [],
  },
]

describe('fields and required lists (FACTS §2-§4)', () => {
  it.each(FIELD_FACTS.map((f) => [f.line, f.schema, f]))(
    'FACTS:%s %s has the fields (and required list) of the fact',
    (_l, name, fact) => {
      const s = fact.node ? fact.node() : schemaOf(fact.doc, name)
      expect(s, name).toBeDefined()
      expect(Object.keys(propertiesOf(fact.doc, s))).toEqual(
        expect.arrayContaining(fact.properties),
      )
      if (fact.required) {
        expect(requiredOf(fact.doc, s)).toEqual(expect.arrayContaining(fact.required))
        // nothing required beyond the fact (status of an instruction is allowed: the sheet gives no marker)
        const extra = requiredOf(fact.doc, s).filter(
          (r) => !fact.required!.includes(r) && r !== 'status',
        )
        expect(extra, `${name} requires more than the fact`).toEqual([])
      }
    },
  )

  it('FACTS:43: a reversal without an amount is valid (full reversal); both fields optional', () => {
    expect(validator(CLOUD, schemaOf(CLOUD, 'ReversalRequest'))({})).toBe(true)
  })
})

interface EnumFact {
  line: string
  where: string
  node: () => Doc
  values: string[]
}

const ENUM_FACTS: EnumFact[] = [
  {
    line: '57',
    where: 'Customer.notificationLanguage',
    node: () => prop('Customer', 'notificationLanguage'),
    values: ['en', 'fr'],
  },
  {
    line: '58',
    where: 'IpAddress.type',
    node: () => prop('IpAddress', 'type'),
    values: ['ipv4', 'ipv6'],
  },
  {
    line: '59',
    where: 'CredentialOnFile.mitAgreement',
    node: () => prop('CredentialOnFile', 'mitAgreement'),
    values: ['unscheduled', 'recurring', 'installment'],
  },
  {
    line: '60',
    where: 'CustomizationOptions.entryMethod',
    node: () => prop('CustomizationOptions', 'entryMethod'),
    values: ['deviceRead', 'manualEntry', 'deviceReadOrManualEntry'],
  },
  {
    line: '60',
    where: 'ebtDetails.benefitCategory',
    node: () =>
      resolve(CLOUD, prop('CustomizationOptions', 'ebtDetails')).properties.benefitCategory,
    values: ['cash', 'foodStamp'],
  },
  {
    line: '66',
    where: 'Tip.type',
    node: () => prop('Tip', 'type'),
    values: ['percentage', 'fixedAmount'],
  },
  {
    line: '66',
    where: 'Tip.mode',
    node: () => prop('Tip', 'mode'),
    values: ['prompted', 'adjusted'],
  },
  {
    line: '67',
    where: 'DualPricing.alternativeTender',
    node: () => prop('DualPricing', 'alternativeTender'),
    values: ['card', 'cash', 'bankTransfer'],
  },
  { line: '68', where: 'TaxRate.type', node: () => prop('TaxRate', 'type'), values: ['rate'] },
  {
    line: '80-81',
    where: 'InstructionStatus',
    node: () => schemaOf(CLOUD, 'InstructionStatus'),
    values: ['inProgress', 'completed', 'failure', 'canceled'],
  },
  {
    line: '93',
    where: 'RetrievedCard.entryMethod',
    node: () => prop('RetrievedCard', 'entryMethod'),
    values: ['icc', 'keyed', 'swiped', 'swipedFallback', 'contactlessIcc', 'contactlessMsr'],
  },
  {
    line: '95',
    where: 'SupportedOperation',
    node: () => schemaOf(CLOUD, 'SupportedOperation'),
    values: [
      'capture',
      'refund',
      'fullyReverse',
      'partiallyReverse',
      'incrementAuthorization',
      'adjustTip',
      'addSignature',
      'setAsReady',
      'setAsPending',
    ],
  },
  {
    line: '97-98',
    where: 'TransactionResult.status',
    node: () => prop('TransactionResult', 'status'),
    values: [
      'ready',
      'pending',
      'declined',
      'complete',
      'referral',
      'pickup',
      'reversal',
      'admin',
      'expired',
      'accepted',
    ],
  },
  {
    line: '98-99',
    where: 'TransactionResult.responseCode',
    node: () => prop('TransactionResult', 'responseCode'),
    values: ['A', 'D', 'E', 'P', 'R', 'C'],
  },
  {
    line: '99',
    where: 'TransactionResult.type',
    node: () => prop('TransactionResult', 'type'),
    values: ['sale', 'refund', 'preAuthorization', 'preAuthorizationCompletion'],
  },
]

describe('enum values (FACTS §3-§4)', () => {
  it.each(ENUM_FACTS.map((f) => [f.line, f.where, f]))(
    'FACTS:%s %s has exactly the values of the fact',
    (_l, _w, fact) => {
      expect(sorted(enumOf(CLOUD, fact.node()) ?? [])).toEqual(sorted(fact.values))
    },
  )

  it('FACTS:60: customizationOptions.closedLoopOptions has type mifare', () => {
    const closed = resolve(CLOUD, prop('CustomizationOptions', 'closedLoopOptions'))
    expect(closed, 'closedLoopOptions').toBeDefined()
    expect(JSON.stringify(inline(CLOUD, closed))).toContain('mifare')
  })

  it('FACTS:80,97-99: limits.ts value sets equal the schema enums', () => {
    expect([...INSTRUCTION_STATUSES]).toEqual(enumOf(CLOUD, schemaOf(CLOUD, 'InstructionStatus')))
    expect([...TRANSACTION_STATUSES]).toEqual(enumOf(CLOUD, schemaOf(CLOUD, 'TransactionStatus')))
    expect([...TRANSACTION_TYPES]).toEqual(enumOf(CLOUD, schemaOf(CLOUD, 'TransactionType')))
    expect([...ENTRY_METHODS]).toEqual(enumOf(CLOUD, prop('CustomizationOptions', 'entryMethod')))
  })

  it('FACTS:44,60,61,68: documented defaults are stated as `default` (limit 10, entryMethod deviceRead, autoCapture true, acceptPartialAmount false)', () => {
    const limit = parametersOf(CLOUD, 'GET', '/devices').find((p) => p.name === 'limit')
    expect({
      limit: resolve(CLOUD, limit.schema).default,
      entryMethod: prop('CustomizationOptions', 'entryMethod').default,
      autoCapture: prop('PaymentInstructionRequest', 'autoCapture').default,
      acceptPartialAmount: prop('PaymentInstructionOrder', 'acceptPartialAmount').default,
    }).toEqual({
      limit: 10,
      entryMethod: 'deviceRead',
      autoCapture: true,
      acceptPartialAmount: false,
    })
  })

  it('FACTS:59: mitAgreement requires standingInstructions — the schema states the dependency', () => {
    expect(JSON.stringify(schemaOf(CLOUD, 'CredentialOnFile'))).toMatch(/standingInstructions/)
  })
})

describe('types and formats (FACTS §3-§4)', () => {
  it('FACTS:64: order.amount is integer minor units; currency is an ISO 4217 alphabetic code', () => {
    expect(resolve(CLOUD, prop('PaymentInstructionOrder', 'amount')).type).toBe('integer')
    const currency = resolve(CLOUD, prop('PaymentInstructionOrder', 'currency'))
    expect(new RegExp(currency.pattern).test('USD')).toBe(true)
    expect(new RegExp(currency.pattern).test('usd')).toBe(false)
  })
  it('FACTS:61-62: autoCapture and processAsSale are booleans', () => {
    expect(prop('PaymentInstructionRequest', 'autoCapture').type).toBe('boolean')
    expect(prop('PaymentInstructionRequest', 'processAsSale').type).toBe('boolean')
  })
  it('FACTS:93: card.expiryDate is MMYY', () => {
    const re = new RegExp(prop('RetrievedCard', 'expiryDate').pattern)
    expect([re.test('1229'), re.test('12/29'), re.test('122029')]).toEqual([true, false, false])
  })
  it('FACTS:100: authorizedAmount is an integer that may be negative', () => {
    const a = prop('TransactionResult', 'authorizedAmount')
    expect(a.type).toBe('integer')
    expect(a.minimum).toBeUndefined()
  })
  it('FACTS:41: signature createdOn is a date; signature is base64', () => {
    expect(prop('Signature', 'createdOn').format).toBe('date')
    expect(prop('Signature', 'signature').contentEncoding).toBe('base64')
  })
})

// ---- 4. error bodies -------------------------------------------------------------------------

describe('error bodies (FACTS §7)', () => {
  const body = (name: string) =>
    resolve(CLOUD, CLOUD.components.responses[name].content[JSON_MEDIA].schema)
  const problemRequired = ['type', 'title', 'status', 'detail']

  it.each([
    ['125', 'BadRequest', ['errors']],
    ['126', 'Unauthorized', []],
    ['126', 'NotAcceptable', []],
    ['126', 'UnsupportedMediaType', []],
    ['128', 'NotFound', ['resource']],
    ['129-130', 'Conflict', ['instance', 'errors', 'link']],
    ['131', 'ServerError', ['errors']],
  ] as const)(
    'FACTS:%s %s: problem with type, title, status, detail (required) and %j',
    (_l, name, extra) => {
      const s = body(name)
      expect(requiredOf(CLOUD, s)).toEqual(expect.arrayContaining(problemRequired))
      expect(Object.keys(propertiesOf(CLOUD, s))).toEqual(
        expect.arrayContaining([...problemRequired, ...extra]),
      )
    },
  )

  it('FACTS:125,129: 400 and 409 error items carry parameter, detail, message; 500 items carry message', () => {
    const items = (name: string) =>
      Object.keys(resolve(CLOUD, propertiesOf(CLOUD, body(name)).errors.items).properties)
    expect(sorted(items('BadRequest'))).toEqual(sorted(['parameter', 'detail', 'message']))
    expect(sorted(items('Conflict'))).toEqual(sorted(['parameter', 'detail', 'message']))
    expect(items('ServerError')).toEqual(['message'])
  })

  it('FACTS:127: 403 body is untyped and marked x-unverified', () => {
    expect(body('Forbidden')).toEqual({})
    expect(isUnverified(CLOUD.components.responses.Forbidden)).toBe(true)
  })

  it('FACTS:123: the problem shape (applicability to Cloud assumed) is marked x-unverified', () => {
    expect(isUnverified(schemaOf(CLOUD, 'Problem'))).toBe(true)
  })
})

// ---- 5. timing -------------------------------------------------------------------------------

describe('timing (FACTS §5)', () => {
  const timing = CLOUD['x-tillkit-timing']
  it('FACTS:106: long-poll hold 60 s, verified (not marked); client constant agrees', () => {
    expect(timing.longPollHoldMs.value).toBe(60_000)
    expect(isUnverified(timing.longPollHoldMs)).toBe(false)
    expect(LONG_POLL_HOLD_MS).toBe(timing.longPollHoldMs.value)
  })
  it('FACTS:107-108: client poll timeout above the hold (75-90 s), marked x-unverified (inferred); client constant agrees', () => {
    expect(timing.clientPollTimeoutMs.value).toBeGreaterThan(60_000)
    expect(isUnverified(timing.clientPollTimeoutMs)).toBe(true)
    expect(POLL_TIMEOUT_MS).toBe(timing.clientPollTimeoutMs.value)
  })
  it.each([
    ['109', 'rateLimits'],
    ['117', 'idempotencyKeyRetention'],
    ['135', 'dataRetention'],
  ])('FACTS:%s x-tillkit-timing.%s (UNKNOWN) is marked x-unverified with a reason', (_l, key) => {
    expect(isUnverified(timing[key])).toBe(true)
    expect(typeof timing[key]['x-unverified-reason']).toBe('string')
  })
})

// ---- 6. x-unverified marks -------------------------------------------------------------------

interface MarkFact {
  line: string
  what: string
  node: () => Doc
  unverified: boolean
}

const MARK_FACTS: MarkFact[] = [
  // beyond the facts: must be marked
  {
    line: '44',
    what: 'DeviceList envelope (limit, count, hasMore, links: the sheet only says "paginated")',
    node: () => schemaOf(CLOUD, 'DeviceList'),
    unverified: true,
  },
  {
    line: '57',
    what: 'ContactMethod (type enum and required list are not in the sheet)',
    node: () => schemaOf(CLOUD, 'ContactMethod'),
    unverified: true,
  },
  {
    line: '57',
    what: 'Customer.shippingAddress shape (recipientName, address: not in the sheet)',
    node: () => prop('Customer', 'shippingAddress'),
    unverified: true,
  },
  // The bound is ours, the fields are V:sdk: the mark belongs on the bounded fields, not on
  // Breakdown (which is checked as verified below).
  ...(['subtotal', 'cashbackAmount'] as const).map((name): MarkFact => ({
    line: '65-67',
    what: `Breakdown.${name} minimum 0 (bound not in the sheet)`,
    node: () => prop('Breakdown', name),
    unverified: true,
  })),
  {
    line: '71',
    what: 'RefundInstructionOrder.dateTime (not among the refund order fields of the sheet)',
    node: () => prop('RefundInstructionOrder', 'dateTime'),
    unverified: true,
  },
  {
    line: '20,23',
    what: 'identity authorize "safe to repeat" (retry safety of the token call is not in the sheet)',
    node: () => operation(ID, 'POST', '/authorize'),
    unverified: true,
  },
  {
    line: '102-103',
    what: 'TransactionStatus "ready is an approval too" (approval rule is INF)',
    node: () => schemaOf(CLOUD, 'TransactionStatus'),
    unverified: true,
  },
  {
    line: '44',
    what: 'listDevices: before/after "never both" and next/previous links (not in the sheet)',
    node: () => operation(CLOUD, 'GET', '/devices'),
    unverified: true,
  },
  // already marked, and must stay so
  {
    line: '42',
    what: 'refundPayment (path/answer unconfirmed)',
    node: () => operation(CLOUD, 'POST', '/payments/{paymentId}/refunds'),
    unverified: true,
  },
  {
    line: '64',
    what: 'Currency (form only; the enum is not listed)',
    node: () => schemaOf(CLOUD, 'Currency'),
    unverified: true,
  },
  {
    line: '64',
    what: 'Amount minimum 1 (ours)',
    node: () => schemaOf(CLOUD, 'Amount'),
    unverified: true,
  },
  {
    line: '71-72',
    what: 'refund order description required (docs vs SDK)',
    node: () => prop('RefundInstructionOrder', 'description'),
    unverified: true,
  },
  {
    line: '85',
    what: 'Link.href absolute (not stated)',
    node: () => prop('Link', 'href'),
    unverified: true,
  },
  // verified: must not be marked
  ...[
    'InstructionStatus',
    'PaymentInstruction',
    'RefundInstruction',
    'SignatureInstruction',
    'PaymentInstructionRequest',
    'PaymentInstructionOrder',
    'RefundInstructionRequest',
    'SignatureInstructionRequest',
    'Breakdown',
    'Tip',
    'Surcharge',
    'DualPricing',
    'TaxRate',
    'Customer',
    'IpAddress',
    'CredentialOnFile',
    'CustomizationOptions',
    'TransactionResult',
    'TransactionType',
    'RetrievedPayment',
    'RetrievedCard',
    'SupportedOperation',
    'Signature',
    'Link',
  ].map((name): MarkFact => ({
    line: '51-101',
    what: `${name} (V:sdk)`,
    node: () => schemaOf(CLOUD, name),
    unverified: false,
  })),
  // refundPayment is marked (path unconfirmed); listDevices is expected marked above
  ...OPS.filter((o) => o.path !== '/payments/{paymentId}/refunds' && o.path !== '/devices').map(
    (o): MarkFact => ({
      line: String(o.line),
      what: `${o.method} ${o.path} operation (V:sdk / V:skill)`,
      node: () => operation(CLOUD, o.method, o.path),
      unverified: false,
    }),
  ),
  {
    line: '24',
    what: 'Idempotency-Key parameter (V:sdk)',
    node: () => CLOUD.components.parameters.IdempotencyKey,
    unverified: false,
  },
  {
    line: '21',
    what: 'identity TokenResponse (V:sdk)',
    node: () => schemaOf(ID, 'TokenResponse'),
    unverified: false,
  },
]

describe('x-unverified marks (inferred/unknown/beyond the facts marked, verified not)', () => {
  it.each(MARK_FACTS.map((f) => [f.line, f.what, f.unverified ? 'is' : 'is not', f]))(
    'FACTS:%s %s %s marked x-unverified',
    (_l, _w, _is, fact) => {
      const node = fact.node()
      expect(node, fact.what).toBeDefined()
      expect(isUnverified(node)).toBe(fact.unverified)
      if (fact.unverified) expect(typeof node['x-unverified-reason']).toBe('string')
    },
  )
})

// ---- 7. request rules: schema, client and fake agree ----------------------------------------

const clientAccepts = (key: string, body: Record<string, unknown>) => {
  try {
    checkFields(body, BODY_RULES[key]!)
    return true
  } catch {
    return false
  }
}
const ORDER = { orderId: 'o-1', amount: 1000, currency: 'USD' }
const PAY = { processingTerminalId: TERMINAL, order: ORDER }

/** On a fresh fake: 202 accepted, 400 refused. */
async function fakeAccepts(kind: string, body: unknown): Promise<boolean> {
  const h = harness()
  const { status } = await h.call('POST', `/devices/${SERIAL}/${kind}-instructions`, { body })
  if (status !== 202 && status !== 400) throw new Error(`unexpected ${status}`)
  return status === 202
}

describe('request rules: schema, client rules and fake agree (FACTS §3)', () => {
  const paySchema = validator(CLOUD, schemaOf(CLOUD, 'PaymentInstructionRequest'))
  const refundSchema = validator(CLOUD, schemaOf(CLOUD, 'RefundInstructionRequest'))
  const signatureSchema = validator(CLOUD, schemaOf(CLOUD, 'SignatureInstructionRequest'))

  const PAY_CASES: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['51-64', 'minimal valid payment', PAY, true],
    ['54', 'processingTerminalId "" is refused', { ...PAY, processingTerminalId: '' }, false],
    [
      '64',
      'missing order.orderId is refused',
      { ...PAY, order: { amount: 1000, currency: 'USD' } },
      false,
    ],
    [
      '64',
      'order.amount 1.5 (not minor units) is refused',
      { ...PAY, order: { ...ORDER, amount: 1.5 } },
      false,
    ],
    ['64', 'order.amount 0 is refused', { ...PAY, order: { ...ORDER, amount: 0 } }, false],
    [
      '65',
      'order.currency "usd" is refused',
      { ...PAY, order: { ...ORDER, currency: 'usd' } },
      false,
    ],
    [
      '65',
      'order.dateTime "yesterday" (not a date-time) is refused',
      { ...PAY, order: { ...ORDER, dateTime: 'yesterday' } },
      false,
    ],
    ['56', 'operator "" (a string) is valid', { ...PAY, operator: '' }, true],
    ['61', 'autoCapture "yes" is refused', { ...PAY, autoCapture: 'yes' }, false],
    [
      '57',
      'customer.notificationLanguage "de" is refused',
      { ...PAY, customer: { notificationLanguage: 'de' } },
      false,
    ],
    [
      '58',
      'ipAddress.type "ipv5" is refused',
      { ...PAY, ipAddress: { type: 'ipv5', value: '1.2.3.4' } },
      false,
    ],
    [
      '59',
      'credentialOnFile.mitAgreement "monthly" is refused',
      { ...PAY, credentialOnFile: { mitAgreement: 'monthly' } },
      false,
    ],
    [
      '60',
      'customizationOptions.entryMethod "tap" is refused',
      { ...PAY, customizationOptions: { entryMethod: 'tap' } },
      false,
    ],
    [
      '60',
      'ebtDetails without benefitCategory is refused',
      { ...PAY, customizationOptions: { ebtDetails: { withdrawal: true } } },
      false,
    ],
    [
      '65',
      'breakdown without subtotal is refused',
      { ...PAY, order: { ...ORDER, breakdown: {} } },
      false,
    ],
    [
      '66',
      'breakdown.tip without type is refused',
      { ...PAY, order: { ...ORDER, breakdown: { subtotal: 1000, tip: { amount: 100 } } } },
      false,
    ],
    [
      '66',
      'breakdown.tip.type "flat" is refused',
      { ...PAY, order: { ...ORDER, breakdown: { subtotal: 1000, tip: { type: 'flat' } } } },
      false,
    ],
    [
      '67',
      'breakdown.dualPricing without offered is refused',
      { ...PAY, order: { ...ORDER, breakdown: { subtotal: 1000, dualPricing: {} } } },
      false,
    ],
    [
      '68',
      'breakdown.taxes item without name is refused',
      {
        ...PAY,
        order: { ...ORDER, breakdown: { subtotal: 1000, taxes: [{ type: 'rate', rate: 5 }] } },
      },
      false,
    ],
    [
      '68',
      'a full breakdown is valid',
      {
        ...PAY,
        order: {
          ...ORDER,
          breakdown: {
            subtotal: 900,
            tip: { type: 'fixedAmount', amount: 100 },
            taxes: [{ type: 'rate', rate: 5, name: 'VAT' }],
          },
        },
      },
      true,
    ],
  ]

  it.each(PAY_CASES)(
    'FACTS:%s payment instruction: %s (schema, client rules and fake agree)',
    async (_l, _n, body, valid) => {
      expect({
        schema: paySchema(body),
        client: clientAccepts('POST /devices/{serialNumber}/payment-instructions', body),
        fake: await fakeAccepts('payment', body),
      }).toEqual({ schema: valid, client: valid, fake: valid })
    },
  )

  const REFUND = { processingTerminalId: TERMINAL, order: { ...ORDER, description: 'returned' } }
  const REFUND_CASES: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['71', 'refund with description is valid', REFUND, true],
    [
      '71-72',
      'refund without order.description is refused (required per docs)',
      { ...REFUND, order: ORDER },
      false,
    ],
    [
      '71',
      'refund amount 0 is refused',
      { ...REFUND, order: { ...REFUND.order, amount: 0 } },
      false,
    ],
    [
      '72',
      'refund ipAddress.type "ipv5" is refused',
      { ...REFUND, ipAddress: { type: 'ipv5', value: 'x' } },
      false,
    ],
  ]
  it.each(REFUND_CASES)(
    'FACTS:%s refund instruction: %s (schema, client rules and fake agree)',
    async (_l, _n, body, valid) => {
      expect({
        schema: refundSchema(body),
        client: clientAccepts('POST /devices/{serialNumber}/refund-instructions', body),
        fake: await fakeAccepts('refund', body),
      }).toEqual({ schema: valid, client: valid, fake: valid })
    },
  )

  it.each([
    ['74', { processingTerminalId: TERMINAL }, true],
    ['74', {}, false],
  ] as const)(
    'FACTS:%s signature instruction %j valid=%s (schema, client rules and fake agree)',
    async (_l, body, valid) => {
      expect({
        schema: signatureSchema(body),
        client: clientAccepts(
          'POST /devices/{serialNumber}/signature-instructions',
          body as Record<string, unknown>,
        ),
        fake: await fakeAccepts('signature', body),
      }).toEqual({ schema: valid, client: valid, fake: valid })
    },
  )

  it.each([
    ['43', 'POST /payments/{paymentId}/reverse', 'ReversalRequest', {}, true],
    [
      '43',
      'POST /payments/{paymentId}/reverse',
      'ReversalRequest',
      { amount: 100, operator: 'Sam' },
      true,
    ],
    ['43', 'POST /payments/{paymentId}/reverse', 'ReversalRequest', { amount: 0 }, false],
    [
      '42',
      'POST /payments/{paymentId}/refunds',
      'ReferencedRefundRequest',
      { amount: 100, description: 'x' },
      true,
    ],
    ['42', 'POST /payments/{paymentId}/refunds', 'ReferencedRefundRequest', { amount: 100 }, false],
  ] as const)(
    'FACTS:%s %s %s %j valid=%s (schema and client rules agree)',
    (_l, key, schema, body, valid) => {
      expect({
        schema: validator(CLOUD, schemaOf(CLOUD, schema))(body),
        client: clientAccepts(key, body as Record<string, unknown>),
      }).toEqual({ schema: valid, client: valid })
    },
  )

  const queryAccepts = (op: string, query: Record<string, unknown>) => {
    try {
      checkFields(query, QUERY_RULES[op]!)
      return true
    } catch {
      return false
    }
  }
  const querySchemaAccepts = (path: string, query: Record<string, unknown>) => {
    const params = Object.fromEntries(
      parametersOf(CLOUD, 'GET', path)
        .filter((p) => p.in === 'query')
        .map((p) => [p.name, validator(CLOUD, p.schema)]),
    )
    return Object.entries(query).every(([name, value]) => params[name]?.(value) ?? false)
  }
  it.each([
    ['44', '/devices', { limit: 10 }, true],
    ['44', '/devices', { limit: 0 }, false],
    ['44', '/devices', { limit: 101 }, false],
    ['44', '/devices', { active: 'yes' }, false],
    ['120', '/payments', { first6: '411111', last4: '1111' }, true],
    ['120', '/payments', { first6: '41111' }, false],
    ['120', '/payments', { status: 'approved' }, false],
    ['120', '/payments', { type: 'void' }, false],
    ['120', '/payments', { dateFrom: 'yesterday' }, false],
    ['120', '/payments', { dateFrom: '2026-01-01T00:00:00Z' }, true],
  ] as const)(
    'FACTS:%s GET %s query %j valid=%s (schema and client rules agree)',
    (_l, path, query, valid) => {
      expect({
        schema: querySchemaAccepts(path, query),
        client: queryAccepts(`GET ${path}`, query as Record<string, unknown>),
      }).toEqual({ schema: valid, client: valid })
    },
  )
})

// ---- 8. the approval rule (FACTS:90, 102-103) ----------------------------------------------

describe('approval (FACTS §4)', () => {
  const result = (status: string, responseCode: string) => ({
    order: { orderId: 'o', amount: 1000, currency: 'USD' },
    transactionResult: { status, responseCode },
  })
  it.each([
    ['A', 'ready', true],
    ['A', 'complete', true],
    ['A', 'accepted', true],
    ['A', 'pending', true],
    ['P', 'ready', true],
    ['D', 'declined', false],
    ['R', 'referral', false],
    ['C', 'pickup', false],
    ['E', 'pending', false],
  ] as const)(
    'FACTS:102-103 responseCode %s with status %s approved=%s (never only complete)',
    (code, status, approved) => {
      expect(approvalOf(result(status, code) as Doc).approved).toBe(approved)
    },
  )
})

// ---- 9. fake cloud: statuses and bodies vs the declared responses ----------------------------

interface FakeOp {
  fact: OpFact
  url: (c: Ctx) => string
  body?: unknown
  /** Requests the fake refuses (unknown id, conflict, bad input). */
  refusals: (c: Ctx) => Array<{ url: string; body?: unknown }>
}
interface Ctx {
  h: Harness
  paymentInstruction: string
  refundInstruction: string
  signatureInstruction: string
  paymentId: string
  refundId: string
  signatureId: string
  finished: string
}

const UNKNOWN = 'ffffffffffffffffffffffffffffffff'
const op = (method: string, path: string) =>
  ALL_OPS.find((o) => o.method === method && o.path === path)!

async function fakeContext(): Promise<Ctx> {
  const h = harness({ readOnlyApiKeys: ['read-only-key'] })
  const post = async (serial: string, kind: string, body: unknown) =>
    (await h.call('POST', `/devices/${serial}/${kind}-instructions`, { body })).body
  // completed results on three devices
  const p = await post('PAXA920-0002', 'payment', {
    processingTerminalId: TERMINAL,
    order: { ...ORDER, amount: 5000 },
  })
  const r = await post('PAXA920-0003', 'refund', {
    processingTerminalId: TERMINAL,
    order: { ...ORDER, description: 'back' },
  })
  const s = await post('PAXA920-0004', 'signature', { processingTerminalId: TERMINAL })
  await h.clock.advance(10_000)
  const finished = p.paymentInstructionId as string
  const paymentId = h.cloud.instructions.get(finished).resultId!
  const refundId = h.cloud.instructions.get(r.refundInstructionId).resultId!
  const signatureId = h.cloud.instructions.get(s.signatureInstructionId).resultId!
  // instructions in progress on three more devices
  const pi = await post('PAXA920-0005', 'payment', { processingTerminalId: TERMINAL, order: ORDER })
  const ri = await post('PAXA920-0006', 'refund', {
    processingTerminalId: TERMINAL,
    order: { ...ORDER, description: 'back' },
  })
  const si = await post('PAXA920-0007', 'signature', { processingTerminalId: TERMINAL })
  return {
    h,
    paymentInstruction: pi.paymentInstructionId,
    refundInstruction: ri.refundInstructionId,
    signatureInstruction: si.signatureInstructionId,
    paymentId,
    refundId,
    signatureId,
    finished,
  }
}

const FAKE_OPS: FakeOp[] = [
  {
    fact: op('POST', '/devices/{serialNumber}/payment-instructions'),
    url: () => `/devices/${SERIAL}/payment-instructions`,
    body: PAY,
    refusals: () => [
      { url: '/devices/NOPE/payment-instructions', body: PAY },
      { url: '/devices/PAXA920-0005/payment-instructions', body: PAY }, // busy
      { url: `/devices/${SERIAL}/payment-instructions`, body: { processingTerminalId: TERMINAL } },
    ],
  },
  {
    fact: op('GET', '/payment-instructions/{paymentInstructionId}'),
    url: (c) => `/payment-instructions/${c.finished}`,
    refusals: () => [{ url: `/payment-instructions/${UNKNOWN}` }],
  },
  {
    fact: op('DELETE', '/payment-instructions/{paymentInstructionId}'),
    url: (c) => `/payment-instructions/${c.paymentInstruction}`,
    refusals: (c) => [
      { url: `/payment-instructions/${UNKNOWN}` },
      { url: `/payment-instructions/${c.finished}` },
    ],
  },
  {
    fact: op('POST', '/devices/{serialNumber}/refund-instructions'),
    url: () => `/devices/${SERIAL}/refund-instructions`,
    body: { processingTerminalId: TERMINAL, order: { ...ORDER, description: 'back' } },
    refusals: () => [{ url: `/devices/${SERIAL}/refund-instructions`, body: PAY }],
  },
  {
    fact: op('DELETE', '/refund-instructions/{refundInstructionId}'),
    url: (c) => `/refund-instructions/${c.refundInstruction}`,
    refusals: () => [{ url: `/refund-instructions/${UNKNOWN}` }],
  },
  {
    fact: op('POST', '/devices/{serialNumber}/signature-instructions'),
    url: () => `/devices/${SERIAL}/signature-instructions`,
    body: { processingTerminalId: TERMINAL },
    refusals: () => [{ url: `/devices/${SERIAL}/signature-instructions`, body: {} }],
  },
  {
    fact: op('DELETE', '/signature-instructions/{signatureInstructionId}'),
    url: (c) => `/signature-instructions/${c.signatureInstruction}`,
    refusals: () => [{ url: `/signature-instructions/${UNKNOWN}` }],
  },
  {
    fact: op('GET', '/payments/{paymentId}'),
    url: (c) => `/payments/${c.paymentId}`,
    refusals: (c) => [{ url: `/payments/${UNKNOWN}` }, { url: `/payments/${c.finished}` }],
  },
  {
    fact: op('GET', '/refunds/{refundId}'),
    url: (c) => `/refunds/${c.refundId}`,
    refusals: () => [{ url: `/refunds/${UNKNOWN}` }],
  },
  {
    fact: op('GET', '/signatures/{signatureId}'),
    url: (c) => `/signatures/${c.signatureId}`,
    refusals: () => [{ url: `/signatures/${UNKNOWN}` }],
  },
  {
    fact: op('POST', '/payments/{paymentId}/refunds'),
    url: (c) => `/payments/${c.paymentId}/refunds`,
    body: { amount: 100, description: 'one back' },
    refusals: (c) => [
      { url: `/payments/${UNKNOWN}/refunds`, body: { amount: 100, description: 'x' } },
      { url: `/payments/${c.paymentId}/refunds`, body: { amount: 999_999, description: 'x' } },
      { url: `/payments/${c.paymentId}/refunds`, body: { amount: 100 } },
    ],
  },
  {
    fact: op('POST', '/payments/{paymentId}/reverse'),
    url: (c) => `/payments/${c.paymentId}/reverse`,
    body: { amount: 100 },
    refusals: (c) => [
      { url: `/payments/${UNKNOWN}/reverse`, body: {} },
      { url: `/payments/${c.paymentId}/reverse`, body: { amount: 0 } },
    ],
  },
  {
    fact: op('GET', '/devices'),
    url: () => '/devices?limit=5',
    refusals: () => [{ url: '/devices?limit=0' }, { url: '/devices?after=NOPE' }],
  },
  {
    fact: SEARCH,
    url: (c) => `/payments?processingTerminalId=${TERMINAL}&orderId=${ORDER.orderId}&limit=5`,
    refusals: () => [{ url: '/payments?first6=1' }, { url: '/payments?status=approved' }],
  },
]

describe('fake cloud: statuses and bodies vs the declared responses (FACTS §2, §7)', () => {
  it.each(FAKE_OPS.map((o) => [o.fact.line, o.fact.method, o.fact.path, o]))(
    'FACTS:%i %s %s: every status the fake answers (valid, no token, read-only token, Accept, media type, bad JSON, no key, refusals) is declared, with a body of the declared schema',
    async (_l, method, path, fop) => {
      const c = await fakeContext()
      const readOnly = await c.h.token('read-only-key')
      // token() made the read-only token the latest for the default key only; keep the default one
      await c.h.token()
      const seen = new Map<number, string>()
      const bad: string[] = []
      const responses = responsesOf(CLOUD, method, path)
      const record = async (why: string, call: Promise<{ status: number; body: any }>) => {
        const { status, body } = await call
        if (!seen.has(status)) seen.set(status, why)
        const declared = responses[String(status)]
        const schema = declared?.body.content?.[JSON_MEDIA]?.schema
        if (declared && schema && !validator(CLOUD, schema)(body))
          bad.push(`${status} (${why}): ${JSON.stringify(body)}`)
        if (declared && !declared.body.content && body !== undefined)
          bad.push(`${status} (${why}) has a body`)
      }
      const body = fop.body
      const withBody = body !== undefined ? { body } : {}
      await record(
        'no token',
        c.h.call(method, fop.url(c), { ...withBody, headers: { authorization: undefined } }),
      )
      await record(
        'Accept text/html',
        c.h.call(method, fop.url(c), { ...withBody, headers: { accept: 'text/html' } }),
      )
      if (method !== 'GET')
        await record(
          'read-only token',
          c.h.call(method, fop.url(c), { ...withBody, token: readOnly }),
        )
      if (body !== undefined) {
        await record(
          'text/plain body',
          c.h.call(method, fop.url(c), { body, headers: { 'content-type': 'text/plain' } }),
        )
        await record('bad JSON', c.h.call(method, fop.url(c), { body: '{not json' }))
        await record(
          'no Idempotency-Key',
          c.h.call(method, fop.url(c), { body, headers: { 'idempotency-key': undefined } }),
        )
      }
      for (const refusal of fop.refusals(c))
        await record(
          `refusal ${refusal.url}`,
          c.h.call(method, refusal.url, refusal.body !== undefined ? { body: refusal.body } : {}),
        )
      await record('valid', c.h.call(method, fop.url(c), withBody))
      const undeclared = [...seen]
        .filter(([s]) => !responses[String(s)])
        .map(([s, why]) => `${s} (${why})`)
      expect({ undeclared, bad }).toEqual({ undeclared: [], bad: [] })
      expect(seen.has(Number(fop.fact.success)), `success ${fop.fact.success}`).toBe(true)
    },
  )

  it('FACTS:116: the fake answers 409 to a reused Idempotency-Key with a different body', async () => {
    const h = harness()
    const key = crypto.randomUUID()
    const first = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: PAY,
      key,
    })
    const again = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: PAY,
      key,
    })
    const other = await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
      body: { ...PAY, order: { ...ORDER, amount: 2000 } },
      key,
    })
    expect([first.status, again.status, other.status]).toEqual([202, 202, 409])
    expect(again.body).toEqual(first.body)
  })

  it('FACTS:88: DELETE of a finished instruction is 409; an instruction failing on the device reads 200 status failure with errorMessage (FACTS:132)', async () => {
    const h = harness()
    const id = (
      await h.call('POST', `/devices/${SERIAL}/payment-instructions`, {
        body: { ...PAY, order: { ...ORDER, amount: 1004 } },
      })
    ).body.paymentInstructionId
    await h.clock.advance(10_000)
    const read1 = await h.call('GET', `/payment-instructions/${id}`)
    expect(read1.status).toBe(200)
    expect(read1.body.status).toBe('failure')
    expect(typeof read1.body.errorMessage).toBe('string')
    expect((await h.call('DELETE', `/payment-instructions/${id}`)).status).toBe(409)
  })

  it('FACTS:20,23: the fake identity answers only declared statuses (200, 401)', async () => {
    const h = harness()
    const statuses = new Set<number>()
    for (const headers of [{ 'x-api-key': 'test-api-key' }, { 'x-api-key': 'wrong' }, {}] as Array<
      Record<string, string>
    >) {
      const r = await h.cloud.fetch(`${IDENTITY}/authorize`, { method: 'POST', headers })
      statuses.add(r.status)
    }
    expect(
      [...statuses].filter((s) => !operation(ID, 'POST', '/authorize').responses[String(s)]),
    ).toEqual([])
  })

  it('FACTS:83-84: a completed instruction links (absolute href) to /payments/{paymentId}, not the instruction id', async () => {
    const c = await fakeContext()
    const answer = await c.h.call('GET', `/payment-instructions/${c.finished}`)
    expect(answer.body.status).toBe('completed')
    expect(answer.body.link.href).toBe(`${API}/payments/${c.paymentId}`)
    expect(c.paymentId).not.toBe(c.finished)
  })
})

/**
 * Do our Adyen schemas (Cloud device API, legacy cloud endpoints, nexo message JSON Schemas), the fake
 * cloud and the client's pre-send rules state the facts of the shared Adyen fact sheet? Each test checks
 * one fact (or a table of them); the `FACTS:<line>` prefix names the line of the fact sheet it comes
 * from.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import {
  adyenBaseUrl,
  CLOUD_PROCESSING_LIMIT_MS,
  createAdyenClient,
  CURRENCY_EXPONENTS,
  maxMinorAmount,
  toMajorUnits,
  TillkitValidationError,
  type AdyenRegion,
} from '../src/index.js'
import {
  CARD_PROMPT_TIMEOUT_MS,
  CLOUD_PROCESSING_LIMIT_MS as FAKE_PROCESSING_LIMIT_MS,
  createFakeCloud,
  SCENARIO_BY_ENDING,
  type FakeCloud,
} from '../src/mock/index.js'
import { busy, drive, harness, KEY, MERCHANT, OTHER_POI, POI } from './helpers.js'
import {
  inline,
  isUnverified,
  parametersOf,
  propertiesOf,
  requiredOf,
  resolve,
  responsesOf,
  schemaOf,
  sorted,
  withFiles,
  type Doc,
} from '../../core/test/schema-facts.js'

const SCHEMA_DIR = new URL('../../../schemas/adyen/', import.meta.url)
const load = (file: string): Doc => YAML.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8'))
const DEVICE: Doc = load('device-api.openapi.yaml')
const LEGACY: Doc = load('legacy.openapi.yaml')
const NEXO_FILES = readdirSync(new URL('nexo/', SCHEMA_DIR)).filter((f) => f.endsWith('.yaml'))
const NEXO: Record<string, Doc> = Object.fromEntries(NEXO_FILES.map((f) => [f, load(`nexo/${f}`)]))
const DEFS: Doc = NEXO['nexo.defs.yaml'].$defs

// ---- reading the schemas (shared helpers; references reach across the nexo files) ----------

for (const doc of [DEVICE, LEGACY, ...Object.values(NEXO)]) withFiles(doc, NEXO)

/** Follows a path of property names from a node (through `$ref`s and `allOf`; `[]` steps into items). */
function at(doc: Doc, node: Doc, path: string[]): Doc {
  return path.reduce((n: Doc, key) => {
    const s = resolve(doc, n)
    if (key === '[]') return resolve(doc, s.items)
    return resolve(doc, propertiesOf(doc, s)[key])
  }, node)
}

const opsOf = (doc: Doc) =>
  sorted(
    Object.entries(doc.paths).flatMap(([path, item]: [string, Doc]) =>
      Object.keys(item)
        .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    ),
  )

/** Every node of a document, with its JSON pointer. */
function* nodes(node: Doc, path = ''): Generator<[string, Doc]> {
  if (!node || typeof node !== 'object') return
  yield [path || '/', node]
  for (const [key, value] of Object.entries(node))
    yield* nodes(value, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)
}

/** Whether the node at `ptr` or one of its ancestors is marked x-unverified. */
function markedAtOrAbove(doc: Doc, ptr: string): boolean {
  const keys = ptr
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
  let node = doc
  if (isUnverified(node)) return true
  for (const key of keys) {
    node = node?.[key]
    if (isUnverified(node)) return true
  }
  return false
}

// ---- Ajv over the YAML itself (not the generated validators) --------------------------------

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
const BASE = 'https://tillkit.invalid/schemas/adyen/nexo/'
for (const [file, schema] of Object.entries(NEXO)) ajv.addSchema({ ...schema, $id: BASE + file })
const nexoValidator = (file: string) => ajv.getSchema(BASE + file)!
function expectNexo(file: string, message: unknown) {
  const validate = nexoValidator(file)
  const ok = validate(message)
  expect(ok ? [] : validate.errors, `${file}: ${JSON.stringify(message).slice(0, 300)}`).toEqual([])
}
const openapiValidator = (doc: Doc, node: Doc) => ajv.compile(inline(doc, node))

// ---- the fake cloud over raw HTTP ------------------------------------------------------------

const DEVICE_BASE = 'https://device-api-test.adyen.com/v1'
const LEGACY_BASE = 'https://terminal-api-test.adyen.com'
const devicePath = (poi: string, op: string, account = MERCHANT) =>
  `${DEVICE_BASE}/merchants/${account}/devices/${poi}/${op}`

interface RawAnswer {
  status: number
  mediaType: string | undefined
  text: string
  json: Doc
}

async function raw(
  cloud: FakeCloud,
  method: string,
  url: string,
  body?: unknown,
  key: string | undefined = KEY,
): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== undefined) headers['x-api-key'] = key
  const response = await cloud.fetch(
    new Request(url, {
      method,
      headers,
      ...(body !== undefined && {
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    }),
  )
  const text = await response.text()
  let json: Doc
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  const type = response.headers.get('content-type') ?? undefined
  return { status: response.status, mediaType: type?.split(';')[0]?.trim(), text, json }
}

/** A payment of `minor` EUR cents to POI through the Cloud device API `/sync`, answered by the fake. */
async function paySync(minor: number, poi = POI) {
  const h = harness()
  const message = h.nexo.payment({
    poiId: poi,
    amount: minor,
    currency: 'EUR',
    transactionId: 'T-1',
  })
  const started = h.clock.now()
  const answer = await raw(h.cloud, 'POST', devicePath(poi, 'sync'), message)
  return { h, message, answer, elapsed: h.clock.now() - started }
}

const KNOWN_ERROR_CONDITIONS: string[] = DEFS.KnownErrorCondition.enum

// =============================================================================================
// 1. Operations, hosts, auth
// =============================================================================================

interface OpFact {
  line: number
  doc: Doc
  method: string
  path: string
  success: string
  /** Error statuses the fact names (the legacy endpoints: none known). */
  errors: string[]
  /** Success media type and body schema name the fact gives, if any. */
  media?: string
  body?: string
}

const DEVICE_OPS: OpFact[] = [
  {
    line: 18,
    doc: DEVICE,
    method: 'POST',
    path: '/merchants/{merchantAccount}/devices/{deviceId}/sync',
    success: '200',
    errors: [],
    media: 'application/json',
  },
  {
    line: 19,
    doc: DEVICE,
    method: 'POST',
    path: '/merchants/{merchantAccount}/devices/{deviceId}/async',
    success: '200',
    errors: [],
  },
  {
    line: 20,
    doc: DEVICE,
    method: 'GET',
    path: '/merchants/{merchantAccount}/devices/{deviceId}/status',
    success: '200',
    errors: ['401', '403'],
    media: 'application/json',
    body: 'DeviceStatusResponse',
  },
  {
    line: 21,
    doc: DEVICE,
    method: 'GET',
    path: '/merchants/{merchantAccount}/connectedDevices',
    success: '200',
    errors: ['401', '403'],
    media: 'application/json',
    body: 'ConnectedDevicesResponse',
  },
]

const LEGACY_OPS: OpFact[] = [
  { line: 29, doc: LEGACY, method: 'POST', path: '/sync', success: '200', errors: [] },
  {
    line: 29,
    doc: LEGACY,
    method: 'POST',
    path: '/async',
    success: '200',
    errors: [],
    media: 'text/plain',
  },
  {
    line: 30,
    doc: LEGACY,
    method: 'POST',
    path: '/connectedTerminals',
    success: '200',
    errors: [],
    media: 'application/json',
    body: 'ConnectedTerminalsResponse',
  },
]

const ALL_OPS = [...DEVICE_OPS, ...LEGACY_OPS].map((o) => [o.line, o.method, o.path, o] as const)

describe('operations and status codes (FACTS §1a table, §1b)', () => {
  it('FACTS:16-21,29-30 the device API schema has exactly the 4 operations, the legacy schema exactly the 3', () => {
    expect(opsOf(DEVICE)).toEqual(sorted(DEVICE_OPS.map((o) => `${o.method} ${o.path}`)))
    expect(opsOf(LEGACY)).toEqual(sorted(LEGACY_OPS.map((o) => `${o.method} ${o.path}`)))
  })

  it.each(ALL_OPS)(
    'FACTS:%i %s %s declares the success and every error status of the fact, and the success is the only 2xx',
    (_l, method, path, fact) => {
      const declared = Object.keys(responsesOf(fact.doc, method, path))
      expect(declared).toEqual(expect.arrayContaining([fact.success, ...fact.errors]))
      expect(declared.filter((c) => c.startsWith('2'))).toEqual([fact.success])
    },
  )

  it.each(ALL_OPS)(
    "FACTS:%i %s %s: a status beyond the fact is marked x-unverified; the fact's own are not",
    (_l, method, path, fact) => {
      const responses = responsesOf(fact.doc, method, path)
      const extra = Object.entries(responses)
        .filter(([code]) => code !== fact.success && !fact.errors.includes(code))
        .filter(([, r]) => !isUnverified(r.ref) && !isUnverified(r.body))
        .map(([code]) => code)
      expect(extra).toEqual([])
      const markedFacts = fact.errors.filter(
        (code) => isUnverified(responses[code]!.ref) || isUnverified(responses[code]!.body),
      )
      expect(markedFacts).toEqual([])
    },
  )

  it.each(ALL_OPS.filter(([, , , o]) => o.media))(
    "FACTS:%i %s %s answers success in the fact's media type (and body schema)",
    (_l, method, path, fact) => {
      const r = responsesOf(fact.doc, method, path)[fact.success]!.body
      expect(Object.keys(r.content)).toEqual([fact.media])
      if (fact.body)
        expect(r.content[fact.media!].schema.$ref).toBe(`#/components/schemas/${fact.body}`)
    },
  )

  it('FACTS:18 the /sync 200 carries either a SaleToPOIResponse or (delivery failure) a SaleToPOIRequest envelope', () => {
    for (const [doc, path] of [
      [DEVICE, '/merchants/{merchantAccount}/devices/{deviceId}/sync'],
      [LEGACY, '/sync'],
    ] as const) {
      const body = responsesOf(doc, 'POST', path)['200']!.body
      const props = propertiesOf(doc, body.content['application/json'].schema)
      expect(sorted(Object.keys(props))).toEqual(['SaleToPOIRequest', 'SaleToPOIResponse'])
    }
  })

  it('FACTS:16-21,23 device API paths take merchantAccount and deviceId in the path; connectedDevices takes an optional store query', () => {
    for (const o of DEVICE_OPS) {
      const params = parametersOf(DEVICE, o.method, o.path)
      const inPath = params.filter((p) => p.in === 'path').map((p) => p.name)
      expect(sorted(inPath)).toEqual(
        o.path.includes('{deviceId}') ? ['deviceId', 'merchantAccount'] : ['merchantAccount'],
      )
      for (const p of params.filter((p) => p.in === 'path')) expect(p.required).toBe(true)
    }
    const store = parametersOf(DEVICE, 'GET', '/merchants/{merchantAccount}/connectedDevices').find(
      (p) => p.in === 'query',
    )
    expect(store).toMatchObject({ name: 'store', required: false })
  })

  it('FACTS:31 legacy message endpoints carry no device id in the path (routing by POIID)', () => {
    for (const path of Object.keys(LEGACY.paths)) expect(path).not.toMatch(/\{/)
  })

  it('FACTS:30 legacy /connectedTerminals takes {merchantAccount, store?} and answers {uniqueTerminalIds: string[]}', () => {
    const req = schemaOf(LEGACY, 'ConnectedTerminalsRequest')
    expect(requiredOf(LEGACY, req)).toEqual(['merchantAccount'])
    const props = propertiesOf(LEGACY, req)
    expect(props.store.type).toBe('string')
    // anything beyond merchantAccount and store is our guess
    for (const name of Object.keys(props).filter((n) => !['merchantAccount', 'store'].includes(n)))
      expect(isUnverified(props[name]), name).toBe(true)
    const ids = propertiesOf(
      LEGACY,
      schemaOf(LEGACY, 'ConnectedTerminalsResponse'),
    ).uniqueTerminalIds
    expect(ids).toMatchObject({ type: 'array', items: { type: 'string' } })
  })
})

describe('hosts and auth (FACTS §1a, §1b, Auth)', () => {
  const DEVICE_SERVERS: Array<[string, AdyenRegion | undefined, string]> = [
    ['test', undefined, 'https://device-api-test.adyen.com/v1'],
    ['live', 'EU', 'https://device-api-live.adyen.com/v1'],
    ['live', 'AU', 'https://device-api-live-au.adyen.com/v1'],
    ['live', 'APSE', 'https://device-api-live-apse.adyen.com/v1'],
    ['live', 'US', 'https://device-api-live-us.adyen.com/v1'],
  ]
  const LEGACY_SERVERS: Array<[string, AdyenRegion | undefined, string]> = [
    ['test', undefined, 'https://terminal-api-test.adyen.com'],
    ['live', 'EU', 'https://terminal-api-live.adyen.com'],
    ['live', 'AU', 'https://terminal-api-live-au.adyen.com'],
    ['live', 'US', 'https://terminal-api-live-us.adyen.com'],
    ['live', 'APSE', 'https://terminal-api-live-apse.adyen.com'],
  ]

  it('FACTS:11-13 the device API schema lists exactly the test host and the four live regions', () => {
    expect(sorted(DEVICE.servers.map((s: Doc) => s.url))).toEqual(
      sorted(DEVICE_SERVERS.map(([, , url]) => url)),
    )
  })

  it('FACTS:28-29 the legacy schema lists exactly the test host and the four live regions', () => {
    expect(sorted(LEGACY.servers.map((s: Doc) => s.url))).toEqual(
      sorted(LEGACY_SERVERS.map(([, , url]) => url)),
    )
  })

  it.each([
    ...DEVICE_SERVERS.map(([env, region, url]) => [11, 'device-api', env, region, url] as const),
    ...LEGACY_SERVERS.map(([env, region, url]) => [28, 'legacy', env, region, url] as const),
  ])("FACTS:%i the client's base URL for %s %s %s is %s", (_l, transport, env, region, url) => {
    expect(adyenBaseUrl(transport, env as 'test' | 'live', region)).toBe(url)
  })

  it('FACTS:34 both schemas authenticate with the X-API-Key header (verified: not x-unverified)', () => {
    for (const doc of [DEVICE, LEGACY]) {
      const schemes = Object.values(doc.components.securitySchemes) as Doc[]
      expect(schemes).toContainEqual(
        expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      )
      expect(doc.security).toContainEqual({ apiKey: [] })
      for (const s of schemes.filter((s) => s.type === 'apiKey'))
        expect(isUnverified(s)).toBe(false)
    }
  })

  it('FACTS:23,34 the client sends X-API-Key and application/json, and the device id of the path is MessageHeader.POIID', async () => {
    const seen: Request[] = []
    const h = harness({
      between: (request, cloud) => (seen.push(request.clone()), cloud.fetch(request)),
    })
    const message = h.nexo.payment({
      poiId: POI,
      amount: 1000,
      currency: 'EUR',
      transactionId: 'T',
    })
    await h.adyen.payment(message)
    const [request] = seen
    expect(request!.headers.get('x-api-key')).toBe(KEY)
    expect(request!.headers.get('content-type')).toMatch(/^application\/json/)
    expect(new URL(request!.url).pathname).toBe(`/v1/merchants/${MERCHANT}/devices/${POI}/sync`)
    expect(message.SaleToPOIRequest.MessageHeader.POIID).toBe(POI)
  })
})

// =============================================================================================
// 2. Device API bodies and errors
// =============================================================================================

describe('device API bodies and error body (FACTS:20-25)', () => {
  it('FACTS:20 DeviceStatusResponse has deviceId and status ONLINE|OFFLINE', () => {
    const props = propertiesOf(DEVICE, schemaOf(DEVICE, 'DeviceStatusResponse'))
    expect(sorted(Object.keys(props))).toEqual(['deviceId', 'status'])
    expect(resolve(DEVICE, props.status).enum).toEqual(['ONLINE', 'OFFLINE'])
  })

  it('FACTS:21 ConnectedDevicesResponse has uniqueDeviceIds: string[]', () => {
    const props = propertiesOf(DEVICE, schemaOf(DEVICE, 'ConnectedDevicesResponse'))
    expect(props).toEqual({ uniqueDeviceIds: { type: 'array', items: { type: 'string' } } })
  })

  it.each([
    [20, 'DeviceStatusResponse'],
    [21, 'ConnectedDevicesResponse'],
  ])(
    'FACTS:%i %s: the fact names its fields but no required list; a required list is our inference and is marked x-unverified',
    (_l, name) => {
      const s = schemaOf(DEVICE, name)
      if ((s.required ?? []).length > 0) expect(isUnverified(s), `${name}.required`).toBe(true)
    },
  )

  it('FACTS:24-25 the error body has exactly type, title, status, detail, errorCode, requestId, instance, invalidFields[{name, value, message}]', () => {
    const props = propertiesOf(DEVICE, schemaOf(DEVICE, 'ErrorResponse'))
    expect(sorted(Object.keys(props))).toEqual(
      sorted([
        'type',
        'title',
        'status',
        'detail',
        'errorCode',
        'requestId',
        'instance',
        'invalidFields',
      ]),
    )
    const field = propertiesOf(DEVICE, props.invalidFields.items)
    expect(sorted(Object.keys(field))).toEqual(['message', 'name', 'value'])
    expect(isUnverified(schemaOf(DEVICE, 'ErrorResponse'))).toBe(false)
  })

  it.each([
    [20, '401', 'GET', '/merchants/{merchantAccount}/devices/{deviceId}/status'],
    [20, '403', 'GET', '/merchants/{merchantAccount}/devices/{deviceId}/status'],
    [21, '401', 'GET', '/merchants/{merchantAccount}/connectedDevices'],
    [21, '403', 'GET', '/merchants/{merchantAccount}/connectedDevices'],
  ])('FACTS:%i,24 %s of %s %s carries the error body', (_l, code, method, path) => {
    const r = responsesOf(DEVICE, method, path)[code]!.body
    expect(resolve(DEVICE, r.content['application/json'].schema)).toBe(
      schemaOf(DEVICE, 'ErrorResponse'),
    )
  })
})

// =============================================================================================
// 3. nexo message schemas: enums, required lists, fields
// =============================================================================================

describe('nexo enums (FACTS §2)', () => {
  it.each([
    [47, 'MessageClass', ['Service', 'Device', 'Event']],
    [
      48,
      'MessageCategory',
      [
        'Abort',
        'Admin',
        'BalanceInquiry',
        'CardAcquisition',
        'Diagnosis',
        'Display',
        'EnableService',
        'Event',
        'GetTotals',
        'Input',
        'InputUpdate',
        'Login',
        'Logout',
        'Loyalty',
        'None',
        'Payment',
        'Print',
        'Reconciliation',
        'Reversal',
        'StoredValue',
        'TransactionStatus',
      ],
    ],
    [51, 'MessageType', ['Request', 'Response', 'Notification']],
    [
      63,
      'PaymentType',
      [
        'Normal',
        'Refund',
        'CashAdvance',
        'CashDeposit',
        'Completion',
        'FirstReservation',
        'UpdateReservation',
        'OneTimeReservation',
        'Instalment',
        'IssuerInstalment',
        'PaidOut',
        'Recurring',
      ],
    ],
    [68, 'Result', ['Success', 'Failure', 'Partial']],
    [
      69,
      'KnownErrorCondition',
      [
        'Aborted',
        'Busy',
        'Cancel',
        'DeviceOut',
        'InProgress',
        'InsertedCard',
        'InvalidCard',
        'LoggedOut',
        'MessageFormat',
        'NotAllowed',
        'NotFound',
        'PaymentRestriction',
        'Refusal',
        'UnavailableDevice',
        'UnavailableService',
        'UnreachableHost',
        'WrongPIN',
      ],
    ],
    [81, 'ReversalReason', ['CustCancel', 'Malfunction', 'MerchantCancel', 'Unable2Compl']],
    [
      99,
      'KnownEventToNotify',
      [
        'Abort',
        'BeginMaintenance',
        'CardInserted',
        'CardRemoved',
        'Completed',
        'CustomerLanguage',
        'EndMaintenance',
        'Initialised',
        'KeyPressed',
        'OutOfOrder',
        'Reject',
        'SaleAdmin',
        'SaleWakeUp',
        'ScanBarcodeResult',
        'SecurityAlarm',
        'Shutdown',
        'StopAssistance',
        'UseAnotherCardForPreauth',
      ],
    ],
  ])(
    "FACTS:%i %s is exactly the fact's values (verified, not x-unverified)",
    (_l, name, values) => {
      expect(sorted(DEFS[name].enum)).toEqual(sorted(values as string[]))
      expect(isUnverified(DEFS[name])).toBe(false)
    },
  )

  it('FACTS:69,99 ErrorCondition and EventToNotify are read leniently: the known values, or any other string', () => {
    for (const [name, known] of [
      ['ErrorCondition', 'KnownErrorCondition'],
      ['EventToNotify', 'KnownEventToNotify'],
    ] as const) {
      const branches = DEFS[name].anyOf
      expect(branches).toContainEqual({ $ref: `#/$defs/${known}` })
      expect(branches.some((b: Doc) => b.type === 'string' && !b.enum)).toBe(true)
    }
  })

  it('FACTS:59 TokenRequestedType is Customer|Transaction', () => {
    expect(DEFS.SaleData.properties.TokenRequestedType.enum).toEqual(['Customer', 'Transaction'])
  })

  it('FACTS:78,89 DocumentQualifier includes CashierReceipt and CustomerReceipt', () => {
    expect(DEFS.DocumentQualifier.enum).toEqual(
      expect.arrayContaining(['CashierReceipt', 'CustomerReceipt']),
    )
  })

  it('FACTS:84,88 each request schema fixes its MessageCategory: Abort, TransactionStatus, Payment, Reversal', () => {
    const cat = (file: string) =>
      resolve(NEXO[file], NEXO[file].properties.SaleToPOIRequest.properties.MessageHeader).allOf[1]
        .properties.MessageCategory.const
    expect(cat('abort-request.schema.yaml')).toBe('Abort')
    expect(cat('transaction-status-request.schema.yaml')).toBe('TransactionStatus')
    expect(cat('payment-request.schema.yaml')).toBe('Payment')
    expect(cat('reversal-request.schema.yaml')).toBe('Reversal')
  })
})

interface FieldFact {
  line: number
  /** File and path (property names; `[]` for array items) of the object. */
  file: string
  path: string[]
  properties: string[]
  /** The required list the fact states, when it states one (exact). */
  required?: string[]
}

const REQ_ENV = ['SaleToPOIRequest']
const RES_ENV = ['SaleToPOIResponse']
const PAY_REQ = 'payment-request.schema.yaml'
const PAY_RES = 'payment-response.schema.yaml'
const PR = [...RES_ENV, 'PaymentResponse']

const FIELD_FACTS: FieldFact[] = [
  {
    line: 45,
    file: PAY_RES,
    path: [...RES_ENV, 'MessageHeader'],
    properties: [
      'ProtocolVersion',
      'MessageClass',
      'MessageCategory',
      'MessageType',
      'ServiceID',
      'SaleID',
      'POIID',
      'DeviceID',
    ],
    required: ['MessageClass', 'MessageCategory', 'MessageType', 'SaleID', 'POIID'],
  },
  {
    line: 56,
    file: PAY_REQ,
    path: [...REQ_ENV, 'PaymentRequest'],
    properties: ['SaleData', 'PaymentTransaction', 'PaymentData'],
    required: ['SaleData', 'PaymentTransaction'],
  },
  {
    line: 57,
    file: PAY_REQ,
    path: [...REQ_ENV, 'PaymentRequest', 'SaleData'],
    properties: [
      'SaleTransactionID',
      'SaleReferenceID',
      'OperatorID',
      'ShiftNumber',
      'SaleToAcquirerData',
      'TokenRequestedType',
    ],
  },
  {
    line: 57,
    file: PAY_REQ,
    path: [...REQ_ENV, 'PaymentRequest', 'SaleData', 'SaleTransactionID'],
    properties: ['TransactionID', 'TimeStamp'],
    required: ['TransactionID', 'TimeStamp'],
  },
  {
    line: 60,
    file: PAY_REQ,
    path: [...REQ_ENV, 'PaymentRequest', 'PaymentTransaction'],
    properties: ['AmountsReq', 'OriginalPOITransaction', 'TransactionConditions'],
  },
  {
    line: 60,
    file: PAY_REQ,
    path: [...REQ_ENV, 'PaymentRequest', 'PaymentTransaction', 'AmountsReq'],
    properties: [
      'Currency',
      'RequestedAmount',
      'CashBackAmount',
      'TipAmount',
      'PaidAmount',
      'MinimumAmountToDeliver',
    ],
  },
  {
    line: 61,
    file: PAY_REQ,
    path: [...REQ_ENV, 'PaymentRequest', 'PaymentTransaction', 'TransactionConditions'],
    properties: ['AllowedPaymentBrand', 'ForceEntryMode', 'DebitPreferredFlag'],
  },
  {
    line: 67,
    file: PAY_RES,
    path: PR,
    properties: ['Response', 'SaleData', 'POIData', 'PaymentResult', 'PaymentReceipt'],
    required: ['Response', 'SaleData', 'POIData'],
  },
  {
    line: 68,
    file: PAY_RES,
    path: [...PR, 'Response'],
    properties: ['Result', 'ErrorCondition', 'AdditionalResponse'],
    required: ['Result'],
  },
  {
    line: 73,
    file: PAY_RES,
    path: [...PR, 'POIData'],
    properties: ['POITransactionID', 'POIReconciliationID'],
  },
  {
    line: 73,
    file: PAY_RES,
    path: [...PR, 'POIData', 'POITransactionID'],
    properties: ['TransactionID', 'TimeStamp'],
  },
  {
    line: 75,
    file: PAY_RES,
    path: [...PR, 'PaymentResult'],
    properties: [
      'PaymentType',
      'PaymentInstrumentData',
      'AmountsResp',
      'OnlineFlag',
      'AuthenticationMethod',
      'PaymentAcquirerData',
    ],
  },
  {
    line: 75,
    file: PAY_RES,
    path: [...PR, 'PaymentResult', 'PaymentInstrumentData'],
    properties: ['PaymentInstrumentType', 'CardData'],
  },
  {
    line: 75,
    file: PAY_RES,
    path: [...PR, 'PaymentResult', 'PaymentInstrumentData', 'CardData'],
    properties: ['PaymentBrand', 'MaskedPan', 'EntryMode', 'PaymentToken'],
  },
  {
    line: 76,
    file: PAY_RES,
    path: [...PR, 'PaymentResult', 'AmountsResp'],
    properties: ['AuthorizedAmount', 'Currency', 'TipAmount', 'CashBackAmount'],
    required: ['AuthorizedAmount'],
  },
  {
    line: 78,
    file: PAY_RES,
    path: [...PR, 'PaymentReceipt', '[]'],
    properties: ['DocumentQualifier', 'RequiredSignatureFlag', 'OutputContent'],
  },
  {
    line: 80,
    file: 'reversal-request.schema.yaml',
    path: [...REQ_ENV, 'ReversalRequest'],
    properties: ['OriginalPOITransaction', 'ReversalReason', 'ReversedAmount', 'SaleData'],
    required: ['OriginalPOITransaction', 'ReversalReason'],
  },
  {
    line: 80,
    file: 'reversal-request.schema.yaml',
    path: [...REQ_ENV, 'ReversalRequest', 'OriginalPOITransaction'],
    properties: ['POITransactionID', 'SaleID', 'POIID'],
  },
  {
    line: 82,
    file: 'reversal-response.schema.yaml',
    path: [...RES_ENV, 'ReversalResponse'],
    properties: ['Response', 'POIData', 'ReversedAmount', 'PaymentReceipt'],
    required: ['Response'],
  },
  {
    line: 84,
    file: 'abort-request.schema.yaml',
    path: [...REQ_ENV, 'AbortRequest'],
    properties: ['MessageReference', 'AbortReason'],
    required: ['MessageReference', 'AbortReason'],
  },
  {
    line: 84,
    file: 'abort-request.schema.yaml',
    path: [...REQ_ENV, 'AbortRequest', 'MessageReference'],
    properties: ['MessageCategory', 'ServiceID', 'SaleID', 'POIID', 'DeviceID'],
  },
  {
    line: 89,
    file: 'transaction-status-request.schema.yaml',
    path: [...REQ_ENV, 'TransactionStatusRequest'],
    properties: ['MessageReference', 'DocumentQualifier', 'ReceiptReprintFlag'],
    required: [],
  },
  {
    line: 89,
    file: 'transaction-status-request.schema.yaml',
    path: [...REQ_ENV, 'TransactionStatusRequest', 'MessageReference'],
    properties: ['MessageCategory', 'SaleID', 'ServiceID'],
  },
  {
    line: 91,
    file: 'transaction-status-response.schema.yaml',
    path: [...RES_ENV, 'TransactionStatusResponse'],
    properties: ['Response', 'MessageReference', 'RepeatedMessageResponse'],
    required: ['Response'],
  },
  {
    line: 91,
    file: 'transaction-status-response.schema.yaml',
    path: [...RES_ENV, 'TransactionStatusResponse', 'RepeatedMessageResponse'],
    properties: ['MessageHeader', 'RepeatedResponseMessageBody'],
  },
  {
    line: 92,
    file: 'transaction-status-response.schema.yaml',
    path: [
      ...RES_ENV,
      'TransactionStatusResponse',
      'RepeatedMessageResponse',
      'RepeatedResponseMessageBody',
    ],
    properties: ['PaymentResponse', 'ReversalResponse'],
  },
  {
    line: 99,
    file: 'event-notification.schema.yaml',
    path: [...REQ_ENV, 'EventNotification'],
    properties: [
      'EventToNotify',
      'EventDetails',
      'RejectedMessage',
      'TimeStamp',
      'MaintenanceRequiredFlag',
    ],
  },
]

describe('nexo fields and required lists (FACTS §2)', () => {
  it.each(FIELD_FACTS.map((f) => [f.line, `${f.file} ${f.path.join('.')}`, f] as const))(
    'FACTS:%i %s has every field of the fact (and exactly its required list, where the fact gives one)',
    (_l, _name, fact) => {
      const doc = NEXO[fact.file]
      const node = at(doc, doc, fact.path)
      expect(node, fact.path.join('.')).toBeDefined()
      const props = Object.keys(propertiesOf(doc, node))
      expect(props).toEqual(expect.arrayContaining(fact.properties))
      if (fact.required) expect(sorted(requiredOf(doc, node))).toEqual(sorted(fact.required))
    },
  )

  it('FACTS:41-42 every message schema is a whole envelope: SaleToPOIRequest or SaleToPOIResponse, each with a MessageHeader', () => {
    for (const file of NEXO_FILES.filter((f) => f !== 'nexo.defs.yaml')) {
      const s = NEXO[file]
      const envelope = s.properties.SaleToPOIRequest ? 'SaleToPOIRequest' : 'SaleToPOIResponse'
      expect(s.required, file).toEqual([envelope])
      expect(s.properties[envelope].required, file).toContain('MessageHeader')
    }
  })

  it('FACTS:85 there is no AbortResponse: no schema types one', () => {
    const all = JSON.stringify(NEXO)
    expect(all).not.toMatch(/"AbortResponse"/)
    expect(NEXO_FILES.filter((f) => /abort-response/.test(f))).toEqual([])
  })

  it('FACTS:43 amounts are decimal major units, 0 to 99999999.999999, on every request amount field', () => {
    expect(DEFS.MajorAmount).toMatchObject({ type: 'number', minimum: 0, maximum: 99999999.999999 })
    for (const field of [
      'RequestedAmount',
      'CashBackAmount',
      'TipAmount',
      'PaidAmount',
      'MinimumAmountToDeliver',
    ])
      expect(DEFS.AmountsReq.properties[field], field).toEqual({ $ref: '#/$defs/MajorAmount' })
    expect(
      NEXO['reversal-request.schema.yaml'].properties.SaleToPOIRequest.properties.ReversalRequest
        .properties.ReversedAmount,
    ).toEqual({ $ref: 'nexo.defs.yaml#/$defs/MajorAmount' })
  })

  it('FACTS:60 Currency is 3 letters', () => {
    expect(DEFS.CurrencyCode).toMatchObject({ type: 'string', pattern: '^[A-Z]{3}$' })
  })

  it('FACTS:52,54 ServiceID is 1-10 characters; DeviceID (abort MessageReference) is 1-10 characters', () => {
    expect(DEFS.ServiceID).toMatchObject({ type: 'string', minLength: 1, maxLength: 10 })
    const ref =
      NEXO['abort-request.schema.yaml'].properties.SaleToPOIRequest.properties.AbortRequest
        .properties.MessageReference.properties.DeviceID
    expect(ref).toMatchObject({ minLength: 1, maxLength: 10 })
    expect(
      resolve(NEXO['nexo.defs.yaml'], DEFS.MessageReference.properties.DeviceID),
    ).toMatchObject({
      minLength: 1,
      maxLength: 10,
    })
  })

  it('FACTS:47,52 the request header is Service class and so requires ServiceID', () => {
    expect(DEFS.RequestHeader.properties.MessageClass).toEqual({ const: 'Service' })
    expect(DEFS.RequestHeader.required).toContain('ServiceID')
  })

  it('FACTS:57 SaleTransactionID.TimeStamp is a date-time', () => {
    expect(DEFS.TimeStamp).toMatchObject({ type: 'string', format: 'date-time' })
    expect(DEFS.TransactionIdentification.properties.TimeStamp).toEqual({
      $ref: '#/$defs/TimeStamp',
    })
  })
})

// =============================================================================================
// 4. unverified marks
// =============================================================================================

describe('x-unverified marks (FACTS legend: [INF] and [UNKNOWN] marked, verified not)', () => {
  /** Statements our schemas make whose fact is [INF] or [UNKNOWN]: every node saying it is marked (at or above). */
  const INFERRED: Array<[number, string, string, RegExp]> = [
    [52, 'nexo/nexo.defs.yaml', 'ServiceID reuse refused', /refuses a SaleID and ServiceID pair/],
    [
      95,
      'nexo/transaction-status-response.schema.yaml',
      'NotFound means a new request is safe',
      /a new request is safe/,
    ],
    [85, 'nexo/abort-request.schema.yaml', 'nothing answers an abort', /Nothing answers an abort/],
    [124, 'nexo/payment-request.schema.yaml', 'no idempotency key', /idempotency key/i],
    [
      69,
      'nexo/nexo.defs.yaml',
      'an unexpected field is answered with MessageFormat',
      /unexpected\s+field with `ErrorCondition: MessageFormat`/,
    ],
  ]

  it.each(INFERRED)(
    'FACTS:%i %s: "%s" is stated only on x-unverified nodes',
    (_l, file, _what, pattern) => {
      const doc = file.startsWith('nexo/') ? NEXO[file.slice(5)] : load(file)
      const stating = [...nodes(doc)].filter(
        ([, node]) => typeof node.description === 'string' && pattern.test(node.description),
      )
      expect(stating.length, 'the statement is in the schema').toBeGreaterThan(0)
      expect(stating.filter(([ptr]) => !markedAtOrAbove(doc, ptr)).map(([ptr]) => ptr)).toEqual([])
    },
  )

  /**
   * Verified facts carry no mark, so a mark for an inferred detail belongs on that detail, not on an ancestor
   * that also holds the verified structure.
   */
  const VERIFIED_NODES: Array<[number, string, Doc, string[]]> = [
    [
      18,
      'device API POST …/sync 200 response',
      DEVICE,
      ['paths', '/merchants/{merchantAccount}/devices/{deviceId}/sync', 'post', 'responses', '200'],
    ],
    [
      91,
      'TransactionStatusResponse schema (root)',
      NEXO['transaction-status-response.schema.yaml'],
      [],
    ],
    [
      84,
      'AbortRequest envelope',
      NEXO['abort-request.schema.yaml'],
      ['properties', 'SaleToPOIRequest'],
    ],
    [67, 'PaymentResponseBody', NEXO['nexo.defs.yaml'], ['$defs', 'PaymentResponseBody']],
    [
      56,
      'PaymentRequest envelope',
      NEXO['payment-request.schema.yaml'],
      ['properties', 'SaleToPOIRequest'],
    ],
    [
      80,
      'ReversalRequest envelope',
      NEXO['reversal-request.schema.yaml'],
      ['properties', 'SaleToPOIRequest'],
    ],
    [
      98,
      'EventNotification envelope',
      NEXO['event-notification.schema.yaml'],
      ['properties', 'SaleToPOIRequest'],
    ],
    [20, 'DeviceStatusResponse', DEVICE, ['components', 'schemas', 'DeviceStatusResponse']],
  ]

  it.each(VERIFIED_NODES)(
    'FACTS:%i %s is verified: neither it nor an ancestor is blanket-marked x-unverified',
    (_l, _what, doc, path) => {
      const ptr = path.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
      expect(
        path.reduce((n: Doc, k) => n?.[k], doc),
        'node exists',
      ).toBeDefined()
      expect(markedAtOrAbove(doc, ptr)).toBe(false)
    },
  )

  it('FACTS:35 Basic auth and OAuth details are unknown: no schema declares them unmarked', () => {
    for (const doc of [DEVICE, LEGACY])
      for (const s of Object.values(doc.components.securitySchemes) as Doc[])
        if (s.type !== 'apiKey') expect(isUnverified(s)).toBe(true)
  })

  it('FACTS:126-127 no schema states a rate limit (429) or a TransactionStatus retention window unmarked', () => {
    for (const [file, doc] of [
      ['device-api', DEVICE],
      ['legacy', LEGACY],
      ...Object.entries(NEXO),
    ] as Array<[string, Doc]>) {
      for (const [ptr, node] of nodes(doc)) {
        if (ptr.endsWith('/429')) expect(markedAtOrAbove(doc, ptr), `${file} ${ptr}`).toBe(true)
        if (typeof node.description === 'string' && /\b\d+\s*(h|hours)\b/.test(node.description))
          expect(markedAtOrAbove(doc, ptr), `${file} ${ptr}`).toBe(true)
      }
    }
  })
})

// =============================================================================================
// 5. The client's pre-send rules against the schemas' constraints
// =============================================================================================

describe('client pre-send rules agree with the schemas (FACTS:43,52,54,60)', () => {
  const client = () =>
    createAdyenClient({
      apiKey: KEY,
      environment: 'test',
      transport: 'device-api',
      merchantAccount: MERCHANT,
      fetch: () => {
        throw new Error('must not send')
      },
    })

  it.each([
    ['EUR', 1050, 10.5],
    ['GBP', 1, 0.01],
    ['JPY', 1200, 1200],
    ['KRW', 5, 5],
    ['BHD', 1234, 1.234],
    ['KWD', 1, 0.001],
    ['CLF', 12345, 1.2345],
  ] as const)(
    'FACTS:43 the builder sends %s %i minor units as the major-unit decimal %d',
    (currency, minor, major) => {
      const h = harness()
      const m = h.nexo.payment({ poiId: POI, amount: minor, currency, transactionId: 'T' })
      expect(m.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq).toMatchObject({
        Currency: currency,
        RequestedAmount: major,
      })
      expectNexo(PAY_REQ, m)
    },
  )

  it.each(Object.entries({ 0: 'JPY', 2: 'EUR', 3: 'BHD', 4: 'CLF' }))(
    "FACTS:43 the builder's largest amount in an exponent-%s currency (%s) is within the schema maximum, one more is not",
    (_e, currency) => {
      const max = maxMinorAmount(currency)
      expect(toMajorUnits(max, currency)).toBeLessThanOrEqual(DEFS.MajorAmount.maximum)
      const exponent = CURRENCY_EXPONENTS[currency]!
      expect((max + 1) / 10 ** exponent).toBeGreaterThan(DEFS.MajorAmount.maximum)
      const h = harness()
      expect(() =>
        h.nexo.payment({ poiId: POI, amount: max + 1, currency, transactionId: 'T' }),
      ).toThrow(TillkitValidationError)
    },
  )

  it.each([
    ['RequestedAmount', 'EUR', 10.999],
    ['RequestedAmount', 'JPY', 100.5],
    ['TipAmount', 'EUR', 0.001],
    ['CashBackAmount', 'BHD', 1.0001],
  ] as const)(
    'FACTS:43 a hand-built payment whose %s has more decimals than %s has is refused before sending (%d)',
    async (field, currency, value) => {
      const h = harness()
      const m = h.nexo.payment({ poiId: POI, amount: 100, currency, transactionId: 'T' }) as Doc
      m.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq[field] = value
      m.SaleToPOIRequest.MessageHeader.ServiceID = 'HANDBUILT1'
      await expect(client().payment(m)).rejects.toBeInstanceOf(TillkitValidationError)
    },
  )

  it.each([
    ['serviceId', 'A'.repeat(11), false],
    ['serviceId', '', false],
    ['serviceId', 'A'.repeat(10), true],
  ] as const)(
    "FACTS:52 the builder takes a ServiceID of the schema's 1-10 characters only (%s %j ok=%s)",
    (_f, serviceId, ok) => {
      const h = harness()
      const build = () =>
        h.nexo.payment({ poiId: POI, serviceId, amount: 100, currency: 'EUR', transactionId: 'T' })
      if (ok) expect(build().SaleToPOIRequest.MessageHeader.ServiceID).toBe(serviceId)
      else expect(build).toThrow(TillkitValidationError)
    },
  )

  it.each([
    ['A'.repeat(11), false],
    ['A'.repeat(10), true],
  ] as const)(
    'FACTS:54 the abort builder takes a DeviceID of 1-10 characters only (%j ok=%s)',
    (id, ok) => {
      const h = harness()
      const build = () => h.nexo.abort({ poiId: POI, abortServiceId: 'X1', abortDeviceId: id })
      if (ok) expect(() => expectNexo('abort-request.schema.yaml', build())).not.toThrow()
      else expect(build).toThrow(TillkitValidationError)
    },
  )

  it("FACTS:45-57,80-90 every builder's message validates against the YAML schema itself, with the header the fact requires", () => {
    const h = harness()
    const messages: Array<[string, Doc]> = [
      [
        PAY_REQ,
        h.nexo.payment({
          poiId: POI,
          amount: 1234,
          currency: 'EUR',
          transactionId: 'T',
          tipAmount: 100,
          cashBackAmount: 0,
          type: 'refund',
        }),
      ],
      [
        'reversal-request.schema.yaml',
        h.nexo.reversal({
          poiId: POI,
          original: { TransactionID: 'x.y', TimeStamp: '2026-01-01T00:00:00.000Z' },
          amount: 100,
          currency: 'EUR',
          transactionId: 'R',
        }),
      ],
      ['abort-request.schema.yaml', h.nexo.abort({ poiId: POI, abortServiceId: 'ABC' })],
      [
        'transaction-status-request.schema.yaml',
        h.nexo.transactionStatus({ poiId: POI, statusOf: 'ABC', receipts: ['CustomerReceipt'] }),
      ],
      ['transaction-status-request.schema.yaml', h.nexo.transactionStatus({ poiId: POI })],
    ]
    for (const [file, m] of messages) {
      expectNexo(file, m)
      expect(m.SaleToPOIRequest.MessageHeader).toMatchObject({
        ProtocolVersion: '3.0',
        MessageClass: 'Service',
        MessageType: 'Request',
        SaleID: 'till-1',
        POIID: POI,
      })
    }
    expect(messages[0]![1].SaleToPOIRequest.PaymentRequest.PaymentData.PaymentType).toBe('Refund')
  })

  const NOT_A_DATE_TIME: Array<
    [number, string, (h: ReturnType<typeof harness>) => Promise<unknown>]
  > = [
    [
      73,
      'the reversal builder, original POITransactionID.TimeStamp',
      async (h) =>
        h.nexo.reversal({ poiId: POI, original: { TransactionID: 'x.y', TimeStamp: 'yesterday' } }),
    ],
    [
      57,
      'the payment builder, timeStamp',
      async (h) =>
        h.nexo.payment({
          poiId: POI,
          amount: 100,
          currency: 'EUR',
          transactionId: 'T',
          timeStamp: 'yesterday',
        }),
    ],
    [
      57,
      'client.payment with a hand-built SaleTransactionID.TimeStamp',
      async (h) => {
        const m = h.nexo.payment({
          poiId: POI,
          amount: 100,
          currency: 'EUR',
          transactionId: 'T',
        }) as Doc
        m.SaleToPOIRequest.MessageHeader.ServiceID = 'HANDBUILT2'
        m.SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID.TimeStamp = 'yesterday'
        return h.adyen.payment(m)
      },
    ],
    [
      73,
      'client.reversal with a hand-built original POITransactionID.TimeStamp',
      async (h) => {
        const m = h.nexo.reversal({
          poiId: POI,
          original: { TransactionID: 'x.y', TimeStamp: '2026-01-01T00:00:00Z' },
        }) as Doc
        m.SaleToPOIRequest.MessageHeader.ServiceID = 'HANDBUILT3'
        m.SaleToPOIRequest.ReversalRequest.OriginalPOITransaction.POITransactionID.TimeStamp =
          'yesterday'
        return h.adyen.reversal(m)
      },
    ],
  ]

  it.each(NOT_A_DATE_TIME)(
    "FACTS:%i %s: a TimeStamp that is not a date-time (the schema's format) is refused before sending",
    async (_l, _what, send) => {
      const sent: string[] = []
      const h = harness({ between: (r, cloud) => (sent.push(r.url), cloud.fetch(r)) })
      await expect(send(h)).rejects.toBeInstanceOf(TillkitValidationError)
      expect(sent).toEqual([])
    },
  )

  it('FACTS:96 TransactionStatus goes through /sync: the client posts it there, and sendAsync refuses one before sending', async () => {
    const paths: string[] = []
    const h = harness({
      between: (r, cloud) => (paths.push(new URL(r.url).pathname), cloud.fetch(r)),
    })
    await h.adyen.transactionStatus(h.nexo.transactionStatus({ poiId: POI, statusOf: 'NOPE' }))
    expect(paths).toEqual([`/v1/merchants/${MERCHANT}/devices/${POI}/sync`])
    const status = h.nexo.transactionStatus({ poiId: POI, statusOf: 'NOPE' })
    await expect(h.adyen.sendAsync(status as Doc)).rejects.toBeInstanceOf(TillkitValidationError)
    expect(paths).toHaveLength(1)
  })
})

// =============================================================================================
// 6. Timing facts
// =============================================================================================

describe('timeouts (FACTS §4)', () => {
  it.each([
    [114, "the client's cloud processing limit", CLOUD_PROCESSING_LIMIT_MS, 150_000],
    [114, "the fake's cloud processing limit", FAKE_PROCESSING_LIMIT_MS, 150_000],
    [116, "the fake terminal's card prompt timeout", CARD_PROMPT_TIMEOUT_MS, 120_000],
  ])('FACTS:%i %s is %i ms', (_l, _what, actual, expected) => {
    expect(actual).toBe(expected)
  })

  it('FACTS:121 a /sync payment timeout must exceed 150 s: the client refuses 150 000 ms and accepts 150 001', () => {
    const make = (paymentTimeoutMs: number) => () =>
      createAdyenClient({ apiKey: KEY, environment: 'test', transport: 'legacy', paymentTimeoutMs })
    expect(make(150_000)).toThrow(TillkitValidationError)
    expect(make(150_001)).not.toThrow()
  })

  it("FACTS:114,121 a payment the issuer never answers ends at the 150 s cloud limit with Result Failure, inside the client's default timeout", async () => {
    const h = harness()
    const message = h.nexo.payment({
      poiId: POI,
      amount: 1012,
      currency: 'EUR',
      transactionId: 'T',
    })
    expect(SCENARIO_BY_ENDING['12']).toBe('processing-timeout')
    const started = h.clock.now()
    const outcome = await h.adyen.payment(message)
    const elapsed = h.clock.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(150_000)
    expect(elapsed).toBeLessThan(180_000)
    expect(outcome.response?.SaleToPOIResponse.PaymentResponse.Response.Result).toBe('Failure')
  })

  it('FACTS:116-117 a card prompt nobody answers ends after 120 s as a cancelled transaction (Failure)', async () => {
    const { answer, elapsed } = await paySync(1011)
    expect(SCENARIO_BY_ENDING['11']).toBe('no-card')
    expect(elapsed).toBeGreaterThanOrEqual(120_000)
    expect(elapsed).toBeLessThan(150_000)
    expect(answer.json.SaleToPOIResponse.PaymentResponse.Response).toMatchObject({
      Result: 'Failure',
      ErrorCondition: 'Cancel',
    })
  })
})

// =============================================================================================
// 7. The fake cloud answers only what the schemas declare
// =============================================================================================

describe('the fake cloud answers only declared statuses and message shapes', () => {
  const endings = ['00', ...Object.keys(SCENARIO_BY_ENDING)]

  it.each(endings.map((e) => [67, e, SCENARIO_BY_ENDING[e] ?? 'approve'] as const))(
    'FACTS:%i,68-69 a /sync payment ending in %s (%s) is answered 200 with a valid PaymentResponse whose Result/ErrorCondition are known values',
    async (_l, ending) => {
      const { answer } = await paySync(1000 + Number(ending))
      expect(answer.status).toBe(200)
      expect(answer.mediaType).toBe('application/json')
      expectNexo(PAY_RES, answer.json)
      const response = answer.json.SaleToPOIResponse.PaymentResponse.Response
      expect(DEFS.Result.enum).toContain(response.Result)
      if (response.Result === 'Failure')
        expect(KNOWN_ERROR_CONDITIONS).toContain(response.ErrorCondition)
    },
  )

  it.each([
    ['02', 'Partial', undefined],
    ['05', 'Failure', 'Refusal'],
    ['06', 'Failure', 'WrongPIN'],
    ['10', 'Failure', 'Cancel'],
  ] as const)(
    'FACTS:108-109 scenario ending %s ends with Result %s / ErrorCondition %s',
    async (ending, result, condition) => {
      const { answer } = await paySync(1000 + Number(ending))
      const response = answer.json.SaleToPOIResponse.PaymentResponse.Response
      expect(response.Result).toBe(result)
      if (condition) expect(response.ErrorCondition).toBe(condition)
    },
  )

  it('FACTS:80-82 a reversal of an approved payment is answered with a valid ReversalResponse', async () => {
    const { h, answer } = await paySync(1000)
    const poi = answer.json.SaleToPOIResponse.PaymentResponse.POIData.POITransactionID
    const reversal = h.nexo.reversal({ poiId: POI, original: poi, amount: 500, currency: 'EUR' })
    const r = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), reversal)
    expect(r.status).toBe(200)
    expectNexo('reversal-response.schema.yaml', r.json)
    expect(r.json.SaleToPOIResponse.ReversalResponse.Response.Result).toBe('Success')
  })

  it('FACTS:91-93 TransactionStatus of a processed payment: Success, with the original PaymentResponse replayed', async () => {
    const { h, message, answer } = await paySync(1000)
    const status = h.nexo.transactionStatus({
      poiId: POI,
      statusOf: message.SaleToPOIRequest.MessageHeader.ServiceID,
    })
    const r = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), status)
    expectNexo('transaction-status-response.schema.yaml', r.json)
    const body = r.json.SaleToPOIResponse.TransactionStatusResponse
    expect(body.Response.Result).toBe('Success')
    expect(body.RepeatedMessageResponse.RepeatedResponseMessageBody.PaymentResponse).toEqual(
      answer.json.SaleToPOIResponse.PaymentResponse,
    )
  })

  it('FACTS:94 TransactionStatus of a running payment: Failure / InProgress', async () => {
    const h = harness({ autoAdvance: false })
    const message = h.nexo.payment({
      poiId: POI,
      amount: 1013,
      currency: 'EUR',
      transactionId: 'T',
    })
    void raw(h.cloud, 'POST', devicePath(POI, 'sync'), message)
    await busy(h.cloud, POI)
    const status = h.nexo.transactionStatus({
      poiId: POI,
      statusOf: message.SaleToPOIRequest.MessageHeader.ServiceID,
    })
    const r = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), status)
    expectNexo('transaction-status-response.schema.yaml', r.json)
    expect(r.json.SaleToPOIResponse.TransactionStatusResponse.Response).toMatchObject({
      Result: 'Failure',
      ErrorCondition: 'InProgress',
    })
  })

  it('FACTS:95 TransactionStatus of a request that never reached the terminal: Failure / NotFound', async () => {
    const h = harness()
    const status = h.nexo.transactionStatus({ poiId: POI, statusOf: 'NEVERSENT1' })
    const r = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), status)
    expectNexo('transaction-status-response.schema.yaml', r.json)
    expect(r.json.SaleToPOIResponse.TransactionStatusResponse.Response).toMatchObject({
      Result: 'Failure',
      ErrorCondition: 'NotFound',
    })
  })

  it('FACTS:85-86 an abort stops the running payment: the payment answers Failure / Aborted, the abort itself gets no AbortResponse', async () => {
    const h = harness({ autoAdvance: false })
    const message = h.nexo.payment({
      poiId: POI,
      amount: 1013,
      currency: 'EUR',
      transactionId: 'T',
    })
    const paid = raw(h.cloud, 'POST', devicePath(POI, 'sync'), message)
    await busy(h.cloud, POI)
    const abort = h.nexo.abort({
      poiId: POI,
      abortServiceId: message.SaleToPOIRequest.MessageHeader.ServiceID,
    })
    const a = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), abort)
    expect(a.status).toBe(200)
    expect(a.json?.SaleToPOIResponse).toBeUndefined()
    const p = await drive(h.clock, paid, 1_000)
    expectNexo(PAY_RES, p.json)
    expect(p.json.SaleToPOIResponse.PaymentResponse.Response).toMatchObject({
      Result: 'Failure',
      ErrorCondition: expect.stringMatching(/^(Aborted|Cancel)$/),
    })
  })

  it('FACTS:85 an abort the fake refuses (reused ServiceID) is not answered with an AbortResponse, which no schema declares', async () => {
    const h = harness()
    const abort = h.nexo.abort({ poiId: POI, abortServiceId: 'NOTRUNNING' })
    expect((await raw(h.cloud, 'POST', devicePath(POI, 'sync'), abort)).status).toBe(200)
    // the same message again: its ServiceID is now taken
    const again = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), abort)
    expect(again.status).toBe(200)
    expect(again.json?.SaleToPOIResponse?.AbortResponse).toBeUndefined()
    if (again.json !== undefined)
      expect(again.json.SaleToPOIRequest?.EventNotification).toBeDefined()
  })

  it('FACTS:18,102-103 a /sync to an offline device is answered 200 with an EventNotification Reject in a SaleToPOIRequest envelope', async () => {
    const h = harness()
    h.cloud.devices.setOnline(POI, false)
    const message = h.nexo.payment({
      poiId: POI,
      amount: 1000,
      currency: 'EUR',
      transactionId: 'T',
    })
    const r = await raw(h.cloud, 'POST', devicePath(POI, 'sync'), message)
    expect(r.status).toBe(200)
    expectNexo('event-notification.schema.yaml', r.json)
    const header = r.json.SaleToPOIRequest.MessageHeader
    expect(header).toMatchObject({
      MessageClass: 'Event',
      MessageCategory: 'Event',
      MessageType: 'Notification',
    })
    const event = r.json.SaleToPOIRequest.EventNotification
    expect(event.EventToNotify).toBe('Reject')
    expect(event.EventDetails).toBe('message=Did+not+receive+a+response+from+the+POI.')
    expect(JSON.parse(atob(event.RejectedMessage))).toEqual(message)
  })

  it.each([
    [19, 'device-api', DEVICE, '/merchants/{merchantAccount}/devices/{deviceId}/async'],
    [29, 'legacy', LEGACY, '/async'],
  ] as const)(
    'FACTS:%i %s /async is answered 200 in a media type the schema declares for it',
    async (_l, transport, doc, path) => {
      const h = harness()
      const message = h.nexo.payment({
        poiId: POI,
        amount: 1000,
        currency: 'EUR',
        transactionId: 'T',
      })
      const url = transport === 'legacy' ? `${LEGACY_BASE}/async` : devicePath(POI, 'async')
      const r = await raw(h.cloud, 'POST', url, message)
      expect(r.status).toBe(200)
      const declared = Object.keys(responsesOf(doc, 'POST', path)['200']!.body.content)
      expect(declared).toContain(r.mediaType)
    },
  )

  it('FACTS:19,110 an /async payment: 200 at once, the PaymentResponse arrives as a webhook; every webhook body is a shape our schemas declare', async () => {
    const h = harness()
    const message = h.nexo.payment({
      poiId: POI,
      amount: 1000,
      currency: 'EUR',
      transactionId: 'T',
    })
    const started = h.clock.now()
    const r = await raw(h.cloud, 'POST', devicePath(POI, 'async'), message)
    expect(r.status).toBe(200)
    expect(h.clock.now() - started).toBeLessThan(1_000)
    while (!h.webhooks.some((b: Doc) => b?.SaleToPOIResponse)) await h.clock.advance(500)
    await h.cloud.notifications.settled()
    const payment = h.webhooks.find((b: Doc) => b?.SaleToPOIResponse) as Doc
    expectNexo(PAY_RES, payment)
    expect(payment.SaleToPOIResponse.MessageHeader.ServiceID).toBe(
      message.SaleToPOIRequest.MessageHeader.ServiceID,
    )
    const shapes = [
      'payment-response.schema.yaml',
      'display-request.schema.yaml',
      'event-notification.schema.yaml',
    ]
    const undeclared = h.webhooks.filter((b) => !shapes.some((f) => nexoValidator(f)(b)))
    expect(undeclared).toEqual([])
  })

  it('FACTS:20-21 status and connectedDevices answer the declared bodies', async () => {
    const cloud = createFakeCloud()
    const status = await raw(cloud, 'GET', devicePath(POI, 'status'))
    expect(status.status).toBe(200)
    expect(openapiValidator(DEVICE, schemaOf(DEVICE, 'DeviceStatusResponse'))(status.json)).toBe(
      true,
    )
    expect(status.json).toEqual({ deviceId: POI, status: 'ONLINE' })
    cloud.devices.setOnline(POI, false)
    expect((await raw(cloud, 'GET', devicePath(POI, 'status'))).json).toEqual({
      deviceId: POI,
      status: 'OFFLINE',
    })
    const list = await raw(
      cloud,
      'GET',
      `${DEVICE_BASE}/merchants/${MERCHANT}/connectedDevices?store=LONDON-1`,
    )
    expect(list.status).toBe(200)
    expect(openapiValidator(DEVICE, schemaOf(DEVICE, 'ConnectedDevicesResponse'))(list.json)).toBe(
      true,
    )
    const legacy = await raw(cloud, 'POST', `${LEGACY_BASE}/connectedTerminals`, {
      merchantAccount: MERCHANT,
    })
    expect(
      openapiValidator(LEGACY, schemaOf(LEGACY, 'ConnectedTerminalsResponse'))(legacy.json),
    ).toBe(true)
  })

  /** Requests the fake refuses; each answer must be a status the schema declares for the operation, with its body. */
  const REFUSALS: Array<
    [number, string, 'device-api' | 'legacy', string, string, string, unknown, string]
  > = [
    [
      20,
      'bad key',
      'device-api',
      'GET',
      '/merchants/{merchantAccount}/devices/{deviceId}/status',
      devicePath(POI, 'status'),
      undefined,
      'wrong',
    ],
    [
      20,
      'foreign device',
      'device-api',
      'GET',
      '/merchants/{merchantAccount}/devices/{deviceId}/status',
      devicePath(OTHER_POI, 'status'),
      undefined,
      KEY,
    ],
    [
      21,
      'bad key',
      'device-api',
      'GET',
      '/merchants/{merchantAccount}/connectedDevices',
      `${DEVICE_BASE}/merchants/${MERCHANT}/connectedDevices`,
      undefined,
      '',
    ],
    [
      18,
      'bad key',
      'device-api',
      'POST',
      '/merchants/{merchantAccount}/devices/{deviceId}/sync',
      devicePath(POI, 'sync'),
      {},
      'wrong',
    ],
    [
      18,
      'foreign device',
      'device-api',
      'POST',
      '/merchants/{merchantAccount}/devices/{deviceId}/sync',
      devicePath(OTHER_POI, 'sync'),
      {},
      KEY,
    ],
    [
      23,
      'POIID not the path device',
      'device-api',
      'POST',
      '/merchants/{merchantAccount}/devices/{deviceId}/sync',
      devicePath(POI, 'sync'),
      { SaleToPOIRequest: { MessageHeader: { POIID: 'V400m-100000002' } } },
      KEY,
    ],
    [
      19,
      'no message header',
      'device-api',
      'POST',
      '/merchants/{merchantAccount}/devices/{deviceId}/async',
      devicePath(POI, 'async'),
      {},
      KEY,
    ],
    [29, 'bad key', 'legacy', 'POST', '/sync', `${LEGACY_BASE}/sync`, {}, 'wrong'],
    [
      29,
      'foreign terminal',
      'legacy',
      'POST',
      '/sync',
      `${LEGACY_BASE}/sync`,
      { SaleToPOIRequest: { MessageHeader: { POIID: 'NOPE-1' } } },
      KEY,
    ],
    [
      30,
      'bad key',
      'legacy',
      'POST',
      '/connectedTerminals',
      `${LEGACY_BASE}/connectedTerminals`,
      { merchantAccount: MERCHANT },
      'wrong',
    ],
    [
      30,
      'no merchantAccount',
      'legacy',
      'POST',
      '/connectedTerminals',
      `${LEGACY_BASE}/connectedTerminals`,
      {},
      KEY,
    ],
    [
      30,
      'body not JSON',
      'legacy',
      'POST',
      '/connectedTerminals',
      `${LEGACY_BASE}/connectedTerminals`,
      'not json',
      KEY,
    ],
  ]

  it.each(REFUSALS)(
    'FACTS:%i,24 %s: %s %s %s is refused with a status the schema declares, and its error body',
    async (_l, _case, api, method, path, url, body, key) => {
      const doc = api === 'device-api' ? DEVICE : LEGACY
      const cloud = createFakeCloud()
      const r = await raw(cloud, method, url, body, key)
      const declared = responsesOf(doc, method, path)
      expect(Object.keys(declared)).toContain(String(r.status))
      const schema = declared[String(r.status)]!.body.content['application/json'].schema
      expect(openapiValidator(doc, schema)(r.json)).toBe(true)
      expect(r.json.errorCode).toBe(`00_${r.status}`)
    },
  )
})

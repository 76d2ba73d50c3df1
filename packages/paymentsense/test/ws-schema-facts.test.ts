/**
 * Do our Connect WebSocket (JSON-RPC 2.0) schemas, the WebSocket client and the fake's
 * WebSocket side state the facts of the shared Paymentsense fact sheet (§4, plus the WebSocket
 * remarks of §2.3 and §3)? Each test checks one fact or a table of facts; the `FACTS:<line>` prefix
 * names the fact sheet line it comes from. Convention: what the fact sheet marks inferred, unknown or
 * third-party carries `x-unverified: true` (+ reason) on the node or on an ancestor along the path a
 * message takes to it; what it marks verified carries no mark anywhere on that path.
 *
 * Not repeated here (test/websocket-schemas.test.ts): jsonrpc "2.0" and the id range per message,
 * top-level and body-level openness, removal of individual required members.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { validateErrorMessage } from '../src/generated/websocket/error-message.validate.js'
import { createFakeCloud } from '../src/mock/index.js'
import { PAC_METHODS } from '../src/mock/ws/pac.js'
import { PAT_METHODS } from '../src/mock/ws/pat.js'
import { connectPaymentsense, TillkitRpcError, type ConnectOptions } from '../src/ws/index.js'
import { SPECS } from '../src/ws/methods.js'
import {
  inline,
  isUnverified,
  propertiesOf,
  requiredOf,
  resolve,
  schemaOf,
  sorted,
  withFiles,
  type Doc,
} from '../../core/test/schema-facts.js'
import { restaurant, wsHarness, type Message } from './mock/ws-harness.js'
import { connectedAs, outcome, scriptedNetwork } from './ws/scripted-socket.js'

// ---- loading our WebSocket schemas ------------------------------------------------------------

const WS_DIR = new URL('../../../schemas/paymentsense/websocket/', import.meta.url)
const readYaml = (rel: string): Doc => YAML.parse(readFileSync(new URL(rel, WS_DIR), 'utf8'))
const COMMON: Doc = readYaml('common.defs.yaml')

/** A message schema by its path under schemas/paymentsense/websocket, with cross-file refs wired. */
function load(rel: string): Doc {
  const doc = readYaml(rel)
  return withFiles(doc, { 'common.defs.yaml': COMMON, '../common.defs.yaml': COMMON })
}

const MESSAGE_FILES: string[] = [
  'error-message.schema.yaml',
  ...readdirSync(new URL('pac/', WS_DIR)).map((f) => `pac/${f}`),
  ...readdirSync(new URL('pat/', WS_DIR)).map((f) => `pat/${f}`),
].sort()
const DOCS: Record<string, Doc> = Object.fromEntries(MESSAGE_FILES.map((f) => [f, load(f)]))
const doc = (rel: string): Doc => {
  const d = DOCS[rel]
  if (!d) throw new Error(`no schema ${rel}`)
  return d
}

const PAC_REST: Doc = YAML.parse(readFileSync(new URL('../pac-v2.openapi.yaml', WS_DIR), 'utf8'))

/**
 * Every node a message passes on its way to `steps` (a property name, `items`, or `$defs:<Name>` as
 * first step), `$ref` holders and their targets included.
 */
function pathNodes(d: Doc, steps: string[]): Doc[] {
  const out: Doc[] = []
  const enter = (node: Doc): Doc => {
    while (node && typeof node === 'object' && typeof node.$ref === 'string') {
      out.push(node)
      node = resolve(d, { $ref: node.$ref })
    }
    if (node !== undefined) out.push(node)
    return node
  }
  let node = enter(d)
  for (const step of steps) {
    if (step.startsWith('$defs:')) node = enter(d.$defs[step.slice(6)])
    else if (step === 'items') node = enter(node.items)
    else node = enter(propertiesOf(d, node)[step])
    if (node === undefined) throw new Error(`no ${steps.join('.')}`)
  }
  return out
}
const markedOnPath = (d: Doc, steps: string[]) => pathNodes(d, steps).some(isUnverified)
const target = (d: Doc, steps: string[]) => pathNodes(d, steps).at(-1)

/** The `method` const of a message schema (the discriminated perform-transaction one has five). */
const methodsOf = (d: Doc): string[] =>
  d.oneOf
    ? d.oneOf.map((m: Doc) => resolve(d, m).properties.method.const)
    : d.properties.method
      ? [d.properties.method.const]
      : []

// ---- 1. method names (FACTS:169-180) ----------------------------------------------------------

interface MethodFact {
  line: string
  file: string
  methods: string[]
  verified: boolean
}

const METHOD_FACTS: MethodFact[] = [
  {
    line: '169',
    file: 'pac/perform-transaction-request.schema.yaml',
    methods: ['sale', 'refund', 'preAuth', 'completion', 'accountVerification'],
    verified: true,
  },
  {
    line: '170',
    file: 'pac/terminal-notification.schema.yaml',
    methods: ['terminalNotification'],
    verified: true,
  },
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    methods: ['signatureVerificationRequest'],
    verified: true,
  },
  // names only: the method strings are UNKNOWN
  {
    line: '176',
    file: 'pac/connected-terminals-request.schema.yaml',
    methods: ['connectedTerminals'],
    verified: false,
  },
  {
    line: '177',
    file: 'pac/terminal-details-request.schema.yaml',
    methods: ['terminalDetails'],
    verified: false,
  },
  {
    line: '178',
    file: 'pac/cancel-transaction-request.schema.yaml',
    methods: ['cancelTransaction'],
    verified: false,
  },
  {
    line: '178',
    file: 'pac/duplicate-request.schema.yaml',
    methods: ['duplicate'],
    verified: false,
  },
  { line: '179', file: 'pac/report-request.schema.yaml', methods: ['report'], verified: false },
  {
    line: '179',
    file: 'pat/table-list-request.schema.yaml',
    methods: ['tableListRequest'],
    verified: false,
  },
  {
    line: '179',
    file: 'pat/table-lock-request.schema.yaml',
    methods: ['tableLockRequest'],
    verified: false,
  },
  {
    line: '179',
    file: 'pat/pos-receipt-request.schema.yaml',
    methods: ['posReceiptRequest'],
    verified: false,
  },
  {
    line: '179',
    file: 'pat/final-pos-receipt-request.schema.yaml',
    methods: ['finalPosReceiptRequest'],
    verified: false,
  },
  {
    line: '180',
    file: 'pat/transaction-response-notification.schema.yaml',
    methods: ['transactionResponse'],
    verified: false,
  },
  {
    line: '180',
    file: 'pat/table-unlock-notification.schema.yaml',
    methods: ['tableUnlock'],
    verified: false,
  },
  {
    line: '180',
    file: 'pat/report-response-notification.schema.yaml',
    methods: ['reportResponse'],
    verified: false,
  },
]

describe('method names (FACTS §4 tables)', () => {
  it.each(
    METHOD_FACTS.map((f) => [
      f.line,
      f.file,
      f.verified ? 'verified, unmarked' : 'UNKNOWN, marked',
      f,
    ]),
  )('FACTS:%s %s: method string(s) %s', (_l, _f, _v, fact) => {
    const d = doc(fact.file)
    expect(sorted(methodsOf(d))).toEqual(sorted(fact.methods))
    const nodes = d.oneOf
      ? d.oneOf.map((m: Doc) => resolve(d, m).properties.method)
      : [d.properties.method]
    for (const node of nodes) {
      expect(isUnverified(node), JSON.stringify(node.const)).toBe(!fact.verified)
      if (!fact.verified) expect(typeof node['x-unverified-reason']).toBe('string')
    }
  })

  it('FACTS:169-180 client and fake use exactly the method strings of the schemas, per integration and direction', () => {
    const m = (file: string) => methodsOf(doc(file))
    const pacRequests = [
      'pac/connected-terminals-request.schema.yaml',
      'pac/terminal-details-request.schema.yaml',
      'pac/cancel-transaction-request.schema.yaml',
      'pac/perform-transaction-request.schema.yaml',
      'pac/duplicate-request.schema.yaml',
      'pac/report-request.schema.yaml',
    ].flatMap(m)
    expect(sorted(Object.keys(SPECS.pac.requests))).toEqual(sorted(pacRequests))
    expect(sorted(Object.keys(PAC_METHODS))).toEqual(sorted(pacRequests))
    expect(Object.keys(SPECS.pac.handlers)).toEqual(
      m('pac/signature-verification-request.schema.yaml'),
    )
    expect(Object.keys(SPECS.pac.notifications)).toEqual(m('pac/terminal-notification.schema.yaml'))
    expect(Object.keys(SPECS.pat.requests)).toEqual([])
    expect(Object.keys(PAT_METHODS)).toEqual([])
    expect(sorted(Object.keys(SPECS.pat.handlers))).toEqual(
      sorted(
        [
          'pat/table-list-request.schema.yaml',
          'pat/table-lock-request.schema.yaml',
          'pat/pos-receipt-request.schema.yaml',
          'pat/final-pos-receipt-request.schema.yaml',
        ].flatMap(m),
      ),
    )
    expect(sorted(Object.keys(SPECS.pat.notifications))).toEqual(
      sorted(
        [
          'pat/transaction-response-notification.schema.yaml',
          'pat/table-unlock-notification.schema.yaml',
          'pat/report-response-notification.schema.yaml',
        ].flatMap(m),
      ),
    )
    // The perform-transaction methods are payments (never re-sent blindly), each by its own name.
    for (const name of m('pac/perform-transaction-request.schema.yaml'))
      expect(SPECS.pac.requests[name]!.kind, name).toBe('payment')
  })

  it("FACTS:182-184 nothing of Dojo's Tables API (method names, string error codes) is mixed into Connect PAT", () => {
    const text = MESSAGE_FILES.map((f) => readFileSync(new URL(f, WS_DIR), 'utf8')).join('\n')
    for (const word of [
      'ListTables',
      'GetTable',
      'LockSession',
      'TABLE_NO_SUCH_TABLE',
      'SESSION_ALREADY_LOCKED',
    ])
      expect(text, word).not.toContain(word)
  })
})

// ---- 2. params and results of the verified messages (FACTS:169-174) ----------------------------

const PERFORM = doc('pac/perform-transaction-request.schema.yaml')
const performParams = (method: string): Doc => {
  const request = PERFORM.oneOf
    .map((m: Doc) => resolve(PERFORM, m))
    .find((r: Doc) => r.properties.method.const === method)
  return request.properties.params
}

describe('verified params and results (FACTS:169-174)', () => {
  it.each(['sale', 'refund', 'preAuth', 'completion', 'accountVerification'])(
    'FACTS:169 %s requires exactly tid, currency, amount (anything more must be marked x-unverified on params)',
    (method) => {
      const params = performParams(method)
      const extra = requiredOf(PERFORM, params).filter(
        (name) => !['tid', 'currency', 'amount'].includes(name),
      )
      expect(requiredOf(PERFORM, params)).toEqual(
        expect.arrayContaining(['tid', 'currency', 'amount']),
      )
      if (!isUnverified(params)) expect(extra, `${method}: required beyond the fact`).toEqual([])
    },
  )

  it.each(['sale', 'refund', 'preAuth', 'completion', 'accountVerification'])(
    'FACTS:169 %s: tid is a string, currency GBP|EUR, amount integer pence',
    (method) => {
      const p = propertiesOf(PERFORM, performParams(method))
      expect(resolve(PERFORM, p.tid).type).toBe('string')
      expect(resolve(PERFORM, p.currency).enum).toEqual(['GBP', 'EUR'])
      expect(resolve(PERFORM, p.amount).type).toBe('integer')
    },
  )

  interface RequiredFact {
    line: string
    file: string
    steps: string[]
    required: string[]
  }
  const REQUIRED_FACTS: RequiredFact[] = [
    {
      line: '170',
      file: 'pac/terminal-notification.schema.yaml',
      steps: ['params'],
      required: ['notificationValue', 'tid'],
    },
    {
      line: '171',
      file: 'pac/signature-verification-request.schema.yaml',
      steps: ['params'],
      required: [
        'timeout',
        'tid',
        'receiptLines',
        'authCode',
        'applicationId',
        'applicationLabel',
        'cardholderVerificationMethod',
        'paymentMethod',
        'primaryAccountNumber',
        'transactionType',
      ],
    },
    {
      line: '172',
      file: 'pac/signature-verification-response.schema.yaml',
      steps: ['result'],
      required: ['accepted'],
    },
    {
      line: '173',
      file: 'pac/duplicate-response.schema.yaml',
      steps: ['result'],
      required: [
        'amountBase',
        'amountCashback',
        'amountGratuity',
        'amountTotal',
        'applicationId',
        'applicationLabel',
        'authCode',
        'cardSchemeName',
        'cardholderVerificationMethod',
        'currency',
        'dateOfExpiry',
        'dateOfStart',
        'paymentMethod',
        'primaryAccountNumber',
        'primaryAccountNumberSequence',
        'receiptLines',
        'tid',
        'transactionId',
        'transactionNumber',
        'transactionResult',
        'transactionTime',
        'transactionType',
      ],
    },
    {
      line: '174',
      file: 'pac/report-response.schema.yaml',
      steps: ['result'],
      required: [
        'tid',
        'reportType',
        'reportTime',
        'reportResult',
        'balances',
        'banking',
        'reportLines',
      ],
    },
  ]

  it.each(REQUIRED_FACTS.map((f) => [f.line, f.file, f.steps.join('.'), f]))(
    'FACTS:%s %s %s requires exactly the fields of the fact',
    (_l, _f, _s, fact) => {
      const d = doc(fact.file)
      expect(sorted(requiredOf(d, target(d, fact.steps)))).toEqual(sorted(fact.required))
    },
  )

  it('FACTS:170 terminalNotification values include every REST notification value (same enum as REST)', () => {
    const d = doc('pac/terminal-notification.schema.yaml')
    const value = target(d, ['params', 'notificationValue'])
    const known = resolve(d, value.anyOf[0]).enum as string[]
    const rest = schemaOf(PAC_REST, 'Notification').enum as string[]
    expect(rest.length).toBeGreaterThan(20)
    expect(known).toEqual(expect.arrayContaining(rest))
    // ...and unknown strings still pass (open set), but nothing that is not a string
    expect(value.anyOf.some((b: Doc) => b.type === 'string' && !b.enum)).toBe(true)
  })

  it('FACTS:172 the signature decision is a boolean, the only member of result', () => {
    const d = doc('pac/signature-verification-response.schema.yaml')
    const result = target(d, ['result'])
    expect(Object.keys(result.properties)).toEqual(['accepted'])
    expect(result.properties.accepted.type).toBe('boolean')
  })

  it.each(['amountBase', 'amountCashback', 'amountGratuity', 'amountTotal'])(
    'FACTS:173 duplicate result %s is an integer 0..99,999,999',
    (field) => {
      const d = doc('pac/duplicate-response.schema.yaml')
      expect(target(d, ['result', field])).toMatchObject({
        type: 'integer',
        minimum: 0,
        maximum: 99_999_999,
      })
    },
  )

  it.each([
    ['reportType', ['END_OF_DAY', 'BANKING', 'X_BALANCE', 'Z_BALANCE']],
    ['reportResult', ['TIMED_OUT', 'COMPLETE']],
  ])('FACTS:174 report result %s has exactly the values of the fact', (field, values) => {
    const d = doc('pac/report-response.schema.yaml')
    expect(sorted(target(d, ['result', field]).enum)).toEqual(sorted(values))
  })

  it('FACTS:177-178 Terminal Details request carries a list of terminal ids; its response is the Connected Terminals one', () => {
    const response = doc('pac/terminal-details-response.schema.yaml')
    const connected = doc('pac/connected-terminals-response.schema.yaml')
    expect(response.properties.result).toEqual(connected.properties.result)
    const d = doc('pac/terminal-details-request.schema.yaml')
    const params = propertiesOf(d, target(d, ['params']))
    const lists = Object.entries(params).filter(([, p]) => resolve(d, p).type === 'array')
    expect(
      lists.map(([name]) => name),
      'an array-typed param holding the terminal ids',
    ).not.toEqual([])
  })
})

// ---- 3. x-unverified marks along each message's path (FACTS:169-180) --------------------------

interface MarkFact {
  line: string
  file: string
  steps: string[]
  why: string
  unverified: boolean
}

const MARK_FACTS: MarkFact[] = [
  // inferred / unknown: a mark on the node or on its way
  {
    line: '169',
    file: 'pac/perform-transaction-request.schema.yaml',
    steps: ['$defs:SaleRequest', 'params', 'amount'],
    why: 'request amount range 1..99,999,999 (REST v2 range; the WS fact gives no range)',
    unverified: true,
  },
  ...(
    [
      ['SaleRequest', 'amountCashback'],
      ['SaleRequest', 'cardholderNotPresent'],
      ['RefundRequest', 'cardholderNotPresent'],
      ['CompletionRequest', 'authCode'],
      ['CompletionRequest', 'amountPreAuthorisedTotal'],
      ['AccountVerificationRequest', 'amount'],
    ] as const
  ).map(([def, prop]): MarkFact => ({
    line: '169',
    file: 'pac/perform-transaction-request.schema.yaml',
    steps: [`$defs:${def}`, 'params', prop],
    why: `${def} optional param ${prop} (UNKNOWN, excerpt truncated)`,
    unverified: true,
  })),
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    steps: ['params', 'timeout'],
    why: 'timeout unit',
    unverified: true,
  },
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    steps: ['params', 'receiptLines'],
    why: 'receipt copy wrapping',
    unverified: true,
  },
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    steps: ['params', 'cardholderVerificationMethod'],
    why: 'cardholderVerificationMethod value set (REST v2 values; the WS fact names the field only)',
    unverified: true,
  },
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    steps: ['params', 'paymentMethod'],
    why: 'paymentMethod value set (REST v2 values; the WS fact names the field only)',
    unverified: true,
  },
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    steps: ['params', 'transactionType'],
    why: 'transactionType value set (REST v2 values)',
    unverified: true,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'cardholderVerificationMethod'],
    why: 'cardholderVerificationMethod value set (REST v2 values; the WS fact names the field only)',
    unverified: true,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'paymentMethod'],
    why: 'paymentMethod value set (REST v2 values; the WS fact names the field only)',
    unverified: true,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'transactionResult'],
    why: 'transactionResult value set (REST v2) and "only SUCCESSFUL took money" (INF, FACTS:128-129)',
    unverified: true,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'transactionType'],
    why: 'transactionType value set (REST v2 values)',
    unverified: true,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'receiptLines'],
    why: 'receipt copy wrapping',
    unverified: true,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'userMessage'],
    why: 'userMessage (not in the WS field list)',
    unverified: true,
  },
  {
    line: '174',
    file: 'pac/report-response.schema.yaml',
    steps: ['result', 'balances'],
    why: 'balances inner fields (REST v2)',
    unverified: true,
  },
  {
    line: '174',
    file: 'pac/report-response.schema.yaml',
    steps: ['result', 'banking'],
    why: 'banking keyed by acquirer name (REST v2 shape; the WS fact only requires the field)',
    unverified: true,
  },
  {
    line: '174',
    file: 'pac/report-response.schema.yaml',
    steps: ['result', 'reportLines', 'items'],
    why: 'report line shape (REST receipt line)',
    unverified: true,
  },
  {
    line: '176',
    file: 'pac/connected-terminals-request.schema.yaml',
    steps: ['params'],
    why: 'Connected Terminals request params (schema not seen)',
    unverified: true,
  },
  {
    line: '176',
    file: 'pac/connected-terminals-response.schema.yaml',
    steps: ['result'],
    why: 'Connected Terminals response (schema not seen)',
    unverified: true,
  },
  {
    line: '176',
    file: 'pac/connected-terminals-response.schema.yaml',
    steps: ['result', 'terminals', 'items', 'status'],
    why: 'terminal status values (REST v2)',
    unverified: true,
  },
  {
    line: '177',
    file: 'pac/terminal-details-request.schema.yaml',
    steps: ['params'],
    why: 'Terminal Details params (schema not seen)',
    unverified: true,
  },
  {
    line: '178',
    file: 'pac/cancel-transaction-request.schema.yaml',
    steps: ['params'],
    why: 'Cancel Transaction params (schema not seen)',
    unverified: true,
  },
  {
    line: '178',
    file: 'pac/cancel-transaction-response.schema.yaml',
    steps: ['result'],
    why: 'Cancel Transaction response (schema not seen)',
    unverified: true,
  },
  {
    line: '178',
    file: 'pac/duplicate-request.schema.yaml',
    steps: ['params'],
    why: 'Duplicate request params (schema not seen)',
    unverified: true,
  },
  {
    line: '179',
    file: 'pac/report-request.schema.yaml',
    steps: ['params'],
    why: 'Report request params (schema not seen)',
    unverified: true,
  },
  {
    line: '179',
    file: 'error-message.schema.yaml',
    steps: ['error'],
    why: "Connect's Error message schema (not seen: names only)",
    unverified: true,
  },
  {
    line: '179',
    file: 'error-message.schema.yaml',
    steps: ['id'],
    why: 'id of an error not tied to a request',
    unverified: true,
  },
  {
    line: '158,179',
    file: 'error-message.schema.yaml',
    steps: ['$defs:ConnectErrorCode'],
    why: "Connect's own error codes (busy, unknown terminal, discontinued: numbers not known)",
    unverified: true,
  },
  {
    line: '171',
    file: 'pac/perform-transaction-response.schema.yaml',
    steps: ['result'],
    why: 'Perform Transaction response (only its existence is stated)',
    unverified: true,
  },
  ...(
    [
      ['pat/table-list-request.schema.yaml', ['params']],
      ['pat/table-list-response.schema.yaml', ['result']],
      ['pat/table-lock-request.schema.yaml', ['params']],
      ['pat/table-lock-response.schema.yaml', ['result']],
      ['pat/pos-receipt-request.schema.yaml', ['params']],
      ['pat/pos-receipt-response.schema.yaml', ['result']],
      ['pat/final-pos-receipt-request.schema.yaml', ['params']],
      ['pat/final-pos-receipt-response.schema.yaml', ['result']],
      ['pat/transaction-response-notification.schema.yaml', ['params']],
      ['pat/table-unlock-notification.schema.yaml', ['params']],
      ['pat/report-response-notification.schema.yaml', ['params']],
    ] as const
  ).map(([file, steps]): MarkFact => ({
    line: '179-180',
    file,
    steps: [...steps],
    why: 'PAT message body (names only)',
    unverified: true,
  })),
  // verified: no mark anywhere on the way
  {
    line: '169',
    file: 'pac/perform-transaction-request.schema.yaml',
    steps: ['$defs:SaleRequest', 'params', 'currency'],
    why: 'currency GBP|EUR',
    unverified: false,
  },
  {
    line: '169',
    file: 'pac/perform-transaction-request.schema.yaml',
    steps: ['$defs:RefundRequest', 'params', 'tid'],
    why: 'tid',
    unverified: false,
  },
  {
    line: '170',
    file: 'pac/terminal-notification.schema.yaml',
    steps: ['params', 'tid'],
    why: 'terminalNotification params.tid',
    unverified: false,
  },
  {
    line: '171',
    file: 'pac/signature-verification-request.schema.yaml',
    steps: ['params', 'authCode'],
    why: 'signature request params',
    unverified: false,
  },
  {
    line: '172',
    file: 'pac/signature-verification-response.schema.yaml',
    steps: ['result', 'accepted'],
    why: 'result.accepted',
    unverified: false,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'amountTotal'],
    why: 'amounts 0..99,999,999',
    unverified: false,
  },
  {
    line: '173',
    file: 'pac/duplicate-response.schema.yaml',
    steps: ['result', 'tid'],
    why: 'duplicate result tid',
    unverified: false,
  },
  {
    line: '174',
    file: 'pac/report-response.schema.yaml',
    steps: ['result', 'reportType'],
    why: 'reportType values',
    unverified: false,
  },
  {
    line: '174',
    file: 'pac/report-response.schema.yaml',
    steps: ['result', 'reportResult'],
    why: 'reportResult values',
    unverified: false,
  },
  {
    line: '160',
    file: 'pac/report-response.schema.yaml',
    steps: ['id'],
    why: 'id 0..999999',
    unverified: false,
  },
]

describe('x-unverified marks along each message path (inferred/unknown marked, verified not)', () => {
  it.each(
    MARK_FACTS.map((f) => [f.line, f.file, f.steps.join('.'), f.unverified ? 'is' : 'is not', f]),
  )('FACTS:%s %s %s %s marked x-unverified on its way', (_l, _f, _s, _is, fact) => {
    const d = doc(fact.file)
    const nodes = pathNodes(d, fact.steps)
    expect(markedOnPath(d, fact.steps), fact.why).toBe(fact.unverified)
    if (fact.unverified) {
      const marked = nodes.filter(isUnverified)
      for (const node of marked) expect(typeof node['x-unverified-reason']).toBe('string')
    }
  })
})

// ---- 4. "additionalProperties: false everywhere" for what the EPoS sends (FACTS:161) ------------

/** Paths of object nodes that are not closed, in an inlined schema. */
function openObjects(node: Doc, at = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => openObjects(n, `${at}/${i}`))
  if (!node || typeof node !== 'object') return []
  // A oneOf/anyOf wrapper without properties of its own is closed by its branches.
  const wrapper = !node.properties && (node.oneOf || node.anyOf || node.allOf)
  const own =
    (node.type === 'object' || node.properties) && !wrapper && node.additionalProperties !== false
      ? [at || '/']
      : []
  return [
    ...own,
    ...Object.entries(node)
      .filter(([k]) => k !== 'enum' && k !== 'const')
      .flatMap(([k, v]) => openObjects(v, `${at}/${k}`)),
  ]
}

const OUTBOUND = [
  'error-message.schema.yaml',
  'pac/cancel-transaction-request.schema.yaml',
  'pac/connected-terminals-request.schema.yaml',
  'pac/duplicate-request.schema.yaml',
  'pac/perform-transaction-request.schema.yaml',
  'pac/report-request.schema.yaml',
  'pac/signature-verification-response.schema.yaml',
  'pac/terminal-details-request.schema.yaml',
  'pat/final-pos-receipt-response.schema.yaml',
  'pat/pos-receipt-response.schema.yaml',
  'pat/table-list-response.schema.yaml',
  'pat/table-lock-response.schema.yaml',
]

describe('closed outbound messages (FACTS:161)', () => {
  it.each(OUTBOUND)('FACTS:161 %s (EPoS sends it) is closed at every nesting level', (file) => {
    const d = doc(file)
    const inlined = inline(d, { ...d, $defs: undefined })
    expect(openObjects(inlined)).toEqual([])
  })
})

// ---- 5. the connection (FACTS:153-158) ---------------------------------------------------------

const OPTIONS = {
  account: 'acme',
  apiKey: 'key-123',
  softwareHouseId: 'SWH 1',
  installerId: 'INST/1',
} as const

describe('connection URL and handshake (FACTS:153-156)', () => {
  it.each([
    ['pac', 'test', false, 'acme.test.connect.paymentsense.cloud'],
    ['pat', 'live', false, 'acme.connect.paymentsense.cloud'],
    ['pat', 'test', true, 'acme.test.connect.paymentsense.cloud'],
  ] as const)(
    'FACTS:153-155 the client opens wss://<host>/%s (%s) with token, api-version=v1, software-house-id, installer-id; flag %s',
    async (integration, environment, flag, host) => {
      const net = scriptedNetwork()
      const pending = connectPaymentsense({
        ...OPTIONS,
        environment,
        integration,
        ...(flag && { finalPosReceiptRequest: true }),
        WebSocket: net.WebSocket,
        clock: createManualClock(),
        liveness: false,
        reconnect: false,
      } as ConnectOptions)
      net.socket.open()
      const connection = await pending
      const raw = net.socket.url
      const url = new URL(raw)
      expect(url.protocol).toBe('wss:')
      expect(url.host).toBe(host)
      expect(url.pathname).toBe(`/${integration}`)
      const keys = [...url.searchParams.keys()]
      expect(keys).toEqual([
        'token',
        'api-version',
        'software-house-id',
        'installer-id',
        ...(flag ? ['final-pos-receipt-request'] : []),
      ])
      expect(url.searchParams.get('token')).toBe('key-123')
      expect(url.searchParams.get('api-version')).toBe('v1')
      expect(url.searchParams.get('software-house-id')).toBe('SWH 1')
      expect(url.searchParams.get('installer-id')).toBe('INST/1')
      // a bare flag: present, without a value
      if (flag) expect(raw).toMatch(/&final-pos-receipt-request$/)
      await connection.close()
    },
  )

  it.each([
    [
      'token + v1 + ids',
      'token=test-api-key&api-version=v1&software-house-id=S&installer-id=I',
      true,
    ],
    [
      'v2 (no v2 for WebSockets)',
      'token=test-api-key&api-version=v2&software-house-id=S&installer-id=I',
      false,
    ],
    ['a wrong API key', 'token=nope&api-version=v1&software-house-id=S&installer-id=I', false],
    [
      'no token (auth is the key in the URI)',
      'api-version=v1&software-house-id=S&installer-id=I',
      false,
    ],
  ])("FACTS:153-155 the fake's handshake: %s", (_name, query, accepted) => {
    const cloud = createFakeCloud({ clock: createManualClock(), pingIntervalMs: 0 })
    const peer = { send() {}, close() {}, drop() {} }
    for (const path of ['pac', 'pat']) {
      const result = cloud.acceptSocket(
        `wss://acme.test.connect.paymentsense.cloud/${path}?${query}`,
        peer,
      )
      expect(result.ok, path).toBe(accepted)
      if (result.ok) result.link.closed()
    }
  })
})

describe('simultaneous connections (FACTS:157-158)', () => {
  it.each([
    ['pac', 2, 0],
    ['pat', 1, 1],
  ] as const)(
    'FACTS:157-158 the fake, two %s connections: %i stay open, %i older one(s) get a "Connection Discontinued" error',
    (integration, stillOpen, discontinued) => {
      const cloud = createFakeCloud({ clock: createManualClock(), pingIntervalMs: 0 })
      const url = `wss://acme.test.connect.paymentsense.cloud/${integration}?token=test-api-key&api-version=v1&software-house-id=S&installer-id=I`
      const frames: string[][] = [[], []]
      const closes: number[] = [0, 0]
      const peer = (i: number) => ({
        send: (text: string) => void frames[i]!.push(text),
        close: () => void closes[i]!++,
        drop() {},
      })
      const first = cloud.acceptSocket(url, peer(0))
      const second = cloud.acceptSocket(url, peer(1))
      expect(first.ok && second.ok).toBe(true)
      expect(cloud.sockets.open).toHaveLength(stillOpen)
      const errors = frames[0]!.map((t) => JSON.parse(t) as Message).filter((m) => 'error' in m)
      expect(errors).toHaveLength(discontinued)
      for (const e of errors) {
        expect(validateErrorMessage(e)).toBe(true)
        expect(e.error.message).toMatch(/connection discontinued/i)
      }
      expect(closes[0]).toBe(discontinued)
      expect(frames[1]).toEqual([])
    },
  )

  it('FACTS:158 the client: a pat "Connection Discontinued" error ends the connection without reconnecting', async () => {
    const { connection, socket, clock } = await connectedAs('pat')
    socket.receive({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'Connection Discontinued' },
    })
    expect(connection.state).toBe('closed')
    await clock.advance(600_000)
    expect(connection.state).toBe('closed')
  })

  it('FACTS:157,179 the client: on pac (several connections allowed, never discontinued) an error reply with the placeholder code -32004 only fails its request; the connection stays open', async () => {
    const { connection, socket, errors } = await connectedAs('pac')
    const read = outcome(connection.request('terminalDetails', { tids: ['T1'] }))
    const id = socket.last!.id as number
    socket.receive({ jsonrpc: '2.0', id, error: { code: -32004, message: 'Terminal busy' } })
    const result = await read
    expect(result.ok).toBe(false)
    expect(result.ok || result.error).toBeInstanceOf(TillkitRpcError)
    expect(connection.state, `closed after: ${errors.map((e) => e.message).join('; ')}`).toBe(
      'open',
    )
  })
})

// ---- 6. behaviour of the fake in the documented situations ------------------------------------

describe('the fake in documented situations (FACTS:124,125-126,142-143,171,173)', () => {
  it.each([
    ['busy terminal (FACTS:143: refused, nothing started)', 'busy'],
    ['unknown terminal', 'unknown'],
    ['bad params', 'bad'],
    ['unknown method', 'method'],
  ] as const)(
    'FACTS:160,143 %s: an error echoing the request id, no result, the running sale untouched',
    async (_name, kind) => {
      const h = wsHarness()
      const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1200 })
      const id =
        kind === 'busy'
          ? h.request('refund', { tid: 'T1', currency: 'GBP', amount: 500 })
          : kind === 'unknown'
            ? h.request('sale', { tid: 'T9', currency: 'GBP', amount: 500 })
            : kind === 'bad'
              ? h.request('sale', { tid: 'T2', currency: 'EUR', amount: 5, extra: 1 })
              : h.request('voidTransaction', { tid: 'T2' })
      const answer = h.answerTo(id)!
      expect(answer).toMatchObject({ jsonrpc: '2.0', id, error: { code: expect.any(Number) } })
      expect('result' in answer).toBe(false)
      expect(validateErrorMessage(answer)).toBe(true)
      await h.settle()
      expect(h.answerTo(sale)?.result.transactionResult).toBe('SUCCESSFUL')
      expect(h.violations).toEqual([])
    },
  )

  const CANCEL_STEPS = ['ATTEMPTING_CANCEL', 'CANCELLING', 'UNABLE_TO_CANCEL']
  it.each([
    ['while waiting for the card', 'INSERT_CARD', ['ATTEMPTING_CANCEL', 'CANCELLING'], 'CANCELLED'],
    [
      'after the acquirer was asked (cancel refused: the transaction continues)',
      'REQUEST_SENT',
      ['ATTEMPTING_CANCEL', 'UNABLE_TO_CANCEL'],
      'SUCCESSFUL',
    ],
  ] as const)(
    'FACTS:125-126 cancel %s (after %s): %j in that order, then %s in the perform-transaction response',
    async (_name, after, sequence, result) => {
      const h = wsHarness()
      const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
      await h.runUntil(() => h.notifications().includes(after))
      const cancel = h.request('cancelTransaction', { tid: 'T1' })
      expect(h.answerTo(cancel)).toHaveProperty('result')
      await h.settle()
      expect(h.notifications().filter((v) => CANCEL_STEPS.includes(v))).toEqual(sequence)
      expect(h.answerTo(sale)?.result.transactionResult).toBe(result)
      expect(h.notifications().at(-1)).toBe('TRANSACTION_FINISHED')
      expect(h.violations).toEqual([])
    },
  )

  it('FACTS:124,171 no answer within `timeout`: the signature is accepted at that moment and the outcome arrives as the perform-transaction response; the question carries the merchant copy only', async () => {
    const h = wsHarness({ signatureTimeoutMs: 5_000 })
    const sale = h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1003 })
    await h.runUntil(() => h.questions().length > 0)
    const question = h.questions()[0]!
    const askedAt = h.times[h.sent.indexOf(question)]!
    expect(Object.keys(question.params.receiptLines)).toEqual(['MERCHANT'])
    await h.settle()
    const completed = h.sent.findIndex(
      (m) => m.params?.notificationValue === 'SIGNATURE_VERIFICATION_PROCESS_COMPLETED',
    )
    expect(completed).toBeGreaterThan(-1)
    expect(h.times[completed]).toBe(askedAt + question.params.timeout * 1000)
    expect(h.answerTo(sale)?.result.transactionResult).toBe('SUCCESSFUL')
    expect(h.violations).toEqual([])
  })

  it('FACTS:124,171 end to end: a client without a signature handler stays silent and the sale stands', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock, pingIntervalMs: 0 })
    const frames: string[] = []
    const WebSocket = class extends cloud.WebSocket {
      override send(data: unknown) {
        frames.push(String(data))
        super.send(data)
      }
    }
    const connection = await connectPaymentsense({
      ...OPTIONS,
      apiKey: 'test-api-key',
      environment: 'test',
      integration: 'pac',
      WebSocket,
      clock,
      liveness: false,
    })
    const result = await connection.request('sale', {
      tid: 'VCMINVLSIS0',
      currency: 'GBP',
      amount: 1500,
    })
    expect(result.transactionResult).toBe('SUCCESSFUL')
    expect(frames.map((f) => JSON.parse(f).method)).toEqual(['sale'])
    await connection.close()
  })

  it('FACTS:144,173 a duplicate answers with the last transaction and its CUSTOMER copy only', async () => {
    const h = wsHarness()
    h.request('sale', { tid: 'T1', currency: 'GBP', amount: 1200 })
    await h.settle()
    const dup = h.request('duplicate', { tid: 'T1' })
    await h.settle()
    const result = h.answerTo(dup)!.result
    expect(result).toMatchObject({ tid: 'T1', transactionResult: 'SUCCESSFUL', amountTotal: 1200 })
    expect(Object.keys(result.receiptLines)).toEqual(['CUSTOMER'])
    expect(h.violations).toEqual([])
  })
})

// ---- 7. the fake only sends what our schemas accept (FACTS:160-174) ---------------------------

describe('everything the fake sends passes our schemas (FACTS:160-161,170-174)', () => {
  const pence = Array.from({ length: 11 }, (_, i) => 1200 + i)

  it('FACTS:160-174 pay at counter: every scenario, method, cancel, signature answer, duplicate and report', async () => {
    const h = wsHarness({ signatureTimeoutMs: 3_000 })
    const requestIds = new Set<number>()
    const req = (method: string, params?: unknown) => {
      const id = h.request(method, params)
      requestIds.add(id)
      return id
    }
    const run = async (method: string, params: unknown) => {
      req(method, params)
      await h.settle()
    }
    req('duplicate', { tid: 'T1' }) // nothing to copy yet
    await h.settle()
    for (const amount of pence) {
      await run('sale', { tid: 'T1', currency: 'GBP', amount })
      await run('duplicate', { tid: 'T1' })
    }
    await run('sale', { tid: 'T2', currency: 'EUR', amount: 2500, amountCashback: 1000 })
    await run('sale', { tid: 'T1', currency: 'GBP', amount: 700, cardholderNotPresent: true })
    await run('refund', { tid: 'T1', currency: 'GBP', amount: 300 })
    await run('preAuth', { tid: 'T1', currency: 'GBP', amount: 5000 })
    const authCode = h.sent.filter((m) => 'result' in m).at(-1)!.result.authCode
    await run('completion', { tid: 'T1', currency: 'GBP', amount: 4000, authCode })
    await run('accountVerification', { tid: 'T1', currency: 'GBP', amount: 0 })
    await run('duplicate', { tid: 'T2' })
    // signature answered (accept, decline, malformed) and refused with an error
    for (const answer of [{ accepted: true }, { accepted: false }, { accepted: 'yes' }, null]) {
      const asked = h.questions().length
      req('sale', { tid: 'T1', currency: 'GBP', amount: 1003 })
      await h.runUntil(() => h.questions().length > asked)
      const q = h.questions()[asked]!
      h.send(
        answer === null
          ? { jsonrpc: '2.0', id: q.id, error: { code: -32603, message: 'till busy' } }
          : { jsonrpc: '2.0', id: q.id, result: answer },
      )
      await h.settle()
    }
    // cancels: in time, too late, with nothing running, on an unknown or switched-off terminal
    req('sale', { tid: 'T1', currency: 'GBP', amount: 1000 })
    req('cancelTransaction', { tid: 'T1' })
    await h.settle()
    req('cancelTransaction', { tid: 'T1' })
    req('cancelTransaction', { tid: 'T9' })
    req('cancelTransaction', { tid: 'T3' })
    for (const reportType of ['END_OF_DAY', 'BANKING', 'X_BALANCE', 'Z_BALANCE'])
      await run('report', { tid: 'T1', reportType })
    req('connectedTerminals')
    req('terminalDetails', { tids: ['T3'] })
    req('sale', { tid: 'T3', currency: 'GBP', amount: 100 })
    h.send('not json')
    h.send({ jsonrpc: '2.0', id: 424242, result: { accepted: true } })
    await h.settle()

    expect(h.violations).toEqual([])
    for (const m of h.sent) {
      expect(m.jsonrpc).toBe('2.0')
      if ('method' in m && m.method === 'terminalNotification') expect('id' in m).toBe(false)
      if ('result' in m) expect(requestIds.has(m.id), `result id ${m.id}`).toBe(true)
      if ('result' in m) expect('error' in m).toBe(false)
    }
  })

  it('FACTS:160-161,179-180 pay at table: visits paid, declined, signed, with final receipts and a refusing EPoS', async () => {
    const h = wsHarness({ integration: 'pat', finalPosReceiptRequest: true })
    const table = (tableName: string, amount: number) => ({
      tableName,
      amount,
      amountPaid: 0,
      currency: 'GBP' as const,
      waiterIds: ['W1'],
    })
    for (const [amount, override] of [
      [4500, {}],
      [4504, {}],
      [4503, {}],
      [
        4500,
        {
          tableLockRequest: (r: Message) => ({
            jsonrpc: '2.0',
            id: r.id,
            result: { locked: false },
          }),
        },
      ],
      [4500, { posReceiptRequest: () => undefined }],
      [
        4500,
        {
          finalPosReceiptRequest: (r: Message) => ({
            jsonrpc: '2.0',
            id: r.id,
            result: { lines: [] },
          }),
        },
      ],
    ] as const) {
      await h.visit('T1', {}, restaurant([table(`T${amount}`, amount)], override as never))
    }
    expect(h.violations).toEqual([])
    for (const method of [
      'tableListRequest',
      'tableLockRequest',
      'posReceiptRequest',
      'finalPosReceiptRequest',
      'transactionResponse',
      'tableUnlock',
    ])
      expect(h.sentWith(method).length, method).toBeGreaterThan(0)
    for (const m of h.sent) {
      if (m.method && !('id' in m)) continue // notification
      if (m.method) expect(Number.isInteger(m.id) && m.id >= 0 && m.id <= 999_999).toBe(true)
    }
  })
})

/**
 * What the previous pass left: a misspelt name in a call's options, or a field a request body does
 * not have (a payment-only field on a refund, a misspelt nested field), is refused by the client
 * before anything is sent (not even a token request), naming it and never quoting its value. Every
 * field the schema types document is taken. The fake stays lenient about unknown fields: nothing
 * known of Payroc's gateway says it refuses them.
 */
import { describe, expect, it } from 'vitest'
import {
  cancelInstruction,
  createPayrocClient,
  findPayments,
  listDevices,
  retrieveResult,
  submitInstruction,
  waitForInstruction,
  type Instruction,
  type InstructionRequest,
  type PayrocComponents,
} from '../src/index.js'
import { unknownName, unknownNameOf } from '../../core/test/helpers.js'
import { refund, sale, SERIAL, setup, TERMINAL } from './helpers.js'

type Schemas = PayrocComponents['schemas']

/** A value a misspelt name could hold: it must appear in no error. */
const SECRET = `pr_live_${crypto.randomUUID()}`

/** A client whose fetch records every request, token requests included. */
function recording() {
  const sent: Request[] = []
  const client = createPayrocClient({
    apiKey: 'test-api-key',
    environment: 'test',
    retry: false,
    fetch: async (request: Request) => {
      sent.push(request)
      return Response.json({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 })
    },
  })
  return { sent, client }
}

const COMPLETED = {
  status: 'completed',
  paymentInstructionId: 'pi-1',
  link: { rel: 'payment', method: 'GET', href: 'https://api.uat.payroc.com/v1/payments/p-1' },
} as Instruction<'payment'>

describe("the helpers' options refuse an unknown name, sending nothing", () => {
  const { sent, client } = recording()
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    [
      'submitInstruction (a misspelt key would make a fresh one: a second payment)',
      () =>
        submitInstruction(client, 'payment', SERIAL, sale(100), {
          idempotencykey: SECRET,
        } as never),
      'idempotencykey',
    ],
    [
      'waitForInstruction',
      () => waitForInstruction(client, 'payment', 'pi-1', { minInterval: SECRET } as never),
      'minInterval',
    ],
    [
      'cancelInstruction',
      () => cancelInstruction(client, 'payment', 'pi-1', { signl: SECRET } as never),
      'signl',
    ],
    [
      'retrieveResult',
      () => retrieveResult(client, 'payment', COMPLETED, { signl: SECRET } as never),
      'signl',
    ],
  ]
  it.each(cases)('%s', async (_call, call, name) => {
    const error = await unknownNameOf(call, `options.${name}`, SECRET)
    expect(error.rule).toContain('signal')
    expect(sent).toHaveLength(0)
  })

  it.each([
    ['findPayments', () => findPayments(client, { orderId: 'A-1' }, { signl: SECRET } as never)],
    ['listDevices', () => listDevices(client, {}, { signl: SECRET } as never)],
  ])('%s (at the call, before the walk starts)', (_call, call) => {
    unknownName(call, 'options.signl', SECRET)
    expect(sent).toHaveLength(0)
  })
})

/** Bodies with one field the operation does not take, and the field the refusal names. */
const BODIES: Array<[string, string, string, Record<string, unknown>]> = [
  [
    'a refund instruction with a payment-only field',
    '/devices/{serialNumber}/refund-instructions',
    'autoCapture',
    { ...refund(100), autoCapture: SECRET },
  ],
  [
    "a refund instruction whose order has a payment's field",
    '/devices/{serialNumber}/refund-instructions',
    'order.acceptPartialAmount',
    { ...refund(100), order: { ...refund(100).order, acceptPartialAmount: SECRET } },
  ],
  [
    'a payment instruction with a misspelt field',
    '/devices/{serialNumber}/payment-instructions',
    'autocapture',
    { ...sale(100), autocapture: SECRET },
  ],
  [
    'a payment instruction with a misspelt order field',
    '/devices/{serialNumber}/payment-instructions',
    'order.acceptPartialAmmount',
    { ...sale(100), order: { ...sale(100).order, acceptPartialAmmount: SECRET } },
  ],
  [
    'a payment instruction with a misspelt field deep in the order',
    '/devices/{serialNumber}/payment-instructions',
    'order.breakdown.tip.amout',
    {
      ...sale(100),
      order: {
        ...sale(100).order,
        breakdown: { subtotal: 100, tip: { type: 'fixedAmount', amout: SECRET } },
      },
    },
  ],
  [
    'a payment instruction with a misspelt customer field',
    '/devices/{serialNumber}/payment-instructions',
    'customer.contactMethods[0].adress',
    {
      ...sale(100),
      customer: { contactMethods: [{ type: 'email', value: 'a@b', adress: SECRET }] },
    },
  ],
  [
    'a signature instruction with an order',
    '/devices/{serialNumber}/signature-instructions',
    'order',
    { processingTerminalId: TERMINAL, order: SECRET },
  ],
  [
    'a referenced refund with a reason',
    '/payments/{paymentId}/refunds',
    'reason',
    { amount: 100, description: 'returned', reason: SECRET },
  ],
  ['a reversal with a currency', '/payments/{paymentId}/reverse', 'currency', { currency: SECRET }],
]

describe('a request body with a field its operation does not take is refused, sending nothing', () => {
  it.each(BODIES)('%s', async (_case, path, field, body) => {
    const { sent, client } = recording()
    const post = client.api.POST as unknown as (p: string, init: object) => Promise<unknown>
    const params = { path: { serialNumber: SERIAL, paymentId: 'p-1' } }
    await unknownNameOf(() => post(path, { params, body }), field, SECRET)
    expect(sent).toHaveLength(0)
  })

  it('submitInstruction refuses a refund carrying payment-only fields', async () => {
    const { sent, client } = recording()
    const body = { ...refund(100), processAsSale: SECRET } as InstructionRequest<'refund'>
    await unknownNameOf(
      () => submitInstruction(client, 'refund', SERIAL, body),
      'processAsSale',
      SECRET,
    )
    expect(sent).toHaveLength(0)
  })
})

describe('every field the schema types document is taken', () => {
  const address = {
    address1: '1 Main St',
    address2: '',
    address3: '',
    city: 'Springfield',
    state: 'IL',
    country: 'US',
    postalCode: '62701',
  }
  const customer: Required<Schemas['Customer']> = {
    firstName: 'Jo',
    lastName: 'Bloggs',
    dateOfBirth: '1990-01-02',
    referenceNumber: 'C-1',
    billingAddress: address,
    shippingAddress: { recipientName: 'Jo', address },
    contactMethods: [{ type: 'email', value: 'jo@example.com' }],
    notificationLanguage: 'en',
  }
  const customizationOptions: Required<Schemas['CustomizationOptions']> = {
    entryMethod: 'deviceRead',
    ebtDetails: { benefitCategory: 'cash', withdrawal: false },
    closedLoopOptions: { type: 'mifare' },
  }

  it('in a payment instruction and a refund instruction', async () => {
    const { client, cloud } = setup()
    const payment: Required<InstructionRequest<'payment'>> = {
      processingTerminalId: TERMINAL,
      operator: 'op-1',
      order: {
        orderId: 'A-1',
        dateTime: '2026-01-01T10:00:00Z',
        description: 'coffee',
        amount: 1000,
        currency: 'USD',
        acceptPartialAmount: false,
        breakdown: {
          subtotal: 900,
          cashbackAmount: 0,
          tip: { type: 'percentage', mode: 'prompted', amount: 50, percentage: 5 },
          surcharge: { bypass: false, amount: 50, percentage: 1 },
          dualPricing: { offered: false, choiceRate: {}, alternativeTender: 'cash' },
          taxes: [{ type: 'rate', rate: 5, name: 'VAT' }],
        },
        standingInstructions: { sequence: 'first' },
      },
      customer,
      ipAddress: { type: 'ipv4', value: '192.0.2.1' },
      credentialOnFile: {
        externalVault: false,
        tokenize: true,
        secureTokenId: 'tok-1',
        mitAgreement: 'recurring',
      },
      customizationOptions,
      autoCapture: true,
      processAsSale: false,
    }
    const refundBody: Required<InstructionRequest<'refund'>> = {
      processingTerminalId: TERMINAL,
      operator: 'op-1',
      order: {
        orderId: 'R-1',
        dateTime: '2026-01-01T10:00:00Z',
        description: 'returned',
        amount: 500,
        currency: 'USD',
      },
      customer,
      ipAddress: { type: 'ipv6', value: '2001:db8::1' },
      customizationOptions,
    }
    await submitInstruction(client, 'payment', SERIAL, payment)
    const done = await submitInstruction(client, 'refund', 'PAXA920-0002', refundBody)
    expect(done.id).toEqual(expect.any(String))
    expect(cloud.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/authorize',
      `/v1/devices/${SERIAL}/payment-instructions`,
      '/v1/devices/PAXA920-0002/refund-instructions',
    ])
  })
})

describe('the fake', () => {
  it('is lenient about a field Payroc is not known to refuse (sent past the client)', async () => {
    let added = false
    const { client, cloud } = setup({
      client: {
        fetch: async (request: Request) => {
          if (!request.url.endsWith('/refund-instructions')) return cloud.fetch(request)
          const body = { ...(await request.json()), autoCapture: false }
          added = true
          return cloud.fetch(new Request(request, { body: JSON.stringify(body) }))
        },
      },
    })
    const { instruction } = await submitInstruction(client, 'refund', SERIAL, refund(100))
    expect(added).toBe(true)
    expect(instruction.status).toBe('inProgress')
  })
})

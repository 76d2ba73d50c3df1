import { expectTypeOf, it } from 'vitest'
import { findPayments } from '../src/index.js'
import {
  ALTERNATIVE_TENDERS,
  BENEFIT_CATEGORIES,
  CLOSED_LOOP_TYPES,
  CONTACT_METHOD_TYPES,
  IP_ADDRESS_TYPES,
  MIT_AGREEMENTS,
  NOTIFICATION_LANGUAGES,
  TAX_TYPES,
  TIP_MODES,
  TIP_TYPES,
} from '../src/limits.js'
import type {
  Instruction,
  InstructionStatus,
  PaymentFilters,
  PayrocApi,
  PayrocComponents,
} from '../src/index.js'

/** Checked by the compiler (the package typecheck includes tests); the runtime part is trivial. */
it('the instruction status is exactly inProgress | completed | failure | canceled', () => {
  expectTypeOf<InstructionStatus>().toEqualTypeOf<
    'inProgress' | 'completed' | 'failure' | 'canceled'
  >()
  expectTypeOf<Instruction<'payment'>['status']>().toEqualTypeOf<InstructionStatus>()
  expectTypeOf<
    PayrocComponents['schemas']['RefundInstruction']['status']
  >().toEqualTypeOf<InstructionStatus>()
})

it('the typed client takes Idempotency-Key as optional, and only where the gateway wants one', () => {
  const api = {} as PayrocApi
  // Compiles without a key, and with one.
  const withoutKey = () =>
    api.POST('/devices/{serialNumber}/signature-instructions', {
      params: { path: { serialNumber: 'S' } },
      body: { processingTerminalId: 'T' },
    })
  const withKey = () =>
    api.POST('/payments/{paymentId}/reverse', {
      params: { path: { paymentId: 'P' }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      body: {},
    })
  expectTypeOf(withoutKey).returns.resolves.toHaveProperty('data')
  expectTypeOf(withKey).returns.resolves.toHaveProperty('data')
  const readWithKey = () =>
    api.GET('/payments/{paymentId}', {
      params: {
        path: { paymentId: 'P' },
        // @ts-expect-error reads take no Idempotency-Key
        header: { 'Idempotency-Key': 'k' },
      },
    })
  expectTypeOf(readWithKey).toBeFunction()
})

it('the approval fields come from the schema', () => {
  expectTypeOf<PayrocComponents['schemas']['TransactionResult']['responseCode']>().toEqualTypeOf<
    'A' | 'D' | 'E' | 'P' | 'R' | 'C'
  >()
})

it('the payment search yields the payment of GET /payments/{paymentId}; its filters are typed from the schema', () => {
  expectTypeOf(findPayments).returns.toEqualTypeOf<
    AsyncGenerator<PayrocComponents['schemas']['RetrievedPayment'], void, undefined>
  >()
  expectTypeOf<PaymentFilters['status']>().toEqualTypeOf<
    PayrocComponents['schemas']['TransactionStatus'] | undefined
  >()
  expectTypeOf<PaymentFilters>().not.toHaveProperty('before')
})

it('the value sets the request rules check are exactly the schema enums (none missing, none extra)', () => {
  type S = PayrocComponents['schemas']
  type Of<T extends readonly unknown[]> = T[number]
  expectTypeOf<Of<typeof NOTIFICATION_LANGUAGES>>().toEqualTypeOf<
    NonNullable<S['Customer']['notificationLanguage']>
  >()
  expectTypeOf<Of<typeof CONTACT_METHOD_TYPES>>().toEqualTypeOf<S['ContactMethod']['type']>()
  expectTypeOf<Of<typeof IP_ADDRESS_TYPES>>().toEqualTypeOf<S['IpAddress']['type']>()
  expectTypeOf<Of<typeof MIT_AGREEMENTS>>().toEqualTypeOf<
    NonNullable<S['CredentialOnFile']['mitAgreement']>
  >()
  expectTypeOf<Of<typeof BENEFIT_CATEGORIES>>().toEqualTypeOf<
    NonNullable<S['CustomizationOptions']['ebtDetails']>['benefitCategory']
  >()
  expectTypeOf<Of<typeof CLOSED_LOOP_TYPES>>().toEqualTypeOf<
    NonNullable<NonNullable<S['CustomizationOptions']['closedLoopOptions']>['type']>
  >()
  expectTypeOf<Of<typeof TIP_TYPES>>().toEqualTypeOf<S['Tip']['type']>()
  expectTypeOf<Of<typeof TIP_MODES>>().toEqualTypeOf<NonNullable<S['Tip']['mode']>>()
  expectTypeOf<Of<typeof ALTERNATIVE_TENDERS>>().toEqualTypeOf<
    NonNullable<S['DualPricing']['alternativeTender']>
  >()
  expectTypeOf<Of<typeof TAX_TYPES>>().toEqualTypeOf<S['TaxRate']['type']>()
})

import { expectTypeOf, it } from 'vitest'
import { findPayments } from '../src/index.js'
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

/**
 * Type-level checks of @tillkit/payroc and @tillkit/payroc/mock as a user meets them. Checked by
 * `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import {
  approvalOf,
  cancelInstruction,
  createPayrocClient,
  findPayments,
  listDevices,
  PayrocTokenError,
  retrieveResult,
  submitInstruction,
  TillkitHttpError,
  waitForInstruction,
  type Approval,
  type CancelResult,
  type Device,
  type Instruction,
  type InstructionResult,
  type Payment,
  type PayrocComponents,
  type SubmitArgs,
  type Submitted,
} from '@tillkit/payroc'
import { createFakeCloud, type LedgerEntry } from '@tillkit/payroc/mock'

it('public types: checked by tsc only', () => {})

type S = PayrocComponents['schemas']
const payroc = createPayrocClient({ apiKey: 'k', environment: 'test' })
const order = { orderId: 'A-1', amount: 4999, currency: 'USD' }

export async function valid(): Promise<void> {
  const sub = await submitInstruction(payroc, 'payment', 'D1', { processingTerminalId: 'T', order })
  expectTypeOf(sub).toEqualTypeOf<Submitted<'payment'>>()
  expectTypeOf(sub.instruction).toEqualTypeOf<S['PaymentInstruction']>()
  const done = await waitForInstruction(payroc, 'payment', sub.id, {
    onStatus: (i) => {
      expectTypeOf(i).toEqualTypeOf<Instruction<'payment'>>()
    },
  })
  const payment = await retrieveResult(payroc, 'payment', done)
  expectTypeOf(payment).toEqualTypeOf<S['RetrievedPayment']>()
  expectTypeOf(payment).toEqualTypeOf<Payment>()
  expectTypeOf(approvalOf(payment)).toEqualTypeOf<Approval>()
  const sig = await retrieveResult(
    payroc,
    'signature',
    await waitForInstruction(payroc, 'signature', 'x'),
  )
  expectTypeOf(sig).toEqualTypeOf<InstructionResult<'signature'>>()
  const refund = await retrieveResult(
    payroc,
    'refund',
    await waitForInstruction(payroc, 'refund', 'x'),
  )
  expectTypeOf(refund).toEqualTypeOf<S['RetrievedRefund']>()
  approvalOf(refund)

  // Arguments built per kind keep their pairing, and the result is the union of both kinds'.
  const args: SubmitArgs<'payment' | 'refund'> =
    Math.random() < 0.5
      ? ['payment', 'D1', { processingTerminalId: 'T', order }]
      : ['refund', 'D1', { processingTerminalId: 'T', order: { ...order, description: 'r' } }]
  const either = await submitInstruction(payroc, ...args)
  expectTypeOf(either).toEqualTypeOf<Submitted<'payment' | 'refund'>>()

  const c = await cancelInstruction(payroc, 'payment', 'x')
  expectTypeOf(c).toEqualTypeOf<CancelResult<'payment'>>()
  if (!c.canceled) expectTypeOf(c.instruction).toEqualTypeOf<Instruction<'payment'>>()

  for await (const d of listDevices(payroc, { active: true }))
    expectTypeOf(d).toEqualTypeOf<Device>()
  for await (const p of findPayments(payroc, { orderId: 'A-1', status: 'ready', limit: 2 }))
    expectTypeOf(p.order.amount).toEqualTypeOf<number>()

  // openapi-fetch paths are typed from the schema.
  const r = await payroc.api.GET('/payments/{paymentId}', { params: { path: { paymentId: 'P' } } })
  expectTypeOf(r.data).toEqualTypeOf<S['RetrievedPayment'] | undefined>()
  expectTypeOf(payroc.transport.ok(r)).toEqualTypeOf<S['RetrievedPayment']>()

  // Errors narrow by class.
  const e: unknown = null
  if (e instanceof TillkitHttpError) expectTypeOf(e.status).toEqualTypeOf<number>()
  if (e instanceof PayrocTokenError) expectTypeOf(e.mayHaveReachedProvider).toEqualTypeOf<boolean>()

  // Fake cloud.
  const cloud = createFakeCloud({ devices: [{ serialNumber: 'D', scenario: 'decline' }] })
  expectTypeOf(cloud.ledger).toEqualTypeOf<readonly LedgerEntry[]>()
  expectTypeOf(cloud.ledger[0]!.kind).toEqualTypeOf<'sale' | 'pre-auth' | 'refund' | 'reversal'>()
  expectTypeOf(cloud.ledger[0]!.result).toEqualTypeOf<
    'approved' | 'partial' | 'declined' | 'referral'
  >()
  cloud.faults.add({ kind: 'latency', ms: 2_000, match: { path: /instructions/ } })
  cloud.faults.add({ kind: 'status', status: 503, times: 1 })
  cloud.faults.add({ kind: 'status', status: 429, retryAfter: 2 })
  cloud.faults.add({ kind: 'status', status: 307, location: 'https://x.invalid/' })
  const remove = cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST' }, mode: 'hang' })
  expectTypeOf(remove).toEqualTypeOf<() => void>()
  cloud.devices.setScenario('D', 'decline')
  cloud.identity.revokeAll()
}

export async function invalid(): Promise<void> {
  // @ts-expect-error no such kind
  await submitInstruction(payroc, 'pay', 'D1', { processingTerminalId: 'T', order })
  await submitInstruction(payroc, 'payment', 'D1', {
    processingTerminalId: 'T',
    // @ts-expect-error unknown field in the order
    order: { ...order, amout: 1 },
  })
  // @ts-expect-error a refund instruction needs order.description
  await submitInstruction(payroc, 'refund', 'D1', { processingTerminalId: 'T', order })
  // A kind known only as a union takes no one kind's body: a payment's body is no refund's.
  const kind = Math.random() < 0.5 ? ('payment' as const) : ('refund' as const)
  // @ts-expect-error the body of one kind given with a union kind
  await submitInstruction(payroc, kind, 'D1', { processingTerminalId: 'T', order })
  // @ts-expect-error unknown filter (the README: a misspelt one would widen the search)
  findPayments(payroc, { orderID: 'A-1' })
  // @ts-expect-error wrong path
  await payroc.api.GET('/payment/{paymentId}', { params: { path: { paymentId: 'P' } } })
  // @ts-expect-error missing path parameter
  await payroc.api.GET('/payments/{paymentId}', { params: { path: {} } })
  const cloud = createFakeCloud()
  // @ts-expect-error latency needs ms
  cloud.faults.add({ kind: 'latency' })
  // @ts-expect-error ms belongs to latency
  cloud.faults.add({ kind: 'status', status: 500, ms: 3 })
  // @ts-expect-error not a scenario
  cloud.devices.setScenario('D', 'approved')
  approvalOf(
    // @ts-expect-error signature results have no transactionResult
    await retrieveResult(payroc, 'signature', await waitForInstruction(payroc, 'signature', 'x')),
  )
}

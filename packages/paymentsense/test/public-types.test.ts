/**
 * Type-level checks of @tillkit/paymentsense (main, /watch, /mock) as a user meets it. Checked by
 * `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import * as main from '@tillkit/paymentsense'
import {
  createPaymentsenseClient,
  TillkitError,
  TillkitHttpError,
  type PacComponents,
} from '@tillkit/paymentsense'
import { waitForTransaction, waitForReport } from '@tillkit/paymentsense/watch'
import { createFakeCloud, type LedgerEntry } from '@tillkit/paymentsense/mock'

it('public types: checked by tsc only', () => {})

type S = PacComponents['schemas']
const connect = createPaymentsenseClient({
  account: 'mysite',
  environment: 'test',
  apiKey: 'k',
  softwareHouseId: 'SWH',
  installerId: 'I',
})
const tid = '22160001'

export async function valid(): Promise<void> {
  const list = await connect.pac.GET('/pac/terminals', {
    params: { query: { status: 'AVAILABLE' } },
  })
  const { terminals } = connect.transport.ok(list)
  expectTypeOf(terminals).not.toBeAny()
  const one = await connect.pac.GET('/pac/terminals/{tid}', { params: { path: { tid } } })
  expectTypeOf(connect.transport.ok(one).status).not.toBeAny()
  expectTypeOf(connect.transport.ok(one).status).toExtend<string>()
  const started = connect.transport.ok(
    await connect.pac.POST('/pac/terminals/{tid}/transactions', {
      params: { path: { tid } },
      body: { transactionType: 'SALE', amount: 2500, currency: 'GBP', amountCashback: 500 },
    }),
  )
  expectTypeOf(started.requestId).toEqualTypeOf<string>()
  await connect.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    body: { transactionType: 'DUPLICATE' },
  })
  const last = await waitForTransaction(connect, tid, started.requestId, {
    onNotification: (n) => {
      expectTypeOf(n).toEqualTypeOf<string>()
    },
  })
  expectTypeOf(last.transactionResult).not.toBeAny()
  expectTypeOf(last.amountBase).not.toBeAny()
  await waitForReport(connect, tid, 'r')

  const e: unknown = null
  if (e instanceof TillkitError) expectTypeOf(e.outcomeUnknown).toEqualTypeOf<boolean>()
  if (e instanceof TillkitHttpError) expectTypeOf(e.status).toEqualTypeOf<number>()

  const cloud = createFakeCloud({ stepMs: 10, signatureTimeout: 'void' })
  expectTypeOf(cloud.ledger[0]!).toEqualTypeOf<LedgerEntry>()
  expectTypeOf(cloud.ledger[0]!.kind).not.toBeAny()
  const remove = cloud.faults.add({ kind: 'latency', ms: 3_000 })
  cloud.faults.add({
    kind: 'status',
    status: 429,
    retryAfter: 2,
    body: { userMessage: 'slow down' },
  })
  cloud.faults.add({ kind: 'status', status: 307, location: 'https://x.invalid/' })
  cloud.faults.add({ kind: 'lostResponse', match: { method: 'POST', path: /transactions$/ } })
  cloud.faults.add({ kind: 'dropConnection', notification: 'PIN_ENTRY', times: 1 })
  cloud.faults.add({ kind: 'reorderNotifications', holdMs: 500 })
  cloud.faults.add({ kind: 'slowPings', delayMs: 45_000, times: 1 })
  remove()
}

export async function invalid(): Promise<void> {
  // @ts-expect-error wrong path
  await connect.pac.GET('/pac/terminal/{tid}', { params: { path: { tid } } })
  // @ts-expect-error path parameter missing
  await connect.pac.GET('/pac/terminals/{tid}', { params: { path: {} } })
  // @ts-expect-error not a terminal status
  await connect.pac.GET('/pac/terminals', { params: { query: { status: 'FREE' } } })
  await connect.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    // @ts-expect-error not a transaction type
    body: { transactionType: 'PURCHASE', amount: 1, currency: 'GBP' },
  })
  await connect.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    // @ts-expect-error unknown body field
    body: { transactionType: 'SALE', amount: 1, currency: 'GBP', tip: 1 },
  })
  await connect.pac.GET('/pac/terminals/{tid}', {
    // @ts-expect-error the client sets Software-House-Id itself (stripped from the typed params)
    params: { path: { tid }, header: { 'Software-House-Id': 'x' } },
  })
  const cloud = createFakeCloud()
  // @ts-expect-error slowPings needs delayMs
  cloud.faults.add({ kind: 'slowPings' })
  // @ts-expect-error no such fault
  cloud.faults.add({ kind: 'dropNotification' })
}

/**
 * The transaction body is a union discriminated by `transactionType`: each type takes its own
 * fields, and the compiler holds a body to the rules of its type.
 */
export async function transactionBodies(): Promise<void> {
  const start = (body: S['TransactionRequest']) =>
    connect.pac.POST('/pac/terminals/{tid}/transactions', { params: { path: { tid } }, body })

  // Valid bodies compile.
  await connect.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    body: { transactionType: 'SALE', amount: 100, currency: 'GBP', cardholderNotPresent: true },
  })
  await connect.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    body: {
      transactionType: 'COMPLETION',
      amount: 400,
      currency: 'GBP',
      authCode: 'A1B2',
      amountPreAuthorisedTotal: 500,
    },
  })
  await start({ transactionType: 'DUPLICATE' })
  await start({ transactionType: 'DUPLICATE', currency: 'EUR' })
  await start({ transactionType: 'ACCOUNT_VERIFICATION' })
  await start({ transactionType: 'REFUND', amount: 100, currency: 'GBP' })

  // Each rule of a type, broken.
  // @ts-expect-error COMPLETION needs authCode
  await start({
    transactionType: 'COMPLETION',
    amount: 1,
    currency: 'GBP',
    amountPreAuthorisedTotal: 1,
  })
  // @ts-expect-error COMPLETION needs authCode, amountPreAuthorisedTotal and currency
  await start({ transactionType: 'COMPLETION', amount: 1 })
  // @ts-expect-error amountCashback is for SALE only
  await start({ transactionType: 'REFUND', amount: 1, currency: 'GBP', amountCashback: 0 })
  // @ts-expect-error DUPLICATE takes no amount
  await start({ transactionType: 'DUPLICATE', amount: 1 })
  // @ts-expect-error DUPLICATE takes no cardholderNotPresent
  await start({ transactionType: 'DUPLICATE', cardholderNotPresent: true })
  // @ts-expect-error authCode is for COMPLETION only
  await start({ transactionType: 'SALE', amount: 1, currency: 'GBP', authCode: 'A1B2' })
  // @ts-expect-error SALE needs an amount
  await start({ transactionType: 'SALE', currency: 'GBP' })
  await connect.pac.POST('/pac/terminals/{tid}/transactions', {
    params: { path: { tid } },
    // @ts-expect-error through the client too: DUPLICATE takes no amount
    body: { transactionType: 'DUPLICATE', amount: 1 },
  })
  // Not only object literals: a refused field is typed `never`, so a built body is held too.
  const refund = {
    transactionType: 'REFUND',
    amount: 1,
    currency: 'GBP',
    amountCashback: 0,
  } as const
  // @ts-expect-error amountCashback is for SALE only
  await start(refund)

  // One branch per RequestTransactionType, and a type narrows the body to its branch.
  expectTypeOf<S['TransactionRequest']['transactionType']>().toEqualTypeOf<
    S['RequestTransactionType']
  >()
  expectTypeOf<Extract<S['TransactionRequest'], { transactionType: 'COMPLETION' }>>().toEqualTypeOf<
    S['CompletionRequest']
  >()
  expectTypeOf<S['CompletionRequest']['authCode']>().toEqualTypeOf<string>()
  expectTypeOf<S['SaleRequest']['amount']>().toEqualTypeOf<number>()
  expectTypeOf<S['SaleRequest']['currency']>().toEqualTypeOf<S['Currency']>()
}

export function exported(): void {
  // The REST client rejects an answer that is not JSON with a TillkitProtocolError: exported here.
  expectTypeOf(main).toHaveProperty('TillkitProtocolError')
  expectTypeOf<S['TransactionRequest']>().not.toBeAny()
}

/**
 * Type-level checks of the public API of @tillkit/orchestrator, as a user meets it through the package's
 * entry points. Checked by `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import {
  CancelOnTerminalError,
  createMemoryJournal,
  createOrchestrator,
  foldRecord,
  JournalWriteError,
  TableError,
  TillkitValidationError,
  type JournalEntry,
  type JournalRecord,
  type JournalStore,
  type Outcome,
  type Payment,
  type PaymentEvent,
  type PaymentEventType,
  type TableEvent,
} from '@tillkit/orchestrator'
import { paymentsenseAdapter } from '@tillkit/orchestrator/paymentsense'
import { smartconnectAdapter } from '@tillkit/orchestrator/smartconnect'
import { payrocAdapter } from '@tillkit/orchestrator/payroc'
import { adyenAdapter } from '@tillkit/orchestrator/adyen'
import { createFileJournal } from '@tillkit/orchestrator/node'

it('public types: checked by tsc only', () => {})

const shop = paymentsenseAdapter({
  account: 'acme',
  environment: 'test',
  apiKey: 'k',
  softwareHouseId: 'SWH',
  installerId: 'INST',
})
const store = smartconnectAdapter({
  environment: 'dev',
  currency: 'NZD',
  terminals: [
    {
      terminal: 'VT1',
      register: {
        id: '2e7b9c14-6a3f-4d81-b5e0-9f1c3a7d4b62',
        name: 'Lane 1',
        businessName: 'B',
        vendorName: 'V',
      },
    },
  ],
})
const till = createOrchestrator({ accounts: { shop, store } })
const base = { terminal: 't', amount: 100, currency: 'GBP', reference: 'r' } as const

export async function valid(): Promise<void> {
  // Documented calls compile.
  const p = await till.sale({ account: 'shop', ...base })
  await till.pay({ kind: 'refund', account: 'shop', ...base })
  await till.accountVerification({
    account: 'shop',
    terminal: 't',
    currency: 'GBP',
    reference: 'r',
  })
  await till.completion({ account: 'shop', ...base, authCode: 'A1', preAuthAmount: 100 })
  await till.sale({ account: 'shop', ...base, extra: { cardholderNotPresent: true } })
  await till.sale({ ...p.request, amount: 2509, reference: 'order-18' })
  expectTypeOf(p.cancel()).toEqualTypeOf<Promise<boolean>>()
  expectTypeOf(till.recover()).toEqualTypeOf<Promise<Payment[]>>()
  expectTypeOf(till.outcomeOf('id')).toEqualTypeOf<Promise<Outcome | undefined>>()
  expectTypeOf(p.outcome).toEqualTypeOf<Promise<Outcome>>()
  expectTypeOf(p.state).toEqualTypeOf<'queued' | 'starting' | 'running' | 'settled'>()
  expectTypeOf<Payment>().toExtend<AsyncIterable<PaymentEvent>>()
  expectTypeOf(till.close()).toEqualTypeOf<Promise<void>>()
  // Events narrow on type: a signatureRequired one can always be answered.
  for await (const event of p) {
    if (event.type === 'signatureRequired') {
      expectTypeOf(event.accept).toEqualTypeOf<() => Promise<boolean>>()
      expectTypeOf(event.deadline).toEqualTypeOf<number>()
    } else {
      expectTypeOf(event.type).toEqualTypeOf<Exclude<PaymentEventType, 'signatureRequired'>>()
      // @ts-expect-error only a signatureRequired event can be answered
      void event.accept
    }
  }
  // Outcomes narrow on status: an unknown one always says how to reconcile it.
  const outcome = await p.outcome
  if (outcome.status === 'unknown')
    expectTypeOf(outcome.reconcile.check).toEqualTypeOf<readonly string[]>()
  else expectTypeOf(outcome.reconcile).toEqualTypeOf<undefined>()
  // Errors are classes, narrowable with instanceof.
  const e: unknown = null
  if (e instanceof TillkitValidationError) expectTypeOf(e.field).not.toBeAny()
  if (e instanceof JournalWriteError)
    expectTypeOf(e.mayHaveReachedProvider).toEqualTypeOf<boolean>()
  if (e instanceof TableError)
    expectTypeOf(e.reason).toEqualTypeOf<'exists' | 'locked' | 'conflict' | 'gone' | 'closed'>()
  if (e instanceof CancelOnTerminalError) expectTypeOf(e).toExtend<Error>()

  // The table example of the README (unmarked block, README.md:423), as written.
  const record = (x: unknown) => x
  const table = await till.openTable({
    account: 'shop',
    table: '12',
    amount: 5_000,
    currency: 'GBP',
    reference: 'bill-12',
    receipt: ['2 x soup', '1 x wine'],
    waiterIds: ['w1'],
  })
  for await (const event of table) {
    expectTypeOf(event).toEqualTypeOf<TableEvent>()
    if (event.type === 'tablePayment') record(event.payment)
    if (event.type === 'paid') await table.close()
    if (event.type === 'closed') expectTypeOf(event.reason).toEqualTypeOf<'closed' | 'gone'>()
  }

  // File journal (node entry).
  const fj = await createFileJournal('/tmp/x.jsonl', { compactAfter: 10, keepFinished: 5 })
  expectTypeOf(fj).toExtend<JournalStore>()
  createMemoryJournal({ keepFinished: 3, keepEndedTables: 2 })
  createOrchestrator({
    accounts: { shop },
    logger: console,
    signature: { answerWithinMs: 60_000, whenUnanswered: 'provider' },
    spacingMarginMs: 5,
    onDispatch: (info) => {
      expectTypeOf(info.request).toEqualTypeOf<
        'start' | 'poll' | 'cancel' | 'signature' | 'terminals' | 'table'
      >()
    },
  })
}

// The custom-journal example of the README (unmarked block, README.md:372), as written.
export function listJournal(save: (line: string) => Promise<void>, lines: string[]): JournalStore {
  const entries = new Map<string, JournalEntry>()
  for (const line of lines) foldRecord(entries, JSON.parse(line) as JournalRecord)
  return {
    async append(record) {
      await save(JSON.stringify(record))
      foldRecord(entries, record)
    },
    async unfinished() {
      return [...entries.values()].filter((entry) => !entry.outcome)
    },
    async get(id) {
      return entries.get(id)
    },
  }
}

export async function invalid(): Promise<void> {
  // Rejected today (the compiler helps): unknown field, wrong kind, missing required, wrong type.
  // @ts-expect-error unknown field
  await till.sale({ account: 'shop', ...base, tip: 5 })
  // @ts-expect-error not a kind
  await till.pay({ kind: 'purchase', account: 'shop', ...base })
  // @ts-expect-error missing currency
  await till.sale({ account: 'shop', terminal: 't', amount: 1, reference: 'r' })
  // @ts-expect-error a sale needs its amount (only an account verification goes without)
  await till.sale({ account: 'shop', terminal: 't', currency: 'GBP', reference: 'r' })
  // @ts-expect-error so does a completion
  await till.completion({ account: 'shop', terminal: 't', currency: 'GBP', reference: 'r' })
  // @ts-expect-error amount is a number of minor units
  await till.sale({ account: 'shop', ...base, amount: '12.03' })
  // @ts-expect-error kind does not belong on sale()
  await till.sale({ kind: 'refund', account: 'shop', ...base })
  // @ts-expect-error no such option
  createOrchestrator({ accounts: { shop }, journl: createMemoryJournal() })
  // @ts-expect-error whenUnanswered is a closed set
  createOrchestrator({ accounts: { shop }, signature: { whenUnanswered: 'ignore' } })
  // @ts-expect-error SmartConnect takes NZD or AUD only
  smartconnectAdapter({ environment: 'dev', currency: 'GBP', terminals: [] })
  paymentsenseAdapter({
    account: 'a',
    environment: 'test',
    apiKey: 'k',
    softwareHouseId: 's',
    installerId: 'i',
    // @ts-expect-error Paymentsense terminals take GBP or EUR
    terminals: [{ tid: 't', currency: 'USD' }],
  })
  // @ts-expect-error Adyen needs a saleId
  adyenAdapter({ environment: 'test', apiKey: 'k' })
  // @ts-expect-error the device API needs a merchant account too (legacy goes without)
  adyenAdapter({ environment: 'test', apiKey: 'k', saleId: 'POS1', transport: 'device-api' })
  adyenAdapter({ environment: 'test', apiKey: 'k', saleId: 'POS1', transport: 'legacy' })
  expectTypeOf(payrocAdapter).parameter(0).toHaveProperty('devices')
}

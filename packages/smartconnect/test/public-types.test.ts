/**
 * Type-level checks of @tillkit/smartconnect and its mock as a user meets them. Checked by
 * `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import {
  createSmartConnectClient,
  type PendingTransaction,
  type PollResult,
  type TransactionOutcome,
  type WaitEvent,
} from '@tillkit/smartconnect'
import { createFakeCloud, type LedgerEntry } from '@tillkit/smartconnect/mock'

it('public types: checked by tsc only', () => {})

const register = {
  id: '2e7b9c14-6a3f-4d81-b5e0-9f1c3a7d4b62',
  name: 'Lane 1',
  businessName: 'B',
  vendorName: 'V',
}
const pos = createSmartConnectClient({ environment: 'dev', register })

export async function valid(): Promise<void> {
  await pos.pair('LANE01', { contactName: 'A', city: 'Auckland' })
  const o = await pos.transact(
    'Card.Purchase',
    { AmountTotal: 1250 },
    {
      onStarted: (p) => {
        expectTypeOf(p).toEqualTypeOf<PendingTransaction>()
      },
    },
  )
  expectTypeOf(o).toEqualTypeOf<TransactionOutcome>()
  await pos.transact('Card.PurchasePlusCash', { AmountTotal: '6000', AmountCash: 2000 }, undefined)
  await pos.transact('Card.Finalise', { AmountFinal: 100, TransactionReference: 'r' }, undefined)
  await pos.startTransaction('Terminal.GetStatus')
  await pos.startTransaction('Acquirer.Settlement.Inquiry', { Date: '2026-01-01' })
  const p = await pos.startTransaction('Card.Purchase', { AmountTotal: 1000 })
  const r = await pos.poll(p)
  expectTypeOf(r).toEqualTypeOf<PollResult>()
  if (r.state === 'final') expectTypeOf(r.outcome).toEqualTypeOf<TransactionOutcome>()
  if (r.state === 'retry') expectTypeOf(r.retryAfterMs).toEqualTypeOf<number | undefined>()
  await pos.waitForOutcome(p, {
    onEvent: (e) => {
      expectTypeOf(e).toEqualTypeOf<WaitEvent>()
      if (e.type === 'retry') expectTypeOf(e.delayMs).toEqualTypeOf<number>()
    },
  })

  const cloud = createFakeCloud({ terminals: [{ deviceId: 'LANE-1', pairingCode: 'LANE01' }] })
  expectTypeOf(cloud.ledger[0]!).toEqualTypeOf<LedgerEntry>()
  expectTypeOf(cloud.ledger[0]!.result).toEqualTypeOf<'ACCEPTED' | 'DECLINED'>()
  cloud.terminals.setScenario('LANE-1', 'decline')
  cloud.terminals.setScenario('LANE-1', undefined)
  const remove = cloud.faults.add({ kind: 'latency', ms: 3_000 })
  cloud.faults.add({ kind: 'status', status: 503, match: { method: 'POST' }, times: 1 })
  cloud.faults.add({ kind: 'status', status: 307, location: 'https://x.invalid/' })
  cloud.faults.add({ kind: 'status', status: 200, body: 'not json', match: { method: 'GET' } })
  cloud.faults.add({ kind: 'lostResponse', mode: 'hang' })
  remove()
  cloud.faults.clear()
}

export async function invalid(): Promise<void> {
  // @ts-expect-error no such environment
  createSmartConnectClient({ environment: 'test', register })
  // @ts-expect-error a purchase takes no AmountCash
  await pos.transact('Card.Purchase', { AmountTotal: 100, AmountCash: 5 })
  // @ts-expect-error a finalise needs TransactionReference
  await pos.transact('Card.Finalise', { AmountFinal: 100 }, undefined)
  const cloud = createFakeCloud()
  // @ts-expect-error not a scenario
  cloud.terminals.setScenario('LANE-1', 'declined')
  // @ts-expect-error not a fault kind
  cloud.faults.add({ kind: 'drop' })
}

export async function withoutFields(): Promise<void> {
  // A type that takes no fields needs none, as for startTransaction.
  await pos.transact('Terminal.GetStatus')
}

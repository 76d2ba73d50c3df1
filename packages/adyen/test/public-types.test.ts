/**
 * Type-level checks of @tillkit/adyen and its mock as a user meets them. Checked by
 * `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import {
  createAdyenClient,
  createNexo,
  parseNotification,
  type AbortResult,
  type DeclineReason,
  type DeviceApiHttpClient,
  type LegacyHttpClient,
  type Nexo,
  type PaymentOutcome,
  type PoiTransaction,
  type ReversalOutcome,
  type TransactionStatusResult,
} from '@tillkit/adyen'
import { createFakeCloud, type LedgerEntry } from '@tillkit/adyen/mock'

it('public types: checked by tsc only', () => {})

const adyen = createAdyenClient({
  apiKey: 'k',
  environment: 'live',
  region: 'EU',
  transport: 'device-api',
  merchantAccount: 'MyShopPOS',
})
const nexo = adyen.nexo({ saleId: 'till-1' })

export async function valid(): Promise<void> {
  expectTypeOf(adyen.http).toEqualTypeOf<DeviceApiHttpClient>()
  const legacy = createAdyenClient({ apiKey: 'k', environment: 'test', transport: 'legacy' })
  expectTypeOf(legacy.http).toEqualTypeOf<LegacyHttpClient>()

  const msg = nexo.payment({
    poiId: 'P1',
    amount: 1000,
    currency: 'EUR',
    transactionId: 't',
    type: 'refund',
  })
  expectTypeOf(msg).toEqualTypeOf<Nexo.PaymentRequest>()
  const o = await adyen.payment(msg)
  expectTypeOf(o).toEqualTypeOf<PaymentOutcome>()
  switch (o.status) {
    case 'approved':
      expectTypeOf(o.poiTransaction).toEqualTypeOf<PoiTransaction>()
      expectTypeOf(o.partial).toEqualTypeOf<boolean>()
      break
    case 'declined':
      expectTypeOf(o.reason).toEqualTypeOf<DeclineReason>()
      break
    case 'cancelled':
      expectTypeOf(o.cause).toEqualTypeOf<'aborted' | 'cancelled' | 'timed-out'>()
      break
    case 'no-answer':
      expectTypeOf(o.response).toEqualTypeOf<undefined>()
      break
  }
  // @ts-expect-error poiTransaction only on approved
  if (o.status === 'declined') o.poiTransaction

  if (o.status === 'approved') {
    const rev = await adyen.reversal(
      nexo.reversal({ poiId: 'P1', original: o.poiTransaction, amount: 500, currency: 'EUR' }),
      { currency: 'EUR' },
    )
    expectTypeOf(rev).toEqualTypeOf<ReversalOutcome>()
    if (rev.status === 'reversed') expectTypeOf(rev.amount).toEqualTypeOf<number | undefined>()
  }
  const ab = await adyen.abort(nexo.abort({ poiId: 'P1', abortServiceId: 'X' }))
  expectTypeOf(ab).toEqualTypeOf<AbortResult>()
  if (!ab.delivered) expectTypeOf(ab.event).not.toBeAny()
  const st = await adyen.waitForTransactionStatus(
    nexo,
    { poiId: 'P1', serviceId: 'S' },
    { intervalMs: 10_000 },
  )
  expectTypeOf(st).toEqualTypeOf<TransactionStatusResult>()
  if (st.status === 'processed')
    expectTypeOf(st.payment).toEqualTypeOf<PaymentOutcome | undefined>()
  expectTypeOf(adyen.deviceStatus('P1')).toEqualTypeOf<Promise<'ONLINE' | 'OFFLINE'>>()

  const n = parseNotification('{}')
  if (n.type === 'payment') expectTypeOf(n.outcome).toEqualTypeOf<PaymentOutcome>()
  if (n.type === 'display') expectTypeOf(n.events[0]!.event).not.toBeAny()

  createNexo({ saleId: 'till-2' })

  const cloud = createFakeCloud({
    apiKeys: ['test-api-key', { key: 'paris-only', merchantAccounts: ['OtherShop'] }],
    devices: [
      { poiId: 'P400Plus-1', store: 'LONDON-1' },
      { poiId: 'V400m-2', scenario: 'refused' },
    ],
    stepMs: 250,
  })
  cloud.devices.setOnline('P400Plus-1', false)
  cloud.faults.add({ kind: 'dropConnection', afterMs: 1_000, times: 1 })
  cloud.faults.add({ kind: 'status', status: 307, location: 'https://x.invalid/' })
  expectTypeOf(cloud.ledger[0]!).toEqualTypeOf<LedgerEntry>()
  expectTypeOf(cloud.ledger[0]!.kind).not.toBeAny()
}

export async function invalid(): Promise<void> {
  // @ts-expect-error unknown field in a payment input
  nexo.payment({ poiId: 'P1', amount: 1, currency: 'EUR', transactionId: 't', tip: 1 })
  // @ts-expect-error not a payment type
  nexo.payment({ poiId: 'P1', amount: 1, currency: 'EUR', transactionId: 't', type: 'purchase' })
  // @ts-expect-error amount is required
  nexo.payment({ poiId: 'P1', currency: 'EUR', transactionId: 't' })
  // @ts-expect-error not a transport
  createAdyenClient({ apiKey: 'k', environment: 'test', transport: 'cloud' })
  // @ts-expect-error the device API has the merchant account in every path
  createAdyenClient({ apiKey: 'k', environment: 'test', transport: 'device-api' })
  await adyen.payment(
    // @ts-expect-error a reversal message is not a payment message
    nexo.reversal({ poiId: 'P1', original: { TransactionID: 'x', TimeStamp: 'y' } }),
  )
  const cloud = createFakeCloud()
  // @ts-expect-error dropConnection takes afterMs, not ms
  cloud.faults.add({ kind: 'dropConnection', ms: 1 })
}

/**
 * The SmartConnect part of the demo: tillkit's fake SmartConnect cloud on a loopback HTTP server, driven through the
 * typed client as a till would drive Smartpay's cloud. The register pairs with a terminal, then takes a purchase
 * whose status is followed live and whose receipt is printed, and a purchase the terminal is slow to answer.
 */
import { serve } from '@tillkit/simulator'
import {
  createSmartConnectClient,
  type SmartConnectClient,
  type TransactionOutcome,
} from '@tillkit/smartconnect'
import { createFakeCloud } from '@tillkit/smartconnect/mock'
import { paint, section, step, timeline } from './print.ts'

const DEVICE = 'VT000001'

/** SmartConnect terminals are in New Zealand and Australia: dollars and cents. */
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`

export async function smartconnectDemo() {
  // Fast terminals, so the demo runs in seconds; the client still polls no faster than every 2 s.
  const cloud = createFakeCloud({ stepMs: 500, delayedMs: 4_000 })
  const server = await serve(cloud.fetch)
  const smartpay = createSmartConnectClient({
    environment: 'dev',
    baseUrl: `${server.url}/POS`,
    register: {
      id: '3c9e7f2a-61d4-4b0e-9a85-d2f4c07e1b36',
      name: 'Front till',
      businessName: 'Corner Toys',
      vendorName: 'TillkitPOS',
    },
  })
  console.log(
    paint.bold('SmartConnect') + paint.dim(`  fake SmartConnect cloud on ${server.url}/POS`),
  )
  try {
    section(`Pairing the front till with terminal ${DEVICE}`)
    const code = cloud.terminals.get(DEVICE).pairingCode
    step(DEVICE, `shows pairing code ${paint.bold(code)}`)
    await smartpay.pair(code, { city: 'Wellington' })
    step('POS', `paired: ${cloud.terminals.get(DEVICE).registers.length} register on ${DEVICE}`)

    await purchase(smartpay, 1250, 'A card purchase')
    // 9 cents is the fake's "delayed" scenario: the terminal is slow to answer.
    await purchase(smartpay, 2409, 'A purchase the terminal is slow to answer')

    section('What reached the acquirer (the fake cloud ledger)')
    for (const entry of cloud.ledger)
      step(entry.deviceId, `${entry.kind.padEnd(10)} ${dollars(entry.amount)}  ${entry.result}`)
  } finally {
    await server.close()
  }
}

async function purchase(smartpay: SmartConnectClient, cents: number, title: string) {
  section(`${title}: ${dollars(cents)} on terminal ${DEVICE}`)
  const tick = timeline()
  const outcome = await smartpay.transact(
    'Card.Purchase',
    { AmountTotal: cents },
    {
      intervalMs: 2_000,
      onStarted: ({ transactionId }) => {
        // A real till stores the pending transaction (polling URL included) durably here.
        step('POS', `started ${transactionId.slice(0, 8)}…, polling every 2 s`)
      },
      onEvent: (event) =>
        tick(
          event.type === 'status'
            ? `status: ${event.status}`
            : `${event.reason}, next poll in ${event.delayMs / 1000} s`,
        ),
    },
  )
  printOutcome(outcome)
}

function printOutcome(outcome: TransactionOutcome) {
  const ok = outcome.status === 'approved'
  const status = ok ? paint.green(outcome.status) : paint.yellow(outcome.status)
  const card = outcome.cardType ? `${outcome.cardType} ${outcome.cardPan ?? ''}` : ''
  console.log(
    `  ${paint.bold('result')} ${status} ${dollars(outcome.amountTotal ?? 0)} ${card}` +
      (outcome.authId ? `, auth ${outcome.authId}` : ''),
  )
  if (!outcome.receipt) return
  console.log(paint.dim('  ┌ receipt'))
  for (const line of outcome.receipt.trimEnd().split('\n')) console.log(paint.dim(`  │ ${line}`))
  console.log(paint.dim('  └'))
}

/**
 * `pnpm demo`: real payments against tillkit's fake Paymentsense Connect cloud, served on a loopback HTTP server,
 * driven through the typed client exactly as a POS would drive the real cloud. Terminal progress prints as it
 * arrives.
 */
import { serve } from '@tillkit/simulator'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import {
  createPaymentsenseClient,
  type PacComponents,
  type PaymentsenseClient,
} from '@tillkit/paymentsense'
import { waitForTransaction } from '@tillkit/paymentsense/watch'
import { paint, pounds, section, step, timeline } from './print.ts'
import { adyenDemo } from './adyen.ts'
import { orchestratorDemo } from './orchestrator.ts'
import { payrocDemo } from './payroc.ts'
import { smartconnectDemo } from './smartconnect.ts'
import { websocketFlows } from './websocket.ts'

type Transaction = PacComponents['schemas']['Transaction']

const TID = '22160001'

async function main() {
  const cloud = createFakeCloud({ stepMs: 250, apiKeys: ['demo-api-key'] })
  const server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
  const connect = createPaymentsenseClient({
    account: 'demo',
    environment: 'test',
    baseUrl: server.url,
    apiKey: 'demo-api-key',
    softwareHouseId: 'TILLKIT-DEMO',
    installerId: 'DEMO-INSTALLER',
  })
  console.log(
    paint.bold('tillkit demo') + paint.dim(`  fake Paymentsense Connect cloud on ${server.url}`),
  )

  try {
    await terminals(connect)
    await sale(connect, 1250, 'A chip & PIN sale')
    await sale(connect, 803, 'A sale that needs a signature check', async (n, requestId) => {
      if (n !== 'SIGNATURE_VERIFICATION') return
      step('POS', 'signature looks right: accepting it')
      connect.transport.ok(
        await connect.pac.PUT('/pac/terminals/{tid}/transactions/{requestId}/signature', {
          params: { path: { tid: TID, requestId } },
          body: { accepted: true },
        }),
      )
    })
    // 20.09 is the fake's slow-card scenario: the customer takes 20 s to find their card.
    await sale(connect, 2009, 'A sale cancelled from the POS', async (n, requestId) => {
      if (n !== 'PRESENT_CARD' && n !== 'INSERT_CARD') return
      step('POS', 'customer changed their mind: cancelling')
      connect.transport.ok(
        await connect.pac.DELETE('/pac/terminals/{tid}/transactions/{requestId}', {
          params: { path: { tid: TID, requestId } },
        }),
      )
    })
    await payAtTable(connect, cloud)
    await websocketFlows(cloud, server.url, 'demo-api-key')
    section('What reached the acquirer (the fake cloud ledger)')
    for (const entry of cloud.ledger)
      step(entry.tid, `${entry.kind.padEnd(14)} ${pounds(entry.amount)}  ${entry.result}`)
  } finally {
    await server.close()
  }
}

async function terminals(connect: PaymentsenseClient) {
  section('Terminals connected to the account')
  const { terminals } = connect.transport.ok(await connect.pac.GET('/pac/terminals'))
  for (const t of terminals.slice(0, 4)) step(t.tid, `${t.status} ${t.currency}`)
  if (terminals.length > 4) step('…', `and ${terminals.length - 4} more`)
}

/** Starts a sale and follows it to the end; `react` is the POS acting on a notification. */
async function sale(
  connect: PaymentsenseClient,
  amount: number,
  title: string,
  react?: (notification: string, requestId: string) => Promise<void>,
) {
  section(`${title}: ${pounds(amount)} on terminal ${TID}`)
  const { requestId } = connect.transport.ok(
    await connect.pac.POST('/pac/terminals/{tid}/transactions', {
      params: { path: { tid: TID } },
      body: { transactionType: 'SALE', amount, currency: 'GBP' },
    }),
  )
  const tick = timeline()
  const result = await waitForTransaction(connect, TID, requestId, {
    intervalMs: 500,
    async onNotification(n) {
      tick(n)
      await react?.(n, requestId)
    },
  })
  printResult(result)
}

async function payAtTable(connect: PaymentsenseClient, cloud: ReturnType<typeof createFakeCloud>) {
  section('Pay at table: table 12')
  const { pat, transport } = connect
  const table = { params: { path: { tableName: '12' } } }
  transport.ok(
    await pat.PUT('/pat/tables', { body: { tableName: '12', amount: 5640, currency: 'GBP' } }),
  )
  step('POS', `opened table 12 for ${pounds(5640)}`)

  const paid = cloud.tables.pay('12', { amount: 3000, tid: TID })
  step(TID, `guest pays ${pounds(3000)} at the table (${paid.result ?? 'done'})`)

  let current = transport.ok(await pat.GET('/pat/tables/{tableName}', table))
  step(
    'POS',
    `table 12: ${pounds(current.amount)} of which ${pounds(current.amountPaid ?? 0)} paid`,
  )

  const stale = await pat.PUT('/pat/tables/{tableName}/amount', {
    ...table,
    body: { lastKnownAmount: 5640, lastKnownPaidAmount: 0, newAmount: 6290 },
  })
  step(
    'POS',
    `adding a dessert from a stale view is refused: ${stale.response.status} ${stale.error?.userMessage ?? ''}`,
  )
  transport.ok(
    await pat.PUT('/pat/tables/{tableName}/amount', {
      ...table,
      body: {
        lastKnownAmount: current.amount,
        lastKnownPaidAmount: current.amountPaid ?? 0,
        newAmount: 6290,
      },
    }),
  )
  step('POS', `dessert added: bill is now ${pounds(6290)}`)

  cloud.tables.pay('12', { amount: 3290, tid: TID })
  current = transport.ok(await pat.GET('/pat/tables/{tableName}', table))
  step(
    TID,
    `second guest pays ${pounds(3290)}; paid ${pounds(current.amountPaid ?? 0)} of ${pounds(current.amount)}`,
  )
  transport.ok(
    await pat.DELETE('/pat/tables/{tableName}', {
      ...table,
      body: { lastKnownAmount: current.amount, lastKnownPaidAmount: current.amountPaid ?? 0 },
    }),
  )
  step('POS', 'table 12 settled and closed')
}

function printResult(t: Transaction) {
  const ok = t.transactionResult === 'SUCCESSFUL'
  const outcome = t.transactionResult ?? '?'
  const result = ok ? paint.green(outcome) : paint.yellow(outcome)
  const card = t.cardSchemeName
    ? `${t.cardSchemeName} ····${t.primaryAccountNumber?.slice(-4) ?? ''}`
    : ''
  console.log(`  ${paint.bold('result')} ${result} ${pounds(t.amountTotal ?? 0)} ${card}`)
  if (t.authCode)
    console.log(
      `  auth code ${t.authCode}, ${t.paymentMethod}, verified by ${t.cardHolderVerificationMethod}`,
    )
  const receipt = t.receiptLines?.CUSTOMER ?? []
  if (receipt.length) {
    console.log(paint.dim('  ┌ customer receipt'))
    for (const line of receipt) if (line.value) console.log(paint.dim(`  │ ${line.value}`))
    console.log(paint.dim('  └'))
  }
}

/**
 * Paymentsense first (REST, then WebSocket), then every other provider against its own fake, then
 * one sale per provider through the orchestrator and a crash recovered from its journal.
 */
async function all() {
  await main()
  await adyenDemo()
  await payrocDemo()
  await smartconnectDemo()
  await orchestratorDemo()
}

all().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})

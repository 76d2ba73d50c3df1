/**
 * The WebSocket half of the demo: the same fake cloud, reached over a real loopback `ws` connection
 * with tillkit's JSON-RPC client. Pay at counter with live notifications and a signature decision,
 * then pay at table, where the terminal asks the POS for tables, a lock and the bill.
 */
import type { createFakeCloud } from '@tillkit/paymentsense/mock'
import { connectPaymentsense, type ConnectOptions } from '@tillkit/paymentsense/ws'
import { WebSocket } from 'ws'
import { paint, pounds, section, step, timeline } from './print.ts'

type Cloud = ReturnType<typeof createFakeCloud>

const TID = '22160001'

export async function websocketFlows(cloud: Cloud, httpUrl: string, apiKey: string) {
  const options = {
    baseUrl: httpUrl.replace(/^http/, 'ws'),
    apiKey,
    softwareHouseId: 'TILLKIT-DEMO',
    installerId: 'DEMO-INSTALLER',
    // Node 20 has no global WebSocket; browsers and Node 22+ need no option.
    WebSocket,
  } satisfies Partial<ConnectOptions<'pac'>>
  await counterSale(options)
  await tableVisit(cloud, options)
}

type Common = Pick<
  ConnectOptions<'pac'>,
  'baseUrl' | 'apiKey' | 'softwareHouseId' | 'installerId' | 'WebSocket'
>

async function counterSale(options: Common) {
  const amount = 803 // the fake's signature scenario
  section(`WebSocket pay at counter: a signature sale, ${pounds(amount)} on terminal ${TID}`)
  const connection = await connectPaymentsense({ ...options, integration: 'pac' })
  step('POS', `connected to ${connection.url}`)
  const tick = timeline()
  connection.on('terminalNotification', ({ notificationValue }) => tick(notificationValue))
  connection.handle('signatureVerificationRequest', ({ primaryAccountNumber, timeout }) => {
    step(
      'POS',
      `signature check for card ${primaryAccountNumber} (${timeout} s to answer): accepted`,
    )
    return { accepted: true }
  })
  try {
    const payment = await connection.request('sale', { tid: TID, currency: 'GBP', amount })
    const ok = payment.transactionResult === 'SUCCESSFUL'
    const outcome = ok
      ? paint.green(payment.transactionResult)
      : paint.yellow(payment.transactionResult)
    console.log(
      `  ${paint.bold('result')} ${outcome} ${pounds(payment.amountTotal)} ${payment.cardSchemeName}` +
        ` ····${payment.primaryAccountNumber.slice(-4)}, auth code ${payment.authCode}`,
    )
  } finally {
    await connection.close()
  }
}

async function tableVisit(cloud: Cloud, options: Common) {
  section('WebSocket pay at table: a guest pays table 7 at the terminal')
  const table = {
    tableName: '7',
    amount: 4_250,
    amountPaid: 0,
    currency: 'GBP' as const,
    locked: false,
  }
  const connection = await connectPaymentsense({
    ...options,
    integration: 'pat',
    finalPosReceiptRequest: true,
  })
  connection.handle('tableListRequest', ({ tid }) => {
    step(tid, 'waiter asks for the open tables')
    return { tables: [{ ...table }] }
  })
  connection.handle('tableLockRequest', ({ tableName }) => {
    step('POS', `locking table ${tableName} so the bill cannot change`)
    table.locked = true
    return { locked: true, table: { ...table } }
  })
  connection.handle('posReceiptRequest', ({ tableName }) => {
    step('POS', `printing the bill for table ${tableName} on the terminal`)
    return {
      receiptLines: [
        { value: `TABLE ${tableName}`, format: ['BOLD'] },
        { value: '2 x Risotto      GBP 28.00' },
        { value: '1 x Tiramisu     GBP  6.50' },
        { value: '1 x Wine         GBP  8.00' },
      ],
    }
  })
  connection.handle('finalPosReceiptRequest', ({ tableName }) => {
    step('POS', `final receipt for table ${tableName}`)
    return { receiptLines: [{ value: 'PAID IN FULL - THANK YOU' }] }
  })
  connection.on('transactionResponse', (payment) => {
    table.amountPaid += payment.transactionResult === 'SUCCESSFUL' ? payment.amountBase : 0
    step(
      payment.tid,
      `${payment.transactionResult} ${pounds(payment.amountTotal)} on table ${payment.tableName}` +
        ` (auth code ${payment.authCode}); ${pounds(table.amount - table.amountPaid)} left to pay`,
    )
  })
  const released = new Promise<void>((resolve) =>
    connection.on('tableUnlock', ({ tableName }) => {
      table.locked = false
      step('POS', `table ${tableName} released`)
      resolve()
    }),
  )
  try {
    const visit = await cloud.tables.visit(TID, { tableName: '7' })
    // The terminal's unlock comes last, after the visit's outcome is known.
    if (visit.status === 'paid') await released
    step(TID, `visit ended: ${visit.status}`)
  } finally {
    await connection.close()
  }
}

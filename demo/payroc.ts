/**
 * The Payroc part of the demo: tillkit's fake Payroc gateway on a loopback HTTP server, driven through the typed
 * client as a POS would drive Payroc Cloud. Each long-poll read prints as it returns, then the payment's result; then
 * a partial approval, a cancel from the POS, and a submit whose answer is lost and replayed by its idempotency key.
 */
import { serve } from '@tillkit/simulator'
import {
  approvalOf,
  cancelInstruction,
  createPayrocClient,
  listDevices,
  retrieveResult,
  submitInstruction,
  waitForInstruction,
  type PayrocClient,
  type PayrocComponents,
} from '@tillkit/payroc'
import { createFakeCloud } from '@tillkit/payroc/mock'
import { paint, section, step, timeline } from './print.ts'

type Payment = PayrocComponents['schemas']['RetrievedPayment']
/** Where the client's fetch reports each instruction read's status, while a flow listens. */
type Reads = { on?: (status: string) => void }

const DEVICE = 'PAXA920-0001'
const TERMINAL = '1234001'
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`
const INSTRUCTION_READ = /\/payment-instructions\/[^/]+$/

export async function payrocDemo() {
  // Payroc holds a read up to 60 s; the fake holds 1 s here so that every read shows. The customer takes 2 s to
  // present the card and the acquirer 1 s to answer.
  const cloud = createFakeCloud({
    apiKeys: ['demo-api-key'],
    holdMs: 1_000,
    timings: { cardMs: 2_000, authMs: 1_000, slowCardMs: 20_000 },
  })
  const server = await serve(cloud.fetch)
  // Every instruction read is reported here as it comes back: what long-poll looks like from the POS.
  const reads: Reads = {}
  const payroc = createPayrocClient({
    apiKey: 'demo-api-key',
    environment: 'test',
    baseUrl: `${server.url}/v1`,
    identityUrl: server.url,
    fetch: async (request) => {
      const response = await fetch(request)
      if (request.method === 'GET' && INSTRUCTION_READ.test(new URL(request.url).pathname))
        reads.on?.((await response.clone().json()).status)
      return response
    },
  })
  console.log(
    `\n${paint.bold('Payroc Cloud')}${paint.dim(`  fake Payroc gateway on ${server.url}`)}`,
  )
  try {
    await devices(payroc)
    printPayment(await sale(payroc, reads, 4999, 'A sale'))
    printPayment(await sale(payroc, reads, 3002, 'A partial approval', true))
    await cancelled(payroc)
    await lostAnswer(payroc, cloud)
    section('What reached the acquirer (the fake gateway ledger)')
    for (const entry of cloud.ledger)
      step(
        entry.serialNumber ?? entry.processingTerminalId,
        `${entry.kind.padEnd(8)} ${dollars(entry.authorizedAmount)} of ${dollars(entry.amount)}  ${entry.result}`,
      )
  } finally {
    await server.close()
  }
}

async function devices(payroc: PayrocClient) {
  section('Payroc: the account’s devices (cursor pages walked by listDevices)')
  const all = []
  for await (const device of listDevices(payroc, { limit: 5 })) all.push(device)
  for (const d of all.slice(0, 3))
    step(
      d.serialNumber,
      `${d.deviceType?.model ?? '?'}${d.deactivatedDate ? ' (deactivated)' : ''}`,
    )
  step('…', `${all.length} devices in all, fetched 5 per page`)
}

/** Submits a sale and prints each long-poll read as it returns; resolves with the payment. */
async function sale(
  payroc: PayrocClient,
  reads: Reads,
  amount: number,
  title: string,
  acceptPartialAmount = false,
): Promise<Payment> {
  section(`Payroc: ${title}, ${dollars(amount)} on device ${DEVICE}`)
  const submitted = await submitInstruction(payroc, 'payment', DEVICE, {
    processingTerminalId: TERMINAL,
    order: {
      orderId: `DEMO-${amount}`,
      amount,
      currency: 'USD',
      ...(acceptPartialAmount && { acceptPartialAmount }),
    },
  })
  step('POS', `instruction accepted: ${submitted.instruction.status}`)
  step('POS', paint.dim(`Idempotency-Key ${submitted.idempotencyKey}`))
  const tick = timeline()
  reads.on = (status) => tick(`read returned: ${status}`)
  const done = await waitForInstruction(payroc, 'payment', submitted.id)
  delete reads.on
  return retrieveResult(payroc, 'payment', done)
}

function printPayment(payment: Payment) {
  const approval = approvalOf(payment)
  const verdict = approval.approved
    ? paint.green(approval.partial ? 'PARTLY APPROVED' : 'APPROVED')
    : paint.yellow('NOT APPROVED')
  const { authorizedAmount, outstandingAmount } = approval
  const amount = authorizedAmount === undefined ? 'amount not given' : dollars(authorizedAmount)
  console.log(
    `  ${paint.bold('result')} ${verdict} ${amount} (code ${approval.responseCode}, ${approval.status})`,
  )
  const { card } = payment
  step('payment', `${payment.paymentId}: ${card.type} ${card.cardNumber} ${card.entryMethod ?? ''}`)
  if (approval.partial)
    step(
      'POS',
      outstandingAmount === undefined
        ? 'partly paid: ask the acquirer how much, take the rest another way'
        : `still to pay: ${dollars(outstandingAmount)}, take it another way`,
    )
}

async function cancelled(payroc: PayrocClient) {
  const amount = 2006 // the fake's slow customer
  section(`Payroc: a sale cancelled from the POS, ${dollars(amount)} on device ${DEVICE}`)
  const { id } = await submitInstruction(payroc, 'payment', DEVICE, {
    processingTerminalId: TERMINAL,
    order: { orderId: 'DEMO-CANCEL', amount, currency: 'USD' },
  })
  const waiting = waitForInstruction(payroc, 'payment', id)
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  step('POS', 'customer changed their mind: cancelling')
  const result = await cancelInstruction(payroc, 'payment', id)
  step('POS', result.canceled ? 'cancelled' : `too late: ${result.instruction.status}`)
  step('POS', `the waiting read ends: ${(await waiting).status}`)
}

async function lostAnswer(payroc: PayrocClient, cloud: ReturnType<typeof createFakeCloud>) {
  section('Payroc: the answer to a submit is lost on the way back')
  cloud.faults.add({
    kind: 'lostResponse',
    match: { method: 'POST', path: /instructions$/ },
    times: 1,
  })
  const { id } = await submitInstruction(payroc, 'payment', DEVICE, {
    processingTerminalId: TERMINAL,
    order: { orderId: 'DEMO-LOST', amount: 1250, currency: 'USD' },
  })
  for (const r of cloud.requests.filter((r) => r.path.endsWith('/payment-instructions')).slice(-2))
    step(
      'gateway',
      `POST ${r.status ?? 'answer lost'}${r.replayed ? ', same key again: the original answer' : ''}`,
    )
  const done = await waitForInstruction(payroc, 'payment', id)
  printPayment(await retrieveResult(payroc, 'payment', done))
}

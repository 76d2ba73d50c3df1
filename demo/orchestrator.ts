/**
 * The orchestrator part of the demo: one payment API over all four providers. Each provider's fake cloud runs on
 * its own loopback HTTP server, on the system clock with short terminal steps, and one orchestrator drives a sale on
 * each (Paymentsense twice: REST and WebSocket), printing every event as it is delivered (the shared vocabulary,
 * with the provider's own value beside it), and a bill paid at the table by two guests. Then a till crash: a payment is started, the orchestrator holding it is dropped half-way, and a new one on the same
 * journal file recovers it, delivering only the events not seen yet and the outcome. The fakes' ledgers close it:
 * one charge per payment.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { serve, type RunningServer, type ServeOptions } from '@tillkit/simulator'
import { createSmartConnectClient, type RegisterOptions } from '@tillkit/smartconnect'
import { createFakeCloud as createPaymentsenseCloud } from '@tillkit/paymentsense/mock'
import { createFakeCloud as createAdyenCloud } from '@tillkit/adyen/mock'
import { createFakeCloud as createPayrocCloud } from '@tillkit/payroc/mock'
import { createFakeCloud as createSmartConnectCloud } from '@tillkit/smartconnect/mock'
import {
  createOrchestrator,
  type Outcome,
  type Payment,
  type PaymentEvent,
} from '@tillkit/orchestrator'
import { createFileJournal } from '@tillkit/orchestrator/node'
import { adyenAdapter } from '@tillkit/orchestrator/adyen'
import {
  paymentsenseAdapter,
  paymentsenseWebSocketAdapter,
} from '@tillkit/orchestrator/paymentsense'
import { payrocAdapter } from '@tillkit/orchestrator/payroc'
import { smartconnectAdapter } from '@tillkit/orchestrator/smartconnect'
import { paint, section, step, timeline } from './print.ts'

const PS_TID = '22160001'
const POI = 'P400Plus-100000001'
const DEVICE = 'PAXA920-0001'
const SC_TERMINAL = 'VT000001'
const API_KEY = 'demo-api-key'
const REGISTER: RegisterOptions = {
  id: '5b0f3c1e-8d2a-4c6f-9e71-3a4d2b8c9f10',
  name: 'Front till',
  businessName: 'Corner Toys',
  vendorName: 'TillkitPOS',
}

const SYMBOL: Record<string, string> = { GBP: '£', EUR: '€', USD: '$', NZD: '$' }
const money = (minor: number, currency: string) =>
  `${SYMBOL[currency] ?? `${currency} `}${(minor / 100).toFixed(2)}`

type Clouds = {
  paymentsense: ReturnType<typeof createPaymentsenseCloud>
  adyen: ReturnType<typeof createAdyenCloud>
  payroc: ReturnType<typeof createPayrocCloud>
  smartconnect: ReturnType<typeof createSmartConnectCloud>
}

/** What each adapter needs to reach its fake; a fresh set of adapters per orchestrator, as per process. */
interface Wiring {
  urls: { paymentsense: string; adyen: string; payroc: string; smartconnect: string }
  /** Adyen pushes display notifications to one webhook URL: it hands them to every live Adyen adapter. */
  adyenListeners: Set<(body: string) => void>
}

function makeAccounts(wiring: Wiring) {
  const { urls } = wiring
  const adyen = adyenAdapter({
    apiKey: API_KEY,
    environment: 'test',
    transport: 'device-api',
    merchantAccount: 'TillkitShop',
    saleId: 'demo-till',
    baseUrl: `${urls.adyen}/v1`,
  })
  const listener = (body: string) => void adyen.receive(body)
  wiring.adyenListeners.add(listener)
  const accounts = {
    'ps-shop': paymentsenseAdapter({
      account: 'demo',
      environment: 'test',
      baseUrl: urls.paymentsense,
      apiKey: API_KEY,
      softwareHouseId: 'TILLKIT-DEMO',
      installerId: 'DEMO-INSTALLER',
      cadenceMs: 500,
      tableCadenceMs: 1_000,
    }),
    // The same Connect account over its WebSocket API (Node 20 has no global WebSocket: `ws`'s).
    'ps-ws': paymentsenseWebSocketAdapter({
      account: 'demo',
      environment: 'test',
      baseUrl: urls.paymentsense.replace(/^http/, 'ws'),
      apiKey: API_KEY,
      softwareHouseId: 'TILLKIT-DEMO',
      installerId: 'DEMO-INSTALLER',
      WebSocket,
    }),
    'adyen-shop': adyen,
    'payroc-till': payrocAdapter({
      apiKey: API_KEY,
      environment: 'test',
      baseUrl: `${urls.payroc}/v1`,
      identityUrl: urls.payroc,
      processingTerminalId: '1234001',
      cadenceMs: 0,
    }),
    'sc-store': smartconnectAdapter({
      environment: 'dev',
      baseUrl: `${urls.smartconnect}/POS`,
      currency: 'NZD',
      terminals: [{ terminal: SC_TERMINAL, register: REGISTER }],
      cadenceMs: 2_000,
    }),
  }
  return { accounts, forget: () => wiring.adyenListeners.delete(listener) }
}

export async function orchestratorDemo(): Promise<void> {
  const clouds: Clouds = {
    paymentsense: createPaymentsenseCloud({ stepMs: 250, apiKeys: [API_KEY] }),
    adyen: createAdyenCloud({ stepMs: 300, apiKeys: [API_KEY] }),
    payroc: createPayrocCloud({
      apiKeys: [API_KEY],
      holdMs: 1_000,
      timings: { cardMs: 900, authMs: 600 },
    }),
    smartconnect: createSmartConnectCloud({ stepMs: 600 }),
  }
  const servers: RunningServer[] = []
  const dir = await mkdtemp(join(tmpdir(), 'tillkit-demo-'))
  const stops: Array<() => Promise<void>> = []
  try {
    const start = async (
      handler: (request: Request) => Promise<Response>,
      options?: ServeOptions,
    ) => {
      const server = await serve(handler, options)
      servers.push(server)
      return server.url
    }
    const wiring: Wiring = {
      urls: {
        paymentsense: await start(clouds.paymentsense.fetch, {
          sockets: clouds.paymentsense.acceptSocket,
        }),
        adyen: await start(clouds.adyen.fetch),
        payroc: await start(clouds.payroc.fetch),
        smartconnect: await start(clouds.smartconnect.fetch),
      },
      adyenListeners: new Set(),
    }
    // The POS's webhook endpoint for Adyen's display notifications, on loopback like the clouds.
    const webhooks = await start(async (request) => {
      const body = await request.text()
      for (const listener of wiring.adyenListeners) listener(body)
      return new Response('[accepted]')
    })
    clouds.adyen.notifications.register(`${webhooks}/adyen/notifications`)

    console.log(
      `\n${paint.bold('Orchestrator')}${paint.dim('  one payment API over four fake clouds on loopback')}`,
    )
    section(`Pairing the front till with SmartConnect terminal ${SC_TERMINAL}`)
    const till = createSmartConnectClient({
      environment: 'dev',
      baseUrl: `${wiring.urls.smartconnect}/POS`,
      register: REGISTER,
    })
    await till.pair(clouds.smartconnect.terminals.get(SC_TERMINAL).pairingCode)
    step('POS', 'paired (SmartConnect routes payments by pairing, the other providers by id)')

    const made = makeAccounts(wiring)
    const orchestrator = createOrchestrator({ accounts: made.accounts, spacingMarginMs: 20 })
    stops.push(async () => {
      await orchestrator.close()
      made.forget()
    })

    section('Terminals of every account, through one call')
    for (const t of await orchestrator.terminals()) {
      if (![PS_TID, POI, DEVICE, SC_TERMINAL].includes(t.terminal)) continue
      step(
        t.provider,
        `${t.terminal} ${t.status}${t.currencies ? ' ' + t.currencies.join('/') : ''} ` +
          paint.dim(`(account ${t.account})`),
      )
    }

    const sales = [
      {
        provider: 'Paymentsense',
        account: 'ps-shop',
        terminal: PS_TID,
        amount: 1250,
        currency: 'GBP',
      },
      {
        provider: 'Paymentsense over WebSocket',
        account: 'ps-ws',
        terminal: PS_TID,
        amount: 1575,
        currency: 'GBP',
      },
      { provider: 'Adyen', account: 'adyen-shop', terminal: POI, amount: 2450, currency: 'EUR' },
      {
        provider: 'Payroc',
        account: 'payroc-till',
        terminal: DEVICE,
        amount: 4999,
        currency: 'USD',
      },
      {
        provider: 'SmartConnect',
        account: 'sc-store',
        terminal: SC_TERMINAL,
        amount: 1850,
        currency: 'NZD',
      },
    ]
    for (const s of sales) {
      section(`${s.provider}: a sale of ${money(s.amount, s.currency)} on ${s.terminal}`)
      const payment = await orchestrator.sale({
        account: s.account,
        terminal: s.terminal,
        amount: s.amount,
        currency: s.currency,
        reference: `order-${s.provider.toLowerCase()}-${s.amount}`,
      })
      printOutcome(await follow(payment))
    }
    await payAtTable(orchestrator, clouds.paymentsense)
    await stops.pop()!()

    await crashAndRecover(wiring, join(dir, 'journal.jsonl'), stops)

    section('What reached the acquirers (each fake cloud’s ledger)')
    for (const e of clouds.paymentsense.ledger) {
      const tip = e.amountGratuity ? ` + ${money(e.amountGratuity, e.currency)} tip` : ''
      step('Paymentsense', `${e.tid} ${e.kind} ${money(e.amount, e.currency)}${tip} ${e.result}`)
    }
    for (const e of clouds.adyen.ledger)
      step('Adyen', `${e.poiId} ${e.kind} ${money(e.amount, e.currency)} ${e.result}`)
    for (const e of clouds.payroc.ledger)
      step(
        'Payroc',
        `${e.serialNumber ?? e.processingTerminalId} ${e.kind} ${money(e.authorizedAmount, e.currency)} ${e.result}`,
      )
    for (const e of clouds.smartconnect.ledger)
      step('SmartConnect', `${e.deviceId} ${e.kind} ${money(e.amount, 'NZD')} ${e.result}`)
    const charges =
      clouds.paymentsense.ledger.length +
      clouds.adyen.ledger.length +
      clouds.payroc.ledger.length +
      clouds.smartconnect.ledger.length
    // The sales, the two guests at table 12, and the recovered sale.
    const payments = sales.length + TABLE_SHARES.length + 1
    step(
      'check',
      charges === payments
        ? paint.green(`${payments} payments, ${charges} charges: one each, none twice, none lost`)
        : paint.yellow(`${payments} payments but ${charges} ledger entries`),
    )
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    for (const server of servers) await server.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * A payment on Paymentsense whose orchestrator goes away after two events (the till crashes), then a new
 * orchestrator on the same journal file picks it up: it polls the saved requestId, never starting it again.
 */
async function crashAndRecover(wiring: Wiring, path: string, stops: Array<() => Promise<void>>) {
  const amount = 3550
  section(
    `A till crash: a sale of ${money(amount, 'GBP')} on ${PS_TID}, dropped half-way and recovered`,
  )
  step('POS', paint.dim(`journal file ${path}`))
  const journal = await createFileJournal(path)
  const first = makeAccounts(wiring)
  const orchestrator = createOrchestrator({
    accounts: first.accounts,
    journal,
    spacingMarginMs: 20,
  })
  stops.push(async () => {
    await orchestrator.close()
    first.forget()
    await journal.close?.()
  })
  const payment = await orchestrator.sale({
    account: 'ps-shop',
    terminal: PS_TID,
    amount,
    currency: 'GBP',
    reference: 'order-crash-3550',
  })
  const tick = timeline()
  let seen = 0
  for await (const event of payment) {
    tick(describe(event))
    if (++seen === 2) break
  }
  const lost = payment.outcome.then(
    () => 'resolved',
    (error: unknown) => (error instanceof Error ? error.name : String(error)),
  )
  await stops.pop()!()
  step('POS', paint.yellow('the till goes down: the orchestrator is closed, nothing more is sent'))
  step('POS', paint.dim(`the old process's outcome promise: ${await lost}`))
  // The terminal carries on without the till.
  await new Promise((resolve) => setTimeout(resolve, 1_200))

  const reopened = await createFileJournal(path)
  const second = makeAccounts(wiring)
  const restarted = createOrchestrator({
    accounts: second.accounts,
    journal: reopened,
    spacingMarginMs: 20,
  })
  stops.push(async () => {
    await restarted.close()
    second.forget()
    await reopened.close?.()
  })
  for (const entry of await reopened.unfinished())
    step(
      'journal',
      `unfinished ${entry.provider} ${entry.request.kind} ${money(entry.request.amount ?? 0, entry.request.currency)}, ` +
        `requestId ${entry.ids.requestId ?? '?'}, the POS took events up to #${entry.cursor.delivered}`,
    )
  step('POS', 'the till is back: a new orchestrator on the same journal calls recover()')
  const recovered = await restarted.recover()
  for (const p of recovered) {
    step('POS', `resumed ${p.provider} payment ${p.id.slice(0, 8)}… (recovered: ${p.recovered})`)
    printOutcome(await follow(p, tick))
  }
  await stops.pop()!()
}

/** Prints each event live (answering a signature check, should one come) and resolves with the outcome. */
/**
 * Pay at table: the POS opens a bill as a Connect table; two guests pay their shares on a terminal at
 * the table (the fake plays them); the orchestrator reads the table every second and reports each
 * payment once, then the POS closes the paid table.
 */
const TABLE_SHARES = [
  { afterMs: 1_200, payment: { amount: 3_000, amountGratuity: 300 } },
  { afterMs: 2_600, payment: { amount: 2_000 } },
]

async function payAtTable(
  orchestrator: ReturnType<typeof createOrchestrator>,
  cloud: Clouds['paymentsense'],
) {
  section(
    `Paymentsense pay at table: table 12, a bill of ${money(5_000, 'GBP')} split by two guests`,
  )
  const tick = timeline()
  const table = await orchestrator.openTable({
    account: 'ps-shop',
    table: '12',
    amount: 5_000,
    currency: 'GBP',
    reference: 'bill-12',
    receipt: ['2 x soup', '1 x risotto', '1 x wine'],
  })
  tick('table 12 is open at Connect')
  // The guests, at the terminal: the first pays 30.00 with a 3.00 tip, the second the rest.
  for (const share of TABLE_SHARES)
    setTimeout(() => cloud.tables.pay('12', share.payment), share.afterMs)
  for await (const event of table) {
    if (event.type === 'tablePayment') {
      const { paymentId, amount, gratuity, authCode } = event.payment
      const tip = gratuity ? ` + ${money(gratuity, 'GBP')} tip` : ''
      tick(`payment ${paymentId.slice(0, 8)}: ${money(amount, 'GBP')}${tip}, auth ${authCode}`)
    } else if (event.type === 'paid') {
      tick(`paid: ${money(event.amountPaid, 'GBP')} of ${money(event.amount, 'GBP')}; closing it`)
      await table.close()
    } else if (event.type === 'closed') tick('table 12 closed')
    else tick(event.type)
  }
}

async function follow(payment: Payment, tick = timeline()): Promise<Outcome> {
  for await (const event of payment) {
    tick(describe(event))
    if (event.type === 'signatureRequired') {
      step('POS', 'signature looks right: accepting it')
      await event.accept()
    }
  }
  return payment.outcome
}

function describe(event: PaymentEvent): string {
  const raw = typeof event.raw === 'string' ? event.raw : JSON.stringify(event.raw)
  const shown = raw && raw.length > 60 ? `${raw.slice(0, 57)}…` : raw
  return `${paint.dim(`#${event.seq}`.padEnd(4))} ${event.type.padEnd(17)} ${paint.dim(shown ?? '')}`
}

function printOutcome(outcome: Outcome) {
  const colour = outcome.status === 'approved' ? paint.green : paint.yellow
  const amount = outcome.amounts.total ?? outcome.amounts.approved ?? outcome.amounts.requested ?? 0
  const card = [outcome.cardScheme, outcome.maskedPan].filter(Boolean).join(' ')
  console.log(
    `  ${paint.bold('outcome')} ${colour(outcome.status)} ${money(amount, outcome.currency)}` +
      (card ? `  ${card}` : '') +
      (outcome.authCode ? `, auth ${outcome.authCode}` : '') +
      (outcome.reasonCode ? ` (${outcome.reasonCode})` : ''),
  )
  const how = [outcome.entryMethod, outcome.verification && `verified by ${outcome.verification}`]
  // The first two ids say where to find the payment at the provider (Adyen gives more).
  const ids = Object.entries(outcome.providerIds)
    .slice(0, 2)
    .map(([k, v]) => `${k} ${v.length > 24 ? v.slice(0, 23) + '…' : v}`)
    .join(', ')
  console.log(paint.dim(`  ${[...how, ids].filter(Boolean).join('; ')}`))
}

/**
 * The till process of `process-kill.test.ts`, run as a real child process
 * (`node --conditions=@tillkit/source --import tsx test/process-kill-child.ts`) and killed with SIGKILL
 * at a moment the test picks. It opens the file journal the test names, makes an orchestrator whose
 * adapters reach the fake clouds the test serves on loopback, starts the planned payments and takes
 * their events as a POS would (accepting every signature it is asked to judge).
 *
 * Everything the POS learns is reported to the test as one JSON line on stdout, written with
 * `writeSync`: the line is in the pipe before the POS does anything else with what it learnt, so
 * the test knows exactly what the POS had taken when the kill lands (nothing is buffered in this
 * process to die with it).
 *
 * The test imports `makeAccounts` from here, so the recovering process uses the same wiring.
 */
import { writeSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import type { RegisterOptions } from '@tillkit/smartconnect'
import {
  createOrchestrator,
  type Payment,
  type ProviderAdapter,
  type SignatureRequiredEvent,
} from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { paymentsenseAdapter } from '../src/paymentsense.js'
import { payrocAdapter } from '../src/payroc.js'
import { smartconnectAdapter } from '../src/smartconnect.js'

export const API_KEY = 'test-api-key'

export interface Wiring {
  urls: { paymentsense: string; payroc: string; smartconnect: string }
  /** SmartConnect terminal → the register paired with it (by the test, before the child starts). */
  registers: Record<string, RegisterOptions>
}

export interface PlannedPayment {
  /** The test's name for the payment (the POS's own reference too). */
  key: string
  account: 'ps' | 'payroc' | 'sc'
  terminal: string
  amount: number
  currency: string
  /** Real time after the child is ready at which the POS starts it. */
  delayMs: number
}

export interface ChildConfig {
  /** `run`: start the planned payments; `recover`: resume what the journal holds, start nothing. */
  mode: 'run' | 'recover'
  journal: string
  wiring: Wiring
  payments: PlannedPayment[]
}

/** What the child reports, one JSON line each. */
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'starting'; key: string }
  | { type: 'sale'; key: string; id: string }
  | { type: 'resumed'; ids: Array<{ key: string; id: string }> }
  | { type: 'saleError'; key: string; message: string }
  | { type: 'event'; key: string; id: string; seq: number; event: string; raw: unknown }
  | { type: 'outcome'; key: string; id: string; status: string; reasonCode?: string }
  | { type: 'outcomeError'; key: string; id: string; message: string }
  | { type: 'fatal'; message: string }

/** One adapter per provider account, all pointed at the served fakes (a fresh set per process). */
export function makeAccounts(wiring: Wiring): Record<string, ProviderAdapter> {
  const { urls, registers } = wiring
  return {
    ps: paymentsenseAdapter({
      account: 'acme',
      environment: 'test',
      baseUrl: urls.paymentsense,
      apiKey: API_KEY,
      softwareHouseId: 'SWH',
      installerId: 'INST',
      cadenceMs: 500,
    }),
    payroc: payrocAdapter({
      apiKey: API_KEY,
      environment: 'test',
      baseUrl: `${urls.payroc}/v1`,
      identityUrl: urls.payroc,
      processingTerminalId: '1234001',
      cadenceMs: 0,
    }),
    sc: smartconnectAdapter({
      environment: 'dev',
      baseUrl: `${urls.smartconnect}/POS`,
      currency: 'NZD',
      terminals: Object.entries(registers).map(([terminal, register]) => ({ terminal, register })),
      cadenceMs: 2_000,
    }),
  }
}

function report(message: ChildMessage): void {
  writeSync(1, JSON.stringify(message) + '\n')
}

async function main(config: ChildConfig): Promise<void> {
  const journal = await createFileJournal(config.journal)
  const till = createOrchestrator({
    accounts: makeAccounts(config.wiring),
    journal,
    spacingMarginMs: 20,
  })
  report({ type: 'ready', pid: process.pid })
  if (config.mode === 'recover') {
    const resumed = await till.recover()
    report({
      type: 'resumed',
      ids: resumed.map((p) => ({ key: p.request.reference, id: p.id })),
    })
    await Promise.all(resumed.map((payment) => take(payment, payment.request.reference)))
  } else await Promise.all(config.payments.map((planned) => run(planned)))
  // Stays up, as a till would, until the test kills it.
  setInterval(() => {}, 60_000)

  async function run(planned: PlannedPayment): Promise<void> {
    await new Promise((done) => setTimeout(done, planned.delayMs))
    report({ type: 'starting', key: planned.key })
    let payment
    try {
      payment = await till.sale({
        account: planned.account,
        terminal: planned.terminal,
        amount: planned.amount,
        currency: planned.currency,
        reference: planned.key,
      })
    } catch (error) {
      report({ type: 'saleError', key: planned.key, message: String(error) })
      return
    }
    report({ type: 'sale', key: planned.key, id: payment.id })
    await take(payment, planned.key)
  }

  /** The POS's loop over one payment's events, then its outcome. */
  async function take(payment: Payment, key: string): Promise<void> {
    const id = payment.id
    for await (const event of payment) {
      // First thing the POS does with an event it took: tell the test.
      report({
        type: 'event',
        key,
        id,
        seq: event.seq,
        event: event.type,
        raw: event.raw,
      })
      if (event.type === 'signatureRequired')
        await (event as SignatureRequiredEvent).accept().catch(() => false)
    }
    try {
      const outcome = await payment.outcome
      report({
        type: 'outcome',
        key,
        id,
        status: outcome.status,
        ...(outcome.reasonCode !== undefined && { reasonCode: outcome.reasonCode }),
      })
    } catch (error) {
      report({ type: 'outcomeError', key, id, message: String(error) })
    }
  }
}

const self = fileURLToPath(import.meta.url)
if (process.argv[1] && resolve(process.argv[1]) === self) {
  const config = JSON.parse(process.env.REVIEW_KILL_CONFIG ?? '{}') as ChildConfig
  main(config).catch((error: unknown) => {
    report({
      type: 'fatal',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    })
    process.exit(1)
  })
}

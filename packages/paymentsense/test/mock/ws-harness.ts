import { createManualClock } from '@tillkit/core'
import { afterEach, expect } from 'vitest'
import { validateErrorMessage } from '../../src/generated/websocket/error-message.validate.js'
import { validateCancelTransactionResponse } from '../../src/generated/websocket/pac/cancel-transaction-response.validate.js'
import { validateConnectedTerminalsResponse } from '../../src/generated/websocket/pac/connected-terminals-response.validate.js'
import { validateDuplicateResponse } from '../../src/generated/websocket/pac/duplicate-response.validate.js'
import { validatePerformTransactionResponse } from '../../src/generated/websocket/pac/perform-transaction-response.validate.js'
import { validateReportResponse } from '../../src/generated/websocket/pac/report-response.validate.js'
import { validateSignatureVerificationRequest } from '../../src/generated/websocket/pac/signature-verification-request.validate.js'
import { validateTerminalDetailsResponse } from '../../src/generated/websocket/pac/terminal-details-response.validate.js'
import { validateTerminalNotification } from '../../src/generated/websocket/pac/terminal-notification.validate.js'
import { validateFinalPosReceiptRequest } from '../../src/generated/websocket/pat/final-pos-receipt-request.validate.js'
import { validatePosReceiptRequest } from '../../src/generated/websocket/pat/pos-receipt-request.validate.js'
import { validateReportResponseNotification } from '../../src/generated/websocket/pat/report-response-notification.validate.js'
import { validateTableListRequest } from '../../src/generated/websocket/pat/table-list-request.validate.js'
import { validateTableLockRequest } from '../../src/generated/websocket/pat/table-lock-request.validate.js'
import { validateTableUnlockNotification } from '../../src/generated/websocket/pat/table-unlock-notification.validate.js'
import { validateTransactionResponseNotification } from '../../src/generated/websocket/pat/transaction-response-notification.validate.js'
import { tableControl } from '../../src/mock/control.js'
import { ConnectModel, type TerminalConfig } from '../../src/mock/domain/model.js'
import type { TableVisitOutcome, TableVisitRequest } from '../../src/mock/domain/visits.js'
import { createConnectSession } from '../../src/mock/ws/index.js'

/** A message as the EPoS reads it (tests index into it freely). */
export type Message = Record<string, any>

export const SETTINGS = {
  stepMs: 100,
  signatureTimeoutMs: 10_000,
  signatureTimeout: 'void' as const,
  retentionMs: 3_600_000,
}

/** T1 GBP, T2 EUR, T3 switched off. */
export const TERMINALS: TerminalConfig[] = [
  { tid: 'T1' },
  { tid: 'T2', currency: 'EUR' },
  { tid: 'T3', online: false },
]

type Check = ((data: unknown) => boolean) & { errors?: unknown }

/** The response validator for each method, to check every answer the fake sends. */
const RESPONSE_CHECK: Record<string, Check> = {
  connectedTerminals: validateConnectedTerminalsResponse,
  terminalDetails: validateTerminalDetailsResponse,
  sale: validatePerformTransactionResponse,
  refund: validatePerformTransactionResponse,
  preAuth: validatePerformTransactionResponse,
  completion: validatePerformTransactionResponse,
  accountVerification: validatePerformTransactionResponse,
  cancelTransaction: validateCancelTransactionResponse,
  duplicate: validateDuplicateResponse,
  report: validateReportResponse,
}

/** The validator of each request and notification Connect sends, by method, on each integration. */
const OUTBOUND_CHECK: Record<'pac' | 'pat', Record<string, Check>> = {
  pac: {
    terminalNotification: validateTerminalNotification,
    signatureVerificationRequest: validateSignatureVerificationRequest,
  },
  pat: {
    tableListRequest: validateTableListRequest,
    tableLockRequest: validateTableLockRequest,
    posReceiptRequest: validatePosReceiptRequest,
    finalPosReceiptRequest: validateFinalPosReceiptRequest,
    transactionResponse: validateTransactionResponseNotification,
    tableUnlock: validateTableUnlockNotification,
    reportResponse: validateReportResponseNotification,
  },
}

/** Which generated validator an outbound message must satisfy. */
function checkFor(
  message: Message,
  methods: Map<number, string>,
  integration: 'pac' | 'pat',
): Check | undefined {
  if ('error' in message) return validateErrorMessage
  if ('method' in message) return OUTBOUND_CHECK[integration][message.method]
  return RESPONSE_CHECK[methods.get(message.id) ?? '']
}

export interface HarnessOptions {
  terminals?: TerminalConfig[]
  signatureTimeoutMs?: number
  model?: ConnectModel
  /** Default `pac`. */
  integration?: 'pac' | 'pat'
  finalPosReceiptRequest?: boolean
  answerTimeoutMs?: number
}

/** Plays the EPoS on a pat connection: the answer to send to one of Connect's requests, if any. */
export type Epos = (request: Message) => unknown

/**
 * A session on a manual clock with an in-memory transport. Every message the fake sends is parsed,
 * time-stamped and checked against its generated schema; failures collect in `violations`.
 */
export function wsHarness(options: HarnessOptions = {}) {
  const clock = createManualClock()
  const model = options.model ?? new ConnectModel(SETTINGS, options.terminals ?? TERMINALS)
  const sent: Message[] = []
  const times: number[] = []
  const violations: string[] = []
  const methods = new Map<number, string>()
  let nextId = 1

  const integration = options.integration ?? 'pac'
  /** Connect's requests the test's EPoS has not yet been shown. */
  const unseen: Message[] = []

  const session = createConnectSession(model, {
    integration,
    clock,
    ...(options.signatureTimeoutMs !== undefined && {
      signatureTimeoutMs: options.signatureTimeoutMs,
    }),
    ...(options.finalPosReceiptRequest !== undefined && {
      finalPosReceiptRequest: options.finalPosReceiptRequest,
    }),
    ...(options.answerTimeoutMs !== undefined && { answerTimeoutMs: options.answerTimeoutMs }),
    send(text) {
      const message = JSON.parse(text) as Message
      sent.push(message)
      times.push(clock.now())
      if ('method' in message && 'id' in message) unseen.push(message)
      const check = checkFor(message, methods, integration)
      if (!check) violations.push(`no schema for ${text}`)
      else if (!check(message)) violations.push(`${text}: ${JSON.stringify(check.errors)}`)
    },
  })

  const harness = {
    clock,
    model,
    session,
    sent,
    times,
    violations,
    /** Sends a request and returns its id. */
    request(method: string, params?: unknown): number {
      const id = nextId++
      methods.set(id, method)
      const message = { jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) }
      session.receive(JSON.stringify(message))
      return id
    },
    send(message: unknown): void {
      session.receive(typeof message === 'string' ? message : JSON.stringify(message))
    },
    /** The response or error answering request `id`, if sent. */
    answerTo(id: number): Message | undefined {
      return sent.find((m) => m.id === id && !('method' in m))
    },
    notifications(): string[] {
      return sent
        .filter((m) => m.method === 'terminalNotification')
        .map((m) => m.params.notificationValue as string)
    },
    questions(): Message[] {
      return sent.filter((m) => m.method === 'signatureVerificationRequest')
    },
    /** Wakes sleepers one by one until `done()` holds; fails if time runs dry first. */
    async runUntil(done: () => boolean): Promise<void> {
      while (!done()) {
        if (!(await clock.runNext())) throw new Error('Nothing left to run')
      }
    },
    /** Runs until nobody sleeps on the clock any more. */
    async settle(): Promise<void> {
      while (await clock.runNext());
    },
    /** The fake's control surface for tables, on this harness's model and clock. */
    tables: tableControl(model, clock),
    /** Messages Connect sent with this method. */
    sentWith(method: string): Message[] {
      return sent.filter((m) => m.method === method)
    },
    /**
     * A waiter's visit at terminal `tid`, with `epos` answering Connect's requests as they come
     * (an undefined answer is silence) and the clock run until the visit ends.
     */
    async visit(tid: string, request: TableVisitRequest, epos: Epos): Promise<TableVisitOutcome> {
      let outcome: TableVisitOutcome | undefined
      void harness.tables.visit(tid, request).then((o) => (outcome = o))
      for (;;) {
        for (let next = unseen.shift(); next; next = unseen.shift()) {
          const answer = epos(next)
          if (answer !== undefined) harness.send(answer)
        }
        await new Promise((resolve) => setImmediate(resolve))
        if (outcome) return outcome
        if (!(await clock.runNext())) throw new Error('Nothing left to run')
      }
    },
  }
  return harness
}

/** A table as an EPoS describes it over the pat socket. */
export interface EposTable {
  tableName: string
  amount: number
  amountPaid?: number
  currency: 'GBP' | 'EUR'
  locked?: boolean
  waiterIds?: string[]
}

/** Lines an EPoS hands a terminal to print. */
export const BILL = [
  { type: 'TEXT', format: ['BOLD'], value: 'TABLE 12' },
  { value: '2 x Risotto  GBP 30.00' },
  { value: '1 x Wine     GBP 15.00' },
]
export const FINAL_RECEIPT = [{ value: 'PAID - THANK YOU' }]

/**
 * A well-behaved EPoS holding `tables`: lists them, locks an unlocked one (refusing a locked one),
 * hands out {@link BILL} and {@link FINAL_RECEIPT}. `override` replaces its answer to one method
 * (return undefined to stay silent).
 */
export function restaurant(
  tables: EposTable[],
  override: Record<string, (request: Message) => unknown> = {},
): Epos {
  const result = (request: Message, value: unknown) => ({
    jsonrpc: '2.0',
    id: request.id,
    result: value,
  })
  const answers: Record<string, (request: Message) => unknown> = {
    tableListRequest: (r) => result(r, { tables }),
    tableLockRequest(r) {
      const table = tables.find((t) => t.tableName === r.params.tableName)
      if (!table || table.locked) return result(r, { locked: false })
      table.locked = true
      return result(r, { locked: true, table })
    },
    posReceiptRequest: (r) => result(r, { receiptLines: BILL }),
    finalPosReceiptRequest: (r) => result(r, { receiptLines: FINAL_RECEIPT }),
    ...override,
  }
  return (request) => answers[request.method]?.(request)
}

/**
 * The harness factory of one test file: `defaults` apply to every harness it makes, and after each
 * test the last harness made must have sent nothing its schema rejects.
 */
export function harnessPerTest(defaults: HarnessOptions = {}) {
  let current: ReturnType<typeof wsHarness> | undefined
  afterEach(() => {
    expect(current?.violations ?? []).toEqual([])
    current = undefined
  })
  return (options?: HarnessOptions) => (current = wsHarness({ ...defaults, ...options }))
}

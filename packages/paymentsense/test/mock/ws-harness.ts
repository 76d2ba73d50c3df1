import { createManualClock } from '@tillkit/core'
import { validateErrorMessage } from '../../src/generated/websocket/error-message.validate.js'
import { validateCancelTransactionResponse } from '../../src/generated/websocket/pac/cancel-transaction-response.validate.js'
import { validateConnectedTerminalsResponse } from '../../src/generated/websocket/pac/connected-terminals-response.validate.js'
import { validateDuplicateResponse } from '../../src/generated/websocket/pac/duplicate-response.validate.js'
import { validatePerformTransactionResponse } from '../../src/generated/websocket/pac/perform-transaction-response.validate.js'
import { validateReportResponse } from '../../src/generated/websocket/pac/report-response.validate.js'
import { validateSignatureVerificationRequest } from '../../src/generated/websocket/pac/signature-verification-request.validate.js'
import { validateTerminalDetailsResponse } from '../../src/generated/websocket/pac/terminal-details-response.validate.js'
import { validateTerminalNotification } from '../../src/generated/websocket/pac/terminal-notification.validate.js'
import { ConnectModel, type TerminalConfig } from '../../src/mock/domain/model.js'
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

/** Which generated validator an outbound message must satisfy. */
function checkFor(message: Message, methods: Map<number, string>): Check | undefined {
  if ('error' in message) return validateErrorMessage
  if (message.method === 'terminalNotification') return validateTerminalNotification
  if (message.method === 'signatureVerificationRequest') return validateSignatureVerificationRequest
  return RESPONSE_CHECK[methods.get(message.id) ?? '']
}

export interface HarnessOptions {
  terminals?: TerminalConfig[]
  signatureTimeoutMs?: number
  model?: ConnectModel
}

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

  const session = createConnectSession(model, {
    integration: 'pac',
    clock,
    ...(options.signatureTimeoutMs !== undefined && {
      signatureTimeoutMs: options.signatureTimeoutMs,
    }),
    send(text) {
      const message = JSON.parse(text) as Message
      sent.push(message)
      times.push(clock.now())
      const check = checkFor(message, methods)
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
  }
  return harness
}

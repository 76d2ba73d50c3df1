import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '@tillkit/payroc/mock'
import {
  createOrchestrator,
  type JournalStore,
  type Orchestrator,
  type OrchestratorOptions,
} from '../src/index.js'
import { payrocAdapter, type PayrocAdapterOptions } from '../src/payroc.js'
import { requestsFor } from './harness.js'

export const DEVICE = 'PAXA920-0001'
export const PTID = '1234001'
export const ACCOUNT = 'till'
export const API_KEY = 'test-api-key'

/** Instruction submits (not token requests, which are POSTs too). */
export const SUBMIT = /\/devices\/[^/]+\/(payment|refund)-instructions$/
export const INSTRUCTION = /\/(payment|refund)-instructions\/[^/]+$/
export const RESULT = /\/v1\/(payments|refunds)\/[^/]+$/

export interface PayrocSetup {
  clock: ManualClock
  cloud: FakeCloud
  orchestrator: Orchestrator
  /** Bearer tokens the adapter sent, to check none leaks. */
  tokens: Set<string>
  /** Every request the adapter sent, with its Idempotency-Key (faults answer some before the fake logs it). */
  sent: Array<{ method: string; path: string; at: number; idempotencyKey?: string }>
  /**
   * Replaces how the adapter's requests reach the fake (refuse some, rewrite answers); the default
   * passes them through.
   */
  route: (
    next: (request: Request, pass: (r: Request) => Promise<Response>) => Promise<Response>,
  ) => void
  /** A fresh orchestrator on the same cloud and clock (and the given journal), as after a restart. */
  restart(journal: JournalStore, options?: Partial<OrchestratorOptions>): Orchestrator
}

/**
 * The orchestrator with one Payroc account over the fake gateway, everything on one manual clock.
 * The adapter's `fetch` goes through `route`, so a test can stand between them.
 */
export function payrocSetup(
  options: {
    cloud?: FakeCloudOptions
    adapter?: Partial<PayrocAdapterOptions>
    orchestrator?: Partial<OrchestratorOptions>
  } = {},
): PayrocSetup {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, ...options.cloud })
  const tokens = new Set<string>()
  const sent: PayrocSetup['sent'] = []
  const pass = (request: Request) => cloud.fetch(request)
  let through = (request: Request, next: typeof pass) => next(request)
  const fetch = (request: Request) => {
    const auth = request.headers.get('authorization')
    if (auth) tokens.add(auth.replace(/^Bearer /, ''))
    const key = request.headers.get('idempotency-key')
    sent.push({
      method: request.method,
      path: new URL(request.url).pathname,
      at: clock.now(),
      ...(key !== null && { idempotencyKey: key }),
    })
    return through(request, pass)
  }
  const make = (more: Partial<OrchestratorOptions> = {}) =>
    createOrchestrator({
      accounts: {
        [ACCOUNT]: payrocAdapter({
          apiKey: API_KEY,
          environment: 'test',
          processingTerminalId: PTID,
          fetch,
          ...options.adapter,
        }),
      },
      clock,
      ...options.orchestrator,
      ...more,
    })
  return {
    clock,
    cloud,
    tokens,
    sent,
    orchestrator: make(),
    route: (next) => (through = next),
    restart: (journal, more) => make({ journal, ...more }),
  }
}

export const payment = requestsFor(ACCOUNT, DEVICE, 'USD')

/** The fake's log of requests matching a method and path. */
export const requests = (cloud: FakeCloud, method: string, path: RegExp) =>
  cloud.requests.filter((r) => r.method === method && path.test(r.path))

/** The Idempotency-Keys of the submits the adapter sent, in order. */
export const submitKeys = (s: PayrocSetup) =>
  s.sent.filter((r) => r.method === 'POST' && SUBMIT.test(r.path)).map((r) => r.idempotencyKey)

import { createManualClock } from '@tillkit/core'
import {
  createPayrocClient,
  retrieveResult,
  submitInstruction,
  waitForInstruction,
  type PayrocClient,
} from '@tillkit/payroc'
import { createFakeCloud, type FakeCloud } from '@tillkit/payroc/mock'

const SERIAL = 'PAXA920-0001'
const AUTH_MS = 2_000
/** Transactions shorter than a minute: the case the long-poll goal is about. */
const DURATIONS_MS = [6_000, 15_000, 30_000, 45_000, 59_000]

/** One completed sale, start to payment, counted at the fake (its request log); token requests left out. */
type Sale = (client: PayrocClient, cloud: FakeCloud) => Promise<void>

const order = (n: number) => ({
  processingTerminalId: '1234001',
  order: { orderId: `bench-${n}`, amount: 1000, currency: 'USD' },
})

/** tillkit's way: submit, long-poll reads sent back to back (the gateway holds each), follow the link. */
const longPoll: Sale = async (client) => {
  const { id } = await submitInstruction(client, 'payment', SERIAL, order(1))
  const done = await waitForInstruction(client, 'payment', id)
  await retrieveResult(client, 'payment', done)
}

/**
 * The baseline: what an integrator writes without long-poll, a read every second against a gateway that answers
 * at once, then the payment.
 */
const fixedPolling: Sale = async (client) => {
  const { id } = await submitInstruction(client, 'payment', SERIAL, order(2))
  for (;;) {
    const instruction = client.transport.ok(
      await client.api.GET('/payment-instructions/{paymentInstructionId}', {
        params: { path: { paymentInstructionId: id } },
      }),
    )
    if (instruction.status !== 'inProgress') {
      await retrieveResult(client, 'payment', instruction)
      return
    }
    await client.transport.clock.sleep(1_000)
  }
}

/** API requests for one sale lasting `durationMs` on the device, on a manual clock (no real waiting). */
async function count(sale: Sale, durationMs: number, holdMs: number): Promise<number> {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({
    clock,
    holdMs,
    timings: { cardMs: durationMs - AUTH_MS, authMs: AUTH_MS },
  })
  const client = createPayrocClient({
    apiKey: 'test-api-key',
    environment: 'test',
    fetch: cloud.fetch,
    clock,
  })
  await sale(client, cloud)
  if (cloud.ledger.length !== 1) throw new Error('bench: the sale did not reach the acquirer once')
  return cloud.requests.filter((r) => r.path !== '/authorize').length
}

export interface PayrocPollingResult {
  /** Device-side durations measured, all under 60 s. */
  durationsMs: number[]
  /** API requests per completed sale with long-poll, one per duration. */
  longPoll: number[]
  /** The same with a read every second. */
  fixedPolling: number[]
  /** Worst case with long-poll (goal: at most 3). */
  longPollMax: number
  longPollMean: number
  fixedPollingMean: number
  /** fixedPollingMean / longPollMean: how many times fewer requests long-poll makes. */
  ratio: number
  /** Context: a 92 s sale (longer than one hold) with long-poll. */
  longPollOverAMinute: number
}

/**
 * Requests per completed transaction, long-poll against fixed 1 s polling, counted at the fake's request log on a
 * manual clock. Token requests are left out of both (one per client per hour, shared by every sale).
 */
export async function payrocPolling(): Promise<PayrocPollingResult> {
  const longPollCounts: number[] = []
  const fixedCounts: number[] = []
  for (const duration of DURATIONS_MS) {
    longPollCounts.push(await count(longPoll, duration, 60_000))
    fixedCounts.push(await count(fixedPolling, duration, 0))
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const longPollMean = mean(longPollCounts)
  const fixedPollingMean = mean(fixedCounts)
  return {
    durationsMs: DURATIONS_MS,
    longPoll: longPollCounts,
    fixedPolling: fixedCounts,
    longPollMax: Math.max(...longPollCounts),
    longPollMean,
    fixedPollingMean,
    ratio: fixedPollingMean / longPollMean,
    longPollOverAMinute: await count(longPoll, 92_000, 60_000),
  }
}

import { assertInteger, assertKnownFields } from '@tillkit/core'
import type { components as Pac } from './generated/pac-v2.js'
import type { PaymentsenseClient } from './client.js'

type Transaction = Pac['schemas']['Transaction']
type ReportResponse = Pac['schemas']['ReportResponse']

export interface WatchOptions {
  /** Time between polls. Connect suggests 1 s for pay-at-counter (0.5 to 2 s is sensible). Default 1000. */
  intervalMs?: number
  /**
   * Stops polling: the wait rejects with the signal's reason, whether the abort comes between two polls or while
   * one is in flight. The transaction itself goes on.
   */
  signal?: AbortSignal
  /**
   * Called once per notification, in order, as soon as a poll shows it. Connect returns the whole cumulative list
   * on every poll; this reports only what is new. Awaited before the next poll, so a handler can act (e.g. answer
   * SIGNATURE_VERIFICATION) before polling resumes.
   */
  onNotification?: (notification: string) => void | Promise<void>
}

/**
 * Every name of {@link WatchOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const WATCH_OPTIONS = { intervalMs: 1, signal: 1, onNotification: 1 } satisfies Record<
  keyof WatchOptions,
  1
>

/**
 * Polls a pay-at-counter transaction until TRANSACTION_FINISHED is present and returns the final body (the only
 * one that carries the result fields). Notification values outside the known set are passed through unchanged.
 * Aborting `options.signal` rejects with the signal's reason, at any point of the wait.
 */
export function waitForTransaction(
  client: PaymentsenseClient,
  tid: string,
  requestId: string,
  options?: WatchOptions,
): Promise<Transaction> {
  const get = () =>
    client.pac.GET('/pac/terminals/{tid}/transactions/{requestId}', {
      params: { path: { tid, requestId } },
      signal: options?.signal,
    })
  return poll(client, get, 'TRANSACTION_FINISHED', options)
}

/** Polls a report until REPORT_FINISHED is present and returns it. */
export function waitForReport(
  client: PaymentsenseClient,
  tid: string,
  requestId: string,
  options?: WatchOptions,
): Promise<ReportResponse> {
  const get = () =>
    client.pac.GET('/pac/terminals/{tid}/reports/{requestId}', {
      params: { path: { tid, requestId } },
      signal: options?.signal,
    })
  return poll(client, get, 'REPORT_FINISHED', options)
}

async function poll<T extends { notifications?: readonly string[] }>(
  client: PaymentsenseClient,
  get: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  finished: string,
  options: WatchOptions = {},
): Promise<T> {
  assertKnownFields(options, WATCH_OPTIONS, 'options.')
  const intervalMs = options.intervalMs ?? 1000
  assertInteger('intervalMs', intervalMs, 100, 60_000)
  const { signal } = options
  let shown = 0
  for (;;) {
    let answer: Awaited<ReturnType<typeof get>>
    try {
      answer = await get()
    } catch (error) {
      // The transport reports an abort mid-request as a TillkitAbortedError: end as an abort between polls does.
      if (signal?.aborted) throw signal.reason
      throw error
    }
    const body = client.transport.ok(answer)
    const notifications = body.notifications ?? []
    // The list only grows; anything past what was shown is new.
    for (; shown < notifications.length; shown++)
      await options.onNotification?.(notifications[shown] as string)
    if (notifications.includes(finished)) return body
    await client.transport.clock.sleep(intervalMs, signal)
  }
}

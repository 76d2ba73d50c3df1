import type { Scenario } from '../scenarios.js'
import type { AdditionalFormat, Header, Json } from './messages.js'

export interface DeviceConfig {
  /** Terminal id, `[model]-[serial]`, e.g. `P400Plus-100000001`. */
  poiId: string
  /** Default: the cloud's first merchant account. */
  merchantAccount?: string
  store?: string
  /** Default true. */
  online?: boolean
  /** Pin every payment to one scenario (else the amount decides). */
  scenario?: Scenario
  /** How this terminal packs `AdditionalResponse`. Default `form`. */
  additionalResponse?: AdditionalFormat
  /** Time per step on this terminal (a slow one); default the cloud's `stepMs`. */
  stepMs?: number
}

/** A request the terminal worked on (payment or reversal), kept for TransactionStatus. */
export class Run {
  state: 'running' | 'done' = 'running'
  answer: Json | undefined
  /** True once the acquirer has the request: an abort can no longer stop it. */
  reachedAcquirer = false
  readonly finished: Promise<Json>
  private settle!: (answer: Json) => void
  private readonly stop = new AbortController()

  constructor(
    readonly header: Header,
    readonly request: Json,
    readonly startedAt: number,
  ) {
    this.finished = new Promise((resolve) => (this.settle = resolve))
  }

  get category(): string {
    return this.header.MessageCategory
  }

  /** Aborted, or stopped by the cloud's processing limit: the script's waits reject with this reason. */
  get signal(): AbortSignal {
    return this.stop.signal
  }

  /**
   * Stops the run: an abort only before the acquirer has the request, the cloud's processing limit at any time.
   * Reports whether it stopped it.
   */
  interrupt(reason: 'aborted' | 'timeout'): boolean {
    if (this.state !== 'running' || this.stop.signal.aborted) return false
    if (reason === 'aborted' && this.reachedAcquirer) return false
    this.stop.abort(reason)
    return true
  }

  finish(answer: Json): void {
    if (this.state === 'done') return
    this.state = 'done'
    this.answer = answer
    this.settle(answer)
  }
}

const key = (saleId: string, serviceId: string) => `${saleId}\u0000${serviceId}`

/** One terminal as the cloud sees it. */
export class Device {
  online: boolean
  scenario: Scenario | undefined
  readonly merchantAccount: string
  readonly store: string | undefined
  readonly additionalFormat: AdditionalFormat
  readonly stepMs: number | undefined
  /** The payment or reversal occupying the terminal. */
  active: Run | undefined
  /** The last payment or reversal, for a TransactionStatus request without a reference. */
  last: Run | undefined
  /** Payments and reversals by SaleID and ServiceID. */
  private readonly runs = new Map<string, Run>()
  /** Every SaleID and ServiceID pair seen, with when: a pair is not accepted twice within the retention. */
  private readonly seen = new Map<string, number>()
  private readonly offlineListeners = new Set<() => void>()
  private displaySeq = 0

  constructor(
    readonly poiId: string,
    config: DeviceConfig,
    defaultMerchant: string,
    private readonly retentionMs: number,
  ) {
    this.online = config.online ?? true
    this.scenario = config.scenario
    this.merchantAccount = config.merchantAccount ?? defaultMerchant
    this.store = config.store
    this.additionalFormat = config.additionalResponse ?? 'form'
    this.stepMs = config.stepMs
  }

  setOnline(online: boolean): void {
    this.online = online
    if (!online) for (const listener of [...this.offlineListeners]) listener()
  }

  /** Called when the device goes offline, until the returned function is called. */
  onOffline(listener: () => void): () => void {
    this.offlineListeners.add(listener)
    return () => void this.offlineListeners.delete(listener)
  }

  /** Records the pair; false when it was already used within the retention window. */
  claim(header: Header, now: number): boolean {
    this.forget(now)
    const k = key(header.SaleID, header.ServiceID)
    if (this.seen.has(k)) return false
    this.seen.set(k, now)
    return true
  }

  /** Keeps a request for TransactionStatus; `last` makes it the answer to a request without a reference. */
  keep(run: Run, last = true): void {
    this.runs.set(key(run.header.SaleID, run.header.ServiceID), run)
    if (last) this.last = run
  }

  run(saleId: string, serviceId: string, now: number): Run | undefined {
    this.forget(now)
    return this.runs.get(key(saleId, serviceId))
  }

  nextDisplayId(): string {
    this.displaySeq += 1
    return String(this.displaySeq)
  }

  private forget(now: number): void {
    for (const [k, at] of this.seen) if (now - at >= this.retentionMs) this.seen.delete(k)
    for (const [k, run] of this.runs) {
      if (run.state === 'done' && now - run.startedAt >= this.retentionMs) {
        this.runs.delete(k)
        if (this.last === run) this.last = undefined
      }
    }
  }
}

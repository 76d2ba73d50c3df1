import { TillkitError, TillkitHttpError, type Logger } from '@tillkit/core'
import type {
  Observation,
  PaymentContext,
  ProviderAdapter,
  ProviderNotification,
  ProviderOutcome,
  StartResult,
  UnknownSituation,
} from './adapter.js'
import { backoff, call, closedError, message, retryAfter, transient } from './calls.js'
import { Deduper } from './dedup.js'
import { EventStream } from './stream.js'
import { CancelOnTerminalError, JournalWriteError } from './errors.js'
import type { DeliveryCursor, JournalRecord, JournalStore } from './journal.js'
import type { Rewrites } from './rewrites.js'
import type { Hold, Lane, LaneTask, Timers } from './scheduler.js'
import type {
  Outcome,
  PaymentEvent,
  PaymentRequest,
  ProviderIds,
  ReconciliationFacts,
  SignatureRequiredEvent,
} from './types.js'
import type { Clock, Redactor } from '@tillkit/core'

/** A payment in progress (or settled): its events, its outcome, and what the POS can do to it. */
export interface Payment extends AsyncIterable<PaymentEvent> {
  /** The orchestrator's id (a UUID), the key of its journal entry. */
  readonly id: string
  readonly request: Readonly<PaymentRequest>
  readonly provider: string
  /**
   * `queued`: waiting for the account's turn to send the start; `starting`: the start is out;
   * `running`: the provider has it; `settled`: `outcome` has resolved (or is about to).
   */
  readonly state: 'queued' | 'starting' | 'running' | 'settled'
  /** The provider ids known so far (secret ones left out). */
  readonly ids: ProviderIds
  /** True when `recover()` resumed it from an earlier process's journal. */
  readonly recovered: boolean
  /**
   * Resolves with the final outcome once it is journaled; never rejects for a payment problem
   * (those are outcomes). Rejects only with a TillkitAbortedError when the orchestrator is closed
   * first: the payment stays in the journal for `recover()`.
   */
  readonly outcome: Promise<Outcome>
  /**
   * Asks the provider to stop the payment. Resolves true when the provider took the request (the
   * outcome tells whether it worked) or the start was never sent (the payment ends `cancelled`),
   * false when the payment had already ended or was past cancelling. Rejects with a
   * CancelOnTerminalError where the provider has no cancel.
   */
  cancel(): Promise<boolean>
}

/** Everything a run needs from its orchestrator. */
export interface RunHost {
  readonly clock: Clock
  readonly timers: Timers
  readonly journal: JournalStore
  readonly logger: Logger
  readonly redact: Redactor
  readonly signature: Required<SignaturePolicy>
  /** Where a failed journal write goes to be written again. */
  readonly rewrites: Rewrites
  dispatched(info: DispatchInfo): void
  settled(run: Run): void
}

/** What to do about a signature nobody judged in time. */
export interface SignaturePolicy {
  /**
   * How long the POS has to call `accept()`/`decline()`, counted from when the provider first asked
   * (its window runs from then; the event reaches the POS a journal write later, and after a
   * `recover()` the time already spent counts). Default: the provider's window less 10 s (at least
   * half of it).
   */
  answerWithinMs?: number
  /**
   * `decline` (default): the safe answer, no unverified signature is accepted; `accept`; or
   * `provider`: send nothing and let the provider's own rule apply (Paymentsense REST voids).
   */
  whenUnanswered?: 'decline' | 'accept' | 'provider'
}

/** One request about to leave, for metrics (`OrchestratorOptions.onDispatch`). */
export interface DispatchInfo {
  account: string
  paymentId?: string
  /** For pay-at-table requests (`table`): the table's id. */
  tableId?: string
  request: 'start' | 'poll' | 'cancel' | 'signature' | 'terminals' | 'table'
  /**
   * When it became due (for polls: the cadence's time) and when it left, on the clock's steady time
   * (`performance.now()` on the system clock): for differences, not dates.
   */
  dueAt: number
  sentAt: number
}

/** The account a run belongs to: its adapter and its spacing lane. */
export interface RunAccount {
  readonly name: string
  readonly adapter: ProviderAdapter
  readonly lane: Lane
}

export interface RunInit {
  paymentId: string
  request: PaymentRequest
  startedAt: number
  ids: ProviderIds
  started: boolean
  cursor: DeliveryCursor
  recovered: boolean
}

/** Attempts at a start that never left (connection refused...), before giving up. */
const MAX_UNSENT_STARTS = 5
/** How long after the intent a start refused unprocessed (429) is still sent again. */
const RATE_LIMITED_START_MS = 60_000
/** Definite poll refusals in a row before the result is declared unreadable. */
const MAX_REFUSED_POLLS = 3
/** Longest pause between polls of a payment that keep failing. */
const MAX_POLL_BACKOFF_MS = 30_000
/** Attempts at a cancel or a signature answer that got no clear answer. */
const MAX_URGENT_ATTEMPTS = 3

/** A pending signature question. */
interface SignatureQuestion {
  answered: boolean
  /** Clock time after which the provider no longer takes an answer. */
  closesAt: number
  /** Clock time at which the policy answers if nobody has. */
  deadline: number
  cancelDeadline: () => void
}

/**
 * What a payment's signal aborts with when the payment ends: one reason for every payment, as
 * `abort()` without one builds a DOMException (and its stack trace) each time. Made as the module
 * loads: a stack captured inside a payment would keep that payment (and its orchestrator) alive.
 */
const ENDED = new DOMException('the payment has ended', 'AbortError')

/**
 * One payment's life in the core: start, poll, de-duplicate, deliver, journal, settle. Knows no
 * provider: everything provider-specific goes through `account.adapter`.
 */
export class Run implements Payment {
  readonly id: string
  readonly request: Readonly<PaymentRequest>
  readonly recovered: boolean
  readonly outcome: Promise<Outcome>
  state: Payment['state'] = 'queued'

  private readonly adapter: ProviderAdapter
  private readonly dedup: Deduper
  private readonly abort = new AbortController()
  private readonly context: PaymentContext
  private allIds: ProviderIds
  private started: boolean
  private readonly startedAt: number
  private resolveOutcome!: (outcome: Outcome) => void
  private rejectOutcome!: (error: unknown) => void
  /** Journal writes of this payment, one after another. */
  private chain: Promise<void> = Promise.resolve()
  private closed = false

  private readonly stream = new EventStream<PaymentEvent>(
    (event) => this.took(event),
    // The POS stopped reading: what it left, and what comes later, it chose not to take.
    () => this.dedup.abandon(),
  )
  /** A batch is being handed to the stream. */
  private delivering = false

  private startTask: LaneTask | undefined
  private startAttempts = 0
  /** A start was refused with a 429: it goes again only within a minute of the intent. */
  private rateLimited = false
  private lastPollSent = -Infinity
  /** When the last poll (or the start) was answered: `after-answer` pacing counts from it. */
  private lastAnswered = -Infinity
  /** Earliest time the next poll may go (Retry-After of an observation). */
  private notBefore = -Infinity
  private transientFailures = 0
  private refusedPolls = 0
  private cancelPoll: (() => void) | undefined
  private pollQueued = false
  /** The last poll was refused unprocessed (429): the next goes once the account's pause ends. */
  private retryNow = false
  private readonly signatures = new Set<SignatureQuestion>()
  /** Cancels asked for while the start was out: sent once it answers. */
  private cancelWaiters: Array<{ resolve: (v: boolean) => void; reject: (e: unknown) => void }> = []

  constructor(
    private readonly host: RunHost,
    private readonly account: RunAccount,
    init: RunInit,
  ) {
    this.id = init.paymentId
    this.request = init.request
    this.recovered = init.recovered
    this.adapter = account.adapter
    this.dedup = new Deduper(init.cursor)
    this.allIds = init.ids
    this.redactSecrets(init.ids)
    this.started = init.started
    this.journaledStart = init.started
    this.startedAt = init.startedAt
    this.outcome = new Promise<Outcome>((resolve, reject) => {
      this.resolveOutcome = resolve
      this.rejectOutcome = reject
    })
    // Closing the orchestrator rejects it; a caller who never looked must not see an unhandled rejection.
    this.outcome.catch(() => {})
    const run = this
    this.context = {
      paymentId: this.id,
      request: this.request,
      get ids() {
        return run.allIds
      },
      startedAt: this.startedAt,
      recovered: this.recovered,
      signal: this.abort.signal,
      push: (observation) => this.observe(observation),
    }
  }

  get provider(): string {
    return this.adapter.provider
  }

  get ids(): ProviderIds {
    return this.publicIds()
  }

  // ---- starting ----------------------------------------------------------------------------

  /** Queues the start request in the account's lane. */
  begin(): void {
    const task: LaneTask = {
      dueAt: this.host.timers.now(),
      run: (sentAt, hold) => this.sendStart(task, sentAt, hold),
    }
    this.startTask = task
    this.account.lane.submit(task)
  }

  /** Sends the start; the lane holds on its answer (see Lane). */
  private sendStart(task: LaneTask, sentAt: number, hold: Hold): void {
    if (this.closed || this.state === 'settled') return
    if (this.rateLimited && this.host.clock.now() - this.startedAt >= RATE_LIMITED_START_MS) {
      // The account stayed paused (other payments' 429s) past the minute: too late to start.
      this.settle({
        status: 'failed',
        reasonCode: 'rate-limited',
        reason: `the provider kept refusing requests (429) for over ${RATE_LIMITED_START_MS / 1000} s; the start was not sent again`,
      })
      return this.flushCancelWaiters()
    }
    this.state = 'starting'
    this.startAttempts++
    this.host.dispatched({
      account: this.account.name,
      paymentId: this.id,
      request: 'start',
      dueAt: task.dueAt,
      sentAt,
    })
    // The journal says the start is leaving before it does: recover() then never sends a start that
    // the previous process had not (one cancelled while queued, say) as if its answer were lost.
    const answer = this.markSending().then(
      () => {
        // Closed or settled (a cancel) while `sending` was written: nothing leaves.
        if (this.closed || this.isSettled()) throw closedError('payment', this.id)
        return call(() => this.adapter.start(this.context))
      },
      (error: unknown) => {
        throw new JournalWriteError(this.id, error)
      },
    )
    hold(answer)
    answer.then(
      (result) => this.onStarted(result, sentAt),
      (error: unknown) => this.onStartFailed(error),
    )
  }

  /** Journals `sending` (once) after this payment's earlier records; rejects if it cannot. */
  private markSending(): Promise<void> {
    if (this.sendingJournaled) return Promise.resolve()
    const record: JournalRecord = {
      type: 'ids',
      paymentId: this.id,
      at: this.host.clock.now(),
      ids: this.allIds,
      started: false,
      sending: true,
    }
    const written = this.chain.then(() => this.host.journal.append(record))
    this.chain = written.then(
      () => void (this.sendingJournaled = true),
      () => {},
    )
    return written
  }
  private sendingJournaled = false

  private onStarted(result: StartResult, sentAt: number): void {
    if (this.closed || this.state === 'settled') return
    // A start answered `failed` (refused: terminal busy, offline...) made nothing at the provider:
    // the payment never started, and its outcome lands as a start that never left would (see
    // settle), so recover() can never take it for one that did.
    const refused = result.outcome?.status === 'failed'
    this.state = 'running'
    this.started = !refused
    this.learn(result.ids ?? {}, !refused)
    this.lastPollSent = sentAt
    this.lastAnswered = this.host.timers.now()
    this.observe(result)
    if (this.isSettled()) return this.flushCancelWaiters()
    this.flushCancelWaiters()
    this.schedulePoll()
  }

  private onStartFailed(error: unknown): void {
    if (this.closed || this.state === 'settled') return
    const now = this.host.clock.now()
    // 429: refused unprocessed, the one case a start without an idempotency key may be sent again.
    const limited = error instanceof TillkitHttpError && error.status === 429
    const unjournaled = error instanceof JournalWriteError
    const neverLeft =
      unjournaled || (error instanceof TillkitError && !error.mayHaveReachedProvider)
    if (limited || neverLeft) {
      // The lane paused itself for the 429 (its Retry-After, or the lane's default).
      const pause = retryAfter(error)
      this.rateLimited ||= limited
      // A cancel asked while the start was out: that start was not processed, so none is sent
      // and the payment ends cancelled (see cancel(), queued).
      if (this.cancelWaiters.length) {
        this.state = 'queued'
        return this.flushCancelWaiters()
      }
      // Sent again only while the customer is still there: within a minute of the intent.
      const again = limited
        ? now + (pause ?? 0) - this.startedAt < RATE_LIMITED_START_MS
        : this.startAttempts < MAX_UNSENT_STARTS
      if (again) {
        this.state = 'queued'
        const task: LaneTask = {
          dueAt: this.host.timers.now(),
          run: (sentAt, hold) => this.sendStart(task, sentAt, hold),
        }
        this.startTask = task
        if (limited) return this.account.lane.submit(task)
        this.host.timers.after(backoff(this.startAttempts, 1_000, MAX_POLL_BACKOFF_MS), () => {
          if (!this.closed && this.state === 'queued') this.account.lane.submit(task)
        })
        return
      }
      this.settle({
        status: 'failed',
        reasonCode: limited ? 'rate-limited' : 'not-sent',
        reason: unjournaled
          ? `the journal could not record that the start was leaving (${message((error as JournalWriteError).cause)}); nothing was sent`
          : `the provider could not be reached to start the payment: ${message(error)}`,
      })
      return this.flushCancelWaiters()
    }
    if (error instanceof TillkitError && !error.outcomeUnknown) {
      this.settle({ status: 'failed', reasonCode: 'refused', reason: message(error) })
      return this.flushCancelWaiters()
    }
    // It may have reached the provider and no id came back.
    if (this.adapter.capabilities.findsLostStarts) {
      this.state = 'running'
      this.host.logger.warn(
        { paymentId: this.id, error: message(error) },
        'orchestrator: start answer lost; looking the payment up',
      )
      this.flushCancelWaiters()
      return this.schedulePoll()
    }
    this.settleUnknown(
      'lost-start',
      `the start request may have reached the provider but its answer was lost (${message(error)}); it was not sent again`,
    )
    this.flushCancelWaiters()
  }

  // ---- polling -----------------------------------------------------------------------------

  /** Resumes a payment read from the journal: the first poll goes at once. */
  resume(): void {
    this.state = 'running'
    this.lastPollSent = this.lastAnswered = -Infinity
    this.schedulePoll()
  }

  /**
   * A journaled payment whose start never answered, on a provider that cannot look starts up: it
   * may or may not have been sent, so it is settled unknown and nothing is sent.
   */
  /** A payment read from the journal whose start request never left: it is not sent now either. */
  neverSent(): void {
    this.state = 'running'
    this.settle({
      status: 'failed',
      reasonCode: 'not-sent',
      reason:
        'the previous process recorded this payment but stopped before sending the start request; nothing was sent',
    })
  }

  lostBeforeRecovery(): void {
    this.state = 'running'
    this.settleUnknown(
      'lost-start',
      'the previous process recorded this payment but stopped before the start request answered; it may or may not have reached the provider, and it was not sent again',
    )
  }

  private cadence(): number {
    return this.adapter.pacing.cadenceMs
  }

  private schedulePoll(): void {
    if (this.closed || this.isSettled() || this.pollQueued) return
    const now = this.host.timers.now()
    const { mode } = this.adapter.pacing
    let due = this.retryNow
      ? now
      : mode === 'back-to-back'
        ? Math.max(now, this.lastPollSent + this.cadence())
        : (mode === 'after-answer' ? this.lastAnswered : this.lastPollSent) + this.cadence()
    if (this.transientFailures || this.refusedPolls) {
      const failures = this.transientFailures + this.refusedPolls
      due = Math.max(due, now + backoff(failures, this.cadence(), MAX_POLL_BACKOFF_MS))
    }
    due = Math.max(due, this.notBefore, now)
    this.retryNow = false
    this.pollQueued = true
    this.cancelPoll = this.host.timers.at(due, () => {
      this.cancelPoll = undefined
      if (this.closed || this.isSettled()) return
      const task: LaneTask = {
        dueAt: due,
        run: (sentAt, hold) => this.sendPoll(task, sentAt, hold),
      }
      this.account.lane.submit(task)
    })
  }

  /** Sends a poll; the lane holds on its answer (see Lane). */
  private sendPoll(task: LaneTask, sentAt: number, hold: Hold): void {
    this.pollQueued = false
    if (this.closed || this.isSettled()) return
    this.lastPollSent = sentAt
    this.host.dispatched({
      account: this.account.name,
      paymentId: this.id,
      request: 'poll',
      dueAt: task.dueAt,
      sentAt,
    })
    const answer = call(() => this.adapter.poll(this.context))
    hold(answer)
    const answered = () => (this.lastAnswered = this.host.timers.now())
    answer.then(answered, answered)
    answer.then(
      (observation) => {
        if (this.closed || this.isSettled()) return
        this.transientFailures = 0
        this.refusedPolls = 0
        this.observe(observation)
        this.schedulePoll()
      },
      (error: unknown) => this.onPollFailed(error),
    )
  }

  private onPollFailed(error: unknown): void {
    if (this.closed || this.isSettled()) return
    const now = this.host.clock.now()
    if (error instanceof TillkitHttpError && error.status === 429) {
      // The account is over its rate, not this payment: the lane paused itself; this poll goes
      // again as soon as the pause ends, rather than a whole cadence later.
      this.retryNow = true
    } else if (transient(error)) {
      this.transientFailures++
    } else {
      this.refusedPolls++
      if (this.refusedPolls >= MAX_REFUSED_POLLS) {
        return this.settleUnknown(
          'unreadable',
          `the provider refused to show the payment ${MAX_REFUSED_POLLS} times in a row (${message(error)})`,
        )
      }
    }
    this.host.logger.warn(
      { paymentId: this.id, error: message(error) },
      'orchestrator: poll failed; trying again',
    )
    if (now - this.startedAt >= this.adapter.pacing.retentionMs)
      return this.settleUnknown(
        'expired',
        `the provider could not be read before its retention window ended (${message(error)})`,
      )
    this.schedulePoll()
  }

  // ---- observations, events ----------------------------------------------------------------

  /** Applies one observation (from start, poll or push). */
  private observe(observation: Observation): void {
    if (this.closed || this.isSettled()) return
    const now = this.host.clock.now()
    if (observation.ids && Object.keys(observation.ids).length)
      this.learn(observation.ids, this.started)
    if (observation.notifications?.length) this.deliver(observation.notifications, now)
    if (observation.retryAfterMs !== undefined)
      this.notBefore = Math.max(this.notBefore, this.host.timers.now() + observation.retryAfterMs)
    if (observation.outcome) return this.settle(observation.outcome)
    if (observation.missing && now - this.startedAt >= this.adapter.pacing.retentionMs)
      this.settleUnknown(
        'expired',
        'the provider no longer knows the payment: its retention window has passed',
      )
  }

  /** Merges ids and journals them at once. */
  private learn(ids: ProviderIds, started: boolean): void {
    const fresh = Object.entries(ids).some(([k, v]) => this.allIds[k] !== v)
    if (!fresh && !(started && !this.journaledStart)) return
    this.allIds = { ...this.allIds, ...ids }
    this.redactSecrets(ids)
    this.journaledStart ||= started
    this.write({
      type: 'ids',
      paymentId: this.id,
      at: this.host.clock.now(),
      ids: this.allIds,
      started,
    })
  }
  private journaledStart: boolean

  /**
   * Ids that are secrets (a SmartConnect polling URL) go into the orchestrator's redactor while the
   * payment may still write or log them, so no log line or error shows them in any spelling (a
   * custom store's error quoting a record URL-encoded, say); they leave it once the outcome is
   * journaled, when nothing of the payment is written again.
   */
  private redactSecrets(ids: ProviderIds): void {
    for (const name of this.adapter.secretIds ?? []) {
      const value = ids[name]
      if (typeof value !== 'string' || this.secrets.includes(value)) continue
      this.secrets.push(value)
      this.host.redact.add(value)
    }
  }
  private secrets: string[] = []

  /**
   * Hands fresh notifications to the POS as events, once the cursor naming their `seq`s is journaled
   * (see {@link DeliveryCursor.issued}): after a crash, a `seq` the POS took is never given to
   * another event.
   */
  private deliver(batch: readonly ProviderNotification[], now: number): void {
    const fresh = this.dedup.fresh(batch)
    if (!fresh.length) return
    const events = fresh.map((n): PaymentEvent => {
      const event = { seq: this.dedup.delivering(n), paymentId: this.id, at: now, raw: n.raw }
      if (n.type !== 'signatureRequired') return { type: n.type, ...event }
      // Only the POS answers a signatureRequired; where the terminal decides, it only informs.
      return this.adapter.capabilities.signature === 'pos'
        ? this.signatureEvent(event, n, now)
        : { type: 'signatureOnTerminal', ...event }
    })
    this.held.push(...events)
    this.writeCursor(now)
    this.afterWrites(() => this.release())
  }
  private tookInBatch = false
  /** Events whose cursor is being journaled, in order: they reach the stream after it. */
  private held: PaymentEvent[] = []

  /** Hands the held events to the stream. */
  private release(): void {
    if (!this.held.length) return
    this.delivering = true
    this.tookInBatch = false
    for (const event of this.held.splice(0)) this.stream.push(event)
    this.delivering = false
    if (this.tookInBatch) this.writeCursor(this.host.clock.now())
  }

  /** Runs `then` once the journal records queued so far are written (or their failure logged). */
  private afterWrites(then: () => void): void {
    this.chain = this.chain.then(then)
  }

  /**
   * The POS took an event from the stream: the journal's cursor moves to it. Counting what was
   * taken, not what was handed to the stream, means events still waiting in the stream when the
   * process dies are delivered again after `recover()` instead of lost.
   */
  private took(event: PaymentEvent): void {
    this.dedup.took(event.seq)
    // Takes while a batch is handed over (the POS was waiting) are journaled once, after it.
    if (this.delivering) this.tookInBatch = true
    else this.writeCursor(this.host.clock.now())
  }

  /** Journals how far the POS has taken events, and the last event seen (for reconciling). */
  private writeCursor(now: number): void {
    // Once the outcome is journaled the cursor no longer matters.
    if (this.isSettled()) return
    this.write({ type: 'cursor', paymentId: this.id, at: now, cursor: this.dedup.cursor() })
  }

  [Symbol.asyncIterator](): AsyncIterator<PaymentEvent> {
    return this.stream.iterate(`payment ${this.id}`)
  }

  private endStream(): void {
    this.stream.end()
  }

  // ---- signatures --------------------------------------------------------------------------

  private signatureEvent(
    event: Omit<SignatureRequiredEvent, 'type' | 'deadline' | 'receipt' | 'accept' | 'decline'>,
    n: ProviderNotification,
    now: number,
  ): SignatureRequiredEvent {
    const policy = this.host.signature
    const windowMs = n.signature?.windowMs ?? this.adapter.pacing.signatureWindowMs ?? 60_000
    // The latest an answer is sent: 10 s (or half the window) before the provider stops waiting,
    // so the decision reaches it in time; an answer sent as the window closes comes too late.
    const latest = Math.max(windowMs / 2, windowMs - 10_000)
    const within = policy.answerWithinMs > 0 ? Math.min(policy.answerWithinMs, latest) : latest
    // Asked again after recover(): the provider's window runs from when it first asked.
    const askedAt = this.dedup.signatureAsked(n, now)
    const question: SignatureQuestion = {
      answered: false,
      closesAt: askedAt + windowMs,
      deadline: askedAt + within,
      cancelDeadline: () => {},
    }
    this.signatures.add(question)
    this.armPolicy(question)
    return {
      type: 'signatureRequired',
      ...event,
      deadline: question.deadline,
      ...(n.signature?.receipt && { receipt: n.signature.receipt }),
      accept: () => this.answerSignature(question, true),
      decline: () => this.answerSignature(question, false),
    }
  }

  /** Applies the signature policy at the question's deadline unless somebody answers first. */
  private armPolicy(question: SignatureQuestion): void {
    const policy = this.host.signature
    // The deadline is a date (the POS shows it; recover() keeps it): waited for on steady time.
    const wait = question.deadline - this.host.clock.now()
    question.cancelDeadline = this.host.timers.after(wait, () => {
      if (question.answered || this.closed || this.isSettled()) return
      const rule = policy.whenUnanswered
      this.host.logger.warn(
        { paymentId: this.id, rule },
        'orchestrator: nobody judged the signature in time; applying the policy',
      )
      if (rule === 'provider') {
        question.answered = true
        return
      }
      this.answerSignature(question, rule === 'accept', true).catch((error: unknown) =>
        this.host.logger.error(
          { paymentId: this.id, error: message(error) },
          'orchestrator: the signature policy could not be applied',
        ),
      )
    })
  }

  /**
   * Sends a signature decision. One the provider provably never received (after the urgent retries)
   * leaves the question open: the POS may answer again, and the policy still applies at the
   * deadline (at once, if it has passed).
   */
  private answerSignature(
    question: SignatureQuestion,
    accepted: boolean,
    byPolicy = false,
  ): Promise<boolean> {
    if (question.answered || this.isSettled()) return Promise.resolve(false)
    if (this.closed) return Promise.reject(closedError('payment', this.id))
    question.answered = true
    question.cancelDeadline()
    const answer = this.adapter.answerSignature
    if (!answer) return Promise.resolve(false)
    return this.urgent('signature', () => answer.call(this.adapter, this.context, accepted), {
      giveUpAt: question.closesAt,
    }).then(
      () => true,
      (error: unknown) => {
        const neverSent = error instanceof TillkitError && !error.mayHaveReachedProvider
        if (neverSent && !byPolicy && !this.closed && !this.isSettled()) {
          question.answered = false
          this.armPolicy(question)
        }
        throw error
      },
    )
  }

  // ---- cancel ------------------------------------------------------------------------------

  cancel(): Promise<boolean> {
    if (this.isSettled()) return Promise.resolve(false)
    // Closed before it ended: recover() resumes it, and a cancel goes through that one.
    if (this.closed) return Promise.reject(closedError('payment', this.id))
    if (this.state === 'queued') {
      // Not sent yet: nothing to ask the provider, the payment simply never starts.
      if (this.startTask) this.startTask.cancelled = true
      this.settle({
        status: 'cancelled',
        reasonCode: 'cancelled-before-start',
        reason: 'cancelled before the start request was sent',
      })
      return Promise.resolve(true)
    }
    // While the start is out, on any provider: refused unprocessed, it is not sent again and the
    // payment ends cancelled; taken, the cancel goes (or, where the provider cannot cancel, the
    // POS is told to cancel on the terminal).
    if (this.state === 'starting')
      return new Promise((resolve, reject) => this.cancelWaiters.push({ resolve, reject }))
    const cancel = this.adapter.cancel
    if (!this.adapter.capabilities.cancel || !cancel)
      return Promise.reject(new CancelOnTerminalError(this.adapter.provider))
    return this.urgent('cancel', () => cancel.call(this.adapter, this.context), {}).then(
      (answer) => answer === 'requested',
      (error: unknown) =>
        // The payment ended while the cancel was out (its answer lost, say): the outcome tells.
        this.isSettled()
          ? this.outcome.then(
              (outcome) => outcome.status === 'cancelled',
              () => Promise.reject(error),
            )
          : Promise.reject(error),
    )
  }

  private flushCancelWaiters(): void {
    const waiters = this.cancelWaiters
    this.cancelWaiters = []
    for (const waiter of waiters) this.cancel().then(waiter.resolve, waiter.reject)
  }

  /**
   * Sends an urgent request (ahead of polls in the lane). Transient failures are sent again (at
   * most {@link MAX_URGENT_ATTEMPTS} times, never after `giveUpAt`) while the payment runs.
   */
  private urgent<T>(
    request: 'cancel' | 'signature',
    send: () => Promise<T>,
    options: { giveUpAt?: number },
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let attempts = 0
      const attempt = () => {
        const task: LaneTask = {
          dueAt: this.host.timers.now(),
          dropped: () => reject(closedError('payment', this.id)),
          run: (sentAt, hold) => {
            if (this.closed) return reject(closedError('payment', this.id))
            attempts++
            this.host.dispatched({
              account: this.account.name,
              paymentId: this.id,
              request,
              dueAt: task.dueAt,
              sentAt,
            })
            const answer = call(send)
            hold(answer)
            answer.then(resolve, (error: unknown) => {
              const now = this.host.clock.now()
              // A 429 paused the lane (see Lane): sent again once the pause ends; so is what never
              // left (no connection), a lost answer or a 5xx.
              const again =
                transient(error) &&
                attempts < MAX_URGENT_ATTEMPTS &&
                !this.closed &&
                !this.isSettled() &&
                now < (options.giveUpAt ?? Infinity)
              if (again) attempt()
              else reject(error)
            })
          },
        }
        this.account.lane.submit(task, true)
      }
      attempt()
    })
  }

  // ---- settling ----------------------------------------------------------------------------

  private isSettled(): boolean {
    return this.state === 'settled'
  }

  /** What an operator needs to settle an `unknown` payment by hand. */
  private reconcileFacts(
    ids: ProviderIds,
    reason: string | undefined,
    situation: UnknownSituation | undefined,
  ): ReconciliationFacts {
    const { request } = this
    const lastEvent = this.dedup.lastEvent
    return {
      provider: this.adapter.provider,
      account: request.account,
      terminal: request.terminal,
      kind: request.kind,
      ...(request.amount !== undefined && { amount: request.amount }),
      ...(request.cashback && { cashback: request.cashback }),
      currency: request.currency,
      reference: request.reference,
      startedAt: this.startedAt,
      providerIds: ids,
      ...(lastEvent !== undefined && { lastEvent }),
      why: reason ?? 'the provider did not give a final result',
      check: safeReconcile(this.adapter, this.context, situation ?? 'unreadable'),
    }
  }

  private settleUnknown(situation: UnknownSituation, why: string): void {
    this.settle({ status: 'unknown', reasonCode: situation, reason: why }, situation)
  }

  /** Ends the payment: journals the outcome, then resolves it. */
  private settle(result: ProviderOutcome, situation?: UnknownSituation): void {
    if (this.closed || this.isSettled()) return
    this.state = 'settled'
    this.cancelPoll?.()
    for (const question of this.signatures) question.cancelDeadline()
    this.signatures.clear()
    this.abort.abort(ENDED)
    const { request } = this
    const ids = this.publicIds()
    const base = {
      ...(result.reasonCode !== undefined && { reasonCode: result.reasonCode }),
      ...(result.reason !== undefined && { reason: this.host.redact(result.reason) }),
      paymentId: this.id,
      provider: this.adapter.provider,
      account: request.account,
      terminal: request.terminal,
      kind: request.kind,
      reference: request.reference,
      currency: result.currency ?? request.currency,
      amounts: {
        ...(request.amount !== undefined && { requested: request.amount }),
        ...result.amounts,
      },
      ...pick(result, [
        'authCode',
        'maskedPan',
        'cardScheme',
        'entryMethod',
        'verification',
        'receipt',
      ]),
      providerIds: ids,
      ...(result.raw !== undefined && { raw: this.host.redact.value(result.raw) }),
      at: this.host.clock.now(),
    }
    const outcome: Outcome =
      result.status === 'unknown'
        ? {
            status: 'unknown',
            ...base,
            reconcile: this.reconcileFacts(ids, base.reason, situation),
          }
        : { status: result.status, ...base }
    // After the events still being journaled: they reach the stream before it ends. Once the
    // outcome is in the journal, nothing else of the payment matters there (a finished payment is
    // never resumed): held events go out and the stream ends, whatever earlier record is refused.
    const finish = () => {
      this.release()
      this.endStream()
    }
    this.afterWrites(finish)
    // Resolved once the outcome is journaled, or the journal refused it: the POS is not kept from a
    // result while the journal is down (the record keeps being written again meanwhile). Except a
    // start that never left after `sending` was journaled, on a provider whose recovery looks lost
    // starts up (a Payroc replay would make the payment): "not charged" (failed, or cancelled
    // before the start) is told only once the journal says so too, or a crash before then would
    // charge what the POS was told had failed or was cancelled.
    const resolve = () => {
      if (this.outcomeGiven) return
      this.outcomeGiven = true
      this.resolveOutcome(outcome)
      this.host.settled(this)
    }
    const mustLand = (this.mustLand =
      (outcome.status === 'failed' || outcome.status === 'cancelled') &&
      !this.started &&
      this.sendingJournaled &&
      this.adapter.capabilities.findsLostStarts)
    // Once the outcome is in, at its first try or a later one: nothing of the payment is written
    // or logged again, so its secrets leave the redactor.
    const journaled = () => {
      if (this.outcomeJournaled) return
      this.outcomeJournaled = true
      finish()
      for (const secret of this.secrets.splice(0)) this.host.redact.remove(secret)
    }
    const tried = this.write(
      { type: 'outcome', paymentId: this.id, at: outcome.at, outcome },
      (taken) => taken && journaled(),
      () => {
        journaled()
        if (mustLand) resolve()
      },
    )
    if (!mustLand) void tried.then(resolve)
  }
  /** Set once the POS was given the outcome. */
  private outcomeGiven = false
  /** The outcome is given only once journaled (see settle). */
  private mustLand = false
  /** Set once the outcome is in the journal: records still being retried are dropped. */
  private outcomeJournaled = false

  /** Stops everything without settling: the journal keeps the payment for `recover()`. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.cancelPoll?.()
    for (const question of this.signatures) question.cancelDeadline()
    this.abort.abort(ENDED)
    this.endStream()
    // Not settled, or settled "not charged" but not journaled yet (see settle): recover() decides.
    if (!this.isSettled() || (this.mustLand && !this.outcomeGiven))
      this.rejectOutcome(closedError('payment', this.id))
    for (const waiter of this.cancelWaiters) waiter.reject(closedError('payment', this.id))
    this.cancelWaiters = []
  }

  /**
   * Queues a journal record after this payment's earlier ones, each written again until the journal
   * takes it (see Rewrites); none is taken once closed. Resolves after the record's first try
   * (`tried` says whether it was taken). An outcome does not wait behind a record the journal
   * refuses: once one is refused, the outcome is tried at once, and once the outcome is in, the
   * records still being retried are dropped (the fold ignores what would land after it).
   */
  private write(
    record: JournalRecord,
    tried?: (taken: boolean) => void,
    landed?: () => void,
  ): Promise<void> {
    if (this.closed) return Promise.resolve()
    const { journal, rewrites } = this.host
    let firstTry!: () => void
    const first = new Promise<void>((resolve) => (firstTry = resolve))
    let started = false
    let stuck = false
    const write = () => {
      if (started) return
      started = true
      return rewrites
        .append(
          () => (this.outcomeJournaled ? Promise.resolve() : journal.append(record)),
          { paymentId: this.id, record: record.type },
          (taken) => {
            if (!taken && record.type !== 'outcome') {
              stuck = true
              this.stuck++
              void this.outcomeNow?.()
            }
            tried?.(taken)
            firstTry()
          },
        )
        .then((taken) => {
          if (stuck) this.stuck--
          if (taken) landed?.()
        })
    }
    if (record.type === 'outcome') this.outcomeNow = write
    this.chain = this.chain.then(write)
    if (record.type === 'outcome' && this.stuck) void write()
    return first
  }
  /** The queued outcome's write, to start at once when an earlier record is refused. */
  private outcomeNow: (() => void) | undefined
  /** Records of this payment the journal refused and is being asked again to take. */
  private stuck = 0

  /** Settles when every journal record queued so far is written (or given up at close). */
  async written(): Promise<void> {
    // Links added while the chain runs (a record written once events reached the stream) count too.
    for (let chain; chain !== this.chain;) await (chain = this.chain)
  }

  private publicIds(): ProviderIds {
    const secret = this.adapter.secretIds
    if (!secret?.length) return { ...this.allIds }
    return Object.fromEntries(Object.entries(this.allIds).filter(([k]) => !secret.includes(k)))
  }
}

function safeReconcile(
  adapter: ProviderAdapter,
  context: PaymentContext,
  situation: UnknownSituation,
): string[] {
  try {
    return adapter.reconcile(context, situation)
  } catch {
    return ['ask the provider or read the terminal for this payment before charging again']
  }
}

function pick<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key]
  return out
}

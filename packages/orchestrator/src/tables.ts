/**
 * Pay at table in the core: one open table's life (create, read at the table cadence, tell the POS
 * about each payment once, guarded writes, close), on the same timer heap and account lanes as
 * payments. Knows no provider: the adapter's `tables` capability translates.
 */
import {
  assertInteger,
  assertString,
  TillkitError,
  TillkitHttpError,
  TillkitValidationError,
  type Clock,
  type Logger,
} from '@tillkit/core'
import { backoff, call, closedError, message } from './calls.js'
import { Seqs } from './seqs.js'
import { EventStream } from './stream.js'
import type { TableCapability, TableContext, TableGuard, TableWrite } from './adapter.js'
import type { JournalStore, TableCursor, TableJournalRecord } from './journal.js'
import type { DispatchInfo } from './payment.js'
import type { Rewrites } from './rewrites.js'
import type { Hold, Lane, LaneTask, Timers } from './scheduler.js'
import type { TableEvent, TableRequest, TableState } from './types.js'

/** An open table: its events, its state, and what the POS can do to it. */
export interface Table extends AsyncIterable<TableEvent> {
  /** The orchestrator's id (a UUID), the key of its journal entry. */
  readonly id: string
  readonly request: Readonly<TableRequest>
  readonly provider: string
  /** `opening`: the create is out (or its answer was lost and a read decides); `closed`: over. */
  readonly state: 'opening' | 'open' | 'closed'
  /** The table as last read (or as created, before the first read). */
  readonly current: TableState | undefined
  /** True when `recover()` resumed it from an earlier process's journal. */
  readonly recovered: boolean
  /**
   * Changes what is owed. The write carries the amounts last read; when a payment (or anything
   * else) changed the table first, it is read again (new payments are delivered) and the write
   * sent again. Resolves with the table as now known. Rejects with a TillkitValidationError for an
   * amount below what is already paid, and a TableError when the table stays locked (`locked`),
   * keeps changing (`conflict`), is gone (`gone`) or closed (`closed`).
   */
  setAmount(amount: number): Promise<TableState>
  /**
   * Removes the table at the provider, guarded the same way: a payment taken meanwhile is read and
   * delivered before the table is closed. The stream ends with a `closed` event.
   */
  close(): Promise<TableState>
}

export type TableErrorReason = 'exists' | 'locked' | 'conflict' | 'gone' | 'closed'

/** A table operation the provider refused, or that cannot apply any more; nothing was changed. */
export class TableError extends TillkitError {
  declare readonly reason: TableErrorReason
  /** The table's name. */
  declare readonly table: string

  constructor(reason: TableErrorReason, table: string, message: string) {
    super(reason === 'closed' ? 'ABORTED' : 'HTTP', message, false)
    this.name = 'TableError'
    this.reason = reason
    this.table = table
  }
}

/** Everything a table needs from its orchestrator. */
export interface TableHost {
  readonly clock: Clock
  readonly timers: Timers
  readonly journal: JournalStore
  readonly logger: Logger
  readonly rewrites: Rewrites
  dispatched(info: DispatchInfo): void
  ended(table: TableWatch): void
}

/** The account a table belongs to. */
export interface TableAccount {
  readonly name: string
  readonly provider: string
  readonly tables: TableCapability
  readonly lane: Lane
}

export interface TableInit {
  tableId: string
  request: TableRequest
  opened: boolean
  cursor: TableCursor
  recovered: boolean
}

/** Table rules shared by every provider, checked before anything is journaled or sent. */
export function checkTableRequest(request: TableRequest): void {
  assertString('table', request.table, { pattern: PRINTABLE })
  assertInteger('amount', request.amount, 0, Number.MAX_SAFE_INTEGER)
  assertString('currency', request.currency, { pattern: /^[A-Z]{3}$/ })
  assertString('reference', request.reference, { pattern: PRINTABLE })
  if (request.receipt !== undefined) {
    if (!Array.isArray(request.receipt))
      throw new TillkitValidationError('receipt', 'must be a list of lines')
    request.receipt.forEach((line, i) => assertString(`receipt[${i}]`, line, { maxLength: 256 }))
  }
  if (request.waiterIds !== undefined) {
    if (!Array.isArray(request.waiterIds))
      throw new TillkitValidationError('waiterIds', 'must be a list of waiter ids')
    request.waiterIds.forEach((id, i) => assertString(`waiterIds[${i}]`, id, { minLength: 1 }))
  }
}

/** 1 to 64 characters, no control characters and no lone surrogate (no encoding can carry one). */
export const PRINTABLE = /^[^\p{Cc}\p{Cs}]{1,64}$/u
/** Longest pause between reads of a table that keep failing. */
const MAX_BACKOFF_MS = 30_000
/** How long a request refused unprocessed (429) is sent again. */
const RATE_LIMITED_MS = 60_000
/** Guard mismatches in a row before a write gives up. */
const MAX_CONFLICTS = 5
/** Writes whose answer was lost, before giving up. */
const MAX_LOST_WRITES = 3
/** How long a write waits for a locked table (a terminal taking a payment) to be released. */
const LOCK_WAIT_MS = 30_000

type NewEvent = TableEvent extends infer E
  ? E extends TableEvent
    ? Omit<E, 'seq' | 'tableId' | 'table' | 'at'>
    : never
  : never

/**
 * One table in the core. Events are de-duplicated against what was handed to the stream (payment
 * ids, lock state, the paid amounts); the journal records what the POS has taken from the stream,
 * so after a crash only what the POS had not taken is delivered again.
 */
export class TableWatch implements Table {
  readonly id: string
  readonly request: Readonly<TableRequest>
  readonly recovered: boolean
  state: Table['state'] = 'opening'
  current: TableState | undefined

  private readonly tables: TableCapability
  private readonly abort = new AbortController()
  private readonly context: TableContext
  private shut = false
  private chain: Promise<void> = Promise.resolve()

  private readonly stream = new EventStream<TableEvent>(
    (event) => this.took(event),
    () => this.readerLeft(),
  )
  /** Handed to the stream (de-duplication). */
  private readonly handedIds: Set<string>
  private lockHanded: boolean
  private paidHanded: string | undefined
  /** Taken by the POS (journaled). */
  private taken: TableCursor
  private readonly seqs: Seqs

  private lastReadSent = -Infinity
  private readQueued = false
  private cancelRead: (() => void) | undefined
  private failures = 0
  private retryNow = false
  /** Writes of this table, one after another. */
  private writes: Promise<unknown> = Promise.resolve()
  /** Settled when the table is known to be open (or known not to be). */
  private readonly ready: Promise<void>
  private resolveReady!: () => void
  private rejectReady!: (error: unknown) => void
  /** Why the create's answer was lost, for the error when a read finds no table. */
  private lostCreate: unknown
  /** Recovered only to hand over what the POS had not taken when it ended. */
  private draining = false

  constructor(
    private readonly host: TableHost,
    private readonly account: TableAccount,
    init: TableInit,
  ) {
    this.id = init.tableId
    this.request = init.request
    this.recovered = init.recovered
    this.tables = account.tables
    this.taken = init.cursor
    this.seqs = new Seqs(init.cursor)
    this.handedIds = new Set(init.cursor.paymentIds)
    this.lockHanded = init.cursor.locked
    this.paidHanded = init.cursor.paid
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve
      this.rejectReady = reject
    })
    this.ready.catch(() => {})
    if (init.opened) {
      this.state = 'open'
      this.resolveReady()
    }
    this.context = { tableId: this.id, request: this.request, signal: this.abort.signal }
  }

  get provider(): string {
    return this.account.provider
  }

  // ---- opening -----------------------------------------------------------------------------

  /** Sends the create; resolves once the provider has the table, rejects when it was not opened. */
  async open(): Promise<void> {
    let answer: 'created' | 'exists'
    try {
      answer = await this.send(() => this.tables.open(this.context), false)
    } catch (error) {
      if (this.shut) throw error
      if (error instanceof TillkitError && error.outcomeUnknown) {
        // The create may have been applied: a read decides, and `ready` follows it.
        this.lostCreate = error
        this.host.logger.warn(
          { tableId: this.id, error: message(error) },
          'orchestrator: table create answer lost; reading the table',
        )
        this.scheduleRead()
        return this.ready
      }
      this.end('not-opened')
      throw error
    }
    if (answer === 'exists') {
      this.end('not-opened')
      throw new TableError(
        'exists',
        this.request.table,
        `table ${this.request.table} is already open at the provider: close it or use another name`,
      )
    }
    this.opened({
      amount: this.request.amount,
      amountPaid: 0,
      amountGratuity: 0,
      amountCashback: 0,
      locked: false,
      payments: [],
      at: this.host.clock.now(),
    })
  }

  /** Resumes a journaled table: read at once (an unopened one is found, or ended, by that read). */
  resume(): void {
    this.scheduleRead()
  }

  /**
   * A journaled table that had ended before the POS took all its events: those come again (same
   * `seq`), and the table is released once the POS has taken them. Nothing is sent.
   */
  drain(undelivered: readonly TableEvent[]): void {
    this.state = 'closed'
    this.abort.abort()
    this.rejectReady(new TableError('closed', this.request.table, 'the table ended'))
    for (const event of undelivered) if (event.seq > this.taken.delivered) this.stream.push(event)
    this.endStream()
    this.draining = true
    this.releaseIfDrained()
  }

  private releaseIfDrained(): void {
    if (this.draining && !this.stream.waiting().length) this.host.ended(this)
  }

  private opened(state: TableState | undefined): void {
    const first = this.state === 'opening'
    this.state = 'open'
    if (state) this.current = state
    if (first) this.write({ type: 'tableOpened', tableId: this.id, at: this.host.clock.now() })
    this.resolveReady()
    if (this.lastReadSent === -Infinity) this.lastReadSent = this.host.timers.now()
    this.scheduleRead()
  }

  // ---- reading -----------------------------------------------------------------------------

  private scheduleRead(): void {
    if (this.shut || this.state === 'closed' || this.readQueued) return
    const now = this.host.timers.now()
    const cadence = this.tables.pacing.cadenceMs
    let due = this.retryNow ? now : this.lastReadSent + cadence
    if (this.failures) due = Math.max(due, now + backoff(this.failures, cadence, MAX_BACKOFF_MS))
    due = Math.max(due, now)
    this.retryNow = false
    this.readQueued = true
    this.cancelRead = this.host.timers.at(due, () => {
      this.cancelRead = undefined
      if (this.shut || this.state === 'closed') return
      const task: LaneTask = {
        dueAt: due,
        run: (sentAt, hold) => this.sendRead(task, sentAt, hold),
      }
      this.account.lane.submit(task)
    })
  }

  /** Sends a read; the lane holds on its answer (see Lane). */
  private sendRead(task: LaneTask, sentAt: number, hold: Hold): void {
    this.readQueued = false
    if (this.shut || this.state === 'closed') return
    this.lastReadSent = sentAt
    this.dispatched(task.dueAt, sentAt)
    const answer = call(() => this.tables.read(this.context))
    hold(answer)
    answer.then(
      (snapshot) => {
        if (this.shut || this.state === 'closed') return
        this.failures = 0
        this.observe(snapshot)
        this.scheduleRead()
      },
      (error: unknown) => {
        if (this.shut || this.state === 'closed') return
        // The account is over its rate (the lane paused itself): read again once the pause ends.
        if (error instanceof TillkitHttpError && error.status === 429) this.retryNow = true
        else this.failures++
        this.host.logger.warn(
          { tableId: this.id, error: message(error) },
          'orchestrator: table read failed; trying again',
        )
        this.scheduleRead()
      },
    )
  }

  /**
   * A read now, ahead of queued reads, for a write that needs fresh amounts. A table found missing
   * is left to the write to end: after the POS's own close, its absence means the close went
   * through (`closed`, not `gone`).
   */
  private async readNow(): Promise<TableState | undefined> {
    const snapshot = await this.send(() => this.tables.read(this.context), true)
    if (this.shut) throw closedError('table', this.id)
    if (snapshot) this.observe(snapshot)
    return snapshot && this.current
  }

  /** Applies one read: state, then the events it implies. */
  private observe(snapshot: Omit<TableState, 'at'> | undefined): void {
    if (this.state === 'closed') return
    if (!snapshot) {
      if (this.state === 'opening') {
        const error = this.lostCreate ?? new TableError('gone', this.request.table, 'no such table')
        this.end('not-opened', error)
      } else this.end('gone')
      return
    }
    if (this.state === 'opening') {
      const { amount, currency } = this.request
      // After a lost create, a table of that name with other terms is someone else's.
      if (snapshot.amount !== amount || snapshot.payments.some((p) => p.currency !== currency)) {
        const other = `another table ${this.request.table} is open at the provider`
        this.end('not-opened', new TableError('exists', this.request.table, other))
        return
      }
    }
    const now = this.host.clock.now()
    this.current = { ...snapshot, at: now }
    const told: NewEvent[] = []
    if (this.state === 'opening') this.opened(undefined)
    // A lock handed out before a crash (the POS may hold it) and released since: told again (same
    // seq), so that its release follows and the POS is not left believing the table held.
    if (!snapshot.locked && !this.lockHanded && this.seqs.before('locked') !== undefined) {
      this.lockHanded = true
      told.push({ type: 'locked' })
    }
    if (snapshot.locked && !this.lockHanded) {
      this.lockHanded = true
      told.push({
        type: 'locked',
        ...(snapshot.lockedBy !== undefined && { lockedBy: snapshot.lockedBy }),
      })
    }
    for (const payment of snapshot.payments) {
      if (this.handedIds.has(payment.paymentId)) continue
      this.handedIds.add(payment.paymentId)
      told.push({ type: 'tablePayment', payment })
    }
    // Paid before released: a terminal pays the table while it holds it.
    const paidKey = `${snapshot.amount}/${snapshot.amountPaid}`
    if (snapshot.amount > 0 && snapshot.amountPaid >= snapshot.amount) {
      if (this.paidHanded !== paidKey) {
        this.paidHanded = paidKey
        told.push({ type: 'paid', amount: snapshot.amount, amountPaid: snapshot.amountPaid })
      }
    }
    if (!snapshot.locked && this.lockHanded) {
      this.lockHanded = false
      told.push({ type: 'unlocked' })
    }
    // Told again (after a crash) first, in their old order, so they keep their seqs; then the new.
    const again = (e: NewEvent) => this.seqs.before(tells(e)) ?? Infinity
    for (const event of told
      .map((e, i) => [e, i] as const)
      .sort(([a, i], [b, j]) => again(a) - again(b) || i - j))
      this.emit(event[0])
  }

  // ---- writes ------------------------------------------------------------------------------

  setAmount(amount: number): Promise<TableState> {
    try {
      assertInteger('amount', amount, 0, Number.MAX_SAFE_INTEGER)
      this.tables.validate({ ...this.request, amount })
    } catch (error) {
      return Promise.reject(error)
    }
    return this.serial(() => this.guarded(amount))
  }

  close(): Promise<TableState> {
    return this.serial(() => this.guarded(undefined))
  }

  /** Writes of one table go one at a time: each needs the amounts the previous one left. */
  private serial<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write, write)
    this.writes = next.catch(() => {})
    return next
  }

  /** A guarded write (`amount` given: the amount; otherwise the close), with conflict handling. */
  private async guarded(amount: number | undefined): Promise<TableState> {
    await this.ready
    let conflicts = 0
    let lost = 0
    let lockedSince: number | undefined
    /** A terminal holds the table: waits a cadence and reads again (false: the table is gone). */
    const waitForLock = async (seen: TableState): Promise<boolean> => {
      const now = this.host.timers.now()
      lockedSince ??= now
      if (now - lockedSince >= LOCK_WAIT_MS)
        throw new TableError(
          'locked',
          this.request.table,
          `table ${this.request.table} stayed locked${seen.lockedBy ? ` by ${seen.lockedBy}` : ''} for ${LOCK_WAIT_MS / 1000} s; try again when the terminal has finished`,
        )
      await this.sleep(this.tables.pacing.cadenceMs)
      return (await this.readNow()) !== undefined
    }
    for (;;) {
      this.checkUsable()
      const current = this.current ?? (await this.readNow())
      if (!current) return this.goneDuring(amount)
      if (amount !== undefined) {
        if (amount < current.amountPaid)
          throw new TillkitValidationError(
            'amount',
            `must be at least ${current.amountPaid}, what is already paid at the table`,
            String(amount),
          )
        // Already so (also: a write whose answer was lost had been applied).
        if (amount === current.amount) return current
      }
      const guard: TableGuard = { amount: current.amount, amountPaid: current.amountPaid }
      let result: TableWrite
      try {
        result = await this.send(
          () =>
            amount === undefined
              ? this.tables.close(this.context, guard)
              : this.tables.setAmount(this.context, guard, amount),
          true,
        )
      } catch (error) {
        // A lost answer: the guard makes sending again safe (an applied write now mismatches).
        if (error instanceof TillkitError && error.outcomeUnknown && ++lost < MAX_LOST_WRITES) {
          if (!(await this.readNow())) return this.goneDuring(amount)
          continue
        }
        throw error
      }
      switch (result) {
        case 'done':
          if (amount === undefined) {
            this.end('closed')
            return current
          }
          this.current = { ...current, amount, at: this.host.clock.now() }
          return this.current
        case 'missing':
          return this.goneDuring(amount)
        case 'conflict': {
          const seen = await this.readNow()
          if (!seen) return this.goneDuring(amount)
          // The amounts did not change: no mismatch, the terminal holds the table (Connect answers
          // a delete of a locked table 422; it documents no 423 there). Wait as for a 423.
          const held =
            seen.locked && seen.amount === guard.amount && seen.amountPaid === guard.amountPaid
          if (!held && ++conflicts >= MAX_CONFLICTS)
            throw new TableError(
              'conflict',
              this.request.table,
              `table ${this.request.table} kept changing: ${MAX_CONFLICTS} writes in a row found other amounts`,
            )
          if (held && !(await waitForLock(seen))) return this.goneDuring(amount)
          break
        }
        case 'locked':
          if (!(await waitForLock(current))) return this.goneDuring(amount)
          break
      }
    }
  }

  /** The provider no longer has the table: a close is done, an amount change cannot be. */
  private goneDuring(amount: number | undefined): TableState {
    const last = this.current
    if (amount === undefined) {
      this.end('closed')
      if (last) return last
    }
    this.end('gone')
    throw new TableError('gone', this.request.table, `table ${this.request.table} is gone`)
  }

  private checkUsable(): void {
    if (this.shut) throw closedError('table', this.id)
    if (this.state === 'closed')
      throw new TableError('closed', this.request.table, `table ${this.request.table} is closed`)
  }

  /** Waits `ms`; rejects when the table is shut down first (its timers are gone then). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.shut) return reject(closedError('table', this.id))
      const stop = () => {
        cancel()
        reject(closedError('table', this.id))
      }
      const cancel = this.host.timers.after(ms, () => {
        this.abort.signal.removeEventListener('abort', stop)
        resolve()
      })
      this.abort.signal.addEventListener('abort', stop, { once: true })
    })
  }

  /**
   * Sends one request through the account's lane (urgent: ahead of queued reads). A 429 pauses the
   * account and the request goes again after the pause, for up to a minute.
   */
  private send<T>(request: () => Promise<T>, urgent: boolean): Promise<T> {
    const first = this.host.timers.now()
    return new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const task: LaneTask = {
          dueAt: this.host.timers.now(),
          dropped: () => reject(closedError('table', this.id)),
          run: (sentAt, hold) => {
            if (this.shut) return reject(closedError('table', this.id))
            this.dispatched(task.dueAt, sentAt)
            const answer = call(request)
            hold(answer)
            answer.then(resolve, (error: unknown) => {
              // A 429 paused the lane (see Lane): sent again once the pause ends, for a while.
              if (error instanceof TillkitHttpError && error.status === 429) {
                if (!this.shut && this.host.timers.now() - first < RATE_LIMITED_MS) return attempt()
              }
              reject(error)
            })
          },
        }
        this.account.lane.submit(task, urgent)
      }
      attempt()
    })
  }

  private dispatched(dueAt: number, sentAt: number): void {
    this.host.dispatched({
      account: this.account.name,
      tableId: this.id,
      request: 'table',
      dueAt,
      sentAt,
    })
  }

  // ---- events ------------------------------------------------------------------------------

  /**
   * Hands an event to the POS once a cursor naming its `seq` is journaled: after a crash, a `seq`
   * the POS may have seen is never given to another event, and an event told again keeps its own.
   */
  private emit(partial: NewEvent): void {
    const seq = this.seqs.next(tells(partial))
    const event = {
      ...partial,
      seq,
      tableId: this.id,
      table: this.request.table,
      at: this.host.clock.now(),
    } as TableEvent
    this.writeCursor()
    this.chain = this.chain.then(() => this.stream.push(event))
  }

  private writeCursor(): void {
    this.write({
      type: 'tableCursor',
      tableId: this.id,
      at: this.host.clock.now(),
      cursor: { ...this.taken, ...this.seqs.cursor(this.taken.delivered) },
    })
  }

  /** The POS took an event from the stream: that is what the journal's cursor records. */
  private took(event: TableEvent): void {
    this.seqs.took(event.seq)
    const taken = this.taken
    this.taken = {
      delivered: Math.max(taken.delivered, event.seq),
      paymentIds:
        event.type === 'tablePayment'
          ? [...taken.paymentIds, event.payment.paymentId]
          : taken.paymentIds,
      locked: event.type === 'locked' ? true : event.type === 'unlocked' ? false : taken.locked,
      ...(event.type === 'paid'
        ? { paid: `${event.amount}/${event.amountPaid}` }
        : taken.paid !== undefined && { paid: taken.paid }),
    }
    this.writeCursor()
    this.releaseIfDrained()
  }

  [Symbol.asyncIterator](): AsyncIterator<TableEvent> {
    return this.stream.iterate(`table ${this.id}`)
  }

  /**
   * The POS stopped reading an ended table: what it leaves it chose not to take, so the journal owes
   * it nothing more (the table is done with there) and a recovered one is released.
   */
  private readerLeft(): void {
    const last = this.stream.waiting().at(-1)
    if (this.state !== 'closed' || !last) return
    this.taken = { ...this.taken, delivered: last.seq }
    this.seqs.forget()
    this.writeCursor()
    if (this.draining) this.host.ended(this)
  }

  private endStream(): void {
    this.stream.end()
  }

  // ---- ending ------------------------------------------------------------------------------

  /** The table is over: `closed` event (unless it never opened), journal end, released. */
  private end(reason: 'closed' | 'gone' | 'not-opened', why?: unknown): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.cancelRead?.()
    this.abort.abort()
    if (reason !== 'not-opened') this.emit({ type: 'closed', reason })
    // Events still queued stay readable; the stream ends after them (once they reach it). The
    // journal keeps them too: the provider may not show them again, and a crash before the POS
    // takes them must not lose them (`closed` included: a POS waiting for it learns the table ended).
    const at = this.host.clock.now()
    this.chain = this.chain.then(() => {
      this.endStream()
      const waiting = this.stream.waiting()
      this.write({
        type: 'tableEnd',
        tableId: this.id,
        at,
        reason,
        ...(waiting.length && { undelivered: [...waiting] }),
      })
    })
    this.rejectReady(why ?? new TableError('closed', this.request.table, 'the table ended'))
    this.host.ended(this)
  }

  /** Orchestrator closing: stop without ending; the journal keeps the table for `recover()`. */
  shutdown(): void {
    if (this.shut) return
    this.shut = true
    this.cancelRead?.()
    this.abort.abort()
    this.endStream()
    this.rejectReady(closedError('table', this.id))
  }

  /** Settles when every journal record queued so far is written (or its failure logged). */
  async written(): Promise<void> {
    // Links added while the chain runs (a record written once events reached the stream) count too.
    for (let chain; chain !== this.chain;) await (chain = this.chain)
  }

  private write(record: TableJournalRecord): void {
    if (this.shut) return
    const append = this.host.journal.appendTable
    if (!append) return
    const { journal, rewrites } = this.host
    const what = { tableId: this.id, record: record.type }
    this.chain = this.chain.then(async () => {
      await rewrites.append(() => append.call(journal, record), what)
    })
  }
}

/** What a table event tells, to know it when it is told again after a crash. */
function tells(event: NewEvent): string {
  switch (event.type) {
    case 'tablePayment':
      return `payment ${event.payment.paymentId}`
    case 'paid':
      return `paid ${event.amount}/${event.amountPaid}`
    default:
      return event.type
  }
}

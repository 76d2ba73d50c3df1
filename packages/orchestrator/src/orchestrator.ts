import {
  assertObject,
  assertInteger,
  assertKnownFields,
  assertOneOf,
  assertString,
  createRedactor,
  safeLogger,
  systemClock,
  TillkitValidationError,
  uuid,
  type Clock,
  type LoggerLike,
} from '@tillkit/core'
import type { AdapterTerminal, ProviderAdapter } from './adapter.js'
import { JournalWriteError } from './errors.js'
import {
  EMPTY_CURSOR,
  EMPTY_TABLE_CURSOR,
  jsonCopy,
  maySendHaveLeft,
  type JournalEntry,
  type JournalStore,
  type TableJournalEntry,
} from './journal.js'
import { createMemoryJournal } from './journals/memory.js'
import {
  Run,
  type DispatchInfo,
  type Payment,
  type RunAccount,
  type RunHost,
  type SignaturePolicy,
} from './payment.js'
import { Rewrites } from './rewrites.js'
import { Lane, lanePhase, Timers } from './scheduler.js'
import { checkTableRequest, PRINTABLE, TableWatch, type Table, type TableHost } from './tables.js'
import {
  PAYMENT_KINDS,
  type Outcome,
  type PaymentKind,
  type PaymentRequest,
  type TableRequest,
  type TerminalInfo,
} from './types.js'

export interface OrchestratorOptions {
  /** One adapter per provider account, by the name payments use in `account`. */
  accounts: Readonly<Record<string, ProviderAdapter>>
  /** Default: an in-memory journal (lost with the process: use `createFileJournal` in production). */
  journal?: JournalStore
  /** Every wait (cadence, spacing, back-off, signature deadlines) runs on it. Default `systemClock`. */
  clock?: Clock
  /** Fields and messages are redacted. */
  logger?: LoggerLike
  signature?: SignaturePolicy
  /**
   * Added to every account's request spacing: over a real network two requests sent exactly
   * `spacingMs` apart can arrive closer than that. Default 0.
   */
  spacingMarginMs?: number
  /** Called as each request leaves (for metrics: cadence error is `sentAt - dueAt` of polls). */
  onDispatch?: (info: DispatchInfo) => void
}

/** A payment without its kind: what `accountVerification` takes (the others need more). */
export type PaymentInput = Omit<PaymentRequest, 'kind'>

/**
 * What `sale`, `refund`, `preAuth` and `completion` take: a payment with its amount. (What else a
 * completion needs depends on the provider: Connect wants `authCode` and `preAuthAmount`, SmartConnect
 * the pre-auth's `original` ids; the adapter checks it before anything is sent.)
 */
export type AmountInput = PaymentInput & { amount: number }

export interface Orchestrator {
  /**
   * Starts a payment: checks it (TillkitValidationError before anything else), records the intent
   * in the journal (JournalWriteError, nothing sent, if that fails), queues the start request and
   * resolves with the Payment. Events and outcome follow on the Payment.
   */
  pay(request: PaymentRequest): Promise<Payment>
  sale(request: AmountInput): Promise<Payment>
  refund(request: AmountInput): Promise<Payment>
  preAuth(request: AmountInput): Promise<Payment>
  completion(request: AmountInput): Promise<Payment>
  accountVerification(request: PaymentInput): Promise<Payment>
  /** Terminals of one account, or of every account; also refreshes the currency checks. */
  terminals(account?: string): Promise<TerminalInfo[]>
  terminalStatus(account: string, terminal: string): Promise<TerminalInfo>
  /**
   * Resumes every unfinished payment in the journal (call once at start-up, before new payments):
   * those whose start answered are polled again and deliver only events not yet delivered; a start
   * whose answer never came is looked up where the provider allows it, and otherwise settles
   * `unknown` with reconciliation facts, without anything being sent.
   */
  recover(): Promise<Payment[]>
  /** A payment still running in this orchestrator. */
  payment(paymentId: string): Payment | undefined
  /**
   * The outcome of a payment that has settled, from the journal: after a restart, how the POS
   * learns the result of a payment that settled before the crash but was not yet handled (`recover()`
   * resumes only payments without an outcome). Undefined for a payment still running, or unknown to
   * the journal (stores keep a bounded number of finished payments).
   */
  outcomeOf(paymentId: string): Promise<Outcome | undefined>
  /** Payments running now. */
  readonly running: number
  /**
   * Pay at table: opens a bill at the provider (checked first: TillkitValidationError; journaled:
   * JournalWriteError) and resolves with the Table once the provider has it. Its events tell each
   * payment taken at the table once. Rejects with a TableError (`exists`) when the provider already
   * has a table of that name, and with a TillkitValidationError for an account without tables.
   */
  openTable(request: TableRequest): Promise<Table>
  /** An open table of this orchestrator (opened here or recovered). */
  table(tableId: string): Table | undefined
  /** Open tables, opened here or recovered. */
  tables(): Table[]
  /**
   * Stops all work: nothing more is sent or journaled, running payments' `outcome` reject with a
   * TillkitAbortedError and stay in the journal for `recover()`. Closes the adapters, and the
   * journal when it is the default one.
   */
  close(): Promise<void>
}

interface Account extends RunAccount {
  /** Terminals from the adapter's configuration: when present, other terminals are refused. */
  configured?: Map<string, AdapterTerminal>
  /** Terminals seen in listings: their currencies are checked. */
  seen: Map<string, AdapterTerminal>
}

const CURRENCY = /^[A-Z]{3}$/
/** Every field of a {@link PaymentRequest} (the `satisfies` keeps the list complete). */
const REQUEST_FIELDS = Object.keys({
  kind: 1,
  account: 1,
  terminal: 1,
  amount: 1,
  currency: 1,
  reference: 1,
  cashback: 1,
  authCode: 1,
  preAuthAmount: 1,
  original: 1,
  extra: 1,
} satisfies Record<keyof PaymentRequest, 1>)

/** Every field of a {@link TableRequest} (the `satisfies` keeps the list complete). */
const TABLE_FIELDS = {
  account: 1,
  table: 1,
  amount: 1,
  currency: 1,
  reference: 1,
  receipt: 1,
  waiterIds: 1,
} satisfies Record<keyof TableRequest, 1>

/**
 * Every name of {@link OrchestratorOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const OPTION_NAMES = {
  accounts: 1,
  journal: 1,
  clock: 1,
  logger: 1,
  signature: 1,
  spacingMarginMs: 1,
  onDispatch: 1,
} satisfies Record<keyof OrchestratorOptions, 1>
/** The same for {@link SignaturePolicy}. */
const SIGNATURE_NAMES = { answerWithinMs: 1, whenUnanswered: 1 } satisfies Record<
  keyof SignaturePolicy,
  1
>

export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  assertObject('options', options)
  assertKnownFields(options, OPTION_NAMES, 'options.')
  const clock = options.clock ?? systemClock
  const redact = createRedactor()
  const logger = safeLogger(options.logger, redact)
  const margin = options.spacingMarginMs ?? 0
  assertInteger('options.spacingMarginMs', margin, 0, 10_000)
  const policy = checkSignaturePolicy(options.signature ?? {})
  const timers = new Timers(clock)
  const ownJournal = options.journal === undefined
  const journal = options.journal ?? createMemoryJournal()
  const live = new Map<string, Run>()
  const openTables = new Map<string, TableWatch>()
  let closed = false
  let closing: Promise<void> | undefined
  const checkOpen = () => {
    if (closed) throw new TillkitValidationError('orchestrator', 'is closed')
  }
  /** Intents, table openings and ends being journaled: `close()` waits for them. */
  const journaling = new Set<Promise<unknown>>()
  /** Settled payments whose records (the outcome among them) are still being journaled. */
  const landing = new Set<string>()

  /**
   * Writes what starts a payment or a table, then hands over. When the orchestrator closed while it
   * was written, nothing will be sent: `ending` is journaled too, so `recover()` never sends what the
   * POS was told was refused, and the call rejects as any call after `close()` does.
   */
  function journalFirst<T>(
    what: 'payment' | 'table',
    id: string,
    writing: () => Promise<void>,
    ending: () => Promise<void>,
    /** Takes over in the same turn as the check, so a close() cannot slip in between. */
    then: () => T,
  ): Promise<T> {
    const work = (async () => {
      let written = false
      try {
        await writing()
        written = true
        if (closed) await ending()
      } catch (error) {
        throw new JournalWriteError(id, error, what, written)
      }
      if (closed) throw new TillkitValidationError('orchestrator', 'is closed')
      return then()
    })()
    journaling.add(work)
    const done = () => journaling.delete(work)
    work.then(done, done)
    return work
  }

  if (typeof options.accounts !== 'object' || options.accounts === null)
    throw new TillkitValidationError('options.accounts', 'must be an object of adapters')
  const accounts = new Map<string, Account>()
  for (const [name, adapter] of Object.entries(options.accounts)) {
    assertString('options.accounts', name, { minLength: 1, maxLength: 64 })
    checkPacing(`options.accounts.${name}`, adapter)
    adapter.attach?.({ clock, logger, secret: (value) => redact.add(value) })
    const configured = adapter.terminals?.length
      ? new Map(adapter.terminals.map((t) => [t.terminal, t]))
      : undefined
    accounts.set(name, {
      name,
      adapter,
      lane: new Lane(
        timers,
        adapter.pacing.spacingMs + margin,
        lanePhase(accounts.size, adapter.pacing.spacingMs + margin),
      ),
      ...(configured && { configured }),
      seen: new Map(),
    })
  }
  if (!accounts.size)
    throw new TillkitValidationError('options.accounts', 'must name at least one account')
  const names = [...accounts.keys()]

  const rewrites = new Rewrites(timers, logger)
  const host: RunHost = {
    clock,
    timers,
    journal,
    logger,
    rewrites,
    redact,
    signature: policy,
    dispatched(info) {
      if (!options.onDispatch) return
      try {
        options.onDispatch(info)
      } catch {
        // Metrics must never disturb a payment.
      }
    },
    settled(run) {
      live.delete(run.id)
      // Its outcome may still be on its way to the journal (refused, being written again): until
      // it lands, the journal shows the payment unfinished, and recover() must not resume it.
      landing.add(run.id)
      void run.written().then(() => landing.delete(run.id))
    },
  }
  const tableHost: TableHost = {
    clock,
    timers,
    journal,
    logger,
    rewrites,
    dispatched: host.dispatched,
    ended(table) {
      openTables.delete(table.id)
      // Its last records (the end, what the POS had not taken) may still be on their way: close()
      // waits for them as for an intent.
      const writing = table.written()
      journaling.add(writing)
      void writing.then(() => journaling.delete(writing))
    },
  }

  const accountOf = (name: unknown, field = 'account'): Account => {
    assertOneOf(field, name, names)
    return accounts.get(name)!
  }

  async function pay(request: PaymentRequest): Promise<Payment> {
    if (closed) throw new TillkitValidationError('orchestrator', 'is closed')
    const account = checkRequest(request)
    const copy = jsonCopy(request)
    const ids = account.adapter.prepare?.(copy) ?? {}
    const paymentId = uuid()
    const at = clock.now()
    const { provider } = account.adapter
    return journalFirst(
      'payment',
      paymentId,
      () =>
        journal.append({
          type: 'intent',
          paymentId,
          at,
          provider,
          request: copy,
          ids,
          marksSend: true,
        }),
      () => {
        const outcome: Outcome = {
          status: 'failed',
          reasonCode: 'closed',
          reason: 'the orchestrator closed before the start request was sent; nothing was sent',
          paymentId,
          provider,
          account: copy.account,
          terminal: copy.terminal,
          kind: copy.kind,
          reference: copy.reference,
          currency: copy.currency,
          amounts: copy.amount === undefined ? {} : { requested: copy.amount },
          providerIds: {},
          at: clock.now(),
        }
        return journal.append({ type: 'outcome', paymentId, at: outcome.at, outcome })
      },
      () => {
        const run = new Run(host, account, {
          paymentId,
          request: copy,
          startedAt: at,
          ids,
          started: false,
          cursor: EMPTY_CURSOR,
          recovered: false,
        })
        live.set(paymentId, run)
        run.begin()
        return run
      },
    )
  }

  /** The checks every provider shares, then the adapter's own. Throws before anything is written. */
  function checkRequest(request: PaymentRequest): Account {
    assertObject('request', request)
    // A mis-spelt field (`cashBack`) would otherwise be dropped in silence.
    for (const [field, value] of Object.entries(request))
      if (value !== undefined && !REQUEST_FIELDS.includes(field))
        throw new TillkitValidationError(
          field,
          `is not a payment field (those are ${REQUEST_FIELDS.join(', ')})`,
        )
    const account = accountOf(request.account)
    const { adapter } = account
    assertOneOf('kind', request.kind, PAYMENT_KINDS)
    if (!adapter.capabilities.kinds.includes(request.kind))
      throw new TillkitValidationError(
        'kind',
        `must be one of ${adapter.capabilities.kinds.join(', ')} with ${adapter.provider}`,
        request.kind,
      )
    assertString('terminal', request.terminal, { minLength: 1, maxLength: 64 })
    if (request.amount !== undefined || request.kind !== 'accountVerification')
      assertInteger('amount', request.amount, 1, Number.MAX_SAFE_INTEGER)
    assertString('currency', request.currency, { pattern: CURRENCY })
    assertString('reference', request.reference, { pattern: PRINTABLE })
    if (request.cashback !== undefined)
      assertInteger('cashback', request.cashback, 0, Number.MAX_SAFE_INTEGER)
    if (request.preAuthAmount !== undefined)
      assertInteger('preAuthAmount', request.preAuthAmount, 1, Number.MAX_SAFE_INTEGER)
    if (request.authCode !== undefined)
      assertString('authCode', request.authCode, { minLength: 1, maxLength: 64 })
    for (const field of ['original', 'extra'] as const) {
      const value = request[field]
      if (
        value !== undefined &&
        (typeof value !== 'object' || value === null || Array.isArray(value))
      )
        throw new TillkitValidationError(field, 'must be an object')
    }
    for (const [key, value] of Object.entries(request.original ?? {}))
      assertString(`original.${key}`, value, { minLength: 1 })
    const terminal = configured(account, request.terminal) ?? account.seen.get(request.terminal)
    if (terminal?.currencies && !terminal.currencies.includes(request.currency))
      throw new TillkitValidationError(
        'currency',
        `must be one of ${terminal.currencies.join(', ')} on terminal ${request.terminal}`,
        request.currency,
      )
    adapter.validate(request, terminal)
    return account
  }

  /** A listing or status request, through the account's lane like any other request. */
  function spaced<T>(account: Account, send: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const dueAt = timers.now()
      account.lane.submit({
        dueAt,
        dropped: () => reject(new TillkitValidationError('orchestrator', 'is closed')),
        run: (sentAt, hold) => {
          host.dispatched({ account: account.name, request: 'terminals', dueAt, sentAt })
          const answer = Promise.resolve().then(send)
          hold(answer)
          answer.then(resolve, reject)
        },
      })
    })
  }

  /** The terminal as configured; throws when the account names its terminals and not this one. */
  function configured(account: Account, terminal: string): AdapterTerminal | undefined {
    const known = account.configured?.get(terminal)
    if (account.configured && !known)
      throw new TillkitValidationError(
        'terminal',
        `must be a terminal of account ${account.name}`,
        terminal,
      )
    return known
  }

  /**
   * Notes what a listing or status read says of a terminal. Its currencies, once seen, are kept
   * when a later read does not name them (a status read of a terminal that is offline right now).
   */
  function remember(account: Account, t: AdapterTerminal): void {
    const before = account.seen.get(t.terminal)
    account.seen.set(
      t.terminal,
      t.currencies || !before?.currencies ? t : { ...t, currencies: before.currencies },
    )
  }

  const info = (account: Account, t: AdapterTerminal): TerminalInfo => ({
    ...t,
    account: account.name,
    provider: account.adapter.provider,
  })

  async function listTerminals(account: Account): Promise<TerminalInfo[]> {
    const terminals = await spaced(account, () => account.adapter.listTerminals())
    for (const t of terminals) remember(account, t)
    return terminals.map((t) => info(account, t))
  }

  /** Payments resumed by a recover() that then failed: the next recover() hands them over. */
  const unclaimed: Payment[] = []

  async function recover(): Promise<Payment[]> {
    checkOpen()
    // Both lists first: a store that fails on the second has resumed nothing yet.
    const entries = await journal.unfinished()
    const tables = (await journal.openTables?.()) ?? []
    for (const entry of entries) {
      if (closed) break
      if (live.has(entry.paymentId) || landing.has(entry.paymentId)) continue
      const run = recoverOne(entry)
      if (run) unclaimed.push(run)
    }
    for (const entry of tables) {
      if (closed) break
      if (!openTables.has(entry.tableId)) recoverTable(entry)
    }
    return unclaimed.splice(0)
  }

  /** A journaled table: watched again, its events continuing from what the POS had taken. */
  function recoverTable(entry: TableJournalEntry): void {
    const account = accounts.get(entry.request.account)
    if (!account?.adapter.tables || account.adapter.provider !== entry.provider) {
      logger.error(
        { tableId: entry.tableId, account: entry.request.account, provider: entry.provider },
        'orchestrator: journaled table of an account not configured here; not recovered',
      )
      return
    }
    const watch = new TableWatch(tableHost, tableAccount(account), {
      tableId: entry.tableId,
      request: entry.request,
      opened: entry.opened,
      cursor: entry.cursor,
      recovered: true,
    })
    openTables.set(entry.tableId, watch)
    if (entry.ended) watch.drain(entry.undelivered ?? [])
    else watch.resume()
  }

  function tableAccount(account: Account) {
    return {
      name: account.name,
      provider: account.adapter.provider,
      tables: account.adapter.tables!,
      lane: account.lane,
    }
  }

  async function openTable(request: TableRequest): Promise<Table> {
    if (closed) throw new TillkitValidationError('orchestrator', 'is closed')
    assertObject('request', request)
    // A misspelt field (`waiterIDs`) would otherwise be dropped in silence.
    assertKnownFields(request, TABLE_FIELDS)
    const account = accountOf(request.account)
    const capability = account.adapter.tables
    if (!capability)
      throw new TillkitValidationError(
        'account',
        `has no pay at table with ${account.adapter.provider}`,
        request.account,
      )
    checkTableRequest(request)
    // A recovered table that had ended (its events still handed over) does not hold the name.
    for (const open of openTables.values())
      if (
        open.state !== 'closed' &&
        open.request.account === request.account &&
        open.request.table === request.table
      )
        throw new TillkitValidationError('table', 'is already open here', request.table)
    capability.validate(request)
    if (!journal.appendTable || !journal.openTables)
      throw new TillkitValidationError('journal', 'must keep tables (appendTable, openTables)')
    const copy = jsonCopy(request)
    const tableId = uuid()
    const appendTable = journal.appendTable.bind(journal)
    const watch = await journalFirst(
      'table',
      tableId,
      () =>
        appendTable({
          type: 'tableOpen',
          tableId,
          at: clock.now(),
          provider: account.adapter.provider,
          request: copy,
        }),
      () => appendTable({ type: 'tableEnd', tableId, at: clock.now(), reason: 'not-opened' }),
      () => {
        const opening = new TableWatch(tableHost, tableAccount(account), {
          tableId,
          request: copy,
          opened: false,
          cursor: EMPTY_TABLE_CURSOR,
          recovered: false,
        })
        openTables.set(tableId, opening)
        return opening
      },
    )
    await watch.open()
    return watch
  }

  function recoverOne(entry: JournalEntry): Run | undefined {
    const account = accounts.get(entry.request.account)
    if (!account || account.adapter.provider !== entry.provider) {
      // Nobody here can ask the provider: leave it for an orchestrator configured with the account.
      logger.error(
        { paymentId: entry.paymentId, account: entry.request.account, provider: entry.provider },
        'orchestrator: journaled payment of an account not configured here; not recovered',
      )
      return undefined
    }
    const run = new Run(host, account, {
      paymentId: entry.paymentId,
      request: entry.request,
      startedAt: entry.startedAt,
      ids: entry.ids,
      started: entry.started,
      cursor: entry.cursor,
      recovered: true,
    })
    live.set(entry.paymentId, run)
    if (!maySendHaveLeft(entry)) run.neverSent()
    else if (entry.started || account.adapter.capabilities.findsLostStarts) run.resume()
    else run.lostBeforeRecovery()
    return run
  }

  const kind =
    (k: PaymentKind) =>
    (request: PaymentInput): Promise<Payment> =>
      pay({ ...(request as PaymentInput), kind: k })

  return {
    pay,
    sale: kind('sale'),
    refund: kind('refund'),
    preAuth: kind('preAuth'),
    completion: kind('completion'),
    accountVerification: kind('accountVerification'),
    async terminals(name) {
      checkOpen()
      const chosen = name === undefined ? [...accounts.values()] : [accountOf(name)]
      const lists = await Promise.all(chosen.map(listTerminals))
      return lists.flat()
    },
    async terminalStatus(name, terminal) {
      checkOpen()
      const account = accountOf(name)
      assertString('terminal', terminal, { minLength: 1, maxLength: 64 })
      configured(account, terminal)
      const t = await spaced(account, () => account.adapter.terminalStatus(terminal))
      remember(account, t)
      return info(account, t)
    },
    recover,
    payment: (id) => live.get(id),
    outcomeOf: async (id) => (await journal.get(id))?.outcome,
    get running() {
      return live.size
    },
    openTable,
    table: (id) => openTables.get(id),
    tables: () => [...openTables.values()],
    close() {
      // Called again (or at once by another caller), it resolves with the first close.
      closing ??= closeAll()
      return closing
    },
  }

  async function closeAll(): Promise<void> {
    closed = true
    const runs = [...live.values()]
    for (const run of runs) run.close()
    live.clear()
    const tables = [...openTables.values()]
    for (const table of tables) table.shutdown()
    openTables.clear()
    // What waits in an account's queue is dropped: its caller's promise rejects, nothing hangs.
    for (const account of accounts.values()) account.lane.close()
    timers.close()
    // A record the journal refuses gets one last try from here on, so nothing below waits for ever.
    rewrites.stop()
    // What was queued before the close still reaches the journal (a cursor the POS moved, an
    // outcome), and so do intents being written (ended at once: they will not be sent).
    await Promise.all([...runs, ...tables].map((owner) => owner.written()))
    await Promise.allSettled(journaling)
    // Records whose write failed get one more try (a payment's outcome among them).
    await rewrites.close()
    await Promise.all([...accounts.values()].map((a) => a.adapter.close?.().catch(() => {})))
    if (ownJournal) await journal.close?.()
  }
}

function checkPacing(field: string, adapter: ProviderAdapter): void {
  if (typeof adapter !== 'object' || adapter === null || typeof adapter.start !== 'function')
    throw new TillkitValidationError(field, 'must be a provider adapter')
  const { pacing } = adapter
  const [min, max] = pacing.cadenceRangeMs
  assertInteger(`${field}.pacing.cadenceMs`, pacing.cadenceMs, min, max)
  assertInteger(`${field}.pacing.spacingMs`, pacing.spacingMs, 0, 60_000)
  assertInteger(`${field}.pacing.retentionMs`, pacing.retentionMs, 1, Number.MAX_SAFE_INTEGER)
  if (adapter.tables) {
    const [low, high] = adapter.tables.pacing.cadenceRangeMs
    assertInteger(`${field}.tables.pacing.cadenceMs`, adapter.tables.pacing.cadenceMs, low, high)
  }
}

function checkSignaturePolicy(policy: SignaturePolicy): Required<SignaturePolicy> {
  assertObject('options.signature', policy)
  assertKnownFields(policy, SIGNATURE_NAMES, 'options.signature.')
  const answerWithinMs = policy.answerWithinMs ?? 0
  assertInteger('options.signature.answerWithinMs', answerWithinMs, 0, 3_600_000)
  const whenUnanswered = policy.whenUnanswered ?? 'decline'
  assertOneOf('options.signature.whenUnanswered', whenUnanswered, ['decline', 'accept', 'provider'])
  return { answerWithinMs, whenUnanswered }
}

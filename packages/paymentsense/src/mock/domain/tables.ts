import type {
  Currency,
  PatReceiptLine,
  ReportType,
  Table,
  TableGuard,
  TablePayment,
  TransactionResult,
} from '../types.js'
import { MAX_AMOUNT, MAX_CASHBACK } from '../../limits.js'
import type { Environment } from './env.js'
import { refuse, type RefusalKind } from './errors.js'
import type { LedgerEntry } from './ledger.js'
import { compileReport, type CompleteReport } from './report.js'
import type { TerminalState } from './terminal.js'
import {
  asObject,
  booleanField,
  integerField,
  isCurrency,
  receiptField,
  stringField,
  stringListField,
  type Body,
} from './validate.js'

/** PAT reports stay listed for three days. */
export const PAT_REPORT_WINDOW_MS = 3 * 24 * 3_600_000

interface TableRecord {
  tableName: string
  currency: Currency
  amount: number
  amountCashback: number
  amountGratuity: number
  amountPaid: number
  payments: TablePayment[]
  locked: boolean
  lockedBy: string
  /** Set when a terminal holds the lock: the EPoS then gets 423 on writes. */
  lockingTid: string | undefined
  waiterIds: string[]
  receipt: PatReceiptLine[]
}

export interface PatReportRecord extends CompleteReport {
  reportId: string
  createdAt: number
}

/** A payment taken at a table from the terminal side. */
export interface TablePaymentRequest {
  amount: number
  amountGratuity?: number
  amountCashback?: number
  /** `decline` makes the acquirer refuse it (recorded in the ledger, table unchanged). */
  outcome?: 'approve' | 'decline'
}

export interface TablePaymentResult {
  result: TransactionResult
  /** The payment added to the table, when approved. */
  payment?: TablePayment
  entry: LedgerEntry
}

const GUARD_FIELDS = ['lastKnownAmount', 'lastKnownPaidAmount'] as const
/** Half of a surrogate pair on its own (whole pairs are one code point in a `u` pattern). */
const LONE_SURROGATE = /\p{Surrogate}/u

/** The pay-at-table model: bills the EPoS keeps in the cloud and terminals pay from. */
export class TableBook {
  private readonly tables = new Map<string, TableRecord>()
  private readonly reports: PatReportRecord[] = []

  constructor(private readonly env: Environment) {}

  // ---- EPoS side -------------------------------------------------------------------------

  list(filter: { locked?: boolean; currency?: Currency } = {}): Table[] {
    return [...this.tables.values()]
      .filter((t) => filter.locked === undefined || t.locked === filter.locked)
      .filter((t) => filter.currency === undefined || t.currency === filter.currency)
      .map((t) => view(t, false))
  }

  get(name: string, withReceipt = false): Table {
    return view(this.find(name), withReceipt)
  }

  create(value: unknown): Table {
    const body = asObject(value, ['tableName', 'amount', 'currency', 'receipt', 'waiterIds'])
    const tableName = stringField(body, 'tableName')
    // JSON can carry half a surrogate pair; such a name has no URL (its location could not be
    // written, and no path could ever address it), so it is refused before anything is stored.
    if (LONE_SURROGATE.test(tableName)) refuse('invalid', 'tableName must be well-formed text.')
    const amount = integerField(body, 'amount', 0, MAX_AMOUNT)
    if (!isCurrency(body.currency)) refuse('invalid', 'currency must be GBP or EUR.')
    const receipt = receiptField(body, 'receipt', true) ?? []
    const waiterIds = stringListField(body, 'waiterIds', true) ?? []
    if (this.tables.has(tableName)) refuse('exists', `Table ${tableName} already exists.`)
    const record: TableRecord = {
      tableName,
      currency: body.currency as Currency,
      amount,
      amountCashback: 0,
      amountGratuity: 0,
      amountPaid: 0,
      payments: [],
      locked: false,
      lockedBy: '',
      lockingTid: undefined,
      waiterIds,
      receipt,
    }
    this.tables.set(tableName, record)
    return view(record, true)
  }

  remove(name: string, value: unknown): void {
    // Connect documents 404 and 422 for a delete, not 423: a locked table is refused as a 422.
    this.guardedWrite(name, value, [], { whenLocked: 'conflict-state' })
    this.tables.delete(name)
  }

  updateAmount(name: string, value: unknown): void {
    const { table, body } = this.guardedWrite(name, value, ['newAmount'])
    const newAmount = integerField(body, 'newAmount', 0, MAX_AMOUNT)
    if (newAmount < table.amountPaid) {
      refuse('invalid', 'newAmount cannot be less than the amount already paid.')
    }
    table.amount = newAmount
  }

  updateReceipt(name: string, value: unknown): void {
    const { table, body } = this.guardedWrite(name, value, ['newReceipt'])
    table.receipt = receiptField(body, 'newReceipt')!
  }

  updateWaiterIds(name: string, value: unknown): void {
    const { table, body } = this.guardedWrite(name, value, ['newWaiterIds'])
    table.waiterIds = stringListField(body, 'newWaiterIds')!
  }

  /** The EPoS locks or unlocks; a terminal's lock can only be broken with `override`. */
  updateLock(name: string, value: unknown): void {
    const { table, body } = this.guardedWrite(name, value, ['locked', 'lockedBy', 'override'], {
      overridable: true,
    })
    const locked = booleanField(body, 'locked')
    const lockedBy = stringField(body, 'lockedBy', true) ?? 'EPoS'
    table.locked = locked
    table.lockedBy = locked ? lockedBy : ''
    table.lockingTid = undefined
  }

  // ---- terminal side ---------------------------------------------------------------------

  currencyOf(name: string): Currency {
    return this.find(name).currency
  }

  lockFromTerminal(name: string, terminal: TerminalState): void {
    const table = this.find(name)
    const { tid } = terminal
    if (table.locked && table.lockingTid !== tid) {
      refuse('locked', `Table ${name} is locked by ${table.lockedBy}.`)
    }
    // It could never pay the table, while its lock kept every other terminal and the EPoS out.
    if (terminal.currency !== table.currency) {
      refuse('invalid', `Terminal ${tid} does not take ${table.currency}.`)
    }
    table.locked = true
    table.lockedBy = tid
    table.lockingTid = tid
  }

  unlockFromTerminal(name: string): void {
    const table = this.find(name)
    if (table.lockingTid === undefined) return
    table.locked = false
    table.lockedBy = ''
    table.lockingTid = undefined
  }

  /** A card payment at the table: goes to the acquirer, and when approved raises `amountPaid`. */
  pay(
    name: string,
    terminal: TerminalState,
    request: TablePaymentRequest,
    at: number,
  ): TablePaymentResult {
    const table = this.find(name)
    if (table.locked && table.lockingTid !== terminal.tid) {
      refuse('locked', `Table ${name} is locked by ${table.lockedBy}.`)
    }
    if (terminal.currency !== table.currency) {
      refuse('invalid', `Terminal ${terminal.tid} does not take ${table.currency}.`)
    }
    if (terminal.active) {
      refuse('busy', `Terminal ${terminal.tid} is busy processing another request.`)
    }
    const outstanding = table.amount - table.amountPaid
    const probe: Body = { ...request }
    const amount = integerField(probe, 'amount', 1, Math.max(1, outstanding))
    if (amount > outstanding) refuse('invalid', `Only ${outstanding} is left to pay.`)
    const amountGratuity = integerField(probe, 'amountGratuity', 0, MAX_AMOUNT, true) ?? 0
    const amountCashback = integerField(probe, 'amountCashback', 0, MAX_CASHBACK, true) ?? 0
    const approved = request.outcome !== 'decline'
    const paymentId = this.env.ids.requestId()
    const authCode = approved ? this.env.ids.authCode() : undefined
    const waiterId = table.waiterIds[0]
    const entry = this.env.ledger.record({
      at,
      tid: terminal.tid,
      requestId: paymentId,
      kind: 'table-payment',
      amount,
      amountCashback,
      amountGratuity,
      currency: table.currency,
      ...(authCode !== undefined && { authCode }),
      result: approved ? 'SUCCESSFUL' : 'DECLINED',
      cardSchemeName: 'VISA',
      transactionNumber: terminal.nextTransactionNumber(),
      ...(waiterId !== undefined && { waiterId }),
    })
    if (!approved || authCode === undefined) return { result: 'DECLINED', entry }
    const payment: TablePayment = {
      paymentId,
      amountPaid: amount,
      amountCashback,
      amountGratuity,
      authCode,
      currency: table.currency,
      cardSchemeName: 'VISA',
      paymentMethod: 'CONTACTLESS',
      time: new Date(at).toISOString(),
    }
    table.payments.push(payment)
    table.amountPaid += amount
    table.amountCashback += amountCashback
    table.amountGratuity += amountGratuity
    return { result: 'SUCCESSFUL', payment: structuredClone(payment), entry }
  }

  /** A report printed on a pay-at-table terminal; listed by `GET /pat/reports` for 3 days. */
  runReport(terminal: TerminalState, reportType: ReportType, at: number): PatReportRecord {
    const record: PatReportRecord = {
      ...compileReport(terminal, this.env, reportType, at, { complete: true }),
      reportTime: new Date(at).toISOString(),
      reportId: this.env.ids.requestId(),
      createdAt: at,
    }
    this.reports.push(record)
    return record
  }

  listReports(now: number): PatReportRecord[] {
    return this.reports.filter((r) => now - r.createdAt < PAT_REPORT_WINDOW_MS)
  }

  getReport(reportId: string, now: number): PatReportRecord {
    const report = this.listReports(now).find((r) => r.reportId === reportId)
    return report ?? refuse('not-found', `No report ${reportId}.`)
  }

  // ---- internals -------------------------------------------------------------------------

  private find(name: string): TableRecord {
    return this.tables.get(name) ?? refuse('not-found', `No table named ${name}.`)
  }

  /**
   * Every EPoS write: the table must exist, the body must be valid, no terminal may hold the lock
   * (423), and the caller's last known amounts must match (422), so that a write never undoes a
   * payment the EPoS has not seen yet.
   */
  private guardedWrite(
    name: string,
    value: unknown,
    fields: string[],
    {
      overridable = false,
      whenLocked = 'locked',
    }: { overridable?: boolean; whenLocked?: RefusalKind } = {},
  ): { table: TableRecord; body: Body } {
    const table = this.find(name)
    const body = asObject(value, [...GUARD_FIELDS, ...fields])
    const guard: TableGuard = {
      lastKnownAmount: integerField(body, 'lastKnownAmount', 0, MAX_AMOUNT),
      lastKnownPaidAmount: integerField(body, 'lastKnownPaidAmount', 0, MAX_AMOUNT),
    }
    const override = overridable && booleanField(body, 'override', true) === true
    if (table.lockingTid !== undefined && !override) {
      refuse(whenLocked, `Table ${name} is locked by terminal ${table.lockingTid}.`)
    }
    if (guard.lastKnownAmount !== table.amount) {
      refuse(
        'invalid',
        'lastKnownAmount does not match the table: it has changed since you read it.',
      )
    }
    if (guard.lastKnownPaidAmount !== table.amountPaid) {
      refuse(
        'invalid',
        'lastKnownPaidAmount does not match the table: a payment has been taken since you read it.',
      )
    }
    return { table, body }
  }
}

function view(table: TableRecord, withReceipt: boolean): Table {
  return structuredClone({
    tableName: table.tableName,
    amount: table.amount,
    amountCashback: table.amountCashback,
    amountGratuity: table.amountGratuity,
    amountPaid: table.amountPaid,
    payments: table.payments,
    locked: table.locked,
    lockedBy: table.lockedBy,
    waiterIds: table.waiterIds,
    ...(withReceipt && { receipt: table.receipt }),
  })
}

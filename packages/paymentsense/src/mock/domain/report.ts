import type {
  Balances,
  Banking,
  ReceiptLine,
  ReportNotification,
  ReportResponse,
  ReportType,
} from '../types.js'
import { terminalTime, type Environment } from './env.js'
import { money, separator } from './receipts.js'
import { Run, type Script } from './run.js'
import type { TerminalState } from './terminal.js'
import { balances, banking, sessionEntries } from './totals.js'

/** Steps a terminal spends printing a report. */
const REPORT_STEPS = 3
/** How long a terminal pinned to scenario `timeout` takes before its report ends TIMED_OUT. */
export const REPORT_TIMEOUT_MS = 60_000

export interface ReportContent {
  tid: string
  reportType: ReportType
  reportResult: 'COMPLETE' | 'TIMED_OUT'
  reportTime: string
  reportLines: ReceiptLine[]
  balances?: Balances
  banking?: Banking
}

/** A report the terminal produced. */
export type CompleteReport = ReportContent & { reportResult: 'COMPLETE' }

/**
 * Computes a report from the ledger. X balance, Z balance and end of day carry balances; banking
 * and end of day carry banking totals; Z balance and end of day then start a new session.
 */
export function compileReport(
  terminal: TerminalState,
  env: Environment,
  reportType: ReportType,
  at: number,
  /** Include balances and banking whatever the type (pay-at-table reports always carry both). */
  { complete = false } = {},
): CompleteReport {
  const current = sessionEntries(env.ledger, terminal.tid, terminal.session)
  const previous = terminal.previousSession
    ? sessionEntries(env.ledger, terminal.tid, terminal.previousSession)
    : []
  const withBalances = complete || reportType !== 'BANKING'
  const withBanking = complete || reportType === 'BANKING' || reportType === 'END_OF_DAY'
  const reportTime = terminalTime(at)
  const content: CompleteReport = {
    tid: terminal.tid,
    reportType,
    reportResult: 'COMPLETE',
    reportTime,
    reportLines: [],
    ...(withBalances && {
      balances: balances(current, terminal.currency, terminal.session.since),
    }),
    ...(withBanking && { banking: banking(current, previous, terminal.currency) }),
  }
  content.reportLines = reportLines(content)
  if (reportType === 'Z_BALANCE' || reportType === 'END_OF_DAY') {
    terminal.closeSession(env.ledger.lastSeq, at)
  }
  return content
}

function reportLines(report: ReportContent): ReceiptLine[] {
  const lines: ReceiptLine[] = [
    { type: 'TEXT', format: ['BOLD'], value: report.reportType.replace('_', ' ') },
    { type: 'TEXT', value: `TID ${report.tid}` },
    { type: 'TEXT', value: report.reportTime.replace('T', ' ') },
    separator,
  ]
  const totals = report.balances ?? Object.values(report.banking ?? {})[0]?.currentSessionTotals
  if (totals) {
    const c = totals.currency
    lines.push(
      {
        type: 'TEXT',
        value: `SALES ${totals.totalSalesCount} ${money(c, totals.totalSalesAmount)}`,
      },
      {
        type: 'TEXT',
        value: `REFUNDS ${totals.totalRefundsCount} ${money(c, totals.totalRefundsAmount)}`,
      },
      { type: 'TEXT', format: ['BOLD'], value: `NET ${money(c, totals.totalAmount)}` },
    )
  }
  lines.push({ type: 'TICKET_FEED', value: '' })
  return lines
}

/** A report requested over the pay-at-counter API: REPORT_STARTED … REPORT_FINISHED. */
export class ReportRun extends Run {
  readonly notifications: ReportNotification[] = []
  content: ReportContent | undefined

  constructor(
    readonly terminal: TerminalState,
    private readonly env: Environment,
    readonly requestId: string,
    readonly reportType: ReportType,
    at: number,
  ) {
    super(at)
    this.run(this.steps(), at)
  }

  override get finished(): boolean {
    return this.content !== undefined
  }

  snapshot(): Omit<ReportResponse, 'location'> {
    return {
      requestId: this.requestId,
      notifications: [...this.notifications],
      ...structuredClone(this.content),
    }
  }

  private *steps(): Script {
    this.notify('REPORT_STARTED')
    if (this.terminal.scenario === 'timeout') {
      // The terminal never produces the report: no totals, and no session is closed.
      yield REPORT_TIMEOUT_MS
      this.content = {
        tid: this.terminal.tid,
        reportType: this.reportType,
        reportResult: 'TIMED_OUT',
        reportTime: terminalTime(this.at),
        reportLines: [],
      }
    } else {
      yield REPORT_STEPS * this.env.stepMs
      this.content = compileReport(this.terminal, this.env, this.reportType, this.at)
    }
    this.notify('REPORT_FINISHED')
  }

  private notify(value: ReportNotification): void {
    this.notifications.push(value)
    this.env.emit({
      type: 'notification',
      kind: 'report',
      tid: this.terminal.tid,
      requestId: this.requestId,
      value,
      at: this.at,
    })
  }
}

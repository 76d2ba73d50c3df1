import type { AcquirerBanking, Balances, Banking, Currency, Totals, TotalsByKey } from '../types.js'
import type { Ledger, LedgerEntry } from './ledger.js'
import type { Session } from './terminal.js'

/** Name under which the fake acquirer files banking totals. */
export const ACQUIRER_NAME = 'TILLKIT FAKE ACQUIRER'

const SALE_KINDS = new Set(['sale', 'completion', 'table-payment'])

/** Entries of one terminal inside one session. */
export function sessionEntries(ledger: Ledger, tid: string, session: Session): LedgerEntry[] {
  return ledger.entries.filter(
    (e) =>
      e.tid === tid &&
      e.seq > session.afterSeq &&
      (session.untilSeq === undefined || e.seq <= session.untilSeq),
  )
}

/**
 * Money that actually moved: approved sales, completions, table payments and refunds, minus the
 * ones later reversed. Declines and pre-auths do not count.
 */
function settled(entries: LedgerEntry[]): LedgerEntry[] {
  const reversed = new Set(entries.filter((e) => e.kind === 'reversal').map((e) => e.requestId))
  return entries.filter(
    (e) =>
      e.result === 'SUCCESSFUL' &&
      !reversed.has(e.requestId) &&
      (SALE_KINDS.has(e.kind) || e.kind === 'refund'),
  )
}

const charged = (e: LedgerEntry) => e.amount + e.amountCashback + e.amountGratuity

export function totals(entries: LedgerEntry[], currency: Currency): Totals {
  const sales = entries.filter((e) => SALE_KINDS.has(e.kind))
  const refunds = entries.filter((e) => e.kind === 'refund')
  const totalSalesAmount = sales.reduce((sum, e) => sum + charged(e), 0)
  const totalRefundsAmount = refunds.reduce((sum, e) => sum + e.amount, 0)
  return {
    currency,
    totalAmount: totalSalesAmount - totalRefundsAmount,
    totalSalesAmount,
    totalSalesCount: sales.length,
    totalRefundsAmount,
    totalRefundsCount: refunds.length,
  }
}

function totalsBy(
  entries: LedgerEntry[],
  currency: Currency,
  key: (e: LedgerEntry) => string | undefined,
): TotalsByKey {
  const groups = new Map<string, LedgerEntry[]>()
  for (const entry of entries) {
    const name = key(entry)
    if (name === undefined) continue
    groups.set(name, [...(groups.get(name) ?? []), entry])
  }
  return Object.fromEntries([...groups].map(([name, list]) => [name, totals(list, currency)]))
}

/** X/Z balance and end-of-day totals of the current session. */
export function balances(entries: LedgerEntry[], currency: Currency, since: string): Balances {
  const moved = settled(entries)
  const withCashback = moved.filter((e) => e.amountCashback > 0)
  const withGratuity = moved.filter((e) => e.amountGratuity > 0)
  return {
    ...totals(moved, currency),
    totalCashbackAmount: withCashback.reduce((sum, e) => sum + e.amountCashback, 0),
    totalCashbackCount: withCashback.length,
    totalGratuityAmount: withGratuity.reduce((sum, e) => sum + e.amountGratuity, 0),
    totalGratuityCount: withGratuity.length,
    totalsSince: since,
    issuerTotals: totalsBy(moved, currency, (e) => e.cardSchemeName),
    waiterTotals: totalsBy(moved, currency, (e) => e.waiterId),
  }
}

function numberRange(entries: LedgerEntry[]): string[] {
  const numbers = entries.map((e) => e.transactionNumber).filter((n) => n !== undefined)
  const first = numbers[0]
  const last = numbers[numbers.length - 1]
  return first === undefined || last === undefined ? [] : [first, last]
}

/** Banking totals for the current and the previous session, under the one fake acquirer. */
export function banking(
  current: LedgerEntry[],
  previous: LedgerEntry[],
  currency: Currency,
): Banking {
  const now = settled(current)
  const before = settled(previous)
  const report: AcquirerBanking = {
    currency,
    currentSessionTotals: totals(now, currency),
    previousSessionTotals: totals(before, currency),
    currentSessionIssuerTotals: totalsBy(now, currency, (e) => e.cardSchemeName),
    previousSessionIssuerTotals: totalsBy(before, currency, (e) => e.cardSchemeName),
    currentSessionTransactionNumbers: numberRange(current),
    previousSessionTransactionNumbers: numberRange(previous),
  }
  return { [ACQUIRER_NAME]: report }
}

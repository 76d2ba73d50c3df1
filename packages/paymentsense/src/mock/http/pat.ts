import { refuse } from '../domain/errors.js'
import type { PatReportRecord, TableBook } from '../domain/tables.js'
import { isCurrency } from '../domain/validate.js'
import type { Currency, PatReport, PatReportList, TableCreated, TableList } from '../types.js'
import { locate, type OperationContext } from './context.js'
import { empty, json, PAT_MEDIA } from './respond.js'
import type { Route } from './router.js'

/** Pay-at-table REST, v1: tables the EPoS keeps in the cloud, and terminal reports. */

const ok = (status: number, body: unknown) => json(status, body, PAT_MEDIA)

function booleanParam(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name)
  if (value === null) return undefined
  if (value !== 'true' && value !== 'false') refuse('invalid', `${name} must be true or false.`)
  return value === 'true'
}

/** A write to one table: the body goes to the model (which guards `lastKnown*`), success is 204. */
function tableWrite(
  method: 'PUT' | 'DELETE',
  suffix: string,
  apply: (tables: TableBook, tableName: string, body: unknown) => void,
): Route<OperationContext> {
  return {
    method,
    pattern: `/pat/tables/:tableName${suffix}`,
    body: true,
    handle(c, { tableName }) {
      apply(c.model.tables, tableName!, c.body)
      return empty(204)
    },
  }
}

export function patReportView(c: OperationContext, record: PatReportRecord): PatReport {
  return {
    reportId: record.reportId,
    tpi: record.tid,
    location: locate(c, 'pat', 'reports', record.reportId),
    reportType: record.reportType,
    reportResult: record.reportResult,
    reportTime: record.reportTime,
    reportLines: record.reportLines,
    ...(record.balances && { balances: record.balances }),
    ...(record.banking && { banking: record.banking }),
  }
}

export const patRoutes: Route<OperationContext>[] = [
  {
    method: 'GET',
    pattern: '/pat/tables',
    handle(c) {
      const locked = booleanParam(c.url, 'locked')
      const currency = c.url.searchParams.get('currency')
      if (currency !== null && !isCurrency(currency))
        refuse('invalid', 'currency must be GBP or EUR.')
      const body: TableList = {
        tables: c.model.tables.list({
          ...(locked !== undefined && { locked }),
          ...(currency !== null && { currency: currency as Currency }),
        }),
      }
      return ok(200, body)
    },
  },
  {
    method: 'PUT',
    pattern: '/pat/tables',
    body: true,
    handle(c) {
      const table = c.model.tables.create(c.body)
      const body: TableCreated = {
        location: locate(c, 'pat', 'tables', table.tableName),
        tableName: table.tableName,
      }
      return ok(201, body)
    },
  },
  {
    method: 'GET',
    pattern: '/pat/tables/:tableName',
    handle(c, { tableName }) {
      return ok(200, c.model.tables.get(tableName!, booleanParam(c.url, 'receipt') ?? false))
    },
  },
  tableWrite('DELETE', '', (tables, name, body) => tables.remove(name, body)),
  tableWrite('PUT', '/amount', (tables, name, body) => tables.updateAmount(name, body)),
  tableWrite('PUT', '/lock', (tables, name, body) => tables.updateLock(name, body)),
  tableWrite('PUT', '/receipt', (tables, name, body) => tables.updateReceipt(name, body)),
  tableWrite('PUT', '/waiterids', (tables, name, body) => tables.updateWaiterIds(name, body)),
  {
    method: 'GET',
    pattern: '/pat/reports',
    handle(c) {
      const body: PatReportList = {
        reports: c.model.tables.listReports(c.now).map((r) => patReportView(c, r)),
      }
      return ok(200, body)
    },
  },
  {
    method: 'GET',
    pattern: '/pat/reports/:reportId',
    handle(c, { reportId }) {
      return ok(200, patReportView(c, c.model.tables.getReport(reportId!, c.now)))
    },
  },
]

import { refuse } from '../domain/errors.js'
import type { PatReportRecord } from '../domain/tables.js'
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
  {
    method: 'DELETE',
    pattern: '/pat/tables/:tableName',
    body: true,
    handle(c, { tableName }) {
      c.model.tables.remove(tableName!, c.body)
      return empty(204)
    },
  },
  {
    method: 'PUT',
    pattern: '/pat/tables/:tableName/amount',
    body: true,
    handle(c, { tableName }) {
      c.model.tables.updateAmount(tableName!, c.body)
      return empty(204)
    },
  },
  {
    method: 'PUT',
    pattern: '/pat/tables/:tableName/lock',
    body: true,
    handle(c, { tableName }) {
      c.model.tables.updateLock(tableName!, c.body)
      return empty(204)
    },
  },
  {
    method: 'PUT',
    pattern: '/pat/tables/:tableName/receipt',
    body: true,
    handle(c, { tableName }) {
      c.model.tables.updateReceipt(tableName!, c.body)
      return empty(204)
    },
  },
  {
    method: 'PUT',
    pattern: '/pat/tables/:tableName/waiterids',
    body: true,
    handle(c, { tableName }) {
      c.model.tables.updateWaiterIds(tableName!, c.body)
      return empty(204)
    },
  },
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

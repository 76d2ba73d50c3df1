import { Refusal, refuse } from '../domain/errors.js'
import { isCurrency } from '../domain/validate.js'
import type {
  Currency,
  ReportResponse,
  RequestLocation,
  Terminal,
  TerminalList,
  TerminalStatus,
  Transaction,
} from '../types.js'
import { locate, type OperationContext } from './context.js'
import { empty, json, PAC_MEDIA } from './respond.js'
import type { Route } from './router.js'

/** Pay-at-counter REST, v2: terminals, transactions, signature decisions, cancels and reports. */

const ok = (status: number, body: unknown) => json(status, body, PAC_MEDIA)

function terminalFilter(url: URL): { status?: TerminalStatus; currency?: Currency } {
  const status = url.searchParams.get('status')
  const currency = url.searchParams.get('currency')
  if (status !== null && status !== 'AVAILABLE' && status !== 'BUSY') {
    refuse('invalid', 'status must be AVAILABLE or BUSY.')
  }
  if (currency !== null && !isCurrency(currency)) refuse('invalid', 'currency must be GBP or EUR.')
  return {
    ...(status !== null && { status: status as TerminalStatus }),
    ...(currency !== null && { currency: currency as Currency }),
  }
}

export const pacRoutes: Route<OperationContext>[] = [
  {
    method: 'GET',
    pattern: '/pac/terminals',
    handle(c) {
      const terminals = c.model.listTerminals(c.now, terminalFilter(c.url))
      const list: TerminalList = {
        terminals: terminals.map((t) => ({ ...t, location: locate(c, 'pac', 'terminals', t.tid) })),
      }
      return ok(200, list)
    },
  },
  {
    method: 'GET',
    pattern: '/pac/terminals/:tid',
    handle(c, { tid }) {
      const terminal = c.model.getTerminal(tid!, c.now)
      const body: Terminal = { ...terminal, location: locate(c, 'pac', 'terminals', terminal.tid) }
      return ok(200, body)
    },
  },
  {
    method: 'POST',
    pattern: '/pac/terminals/:tid/transactions',
    body: true,
    handle(c, { tid }) {
      const run = c.model.startTransaction(tid!, c.body, c.now)
      const body: RequestLocation = {
        requestId: run.requestId,
        location: locate(c, 'pac', 'terminals', tid!, 'transactions', run.requestId),
      }
      return ok(201, body)
    },
  },
  {
    method: 'GET',
    pattern: '/pac/terminals/:tid/transactions/:requestId',
    handle(c, { tid, requestId }) {
      const run = c.model.transaction(tid!, requestId!, c.now)
      const { notifications, ...result } = run.snapshot()
      const body: Transaction = {
        location: locate(c, 'pac', 'terminals', tid!, 'transactions', run.requestId),
        notifications,
        ...result,
      }
      return ok(200, body)
    },
  },
  {
    method: 'DELETE',
    pattern: '/pac/terminals/:tid/transactions/:requestId',
    handle(c, { tid, requestId }) {
      c.model.cancelTransaction(tid!, requestId!, c.now)
      return empty(202)
    },
  },
  {
    method: 'PUT',
    pattern: '/pac/terminals/:tid/transactions/:requestId/signature',
    body: true,
    handle(c, { tid, requestId }) {
      c.model.answerSignature(tid!, requestId!, c.body, c.now)
      return empty(202)
    },
  },
  {
    method: 'POST',
    pattern: '/pac/terminals/:tid/reports',
    body: true,
    handle(c, { tid }) {
      const run = terminalFault(() => c.model.startReport(tid!, c.body, c.now))
      const body: RequestLocation = {
        requestId: run.requestId,
        location: locate(c, 'pac', 'terminals', tid!, 'reports', run.requestId),
      }
      return ok(201, body)
    },
  },
  {
    method: 'GET',
    pattern: '/pac/terminals/:tid/reports/:requestId',
    handle(c, { tid, requestId }) {
      const run = c.model.report(tid!, requestId!, c.now)
      const body: ReportResponse = {
        ...run.snapshot(),
        location: locate(c, 'pac', 'terminals', tid!, 'reports', run.requestId),
      }
      return ok(200, body)
    },
  },
]

/**
 * Connect documents no 404 for starting a report (401, 422, 500): a terminal that is unknown or
 * not connected is refused there as a bad request, 422 with its userMessage.
 */
function terminalFault<T>(start: () => T): T {
  try {
    return start()
  } catch (e) {
    if (e instanceof Refusal && (e.kind === 'not-found' || e.kind === 'unavailable'))
      refuse('invalid', e.message)
    throw e
  }
}

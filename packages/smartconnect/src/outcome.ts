import type { ResultData, TransactionResult } from './generated/transaction-result.js'
import { FINANCIAL_TYPES, type TransactionType } from './types.js'

/**
 * How a transaction ended, as far as the client can tell:
 * - `approved`, `declined`: the payment's answer (a declined payment's reason is only in `receipt`);
 * - `cancelled`: cancelled at the terminal;
 * - `terminal-offline`: the cloud could not reach the terminal (nothing was charged);
 * - `unavailable`: the service was unavailable;
 * - `succeeded`: a non-financial operation (logon, settlement, reprint, status...) did its job;
 * - `failed`: completed with any other result;
 * - `unknown`: the outcome cannot be known through the API (see {@link UnknownReason}): never read
 *   it as a failure. Reconcile at the terminal before charging again.
 */
export type OutcomeStatus =
  | 'approved'
  | 'declined'
  | 'cancelled'
  | 'terminal-offline'
  | 'unavailable'
  | 'succeeded'
  | 'failed'
  | 'unknown'

/**
 * - `contradictory`: the codes disagree (e.g. OK-ACCEPTED with a Result other than OK);
 * - `missing-data`: COMPLETED without the result codes;
 * - `polling-url-unusable`: the polling URL answered 401, 403, 404 or 410 (the token lapsed, or the
 *   URL is wrong); `httpStatus` says which;
 * - `deadline`: no final answer before the wait's deadline.
 */
export type UnknownReason = 'contradictory' | 'missing-data' | 'polling-url-unusable' | 'deadline'

/** The final, typed outcome of one transaction, with what the terminal reported. */
export interface TransactionOutcome {
  status: OutcomeStatus
  /** Set when `status` is `unknown`. */
  reason?: UnknownReason
  transactionId: string
  type: TransactionType
  /** `data.TransactionResult` as received, e.g. `OK-ACCEPTED`. */
  transactionResult?: string
  /** `data.Result` as received, e.g. `OK` or `FAILED-INTERFACE`. */
  result?: string
  resultText?: string
  /** Fixed-width receipt text (lines end with `\n`): print it in a monospaced font, as is. */
  receipt?: string
  /** Cents actually charged, surcharge and tip included. */
  amountTotal?: number
  amountSurcharge?: number
  amountTip?: number
  authId?: string
  acquirerRef?: string
  terminalRef?: string
  cardPan?: string
  cardType?: string
  accountType?: string
  deviceId?: string
  /** A non-financial answer such as `READY` (Terminal.GetStatus). */
  terminalStatus?: string
  /** Journal.GetTransResult: the id of the transaction it reports on. */
  referenceId?: string
  /** With `polling-url-unusable`: the status the polling URL answered. */
  httpStatus?: number
  /** The last well-formed poll body, as received (absent when none arrived). */
  raw?: TransactionResult
}

/** What one poll body says. */
export type PollReading =
  /** Still running; `delayed` when the cloud reports OK-DELAYED (terminal slow or offline). */
  | { state: 'pending'; delayed: boolean; raw: TransactionResult }
  | { state: 'final'; outcome: TransactionOutcome }
  /**
   * Not a result document (not JSON, not an object, an unknown `transactionStatus`), or one naming
   * another transaction than the one polled for.
   */
  | { state: 'malformed'; why: string }

const code = (value: unknown): string =>
  typeof value === 'string' ? value.trim().toUpperCase() : ''
const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

/** Cents from a number or a string of digits; anything else (blank, decimals, text) is no amount. */
export function parseAmount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined
  if (typeof value !== 'string' || !/^\s*-?[0-9]+\s*$/.test(value)) return undefined
  const cents = Number(value)
  return Number.isSafeInteger(cents) ? cents : undefined
}

/**
 * Reads one poll body, whatever it holds, without throwing. `body` is the parsed JSON (or whatever
 * arrived); `type` is the TransactionType that was started, which selects the payment or the
 * non-financial reading of the result codes. A body whose `transactionId` names another transaction
 * than `transactionId` is not this transaction's answer: it reads as malformed (a body naming none is
 * taken as this one's).
 */
export function readPollBody(
  body: unknown,
  type: TransactionType,
  transactionId: string,
): PollReading {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { state: 'malformed', why: 'not a JSON object' }
  const raw = body as TransactionResult
  const named: unknown = raw.transactionId
  if (named !== undefined && named !== null && named !== '' && named !== transactionId)
    return { state: 'malformed', why: 'about another transaction' }
  const status = code(raw.transactionStatus)
  const data = raw.data
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data)))
    return { state: 'malformed', why: 'data is not an object' }
  if (status === 'PENDING') {
    const delayed =
      code(data?.TransactionResult) === 'OK-DELAYED' || code(data?.Result) === 'DELAYED-TRANSACTION'
    return { state: 'pending', delayed, raw }
  }
  if (status !== 'COMPLETED') return { state: 'malformed', why: 'unknown transactionStatus' }
  return { state: 'final', outcome: completed(raw, data ?? undefined, type, transactionId) }
}

function completed(
  raw: TransactionResult,
  data: ResultData | undefined,
  type: TransactionType,
  transactionId: string,
): TransactionOutcome {
  const outcome = describeData(data, raw)
  const base = { transactionId, type, ...outcome, raw }
  if (!data) return { status: 'unknown', reason: 'missing-data', ...base }
  const verdict = code(data.TransactionResult)
  const result = code(data.Result)
  const decided = (status: OutcomeStatus, reason?: UnknownReason): TransactionOutcome =>
    reason ? { status, reason, ...base } : { status, ...base }

  // A journal query that worked reports another transaction's codes: success, whatever they say.
  if (type === 'Journal.GetTransResult' && result === 'OK') return decided('succeeded')
  // Rows that read the same for every type.
  if (verdict === 'CANCELLED')
    return decided(result === 'FAILED-INTERFACE' ? 'terminal-offline' : 'cancelled')
  if (verdict === 'OK-UNAVAILABLE') return decided('unavailable')

  if (FINANCIAL_TYPES.has(type)) {
    if (verdict === 'OK-ACCEPTED' || verdict === 'OK-DECLINED') {
      if (result !== 'OK') return decided('unknown', 'contradictory')
      return decided(verdict === 'OK-ACCEPTED' ? 'approved' : 'declined')
    }
    if (verdict === '') return decided('unknown', 'missing-data')
    // COMPLETED yet still delayed: the codes contradict each other.
    if (verdict === 'OK-DELAYED') return decided('unknown', 'contradictory')
    return decided('failed')
  }

  // Non-financial: success is Result OK, whatever a transaction-shaped body says besides (a journal
  // query reports another transaction's result; reading a cutover that worked as failed would run it
  // again).
  if (result === 'FAILED-INTERFACE') return decided('terminal-offline')
  if (result === 'OK') return decided('succeeded')
  if (result === '' && verdict === '') return decided('unknown', 'missing-data')
  return decided('failed')
}

/** The reported fields worth keeping, typed; blanks and unreadable values are left out. */
function describeData(
  data: ResultData | undefined,
  raw: TransactionResult,
): Partial<TransactionOutcome> {
  const envelopeDevice = textOf(raw.deviceId)
  if (!data) return envelopeDevice ? { deviceId: envelopeDevice } : {}
  const fields: Partial<TransactionOutcome> = {
    transactionResult: textOf(data.TransactionResult),
    result: textOf(data.Result),
    resultText: textOf(data.ResultText),
    receipt: textOf(data.Receipt),
    amountTotal: parseAmount(data.AmountTotal),
    amountSurcharge: parseAmount(data.AmountSurcharge),
    amountTip: parseAmount(data.AmountTip),
    authId: textOf(data.AuthId),
    acquirerRef: textOf(data.AcquirerRef),
    terminalRef: textOf(data.TerminalRef),
    cardPan: textOf(data.CardPan),
    cardType: textOf(data.CardType),
    accountType: textOf(data.AccountType),
    deviceId: textOf(data.DeviceID) ?? envelopeDevice,
    terminalStatus: textOf(data.Status),
    referenceId: textOf(data.ReferenceId),
  }
  for (const key of Object.keys(fields) as Array<keyof TransactionOutcome>)
    if (fields[key] === undefined) delete fields[key]
  return fields
}

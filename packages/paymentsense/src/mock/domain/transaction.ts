import { cardFor, chooseScenario, type Card, type Scenario } from '../scenarios.js'
import type { Notification, Transaction, TransactionResult, TransactionType } from '../types.js'
import { terminalTime, type Environment } from './env.js'
import { refuse } from './errors.js'
import type { LedgerEntry, LedgerKind } from './ledger.js'
import { cardReceipt } from './receipts.js'
import { Run } from './run.js'
import { transactionScript } from './scripts.js'
import type { TerminalState } from './terminal.js'
import type { TransactionOrder } from './validate.js'

/** The fields a finished transaction carries besides `location` and `notifications`. */
export type TransactionOutcome = Omit<Transaction, 'location' | 'notifications'>

type SignatureState = 'none' | 'awaiting' | 'accepted' | 'declined' | 'timed-out'

const LEDGER_KIND: Partial<Record<TransactionOrder['type'], LedgerKind>> = {
  SALE: 'sale',
  REFUND: 'refund',
  PRE_AUTH: 'pre-auth',
  COMPLETION: 'completion',
}

/** The table a pay-at-table payment settles, as the EPoS described it when it granted the lock. */
export interface TableTag {
  tableName: string
  /** Waiter credited in the ledger (and in reports' waiter totals). */
  waiterId?: string
}

/**
 * One transaction on one terminal: the state the scripts drive and the operations the EPoS may
 * perform while it runs (cancel, signature decision). Scripts (see scripts.ts) call the methods in
 * the "script side" section; front-ends call the ones in the "EPoS side" section.
 */
export class TransactionRun extends Run {
  readonly notifications: Notification[] = []
  /** Set once TRANSACTION_FINISHED has been notified. */
  outcome: TransactionOutcome | undefined
  readonly scenario: Scenario
  readonly card: Card
  /** True once the request went to the acquirer (REQUEST_SENT): too late to cancel. */
  reachedAcquirer = false
  /** True while a physical card sits in the reader (so REMOVE_CARD follows). */
  cardInserted = false
  /** True once the card's details are known to the terminal. */
  cardRead = false
  private approvedAuthCode = ''
  private cancelAt: number | undefined
  /** Set once the terminal accepted a cancel (CANCELLING): a further DELETE changes nothing. */
  private cancelling = false
  private signature: SignatureState = 'none'
  private readonly transactionNumber: string
  private readonly transactionId: string

  constructor(
    readonly terminal: TerminalState,
    readonly env: Environment,
    readonly requestId: string,
    readonly order: TransactionOrder,
    at: number,
    /** Set when a waiter takes the payment for a table (pay at table over WebSocket). */
    readonly table?: TableTag,
  ) {
    super(at)
    this.scenario = chooseScenario(terminal.scenario, order.amount)
    this.card = cardFor(this.scenario, order.cardholderNotPresent)
    this.transactionNumber = terminal.nextTransactionNumber()
    this.transactionId = env.ids.transactionId()
    this.run(transactionScript(this), at)
  }

  override get finished(): boolean {
    return this.outcome !== undefined
  }

  // ---- EPoS side -------------------------------------------------------------------------

  /** DELETE: asks the terminal to cancel; the answer shows up in the notifications. */
  requestCancel(now: number): void {
    if (this.outcome) refuse('conflict-state', 'The transaction has already finished.')
    if (this.cancelAt !== undefined || this.cancelling) return
    this.at = now
    this.notify('ATTEMPTING_CANCEL')
    this.cancelAt = now + this.env.stepMs
  }

  /** PUT signature: only while the terminal waits for the decision. */
  answerSignature(accepted: boolean, now: number): void {
    if (this.signature === 'timed-out') {
      refuse(
        'conflict-state',
        `Too late for a signature decision: the terminal waits ${Math.round(this.env.signatureTimeoutMs / 1000)} seconds for one.`,
      )
    }
    if (this.signature !== 'awaiting') {
      refuse('conflict-state', 'The transaction is not waiting for a signature decision.')
    }
    this.signature = accepted ? 'accepted' : 'declined'
    this.wakeAt(now)
  }

  /** The transaction as polled: the cumulative notifications, then the result once finished. */
  snapshot(): Omit<Transaction, 'location'> {
    return { notifications: [...this.notifications], ...structuredClone(this.outcome) }
  }

  // ---- script side -----------------------------------------------------------------------

  get stepMs(): number {
    return this.env.stepMs
  }

  notify(value: Notification): void {
    this.notifications.push(value)
    this.env.emit({
      type: 'notification',
      kind: 'transaction',
      tid: this.terminal.tid,
      requestId: this.requestId,
      value,
      at: this.at,
    })
  }

  /** Cashback the terminal actually grants: only on a chip & PIN sale. */
  get grantedCashback(): number {
    return this.card.cvm === 'PIN' && this.card.paymentMethod === 'ICC_CHIP'
      ? this.order.amountCashback
      : 0
  }

  /**
   * REQUEST_SENT: the acquirer sees the request, approves or declines it, and the ledger records it
   * (account verifications move no money and are not recorded).
   */
  sendToAcquirer(): boolean {
    this.reachedAcquirer = true
    this.notify('REQUEST_SENT')
    const approved = this.scenario !== 'decline' && this.completionMatches()
    // A completion settles under the code of the pre-auth it completes.
    if (approved) this.approvedAuthCode = this.order.authCode ?? this.env.ids.authCode()
    // A table's payment is booked as pay at table books them, whichever API the EPoS uses.
    const kind = this.table ? 'table-payment' : LEDGER_KIND[this.order.type]
    const waiterId = this.table?.waiterId
    if (kind) {
      this.env.ledger.record({
        at: this.at,
        tid: this.terminal.tid,
        requestId: this.requestId,
        kind,
        amount: this.order.amount ?? 0,
        amountCashback: approved ? this.grantedCashback : 0,
        amountGratuity: 0,
        currency: this.order.currency,
        ...(approved && { authCode: this.approvedAuthCode }),
        result: approved ? 'SUCCESSFUL' : 'DECLINED',
        cardSchemeName: this.card.cardSchemeName,
        primaryAccountNumber: this.card.primaryAccountNumber,
        transactionNumber: this.transactionNumber,
        ...(waiterId !== undefined && { waiterId }),
      })
    }
    return approved
  }

  /** The terminal reverses an approved payment (declined or unanswered signature). */
  reverse(): void {
    const original = this.env.ledger.entries.find(
      (e) => e.requestId === this.requestId && e.kind !== 'reversal',
    )
    if (!original) return
    this.env.ledger.record({
      at: this.at,
      tid: original.tid,
      requestId: original.requestId,
      kind: 'reversal',
      amount: original.amount,
      amountCashback: original.amountCashback,
      amountGratuity: original.amountGratuity,
      currency: original.currency,
      ...(original.authCode !== undefined && { authCode: original.authCode }),
      result: 'SUCCESSFUL',
      ...(original.cardSchemeName !== undefined && { cardSchemeName: original.cardSchemeName }),
      ...(original.primaryAccountNumber !== undefined && {
        primaryAccountNumber: original.primaryAccountNumber,
      }),
      transactionNumber: this.transactionNumber,
    })
  }

  /** Starts waiting for the EPoS's signature decision; yield the returned time. */
  awaitSignature(): number {
    this.signature = 'awaiting'
    this.notify('SIGNATURE_VERIFICATION')
    return this.env.signatureTimeoutMs
  }

  /**
   * Connect accepts the signature by itself at `at` unless it is decided before: its question went
   * unanswered (the EPoS's socket closed with it open).
   */
  acceptSignatureAt(at: number): void {
    if (this.signature !== 'awaiting') return
    this.autoAcceptAt = at
    this.wakeAt(at)
  }
  private autoAcceptAt: number | undefined

  /** After the wait: what the EPoS decided (or Connect for it), or `timed-out`. */
  signatureDecision(): 'accepted' | 'declined' | 'timed-out' {
    if (this.signature === 'awaiting')
      this.signature =
        this.autoAcceptAt !== undefined && this.at >= this.autoAcceptAt ? 'accepted' : 'timed-out'
    return this.signature as 'accepted' | 'declined' | 'timed-out'
  }

  /** Takes the terminal off the network for `ms`; polls meanwhile answer 404. */
  goOffline(ms: number): number {
    this.terminal.offlineUntil = this.at + ms
    return ms
  }

  /** Notifies TRANSACTION_FINISHED with the full result. The script must end right after. */
  finish(result: TransactionResult, userMessage: string, type?: TransactionType): void {
    if (this.cancelAt !== undefined) {
      // A cancel request that the end of the transaction overtook.
      this.cancelAt = undefined
      this.notify('UNABLE_TO_CANCEL')
    }
    const time = terminalTime(this.at)
    const approved = result === 'SUCCESSFUL' || result === 'VOID'
    const amountBase = this.order.type === 'ACCOUNT_VERIFICATION' ? 0 : (this.order.amount ?? 0)
    const amountCashback = result === 'SUCCESSFUL' ? this.grantedCashback : 0
    const amountTotal = amountBase + amountCashback
    const authCode = approved ? this.approvedAuthCode : ''
    const transactionType = type ?? resultType(this)
    const card = this.cardRead ? this.card : undefined
    this.outcome = {
      requestId: this.requestId,
      transactionType,
      transactionResult: result,
      currency: this.order.currency,
      amountBase,
      amountCashback,
      amountGratuity: 0,
      amountTotal,
      authCode,
      ...(card
        ? {
            cardSchemeName: card.cardSchemeName,
            applicationId: card.applicationId,
            applicationLabel: card.applicationLabel,
            primaryAccountNumber: card.primaryAccountNumber,
            primaryAccountNumberSequence: card.primaryAccountNumberSequence,
            dateOfExpiry: card.dateOfExpiry,
            dateOfStart: card.dateOfStart,
            paymentMethod: card.paymentMethod,
            cardHolderVerificationMethod: card.cvm,
          }
        : { paymentMethod: 'UNKNOWN', cardHolderVerificationMethod: 'UNKNOWN' }),
      transactionId: this.transactionId,
      transactionNumber: this.transactionNumber,
      transactionTime: time,
      receiptLines: cardReceipt({
        tid: this.terminal.tid,
        time,
        transactionType,
        result,
        currency: this.order.currency,
        amountBase,
        amountCashback,
        amountTotal,
        authCode,
        transactionNumber: this.transactionNumber,
        card,
      }),
      userMessage,
    }
    if (this.order.type !== 'DUPLICATE') this.terminal.lastTransaction = this
    this.notify('TRANSACTION_FINISHED')
  }

  /** DUPLICATE: finishes with a copy of the terminal's previous transaction (customer copy only). */
  finishAsDuplicate(previous: TransactionRun | undefined): void {
    if (!previous?.outcome) {
      this.finish('UNSUCCESSFUL', 'There is no previous transaction to duplicate.')
      return
    }
    const copy = structuredClone(previous.outcome)
    this.outcome = {
      ...copy,
      requestId: this.requestId,
      receiptLines: { CUSTOMER: copy.receiptLines?.CUSTOMER ?? [] },
    }
    this.notify('TRANSACTION_FINISHED')
  }

  // ---- internals -------------------------------------------------------------------------

  protected override interruptAt(): number | undefined {
    return this.cancelAt
  }

  protected override interrupt(): void {
    this.cancelAt = undefined
    if (this.reachedAcquirer || this.outcome) {
      this.notify('UNABLE_TO_CANCEL')
      return
    }
    this.cancelling = true
    this.notify('CANCELLING')
    this.run(cancelledScript(this), this.at)
  }

  /**
   * A completion goes through against an open approved pre-auth of this terminal, named by its auth
   * code, for at most what is reserved on that card: the pre-auth plus the approved pre-auths taken
   * on the same card after it. The total it names, when it names one, must be that sum. A reversal
   * closes its pre-auth; a completion closes the pre-auths it settled.
   */
  private completionMatches(): boolean {
    if (this.order.type !== 'COMPLETION') return true
    const { authCode, amountPreAuthorisedTotal, amount = 0 } = this.order
    let open: LedgerEntry[] = []
    /** The open pre-auths a completion under `code` settles: the named one and later ones on its card. */
    const reservedBy = (code: string | undefined) => {
      const first = open.find((e) => e.authCode === code)
      const sameCard = (e: LedgerEntry) =>
        e.primaryAccountNumber === first?.primaryAccountNumber &&
        e.cardSchemeName === first?.cardSchemeName
      return first ? open.filter((e) => e.seq >= first.seq && sameCard(e)) : []
    }
    for (const e of this.env.ledger.entries) {
      if (e.tid !== this.terminal.tid) continue
      if (e.kind === 'pre-auth' && e.result === 'SUCCESSFUL') open.push(e)
      if (e.kind === 'reversal') open = open.filter((o) => o.requestId !== e.requestId)
      if (e.kind === 'completion' && e.result === 'SUCCESSFUL') {
        const settled = reservedBy(e.authCode)
        open = open.filter((o) => !settled.includes(o))
      }
    }
    const reserved = reservedBy(authCode).reduce((sum, e) => sum + e.amount, 0)
    return reserved > 0 && (amountPreAuthorisedTotal ?? reserved) === reserved && amount <= reserved
  }
}

/**
 * The `transactionType` a result carries. DUPLICATE is a request type only, absent from the
 * result's values: a duplicate that ends without a copy (nothing to copy, or cancelled) names the
 * type of the transaction it would have copied, SALE when there is none.
 */
function resultType(t: TransactionRun): TransactionType {
  if (t.order.type !== 'DUPLICATE') return t.order.type
  return t.terminal.lastTransaction?.outcome?.transactionType ?? 'SALE'
}

/** What the terminal does after accepting a cancel before anything reached the acquirer. */
function* cancelledScript(t: TransactionRun): Generator<number, void, void> {
  yield t.stepMs
  if (t.cardInserted) {
    t.notify('REMOVE_CARD')
    t.cardInserted = false
    yield t.stepMs
  }
  t.finish('CANCELLED', 'Transaction cancelled.')
}

import { isTillkitError } from '@tillkit/core'
import { checkTransaction, registerId, TRANSACTION_FIELDS } from '../rules.js'
import { FINANCIAL_TYPES, isTransactionType, type TransactionType } from '../types.js'
import { Ledger, type LedgerEntry, type LedgerKind } from './ledger.js'
import { center, dollars, receipt, row } from './receipt.js'
import { ANY_TYPE_SCENARIOS, chooseScenario, type Scenario } from './scenarios.js'
import { Refusal as FakeRefusal } from '@tillkit/core/fake'

export interface TerminalConfig {
  /** The terminal's id, reported as `deviceId` / `DeviceID`. */
  deviceId: string
  /** The code the terminal shows for pairing. Default: one the fake makes up. */
  pairingCode?: string
  /** Pin every transaction on this terminal to one scenario (else a payment's cents decide). */
  scenario?: Scenario
  /** Default true. An offline terminal's transactions end CANCELLED / FAILED-INTERFACE. */
  online?: boolean
}

export interface ModelSettings {
  /** Time of one terminal step. */
  stepMs: number
  /** The polling token lapses this long after the start. */
  tokenLifetimeMs: number
  /** How long a `delayed` transaction stays OK-DELAYED. */
  delayedMs: number
  /** When a terminal gives up on a transaction the cloud never hears back about. */
  terminalTimeoutMs: number
  merchantId: string
  merchantName: string
}

/**
 * Why the cloud refused an operation, independent of HTTP (the front-end maps each kind to a status):
 * - `invalid`: a missing or bad field, an unknown code or type;
 * - `not-paired`: the register's names match no pairing;
 * - `busy`: the terminal is running another transaction;
 * - `not-found`: no such transaction;
 * - `bad-token`: the polling token is not this transaction's;
 * - `expired`: the polling token has lapsed.
 */
export type RefusalKind = 'invalid' | 'not-paired' | 'busy' | 'not-found' | 'bad-token' | 'expired'

/** `message` is the sentence the cloud answers with. */
export class Refusal extends FakeRefusal<RefusalKind> {}

const refuse = (kind: RefusalKind, message: string): never => {
  throw new Refusal(kind, message)
}

/** Form fields as received: name to value. */
export type FormFields = Readonly<Record<string, string>>

export interface Register {
  readonly id: string
  readonly name: string
  readonly businessName: string
  readonly vendorName: string
  readonly deviceId: string
  readonly pairedAt: number
  /** Optional store details sent with pairing (form field name to value). */
  readonly store: Readonly<Record<string, string>>
}

export class Device {
  /** The transaction the terminal is working on: it takes no other meanwhile. */
  active: FakeTransaction | undefined
  /** The last financial transaction the device finished (Journal.GetTransResult). */
  lastFinancial: FakeTransaction | undefined
  /** The last receipt the device printed (Journal.ReprintReceipt). */
  lastReceipt: string | undefined
  /** Ledger entries up to this one are settled (Acquirer.Settlement.Cutover). */
  settledSeq = 0
  private count = 0

  constructor(
    readonly deviceId: string,
    public pairingCode: string,
    public scenario: Scenario | undefined,
    public online: boolean,
  ) {}

  /** Next six-digit terminal reference. */
  nextReference(): string {
    this.count = (this.count % 999_999) + 1
    return String(this.count).padStart(6, '0')
  }
}

type Step = { at: number; run: () => void }

/** Form values of a transaction's own fields (amounts as digits). */
type Fields = Partial<Record<(typeof TRANSACTION_FIELDS)[number], string>>

const LEDGER_KIND: Partial<Record<TransactionType, LedgerKind>> = {
  'Card.Purchase': 'purchase',
  'Card.Refund': 'refund',
  'Card.PurchasePlusCash': 'purchase-plus-cash',
  'Card.CashAdvance': 'cash-advance',
  'Card.Authorise': 'authorise',
  'Card.Finalise': 'finalise',
  'QR.Merchant.Purchase': 'qr-purchase',
  'QR.Consumer.Purchase': 'qr-purchase',
  'QR.Refund': 'qr-refund',
}

const TITLES: Record<TransactionType, string> = {
  'Card.Purchase': 'PURCHASE',
  'Card.Refund': 'REFUND',
  'Card.PurchasePlusCash': 'PURCHASE + CASH',
  'Card.CashAdvance': 'CASH ADVANCE',
  'Card.Authorise': 'AUTHORISATION',
  'Card.Finalise': 'COMPLETION',
  'QR.Merchant.Purchase': 'QR PURCHASE',
  'QR.Consumer.Purchase': 'QR PURCHASE',
  'QR.Refund': 'QR REFUND',
  'Acquirer.Logon': 'LOGON',
  'Acquirer.Settlement.Inquiry': 'SETTLEMENT ENQUIRY',
  'Acquirer.Settlement.Cutover': 'SETTLEMENT CUTOVER',
  'Journal.ReprintReceipt': 'REPRINT',
  'Journal.GetTransResult': 'LAST TRANSACTION',
  'Terminal.GetStatus': 'STATUS',
  'Terminal.ReadCard': 'READ CARD',
}

/** Kinds whose accepted amounts count as sales / refunds in settlement totals. */
const SALES: ReadonlySet<LedgerKind> = new Set([
  'purchase',
  'purchase-plus-cash',
  'cash-advance',
  'finalise',
  'qr-purchase',
])
const REFUNDS: ReadonlySet<LedgerKind> = new Set(['refund', 'qr-refund'])

/** Reasons printed on declined receipts, picked by the amount. */
const DECLINE_REASONS = ['INSUFFICIENT FUNDS', 'UNABLE TO PROCESS', 'CARD EXPIRED']

/** One transaction on one terminal; its steps are run by the model as the clock passes them. */
export class FakeTransaction {
  status: 'PENDING' | 'COMPLETED' = 'PENDING'
  /** The `data` object of the poll body. */
  data: Record<string, string> = { TransactionResult: '', Result: '' }
  readonly steps: Step[] = []
  /** Clock time of the last poll answered (for the 2 s rule). */
  lastPollAt: number | undefined
  /** Set once the acquirer saw it. */
  charged: LedgerEntry | undefined
  readonly requestId: string

  constructor(
    readonly id: string,
    readonly token: string,
    readonly type: TransactionType,
    readonly fields: Fields,
    readonly register: Register,
    readonly device: Device,
    readonly createdAt: number,
    readonly scenario: Scenario,
  ) {
    this.requestId = device.nextReference()
  }

  /** The amount the request is about, in cents (absent for non-financial types). */
  get amount(): number | undefined {
    const value = this.fields.AmountTotal ?? this.fields.AmountAuth ?? this.fields.AmountFinal
    return value === undefined ? undefined : Number(value)
  }
}

export class SmartConnectModel {
  readonly ledger = new Ledger()
  readonly devices = new Map<string, Device>()
  readonly registers = new Map<string, Register>()
  readonly transactions = new Map<string, FakeTransaction>()
  /** Transactions with steps still to run. */
  private readonly running = new Set<FakeTransaction>()
  private codes = 0
  private references = 0

  constructor(
    private readonly settings: ModelSettings,
    terminals: readonly TerminalConfig[],
  ) {
    for (const config of terminals) this.addDevice(config)
  }

  // ---- terminals and pairing ---------------------------------------------------------------

  addDevice(config: TerminalConfig): Device {
    if (this.devices.has(config.deviceId))
      throw new Error(`Terminal ${config.deviceId} already exists`)
    const holder = config.pairingCode === undefined ? undefined : this.showing(config.pairingCode)
    if (holder) throw new Error(`Terminal ${holder.deviceId} shows ${config.pairingCode} already`)
    const device = new Device(
      config.deviceId,
      config.pairingCode ?? this.newCode(),
      config.scenario,
      config.online ?? true,
    )
    this.devices.set(device.deviceId, device)
    return device
  }

  device(deviceId: string): Device {
    const device = this.devices.get(deviceId)
    if (!device) throw new Error(`No terminal ${deviceId}`)
    return device
  }

  /** The terminal shows a new pairing code; the old one stops working. */
  issuePairingCode(deviceId: string): string {
    const device = this.device(deviceId)
    device.pairingCode = this.newCode()
    return device.pairingCode
  }

  /** Pairs (or re-pairs: moves) a register to the terminal showing `code`. */
  pair(code: string, form: FormFields, now: number): Register {
    const id = requiredRegisterId(form)
    const name = required(form, 'POSRegisterName')
    const businessName = required(form, 'POSBusinessName')
    const vendorName = required(form, 'POSVendorName')
    const device = this.showing(code)
    if (!device) refuse('invalid', 'Invalid pairing code')
    const store: Record<string, string> = {}
    for (const field of STORE_FIELDS) {
      const value = form[field]
      if (value !== undefined) store[field] = value
    }
    const register: Register = {
      id,
      name,
      businessName,
      vendorName,
      deviceId: device!.deviceId,
      pairedAt: now,
      store,
    }
    this.registers.set(id, register)
    return register
  }

  /**
   * Unpairing on the terminal: forgets the registers paired with `deviceId` (only `registerId`, when
   * given). Returns the ids forgotten.
   */
  unpair(deviceId: string, registerId?: string): string[] {
    this.device(deviceId)
    const gone = [...this.registers.values()]
      .filter((r) => r.deviceId === deviceId && (registerId === undefined || r.id === registerId))
      .map((r) => r.id)
    for (const id of gone) this.registers.delete(id)
    return gone
  }

  // ---- transactions ------------------------------------------------------------------------

  /** Starts a transaction from its form fields. */
  start(form: FormFields, now: number): FakeTransaction {
    this.advance(now)
    const id = requiredRegisterId(form)
    const businessName = required(form, 'POSBusinessName')
    const vendorName = required(form, 'POSVendorName')
    // Without TransactionMode SmartConnect runs the legacy synchronous mode: not a missing field, a
    // mode the fake does not have, so both are refused in the same words.
    if (form.TransactionMode !== 'ASYNC')
      refuse('invalid', 'TransactionMode must be ASYNC (the fake has no synchronous mode)')
    const type = required(form, 'TransactionType')
    if (!isTransactionType(type)) refuse('invalid', `Unknown TransactionType ${type}`)
    const register = this.registers.get(id)
    if (!register || register.businessName !== businessName || register.vendorName !== vendorName)
      refuse('not-paired', 'This register is not paired with a terminal')
    const given: Record<string, string> = {}
    for (const field of TRANSACTION_FIELDS) {
      const value = form[field]
      if (value !== undefined) given[field] = value
    }
    let fields: Fields
    try {
      fields = Object.fromEntries(checkTransaction(type, given).values)
    } catch (error) {
      if (isTillkitError(error)) refuse('invalid', error.message)
      throw error
    }
    const device = this.device(register!.deviceId)
    if (device.active) refuse('busy', `Terminal ${device.deviceId} is busy`)
    const financial = FINANCIAL_TYPES.has(type as TransactionType)
    const transaction = new FakeTransaction(
      crypto.randomUUID(),
      crypto.randomUUID().replaceAll('-', '') + crypto.randomUUID().replaceAll('-', ''),
      type as TransactionType,
      fields!,
      register!,
      device,
      now,
      this.scenarioFor(device, financial, fields!),
    )
    this.transactions.set(transaction.id, transaction)
    device.active = transaction
    this.script(transaction)
    this.running.add(transaction)
    return transaction
  }

  /**
   * A transaction as its polling URL reads it: the token must be its own and not lapsed. Brings
   * every terminal up to `now` first.
   */
  read(transactionId: string, token: string | undefined, now: number): FakeTransaction {
    // Ids are lower-case UUIDs; paths are matched without regard to case, the id in them too.
    const transaction = this.transactions.get(transactionId.toLowerCase())
    if (!transaction) return refuse('not-found', 'Transaction not found')
    if (token !== transaction.token) refuse('bad-token', 'Invalid token')
    if (now >= this.tokenExpiresAt(transaction)) refuse('expired', 'Token expired')
    this.advance(now)
    return transaction
  }

  tokenExpiresAt(transaction: FakeTransaction): number {
    return transaction.createdAt + this.settings.tokenLifetimeMs
  }

  /** Runs every step due by `now`, across all transactions, in time order. */
  advance(now: number): void {
    for (;;) {
      let next: { transaction: FakeTransaction; step: Step } | undefined
      for (const transaction of this.running) {
        const step = transaction.steps[0]
        if (!step) {
          this.running.delete(transaction)
          continue
        }
        if (step.at <= now && (!next || step.at < next.step.at)) next = { transaction, step }
      }
      if (!next) return
      next.transaction.steps.shift()
      next.step.run()
    }
  }

  /** The poll body of a transaction as it stands (after `advance`). */
  body(transaction: FakeTransaction): object {
    return {
      transactionId: transaction.id,
      transactionTimeStamp: stamp(transaction.createdAt),
      merchantId: this.settings.merchantId,
      deviceId: transaction.device.deviceId,
      transactionStatus: transaction.status,
      data: { ...transaction.data },
    }
  }

  // ---- scripts -----------------------------------------------------------------------------

  private scenarioFor(device: Device, financial: boolean, fields: Fields): Scenario {
    if (!device.online) return 'terminal-offline'
    if (!financial) {
      const pinned = device.scenario
      return pinned && ANY_TYPE_SCENARIOS.has(pinned) ? pinned : 'accept'
    }
    const cents = fields.AmountTotal ?? fields.AmountAuth ?? fields.AmountFinal
    return chooseScenario(device.scenario, cents === undefined ? undefined : Number(cents))
  }

  /** Lays out a transaction's steps from its type and scenario. */
  private script(t: FakeTransaction): void {
    const { stepMs, delayedMs, terminalTimeoutMs } = this.settings
    const at = (ms: number, run: () => void): void => {
      t.steps.push({ at: t.createdAt + ms, run })
    }
    const financial = FINANCIAL_TYPES.has(t.type)
    switch (t.scenario) {
      case 'terminal-offline':
        // Nothing reaches the terminal: no receipt.
        return at(2 * stepMs, () =>
          this.complete(t, 2 * stepMs, 'CANCELLED', 'FAILED-INTERFACE', 'TERMINAL UNREACHABLE'),
        )
      case 'unavailable':
        return at(2 * stepMs, () =>
          this.complete(t, 2 * stepMs, 'OK-UNAVAILABLE', 'OK', 'SERVICE UNAVAILABLE'),
        )
      case 'no-answer':
        // The cloud never hears back; the terminal gives up on its own and takes new work.
        return at(terminalTimeoutMs, () => this.release(t))
      case 'cancel-on-terminal':
        return at(3 * stepMs, () =>
          this.complete(t, 3 * stepMs, 'CANCELLED', 'OK', 'CANCELLED', this.slip(t, 'CANCELLED')),
        )
      default:
    }
    if (!financial) return at(2 * stepMs, () => this.nonFinancial(t, 2 * stepMs))
    let start = 0
    if (t.scenario === 'delayed') {
      at(stepMs, () => {
        t.data = {
          TransactionResult: 'OK-DELAYED',
          Result: 'DELAYED-TRANSACTION',
          ResultText: 'TRANSACTION DELAYED',
        }
      })
      start = delayedMs
    }
    at(start + 3 * stepMs, () => this.charge(t, start + 3 * stepMs))
    at(start + 4 * stepMs, () => {
      const ms = start + 4 * stepMs
      const accepted = t.charged?.result === 'ACCEPTED'
      const verdict = accepted ? 'OK-ACCEPTED' : 'OK-DECLINED'
      const reason = accepted ? undefined : this.declineReason(t)
      const result = t.scenario === 'contradictory' ? 'FAILED' : 'OK'
      const slip = this.slip(t, accepted ? 'ACCEPTED' : 'DECLINED', reason)
      // A decline's reason is only on the receipt; ResultText stays generic.
      this.complete(t, ms, verdict, result, accepted ? 'APPROVED' : 'DECLINED', slip, this.card(t))
    })
  }

  /** The acquirer sees the payment and answers; the ledger records it. */
  private charge(t: FakeTransaction, ms: number): void {
    const kind = LEDGER_KIND[t.type]!
    const amount = t.amount ?? 0
    const accepted = t.scenario !== 'decline' && this.finaliseMatches(t, amount)
    const acquirerRef = `A${String(++this.references).padStart(9, '0')}`
    const cash =
      t.type === 'Card.PurchasePlusCash'
        ? Number(t.fields.AmountCash)
        : t.type === 'Card.CashAdvance'
          ? amount
          : 0
    t.charged = this.ledger.record({
      at: t.createdAt + ms,
      deviceId: t.device.deviceId,
      registerId: t.register.id,
      transactionId: t.id,
      kind,
      amount,
      amountCash: cash,
      result: accepted ? 'ACCEPTED' : 'DECLINED',
      ...(accepted && { authId: String(100_000 + ((this.references * 7_919) % 900_000)) }),
      acquirerRef,
      ...(t.fields.TransactionReference !== undefined && {
        reference: t.fields.TransactionReference,
      }),
    })
  }

  /**
   * A finalise goes through only against an accepted, not yet finalised authorisation on the same
   * terminal, named by its TransactionReference (or its AcquirerRef), for no more than was authorised.
   */
  private finaliseMatches(t: FakeTransaction, amount: number): boolean {
    if (t.type !== 'Card.Finalise') return true
    const ref = t.fields.TransactionReference
    const mine = this.ledger.entries.filter(
      (e) => e.deviceId === t.device.deviceId && e.result === 'ACCEPTED',
    )
    const auth = mine.find(
      (e) => e.kind === 'authorise' && (e.reference === ref || e.acquirerRef === ref),
    )
    if (!auth) return false
    // Finalised already, under either of the names it goes by.
    const used = mine.some(
      (e) =>
        e.kind === 'finalise' &&
        (e.reference === auth.reference || e.reference === auth.acquirerRef),
    )
    return !used && amount <= auth.amount
  }

  private nonFinancial(t: FakeTransaction, ms: number): void {
    const device = t.device
    switch (t.type) {
      case 'Acquirer.Logon':
        return this.complete(t, ms, 'OK-ACCEPTED', 'OK', 'LOGON OK', this.slip(t, 'LOGON OK'))
      case 'Acquirer.Settlement.Inquiry':
      case 'Acquirer.Settlement.Cutover': {
        const entries = this.ledger.entries.filter(
          (e) =>
            e.deviceId === device.deviceId && e.seq > device.settledSeq && e.result === 'ACCEPTED',
        )
        const sum = (kinds: ReadonlySet<LedgerKind>) => {
          const hits = entries.filter((e) => kinds.has(e.kind))
          return { count: hits.length, cents: hits.reduce((total, e) => total + e.amount, 0) }
        }
        const sales = sum(SALES)
        const refunds = sum(REFUNDS)
        const body = [
          row(`SALES x${sales.count}`, dollars(sales.cents)),
          row(`REFUNDS x${refunds.count}`, dollars(refunds.cents)),
          row('NET', dollars(sales.cents - refunds.cents)),
        ]
        if (t.type === 'Acquirer.Settlement.Cutover') device.settledSeq = this.ledger.lastSeq
        return this.complete(
          t,
          ms,
          'OK-ACCEPTED',
          'OK',
          'SETTLEMENT OK',
          this.slip(t, 'OK', undefined, body),
          {
            AmountTotal: String(sales.cents - refunds.cents),
          },
        )
      }
      case 'Journal.ReprintReceipt': {
        const last = device.lastReceipt
        if (last === undefined) return this.complete(t, ms, '', 'FAILED', 'NO TRANSACTION')
        return this.complete(
          t,
          ms,
          'OK-ACCEPTED',
          'OK',
          'REPRINT OK',
          `${center('*** REPRINT ***')}\n${last}`,
        )
      }
      case 'Journal.GetTransResult': {
        const last = device.lastFinancial
        if (!last) return this.complete(t, ms, '', 'FAILED', 'NO TRANSACTION')
        return this.complete(
          t,
          ms,
          last.data.TransactionResult ?? '',
          last.data.Result ?? '',
          last.data.ResultText ?? '',
          last.data.Receipt,
          {
            ...last.data,
            ReferenceId: last.id,
          },
        )
      }
      case 'Terminal.GetStatus':
        return this.complete(t, ms, undefined, 'OK', 'READY', undefined, { Status: 'READY' })
      default:
        // Terminal.ReadCard: the card is read, nothing is charged.
        return this.complete(t, ms, 'OK-ACCEPTED', 'OK', 'CARD READ', undefined, this.card(t))
    }
  }

  /**
   * Finishes a transaction: the final `data`, the receipt kept for reprints, the terminal freed.
   * `verdict` undefined leaves TransactionResult out (a status answer).
   */
  private complete(
    t: FakeTransaction,
    ms: number,
    verdict: string | undefined,
    result: string,
    resultText: string,
    slip?: string,
    extra: Record<string, string> = {},
  ): void {
    const time = new Date(t.createdAt + ms).toISOString()
    const amount = t.amount
    t.status = 'COMPLETED'
    t.data = {
      PosVendor: t.register.vendorName,
      PosRegisterID: t.register.id,
      PosBusinessName: t.register.businessName,
      DeviceID: t.device.deviceId,
      Function: t.type,
      Merchant: this.settings.merchantId,
      Company: this.settings.merchantName,
      RequestId: t.requestId,
      ...(amount !== undefined && {
        AmountTotal: String(amount),
        AmountSurcharge: '0',
        AmountTip: '0',
      }),
      ...(verdict !== undefined && { TransactionResult: verdict }),
      Result: result,
      ResultText: resultText,
      ...(t.charged?.authId !== undefined && { AuthId: t.charged.authId }),
      ...(t.charged && { AcquirerRef: t.charged.acquirerRef }),
      TerminalRef: t.requestId,
      Timestamp: time,
      RequestTimestamp: new Date(t.createdAt).toISOString(),
      ResponseTimestamp: time,
      ...extra,
      ...(slip !== undefined && { Receipt: slip }),
    }
    if (slip !== undefined && t.type !== 'Journal.ReprintReceipt') t.device.lastReceipt = slip
    if (FINANCIAL_TYPES.has(t.type)) t.device.lastFinancial = t
    this.release(t)
  }

  private release(t: FakeTransaction): void {
    if (t.device.active === t) t.device.active = undefined
  }

  private card(t: FakeTransaction): Record<string, string> {
    return t.type.startsWith('QR.')
      ? { CardPan: '', CardType: 'QR', AccountType: 'QR' }
      : { CardPan: '....1881', CardType: 'VISA', AccountType: 'CREDIT' }
  }

  private declineReason(t: FakeTransaction): string {
    return DECLINE_REASONS[Math.floor((t.amount ?? 0) / 100) % DECLINE_REASONS.length]!
  }

  /** The receipt of a transaction; `verdict` is the big line, `reason` the decline reason. */
  private slip(t: FakeTransaction, verdict: string, reason?: string, body: string[] = []): string {
    const lines = [center(TITLES[t.type])]
    const amount = t.amount
    if (FINANCIAL_TYPES.has(t.type)) {
      const card = this.card(t)
      if (card.CardType) lines.push(row(card.CardType, card.CardPan ?? ''))
      if (t.fields.AmountCash !== undefined) {
        lines.push(row('CASH', dollars(Number(t.fields.AmountCash))))
      }
      if (amount !== undefined) lines.push(row('TOTAL', dollars(amount)))
    }
    lines.push(...body, '', center(verdict))
    if (reason) lines.push(center(reason))
    if (t.charged?.authId) lines.push(row('AUTH', t.charged.authId))
    lines.push(row('REF', t.requestId))
    return receipt(
      {
        merchantName: this.settings.merchantName,
        merchantId: this.settings.merchantId,
        deviceId: t.device.deviceId,
        at: t.createdAt,
      },
      lines,
    )
  }

  /** The terminal showing `code`, if any. */
  private showing(code: string): Device | undefined {
    for (const device of this.devices.values()) if (device.pairingCode === code) return device
    return undefined
  }

  private newCode(): string {
    // Six characters, distinct for each code issued, not guessable from the device id; one a
    // terminal was configured to show is skipped (pairing would find that terminal first).
    for (;;) {
      const code = ((++this.codes * 7_919_111 + 60_466_176) % 2_176_782_336)
        .toString(36)
        .toUpperCase()
        .padStart(6, '0')
      if (!this.showing(code)) return code
    }
  }
}

/** The optional store details of a pairing form (one field name has a space). */
export const STORE_FIELDS = [
  'Contact Name',
  'Address',
  'City',
  'State',
  'ZipCode',
  'Email',
  'Phone',
]

function required(form: FormFields, field: string): string {
  const value = form[field]
  if (value === undefined || value.trim() === '') refuse('invalid', `${field} is required`)
  return value!
}

/** POSRegisterID, required and a UUID (the client's rule, answered as a 400 `{error}`). */
function requiredRegisterId(form: FormFields): string {
  const id = required(form, 'POSRegisterID')
  try {
    registerId('POSRegisterID', id, form)
  } catch (error) {
    if (isTillkitError(error)) refuse('invalid', error.message)
    throw error
  }
  return id
}

/** `transactionTimeStamp`: year to seconds, then four digits of fraction. */
function stamp(at: number): string {
  const iso = new Date(at).toISOString()
  return iso.replace(/\D/g, '').slice(0, 14) + String(at % 1000).padStart(3, '0') + '0'
}

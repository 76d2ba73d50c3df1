import { checkFields, fields, TillkitValidationError, type Rules } from '@tillkit/core'
import { bodyRules } from '../../rules.js'
import { chooseScenario, plan, type Timings } from '../scenarios.js'
import type {
  PaymentList,
  ReferencedRefundRequest,
  RefundSummary,
  RetrievedPayment,
  ReversalRequest,
} from '../types.js'
import { checkCurrency } from './currencies.js'
import { DeviceBook, type DeviceConfig, type DeviceState } from './devices.js'
import { invalid, refuse } from './errors.js'
import { IdempotencyStore } from './idempotency.js'
import { Identity, type Scope } from './identity.js'
import {
  instructionSegment,
  type InstructionBody,
  type InstructionKind,
  type InstructionRecord,
} from './instructions.js'
import { Ledger } from './ledger.js'
import type { PageRequest } from './pages.js'
import { ResultBook, type PaymentFilter } from './payments.js'

export interface ModelSettings {
  timings: Timings
  tokenLifetimeSeconds: number
  /** API key to the scope of the tokens it gets. */
  keys: ReadonlyMap<string, Scope>
}

/**
 * The client's body rules, lenient about names they do not know: nothing known of Payroc's gateway
 * says it refuses an unknown field (the client refuses them before sending).
 */
const BODY_RULES = bodyRules(fields)

const SUBMIT_RULES: Record<InstructionKind, Rules> = {
  payment: BODY_RULES['POST /devices/{serialNumber}/payment-instructions']!,
  refund: BODY_RULES['POST /devices/{serialNumber}/refund-instructions']!,
  signature: BODY_RULES['POST /devices/{serialNumber}/signature-instructions']!,
}

/**
 * Checks a body with the client's own rule table (the same rules, so client and fake cannot drift) and turns the
 * first broken rule into a 400 naming the field.
 */
export function parseBody<T>(body: unknown, rules: Rules): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return invalid('body', 'must be a JSON object')
  try {
    checkFields(body as Record<string, unknown>, rules)
  } catch (error) {
    if (error instanceof TillkitValidationError) invalid(error.field, error.rule)
    throw error
  }
  return body as T
}

/**
 * The fake Payroc gateway without any HTTP: identity, devices, instructions, payments and the ledger. Nothing runs
 * in the background: every call takes the current time and first settles whatever fell due by then (an
 * instruction that ended, with its payment and ledger entry stamped at its own end time). A manual clock therefore
 * makes the fake deterministic. Long-poll readers `watch` an instruction to hear of changes that are not on a
 * timetable (cancels).
 */
export class PayrocModel {
  readonly ledger = new Ledger()
  readonly devices = new DeviceBook()
  readonly idempotency = new IdempotencyStore()
  readonly identity: Identity
  readonly results: ResultBook
  private readonly instructions = new Map<string, InstructionRecord>()
  /** Instructions in progress, by id. */
  private readonly running = new Map<string, InstructionRecord>()
  private readonly watchers = new Map<string, Set<() => void>>()

  constructor(
    private readonly settings: ModelSettings,
    devices: readonly DeviceConfig[],
    now: number,
  ) {
    this.identity = new Identity(settings.keys, settings.tokenLifetimeSeconds)
    this.results = new ResultBook(this.ledger)
    for (const config of devices) this.devices.add(config, now)
  }

  // ---- instructions -------------------------------------------------------------------------

  submit(
    kind: InstructionKind,
    serialNumber: string,
    body: unknown,
    now: number,
  ): InstructionRecord {
    this.settle(now)
    // The body first, then the device (the order the README gives): a bad body is a 400 whatever the serial.
    const parsed = { kind, request: parseBody(body, SUBMIT_RULES[kind]) } as InstructionBody
    // The client's rules check the currency's form only; the gateway's list is ISO 4217's.
    if (parsed.kind !== 'signature') checkCurrency(parsed.request.order.currency)
    const device = this.devices.get(serialNumber)
    if (device.deactivatedAt !== undefined)
      refuse('not-found', `Device ${serialNumber} is deactivated.`, {
        resource: `device ${serialNumber}`,
      })
    if (parsed.request.processingTerminalId !== device.processingTerminalId)
      invalid('processingTerminalId', `is not the terminal device ${serialNumber} is linked to`)
    if (device.busyWith !== undefined) {
      const busy = this.instructions.get(device.busyWith)!
      refuse('conflict', `Device ${serialNumber} is busy with another instruction.`, {
        link: { rel: 'self', method: 'GET', href: `/${instructionSegment(busy.kind)}/${busy.id}` },
      })
    }
    const amount = parsed.kind === 'signature' ? undefined : parsed.request.order.amount
    const scenario = chooseScenario(device.scenario, amount)
    const end = plan(scenario, this.settings.timings)
    const record: InstructionRecord = {
      ...parsed,
      id: crypto.randomUUID().replaceAll('-', ''),
      serialNumber,
      scenario,
      createdAt: now,
      end: { ...end, at: now + end.afterMs },
      status: 'inProgress',
    }
    this.instructions.set(record.id, record)
    this.running.set(record.id, record)
    device.busyWith = record.id
    return record
  }

  /** An instruction of that kind (an id of another kind is unknown here), brought up to `now`. */
  instruction(kind: InstructionKind, id: string, now: number): InstructionRecord {
    this.settle(now)
    const record = this.instructions.get(id)
    if (!record || record.kind !== kind)
      return refuse('not-found', `No ${kind} instruction ${id}.`, {
        resource: `${kind} instruction ${id}`,
      })
    return record
  }

  /** Cancels an instruction in progress; 409 once it has ended (even at this very instant). */
  cancel(kind: InstructionKind, id: string, now: number): void {
    const record = this.instruction(kind, id, now)
    if (record.status !== 'inProgress')
      refuse(
        'conflict',
        `The instruction is ${record.status}; only one in progress can be canceled.`,
        {
          link: { rel: 'self', method: 'GET', href: `/${instructionSegment(kind)}/${id}` },
        },
      )
    this.end(record, 'canceled', now)
  }

  /** Calls `listener` when the instruction changes outside its timetable; returns the unsubscribe. */
  watch(id: string, listener: () => void): () => void {
    const set = this.watchers.get(id) ?? new Set()
    set.add(listener)
    this.watchers.set(id, set)
    return () => {
      set.delete(listener)
      if (!set.size) this.watchers.delete(id)
    }
  }

  /** Ends every instruction due by `now`, in the order they fall due. */
  settle(now: number): void {
    const due = [...this.running.values()]
      .filter((r) => r.end.at <= now)
      .sort((a, b) => a.end.at - b.end.at)
    for (const record of due) this.end(record, record.end.status, record.end.at)
  }

  list(): InstructionRecord[] {
    return [...this.instructions.values()]
  }

  private end(record: InstructionRecord, status: InstructionRecord['status'], at: number): void {
    record.status = status
    record.endedAt = at
    if (status === 'failure' && record.end.status === 'failure')
      record.errorMessage = record.end.errorMessage
    if (status === 'completed') record.resultId = this.results.complete(record, at)
    this.running.delete(record.id)
    const device: DeviceState = this.devices.get(record.serialNumber)
    if (device.busyWith === record.id) device.busyWith = undefined
    for (const listener of [...(this.watchers.get(record.id) ?? [])]) listener()
  }

  // ---- payments ------------------------------------------------------------------------------

  payment(paymentId: string, now: number): RetrievedPayment {
    this.settle(now)
    return this.results.payment(paymentId)
  }

  searchPayments(
    filter: PaymentFilter,
    page: PageRequest,
    link: (query: string) => string,
    now: number,
  ): PaymentList {
    this.settle(now)
    return this.results.search(filter, page, link)
  }

  refundPayment(paymentId: string, body: unknown, now: number): RefundSummary {
    this.settle(now)
    this.results.payment(paymentId)
    const request = parseBody<ReferencedRefundRequest>(
      body,
      BODY_RULES['POST /payments/{paymentId}/refunds']!,
    )
    return this.results.refundPayment(paymentId, request, now)
  }

  reversePayment(paymentId: string, body: unknown, now: number): RetrievedPayment {
    this.settle(now)
    this.results.payment(paymentId)
    const request = parseBody<ReversalRequest>(
      body,
      BODY_RULES['POST /payments/{paymentId}/reverse']!,
    )
    return this.results.reversePayment(paymentId, request, now)
  }
}

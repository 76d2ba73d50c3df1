/**
 * SmartConnect (Smartpay, NZ and AU): `POST /Transaction` starts a payment on the register's paired
 * terminal and answers with a polling URL; `GET` on that URL is the only way to follow it. There is
 * no idempotency key (a lost start is never sent again), no cancel from the POS (the operator
 * presses cancel on the terminal), no signature question (the terminal prompts on its own) and no
 * notification list: events are the states the polling URL reports. The URL carries the
 * transaction's access token, so it is journaled as a secret id and never shown.
 */
import {
  assertObject,
  assertKnownFields,
  assertInteger,
  assertOneOf,
  assertString,
  TillkitHttpError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
} from '@tillkit/core'
import {
  createSmartConnectClient,
  MAX_AMOUNT,
  MIN_POLL_INTERVAL_MS,
  POLLING_TOKEN_LIFETIME_MS,
  type CallOptions,
  type PendingTransaction,
  type PollResult,
  type RegisterOptions,
  type SmartConnectClient,
  type SmartConnectClientOptions,
  type TransactionOutcome,
  type TransactionType,
} from '@tillkit/smartconnect'
import type {
  AdapterEnvironment,
  AdapterTerminal,
  Observation,
  PaymentContext,
  ProviderAdapter,
  ProviderNotification,
  ProviderOutcome,
  StartResult,
  UnknownSituation,
} from '../adapter.js'
import type { OutcomeAmounts, PaymentRequest, Receipt } from '../types.js'
import { moneyOf, saidIn, unattached } from './shared.js'

export interface SmartConnectAdapterOptions extends Pick<
  SmartConnectClientOptions,
  'environment' | 'baseUrl' | 'fetch' | 'timeoutMs'
> {
  /**
   * The account's terminals, each with the register paired to it (pair with the client's `pair`
   * first: pairing needs someone at the terminal). A payment's `terminal` picks the register that
   * sends it; SmartConnect itself routes by pairing.
   */
  terminals: ReadonlyArray<{ terminal: string; register: RegisterOptions }>
  /**
   * What the terminals charge in. SmartConnect sends no currency: each terminal is set up for its
   * country, so payments in any other currency are refused before sending.
   */
  currency: 'NZD' | 'AUD'
  /** Time between polls of a payment: at least 2 000 (faster polls get 429). Default 3 000. */
  cadenceMs?: number
  /**
   * How long a polling URL works after the start (about 15 minutes, measured on the dev cloud;
   * nothing re-issues it). Past this, a refused poll settles the payment `unknown` (expired).
   */
  tokenLifetimeMs?: number
}

/**
 * Every name of {@link SmartConnectAdapterOptions} (the `satisfies` keeps the list complete): any
 * other is refused.
 */
const OPTION_NAMES = {
  environment: 1,
  baseUrl: 1,
  fetch: 1,
  timeoutMs: 1,
  terminals: 1,
  currency: 1,
  cadenceMs: 1,
  tokenLifetimeMs: 1,
} satisfies Record<keyof SmartConnectAdapterOptions, 1>

/** Every name of a terminal of {@link SmartConnectAdapterOptions.terminals}. */
const TERMINAL_NAMES = { terminal: 1, register: 1 } satisfies Record<
  keyof SmartConnectAdapterOptions['terminals'][number],
  1
>

const CURRENCIES = ['NZD', 'AUD'] as const

/** The secret id: the polling URL holds the transaction's access token. */
const POLLING_URL = 'pollingUrl'

/** The shared outcome vocabulary for the client's outcome statuses. */
const STATUS: Record<
  Exclude<TransactionOutcome['status'], 'unknown'>,
  Pick<ProviderOutcome, 'status' | 'reasonCode'>
> = {
  approved: { status: 'approved' },
  // Payments only; a non-financial success is not a kind this adapter starts.
  succeeded: { status: 'approved' },
  declined: { status: 'declined', reasonCode: 'declined' },
  cancelled: { status: 'cancelled', reasonCode: 'cancelled-on-terminal' },
  'terminal-offline': { status: 'failed', reasonCode: 'terminal-offline' },
  unavailable: { status: 'failed', reasonCode: 'unavailable' },
  failed: { status: 'failed', reasonCode: 'failed' },
}

/**
 * An adapter for one SmartConnect account: a set of registers, one per terminal. Its clients never
 * retry and never wait: the orchestrator's core paces every poll and decides every retry.
 */
export function smartconnectAdapter(options: SmartConnectAdapterOptions): ProviderAdapter {
  assertObject('options', options)
  assertKnownFields(options, OPTION_NAMES, 'options.')
  const cadenceMs = options.cadenceMs ?? 3_000
  const retentionMs = options.tokenLifetimeMs ?? POLLING_TOKEN_LIFETIME_MS
  assertInteger('options.cadenceMs', cadenceMs, MIN_POLL_INTERVAL_MS, 60_000)
  assertInteger('options.tokenLifetimeMs', retentionMs, 60_000, 24 * 3_600_000)
  assertOneOf('options.currency', options.currency, CURRENCIES)
  const { currency } = options
  if (!Array.isArray(options.terminals) || !options.terminals.length)
    throw new TillkitValidationError('options.terminals', 'must list at least one terminal')
  const seen = new Set<string>()
  for (const [i, t] of options.terminals.entries()) {
    assertString(`options.terminals[${i}].terminal`, t?.terminal, { minLength: 1, maxLength: 64 })
    assertKnownFields(t, TERMINAL_NAMES, `options.terminals[${i}].`)
    if (seen.has(t.terminal))
      throw new TillkitValidationError(`options.terminals[${i}].terminal`, 'is listed twice')
    seen.add(t.terminal)
  }
  const terminals: AdapterTerminal[] = options.terminals.map((t) => ({
    terminal: t.terminal,
    status: 'unknown',
    currencies: [currency],
  }))

  let env = unattached()
  const makeClients = () =>
    new Map(
      options.terminals.map((t) => [
        t.terminal,
        createSmartConnectClient({
          environment: options.environment,
          register: t.register,
          ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }),
          ...(options.fetch !== undefined && { fetch: options.fetch }),
          ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
          clock: env.clock,
          logger: env.logger,
        }),
      ]),
    )
  // Made now so bad registers or hosts fail at construction, and again on attach for the clock.
  let clients = makeClients()
  /** The register a start goes out from: never another terminal's. */
  const clientFor = (terminal: string): SmartConnectClient => {
    const client = clients.get(terminal)
    if (!client)
      throw new TillkitValidationError('terminal', 'is not a terminal of this account', terminal)
    return client
  }
  /** Any register may read a polling URL (the token is the credential); its own is used if known. */
  const reader = (terminal: string) => clients.get(terminal) ?? clients.values().next().value!

  const pendingOf = (ctx: PaymentContext): PendingTransaction => {
    const transactionId = ctx.ids.transactionId
    const pollingUrl = ctx.ids[POLLING_URL]
    if (!transactionId || !pollingUrl)
      throw new TillkitValidationError('ids', 'hold no polling URL for this payment')
    return {
      transactionId,
      pollingUrl,
      type: typeOf(ctx.request),
      startedAt: Math.max(0, Math.floor(ctx.startedAt)),
    }
  }

  return {
    provider: 'smartconnect',
    capabilities: {
      kinds: ['sale', 'refund', 'preAuth', 'completion'],
      cancel: false,
      signature: 'terminal',
      findsLostStarts: false,
    },
    pacing: {
      // The 2 s floor is counted where polls arrive: from the previous answer, not its send.
      mode: 'after-answer',
      cadenceMs,
      cadenceRangeMs: [MIN_POLL_INTERVAL_MS, 60_000],
      spacingMs: 0,
      retentionMs,
    },
    secretIds: [POLLING_URL],
    terminals,

    attach(environment: AdapterEnvironment) {
      env = environment
      clients = makeClients()
    },

    validate(request) {
      checkRequest(request, currency)
    },

    async start(ctx): Promise<StartResult> {
      const { request } = ctx
      const type = typeOf(request)
      const start = clientFor(request.terminal).startTransaction as (
        type: TransactionType,
        fields: Record<string, string | number>,
        options?: CallOptions,
      ) => Promise<PendingTransaction>
      let pending: PendingTransaction
      try {
        pending = await start(type, fieldsOf(request), { signal: ctx.signal })
      } catch (error) {
        // A definite refusal (4xx but 429, which the core sends again) started nothing.
        if (error instanceof TillkitHttpError && error.status < 500 && error.status !== 429)
          return { ids: {}, outcome: refusal(error) }
        throw error
      }
      return {
        ids: {
          transactionId: pending.transactionId,
          [POLLING_URL]: pending.pollingUrl,
          ...(request.kind === 'preAuth' && { transactionReference: request.reference }),
        },
        // The start answer reports the transaction PENDING: the cloud has it.
        notifications: [{ type: 'started', raw: 'PENDING', key: 'started' }],
      }
    },

    async poll(ctx): Promise<Observation> {
      const pending = pendingOf(ctx)
      const result = await reader(ctx.request.terminal).poll(pending, { signal: ctx.signal })
      return observe(result, ctx.request, pending, cadenceMs)
    },

    async listTerminals() {
      // SmartConnect has no listing: these are the configured terminals.
      return terminals.map((t) => ({ ...t }))
    },

    async terminalStatus(terminal) {
      // Terminal.GetStatus is a transaction that occupies the terminal; the status is not read.
      const known = terminals.find((t) => t.terminal === terminal)
      if (!known)
        throw new TillkitValidationError('terminal', 'is not a terminal of this account', terminal)
      return { ...known }
    },

    reconcile(ctx, situation) {
      return advice(ctx, situation)
    },
  }
}

/** The SmartConnect transaction type a payment is sent as (the core refuses other kinds). */
function typeOf(request: PaymentRequest): TransactionType {
  switch (request.kind) {
    case 'refund':
      return 'Card.Refund'
    case 'preAuth':
      return 'Card.Authorise'
    case 'completion':
      return 'Card.Finalise'
    default:
      return request.cashback ? 'Card.PurchasePlusCash' : 'Card.Purchase'
  }
}

/** The form fields of a payment, built only from the request (amounts in cents). */
function fieldsOf(request: PaymentRequest): Record<string, number | string> {
  const amount = request.amount!
  switch (request.kind) {
    case 'preAuth':
      // Our reference names the authorisation, so its completion can point at it.
      return { AmountAuth: amount, TransactionReference: request.reference }
    case 'completion':
      return { AmountFinal: amount, TransactionReference: request.original!.transactionReference! }
    default:
      // Cash out is part of SmartConnect's total.
      return request.cashback
        ? { AmountTotal: amount + request.cashback, AmountCash: request.cashback }
        : { AmountTotal: amount }
  }
}

/** SmartConnect's rules for what this adapter sends, in the orchestrator's field names. */
function checkRequest(request: PaymentRequest, currency: string): void {
  assertOneOf('currency', request.currency, [currency])
  assertInteger('amount', request.amount, 1, MAX_AMOUNT)
  if (request.cashback !== undefined) {
    if (request.kind !== 'sale')
      throw new TillkitValidationError('cashback', 'only allowed for sale with smartconnect')
    assertInteger('cashback', request.cashback, 0, MAX_AMOUNT - request.amount)
  }
  for (const field of ['authCode', 'preAuthAmount'] as const)
    if (request[field] !== undefined)
      throw new TillkitValidationError(
        field,
        'not used with smartconnect: a completion names its pre-auth by original.transactionReference',
      )
  if (request.kind === 'completion') {
    assertString('original.transactionReference', request.original?.transactionReference, {
      minLength: 1,
    })
  } else if (request.original !== undefined) {
    throw new TillkitValidationError(
      'original',
      'only used by a completion with smartconnect: refunds are not referenced',
    )
  }
  for (const key of Object.keys(request.extra ?? {}))
    throw new TillkitValidationError(`extra.${key}`, 'not an option of smartconnect')
}

/** One poll's reading as an observation. */
function observe(
  result: PollResult,
  request: PaymentRequest,
  pending: PendingTransaction,
  cadenceMs: number,
): Observation {
  switch (result.state) {
    case 'pending': {
      if (!result.delayed) return {}
      // The cloud has not heard from the terminal for a while: it is still working on it. The raw
      // value is the code that said so (OK-DELAYED, or DELAYED-TRANSACTION alone).
      const data = result.raw.data
      const raw = data?.TransactionResult || data?.Result
      return { notifications: [{ type: 'processing', raw, key: 'delayed' }] }
    }
    case 'final':
      return finalObservation(result.outcome, request)
    case 'retry':
      break
  }
  const { reason, httpStatus } = result
  if (reason === 'rate-limited')
    // SmartConnect's 2 s rule is per transaction: only this payment waits, never less than a cadence.
    return { retryAfterMs: Math.max(result.retryAfterMs ?? 0, cadenceMs) }
  if (reason === 'unexpected-status')
    // A definite refusal (400...): the core gives up after a few in a row.
    throw new TillkitHttpError({
      status: httpStatus ?? 0,
      body: undefined,
      method: 'GET',
      url: `polling URL of transaction ${pending.transactionId}`,
    })
  // Timeouts, lost connections, 5xx, 408, bodies that are not a result: read again later.
  throw new TillkitUnknownOutcomeError(
    `no reading of transaction ${pending.transactionId} this time (${reason})`,
    {
      operation: 'poll',
      reason,
      known: {
        transactionId: pending.transactionId,
        ...(httpStatus !== undefined && { httpStatus }),
      },
    },
  )
}

function finalObservation(outcome: TransactionOutcome, request: PaymentRequest): Observation {
  // The token lapsed or the URL is refused: "not known" to the core, which settles it once the
  // token's life has passed.
  if (outcome.status === 'unknown' && outcome.reason === 'polling-url-unusable')
    return { missing: true }
  const notifications: ProviderNotification[] = []
  const verdict = outcome.transactionResult ?? ''
  if (outcome.status === 'approved')
    notifications.push({ type: 'authorised', raw: verdict, key: 'verdict' })
  if (outcome.status === 'declined')
    notifications.push({ type: 'declined', raw: verdict, key: 'verdict' })
  notifications.push({ type: 'finished', raw: 'COMPLETED', key: 'finished' })
  return { notifications, outcome: outcomeOf(outcome, request) }
}

function outcomeOf(outcome: TransactionOutcome, request: PaymentRequest): ProviderOutcome {
  const receipt = receiptOf(outcome.receipt)
  const mapped =
    outcome.status === 'unknown'
      ? {
          status: 'unknown' as const,
          reasonCode: outcome.reason ?? 'unreadable',
          reason: `SmartConnect finished the transaction with codes that do not say whether money moved (TransactionResult ${show(outcome.transactionResult)}, Result ${show(outcome.result)})`,
        }
      : {
          ...STATUS[outcome.status],
          ...(outcome.resultText && { reason: outcome.resultText }),
        }
  return {
    ...mapped,
    ...(outcome.status === 'approved' && { amounts: amountsOf(outcome, request.cashback ?? 0) }),
    ...(outcome.authId && { authCode: outcome.authId }),
    ...(outcome.cardPan && { maskedPan: outcome.cardPan }),
    ...(outcome.cardType && { cardScheme: outcome.cardType }),
    ...(receipt && { receipt }),
    ...(outcome.raw && { raw: outcome.raw }),
  }
}

/**
 * SmartConnect reports one total (surcharge, tip and cash out included) and the tip, not the cash
 * out: that is the `AmountCash` sent. The base is what is left. Only an approval reports amounts: a
 * decline's total was never taken.
 */
function amountsOf(outcome: TransactionOutcome, cash: number): OutcomeAmounts {
  const total = outcome.amountTotal
  if (total === undefined) return {}
  const tip = outcome.amountTip ?? 0
  return {
    approved: total - tip - (outcome.amountSurcharge ?? 0) - cash,
    ...(cash > 0 && { cashback: cash }),
    ...(outcome.amountTip !== undefined && { gratuity: tip }),
    total,
  }
}

/** SmartConnect prints one slip: it is given as both copies. */
function receiptOf(text: string | undefined): Receipt | undefined {
  if (!text) return undefined
  const lines = text.replace(/\n$/, '').split('\n')
  return { merchant: lines, customer: lines }
}

const show = (code: string | undefined) => (code ? code : '(blank)')

function refusal(error: TillkitHttpError): ProviderOutcome {
  const reason =
    saidIn(error.body, 'error') ?? `SmartConnect refused the request (HTTP ${error.status})`
  const reasonCode = /busy/i.test(reason)
    ? 'terminal-busy'
    : /not paired/i.test(reason)
      ? 'not-paired'
      : 'refused'
  return { status: 'failed', reasonCode, reason, raw: error.body }
}

function advice(ctx: PaymentContext, situation: UnknownSituation): string[] {
  const { terminal, reference } = ctx.request
  const money = moneyOf(ctx.request)
  const since = new Date(ctx.startedAt).toISOString()
  const id = ctx.ids.transactionId
  const atTerminal = [
    `Look at terminal ${terminal}: if it is still busy, let it finish. Then read its last receipt (or its journal) for ${money} after ${since}.`,
    `If the terminal printed an approval for it, record that against reference ${reference}; if it shows nothing for it, nothing was taken. Start a new payment only once you know.`,
  ]
  switch (situation) {
    case 'lost-start':
      return [
        `The start may have reached SmartConnect with no transaction id coming back, so nothing can be polled; it was not sent again.`,
        ...atTerminal,
      ]
    case 'expired':
      return [
        `The polling URL of SmartConnect transaction ${id ?? '(unknown)'} has lapsed (its token lives about 15 minutes): the result can no longer be read through the API.`,
        ...atTerminal,
        `Smartpay support can still look transaction ${id ?? '(unknown)'} up if the terminal does not tell.`,
      ]
    case 'unreadable':
      return [
        `SmartConnect did not give a readable result for transaction ${id ?? '(unknown)'} (contradictory or missing codes, or its polling URL was refused).`,
        ...atTerminal,
        `Smartpay support can look transaction ${id ?? '(unknown)'} up.`,
      ]
  }
}

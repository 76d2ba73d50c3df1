import createClient from 'openapi-fetch'
import {
  checkCallOptions,
  checkClientOptions,
  checkFields,
  exactFields,
  TRANSPORT_RULES,
  createTransport,
  isTillkitError,
  oneOf,
  optional,
  RequestDraft,
  segment,
  string,
  text,
  TillkitUnknownOutcomeError,
  type Clock,
  type LoggerLike,
  type Rules,
  type Transport,
} from '@tillkit/core'
import type { components, paths } from './generated/smartconnect.js'
import {
  checkPending,
  createPoller,
  waitSettings,
  WAIT_OPTIONS,
  type PollResult,
  type WaitOptions,
} from './poll.js'
import type { TransactionOutcome } from './outcome.js'
import { checkTransaction, registerId } from './rules.js'
import type { TransactionFields, TransactionType } from './types.js'

type Schemas = components['schemas']

/** The register (one till) as SmartConnect knows it. Changing `id`, `businessName` or `vendorName` means pairing again. */
export interface RegisterOptions {
  /** `POSRegisterID`: a UUID you keep for the life of the register, unique across all your customers. */
  id: string
  /** `POSRegisterName`: shown on the terminal. */
  name: string
  /** `POSBusinessName`: the store's name (not yours). */
  businessName: string
  /** `POSVendorName`: your POS product's name. */
  vendorName: string
}

export interface SmartConnectClientOptions {
  /** `dev` (all testing and certification) or `production` (live merchants only). */
  environment: 'dev' | 'production'
  register: RegisterOptions
  /** Replaces the environment's base URL, `/POS` included (a proxy, a fake cloud on loopback). */
  baseUrl?: string
  fetch?: (request: Request) => Promise<Response>
  logger?: LoggerLike
  /** Per request, default 30 000. */
  timeoutMs?: number
  clock?: Clock
}

/** Optional store details sent with pairing. */
export interface StoreDetails {
  contactName?: string
  address?: string
  city?: string
  state?: string
  zipCode?: string
  email?: string
  phone?: string
}

/**
 * What a lost start knows of its request: the `known` of the TillkitUnknownOutcomeError that
 * `startTransaction` (or `transact`) rejects with when the answer never came (`error.known as StartKnown`).
 */
export interface StartKnown {
  type: TransactionType
  /** The fields as sent (text, as Smartpay takes them). */
  fields: Record<string, string>
  registerId: string
  /** Clock time the request was sent. */
  sentAt: number
  /** What Smartpay answered, when it named the transaction (for its support). */
  transactionId?: string
}

/**
 * A started transaction: everything needed to follow it, now or after a restart. Store it durably
 * as soon as you have it. `pollingUrl` carries the transaction's access token: it is a secret (keep
 * it out of logs; the client never logs it and redacts it from its errors).
 */
export interface PendingTransaction {
  transactionId: string
  type: TransactionType
  pollingUrl: string
  /** Clock time (epoch ms) at which the start request was sent: deadlines and the token's life count from it. */
  startedAt: number
}

export interface CallOptions {
  signal?: AbortSignal
}

export interface TransactOptions extends WaitOptions {
  /** Called with the started transaction before polling begins: persist it here. Awaited. */
  onStarted?: (pending: PendingTransaction) => void | Promise<void>
}

/** The fields argument: optional for the types that take no required field. */
type FieldsArgs<T extends TransactionType> =
  Partial<TransactionFields<T>> extends TransactionFields<T>
    ? [fields?: TransactionFields<T>]
    : [fields: TransactionFields<T>]

export interface SmartConnectClient {
  readonly register: Readonly<RegisterOptions>
  /** Base URL requests go to, `/POS` included. */
  readonly baseUrl: string
  /** The transport: its `redact` and `logger` are the ones the client uses. */
  readonly transport: Transport
  /**
   * Pairs this register with the terminal showing `pairingCode`. Resolves once paired; a refusal
   * (e.g. an unknown code) rejects with a TillkitHttpError whose `body.error` says why.
   */
  pair(pairingCode: string, store?: StoreDetails, options?: CallOptions): Promise<void>
  /**
   * Starts a transaction on the paired terminal (always `TransactionMode=ASYNC`). Fields are checked
   * first (TillkitValidationError). A refusal (4xx) rejects with a TillkitHttpError: nothing started.
   * A 5xx, a 408, a redirect, a lost or unreadable answer rejects with a TillkitUnknownOutcomeError:
   * the transaction may be running. It is never sent twice.
   */
  startTransaction<T extends TransactionType>(
    type: T,
    ...args: [...FieldsArgs<T>, options?: CallOptions]
  ): Promise<PendingTransaction>
  /** One poll of the polling URL, read into a typed result. Never throws for what the URL answers. */
  poll(pending: PendingTransaction, options?: CallOptions): Promise<PollResult>
  /**
   * Polls until the outcome is final, the polling URL becomes unusable, or the deadline passes (the
   * last two give `status: 'unknown'`). Cadence: every `intervalMs` (at least 2 s), backing off on
   * 429. Works as well on a transaction started before a restart.
   */
  waitForOutcome(pending: PendingTransaction, options?: WaitOptions): Promise<TransactionOutcome>
  /** `startTransaction`, then `onStarted` (persist), then `waitForOutcome`. */
  transact<T extends TransactionType>(
    type: T,
    ...args: [...FieldsArgs<T>, options?: TransactOptions]
  ): Promise<TransactionOutcome>
}

export const BASE_URLS = {
  dev: 'https://api-dev.smart-connect.cloud/POS',
  production: 'https://api.smart-connect.cloud/POS',
} as const

const FORM = 'application/x-www-form-urlencoded'

export function createSmartConnectClient(options: SmartConnectClientOptions): SmartConnectClient {
  const baseUrl = checkOptions(options)
  const register = Object.freeze({ ...options.register })
  const transport = createTransport({
    fetch: options.fetch,
    logger: options.logger,
    timeoutMs: options.timeoutMs,
    clock: options.clock,
    // Nothing is repeated by the transport: a start has no idempotency key, and polls keep their
    // own cadence (a quick retry would break the 2 s rule).
    retry: false,
  })
  const api = createClient<paths>({
    baseUrl,
    fetch: transport.fetch as (input: Request) => Promise<Response>,
    // Drafts, not Requests: the transport sends the init as built (see RequestDraft).
    Request: RequestDraft as unknown as typeof Request,
    headers: { Accept: 'application/json' },
    // Following a redirect could carry the request (and later a polling token) to another host.
    redirect: 'manual',
    bodySerializer: (body: unknown) =>
      new URLSearchParams(body as Record<string, string>).toString(),
  })
  const identity = {
    POSRegisterID: register.id,
    POSBusinessName: register.businessName,
    POSVendorName: register.vendorName,
  }
  const poller = createPoller(transport, baseUrl)

  /** A body as openapi-fetch hands it over: text holding JSON is parsed, blank text is none. */
  const parse = (body: unknown): unknown => {
    if (typeof body !== 'string') return body
    if (!body.trim()) return undefined
    try {
      return JSON.parse(body)
    } catch {
      return body
    }
  }

  async function pair(
    pairingCode: string,
    store: StoreDetails = {},
    options: CallOptions = {},
  ): Promise<void> {
    // No length or character set is documented for the code: the cloud judges it (400 when wrong).
    // It is one segment of the path.
    segment('pairingCode', pairingCode, {})
    STORE('store', store, {})
    checkCallOptions(options)
    const { signal } = options
    const body: Schemas['PairingRequest'] = { ...identity, POSRegisterName: register.name }
    for (const [key, field] of Object.entries(STORE_FIELDS)) {
      const value = (store as Record<string, string | undefined>)[key]
      if (value !== undefined) body[field] = value
    }
    const { response, data, error } = await api.PUT('/Pairing/{pairingCode}', {
      params: { path: { pairingCode } },
      body,
      headers: { 'Content-Type': FORM },
      parseAs: 'text',
      signal,
    })
    if (!response.ok) throw transport.httpError(response, parse(error))
    transport.logger.info({ registerId: register.id, result: parse(data) }, 'smartconnect paired')
  }

  async function startTransaction(
    type: TransactionType,
    fields?: unknown,
    options: CallOptions = {},
  ): Promise<PendingTransaction> {
    checkCallOptions(options)
    const { signal } = options
    const checked = checkTransaction(type, fields)
    const body = {
      ...identity,
      TransactionMode: 'ASYNC',
      TransactionType: checked.type,
      ...Object.fromEntries(checked.values),
    } as Schemas['TransactionRequest']
    const startedAt = transport.clock.now()
    // What is known of the request, for reconciling when its answer is lost.
    const known: StartKnown = {
      type: checked.type,
      fields: Object.fromEntries(checked.values),
      registerId: register.id,
      sentAt: startedAt,
    }
    /** `transactionId`: what Smartpay answered, when it named the transaction (for its support). */
    const unknown = (reason: string, cause?: unknown, transactionId?: unknown) =>
      new TillkitUnknownOutcomeError<StartKnown>(
        `${checked.type} may have started on the terminal but its answer was lost (${reason}): ` +
          'check the terminal before starting it again',
        {
          operation: checked.type,
          reason,
          known: {
            ...known,
            ...(typeof transactionId === 'string' && transactionId && { transactionId }),
          },
          cause,
          redact: transport.redact,
        },
      )
    /** With `parseAs: 'text'`, `data` and `error` are the body text. */
    let result: { response: Response; data?: unknown; error?: unknown }
    try {
      result = await api.POST('/Transaction', {
        body,
        headers: { 'Content-Type': FORM },
        parseAs: 'text',
        signal,
      })
    } catch (error) {
      // Never sent (no connection, or aborted before sending): safe to try again.
      if (isTillkitError(error) && !error.mayHaveReachedProvider) throw error
      const reason = isTillkitError(error) ? error.code.toLowerCase() : 'network'
      throw unknown(reason, error)
    }
    const { response } = result
    const status = response.status
    if (status === 0 || (status >= 300 && status < 400)) throw unknown('redirect')
    if (!response.ok) {
      // Core's reading: a 5xx or 408 leaves the outcome open; any other refusal is definite.
      const refused = transport.httpError(response, parse(result.error))
      throw refused.outcomeUnknown ? unknown(`http-${status}`, refused) : refused
    }
    const started = parse(result.data) as Partial<Schemas['TransactionStarted']>
    const transactionId = started?.transactionId
    const pollingUrl = started?.data?.PollingUrl
    if (typeof transactionId !== 'string' || !transactionId || typeof pollingUrl !== 'string')
      throw unknown('malformed-response', undefined, transactionId)
    const pending: PendingTransaction = {
      transactionId,
      type: checked.type,
      pollingUrl,
      startedAt,
    }
    try {
      checkPending(pending, baseUrl)
    } catch (error) {
      throw unknown('malformed-response', error, transactionId)
    }
    transport.logger.info({ transactionId, type: checked.type }, 'smartconnect transaction started')
    return pending
  }

  return {
    register,
    baseUrl,
    transport,
    pair,
    startTransaction: (type, ...args) => {
      const [fields, options] = args as unknown as [unknown, CallOptions | undefined]
      return startTransaction(type, fields, options)
    },
    poll: (pending, options) => poller.poll(pending, options),
    waitForOutcome: (pending, options) => poller.wait(pending, options),
    async transact(type, ...args) {
      const [fields, options = {}] = args as unknown as [unknown, TransactOptions | undefined]
      // The wait's options before the start: a refusal then means nothing was sent.
      waitSettings(options, TRANSACT_OPTIONS)
      const { onStarted, ...wait } = options
      const pending = await startTransaction(type, fields, { signal: options.signal })
      await onStarted?.(pending)
      return poller.wait(pending, wait)
    },
  }
}

/** Every name of {@link TransactOptions} (the `satisfies` keeps the list complete). */
const TRANSACT_OPTIONS = { ...WAIT_OPTIONS, onStarted: 1 } satisfies Record<
  keyof TransactOptions,
  1
>

/**
 * Store details and their form field names (one has a space); the `satisfies` keeps both sides in
 * step with the types. Any other name is refused.
 */
const STORE_FIELDS = {
  contactName: 'Contact Name',
  address: 'Address',
  city: 'City',
  state: 'State',
  zipCode: 'ZipCode',
  email: 'Email',
  phone: 'Phone',
} as const satisfies Record<keyof StoreDetails, keyof Schemas['PairingRequest']>

/** Strings, of any length: SmartConnect documents no limit on the store details. */
const STORE = exactFields(
  Object.fromEntries(Object.keys(STORE_FIELDS).map((key) => [key, optional(string({}))])),
)

const REGISTER_RULES: Rules = {
  id: registerId,
  name: text,
  businessName: text,
  vendorName: text,
}

/** Every option but the host, in the order they are checked; any other name is refused. */
const OPTION_RULES: Rules = {
  // No `retry`: the client never repeats a request (see createSmartConnectClient).
  timeoutMs: TRANSPORT_RULES.timeoutMs,
  fetch: TRANSPORT_RULES.fetch,
  clock: TRANSPORT_RULES.clock,
  logger: TRANSPORT_RULES.logger,
  baseUrl: optional(string({ pattern: /^https?:\/\/[^\s/]+(\/\S*)?$/ })),
  register: exactFields(REGISTER_RULES),
}

/** The host: `baseUrl` when given, else the environment's. */
const HOST_RULES: Rules = { environment: oneOf(['dev', 'production']) }

function checkOptions(options: SmartConnectClientOptions): string {
  checkClientOptions(options, OPTION_RULES, HOST_RULES)
  if (options.baseUrl !== undefined) return options.baseUrl.replace(/\/+$/, '')
  checkFields(options as unknown as Record<string, unknown>, HOST_RULES, 'options.')
  return BASE_URLS[options.environment]
}

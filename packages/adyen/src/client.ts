import createClient, { type Client } from 'openapi-fetch'
import {
  assertAbsent,
  assertObject,
  checkCallOptions,
  checkClientOptions,
  checkFields,
  createTransport,
  guardClient,
  header,
  int,
  oneOf,
  optional,
  RequestDraft,
  steady,
  string,
  segment,
  text,
  urlText,
  TillkitError,
  TillkitHttpError,
  TillkitProtocolError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  TRANSPORT_RULES,
  type Check,
  type Clock,
  type Logger,
  type LoggerLike,
  type RetryPolicy,
  type Rules,
  type Transport,
} from '@tillkit/core'
import { currencyExponent, toMinorUnits } from './currency.js'
import type { paths as DevicePaths } from './generated/device-api.js'
import type { paths as LegacyPaths } from './generated/legacy.js'
import type { AbortRequest } from './generated/nexo/abort-request.js'
import { validateAbortRequest } from './generated/nexo/abort-request.validate.js'
import type { AmountsReq, PaymentRequest } from './generated/nexo/payment-request.js'
import { validatePaymentRequest } from './generated/nexo/payment-request.validate.js'
import type { PaymentResponse } from './generated/nexo/payment-response.js'
import { validatePaymentResponse } from './generated/nexo/payment-response.validate.js'
import type { ReversalRequest } from './generated/nexo/reversal-request.js'
import { validateReversalRequest } from './generated/nexo/reversal-request.validate.js'
import type { ReversalResponse } from './generated/nexo/reversal-response.js'
import { validateReversalResponse } from './generated/nexo/reversal-response.validate.js'
import type { TransactionStatusRequest } from './generated/nexo/transaction-status-request.js'
import { validateTransactionStatusRequest } from './generated/nexo/transaction-status-request.validate.js'
import type { TransactionStatusResponse } from './generated/nexo/transaction-status-response.js'
import { validateTransactionStatusResponse } from './generated/nexo/transaction-status-response.validate.js'
import {
  createNexo,
  currencyOf,
  referenceOf,
  type MessageReference,
  type NexoBuilder,
} from './nexo.js'
import type { NexoOptions } from './nexo.js'
import {
  paymentOutcome,
  rejected,
  reversalOutcome,
  transactionStatusResult,
  type PaymentOutcome,
  type ResultDetails,
  type ReversalOutcome,
  type TransactionStatusResult,
} from './results.js'
import type { EventNotification } from './generated/nexo/event-notification.js'
import {
  assertValid,
  describeErrors,
  invalid,
  isRecord,
  readAnswer,
  type Validator,
} from './wire.js'

export type AdyenTransport = 'device-api' | 'legacy'
/** Live data centres: Europe (default), Australia, United States, East Asia. */
export type AdyenRegion = 'EU' | 'AU' | 'US' | 'APSE'

/** Adyen's processing limit for a cloud payment: past it, Adyen cancels and answers. */
export const CLOUD_PROCESSING_LIMIT_MS = 150_000

/**
 * Options of {@link createAdyenClient}. `merchantAccount` is required with `transport: 'device-api'`
 * (it is in every path), optional with `legacy` (only `connectedDevices()` needs it).
 */
export type AdyenClientOptions<T extends AdyenTransport = AdyenTransport> = T extends AdyenTransport
  ? AdyenClientCommonOptions<T> & MerchantAccountFor<T>
  : never

/** `merchantAccount`, required with the device API (one alternative per transport, so a transport
 * typed `AdyenTransport` still needs it unless it is known to be `legacy`). */
export type MerchantAccountFor<T extends AdyenTransport> = T extends 'device-api'
  ? { merchantAccount: string }
  : { merchantAccount?: string }

/** What {@link AdyenClientOptions} holds besides `merchantAccount`. */
export interface AdyenClientCommonOptions<T extends AdyenTransport = AdyenTransport> {
  /** An API key with the Cloud Device API role, sent as `X-API-Key` (never logged). */
  apiKey: string
  environment: 'test' | 'live'
  /** `device-api` (Cloud device API, recommended) or `legacy` (`/sync`, `/async`, `/connectedTerminals`). */
  transport: T
  /** The live data centre nearest the terminals; default `EU`. Unused in test. */
  region?: AdyenRegion
  /** Replaces the host (a proxy, a fake cloud). For `device-api`, include the `/v1`. */
  baseUrl?: string
  fetch?: (request: Request) => Promise<Response>
  logger?: LoggerLike
  clock?: Clock
  /** Per attempt for everything but synchronous payments and reversals. Default 30 000. */
  timeoutMs?: number
  /**
   * Per attempt for a synchronous payment or reversal, which Adyen holds until the terminal finishes: it must
   * outlast Adyen's 150 s processing limit. Default 180 000, allowed 150 001 to 900 000.
   */
  paymentTimeoutMs?: number
  /** Applies to the requests that are safe to repeat (see README); `false` for one attempt only. */
  retry?: Partial<RetryPolicy> | false
}

export interface CallOptions {
  signal?: AbortSignal
}

type Loose = Omit<Client<Record<string, never>>, 'use' | 'eject'>
export type DeviceApiHttpClient = Omit<Client<DevicePaths>, 'use' | 'eject'>
export type LegacyHttpClient = Omit<Client<LegacyPaths>, 'use' | 'eject'>

/** What is known of a payment-starting request whose outcome is unknown: enough to ask TransactionStatus. */
export interface PendingRequest extends MessageReference {
  /** Your sale reference, for payments. */
  transactionId?: string
  /** Minor units asked for, for payments. */
  amount?: number
  currency?: string
}

/** The request TransactionStatus is asked about: a {@link PendingRequest} (or any object with these fields). */
export interface StatusTarget {
  poiId: string
  serviceId: string
  /** Default the builder's SaleID. */
  saleId?: string
  /** Default `Payment`. */
  category?: MessageReference['category']
  currency?: string
}

export interface WaitForStatusOptions extends CallOptions {
  /** Pause between status requests while the answer is `in-progress` or `unreachable`. Default 10 000. */
  intervalMs?: number
  /** Stop asking after this long and return the last answer. Default 180 000 (past Adyen's 150 s limit). */
  maxWaitMs?: number
}

export type AsyncResult =
  { accepted: true } | (ResultDetails & { accepted: false; event: EventNotification })

export type AbortResult =
  { delivered: true } | (ResultDetails & { delivered: false; event: EventNotification })

export interface AdyenClient<T extends AdyenTransport = AdyenTransport> {
  readonly transport: T
  readonly baseUrl: string
  /** The typed openapi-fetch client of this transport's HTTP surface, for anything not wrapped below. */
  readonly http: T extends 'legacy' ? LegacyHttpClient : DeviceApiHttpClient
  readonly logger: Logger
  readonly clock: Clock
  /** Message builders for one POS (SaleID), on this client's clock. */
  nexo(options: Omit<NexoOptions, 'clock'>): NexoBuilder
  /**
   * A payment through `/sync`, answered when the terminal finishes. A lost answer (timeout, reset, 5xx, an
   * unreadable body) rejects with a TillkitUnknownOutcomeError whose `known` is the {@link PendingRequest}: resolve
   * it with {@link waitForTransactionStatus}, never by paying again.
   */
  payment(message: PaymentRequest, options?: CallOptions): Promise<PaymentOutcome>
  /** A reversal (referenced refund) through `/sync`; unknown outcomes as for payments. */
  reversal(
    message: ReversalRequest,
    options?: CallOptions & { currency?: string },
  ): Promise<ReversalOutcome>
  /** Asks the terminal to stop a running request; the effect shows in that request's own answer. */
  abort(message: AbortRequest, options?: CallOptions): Promise<AbortResult>
  /** One TransactionStatus request, always through `/sync`. Safe to repeat (with a new message). */
  transactionStatus(
    message: TransactionStatusRequest,
    options?: CallOptions & { currency?: string },
  ): Promise<TransactionStatusResult>
  /**
   * The unknown-outcome recipe: asks TransactionStatus about `target` (fresh ServiceIDs from `nexo`) until the
   * answer is final (`processed`, `not-found`, `failed`) or `maxWaitMs` has passed, then returns the last answer.
   */
  waitForTransactionStatus(
    nexo: NexoBuilder,
    target: StatusTarget,
    options?: WaitForStatusOptions,
  ): Promise<TransactionStatusResult>
  /** Sends through `/async`: accepted means forwarded; the outcome arrives as a webhook (see `parseNotification`). */
  sendAsync(
    message: PaymentRequest | ReversalRequest | AbortRequest,
    options?: CallOptions,
  ): Promise<AsyncResult>
  /** Cloud connectivity of one device (`device-api` only). */
  deviceStatus(deviceId: string, options?: CallOptions): Promise<'ONLINE' | 'OFFLINE'>
  /** Ids of the merchant account's devices with a cloud connection now. */
  connectedDevices(
    options?: CallOptions & { store?: string; uniqueTerminalId?: string },
  ): Promise<string[]>
}

const REGION_SUFFIX: Record<AdyenRegion, string> = { EU: '', AU: '-au', US: '-us', APSE: '-apse' }

/** The base URL of a transport in an environment (and, live, a region). */
export function adyenBaseUrl(
  transport: AdyenTransport,
  environment: 'test' | 'live',
  region: AdyenRegion = 'EU',
): string {
  const host = transport === 'device-api' ? 'device-api' : 'terminal-api'
  const env = environment === 'test' ? 'test' : `live${REGION_SUFFIX[region]}`
  return `https://${host}-${env}.adyen.com${transport === 'device-api' ? '/v1' : ''}`
}

/** Every option, in the order they are checked; any other name is refused. */
const OPTION_RULES: Rules = {
  apiKey: header(true),
  environment: oneOf(['test', 'live']),
  transport: oneOf(['device-api', 'legacy']),
  region: optional(oneOf(['EU', 'AU', 'US', 'APSE'])),
  merchantAccount: (field, value, options) =>
    (options.transport === 'device-api' ? text : optional(text))(field, value, options),
  baseUrl: optional(string({ pattern: /^https?:\/\/[^\s/]+/ })),
  ...TRANSPORT_RULES,
  paymentTimeoutMs: optional(int(CLOUD_PROCESSING_LIMIT_MS + 1, 900_000)),
}

const WAIT_RULES = {
  intervalMs: optional(int(1_000, 120_000)),
  maxWaitMs: optional(int(0, 86_400_000)),
} satisfies Record<Exclude<keyof WaitForStatusOptions, 'signal'>, Check>
const CONNECTED_RULES: Rules = { store: optional(urlText), uniqueTerminalId: optional(text) }
/** The option a reversal or a status call takes besides `signal`. */
const CURRENCY = { currency: 1 }

export function createAdyenClient<T extends AdyenTransport>(
  options: AdyenClientOptions<T>,
): AdyenClient<T> {
  checkClientOptions(options, OPTION_RULES)
  const { apiKey, fetch, logger, clock, retry, merchantAccount } = options
  const deviceApi = options.transport === 'device-api'
  const baseUrl = (
    options.baseUrl ?? adyenBaseUrl(options.transport, options.environment, options.region)
  ).replace(/\/+$/, '')
  const common = { fetch, logger, clock, retry, secrets: [apiKey] }
  const timeoutMs = options.timeoutMs ?? 30_000
  // Three transports, one per kind of request: reads are repeated freely; nexo messages never blindly (a repeat
  // reuses the ServiceID, which Adyen refuses); payments also wait past Adyen's processing limit.
  const reads = createTransport({ ...common, timeoutMs, isIdempotent: () => true })
  const messages = createTransport({ ...common, timeoutMs })
  const payments = createTransport({
    ...common,
    timeoutMs: options.paymentTimeoutMs ?? CLOUD_PROCESSING_LIMIT_MS + 30_000,
  })
  // Guarded: an answer that is not the JSON it claims is a TillkitError, whichever way it was sent.
  const http = guardClient(
    createClient({
      baseUrl,
      // `http` used directly gets the cautious transport: GETs repeat, POSTs (a payment?) never blindly.
      fetch: messages.fetch as (input: Request) => Promise<Response>,
      // Drafts, not Requests: the transport sends the init as built (see RequestDraft in core).
      Request: RequestDraft as unknown as typeof Request,
      // A redirect is answered as it is: following it would send the payment (and the key) again,
      // perhaps to another host.
      redirect: 'manual',
      headers: { 'X-API-Key': apiKey },
    }),
    (_method, _path, init) => init,
    messages.redact,
  ) as unknown as Loose

  /** POSTs a nexo message to `/sync` or `/async` and returns the body text; a non-2xx is a TillkitHttpError. */
  async function post(
    mode: 'sync' | 'async',
    message: { SaleToPOIRequest: { MessageHeader: { POIID: string } } },
    via: Transport,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const deviceId = message.SaleToPOIRequest.MessageHeader.POIID
    const path = deviceApi ? `/merchants/{merchantAccount}/devices/{deviceId}/${mode}` : `/${mode}`
    const result = await (http.POST as (p: string, i: object) => Promise<HttpResult>)(path, {
      ...(deviceApi && { params: { path: { merchantAccount, deviceId } } }),
      body: message,
      parseAs: 'text',
      fetch: via.fetch,
      signal,
    })
    if (!result.response.ok || result.error !== undefined)
      throw via.httpError(result.response, result.error)
    return typeof result.data === 'string' ? result.data : ''
  }

  /** Runs a payment-starting call: failures after which it may have reached Adyen become unknown outcomes. */
  async function starting<R>(
    operation: string,
    known: PendingRequest,
    call: () => Promise<R>,
  ): Promise<R> {
    try {
      return await call()
    } catch (error) {
      const reason = unknownReason(error)
      if (reason === undefined) throw error
      throw new TillkitUnknownOutcomeError<PendingRequest>(
        `${operation} on ${known.poiId} (ServiceID ${known.serviceId}) may have been processed: ${reason}; ask TransactionStatus before trying again`,
        { operation, reason, known, cause: error, redact: payments.redact },
      )
    }
  }

  /** Reads a `/sync` answer to `message` with the response validator `validate`; undefined for a Reject event. */
  function answerTo<R extends { SaleToPOIResponse: { MessageHeader: object } }>(
    text: string,
    ref: MessageReference,
    validate: Validator<R>,
  ): R | EventNotification {
    const answer = readAnswer(text)
    if (answer.kind === 'event') return answer.message
    if (answer.kind === 'empty')
      throw new TillkitProtocolError('unexpected', `An empty answer to a ${ref.category} request`)
    const envelope = { SaleToPOIResponse: answer.envelope }
    if (!validate(envelope))
      throw invalid(`${ref.category} response`, describeErrors(validate.errors))
    sameAs(envelope.SaleToPOIResponse.MessageHeader, ref, "The answer's")
    return envelope
  }

  /** Throws when `header` names another message than `ref` (fields it leaves out are not compared). */
  function sameAs(header: object, ref: Partial<MessageReference>, whose: string): void {
    const fields = header as Record<string, unknown>
    for (const [field, expected] of [
      ['SaleID', ref.saleId],
      ['ServiceID', ref.serviceId],
      ['MessageCategory', ref.category],
    ] as const) {
      if (expected !== undefined && fields[field] !== undefined && fields[field] !== expected)
        throw new TillkitProtocolError('unexpected', `${whose} ${field} is not the request's`, {
          details: { field, expected, received: fields[field] },
        })
    }
  }

  const isEvent = (value: object): value is EventNotification => 'SaleToPOIRequest' in value

  const client: AdyenClient<AdyenTransport> = {
    transport: options.transport,
    baseUrl,
    http: http as unknown as DeviceApiHttpClient,
    logger: payments.logger,
    clock: payments.clock,

    nexo(nexoOptions) {
      assertObject('options', nexoOptions)
      // The messages are stamped on the client's clock, the one its waits run on.
      assertAbsent(
        'options.clock',
        (nexoOptions as NexoOptions).clock,
        'is set by the client (give clock to createAdyenClient)',
      )
      return createNexo({ ...nexoOptions, clock: payments.clock })
    },

    async payment(message, callOptions = {}) {
      checkCallOptions(callOptions)
      assertValid(validatePaymentRequest, message, 'a PaymentRequest')
      const ref = referenceOf(message)
      const { AmountsReq } = message.SaleToPOIRequest.PaymentRequest.PaymentTransaction
      const known = paymentKnown(message)
      return starting('payment', known, async () => {
        const text = await post('sync', message, payments, callOptions.signal)
        const answer = answerTo<PaymentResponse>(text, ref, validatePaymentResponse)
        if (isEvent(answer))
          return { ...rejected(answer), status: 'no-answer', response: undefined }
        return paymentOutcome(answer, AmountsReq.Currency)
      })
    },

    async reversal(message, callOptions = {}) {
      checkCallOptions(callOptions, CURRENCY)
      assertValid(validateReversalRequest, message, 'a ReversalRequest')
      const ref = referenceOf(message)
      const currency = callOptions.currency ?? currencyOf(message)
      const reversed = message.SaleToPOIRequest.ReversalRequest.ReversedAmount
      const reversedMinor =
        reversed !== undefined && currency !== undefined
          ? minorOf(
              reversed,
              currency,
              'SaleToPOIRequest.ReversalRequest.ReversedAmount',
              'options.currency',
            )
          : undefined
      const transactionId =
        message.SaleToPOIRequest.ReversalRequest.SaleData?.SaleTransactionID.TransactionID
      const known: PendingRequest = {
        ...ref,
        ...(transactionId !== undefined && { transactionId }),
        ...(reversedMinor !== undefined && { amount: reversedMinor }),
        ...(currency !== undefined && { currency }),
      }
      return starting('reversal', known, async () => {
        const text = await post('sync', message, payments, callOptions.signal)
        const answer = answerTo<ReversalResponse>(text, ref, validateReversalResponse)
        if (isEvent(answer)) return { ...rejected(answer), status: 'no-answer', body: undefined }
        return reversalOutcome(answer.SaleToPOIResponse.ReversalResponse, currency)
      })
    },

    async abort(message, callOptions = {}) {
      checkCallOptions(callOptions)
      assertValid(validateAbortRequest, message, 'an AbortRequest')
      const answer = readAnswer(await post('sync', message, messages, callOptions.signal))
      // A refused or undeliverable abort comes back as a Reject event.
      if (answer.kind === 'event') return { ...rejected(answer.message), delivered: false }
      // Nothing answers an accepted abort (there is no AbortResponse): a response envelope is not
      // the empty acceptance, and reading it as one would report an abort that may not have happened.
      if (answer.kind === 'response')
        throw new TillkitProtocolError(
          'unexpected',
          'An AbortRequest has no response, yet the cloud answered it with a SaleToPOIResponse',
          { details: { keys: Object.keys(answer.envelope).slice(0, 5) } },
        )
      return { delivered: true }
    },

    async transactionStatus(message, callOptions = {}) {
      checkCallOptions(callOptions, CURRENCY)
      assertValid(validateTransactionStatusRequest, message, 'a TransactionStatusRequest')
      const ref = referenceOf(message)
      const text = await post('sync', message, messages, callOptions.signal)
      const answer = answerTo<TransactionStatusResponse>(
        text,
        ref,
        validateTransactionStatusResponse,
      )
      if (isEvent(answer)) return { status: 'unreachable', event: answer }
      // Without a reference Adyen answers about the terminal's last transaction: an answer about
      // another payment than the one asked about must never be taken for it.
      const asked = message.SaleToPOIRequest.TransactionStatusRequest.MessageReference
      if (asked) {
        const target = { saleId: asked.SaleID, serviceId: asked.ServiceID }
        const body = answer.SaleToPOIResponse.TransactionStatusResponse
        if (body.MessageReference)
          sameAs(body.MessageReference, target, "The status answer's reference")
        if (body.RepeatedMessageResponse)
          sameAs(body.RepeatedMessageResponse.MessageHeader, target, "The repeated response's")
      }
      return transactionStatusResult(answer, callOptions.currency)
    },

    async waitForTransactionStatus(nexo, target, waitOptions = {}) {
      checkCallOptions(waitOptions, WAIT_RULES)
      checkFields(waitOptions as Record<string, unknown>, WAIT_RULES, 'options.')
      const { intervalMs = 10_000, maxWaitMs = 180_000, signal } = waitOptions
      const elapsed = steady(payments.clock)
      const deadline = elapsed() + maxWaitMs
      for (;;) {
        let result: TransactionStatusResult | undefined
        let failure: unknown
        try {
          const message = nexo.transactionStatus({
            poiId: target.poiId,
            statusOf: target.serviceId,
            ...(target.saleId !== undefined && { saleIdOf: target.saleId }),
            ...(target.category !== undefined && { category: target.category }),
          })
          result = await client.transactionStatus(message, {
            signal,
            ...(target.currency !== undefined && { currency: target.currency }),
          })
          if (result.status !== 'in-progress' && result.status !== 'unreachable') return result
        } catch (error) {
          // Only a transient failure is asked again; a refusal (401, 403, bad input) would only repeat itself.
          if (!transient(error)) throw error
          failure = error
        }
        if (elapsed() + intervalMs > deadline) {
          if (result) return result
          throw failure
        }
        await payments.clock.sleep(intervalMs, signal)
      }
    },

    async sendAsync(message, callOptions = {}) {
      checkCallOptions(callOptions)
      assertObject('message', message)
      const request = message.SaleToPOIRequest as { MessageHeader?: { MessageCategory?: unknown } }
      const category = request?.MessageHeader?.MessageCategory
      const validate: Validator<unknown> =
        category === 'Payment'
          ? validatePaymentRequest
          : category === 'Reversal'
            ? validateReversalRequest
            : validateAbortRequest
      assertValid(validate, message, `a ${category}Request`)
      const ref = referenceOf(message)
      // A payment is held to the amount rules payment() applies, and its unknown outcome says as much.
      const known: PendingRequest =
        category === 'Payment' ? paymentKnown(message as PaymentRequest) : { ...ref }
      const send = async (): Promise<AsyncResult> => {
        const body = await post('async', message, messages, callOptions.signal)
        let answer: ReturnType<typeof readAnswer> | undefined
        try {
          answer = readAnswer(body)
        } catch {
          // The accept body is not meant to be read (`ok`, or empty): only an event says otherwise.
        }
        if (answer?.kind === 'event') return { ...rejected(answer.message), accepted: false }
        return { accepted: true }
      }
      return category === 'Abort' ? send() : starting(`async ${category}`, known, send)
    },

    async deviceStatus(deviceId, callOptions = {}) {
      checkCallOptions(callOptions)
      if (!deviceApi)
        throw new TillkitValidationError(
          'options.transport',
          "must be 'device-api' for deviceStatus",
        )
      checkFields({ deviceId }, { deviceId: segment })
      const result = await (http.GET as (p: string, i: object) => Promise<HttpResult>)(
        '/merchants/{merchantAccount}/devices/{deviceId}/status',
        {
          params: { path: { merchantAccount, deviceId } },
          signal: callOptions.signal,
          fetch: reads.fetch,
        },
      )
      const body = reads.ok(result)
      const status = isRecord(body) ? body.status : undefined
      // Adyen's specification marks no field required: without a known status there is nothing to report.
      if (status !== 'ONLINE' && status !== 'OFFLINE')
        throw invalid('device status', 'status is neither ONLINE nor OFFLINE')
      return status
    },

    async connectedDevices(callOptions = {}) {
      checkCallOptions(callOptions, CONNECTED_RULES)
      checkFields(callOptions as Record<string, unknown>, CONNECTED_RULES)
      const { store, uniqueTerminalId, signal } = callOptions
      if (deviceApi) {
        const result = await (http.GET as (p: string, i: object) => Promise<HttpResult>)(
          '/merchants/{merchantAccount}/connectedDevices',
          {
            params: { path: { merchantAccount }, ...(store !== undefined && { query: { store } }) },
            signal,
            fetch: reads.fetch,
          },
        )
        const ids = idsIn(reads.ok(result), 'uniqueDeviceIds')
        // The Cloud device API cannot filter by terminal: done here, as the legacy endpoint would.
        return uniqueTerminalId === undefined ? ids : ids.filter((id) => id === uniqueTerminalId)
      }
      checkFields({ merchantAccount }, { merchantAccount: text }, 'options.')
      const result = await (http.POST as (p: string, i: object) => Promise<HttpResult>)(
        '/connectedTerminals',
        {
          body: {
            merchantAccount,
            ...(store !== undefined && { store }),
            ...(uniqueTerminalId !== undefined && { uniqueTerminalId }),
          },
          signal,
          // Read-only despite the POST: safe to repeat.
          fetch: reads.fetch,
        },
      )
      return idsIn(reads.ok(result), 'uniqueTerminalIds')
    },
  }
  return client as unknown as AdyenClient<T>
}

const AMOUNTS_REQ = 'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq'

/** A hand-built payment's amount in minor units; one its currency cannot express is bad input, not a protocol fault. */
/**
 * An amount of a hand-built message in minor units: refused before sending unless it is exact in
 * the currency's decimals (the terminal would round it, or refuse it, with money at stake).
 */
function minorOf(major: number, currency: string, field: string, currencyField: string): number {
  const exponent = currencyExponent(currency, currencyField)
  try {
    return toMinorUnits(major, currency, field)
  } catch {
    throw new TillkitValidationError(
      field,
      `must be an amount in ${currency} with at most ${exponent} decimals`,
    )
  }
}

/** What an unknown outcome of a payment carries: its reference, transaction id and amount (checked). */
function paymentKnown(message: PaymentRequest): PendingRequest {
  const { PaymentTransaction, SaleData } = message.SaleToPOIRequest.PaymentRequest
  return {
    ...referenceOf(message),
    transactionId: SaleData.SaleTransactionID.TransactionID,
    amount: requestedMinor(PaymentTransaction.AmountsReq),
    currency: PaymentTransaction.AmountsReq.Currency,
  }
}

/** The requested amount in minor units; every other amount (tip, cashback...) is checked the same way. */
function requestedMinor(amounts: AmountsReq): number {
  const { Currency: currency } = amounts
  const currencyField = `${AMOUNTS_REQ}.Currency`
  const requested = minorOf(
    amounts.RequestedAmount,
    currency,
    `${AMOUNTS_REQ}.RequestedAmount`,
    currencyField,
  )
  if (requested < 1)
    throw new TillkitValidationError(`${AMOUNTS_REQ}.RequestedAmount`, 'must be more than 0')
  for (const [field, value] of Object.entries(amounts))
    if (field.endsWith('Amount') && typeof value === 'number')
      minorOf(value, currency, `${AMOUNTS_REQ}.${field}`, currencyField)
  return requested
}

/**
 * The id list of a connected-devices answer. No field of it is marked required in Adyen's specification: a missing
 * list is read as none connected; anything but a list of strings is a TillkitProtocolError.
 */
function idsIn(body: unknown, field: 'uniqueDeviceIds' | 'uniqueTerminalIds'): string[] {
  if (!isRecord(body)) throw invalid('connected devices answer', 'it is not a JSON object')
  const ids = body[field]
  if (ids === undefined) return []
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
    throw invalid('connected devices answer', `${field} is not a list of ids`)
  return ids
}

interface HttpResult {
  data?: unknown
  error?: unknown
  response: Response
}

/**
 * Why a failed payment-starting call may still have been processed, or undefined when it certainly was not (a
 * 4xx, a request that never left, bad input). An unreadable answer counts: the terminal answered something.
 */
function unknownReason(error: unknown): string | undefined {
  if (error instanceof TillkitProtocolError) return 'unreadable answer'
  // A 5xx, a 408 (a gateway that gave up waiting may have passed it on), or a refusal after an attempt
  // that may have been acted on: core's reading of whether the outcome is open.
  if (error instanceof TillkitHttpError)
    return error.outcomeUnknown ? `HTTP ${error.status}` : undefined
  if (error instanceof TillkitError && error.mayHaveReachedProvider)
    return error.code === 'TIMEOUT'
      ? 'no answer in time'
      : error.code === 'ABORTED'
        ? 'aborted'
        : 'connection lost'
  return undefined
}

/** Failures worth another TransactionStatus request later. */
function transient(error: unknown): boolean {
  if (error instanceof TillkitHttpError) return error.outcomeUnknown || error.status === 429
  return (
    error instanceof TillkitProtocolError ||
    (error instanceof TillkitError && error.code !== 'VALIDATION' && error.code !== 'ABORTED')
  )
}

import {
  assertKnownFields,
  assertObject,
  checkClientOptions,
  checkFields,
  clockLike,
  dateTime,
  fn,
  int,
  oneOf,
  optional,
  segment,
  string,
  systemClock,
  text,
  TillkitValidationError,
  type Check,
  type Clock,
  type Rules,
} from '@tillkit/core'
import { currencyExponent, maxMinorAmount, toMajorUnits } from './currency.js'
import type { AbortRequest } from './generated/nexo/abort-request.js'
import { validateAbortRequest } from './generated/nexo/abort-request.validate.js'
import type {
  MessageCategory,
  PaymentRequest,
  SaleData,
  TransactionConditions,
} from './generated/nexo/payment-request.js'
import { validatePaymentRequest } from './generated/nexo/payment-request.validate.js'
import type { ReversalReason, ReversalRequest } from './generated/nexo/reversal-request.js'
import { validateReversalRequest } from './generated/nexo/reversal-request.validate.js'
import type { TransactionStatusRequest } from './generated/nexo/transaction-status-request.js'
import { validateTransactionStatusRequest } from './generated/nexo/transaction-status-request.validate.js'
import { assertValid, type Validator } from './wire.js'

/** The nexo protocol version Adyen's examples send. */
export const PROTOCOL_VERSION = '3.0'

/** The ServiceIDs kept per builder to refuse reuse; the oldest are forgotten beyond this. */
const REMEMBERED_SERVICE_IDS = 100_000
const SERVICE_ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const SERVICE_ID_LENGTH = 10

export interface NexoOptions {
  /** Your POS (sale system) id, sent as `MessageHeader.SaleID` on every message. */
  saleId: string
  /** Time source for the `TimeStamp` fields. Default `systemClock`. */
  clock?: Clock
  /** Random numbers in [0, 1) for ServiceIDs. Default: `crypto.getRandomValues`. */
  random?: () => number
}

/** Who a message is addressed to and how to refer to it later (TransactionStatus, Abort). */
export interface MessageReference {
  saleId: string
  serviceId: string
  poiId: string
  category: MessageCategory
}

interface Common {
  /** The terminal, `MessageHeader.POIID` (and the device id of the Cloud device API path). */
  poiId: string
  /** Default: a fresh random one, unique for this SaleID. */
  serviceId?: string
}

export interface PaymentInput extends Common {
  /** Integer minor units (1250 is EUR 12.50, 1200 is JPY 1200). */
  amount: number
  currency: string
  /** Your reference for the sale (`SaleTransactionID.TransactionID`): reconcile with it. */
  transactionId: string
  /** Default now. */
  timeStamp?: Date | string
  /** `sale` (default) or `refund`: an unreferenced refund to the card presented. */
  type?: 'sale' | 'refund'
  /** Minor units. */
  tipAmount?: number
  /** Minor units. */
  cashBackAmount?: number
  saleReferenceId?: string
  operatorId?: string
  shiftNumber?: string
  /** Extra instructions for Adyen, form-encoded or base64 JSON, as Adyen documents them. */
  saleToAcquirerData?: string
  tokenRequestedType?: 'Customer' | 'Transaction'
  transactionConditions?: TransactionConditions
}

export interface ReversalInput extends Common {
  /** Adyen's reference of the payment: `POIData.POITransactionID` of its response. */
  original: { TransactionID: string; TimeStamp: string }
  /** Minor units, for a partial reversal; leave out to reverse the whole payment. Needs `currency`. */
  amount?: number
  currency?: string
  /** Default `MerchantCancel`. */
  reason?: ReversalReason
  /** Your reference for the refund; default none. */
  transactionId?: string
}

export interface AbortInput extends Common {
  /** The ServiceID of the request to stop. */
  abortServiceId: string
  /**
   * The DeviceID of the request to stop (`MessageReference.DeviceID`), when it was a Device-class message: only
   * those carry one. Leave it out for a payment, reversal or other Service-class request.
   */
  abortDeviceId?: string
  /** Default `Payment`. */
  category?: MessageCategory
  /** Free text, default `MerchantAbort`. */
  reason?: string
}

export interface TransactionStatusInput extends Common {
  /** The ServiceID of the request asked about; leave out to ask about the terminal's last transaction. */
  statusOf?: string
  /** Default `Payment`. */
  category?: MessageCategory
  /** The SaleID of the request asked about. Default this builder's. */
  saleIdOf?: string
  /** Have the terminal repeat these receipts in the repeated response. */
  receipts?: Array<'CashierReceipt' | 'CustomerReceipt'>
}

export interface NexoBuilder {
  readonly saleId: string
  /** A fresh ServiceID: 10 random letters and digits, never handed out twice by this builder. */
  serviceId(): string
  payment(input: PaymentInput): PaymentRequest
  reversal(input: ReversalInput): ReversalRequest
  abort(input: AbortInput): AbortRequest
  transactionStatus(input: TransactionStatusInput): TransactionStatusRequest
}

/**
 * The currency of a reversal built with a partial amount: its message carries the amount in major units only,
 * and the client needs the currency to report the reversed amount in minor units.
 */
const reversalCurrency = new WeakMap<object, string>()

/** The currency a builder recorded for a message, if any. */
export function currencyOf(message: object): string | undefined {
  return reversalCurrency.get(message)
}

const SERVICE_ID = optional(string({ minLength: 1, maxLength: SERVICE_ID_LENGTH }))
const COMMON = { poiId: segment, serviceId: SERVICE_ID } satisfies Record<keyof Common, Check>
/** A field the message's schema checks, once the message is built. */
const BY_SCHEMA: Check = () => {}
/** A `Date`, or an ISO 8601 date and time with its offset, as nexo's TimeStamp is (core's `dateTime`). */
const TIME_STAMP: Check = (field, value, object) => {
  if (value === undefined) return
  try {
    if (!(value instanceof Date)) return dateTime(field, value, object)
    if (!Number.isNaN(value.getTime())) return
  } catch {}
  throw new TillkitValidationError(field, 'must be a valid Date or an ISO 8601 string')
}
/** An amount in minor units of the object's `currency`, from `min` to nexo's maximum in that currency. */
const minor =
  (min: number): Check =>
  (field, value, object) =>
    int(min, maxMinorAmount(object.currency as string))(field, value, object)

/**
 * Each input's rules name every field of its type (the `satisfies` keeps them complete): a builder
 * refuses any other name, which it would otherwise leave out of the message.
 */
const PAYMENT_RULES = {
  ...COMMON,
  currency: (field, value) => void currencyExponent(value, field),
  amount: minor(1),
  transactionId: text,
  timeStamp: TIME_STAMP,
  type: optional(oneOf(['sale', 'refund'])),
  tipAmount: optional(minor(0)),
  cashBackAmount: optional(minor(0)),
  saleReferenceId: optional(text),
  operatorId: optional(text),
  shiftNumber: optional(text),
  saleToAcquirerData: optional(text),
  tokenRequestedType: optional(oneOf(['Customer', 'Transaction'])),
  transactionConditions: BY_SCHEMA,
} satisfies Record<keyof PaymentInput, Check>

const REVERSAL_RULES = {
  ...COMMON,
  original: (field, value) => {
    const o = value as Record<string, unknown> | undefined
    if (typeof o !== 'object' || o === null)
      throw new TillkitValidationError(field, 'must be the POITransactionID of the payment')
    checkFields(o, { TransactionID: text, TimeStamp: dateTime }, `${field}.`)
  },
  currency: (field, value, object) => {
    if (value !== undefined || object.amount !== undefined) currencyExponent(value, field)
  },
  amount: optional(minor(1)),
  reason: optional(oneOf(['CustCancel', 'Malfunction', 'MerchantCancel', 'Unable2Compl'])),
  transactionId: optional(text),
} satisfies Record<keyof ReversalInput, Check>

const CATEGORY = optional(text)

const ABORT_RULES = {
  ...COMMON,
  abortServiceId: string({ minLength: 1, maxLength: SERVICE_ID_LENGTH }),
  abortDeviceId: SERVICE_ID,
  category: CATEGORY,
  reason: optional(text),
} satisfies Record<keyof AbortInput, Check>

const STATUS_RULES = {
  ...COMMON,
  statusOf: SERVICE_ID,
  category: CATEGORY,
  saleIdOf: optional(text),
  receipts: BY_SCHEMA,
} satisfies Record<keyof TransactionStatusInput, Check>

/**
 * Builders of the nexo messages tillkit sends, for one POS (SaleID). They fill the MessageHeader (protocol version,
 * class, category, type, SaleID, POIID and a fresh ServiceID), convert minor units to nexo's major units, stamp the
 * time, and check the result against the message schema: bad input throws a TillkitValidationError naming the
 * field. Share one builder per SaleID, so its ServiceIDs stay unique.
 */
export function createNexo(options: NexoOptions): NexoBuilder {
  checkClientOptions(options, { saleId: text, clock: optional(clockLike), random: optional(fn) })
  const { saleId, clock = systemClock, random = cryptoRandom } = options
  const used = new Set<string>()

  // Insertion order in a ring: forgetting the oldest is O(1). (Deleting a Set's first entry again
  // and again makes V8 skip ever more tombstones to find the next one.)
  const order: string[] = []
  let oldest = 0
  const remember = (id: string) => {
    used.add(id)
    if (order.length < REMEMBERED_SERVICE_IDS) return void order.push(id)
    used.delete(order[oldest]!)
    order[oldest] = id
    oldest = (oldest + 1) % REMEMBERED_SERVICE_IDS
  }
  /** An id not used yet; remembered only once a message carrying it is built (see `built`). */
  const unused = (): string => {
    // Ten ids drawn from a random source are fresh but once in a blue moon; a source that keeps
    // giving used ones is not random (a constant, NaN), and would loop here for ever.
    for (let tries = 0; tries < 10; tries++) {
      let id = ''
      for (let i = 0; i < SERVICE_ID_LENGTH; i++)
        id += SERVICE_ID_ALPHABET[Math.floor(random() * SERVICE_ID_ALPHABET.length)] ?? '0'
      if (!used.has(id)) return id
    }
    throw new TillkitValidationError(
      'options.random',
      'gives no fresh ServiceID: it must be random',
    )
  }
  const fresh = (): string => {
    const id = unused()
    remember(id)
    return id
  }
  const serviceIdFor = (chosen: string | undefined): string => {
    if (chosen === undefined) return unused()
    if (used.has(chosen))
      throw new TillkitValidationError('serviceId', `was already used with SaleID ${saleId}`)
    return chosen
  }
  /** A message that passed its schema: its ServiceID counts as used from now on. */
  const built = <M extends { SaleToPOIRequest: { MessageHeader: { ServiceID: string } } }>(
    validate: Validator<M>,
    message: M,
    what: string,
  ): M => {
    assertValid(validate, message, what)
    remember(message.SaleToPOIRequest.MessageHeader.ServiceID)
    return message
  }
  const header = <C extends MessageCategory>(category: C, input: Common) => ({
    ProtocolVersion: PROTOCOL_VERSION,
    MessageClass: 'Service' as const,
    MessageCategory: category,
    MessageType: 'Request' as const,
    ServiceID: serviceIdFor(input.serviceId),
    SaleID: saleId,
    POIID: input.poiId,
  })
  const now = (stamp: Date | string | undefined) =>
    typeof stamp === 'string' ? stamp : (stamp ?? new Date(clock.now())).toISOString()
  const check = (input: unknown, rules: Rules) => {
    assertObject('input', input)
    assertKnownFields(input, rules)
    checkFields(input as Record<string, unknown>, rules)
  }

  return {
    saleId,
    serviceId: fresh,

    payment(input) {
      check(input, PAYMENT_RULES)
      const { currency } = input
      const saleData: SaleData = {
        SaleTransactionID: { TransactionID: input.transactionId, TimeStamp: now(input.timeStamp) },
        ...(input.saleReferenceId !== undefined && { SaleReferenceID: input.saleReferenceId }),
        ...(input.operatorId !== undefined && { OperatorID: input.operatorId }),
        ...(input.shiftNumber !== undefined && { ShiftNumber: input.shiftNumber }),
        ...(input.saleToAcquirerData !== undefined && {
          SaleToAcquirerData: input.saleToAcquirerData,
        }),
        ...(input.tokenRequestedType !== undefined && {
          TokenRequestedType: input.tokenRequestedType,
        }),
      }
      const message: PaymentRequest = {
        SaleToPOIRequest: {
          MessageHeader: header('Payment', input),
          PaymentRequest: {
            SaleData: saleData,
            PaymentTransaction: {
              AmountsReq: {
                Currency: currency,
                RequestedAmount: toMajorUnits(input.amount, currency, 'amount'),
                ...(input.tipAmount !== undefined && {
                  TipAmount: toMajorUnits(input.tipAmount, currency, 'tipAmount'),
                }),
                ...(input.cashBackAmount !== undefined && {
                  CashBackAmount: toMajorUnits(input.cashBackAmount, currency, 'cashBackAmount'),
                }),
              },
              ...(input.transactionConditions !== undefined && {
                TransactionConditions: input.transactionConditions,
              }),
            },
            ...(input.type === 'refund' && { PaymentData: { PaymentType: 'Refund' } }),
          },
        },
      }
      return built(validatePaymentRequest, message, 'a PaymentRequest')
    },

    reversal(input) {
      check(input, REVERSAL_RULES)
      const message: ReversalRequest = {
        SaleToPOIRequest: {
          MessageHeader: header('Reversal', input),
          ReversalRequest: {
            OriginalPOITransaction: {
              POITransactionID: {
                TransactionID: input.original.TransactionID,
                TimeStamp: input.original.TimeStamp,
              },
            },
            ReversalReason: input.reason ?? 'MerchantCancel',
            ...(input.amount !== undefined && {
              ReversedAmount: toMajorUnits(input.amount, input.currency!, 'amount'),
            }),
            ...(input.transactionId !== undefined && {
              SaleData: {
                SaleTransactionID: {
                  TransactionID: input.transactionId,
                  TimeStamp: now(undefined),
                },
              },
            }),
          },
        },
      }
      built(validateReversalRequest, message, 'a ReversalRequest')
      if (input.currency !== undefined) reversalCurrency.set(message, input.currency)
      return message
    },

    abort(input) {
      check(input, ABORT_RULES)
      const message: AbortRequest = {
        SaleToPOIRequest: {
          MessageHeader: header('Abort', input),
          AbortRequest: {
            MessageReference: {
              MessageCategory: input.category ?? 'Payment',
              ServiceID: input.abortServiceId,
              ...(input.abortDeviceId !== undefined && { DeviceID: input.abortDeviceId }),
              SaleID: saleId,
              POIID: input.poiId,
            },
            AbortReason: input.reason ?? 'MerchantAbort',
          },
        },
      }
      return built(validateAbortRequest, message, 'an AbortRequest')
    },

    transactionStatus(input) {
      check(input, STATUS_RULES)
      const message: TransactionStatusRequest = {
        SaleToPOIRequest: {
          MessageHeader: header('TransactionStatus', input),
          TransactionStatusRequest: {
            ...(input.statusOf !== undefined && {
              MessageReference: {
                MessageCategory: input.category ?? 'Payment',
                ServiceID: input.statusOf,
                SaleID: input.saleIdOf ?? saleId,
              },
            }),
            ...(input.receipts !== undefined && {
              DocumentQualifier: input.receipts,
              ReceiptReprintFlag: true,
            }),
          },
        },
      }
      return built(validateTransactionStatusRequest, message, 'a TransactionStatusRequest')
    },
  }
}

/** The header fields that identify a message we built or are about to send. */
export function referenceOf(message: {
  SaleToPOIRequest: {
    MessageHeader: { SaleID: string; ServiceID: string; POIID: string; MessageCategory: string }
  }
}): MessageReference {
  const h = message.SaleToPOIRequest.MessageHeader
  return {
    saleId: h.SaleID,
    serviceId: h.ServiceID,
    poiId: h.POIID,
    category: h.MessageCategory as MessageCategory,
  }
}

function cryptoRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32
}

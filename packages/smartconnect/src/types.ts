import type { components } from './generated/smartconnect.js'

type Schemas = components['schemas']

/** Every TransactionType SmartConnect takes, in the order the schema lists them. */
export const TRANSACTION_TYPES = [
  'Card.Purchase',
  'Card.Refund',
  'Card.PurchasePlusCash',
  'Card.CashAdvance',
  'Card.Authorise',
  'Card.Finalise',
  'QR.Merchant.Purchase',
  'QR.Consumer.Purchase',
  'QR.Refund',
  'Acquirer.Logon',
  'Acquirer.Settlement.Inquiry',
  'Acquirer.Settlement.Cutover',
  'Journal.ReprintReceipt',
  'Journal.GetTransResult',
  'Terminal.GetStatus',
  'Terminal.ReadCard',
] as const satisfies readonly Schemas['TransactionType'][]

export type TransactionType = (typeof TRANSACTION_TYPES)[number]

/** The types that move money: their outcome is read with the payment rules (approved, declined...). */
export const FINANCIAL_TYPES: ReadonlySet<TransactionType> = new Set([
  'Card.Purchase',
  'Card.Refund',
  'Card.PurchasePlusCash',
  'Card.CashAdvance',
  'Card.Authorise',
  'Card.Finalise',
  'QR.Merchant.Purchase',
  'QR.Consumer.Purchase',
  'QR.Refund',
])

export const isTransactionType = (value: unknown): value is TransactionType =>
  (TRANSACTION_TYPES as readonly unknown[]).includes(value)

/**
 * The largest amount tillkit sends, in cents. SmartConnect documents no maximum; this guard only
 * catches amounts given in the wrong unit before a terminal asks a customer for them. The schema
 * states it as our own bound (`Amount`'s `not`, marked `x-unverified`).
 */
export const MAX_AMOUNT = 99_999_999

/** The fields the client fills in itself on every request: the register identity and the mode. */
type ClientFields = keyof Schemas['RegisterIdentity'] | 'TransactionMode' | 'TransactionType'

/** The request body of one transaction type, as the schema describes it. */
export type TransactionRequestOf<T extends TransactionType> = Extract<
  Schemas['TransactionRequest'],
  { TransactionType: T }
>

/**
 * What a caller passes for a transaction type: its own fields (amounts in integer cents, as numbers
 * or strings of digits), plus the optional `SaleData` and `PosNotificationCallbackUrl`.
 */
export type TransactionFields<T extends TransactionType> = Omit<
  TransactionRequestOf<T>,
  ClientFields
>

/** A field some transaction type takes from the caller (see {@link TransactionFields}). */
export type TransactionField = {
  [T in TransactionType]: keyof TransactionFields<T>
}[TransactionType]

/** The optional fields every transaction type takes. */
export type CommonField = Exclude<keyof Schemas['TransactionCommon'], ClientFields>

/** An amount as accepted on the way in: integer cents, as a number or a string of digits. */
export type Amount = Schemas['Amount']

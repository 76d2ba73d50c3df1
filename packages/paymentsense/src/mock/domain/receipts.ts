import type { ReceiptCopies, ReceiptLine, TransactionResult, TransactionType } from '../types.js'
import type { Card } from '../scenarios.js'

const text = (
  value: string,
  ...format: ('BOLD' | 'DOUBLE_HEIGHT' | 'DOUBLE_WIDTH')[]
): ReceiptLine => (format.length ? { type: 'TEXT', format, value } : { type: 'TEXT', value })

export const separator: ReceiptLine = { type: 'LINE_SEPARATOR_SINGLE', value: '' }
export const feed: ReceiptLine = { type: 'TICKET_FEED', value: '' }

/** Formats minor units as `GBP 12.34`. */
export function money(currency: string, amount: number): string {
  const sign = amount < 0 ? '-' : ''
  const abs = Math.abs(amount)
  return `${sign}${currency} ${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

export interface ReceiptFacts {
  tid: string
  time: string
  transactionType: TransactionType
  result: TransactionResult
  currency: string
  amountBase: number
  amountCashback: number
  amountTotal: number
  authCode: string
  transactionNumber: string
  /** The card, when one was read. */
  card: Card | undefined
}

const RESULT_BOX: Partial<Record<TransactionResult, ReceiptLine>> = {
  DECLINED: { type: 'BOX_DECLINE', value: 'DECLINED' },
  VOID: { type: 'BOX_VOID', value: 'TRANSACTION VOID' },
}

/** Merchant and customer copies of a card receipt, roughly as a terminal prints them. */
export function cardReceipt(facts: ReceiptFacts): ReceiptCopies {
  const body: ReceiptLine[] = [
    text('TILLKIT FAKE MERCHANT', 'BOLD'),
    text(`TID ${facts.tid}`),
    text(facts.time.replace('T', ' ')),
    separator,
    text(facts.transactionType.replace('_', ' '), 'BOLD'),
  ]
  if (facts.card) {
    body.push(text(facts.card.applicationLabel || facts.card.cardSchemeName))
    body.push(text(facts.card.primaryAccountNumber))
    if (facts.card.applicationId) body.push(text(`AID ${facts.card.applicationId}`))
  }
  if (facts.amountCashback > 0) {
    body.push(text(`PURCHASE ${money(facts.currency, facts.amountBase)}`))
    body.push(text(`CASHBACK ${money(facts.currency, facts.amountCashback)}`))
  }
  body.push(text(`TOTAL ${money(facts.currency, facts.amountTotal)}`, 'BOLD', 'DOUBLE_HEIGHT'))
  body.push(RESULT_BOX[facts.result] ?? text(facts.result, 'BOLD'))
  if (facts.authCode) body.push(text(`AUTH CODE ${facts.authCode}`))
  body.push(text(`TXN ${facts.transactionNumber}`))

  const cvm = facts.card?.cvm
  const merchant = [...body]
  if (cvm === 'SIGNATURE') merchant.push(feed, text('SIGNATURE ____________________'))
  else if (cvm === 'PIN') merchant.push(text('PIN VERIFIED'))
  merchant.push(text('MERCHANT COPY'), feed)

  const customer = [...body]
  if (cvm === 'PIN') customer.push(text('PIN VERIFIED'))
  customer.push(text('CUSTOMER COPY - PLEASE RETAIN'), feed)
  return { MERCHANT: merchant, CUSTOMER: customer }
}

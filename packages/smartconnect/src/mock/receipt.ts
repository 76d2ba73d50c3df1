/**
 * Receipt text as a terminal prints it: fixed width, one `\n` after each line. The layout is the
 * fake's own; only the shape (monospaced text, the decline reason printed only here) follows what
 * SmartConnect terminals are known to send.
 */
export const RECEIPT_WIDTH = 24

export const center = (text: string): string => {
  const cut = text.slice(0, RECEIPT_WIDTH)
  return ' '.repeat(Math.floor((RECEIPT_WIDTH - cut.length) / 2)) + cut
}

/** `label` on the left, `value` on the right. */
export const row = (label: string, value: string): string =>
  label + ' '.repeat(Math.max(1, RECEIPT_WIDTH - label.length - value.length)) + value

export const dollars = (cents: number): string => `$${(cents / 100).toFixed(2)}`

export interface ReceiptHeader {
  merchantName: string
  merchantId: string
  deviceId: string
  /** Clock time of the receipt. */
  at: number
}

/** A whole receipt: the store header, `body`, and a closing rule. */
export function receipt(header: ReceiptHeader, body: readonly string[]): string {
  const time = new Date(header.at).toISOString()
  const lines = [
    center(header.merchantName),
    center(`MERCHANT ${header.merchantId}`),
    row('TERMINAL', header.deviceId),
    row(time.slice(0, 10), time.slice(11, 19)),
    '',
    ...body,
    '-'.repeat(RECEIPT_WIDTH),
  ]
  return lines.map((line) => `${line}\n`).join('')
}

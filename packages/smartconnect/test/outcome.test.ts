import { describe, expect, it } from 'vitest'
import { parseAmount, readPollBody, type TransactionType } from '../src/index.js'

const completed = (data: unknown) => ({ transactionStatus: 'COMPLETED', data })
const read = (body: unknown, type: TransactionType = 'Card.Purchase') =>
  readPollBody(body, type, 'tx-1')
const statusOf = (body: unknown, type?: TransactionType) => {
  const reading = read(body, type)
  if (reading.state !== 'final') throw new Error(`not final: ${JSON.stringify(reading)}`)
  return [reading.outcome.status, reading.outcome.reason]
}

describe('readPollBody: the fact sheet outcome table, payments', () => {
  it.each([
    ['OK-ACCEPTED', 'OK', 'approved', undefined],
    ['OK-DECLINED', 'OK', 'declined', undefined],
    ['CANCELLED', 'FAILED-INTERFACE', 'terminal-offline', undefined],
    ['CANCELLED', 'OK', 'cancelled', undefined],
    ['CANCELLED', 'SOMETHING-ELSE', 'cancelled', undefined],
    ['OK-UNAVAILABLE', 'OK', 'unavailable', undefined],
    ['OK-UNAVAILABLE', '', 'unavailable', undefined],
    ['OK-ACCEPTED', 'FAILED', 'unknown', 'contradictory'],
    ['OK-DECLINED', 'FAILED-INTERFACE', 'unknown', 'contradictory'],
    ['OK-ACCEPTED', '', 'unknown', 'contradictory'],
    ['OK-DELAYED', 'DELAYED-TRANSACTION', 'unknown', 'contradictory'],
    ['', 'OK', 'unknown', 'missing-data'],
    [null, null, 'unknown', 'missing-data'],
    ['FAILED', 'FAILED', 'failed', undefined],
    ['SOMETHING-NEW', 'OK', 'failed', undefined],
  ])('COMPLETED, %s / %s → %s %s', (verdict, result, status, reason) => {
    expect(statusOf(completed({ TransactionResult: verdict, Result: result }))).toEqual([
      status,
      reason,
    ])
  })

  it('reads codes without regard to case or surrounding blanks', () => {
    expect(statusOf(completed({ TransactionResult: ' ok-accepted ', Result: 'ok' }))).toEqual([
      'approved',
      undefined,
    ])
  })

  it('COMPLETED without data, or with data null, is unknown (missing data), not a failure', () => {
    expect(statusOf({ transactionStatus: 'COMPLETED' })).toEqual(['unknown', 'missing-data'])
    expect(statusOf(completed(null))).toEqual(['unknown', 'missing-data'])
  })

  it('codes of the wrong type count as missing', () => {
    expect(statusOf(completed({ TransactionResult: 42, Result: true }))).toEqual([
      'unknown',
      'missing-data',
    ])
  })

  it('PENDING with blank or absent results is pending; OK-DELAYED or DELAYED-TRANSACTION is delayed', () => {
    expect(read({ transactionStatus: 'PENDING' })).toMatchObject({
      state: 'pending',
      delayed: false,
    })
    expect(
      read({ transactionStatus: 'PENDING', data: { TransactionResult: '', Result: '' } }),
    ).toMatchObject({
      state: 'pending',
      delayed: false,
    })
    expect(
      read({
        transactionStatus: 'PENDING',
        data: { TransactionResult: 'OK-DELAYED', Result: 'DELAYED-TRANSACTION' },
      }),
    ).toMatchObject({ state: 'pending', delayed: true })
    expect(
      read({ transactionStatus: 'PENDING', data: { Result: 'DELAYED-TRANSACTION' } }),
    ).toMatchObject({
      delayed: true,
    })
  })
})

describe('readPollBody: non-financial types', () => {
  it.each([
    ['Terminal.GetStatus', undefined, 'OK', 'succeeded', undefined],
    ['Acquirer.Logon', 'OK-ACCEPTED', 'OK', 'succeeded', undefined],
    ['Acquirer.Settlement.Inquiry', 'OK-DECLINED', 'OK', 'succeeded', undefined],
    ['Acquirer.Settlement.Cutover', 'OK', 'OK', 'succeeded', undefined],
    ['Journal.GetTransResult', 'OK-DELAYED', 'OK', 'succeeded', undefined],
    ['Journal.ReprintReceipt', '', 'FAILED', 'failed', undefined],
    ['Terminal.ReadCard', 'OK-ACCEPTED', 'FAILED', 'failed', undefined],
    ['Journal.GetTransResult', '', '', 'unknown', 'missing-data'],
    ['Acquirer.Logon', 'CANCELLED', 'FAILED-INTERFACE', 'terminal-offline', undefined],
    ['Terminal.GetStatus', '', 'FAILED-INTERFACE', 'terminal-offline', undefined],
    ['Acquirer.Settlement.Cutover', 'CANCELLED', 'OK', 'cancelled', undefined],
    ['Acquirer.Logon', 'OK-UNAVAILABLE', 'OK', 'unavailable', undefined],
  ] as const)('%s: %s / %s → %s', (type, verdict, result, status, reason) => {
    const data =
      verdict === undefined ? { Result: result } : { TransactionResult: verdict, Result: result }
    expect(statusOf(completed(data), type)).toEqual([status, reason])
  })
})

describe('readPollBody: malformed bodies never throw', () => {
  it.each([
    ['null', null],
    ['a string', 'Service Unavailable'],
    ['a number', 42],
    ['an array', [{ transactionStatus: 'COMPLETED' }]],
    ['no status', { data: {} }],
    ['an unknown status', { transactionStatus: 'FINISHED', data: {} }],
    ['a status of the wrong type', { transactionStatus: 1 }],
    ['data that is a string', { transactionStatus: 'COMPLETED', data: 'OK-ACCEPTED' }],
    ['data that is an array', { transactionStatus: 'PENDING', data: [] }],
  ])('%s is malformed', (_, body) => {
    expect(read(body).state).toBe('malformed')
  })
})

describe('what the outcome keeps', () => {
  it('the receipt text as is, amounts as integer cents from strings or numbers, the reported fields', () => {
    const receipt = '  STORE\nTOTAL    $12.50\n   DECLINED\nINSUFFICIENT FUNDS\n'
    const reading = read({
      transactionId: 'tx-1',
      transactionStatus: 'COMPLETED',
      deviceId: 'ENV-DEVICE',
      data: {
        TransactionResult: 'OK-DECLINED',
        Result: 'OK',
        ResultText: 'DECLINED',
        Receipt: receipt,
        AmountTotal: '1250',
        AmountSurcharge: 25,
        AmountTip: '',
        AuthId: '',
        CardPan: '....0138',
        CardType: 'VISA',
        AccountType: 'CREDIT',
        AcquirerRef: 'A1',
        TerminalRef: 'T1',
        Status: 'READY',
        ReferenceId: 'tx-0',
      },
    })
    expect(reading.state).toBe('final')
    if (reading.state !== 'final') return
    const { raw, ...outcome } = reading.outcome
    expect(outcome).toEqual({
      status: 'declined',
      transactionId: 'tx-1',
      type: 'Card.Purchase',
      transactionResult: 'OK-DECLINED',
      result: 'OK',
      resultText: 'DECLINED',
      receipt,
      amountTotal: 1250,
      amountSurcharge: 25,
      cardPan: '....0138',
      cardType: 'VISA',
      accountType: 'CREDIT',
      acquirerRef: 'A1',
      terminalRef: 'T1',
      deviceId: 'ENV-DEVICE',
      terminalStatus: 'READY',
      referenceId: 'tx-0',
    })
    expect(raw?.data?.AmountTotal).toBe('1250')
  })

  it('prefers the terminal id in data over the envelope', () => {
    const reading = read(
      completed({ TransactionResult: 'OK-ACCEPTED', Result: 'OK', DeviceID: 'D1' }),
    )
    expect(reading.state === 'final' && reading.outcome.deviceId).toBe('D1')
    const bare = read({ transactionStatus: 'COMPLETED', deviceId: 'D2' })
    expect(bare.state === 'final' && bare.outcome.deviceId).toBe('D2')
  })

  it.each([
    [1250, 1250],
    ['1250', 1250],
    [' 1250 ', 1250],
    ['-300', -300],
    [0, 0],
    ['', undefined],
    ['12.50', undefined],
    [12.5, undefined],
    [null, undefined],
    ['1e3', undefined],
    ['99999999999999999999', undefined],
  ])('parseAmount(%j) → %j', (value, cents) => {
    expect(parseAmount(value)).toBe(cents)
  })
})

describe('readPollBody: the transaction the body is about', () => {
  it('a body naming another transaction is malformed, whatever its codes', () => {
    for (const transactionStatus of ['COMPLETED', 'PENDING'])
      expect(
        read({
          transactionId: 'tx-2',
          transactionStatus,
          data: { TransactionResult: 'OK-ACCEPTED', Result: 'OK' },
        }),
      ).toEqual({ state: 'malformed', why: 'about another transaction' })
    expect(read({ transactionId: 7, transactionStatus: 'COMPLETED', data: {} }).state).toBe(
      'malformed',
    )
  })

  it('a body naming this transaction, or none, is read', () => {
    const accepted = { TransactionResult: 'OK-ACCEPTED', Result: 'OK' }
    expect(statusOf({ transactionId: 'tx-1', ...completed(accepted) })).toEqual([
      'approved',
      undefined,
    ])
    expect(statusOf(completed(accepted))).toEqual(['approved', undefined])
  })
})

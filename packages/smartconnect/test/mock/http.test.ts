import { describe, expect, it } from 'vitest'
import { formRequest, REGISTER } from '../helpers.js'
import { BASE, direct, errorOf, IDENTITY } from './helpers.js'

describe('fake cloud: starting a transaction', () => {
  it('answers PENDING with a transaction id and a polling URL on the request’s host', async () => {
    const f = direct()
    await f.pairWith()
    const response = await f.start({ TransactionType: 'Card.Purchase', AmountTotal: '1250' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    const body = (await response.json()) as {
      transactionId: string
      transactionStatus: string
      data: { PollingUrl: string }
    }
    expect(body.transactionStatus).toBe('PENDING')
    const url = new URL(body.data.PollingUrl)
    expect(url.origin).toBe('https://api-dev.smart-connect.cloud')
    expect(url.pathname).toBe(`/pos/transaction/${body.transactionId}`)
    expect(url.searchParams.get('merchantAccessToken')).toMatch(/^[0-9a-f]{64}$/)
    expect(f.cloud.transactions.get(body.transactionId)).toMatchObject({
      type: 'Card.Purchase',
      deviceId: 'VT000001',
      registerId: REGISTER.id,
      fields: { AmountTotal: '1250' },
      status: 'PENDING',
      tokenExpiresAt: f.clock.now() + 900_000,
    })
  })

  it.each([
    ['POSRegisterID', { POSRegisterID: '' }, 'POSRegisterID is required'],
    ['POSBusinessName', { POSBusinessName: '' }, 'POSBusinessName is required'],
    ['POSVendorName', { POSVendorName: '' }, 'POSVendorName is required'],
    // Left out, SmartConnect would run its synchronous mode, which the fake does not have.
    ['TransactionMode', { TransactionMode: '' }, 'TransactionMode must be ASYNC'],
    ['a synchronous mode', { TransactionMode: 'SYNC' }, 'TransactionMode must be ASYNC'],
    ['TransactionType', { TransactionType: '' }, 'TransactionType is required'],
    ['an unknown type', { TransactionType: 'Card.Sale' }, 'Unknown TransactionType Card.Sale'],
    ['an amount', { AmountTotal: '' }, 'AmountTotal: must be a positive integer'],
    ['an amount in dollars', { AmountTotal: '12.50' }, 'AmountTotal: must be a positive integer'],
    ['a zero amount', { AmountTotal: '0' }, 'AmountTotal: must be a positive integer'],
    ['a field of another type', { AmountCash: '100' }, 'AmountCash: not allowed for Card.Purchase'],
    ['a POSRegisterID that is not a UUID', { POSRegisterID: 'till-1' }, 'must be a UUID'],
    [
      'an unpaired register',
      { POSRegisterID: '0f8e2b6a-4c1d-4e3f-9a7b-5d2c8e1f4a60' },
      'not paired',
    ],
    ['another store name', { POSBusinessName: 'Other Shop' }, 'not paired'],
  ])('refuses a request without or with a bad %s (400 {error})', async (_, fields, message) => {
    const f = direct()
    await f.pairWith()
    const response = await f.start({
      TransactionType: 'Card.Purchase',
      AmountTotal: '100',
      ...fields,
    })
    expect(response.status).toBe(400)
    expect(await errorOf(response)).toContain(message)
    expect(f.cloud.transactions.list()).toEqual([])
  })

  it('refuses AmountCash above AmountTotal and a Finalise without its reference', async () => {
    const f = direct()
    await f.pairWith()
    const cash = await f.start({
      TransactionType: 'Card.PurchasePlusCash',
      AmountTotal: '1000',
      AmountCash: '1500',
    })
    expect(await errorOf(cash)).toBe(
      'AmountCash: must not be more than AmountTotal (received "1500")',
    )
    const finalise = await f.start({ TransactionType: 'Card.Finalise', AmountFinal: '1000' })
    expect(await errorOf(finalise)).toContain('TransactionReference')
  })

  it('refuses a body that is not a form', async () => {
    const f = direct()
    await f.pairWith()
    const response = await f.cloud.fetch(
      new Request(`${BASE}/Transaction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...IDENTITY,
          TransactionMode: 'ASYNC',
          TransactionType: 'Acquirer.Logon',
        }),
      }),
    )
    expect(response.status).toBe(400)
  })

  it('refuses a second transaction while the terminal is busy, and takes one once it is free', async () => {
    const f = direct()
    await f.pairWith()
    const first = await f.started({ TransactionType: 'Card.Purchase', AmountTotal: '100' })
    const busy = await f.start({ TransactionType: 'Terminal.GetStatus' })
    expect(busy.status).toBe(400)
    expect(await errorOf(busy)).toBe('Terminal VT000001 is busy')
    expect(f.cloud.terminals.get('VT000001').activeTransactionId).toBe(first.transactionId)
    await f.finish(first.pollingUrl)
    expect(f.cloud.terminals.get('VT000001').activeTransactionId).toBeUndefined()
    expect((await f.start({ TransactionType: 'Terminal.GetStatus' })).status).toBe(200)
  })
})

describe('fake cloud: the polling URL', () => {
  it('answers PENDING, then COMPLETED with the envelope and PascalCase data', async () => {
    const f = direct()
    await f.pairWith()
    const { transactionId, pollingUrl } = await f.started({
      TransactionType: 'Card.Purchase',
      AmountTotal: '1250',
    })
    const first = (await (await f.poll(pollingUrl)).json()) as Record<string, unknown>
    expect(first).toMatchObject({
      transactionId,
      transactionStatus: 'PENDING',
      merchantId: '10000001',
      deviceId: 'VT000001',
      data: { TransactionResult: '', Result: '' },
    })
    expect(first.transactionTimeStamp).toMatch(/^20260101000000\d{4}$/)
    const done = await f.finish(pollingUrl)
    expect(done.data).toMatchObject({
      PosVendor: REGISTER.vendorName,
      PosRegisterID: REGISTER.id,
      PosBusinessName: REGISTER.businessName,
      DeviceID: 'VT000001',
      Function: 'Card.Purchase',
      TransactionResult: 'OK-ACCEPTED',
      Result: 'OK',
      AmountTotal: '1250',
      CardPan: '....1881',
    })
    expect(done.data.Receipt).toContain('$12.50')
  })

  it('paths are matched whatever their case', async () => {
    const f = direct()
    await f.pairWith()
    const response = await f.cloud.fetch(
      formRequest('POST', 'https://api-dev.smart-connect.cloud/pos/TRANSACTION', {
        ...IDENTITY,
        TransactionMode: 'ASYNC',
        TransactionType: 'Terminal.GetStatus',
      }),
    )
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as { data: { PollingUrl: string } }
    expect(
      (await f.poll(data.PollingUrl.replace('/pos/transaction/', '/POS/Transaction/'))).status,
    ).toBe(200)
  })

  it('answers 429 to polls less than 2 s apart, with Retry-After; a refused poll does not count', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started({ TransactionType: 'Card.Purchase', AmountTotal: '100' })
    expect((await f.poll(pollingUrl)).status).toBe(200)
    await f.clock.advance(500)
    const refused = await f.poll(pollingUrl)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('2')
    expect(await errorOf(refused)).toContain('2 seconds')
    await f.clock.advance(1000)
    expect((await f.poll(pollingUrl)).headers.get('retry-after')).toBe('1')
    await f.clock.advance(500)
    expect((await f.poll(pollingUrl)).status).toBe(200)
  })

  it('minPollIntervalMs: 0 turns the 429 off', async () => {
    const f = direct({ minPollIntervalMs: 0 })
    await f.pairWith()
    const { pollingUrl } = await f.started({ TransactionType: 'Terminal.GetStatus' })
    expect((await f.poll(pollingUrl)).status).toBe(200)
    expect((await f.poll(pollingUrl)).status).toBe(200)
  })

  it('the token lapses 15 minutes after the start: 401 Token expired', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started({ TransactionType: 'Card.Purchase', AmountTotal: '100' })
    await f.clock.advance(900_000 - 1)
    expect((await f.poll(pollingUrl)).status).toBe(200)
    await f.clock.advance(1)
    const expired = await f.poll(pollingUrl)
    expect(expired.status).toBe(401)
    expect(await errorOf(expired)).toBe('Token expired')
  })

  it('a wrong or missing token is 401; an unknown transaction is 404', async () => {
    const f = direct()
    await f.pairWith()
    const { pollingUrl } = await f.started({ TransactionType: 'Card.Purchase', AmountTotal: '100' })
    const wrong = pollingUrl.replace(/merchantAccessToken=\w+/, 'merchantAccessToken=guess')
    expect((await f.poll(wrong)).status).toBe(401)
    expect(await errorOf(await f.poll(pollingUrl.split('?')[0]!))).toBe('Invalid token')
    const unknown = await f.poll(pollingUrl.replace(/transaction\/[^?]+/, 'transaction/nope'))
    expect(unknown.status).toBe(404)
    expect(await errorOf(unknown)).toBe('Transaction not found')
  })

  it.each([
    ['GET', `${BASE}/Transaction`, 405],
    ['POST', `${BASE}/Pairing/ABC123`, 405],
    ['DELETE', `${BASE}/transaction/x`, 405],
    ['GET', 'https://api-dev.smart-connect.cloud/v2/transaction/x', 404],
    ['GET', `${BASE}/transaction/x/y`, 404],
    ['GET', `${BASE}/terminals`, 404],
    ['GET', `${BASE}/transaction/%E0%A4%A`, 404],
  ])('%s %s answers %s with {error}', async (method, url, code) => {
    const f = direct()
    const response = await f.cloud.fetch(new Request(url, { method }))
    expect(response.status).toBe(code)
    expect(typeof (await errorOf(response))).toBe('string')
    // The route's method, and OPTIONS (a browser's preflight), as a preflight answer lists them.
    if (code === 405) expect(response.headers.get('allow')).toMatch(/^(GET|PUT|POST), OPTIONS$/)
  })
})

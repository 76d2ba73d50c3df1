import {
  TillkitHttpError,
  TillkitProtocolError,
  TillkitValidationError,
  createManualClock,
} from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { adyenBaseUrl, createAdyenClient, type AdyenClientOptions } from '../src/index.js'
import { createFakeCloud } from '../src/mock/index.js'
import { thrown } from '../../core/test/helpers.js'
import { harness, KEY, MERCHANT, OTHER_POI, POI, POI_2, POI_BASE64 } from './helpers.js'

const base: AdyenClientOptions<'device-api'> = {
  apiKey: 'k',
  environment: 'test',
  transport: 'device-api',
  merchantAccount: 'M',
}

function refusal(options: unknown): string {
  const e = thrown(() => createAdyenClient(options as AdyenClientOptions), TillkitValidationError)
  return `${e.field}: ${e.rule}`
}

describe('createAdyenClient', () => {
  it('picks the host by transport, environment and region', () => {
    expect(adyenBaseUrl('device-api', 'test')).toBe('https://device-api-test.adyen.com/v1')
    expect(adyenBaseUrl('device-api', 'test', 'US')).toBe('https://device-api-test.adyen.com/v1')
    expect(adyenBaseUrl('device-api', 'live')).toBe('https://device-api-live.adyen.com/v1')
    expect(adyenBaseUrl('device-api', 'live', 'AU')).toBe('https://device-api-live-au.adyen.com/v1')
    expect(adyenBaseUrl('device-api', 'live', 'US')).toBe('https://device-api-live-us.adyen.com/v1')
    expect(adyenBaseUrl('device-api', 'live', 'APSE')).toBe(
      'https://device-api-live-apse.adyen.com/v1',
    )
    expect(adyenBaseUrl('legacy', 'test')).toBe('https://terminal-api-test.adyen.com')
    expect(adyenBaseUrl('legacy', 'live', 'APSE')).toBe('https://terminal-api-live-apse.adyen.com')
    expect(createAdyenClient({ ...base, environment: 'live', region: 'US' }).baseUrl).toBe(
      'https://device-api-live-us.adyen.com/v1',
    )
    expect(createAdyenClient({ ...base, baseUrl: 'http://127.0.0.1:9/v1/' }).baseUrl).toBe(
      'http://127.0.0.1:9/v1',
    )
  })

  it('refuses bad options naming the option, and never quotes the key', () => {
    expect(refusal(null)).toBe('options: must be an object')
    expect(refusal({ ...base, apiKey: '' })).toBe(
      'options.apiKey: must be at least 1 characters long',
    )
    expect(refusal({ ...base, apiKey: 42 })).toBe('options.apiKey: must be a string')
    expect(refusal({ ...base, environment: 'prod' })).toBe(
      'options.environment: must be one of test, live',
    )
    expect(refusal({ ...base, transport: 'websocket' })).toBe(
      'options.transport: must be one of device-api, legacy',
    )
    expect(refusal({ ...base, region: 'EUROPE' })).toBe(
      'options.region: must be one of EU, AU, US, APSE',
    )
    expect(refusal({ ...base, merchantAccount: undefined })).toBe(
      'options.merchantAccount: must be a string',
    )
    expect(refusal({ ...base, baseUrl: 'device-api.adyen.com' })).toMatch(
      /^options.baseUrl: must match/,
    )
    expect(refusal({ ...base, fetch: 'yes' })).toBe('options.fetch: must be a function')
    expect(refusal({ ...base, timeoutMs: 0 })).toBe(
      'options.timeoutMs: must be an integer from 1 to 600000',
    )
    expect(refusal({ ...base, paymentTimeoutMs: 150_000 })).toBe(
      'options.paymentTimeoutMs: must be an integer from 150001 to 900000',
    )
    // The legacy endpoints route by POIID: no merchant account needed to pay.
    expect(
      createAdyenClient({ ...base, transport: 'legacy', merchantAccount: undefined }).transport,
    ).toBe('legacy')
    const secret = `sk_${crypto.randomUUID()}`
    try {
      createAdyenClient({ ...base, apiKey: secret, baseUrl: 'nope' })
    } catch (e) {
      expect(String(e)).not.toContain(secret)
    }
  })

  it('sends the key as X-API-Key and the message as JSON to the device path', async () => {
    const seen: Request[] = []
    const cloud = createFakeCloud({ clock: createManualClock({ autoAdvance: true }) })
    const adyen = createAdyenClient({
      ...base,
      apiKey: KEY,
      merchantAccount: MERCHANT,
      clock: cloud.clock,
      fetch: (request) => (seen.push(request.clone()), cloud.fetch(request)),
    })
    const nexo = adyen.nexo({ saleId: 'till' })
    const message = nexo.transactionStatus({ poiId: POI })
    await adyen.transactionStatus(message)
    const [request] = seen
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe(
      `https://device-api-test.adyen.com/v1/merchants/TillkitShop/devices/${POI}/sync`,
    )
    expect(request!.headers.get('x-api-key')).toBe(KEY)
    // A redirect would be answered, not followed (the payment and the key, sent elsewhere).
    expect(request!.redirect).toBe('manual')
    expect(request!.headers.get('content-type')).toBe('application/json')
    expect(await request!.json()).toEqual(message)
  })

  it('validates messages before sending anything', async () => {
    let calls = 0
    const adyen = createAdyenClient({ ...base, fetch: async () => (calls++, new Response()) })
    const nexo = adyen.nexo({ saleId: 's' })
    const payment = nexo.payment({ poiId: 'P', amount: 1, currency: 'EUR', transactionId: 't' })
    payment.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount = -1
    await expect(adyen.payment(payment)).rejects.toThrow(
      'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount: must be >= 0',
    )
    payment.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount = 10.555
    await expect(adyen.payment(payment)).rejects.toThrow(
      'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount: must be an amount in EUR with at most 2 decimals',
    )
    const amounts = payment.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq
    amounts.RequestedAmount = 10.55
    for (const field of ['TipAmount', 'CashBackAmount'] as const) {
      amounts[field] = 1.234
      await expect(adyen.payment(payment)).rejects.toThrow(
        `SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.${field}: must be an amount in EUR with at most 2 decimals`,
      )
      delete amounts[field]
    }
    payment.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.Currency = 'XAU'
    await expect(adyen.payment(payment)).rejects.toThrow(
      'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.Currency: must be an ISO 4217 currency code with minor units, e.g. EUR',
    )
    const original = { TransactionID: 'x', TimeStamp: '2026-01-01T00:00:00Z' }
    const reversal = nexo.reversal({ poiId: 'P', original })
    const partly = nexo.reversal({
      poiId: 'P',
      original,
      amount: 250,
      currency: 'EUR',
    })
    partly.SaleToPOIRequest.ReversalRequest.ReversedAmount = 2.555
    await expect(adyen.reversal(partly)).rejects.toThrow(
      'SaleToPOIRequest.ReversalRequest.ReversedAmount: must be an amount in EUR with at most 2 decimals',
    )
    // Every TimeStamp must be a date-time: the generated validators skip formats, the client does not.
    const stamped = nexo.reversal({ poiId: 'P', original })
    stamped.SaleToPOIRequest.ReversalRequest.OriginalPOITransaction.POITransactionID.TimeStamp =
      'yesterday'
    await expect(adyen.reversal(stamped)).rejects.toThrow(
      'SaleToPOIRequest.ReversalRequest.OriginalPOITransaction.POITransactionID.TimeStamp: must match',
    )
    payment.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.Currency = 'EUR'
    payment.SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID.TimeStamp =
      '2026-02-30T10:00:00Z'
    await expect(adyen.payment(payment)).rejects.toThrow(
      'SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID.TimeStamp: must be a valid date-time',
    )
    ;(reversal.SaleToPOIRequest.MessageHeader as { MessageType: string }).MessageType = 'Response'
    await expect(adyen.reversal(reversal)).rejects.toThrow(
      'SaleToPOIRequest.MessageHeader.MessageType: must be equal to constant "Request"',
    )
    const abort = nexo.abort({ poiId: 'P', abortServiceId: 'X' })
    delete (abort.SaleToPOIRequest.AbortRequest as { AbortReason?: string }).AbortReason
    await expect(adyen.abort(abort)).rejects.toThrow(
      'SaleToPOIRequest.AbortRequest.AbortReason: is required',
    )
    const status = nexo.transactionStatus({ poiId: 'P' })
    ;(status.SaleToPOIRequest.MessageHeader as { MessageCategory: string }).MessageCategory =
      'Payment'
    await expect(adyen.transactionStatus(status)).rejects.toThrow(
      'SaleToPOIRequest.MessageHeader.MessageCategory: must be equal to constant "TransactionStatus"',
    )
    await expect(adyen.deviceStatus('')).rejects.toThrow(
      'deviceId: must be at least 1 characters long',
    )
    await expect(adyen.connectedDevices({ store: '' })).rejects.toThrow(
      'store: must be at least 1 characters long',
    )
    expect(calls).toBe(0)
  })
})

describe('connectivity', () => {
  it('Cloud device API: device status and connected devices, by store', async () => {
    const { adyen, cloud } = harness()
    expect(await adyen.deviceStatus(POI)).toBe('ONLINE')
    expect(await adyen.connectedDevices()).toEqual([POI, POI_2, POI_BASE64])
    expect(await adyen.connectedDevices({ store: 'PARIS-1' })).toEqual([POI_BASE64])
    expect(await adyen.connectedDevices({ uniqueTerminalId: POI_2 })).toEqual([POI_2])
    cloud.devices.setOnline(POI_2, false)
    expect(await adyen.connectedDevices({ store: 'LONDON-1' })).toEqual([POI])
    // Another merchant account's device.
    const error = await adyen.deviceStatus(OTHER_POI).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error).toMatchObject({
      status: 403,
      body: { errorCode: '00_403', status: 403, title: 'Forbidden' },
    })
  })

  it('answers without the fields (none is marked required): no list is none connected; no status is an error', async () => {
    let answer: unknown = {}
    const { adyen } = harness({ between: async () => Response.json(answer) })
    expect(await adyen.connectedDevices()).toEqual([])
    expect(await adyen.connectedDevices({ uniqueTerminalId: POI })).toEqual([])
    await expect(adyen.deviceStatus(POI)).rejects.toBeInstanceOf(TillkitProtocolError)
    answer = { deviceId: POI, status: 'SLEEPING' }
    await expect(adyen.deviceStatus(POI)).rejects.toThrow('status is neither ONLINE nor OFFLINE')
    answer = { uniqueDeviceIds: 'P400Plus-1' }
    await expect(adyen.connectedDevices()).rejects.toThrow('uniqueDeviceIds is not a list of ids')
    const legacy = harness({ transport: 'legacy', between: async () => Response.json({}) })
    expect(await legacy.adyen.connectedDevices()).toEqual([])
  })

  it('legacy: connected terminals through /connectedTerminals; no device status', async () => {
    const { adyen } = harness({ transport: 'legacy' })
    expect(await adyen.connectedDevices()).toEqual([POI, POI_2, POI_BASE64])
    expect(await adyen.connectedDevices({ store: 'LONDON-1', uniqueTerminalId: POI_2 })).toEqual([
      POI_2,
    ])
    await expect(adyen.deviceStatus(POI)).rejects.toThrow(
      "options.transport: must be 'device-api' for deviceStatus",
    )
    const noAccount = createAdyenClient({
      ...base,
      transport: 'legacy',
      merchantAccount: undefined,
    })
    await expect(noAccount.connectedDevices()).rejects.toThrow(
      'options.merchantAccount: must be a string',
    )
  })
})

describe('the legacy transport', () => {
  it('pays, reverses and asks for status with the POIID inside the message', async () => {
    const { adyen, nexo, cloud } = harness({ transport: 'legacy' })
    expect(adyen.baseUrl).toBe('https://terminal-api-test.adyen.com')
    const outcome = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 999, currency: 'USD', transactionId: 'l' }),
    )
    expect(outcome).toMatchObject({ status: 'approved', amount: 999, currency: 'USD' })
    if (outcome.status !== 'approved') throw new Error('unreachable')
    expect(
      await adyen.reversal(nexo.reversal({ poiId: POI, original: outcome.poiTransaction })),
    ).toMatchObject({
      status: 'reversed',
    })
    expect(await adyen.transactionStatus(nexo.transactionStatus({ poiId: POI }))).toMatchObject({
      status: 'processed',
      reversal: { status: 'reversed' },
    })
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale', 'reversal'])
  })
})

describe('errors as Adyen returns them', () => {
  it('401 for a wrong key, 403 for a foreign merchant account or a key without the role', async () => {
    const cloud = createFakeCloud({
      clock: createManualClock({ autoAdvance: true }),
      apiKeys: [
        { key: 'paris-only', merchantAccounts: ['OtherShop'] },
        { key: 'no-role', cloudDeviceApiRole: false },
      ],
    })
    const client = (apiKey: string, transport: 'device-api' | 'legacy' = 'device-api') =>
      createAdyenClient({
        apiKey,
        environment: 'test',
        transport,
        merchantAccount: MERCHANT,
        fetch: cloud.fetch,
        clock: cloud.clock,
      })
    const attempt = async (apiKey: string, transport?: 'device-api' | 'legacy') => {
      const adyen = client(apiKey, transport)
      const nexo = adyen.nexo({ saleId: 's' })
      return adyen
        .payment(nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 't' }))
        .catch((e: unknown) => e as TillkitHttpError)
    }
    expect(await attempt('wrong')).toMatchObject({
      status: 401,
      outcomeUnknown: false,
      body: {
        type: 'https://docs.adyen.com/errors/unauthorized',
        title: 'Unauthorized',
        status: 401,
        errorCode: '00_401',
      },
    })
    expect(await attempt('paris-only')).toMatchObject({
      status: 403,
      body: { errorCode: '00_403' },
    })
    expect(await attempt('paris-only', 'legacy')).toMatchObject({ status: 403 })
    expect(await attempt('no-role')).toMatchObject({
      status: 403,
      body: { detail: 'The API credential does not have the Cloud Device API role.' },
    })
    expect(
      await client('paris-only', 'legacy')
        .connectedDevices()
        .catch((e: unknown) => e),
    ).toMatchObject({ status: 403 })
    expect(cloud.ledger).toEqual([])
  })
})

describe('the raw typed HTTP client', () => {
  it('reaches anything not wrapped, typed per transport; its POSTs are never repeated blindly', async () => {
    const { adyen, nexo, cloud } = harness()
    const listed = await adyen.http.GET('/merchants/{merchantAccount}/connectedDevices', {
      params: { path: { merchantAccount: MERCHANT }, query: { store: 'PARIS-1' } },
    })
    expect(listed.data).toEqual({ uniqueDeviceIds: [POI_BASE64] })
    cloud.faults.add({ kind: 'status', status: 503, times: 1 })
    const posted = await adyen.http.POST('/merchants/{merchantAccount}/devices/{deviceId}/sync', {
      params: { path: { merchantAccount: MERCHANT, deviceId: POI } },
      body: nexo.transactionStatus({ poiId: POI }) as never,
    })
    expect(posted.response.status).toBe(503)
    expect(cloud.faults.active).toEqual([])

    const legacy = harness({ transport: 'legacy' }).adyen
    const terminals = await legacy.http.POST('/connectedTerminals', {
      body: { merchantAccount: MERCHANT, store: 'PARIS-1' },
    })
    expect(terminals.data).toEqual({ uniqueTerminalIds: [POI_BASE64] })
  })

  it('an answer that is not JSON is a malformed protocol error, not a bare SyntaxError', async () => {
    const adyen = createAdyenClient({
      ...base,
      fetch: async () =>
        new Response('{"uniqueDevice', { headers: { 'content-type': 'application/json' } }),
    })
    const error = await adyen.http
      .GET('/merchants/{merchantAccount}/connectedDevices', {
        params: { path: { merchantAccount: MERCHANT } },
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'TillkitProtocolError', fault: 'malformed' })
  })

  it('reads are repeated after a transient failure', async () => {
    const { adyen, cloud } = harness()
    cloud.faults.add({ kind: 'status', status: 503, times: 2 })
    expect(await adyen.connectedDevices({ store: 'PARIS-1' })).toEqual([POI_BASE64])
    cloud.faults.add({ kind: 'lostResponse', times: 1 })
    expect(await adyen.deviceStatus(POI)).toBe('ONLINE')
  })
})

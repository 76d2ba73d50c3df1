import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createNexo } from '../../src/index.js'
import { createFakeCloud } from '../../src/mock/index.js'
import { KEY, OTHER_POI, POI } from '../helpers.js'

const DEVICE = 'https://device-api-test.adyen.com/v1'
const LEGACY = 'https://terminal-api-test.adyen.com'

function setup() {
  const cloud = createFakeCloud({ clock: createManualClock({ autoAdvance: true }) })
  const nexo = createNexo({ saleId: 'raw', clock: cloud.clock })
  const call = (url: string, init: RequestInit & { json?: unknown } = {}) =>
    cloud.fetch(url, {
      ...init,
      headers: { 'x-api-key': KEY, ...(init.headers as Record<string, string>) },
      ...(init.json !== undefined && { body: JSON.stringify(init.json), method: 'POST' }),
    })
  return { cloud, nexo, call }
}

describe('the fake cloud over raw HTTP', () => {
  it('unknown paths and wrong methods answer in Adyen’s error shape', async () => {
    const { call } = setup()
    const missing = await call(`${DEVICE}/merchants/TillkitShop/terminals`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({
      status: 404,
      errorCode: '00_404',
      title: 'Not Found',
    })
    const wrong = await call(`${DEVICE}/merchants/TillkitShop/devices/${POI}/sync`)
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
    expect((await call(`${LEGACY}/connectedTerminals`)).status).toBe(405)
  })

  it('401 without a key, with a request id', async () => {
    const { cloud } = setup()
    const response = await cloud.fetch(`${DEVICE}/merchants/TillkitShop/connectedDevices`)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({
      type: 'https://docs.adyen.com/errors/unauthorized',
      title: 'Unauthorized',
      status: 401,
      errorCode: '00_401',
      requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
    })
  })

  it('403 for a device outside the merchant account, or an unknown one', async () => {
    const { call, nexo } = setup()
    for (const url of [
      `${DEVICE}/merchants/TillkitShop/devices/${OTHER_POI}/status`,
      `${DEVICE}/merchants/TillkitShop/devices/NOPE-1/sync`,
    ]) {
      const response = await call(
        url,
        url.endsWith('sync') ? { json: nexo.transactionStatus({ poiId: 'NOPE-1' }) } : {},
      )
      expect(response.status).toBe(403)
    }
    const legacy = await call(`${LEGACY}/sync`, {
      json: nexo.transactionStatus({ poiId: 'NOPE-1' }),
    })
    expect(legacy.status).toBe(403)
  })

  it('400 for a body that is not JSON, has no header, or names another device', async () => {
    const { call, nexo } = setup()
    const url = `${DEVICE}/merchants/TillkitShop/devices/${POI}/sync`
    const notJson = await call(url, { method: 'POST', body: '{' })
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({
      detail: 'The body is not valid JSON.',
      errorCode: '00_400',
    })
    expect((await call(url, { json: { SaleToPOIRequest: {} } })).status).toBe(400)
    expect((await call(`${LEGACY}/async`, { json: [] })).status).toBe(400)
    const elsewhere = await call(url, {
      json: nexo.transactionStatus({ poiId: 'V400m-100000002' }),
    })
    expect(elsewhere.status).toBe(400)
    expect(await elsewhere.json()).toMatchObject({
      invalidFields: [
        {
          name: 'SaleToPOIRequest.MessageHeader.POIID',
          value: 'V400m-100000002',
          message: `must equal the device id ${POI}`,
        },
      ],
    })
  })

  it('TransactionStatus is answered on /sync only: on /async it is refused (400)', async () => {
    const { call, nexo } = setup()
    const status = nexo.transactionStatus({ poiId: POI })
    for (const url of [`${DEVICE}/merchants/TillkitShop/devices/${POI}/async`, `${LEGACY}/async`]) {
      const answer = await call(url, { json: status })
      expect(answer.status).toBe(400)
      expect(await answer.json()).toMatchObject({
        detail: 'TransactionStatus must be sent to a /sync endpoint.',
      })
    }
    expect(
      (await call(`${DEVICE}/merchants/TillkitShop/devices/${POI}/sync`, { json: status })).status,
    ).toBe(200)
  })

  it('a malformed message gets a MessageFormat response naming the problem', async () => {
    const { call, nexo } = setup()
    const message = nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 't' })
    ;(
      message.SaleToPOIRequest.PaymentRequest.SaleData as unknown as Record<string, unknown>
    ).Colour = 'red'
    const body = await (await call(`${LEGACY}/sync`, { json: message })).json()
    expect(body).toMatchObject({
      SaleToPOIResponse: {
        MessageHeader: { MessageType: 'Response', MessageCategory: 'Payment' },
        PaymentResponse: {
          Response: {
            Result: 'Failure',
            ErrorCondition: 'MessageFormat',
            AdditionalResponse: expect.stringMatching(/^errors=/),
          },
        },
      },
    })
    const decimals = nexo.payment({ poiId: POI, amount: 100, currency: 'JPY', transactionId: 't' })
    decimals.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount = 1.5
    const refused = await (await call(`${LEGACY}/sync`, { json: decimals })).json()
    expect(JSON.stringify(refused)).toContain('MessageFormat')
  })

  it('categories the fake does not handle are refused as not allowed', async () => {
    const { call } = setup()
    const header = {
      MessageClass: 'Device',
      MessageCategory: 'Display',
      MessageType: 'Request',
      ServiceID: '1',
      SaleID: 's',
      POIID: POI,
    }
    const body = await (
      await call(`${LEGACY}/sync`, {
        json: { SaleToPOIRequest: { MessageHeader: header, DisplayRequest: {} } },
      })
    ).json()
    expect(body).toMatchObject({
      SaleToPOIResponse: {
        DisplayResponse: { Response: { Result: 'Failure', ErrorCondition: 'NotAllowed' } },
      },
    })
  })

  it('an abort is answered with an empty 200', async () => {
    const { call, nexo } = setup()
    const response = await call(`${DEVICE}/merchants/TillkitShop/devices/${POI}/sync`, {
      json: nexo.abort({ poiId: POI, abortServiceId: 'X' }),
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })

  it('an abort it refuses gets a Reject event, never an AbortResponse (none exists)', async () => {
    const { call, nexo } = setup()
    const abort = nexo.abort({ poiId: POI, abortServiceId: 'X' })
    const url = `${DEVICE}/merchants/TillkitShop/devices/${POI}/sync`
    expect(await (await call(url, { json: abort })).text()).toBe('')
    // The same message again: its ServiceID is taken.
    const again = await call(url, { json: abort })
    expect(again.status).toBe(200)
    const body = await again.json()
    expect(body.SaleToPOIResponse).toBeUndefined()
    expect(body.SaleToPOIRequest).toMatchObject({
      MessageHeader: { MessageCategory: 'Event', MessageType: 'Notification' },
      EventNotification: {
        EventToNotify: 'Reject',
        EventDetails: `message=ServiceID+${abort.SaleToPOIRequest.MessageHeader.ServiceID}+was+already+used+with+SaleID+raw`,
      },
    })
    expect(JSON.parse(atob(body.SaleToPOIRequest.EventNotification.RejectedMessage))).toEqual(abort)
    // A malformed abort too.
    const bad = nexo.abort({ poiId: POI, abortServiceId: 'Y' })
    delete (bad.SaleToPOIRequest.AbortRequest as { AbortReason?: string }).AbortReason
    const refused = await (await call(url, { json: bad })).json()
    expect(refused.SaleToPOIRequest.EventNotification.EventToNotify).toBe('Reject')
  })

  it('/async acknowledges with ok: a JSON string on the device API, plain text on legacy', async () => {
    const { call, nexo } = setup()
    const pay = () => nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 't' })
    const device = await call(`${DEVICE}/merchants/TillkitShop/devices/${POI}/async`, {
      json: pay(),
    })
    expect(device.status).toBe(200)
    expect(device.headers.get('content-type')).toBe('application/json')
    expect(await device.json()).toBe('ok')
    const legacy = await call(`${LEGACY}/async`, { json: pay() })
    expect(legacy.status).toBe(200)
    expect(legacy.headers.get('content-type')).toBe('text/plain')
    expect(await legacy.text()).toBe('ok')
  })

  it('connectedTerminals needs an allowed merchant account', async () => {
    const { call } = setup()
    const missing = await call(`${LEGACY}/connectedTerminals`, { json: {} })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toMatchObject({ invalidFields: [{ name: 'merchantAccount' }] })
    const other = await call(`${LEGACY}/connectedTerminals`, {
      json: { merchantAccount: 'OtherShop' },
    })
    expect(await other.json()).toEqual({ uniqueTerminalIds: [OTHER_POI] })
  })
})

describe('faults', () => {
  it('latency, and status faults with Adyen’s body and Retry-After', async () => {
    const { cloud, call } = setup()
    const started = cloud.clock.now()
    cloud.faults.add({ kind: 'latency', ms: 2_000, times: 1 })
    await call(`${DEVICE}/merchants/TillkitShop/connectedDevices`)
    expect(cloud.clock.now() - started).toBe(2_000)
    cloud.faults.add({ kind: 'status', status: 429, retryAfter: 3, times: 1 })
    const limited = await call(`${DEVICE}/merchants/TillkitShop/connectedDevices`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect(await limited.json()).toMatchObject({
      status: 429,
      errorCode: '00_429',
      detail: 'Injected fault: status 429.',
    })
    expect(cloud.faults.active).toEqual([])
  })

  it('refuses faults it cannot apply', () => {
    const { cloud } = setup()
    expect(() => cloud.faults.add({ kind: 'dropConnection', afterMs: -1 })).toThrow(
      'Invalid fault: afterMs must be zero or more',
    )
    expect(() => cloud.faults.add({ kind: 'teleport' } as never)).toThrow(
      'Invalid fault: unknown kind teleport',
    )
    const remove = cloud.faults.add({
      kind: 'dropConnection',
      afterMs: 10,
      match: { method: 'GET' },
    })
    expect(cloud.faults.active).toHaveLength(1)
    remove()
    cloud.faults.add({ kind: 'latency', ms: 1 })
    cloud.faults.clear()
    expect(cloud.faults.active).toEqual([])
  })

  it('a dropped connection applies only to matching requests, and only while the answer is pending', async () => {
    const { cloud, call, nexo } = setup()
    cloud.faults.add({
      kind: 'dropConnection',
      afterMs: 10,
      match: { method: 'POST', path: /\/sync$/ },
    })
    // A GET does not match; an abort answers at once: no drop.
    expect((await call(`${DEVICE}/merchants/TillkitShop/connectedDevices`)).status).toBe(200)
    const quick = await call(`${LEGACY}/sync`, {
      json: nexo.abort({ poiId: POI, abortServiceId: 'X' }),
    })
    expect(quick.status).toBe(200)
    await expect(
      call(`${LEGACY}/sync`, {
        json: nexo.payment({ poiId: POI, amount: 1, currency: 'EUR', transactionId: 't' }),
      }),
    ).rejects.toThrow('fetch failed')
    cloud.faults.clear()
    cloud.faults.add({ kind: 'dropConnection', afterMs: 10, match: { path: '/elsewhere' } })
    expect(
      (await call(`${LEGACY}/sync`, { json: nexo.transactionStatus({ poiId: POI }) })).status,
    ).toBe(200)
  })
})

describe('control', () => {
  it('lists, adds and inspects devices and requests', async () => {
    const { cloud, call, nexo } = setup()
    expect(cloud.devices.list().map((d) => d.poiId)).toHaveLength(4)
    const added = cloud.devices.add({ poiId: 'AMS1-000000001', online: false, scenario: 'refused' })
    expect(added).toEqual({
      poiId: 'AMS1-000000001',
      merchantAccount: 'TillkitShop',
      store: undefined,
      online: false,
      scenario: 'refused',
      activeServiceId: undefined,
    })
    expect(() => cloud.devices.add({ poiId: 'AMS1-000000001' })).toThrow('already exists')
    expect(() => cloud.devices.get('nope')).toThrow('No device nope')
    const message = nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 't' })
    await call(`${LEGACY}/sync`, { json: message })
    const { ServiceID } = message.SaleToPOIRequest.MessageHeader
    expect(cloud.devices.request(POI, 'raw', ServiceID)).toMatchObject({
      category: 'Payment',
      state: 'done',
    })
    expect(cloud.devices.request(POI, 'raw', 'other')).toBeUndefined()
  })
})

describe('edges', () => {
  it('a foreign merchant account in the path is forbidden; a badly encoded one is not found', async () => {
    const { cloud } = setup()
    const keyed = createFakeCloud({
      clock: cloud.clock,
      apiKeys: [{ key: 'k', merchantAccounts: ['TillkitShop'] }],
    })
    const get = (path: string) => keyed.fetch(`${DEVICE}${path}`, { headers: { 'x-api-key': 'k' } })
    expect((await get('/merchants/OtherShop/connectedDevices')).status).toBe(403)
    // A path segment that does not decode matches no route.
    expect((await get('/merchants/%E0%A4%A/connectedDevices')).status).toBe(404)
    expect((await get('/merchants/TillkitShop/connectedDevices')).status).toBe(200)
  })

  it('a terminal too slow for the processing limit: payments and reversals are cancelled at 150 s', async () => {
    const clock = createManualClock({ autoAdvance: true })
    const cloud = createFakeCloud({ clock })
    cloud.devices.add({ poiId: 'SLOW-1', stepMs: 100_000 })
    const nexo = createNexo({ saleId: 'slow', clock })
    const post = async (json: unknown) =>
      JSON.stringify(
        await (
          await cloud.fetch(`${LEGACY}/sync`, {
            method: 'POST',
            headers: { 'x-api-key': KEY },
            body: JSON.stringify(json),
          })
        ).json(),
      )
    const sale = await post(
      nexo.payment({ poiId: POI, amount: 100, currency: 'EUR', transactionId: 's' }),
    )
    const original = (
      JSON.parse(sale) as {
        SaleToPOIResponse: {
          PaymentResponse: {
            POIData: { POITransactionID: { TransactionID: string; TimeStamp: string } }
          }
        }
      }
    ).SaleToPOIResponse.PaymentResponse.POIData.POITransactionID
    const started = clock.now()
    const payment = await post(
      nexo.payment({ poiId: 'SLOW-1', amount: 100, currency: 'EUR', transactionId: 't' }),
    )
    expect(clock.now() - started).toBe(150_000)
    expect(payment).toContain('"ErrorCondition":"Cancel"')
    expect(payment).toContain('message=Communication+timeout')
    const reversal = await post(nexo.reversal({ poiId: 'SLOW-1', original }))
    expect(clock.now() - started).toBe(300_000)
    expect(reversal).toContain('"ErrorCondition":"Cancel"')
    expect(reversal).toContain('Communication+timeout')
    expect(cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

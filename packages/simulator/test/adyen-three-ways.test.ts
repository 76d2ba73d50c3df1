/**
 * The same raw requests (a POS's own nexo JSON, not our client) through the three ways of serving
 * the Adyen fake: `cloud.fetch`, MSW (`cloud.handlers()` + the global fetch) and a real port
 * (`serve(cloud.fetch)`). Each must answer alike, crash nowhere, hang nowhere.
 */
import { createManualClock } from '@tillkit/core'
import { describe, it } from 'vitest'
import { createFakeCloud } from '@tillkit/adyen/mock'
import { listeningServer } from '../../core/test/msw-equivalence.js'
import { POI, rawHeader as header } from '../../adyen/test/helpers.js'
import { expectAlike, type Probe } from './three-ways.js'

const server = listeningServer()
const ORIGIN = 'https://device-api-test.adyen.com'
const DEVICE = `/v1/merchants/TillkitShop/devices/${POI}`
const JSON_TYPE = { 'content-type': 'application/json' }

const payment = (serviceId: string, amount: unknown, currency = 'EUR') =>
  JSON.stringify({
    SaleToPOIRequest: {
      MessageHeader: header('Payment', serviceId),
      PaymentRequest: {
        SaleData: {
          SaleTransactionID: { TransactionID: 'o-1', TimeStamp: '2026-01-01T00:00:00Z' },
        },
        PaymentTransaction: { AmountsReq: { Currency: currency, RequestedAmount: amount } },
      },
    },
  })
const status = (serviceId: string, of: string) =>
  JSON.stringify({
    SaleToPOIRequest: {
      MessageHeader: header('TransactionStatus', serviceId),
      TransactionStatusRequest: {
        MessageReference: { MessageCategory: 'Payment', SaleID: 'pos-1', ServiceID: of },
      },
    },
  })
const bare = (category: string, serviceId: string) =>
  JSON.stringify({ SaleToPOIRequest: { MessageHeader: header(category, serviceId) } })

const PROBES: Probe[] = [
  { method: 'GET', path: `${DEVICE}/status` },
  { method: 'HEAD', path: `${DEVICE}/status` },
  { method: 'HEAD', path: `${DEVICE}/sync` },
  { method: 'OPTIONS', path: `${DEVICE}/sync` },
  { method: 'GET', path: `${DEVICE}/status/` },
  { method: 'GET', path: '/v1/merchants/TillkitShop/devices/P400Plus%2D100000001/status' },
  { method: 'GET', path: '/v1/merchants/TillkitShop/devices/%E0%A4%A/status' },
  { method: 'GET', path: '/v1/merchants/TillkitShop/connectedDevices?store=LONDON-1' },
  { method: 'GET', path: `${DEVICE}/status`, headers: { 'x-api-key': null } },
  { method: 'GET', path: `${DEVICE}/status`, headers: { 'X-API-KEY': 'test-api-key' } },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: '{' },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: '' },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-1', 12.5) },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-1', 12.5) },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-2', 1e400) },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-3', 10.5, 'JPY') },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-4', -1) },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-5', '12.50') },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: payment('p-6-too-long', 1) },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: bare('constructor', 'c-1') },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: bare('toString', 'c-2') },
  {
    method: 'POST',
    path: `${DEVICE}/sync`,
    headers: JSON_TYPE,
    body: bare('hasOwnProperty', 'c-3'),
  },
  { method: 'POST', path: '/sync', headers: JSON_TYPE, body: bare('valueOf', 'c-4') },
  { method: 'POST', path: `${DEVICE}/async`, headers: JSON_TYPE, body: bare('__proto__', 'c-5') },
  {
    method: 'POST',
    path: `${DEVICE}/sync`,
    headers: JSON_TYPE,
    body: JSON.stringify({
      SaleToPOIRequest: { MessageHeader: { ...header('x', 'c-6'), MessageCategory: undefined } },
    }),
  },
  {
    method: 'POST',
    path: `${DEVICE}/sync`,
    headers: JSON_TYPE,
    body: payment('p-9', 10).replace(
      '"RequestedAmount":10',
      '"RequestedAmount":10,"TipAmount":1.005',
    ),
  },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: status('s-1', 'p-1') },
  { method: 'POST', path: `${DEVICE}/sync`, headers: JSON_TYPE, body: status('s-2', 'nope') },
  { method: 'POST', path: `${DEVICE}/async`, headers: JSON_TYPE, body: status('s-3', 'p-1') },
  { method: 'POST', path: `${DEVICE}/async`, headers: JSON_TYPE, body: payment('p-7', 3) },
  { method: 'POST', path: '/async', headers: JSON_TYPE, body: payment('p-8', 3) },
  {
    method: 'POST',
    path: '/connectedTerminals',
    headers: JSON_TYPE,
    body: '{"merchantAccount":"TillkitShop"}',
  },
  { method: 'POST', path: '/connectedTerminals', headers: JSON_TYPE, body: 'null' },
]

describe('Adyen fake: cloud.fetch, MSW and a real port answer alike', () => {
  it('the same raw requests get the same answers, none a crash, a hang or a 500', async () => {
    await expectAlike({
      server,
      cloud: () => createFakeCloud({ clock: createManualClock({ autoAdvance: true }), stepMs: 0 }),
      origin: ORIGIN,
      probes: PROBES,
      headers: { 'x-api-key': 'test-api-key' },
      mask: (text) =>
        text
          .replace(/"requestId":"[0-9a-f]{32}"/g, '"requestId":"<id>"')
          .replace(/T[0-9A-Z]{6,}\.88\d{14}/g, '<poi-tx>')
          .replace(/88\d{14}/g, '<psp>')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
          .replace(/authCode=\d+/g, 'authCode=<n>')
          .replace(/"RejectedMessage":"[^"]*"/g, '"RejectedMessage":"<b64>"'),
    })
  }, 60_000)
})

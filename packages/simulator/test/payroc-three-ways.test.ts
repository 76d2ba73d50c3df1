/**
 * The same raw requests (a POS's own HTTP code, not our client) through the three ways of serving
 * the Payroc fake: `cloud.fetch`, MSW (`cloud.handlers()` + the global fetch) and a real port
 * (`serve(cloud.fetch)`). Each way first gets a bearer token from the fake's identity endpoint, the
 * same way; then every probe must be answered alike, with no crash and no hang.
 */
import { createManualClock } from '@tillkit/core'
import { describe, it } from 'vitest'
import { createFakeCloud } from '@tillkit/payroc/mock'
import { listeningServer } from '../../core/test/msw-equivalence.js'
import { expectAlike, type Probe, type Send } from './three-ways.js'

const server = listeningServer()
const ORIGIN = 'https://api.uat.payroc.com'
const API_KEY = 'test-api-key'

const JSON_TYPE = { 'content-type': 'application/json' }
const key = (n: number) => `3f0c6f5e-6a3f-4b8e-9a51-2f7d0a1b2c${String(n).padStart(2, '0')}`
/** A submit as a POS sends it: JSON, with its own Idempotency-Key. */
const submit = (n: number) => ({ ...JSON_TYPE, 'idempotency-key': key(n) })
const sale = (amount: number) =>
  JSON.stringify({
    processingTerminalId: '1234001',
    order: { orderId: `o-${amount}`, amount, currency: 'USD' },
  })
const devices = (serial: string) => `/v1/devices/${serial}/payment-instructions`
const NO_TOKEN = { authorization: null }

/**
 * The latest link to `what` an earlier answer gave: ids are made at random, so a probe reads an
 * instruction back, or its payment, by the link it was answered with, as a POS does.
 */
const follow = (what: RegExp) => (earlier: readonly string[]) => {
  for (const text of [...earlier].reverse()) {
    const href = what.exec(text)?.[0]
    if (href) return href
  }
  throw new Error(`No earlier answer links to ${what}`)
}
const INSTRUCTION = follow(/<origin>\/v1\/(payment|refund|signature)-instructions\/[0-9a-f]{32}/)
const RESULT = follow(/<origin>\/v1\/(payments|signatures)\/[A-Z0-9]{10}/)

const PROBES: Probe[] = [
  // The identity service: good and bad API keys, a method it does not take.
  { method: 'POST', path: '/authorize', headers: { ...NO_TOKEN, 'x-api-key': API_KEY } },
  { method: 'POST', path: '/authorize', headers: { ...NO_TOKEN, 'x-api-key': 'nope' } },
  { method: 'POST', path: '/authorize', headers: NO_TOKEN },
  { method: 'GET', path: '/authorize', headers: { ...NO_TOKEN, 'x-api-key': API_KEY } },
  { method: 'HEAD', path: '/authorize' },
  { method: 'OPTIONS', path: '/authorize' },
  { method: 'DELETE', path: '/authorize/', headers: { ...NO_TOKEN, 'x-api-key': API_KEY } },
  // The device list, and what is not a route.
  { method: 'GET', path: '/v1/devices?limit=2' },
  { method: 'GET', path: '/v1/devices?limit=2&after=nope' },
  { method: 'GET', path: '/v1/devices?limit=0' },
  { method: 'GET', path: '/v1/devices/' },
  { method: 'HEAD', path: '/v1/devices' },
  { method: 'OPTIONS', path: '/v1/devices' },
  { method: 'DELETE', path: '/v1/devices' },
  { method: 'GET', path: '/v1/nothing?x=1' },
  { method: 'GET', path: '/nothing' },
  { method: 'GET', path: '/v1/payment-instructions/%E0%A4%A' },
  { method: 'PATCH', path: '/v1/devices' },
  {
    method: 'OPTIONS',
    path: '/v1/devices',
    headers: { origin: 'https://pos.test', 'access-control-request-method': 'GET' },
  },
  { method: 'GET', path: '/v1' },
  { method: 'GET', path: '//v1/devices' },
  { method: 'GET', path: '/v1/devices/PAXA920%2F0001/payment-instructions' },
  // Credentials and Accept.
  { method: 'GET', path: '/v1/devices?limit=1', headers: NO_TOKEN },
  { method: 'GET', path: '/v1/devices?limit=1', headers: { authorization: 'Bearer nope' } },
  { method: 'GET', path: '/v1/devices?limit=1', headers: { authorization: 'Basic abc' } },
  { method: 'GET', path: '/v1/devices?limit=1', headers: { accept: 'text/html' } },
  { method: 'GET', path: '/v1/devices?limit=1', headers: { accept: 'application/*' } },
  // Submitting: a good one (replayed; its key reused for another body; its device busy), then
  // read back: held (on the fake's clock, which moves itself) until it completes.
  { method: 'POST', path: devices('PAXA920-0001'), headers: submit(1), body: sale(1000) },
  { method: 'POST', path: devices('PAXA920-0001'), headers: submit(1), body: sale(1000) },
  { method: 'POST', path: devices('PAXA920-0001'), headers: submit(1), body: sale(2000) },
  { method: 'POST', path: devices('PAXA920-0001'), headers: submit(2), body: sale(3000) },
  { method: 'GET', path: INSTRUCTION },
  { method: 'HEAD', path: INSTRUCTION },
  { method: 'GET', path: RESULT },
  { method: 'DELETE', path: INSTRUCTION },
  { method: 'POST', path: INSTRUCTION, headers: submit(8), body: '{}' },
  // What the gateway refuses.
  { method: 'POST', path: devices('PAXA920-0002'), headers: JSON_TYPE, body: sale(1000) },
  {
    method: 'POST',
    path: devices('PAXA920-0002'),
    headers: { ...JSON_TYPE, 'idempotency-key': 'not-a-uuid' },
    body: sale(1000),
  },
  { method: 'POST', path: devices('PAXA920-0002'), headers: submit(3), body: '{"order":' },
  { method: 'POST', path: devices('PAXA920-0002'), headers: submit(3), body: '' },
  { method: 'POST', path: devices('PAXA920-0002'), headers: submit(3), body: '[]' },
  {
    method: 'POST',
    path: devices('PAXA920-0002'),
    headers: submit(3),
    body: '{"processingTerminalId":"1234001","order":{"orderId":"o","amount":1e400,"currency":"USD"}}',
  },
  { method: 'POST', path: devices('PAXA920-0002'), headers: submit(3), body: sale(-5) },
  {
    method: 'POST',
    path: devices('PAXA920-0002'),
    headers: { ...submit(3), 'content-type': 'text/plain' },
    body: sale(1000),
  },
  // A charset parameter is still JSON: taken (a slow card, 06, that keeps the device busy).
  {
    method: 'POST',
    path: devices('PAXA920-0002'),
    headers: { ...submit(3), 'content-type': 'application/json; charset=utf-8' },
    body: sale(1006),
  },
  { method: 'POST', path: devices('NOPE-0001'), headers: submit(4), body: sale(1000) },
  { method: 'POST', path: devices('PAXA920-0012'), headers: submit(5), body: sale(1000) },
  { method: 'POST', path: devices('PAXA920-0003'), headers: submit(6), body: sale(1000) },
  { method: 'POST', path: devices('PAXA920-0003'), headers: { ...submit(7), ...NO_TOKEN } },
  { method: 'PUT', path: devices('PAXA920-0003'), headers: submit(7), body: sale(1000) },
  // Cancelling one in progress, then reading it back.
  { method: 'DELETE', path: INSTRUCTION },
  { method: 'GET', path: INSTRUCTION },
  { method: 'DELETE', path: INSTRUCTION },
  { method: 'GET', path: '/v1/payment-instructions/ffffffffffffffffffffffffffffffff' },
  { method: 'DELETE', path: '/v1/payment-instructions/ffffffffffffffffffffffffffffffff' },
  // A signature, and a refund without its description.
  {
    method: 'POST',
    path: '/v1/devices/PAXA920-0005/signature-instructions',
    headers: submit(10),
    body: '{"processingTerminalId":"1234001"}',
  },
  { method: 'GET', path: INSTRUCTION },
  { method: 'GET', path: RESULT },
  {
    method: 'POST',
    path: '/v1/devices/PAXA920-0005/refund-instructions',
    headers: submit(11),
    body: sale(1000),
  },
  // A slow card (06, 92 s): the read is held for the whole 60 s hold and answers inProgress;
  // by then the token (60 s) has expired.
  { method: 'POST', path: devices('PAXA920-0004'), headers: submit(9), body: sale(1006) },
  { method: 'GET', path: INSTRUCTION },
  { method: 'GET', path: INSTRUCTION },
  { method: 'GET', path: '/v1/devices?limit=1' },
]

/** What differs from run to run: tokens, ids and codes made at random (times run on a manual clock). */
const mask = (text: string) =>
  text
    .replace(/tk_[0-9a-f]{32}/g, '<token>')
    .replace(/[0-9a-f]{32}/g, '<id>')
    .replace(/\b[A-Z0-9]{10}\b/g, '<rid>')
    .replace(/"approvalCode":"\w+"/g, '"approvalCode":"<code>"')

describe('Payroc fake: cloud.fetch, MSW and a real port answer alike', () => {
  it('the same raw requests get the same answers, none a crash, a hang or a 500', async () => {
    await expectAlike({
      server,
      cloud: () =>
        createFakeCloud({
          clock: createManualClock({ autoAdvance: true }),
          tokenLifetimeSeconds: 60,
        }),
      origin: ORIGIN,
      probes: PROBES,
      headers: bearer,
      mask,
    })
  }, 60_000)
})

/** A bearer token from the fresh cloud's identity service, asked for the way the probes go. */
async function bearer(send: Send): Promise<Record<string, string>> {
  const answer = await send('/authorize', { method: 'POST', headers: { 'x-api-key': API_KEY } })
  const { access_token } = (await answer.json()) as { access_token: string }
  return { authorization: `Bearer ${access_token}`, accept: 'application/json' }
}

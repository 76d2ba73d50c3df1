import { WebSocket as NodeWebSocket } from 'ws'
import type {
  PaymentsenseConnection,
  TillkitError,
  WebSocketConstructor,
} from '@tillkit/paymentsense/ws'
import { describe, expect, expectTypeOf, it } from 'vitest'

describe('types', () => {
  it('the ws package class and the browser WebSocket both fit the WebSocket option', () => {
    expectTypeOf(NodeWebSocket).toExtend<WebSocketConstructor>()
    expectTypeOf<typeof globalThis.WebSocket>().toExtend<WebSocketConstructor>()
    expect(typeof NodeWebSocket).toBe('function')
  })

  it('requests, notifications and handlers are typed per method and integration', () => {
    type Pac = PaymentsenseConnection<'pac'>
    type Pat = PaymentsenseConnection<'pat'>
    // Checked, not run: each line must compile, each @ts-expect-error must be an error.
    const check = (pac: Pac, pat: Pat) => {
      expectTypeOf(
        pac.request('sale', { tid: 'T', currency: 'GBP', amount: 1 }),
      ).resolves.toHaveProperty('transactionResult')
      expectTypeOf(pac.request('connectedTerminals')).resolves.toHaveProperty('terminals')
      // @ts-expect-error amount is required
      void pac.request('sale', { tid: 'T', currency: 'GBP' })
      // @ts-expect-error USD is not a Connect currency
      void pac.request('refund', { tid: 'T', currency: 'USD', amount: 1 })
      // @ts-expect-error terminalDetails needs params
      void pac.request('terminalDetails')
      // @ts-expect-error pay at table has no EPoS requests
      void pat.request('sale', { tid: 'T', currency: 'GBP', amount: 1 })
      pac.on('terminalNotification', (p) => expectTypeOf(p.tid).toBeString())
      pac.on('error', (e) => expectTypeOf(e).toEqualTypeOf<TillkitError>())
      pat.on('transactionResponse', (p) => expectTypeOf(p.tableName).toBeString())
      // @ts-expect-error not a pay-at-counter notification
      pac.on('tableUnlock', () => {})
      pac.handle('signatureVerificationRequest', (p) => ({ accepted: p.tid === 'T' }))
      // @ts-expect-error the answer is { accepted }
      pac.handle('signatureVerificationRequest', () => ({ ok: true }))
      pat.handle('tableLockRequest', () => ({ locked: false }))
    }
    expect(typeof check).toBe('function')
  })
})

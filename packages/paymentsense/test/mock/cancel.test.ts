import { describe, expect, it } from 'vitest'
import { SLOW_CARD_MS } from '../../src/mock/index.js'
import { harness, pac, poll, runToEnd, sale, start, type Harness } from './helpers.js'

const TID = '22160001'
const cancel = (h: Harness, id: string) =>
  h.call(pac('DELETE', `/pac/terminals/${TID}/transactions/${id}`))

describe('cancel', () => {
  it('cancels before the card is read', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    const answer = await cancel(h, id)
    expect(answer.status).toBe(202)
    expect(answer.body).toBeUndefined()
    expect((await poll(h, TID, id)).body.notifications).toEqual([
      'TRANSACTION_STARTED',
      'ATTEMPTING_CANCEL',
    ])
    const body = await runToEnd(h, TID, id)
    expect(body.notifications).toEqual([
      'TRANSACTION_STARTED',
      'ATTEMPTING_CANCEL',
      'INSERT_CARD',
      'CANCELLING',
      'TRANSACTION_FINISHED',
    ])
    expect(body.transactionResult).toBe('CANCELLED')
    expect(h.cloud.ledger).toEqual([])
    expect(h.cloud.terminals.get(TID).status).toBe('AVAILABLE')
  })

  it('asks for the card back when cancelled after insertion, before the acquirer', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    await h.clock.advance(1200) // PLEASE_WAIT: card in, PIN entered
    await cancel(h, id)
    const body = await runToEnd(h, TID, id)
    expect(body.notifications).toEqual([
      'TRANSACTION_STARTED',
      'INSERT_CARD',
      'PIN_ENTRY',
      'PLEASE_WAIT',
      'ATTEMPTING_CANCEL',
      'CONNECTING',
      'CANCELLING',
      'REMOVE_CARD',
      'TRANSACTION_FINISHED',
    ])
    expect(body.transactionResult).toBe('CANCELLED')
    expect(h.cloud.ledger).toEqual([])
  })

  it('cancels comfortably while a slow card is awaited', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1009))
    await h.clock.advance(SLOW_CARD_MS / 2)
    expect((await cancel(h, id)).status).toBe(202)
    const body = await runToEnd(h, TID, id)
    expect(body.transactionResult).toBe('CANCELLED')
    expect(body.cardHolderVerificationMethod).toBe('UNKNOWN')
  })

  it('cannot cancel once the request reached the acquirer: the transaction carries on', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    await h.clock.advance(2400) // REQUEST_SENT
    expect((await cancel(h, id)).status).toBe(202)
    await h.clock.advance(400)
    const { body: during } = await poll(h, TID, id)
    expect(during.notifications.slice(-3)).toEqual([
      'ATTEMPTING_CANCEL',
      'APPROVED',
      'UNABLE_TO_CANCEL',
    ])
    const body = await runToEnd(h, TID, id)
    expect(body.transactionResult).toBe('SUCCESSFUL')
    expect(body.notifications).not.toContain('CANCELLING')
    expect(h.cloud.ledger).toHaveLength(1)
  })

  it('reports UNABLE_TO_CANCEL when the end overtakes the cancel', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    await h.clock.advance(3200) // REMOVE_CARD; finishes at 3600, cancel would resolve at 3600
    await cancel(h, id)
    const body = await runToEnd(h, TID, id)
    expect(body.notifications.slice(-3)).toEqual([
      'ATTEMPTING_CANCEL',
      'UNABLE_TO_CANCEL',
      'TRANSACTION_FINISHED',
    ])
    expect(body.transactionResult).toBe('SUCCESSFUL')
  })

  it('a repeated DELETE while cancelling changes nothing', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    await cancel(h, id)
    expect((await cancel(h, id)).status).toBe(202)
    const body = await runToEnd(h, TID, id)
    expect(body.notifications.filter((n: string) => n === 'ATTEMPTING_CANCEL')).toHaveLength(1)
  })

  it('refuses to cancel a finished transaction (422) or an unknown one (404)', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    await runToEnd(h, TID, id)
    const finished = await cancel(h, id)
    expect(finished.status).toBe(422)
    expect(finished.body.userMessage).toMatch(/already finished/)
    expect((await cancel(h, 'nope')).status).toBe(404)
  })
})

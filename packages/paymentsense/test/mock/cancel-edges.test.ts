/**
 * Cancels as a POS's own HTTP code sees them, by polling the cumulative
 * notifications and reading the final result.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { enumOf, propertiesOf, schemaOf } from '../../../core/test/schema-facts.js'
import { harness, pac, poll, runToEnd, sale, start, type Harness } from './helpers.js'

const TID = '22160001'
/** The `transactionType` values a result may carry, as our schema has them. */
const PAC = YAML.parse(
  readFileSync(
    new URL('../../../../schemas/paymentsense/pac-v2.openapi.yaml', import.meta.url),
    'utf8',
  ),
)
const RESULT_TYPES = enumOf(PAC, propertiesOf(PAC, schemaOf(PAC, 'Transaction')).transactionType)
const cancel = (h: Harness, id: string) =>
  h.call(pac('DELETE', `/pac/terminals/${TID}/transactions/${id}`))

describe('cancel edges', () => {
  it('a DELETE repeated after CANCELLING, before the end, neither reports UNABLE_TO_CANCEL nor starts again', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    expect((await cancel(h, id)).status).toBe(202)
    // Step until the terminal has said CANCELLING but not yet finished.
    for (;;) {
      const { notifications } = (await poll(h, TID, id)).body
      if (notifications.includes('CANCELLING')) break
      await h.clock.advance(100)
    }
    expect((await poll(h, TID, id)).body.notifications).not.toContain('TRANSACTION_FINISHED')
    expect((await cancel(h, id)).status).toBe(202)
    const body = await runToEnd(h, TID, id)
    // FACTS.md l.125: a cancel ends CANCELLED after CANCELLING, UNABLE_TO_CANCEL means it carries
    // on; never both. README: a repeated DELETE while cancelling changes nothing.
    expect(body.transactionResult).toBe('CANCELLED')
    expect(body.notifications).not.toContain('UNABLE_TO_CANCEL')
    expect(body.notifications.filter((n: string) => n === 'ATTEMPTING_CANCEL')).toHaveLength(1)
    expect(body.notifications.filter((n: string) => n === 'CANCELLING')).toHaveLength(1)
  })

  it('the same when a card is in and has to come out after CANCELLING', async () => {
    const h = harness()
    const id = await start(h, TID, sale(1000))
    // Let the card go in and the PIN prompt show, then cancel before REQUEST_SENT.
    await h.clock.advance(800)
    expect((await poll(h, TID, id)).body.notifications).toContain('PIN_ENTRY')
    await cancel(h, id)
    await h.clock.advance(400)
    const { notifications } = (await poll(h, TID, id)).body
    expect(notifications).toContain('CANCELLING')
    expect(notifications).not.toContain('TRANSACTION_FINISHED')
    await cancel(h, id)
    const body = await runToEnd(h, TID, id)
    expect(body.transactionResult).toBe('CANCELLED')
    expect(body.notifications).not.toContain('UNABLE_TO_CANCEL')
    for (const once of ['ATTEMPTING_CANCEL', 'CANCELLING', 'REMOVE_CARD'])
      expect(body.notifications.filter((n: string) => n === once)).toHaveLength(1)
  })

  it('a cancelled DUPLICATE answers a transactionType Connect defines for results', async () => {
    const h = harness()
    // With and without an earlier transaction to copy.
    for (const earlier of [false, true]) {
      if (earlier) await runToEnd(h, TID, await start(h, TID, sale(700)))
      const id = await start(h, TID, { transactionType: 'DUPLICATE' })
      expect((await cancel(h, id)).status).toBe(202)
      const body = await runToEnd(h, TID, id)
      expect(body.transactionResult).toBe('CANCELLED')
      // A result type the schema defines (FACTS.md l.93, where DUPLICATE is a request type only).
      expect(RESULT_TYPES).not.toContain('DUPLICATE')
      expect(RESULT_TYPES).toContain(body.transactionType)
      expect(body.amountTotal).toBe(0)
    }
    expect(h.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })
})

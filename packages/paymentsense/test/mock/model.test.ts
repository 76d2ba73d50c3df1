import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { ConnectModel } from '../../src/mock/domain/model.js'
import type { CloudEvent } from '../../src/mock/index.js'
import { Refusal } from '../../src/mock/index.js'

const settings = {
  stepMs: 100,
  signatureTimeoutMs: 1_000,
  signatureTimeout: 'void' as const,
  retentionMs: 3_600_000,
}

/**
 * The protocol-free model is what a second front-end (WebSocket) will drive: it must push events
 * as they happen when someone advances time to `nextEventAt()`, without any REST polling.
 */
describe('ConnectModel (protocol-free)', () => {
  it('pushes notifications in order to a driver that sleeps until the next event', async () => {
    const clock = createManualClock()
    const model = new ConnectModel(settings, [{ tid: 'T1' }])
    const events: CloudEvent[] = []
    const unsubscribe = model.subscribe((event) => events.push(event))

    const run = model.startTransaction(
      'T1',
      { transactionType: 'SALE', amount: 100, currency: 'GBP' },
      clock.now(),
    )
    const t0 = clock.now()
    expect(model.nextEventAt()).toBe(t0 + 100)

    // A minimal push driver.
    for (let next = model.nextEventAt(); next !== undefined; next = model.nextEventAt()) {
      await clock.advance(next - clock.now())
      model.terminal('T1', clock.now())
    }
    expect(events.map((e) => e.value)).toEqual(run.notifications)
    expect(events.at(-1)).toMatchObject({
      type: 'notification',
      kind: 'transaction',
      tid: 'T1',
      requestId: run.requestId,
      value: 'TRANSACTION_FINISHED',
      at: t0 + 900,
    })
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b))
    unsubscribe()
    model.startReport('T1', { reportType: 'X_BALANCE' }, clock.now())
    expect(events.at(-1)!.value).toBe('TRANSACTION_FINISHED')
  })

  it('reports refusals with a kind a front-end can map', () => {
    const model = new ConnectModel(settings, [{ tid: 'T1', online: false }])
    const kinds = [() => model.getTerminal('T9', 0), () => model.getTerminal('T1', 0)].map(
      (call) => {
        try {
          call()
        } catch (error) {
          return error instanceof Refusal ? error.kind : 'other'
        }
        return 'none'
      },
    )
    expect(kinds).toEqual(['not-found', 'unavailable'])
  })
})

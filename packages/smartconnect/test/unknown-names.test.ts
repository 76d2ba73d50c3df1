/**
 * What the previous pass left: a misspelt name in a call's options or in the store details given
 * to `pair` is refused before anything is sent, naming it and never quoting its value (a wait's
 * option given to `startTransaction`, or transact's `onStarted` given to `waitForOutcome`, would be
 * silently ignored too). Every name the types document is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createSmartConnectClient,
  type PendingTransaction,
  type StoreDetails,
  type TransactOptions,
} from '../src/index.js'
import { refusal, unknownNameOf } from '../../core/test/helpers.js'
import { harness, REGISTER } from './helpers.js'

/** A value a misspelt name could hold: it must appear in no error. */
const SECRET = `sc_live_${crypto.randomUUID()}`

/** A client whose fetch records every request (and answers nothing useful). */
function recording() {
  const sent: Request[] = []
  const client = createSmartConnectClient({
    environment: 'dev',
    register: REGISTER,
    clock: createManualClock({ autoAdvance: true }),
    fetch: async (request: Request) => (sent.push(request), new Response('{}')),
  })
  return { sent, client }
}

const PENDING: PendingTransaction = {
  transactionId: 'tx-1',
  type: 'Card.Purchase',
  pollingUrl: 'https://api-dev.smart-connect.cloud/pos/transaction/tx-1?merchantAccessToken=t',
  startedAt: 0,
}

describe('a call refuses an unknown name, sending nothing', () => {
  const { sent, client } = recording()
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    [
      'pair, in the store details',
      () => client.pair('ABC123', { zipcode: SECRET } as StoreDetails),
      'store.zipcode',
    ],
    [
      'pair, in its options',
      () => client.pair('ABC123', {}, { signl: SECRET } as never),
      'options.signl',
    ],
    [
      'startTransaction, a wait option it does not take',
      () =>
        client.startTransaction('Card.Purchase', { AmountTotal: 100 }, {
          intervalMs: SECRET,
        } as never),
      'options.intervalMs',
    ],
    [
      'startTransaction, with no fields',
      () => client.startTransaction('Terminal.GetStatus', undefined, { signl: SECRET } as never),
      'options.signl',
    ],
    ['poll', () => client.poll(PENDING, { signl: SECRET } as never), 'options.signl'],
    [
      'waitForOutcome',
      () => client.waitForOutcome(PENDING, { interval: SECRET } as never),
      'options.interval',
    ],
    [
      "waitForOutcome, transact's onStarted",
      () => client.waitForOutcome(PENDING, { onStarted: SECRET } as never),
      'options.onStarted',
    ],
    [
      'transact',
      () => client.transact('Card.Purchase', { AmountTotal: 100 }, { deadline: SECRET } as never),
      'options.deadline',
    ],
  ]
  it.each(cases)('%s', async (_call, call, field) => {
    await unknownNameOf(call, field, SECRET)
    expect(sent).toHaveLength(0)
  })

  it('a transaction field it does not know (refused already: a guard, in its own words)', async () => {
    const { sent, client } = recording()
    const error: unknown = await client
      .startTransaction('Card.Purchase', { AmountTotl: SECRET } as never)
      .catch((caught: unknown) => caught)
    expect(
      refusal(
        () => {
          throw error
        },
        'AmountTotl',
        SECRET,
      ).rule,
    ).toBe('is not a field of Card.Purchase')
    expect(sent).toHaveLength(0)
  })
})

describe('every name the types document is taken', () => {
  it('pair, startTransaction, poll, waitForOutcome and transact', async () => {
    const { client, cloud } = harness()
    const store: Required<StoreDetails> = {
      contactName: 'Jo',
      address: '1 Main St',
      city: 'Auckland',
      state: 'AKL',
      zipCode: '1010',
      email: 'jo@example.com',
      phone: '021 000 000',
    }
    const signal = new AbortController().signal
    await client.pair(cloud.terminals.get('VT000001').pairingCode, store, { signal })
    const pending = await client.startTransaction('Card.Purchase', { AmountTotal: 100 }, { signal })
    expect((await client.poll(pending, { signal })).state).toEqual(expect.any(String))
    const wait = { intervalMs: 2_000, deadlineMs: 300_000, signal, onEvent: () => {} }
    expect((await client.waitForOutcome(pending, wait)).status).toEqual(expect.any(String))
    const every: Required<TransactOptions> = { ...wait, onStarted: () => {} }
    const outcome = await client.transact('Card.Purchase', { AmountTotal: 200 }, every)
    expect(outcome.status).toEqual(expect.any(String))
  })
})

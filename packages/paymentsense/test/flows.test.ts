import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { setupServer } from 'msw/node'
import {
  createManualClock,
  TillkitHttpError,
  TillkitNetworkError,
  TillkitTimeoutError,
  type ManualClock,
} from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '../src/mock/index.js'
import {
  createPaymentsenseClient,
  type PaymentsenseClient,
  type PaymentsenseClientOptions,
} from '../src/index.js'
import { waitForReport, waitForTransaction } from '../src/watch.js'

const TID = '22160001'

/** The fake cloud's default account, as a client sees it. */
const ACCOUNT = {
  account: 'acme',
  environment: 'test',
  apiKey: 'test-api-key',
  softwareHouseId: 'SWH',
  installerId: 'INST',
} as const

interface Rig {
  cloud: FakeCloud
  client: PaymentsenseClient
  clock: ManualClock
  /** Every request the client put on the wire, as `METHOD path`. */
  wire: string[]
}

/** A client wired straight to a fake cloud, both on one auto-advancing virtual clock. */
function rig(
  cloudOptions: FakeCloudOptions = {},
  clientOptions: Partial<PaymentsenseClientOptions> = {},
): Rig {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock, ...cloudOptions })
  const wire: string[] = []
  const client = createPaymentsenseClient({
    ...ACCOUNT,
    clock,
    fetch: (request) => {
      wire.push(`${request.method} ${new URL(request.url).pathname}`)
      return cloud.fetch(request)
    },
    ...clientOptions,
  })
  return { cloud, client, clock, wire }
}

async function startSale(client: PaymentsenseClient, amount: number, tid = TID) {
  return client.transport.ok(
    await client.pac.POST('/pac/terminals/{tid}/transactions', {
      params: { path: { tid } },
      body: { transactionType: 'SALE', amount, currency: 'GBP' },
    }),
  )
}

describe('pay-at-counter flows through the fake cloud', () => {
  it('lists terminals and reads one', async () => {
    const { client } = rig()
    const list = client.transport.ok(
      await client.pac.GET('/pac/terminals', { params: { query: { currency: 'EUR' } } }),
    )
    expect(list.terminals.map((t) => t.tid)).toEqual(['22160003'])
    const one = client.transport.ok(
      await client.pac.GET('/pac/terminals/{tid}', { params: { path: { tid: TID } } }),
    )
    expect(one).toMatchObject({ tid: TID, status: 'AVAILABLE', currency: 'GBP' })
  })

  it('runs a sale to the end, reporting each notification exactly once, in order', async () => {
    const { client, cloud } = rig()
    const { requestId } = await startSale(client, 1250)
    const seen: string[] = []
    const result = await waitForTransaction(client, TID, requestId, {
      onNotification: (n) => void seen.push(n),
    })
    expect(result.transactionResult).toBe('SUCCESSFUL')
    expect(result.amountTotal).toBe(1250)
    expect(seen).toEqual(result.notifications)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.at(0)).toBe('TRANSACTION_STARTED')
    expect(seen.at(-1)).toBe('TRANSACTION_FINISHED')
    expect(cloud.ledger.filter((e) => e.kind === 'sale')).toHaveLength(1)
  })

  it.each([
    [true, 'SUCCESSFUL', ['sale']],
    [false, 'VOID', ['sale', 'reversal']],
  ] as const)('answers a signature request (accepted: %s)', async (accepted, outcome, kinds) => {
    const { client, cloud } = rig()
    const { requestId } = await startSale(client, 1203)
    const result = await waitForTransaction(client, TID, requestId, {
      async onNotification(n) {
        if (n !== 'SIGNATURE_VERIFICATION') return
        client.transport.ok(
          await client.pac.PUT('/pac/terminals/{tid}/transactions/{requestId}/signature', {
            params: { path: { tid: TID, requestId } },
            body: { accepted },
          }),
        )
      },
    })
    expect(result.transactionResult).toBe(outcome)
    expect(cloud.ledger.map((e) => e.kind)).toEqual(kinds)
  })

  it('cancels a sale before it reaches the acquirer', async () => {
    const { client, cloud } = rig()
    const { requestId } = await startSale(client, 1209) // slow card: time to cancel
    const result = await waitForTransaction(client, TID, requestId, {
      async onNotification(n) {
        if (n !== 'TRANSACTION_STARTED') return
        client.transport.ok(
          await client.pac.DELETE('/pac/terminals/{tid}/transactions/{requestId}', {
            params: { path: { tid: TID, requestId } },
          }),
        )
      },
    })
    expect(result.notifications).toContain('CANCELLING')
    expect(result.transactionResult).toBe('CANCELLED')
    expect(cloud.ledger).toHaveLength(0)
  })

  it('runs a report to REPORT_FINISHED', async () => {
    const { client } = rig()
    await waitForTransaction(client, TID, (await startSale(client, 500)).requestId)
    const { requestId } = client.transport.ok(
      await client.pac.POST('/pac/terminals/{tid}/reports', {
        params: { path: { tid: TID } },
        body: { reportType: 'X_BALANCE' },
      }),
    )
    const report = await waitForReport(client, TID, requestId)
    expect(report.reportResult).toBe('COMPLETE')
    expect(report.notifications).toEqual(['REPORT_STARTED', 'REPORT_FINISHED'])
  })
})

describe('errors and unknown outcomes', () => {
  it('a busy terminal is a definite rejection with the provider message', async () => {
    const { client } = rig()
    await startSale(client, 1209)
    const error = await startSale(client, 100).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error).toMatchObject({ status: 422, outcomeUnknown: false })
    expect((error as TillkitHttpError).body).toHaveProperty('userMessage')
  })

  it('a wrong API key is a 401 whose error never shows the key', async () => {
    const { client } = rig({ apiKeys: ['the-real-key'] }, { apiKey: 'wrong-key-0123' })
    const error = await client.pac
      .GET('/pac/terminals')
      .then((r) => client.transport.ok(r))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 401 })
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(
      'wrong-key-0123',
    )
  })

  it('a lost response to the payment-starting POST is an unknown outcome, never re-sent', async () => {
    const { client, cloud, wire } = rig()
    cloud.faults.add({
      kind: 'lostResponse',
      mode: 'reset',
      match: { method: 'POST', path: /transactions$/ },
    })
    const error = await startSale(client, 1250).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitNetworkError)
    expect((error as TillkitNetworkError).outcomeUnknown).toBe(true)
    expect(wire.filter((w) => w.startsWith('POST'))).toHaveLength(1)
    // The payment did start: the terminal is busy, and it is charged exactly once.
    const terminal = client.transport.ok(
      await client.pac.GET('/pac/terminals/{tid}', { params: { path: { tid: TID } } }),
    )
    expect(terminal.status).toBe('BUSY')
    await client.transport.clock.sleep(60_000)
    expect(cloud.ledger.filter((e) => e.kind === 'sale' && e.result === 'SUCCESSFUL')).toHaveLength(
      1,
    )
  })

  it('a POST whose response never comes times out as an unknown outcome, never re-sent', async () => {
    const { client, cloud, wire } = rig({}, { timeoutMs: 20_000 })
    cloud.faults.add({ kind: 'lostResponse', mode: 'hang', match: { method: 'POST' } })
    const error = await startSale(client, 1250).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitTimeoutError)
    expect((error as TillkitTimeoutError).outcomeUnknown).toBe(true)
    expect(wire.filter((w) => w.startsWith('POST'))).toHaveLength(1)
  })

  it('a 500 to the POST is an unknown outcome, not retried', async () => {
    const { client, cloud, wire } = rig()
    cloud.faults.add({ kind: 'status', status: 500, match: { method: 'POST' }, times: 1 })
    const error = await startSale(client, 1250).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 500, outcomeUnknown: true })
    expect(wire).toEqual([`POST /pac/terminals/${TID}/transactions`])
  })

  it('transient failures while polling are retried and the sale completes', async () => {
    const { client, cloud, wire } = rig()
    const { requestId } = await startSale(client, 1250)
    cloud.faults.add({ kind: 'status', status: 503, match: { method: 'GET' }, times: 2 })
    const result = await waitForTransaction(client, TID, requestId)
    expect(result.transactionResult).toBe('SUCCESSFUL')
    expect(wire.filter((w) => w.startsWith('GET')).length).toBeGreaterThan(3)
  })

  it('the 429 of request spacing is retried, even for a POST (nothing was processed)', async () => {
    // Jitter pinned to the middle: the first backoff (125 ms of a 250 ms cap) clears the 100 ms spacing.
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const { client, cloud, wire } = rig({ requestSpacingMs: 100 }, { minIntervalMs: 0 })
    await client.pac.GET('/pac/terminals')
    const { requestId } = await startSale(client, 1250)
    expect(requestId).toBeTruthy()
    expect(wire.filter((w) => w.startsWith('POST'))).toHaveLength(2)
    expect(cloud.ledger).toHaveLength(0) // not charged twice: only one transaction started
    await waitForTransaction(client, TID, requestId)
    expect(cloud.ledger.filter((e) => e.kind === 'sale')).toHaveLength(1)
  })

  it('results that aged out answer 404', async () => {
    const { client } = rig({ retentionHours: 1 })
    const { requestId } = await startSale(client, 1250)
    await waitForTransaction(client, TID, requestId)
    await client.transport.clock.sleep(2 * 3_600_000)
    await expect(waitForTransaction(client, TID, requestId)).rejects.toMatchObject({ status: 404 })
  })

  it('stops polling when the caller aborts', async () => {
    const { client } = rig()
    const { requestId } = await startSale(client, 1209)
    const abort = new AbortController()
    const pending = waitForTransaction(client, TID, requestId, {
      signal: abort.signal,
      onNotification: (n) => {
        if (n === 'TRANSACTION_STARTED') abort.abort()
      },
    })
    await expect(pending).rejects.toMatchObject({ name: expect.stringMatching(/Abort/) })
  })

  it('an abort while a poll is in flight rejects with the signal reason, as one between polls does', async () => {
    const abort = new AbortController()
    const reason = new Error('the operator walked away')
    let polls = 0
    let cloud: FakeCloud | undefined
    const { client, cloud: made } = rig(
      {},
      {
        fetch: (request) => {
          // The second poll: the caller aborts while it is on the wire.
          if (request.method === 'GET' && ++polls === 2) abort.abort(reason)
          return cloud!.fetch(request)
        },
      },
    )
    cloud = made
    const { requestId } = await startSale(client, 1250)
    const error = await waitForTransaction(client, TID, requestId, { signal: abort.signal }).catch(
      (e: unknown) => e,
    )
    expect(polls).toBe(2)
    expect(error).toBe(reason)

    // Between polls, the same reason.
    const other = rig()
    const between = new AbortController()
    const started = await startSale(other.client, 1209)
    const pending = waitForTransaction(other.client, TID, started.requestId, {
      signal: between.signal,
      onNotification: (n) => {
        if (n === 'TRANSACTION_STARTED') between.abort(reason)
      },
    })
    await expect(pending).rejects.toBe(reason)
  })
})

describe('pay-at-table through the fake cloud', () => {
  it('creates a table, takes a payment at the table, honours lastKnown guards and closes it', async () => {
    const { client, cloud } = rig()
    const { pat, transport } = client
    transport.ok(
      await pat.PUT('/pat/tables', { body: { tableName: 'T7', amount: 4200, currency: 'GBP' } }),
    )
    const duplicate = await pat.PUT('/pat/tables', {
      body: { tableName: 'T7', amount: 100, currency: 'GBP' },
    })
    expect(duplicate.response.status).toBe(409)

    cloud.tables.pay('T7', { amount: 2000 })
    const table = transport.ok(
      await pat.GET('/pat/tables/{tableName}', { params: { path: { tableName: 'T7' } } }),
    )
    expect(table).toMatchObject({ amount: 4200, amountPaid: 2000 })

    // A write based on a stale view of the table is refused.
    const stale = await pat.PUT('/pat/tables/{tableName}/amount', {
      params: { path: { tableName: 'T7' } },
      body: { lastKnownAmount: 4200, lastKnownPaidAmount: 0, newAmount: 5000 },
    })
    expect(stale.response.status).toBe(422)
    transport.ok(
      await pat.PUT('/pat/tables/{tableName}/amount', {
        params: { path: { tableName: 'T7' } },
        body: { lastKnownAmount: 4200, lastKnownPaidAmount: 2000, newAmount: 5000 },
      }),
    )
    cloud.tables.lock('T7', TID)
    const locked = await pat.PUT('/pat/tables/{tableName}/receipt', {
      params: { path: { tableName: 'T7' } },
      body: { lastKnownAmount: 5000, lastKnownPaidAmount: 2000, newReceipt: [] },
    })
    expect(locked.response.status).toBe(423)
    cloud.tables.unlock('T7')
    transport.ok(
      await pat.DELETE('/pat/tables/{tableName}', {
        params: { path: { tableName: 'T7' } },
        body: { lastKnownAmount: 5000, lastKnownPaidAmount: 2000 },
      }),
    )
    const gone = await pat.GET('/pat/tables/{tableName}', { params: { path: { tableName: 'T7' } } })
    expect(gone.response.status).toBe(404)
  })
})

describe('through MSW, with the global fetch', () => {
  const cloud = createFakeCloud({ stepMs: 0, requestSpacingMs: 0 })
  const server = setupServer(...cloud.handlers())
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  it('takes a sale end to end', async () => {
    const client = createPaymentsenseClient({ ...ACCOUNT, minIntervalMs: 0 })
    const { requestId } = await startSale(client, 1250)
    const result = await waitForTransaction(client, TID, requestId, { intervalMs: 100 })
    expect(result.transactionResult).toBe('SUCCESSFUL')
  })
})

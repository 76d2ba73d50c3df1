import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud } from '@tillkit/paymentsense/mock'
import {
  connectPaymentsense,
  TillkitRpcError,
  TillkitUnknownOutcomeError,
  type ConnectOptions,
  type ConnectionState,
  type Integration,
  type PaymentsenseConnection,
  type RequestKnown,
  type TillkitError,
} from '@tillkit/paymentsense/ws'
import { afterEach, describe, expect, it, vi } from 'vitest'

/**
 * The client against the fake Connect cloud, in-process (`cloud.WebSocket`): the real handshake checks, sessions,
 * terminals, ledger and socket faults. One manual clock with autoAdvance is shared by both, so terminal steps,
 * pings, timeouts and backoff take no real time.
 */

const TID = '22160001'
const open: Array<PaymentsenseConnection<Integration>> = []

afterEach(async () => {
  // Closing ends the fake's ping loops, which would otherwise keep an auto-advancing clock busy.
  for (const connection of open.splice(0)) await connection.close()
  vi.unstubAllGlobals()
})

function rig() {
  const clock = createManualClock({ autoAdvance: true })
  const cloud = createFakeCloud({ clock })
  return { clock, cloud }
}

async function connect<I extends Integration>(
  { clock, cloud }: { clock: ManualClock; cloud: FakeCloud },
  integration: I,
  extra: Partial<ConnectOptions<I>> = {},
) {
  const connection = await connectPaymentsense<I>({
    account: 'acme',
    environment: 'test',
    apiKey: 'test-api-key',
    softwareHouseId: 'SWH',
    installerId: 'INST',
    integration,
    WebSocket: cloud.WebSocket,
    clock,
    ...extra,
  } as ConnectOptions<I>)
  open.push(connection as PaymentsenseConnection<Integration>)
  const errors: TillkitError[] = []
  const states: ConnectionState[] = []
  connection.on('error', (e) => void errors.push(e))
  connection.on('state', (s) => void states.push(s))
  return { connection, errors, states }
}

/** Sleeps on the shared clock until `done()` holds. */
async function until(clock: ManualClock, done: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 1_000; i++) {
    if (await done()) return
    await clock.sleep(500)
  }
  throw new Error('condition never held')
}

describe('pay at counter against the fake cloud', () => {
  it('a sale: notifications pushed as they happen, then the result; the ledger has it once', async () => {
    const env = rig()
    const { connection, errors } = await connect(env, 'pac')
    const seen: string[] = []
    connection.on('terminalNotification', (p) => void seen.push(p.notificationValue))
    const result = await connection.request('sale', { tid: TID, currency: 'GBP', amount: 1250 })
    expect(result).toMatchObject({
      tid: TID,
      transactionResult: 'SUCCESSFUL',
      amountTotal: 1250,
      cardholderVerificationMethod: 'PIN',
    })
    expect(seen).toContain('PIN_ENTRY')
    expect(seen.at(-1)).toBe('TRANSACTION_FINISHED')
    expect(env.cloud.ledger).toEqual([
      expect.objectContaining({ tid: TID, kind: 'sale', amount: 1250, result: 'SUCCESSFUL' }),
    ])
    const { terminals } = await connection.request('connectedTerminals')
    expect(terminals.find((t) => t.tid === TID)).toEqual({
      tid: TID,
      status: 'AVAILABLE',
      currency: 'GBP',
    })
    expect(errors).toEqual([])
  })

  it('a signature declined by the handler voids the sale: the ledger shows it reversed', async () => {
    const env = rig()
    const { connection, errors } = await connect(env, 'pac')
    const asked: string[] = []
    connection.handle('signatureVerificationRequest', (params) => {
      asked.push(`${params.tid} ${params.cardholderVerificationMethod}`)
      return { accepted: false }
    })
    const result = await connection.request('sale', { tid: TID, currency: 'GBP', amount: 1203 })
    expect(asked).toEqual([`${TID} SIGNATURE`])
    expect(result.transactionResult).toBe('VOID')
    expect(env.cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([
      ['sale', 1203],
      ['reversal', 1203],
    ])
    expect(errors).toEqual([])
  })

  it('with no signature handler, Connect accepts on its own timeout and the sale stands', async () => {
    const env = rig()
    const { connection } = await connect(env, 'pac')
    const result = await connection.request('sale', { tid: TID, currency: 'GBP', amount: 2203 })
    expect(result.transactionResult).toBe('SUCCESSFUL')
    expect(env.cloud.ledger.map((e) => e.kind)).toEqual(['sale'])
  })

  it('cancelTransaction stops a sale waiting for its card', async () => {
    const env = rig()
    const { connection } = await connect(env, 'pac')
    const seen: string[] = []
    connection.on('terminalNotification', (p) => void seen.push(p.notificationValue))
    const sale = connection.request('sale', { tid: TID, currency: 'GBP', amount: 1209 }) // slow card
    await until(env.clock, () => seen.length > 0)
    await connection.request('cancelTransaction', { tid: TID })
    const result = await sale
    expect(result.transactionResult).toBe('CANCELLED')
    expect(seen).toEqual(expect.arrayContaining(['ATTEMPTING_CANCEL', 'CANCELLING']))
    expect(env.cloud.ledger).toEqual([])
  })

  it('Connect refusals arrive as TillkitRpcError: a busy terminal, an unknown one', async () => {
    const env = rig()
    const { connection } = await connect(env, 'pac')
    const first = connection.request('sale', { tid: TID, currency: 'GBP', amount: 1209 })
    const busy = await connection
      .request('sale', { tid: TID, currency: 'GBP', amount: 500 })
      .catch((e: unknown) => e)
    expect(busy).toBeInstanceOf(TillkitRpcError)
    expect(busy).toMatchObject({ rpcCode: -32001, method: 'sale', outcomeUnknown: false })
    const unknown = await connection
      .request('terminalDetails', { tids: ['NOPE'] })
      .catch((e: unknown) => e)
    expect(unknown).toMatchObject({ rpcCode: -32003 })
    expect((await first).transactionResult).toBe('SUCCESSFUL')
  })

  it('a drop mid-payment: unknown outcome with what is known, never re-sent; after reconnecting, duplicate shows the charge happened', async () => {
    const env = rig()
    const { connection, errors, states } = await connect(env, 'pac')
    env.cloud.faults.add({ kind: 'dropConnection', notification: 'PIN_ENTRY', times: 1 })
    const error = await connection
      .request('sale', { tid: TID, currency: 'GBP', amount: 1250 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TillkitUnknownOutcomeError)
    const known = (error as TillkitUnknownOutcomeError<RequestKnown>).known
    expect(known).toMatchObject({ method: 'sale', tid: TID, amount: 1250, currency: 'GBP' })
    expect(known.lastNotification).toBeDefined()
    expect(known.lastNotification).not.toBe('PIN_ENTRY') // lost with the connection
    expect(errors[0]?.message).toMatch(/closed \(code 1006\)$/)

    await until(env.clock, () => connection.state === 'open')
    expect(states).toEqual(['reconnecting', 'open'])
    // The terminal carried on without us; wait until it is free, then ask it what it did.
    await until(env.clock, async () => {
      const { terminals } = await connection.request('terminalDetails', { tids: [TID] })
      return terminals[0]?.status === 'AVAILABLE'
    })
    const last = await connection.request('duplicate', { tid: TID })
    expect([last.transactionType, last.amountTotal, last.transactionResult]).toEqual([
      'SALE',
      1250,
      'SUCCESSFUL',
    ])
    expect(env.cloud.ledger.filter((e) => e.kind === 'sale')).toHaveLength(1)
  })

  it('a drop before the acquirer: the same unknown outcome, and the ledger shows nothing was taken', async () => {
    const env = rig()
    const { connection } = await connect(env, 'pac')
    env.cloud.faults.add({ kind: 'dropConnection', times: 1 })
    const error = await connection
      .request('sale', { tid: TID, currency: 'GBP', amount: 1205 }) // declined by the card, offline
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNKNOWN_OUTCOME', reason: 'disconnected' })
    await until(env.clock, () => connection.state === 'open')
    await until(env.clock, async () => {
      const { terminals } = await connection.request('terminalDetails', { tids: [TID] })
      return terminals[0]?.status === 'AVAILABLE'
    })
    expect(env.cloud.ledger).toEqual([])
  })

  it('pings from the fake keep a quiet connection alive; missing pings and no traffic get it replaced', async () => {
    const env = rig()
    const { connection, errors } = await connect(env, 'pac', {
      liveness: { idleMs: 45_000, probe: false },
    })
    await env.clock.sleep(300_000)
    expect(connection.state).toBe('open')
    expect(errors).toEqual([]) // never dropped on the way
    env.cloud.faults.add({ kind: 'missingPings', times: 2 })
    await until(env.clock, () => errors.length > 0)
    expect(errors[0]?.message).toMatch(/presumed dead$/)
    await until(env.clock, () => connection.state === 'open')
    expect(env.cloud.sockets.open).toHaveLength(1)
  })

  it('browser-style: the global WebSocket is used when the option is left out', async () => {
    const env = rig()
    vi.stubGlobal('WebSocket', env.cloud.WebSocket)
    const { connection } = await connect(env, 'pac', { WebSocket: undefined })
    const { terminals } = await connection.request('connectedTerminals')
    expect(terminals.length).toBeGreaterThan(0)
  })

  it('a wrong API key: the first open fails, no retry', async () => {
    const env = rig()
    const error = await connect(env, 'pac', { apiKey: 'wrong-key-123' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NETWORK', mayHaveReachedProvider: false })
    expect(String((error as Error).message)).not.toContain('wrong-key-123')
    expect(env.cloud.sockets.open).toEqual([])
  })
})

describe('pay at table against the fake cloud', () => {
  const TABLE = { tableName: '12', amount: 4500, currency: 'GBP' as const }

  it('a waiter visit: the handlers answer list, lock and bill; the payment and unlock arrive as notifications', async () => {
    const env = rig()
    const { connection, errors } = await connect(env, 'pat', { finalPosReceiptRequest: true })
    const events: string[] = []
    connection.handle('tableListRequest', () => ({ tables: [TABLE] }))
    connection.handle(
      'tableLockRequest',
      (p) => (events.push(`lock ${p.tableName}`), { locked: true, table: TABLE }),
    )
    connection.handle('posReceiptRequest', () => ({ receiptLines: [{ value: 'TABLE 12  45.00' }] }))
    connection.handle('finalPosReceiptRequest', () => ({
      receiptLines: [{ value: 'PAID, THANK YOU' }],
    }))
    connection.on(
      'transactionResponse',
      (p) => void events.push(`${p.tableName} ${p.transactionResult} ${p.amountTotal}`),
    )
    connection.on('tableUnlock', (p) => void events.push(`unlock ${p.tableName}`))
    const visit = await env.cloud.tables.visit(TID, { tableName: '12' })
    expect(visit.status).toBe('paid')
    expect(visit).toMatchObject({
      finalReceipt: { status: 'printed', receiptLines: [{ value: 'PAID, THANK YOU' }] },
    })
    await until(env.clock, () => events.length === 3)
    expect(events).toEqual(['lock 12', '12 SUCCESSFUL 4500', 'unlock 12'])
    expect(env.cloud.ledger.map((e) => [e.kind, e.amount])).toEqual([['table-payment', 4500]])
    expect(errors).toEqual([])
  })

  it('one connection per account: a newer one discontinues the older, which ends closed and does not fight back', async () => {
    const env = rig()
    const older = await connect(env, 'pat')
    const newer = await connect(env, 'pat')
    await until(env.clock, () => older.connection.state === 'closed')
    expect(older.errors[0]).toBeInstanceOf(TillkitRpcError)
    expect(older.errors[0]).toMatchObject({ rpcCode: -32004 })
    expect(older.states).toEqual(['closed'])
    await env.clock.sleep(120_000)
    expect(newer.connection.state).toBe('open')
    expect(env.cloud.sockets.open).toEqual([expect.objectContaining({ integration: 'pat' })])
  })
})

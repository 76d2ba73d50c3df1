/**
 * What the previous pass left: a misspelt name in a journal's options, in an item of an adapter's
 * `terminals` or `devices`, or in a table request, is refused before anything is written or sent,
 * naming it and never quoting its value; every name the types document is taken.
 */
import { access } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  type MemoryJournalOptions,
  type ProviderAdapter,
  type TableRequest,
} from '../src/index.js'
import { createFileJournal, type FileJournalOptions } from '../src/node.js'
import { adyenAdapter } from '../src/adyen.js'
import { paymentsenseAdapter, paymentsenseWebSocketAdapter } from '../src/paymentsense.js'
import { payrocAdapter, type PayrocDevice } from '../src/payroc.js'
import { smartconnectAdapter } from '../src/smartconnect.js'
import { unknownName, unknownNameOf } from '../../core/test/helpers.js'
import { setup, tempJournals } from './harness.js'
import { registerFor } from './smartconnect-harness.js'
import { bill } from './tables-harness.js'
import { KEY, PAYMENTSENSE, SECRET, network } from './unknown-harness.js'

const journalPath = tempJournals('tillkit-review-names-')

describe('journals', () => {
  it('createMemoryJournal refuses an unknown name', () => {
    unknownName(
      () => createMemoryJournal({ keepFinish: SECRET } as MemoryJournalOptions),
      'options.keepFinish',
      SECRET,
    )
  })

  it('createFileJournal refuses an unknown name before the file is made or locked', async () => {
    const path = await journalPath()
    await unknownNameOf(
      () => createFileJournal(path, { compactafter: SECRET } as FileJournalOptions),
      'options.compactafter',
      SECRET,
    )
    await expect(access(path)).rejects.toThrow()
    await expect(access(`${path}.lock`)).rejects.toThrow()
  })

  it('every option of their types is taken', async () => {
    const memory: Required<MemoryJournalOptions> = { keepFinished: 10, keepEndedTables: 5 }
    expect(await createMemoryJournal(memory).unfinished()).toEqual([])
    const file: Required<FileJournalOptions> = {
      compactAfter: 100,
      keepFinished: 10,
      keepEndedTables: 5,
    }
    const journal = await createFileJournal(await journalPath(), file)
    expect(journal.records).toBe(0)
    await journal.close?.()
  })
})

/** Each adapter with an item of its list carrying a misspelt name, and the field refused. */
const ITEMS: Array<[string, (net: ReturnType<typeof network>) => ProviderAdapter, string]> = [
  [
    'paymentsense terminals',
    (net) =>
      paymentsenseAdapter({
        ...PAYMENTSENSE,
        fetch: net.fetch,
        terminals: [{ tid: '22160001', currency: 'GBP', curency: SECRET } as never],
      }),
    'options.terminals[0].curency',
  ],
  [
    'paymentsense WebSocket terminals',
    (net) =>
      paymentsenseWebSocketAdapter({
        ...PAYMENTSENSE,
        WebSocket: net.WebSocket as never,
        terminals: [
          { tid: '22160001', currency: 'GBP' },
          { tid: '22160002', currency: 'EUR', TID: SECRET } as never,
        ],
      }),
    'options.terminals[1].TID',
  ],
  [
    'adyen terminals (a currency misspelt would accept any)',
    (net) =>
      adyenAdapter({
        apiKey: KEY,
        environment: 'test',
        transport: 'device-api',
        merchantAccount: 'Shop',
        saleId: 'till-1',
        fetch: net.fetch,
        terminals: [{ poiId: 'P400Plus-100000001', currency: SECRET } as never],
      }),
    'options.terminals[0].currency',
  ],
  [
    'payroc devices (a misspelt terminal would fall back to the account’s)',
    (net) =>
      payrocAdapter({
        apiKey: KEY,
        environment: 'test',
        processingTerminalId: '1234001',
        fetch: net.fetch,
        devices: [{ serialNumber: 'PAX-1', processingTerminalID: SECRET } as PayrocDevice],
      }),
    'options.devices[0].processingTerminalID',
  ],
  [
    'smartconnect terminals',
    (net) =>
      smartconnectAdapter({
        environment: 'dev',
        currency: 'NZD',
        fetch: net.fetch,
        terminals: [{ terminal: 'T1', register: registerFor('T1'), currency: SECRET } as never],
      }),
    'options.terminals[0].currency',
  ],
]

describe("an item of an adapter's list refuses an unknown name, sending nothing", () => {
  it.each(ITEMS)('%s', (_list, make, field) => {
    const net = network()
    unknownName(() => make(net), field, SECRET)
    expect(net.sent).toEqual([])
  })
})

describe('openTable', () => {
  it('refuses an unknown name before anything is written or sent', async () => {
    const { orchestrator, seen } = setup()
    await unknownNameOf(
      () => orchestrator.openTable({ ...bill(), waiterIDs: SECRET } as TableRequest),
      'waiterIDs',
      SECRET,
    )
    expect(seen).toEqual([])
    expect(orchestrator.tables()).toEqual([])
    await orchestrator.close()
  })
})
